"""Nullable amount columns: one pair of helpers (app.base.money) for projects, 政府采购, 固定资产 and 绩效自评."""

from decimal import Decimal

from app.base.money import optional_amount, optional_hundredths


def test_a_blank_amount_stays_blank_both_ways():
    assert optional_hundredths(None) is None
    assert optional_amount(None) is None


def test_an_amount_round_trips_exactly_and_zero_is_not_blank():
    for text in ("0", "0.01", "1234567.89", "-5.50"):
        value = Decimal(text)
        stored = optional_hundredths(value)
        assert isinstance(stored, int)
        assert optional_amount(stored) == value
    assert optional_hundredths(Decimal("0")) == 0
    assert optional_amount(0) == Decimal("0.00")
