"""Nullable amount columns: one pair of helpers (app.base.money) for projects, 政府采购, 固定资产 and 绩效自评."""

from decimal import Decimal

from app.base.money import optional_amount, optional_millionths


def test_a_blank_amount_stays_blank_both_ways():
    assert optional_millionths(None) is None
    assert optional_amount(None) is None


def test_an_amount_round_trips_exactly_and_zero_is_not_blank():
    for text in ("0", "0.01", "1234567.89", "-5.50"):
        value = Decimal(text)
        stored = optional_millionths(value)
        assert isinstance(stored, int)
        assert optional_amount(stored) == value
    assert optional_millionths(Decimal("0")) == 0
    assert optional_amount(0) == Decimal("0.00")
