from decimal import Decimal

import pytest

from app.base.errors import InputError
from app.base.money import format_amount, from_millionths, parse_amount, to_millionths


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1206.65", "1206.65"),
        ("1,206.65", "1206.65"),
        ("１２０６．６５", "1206.65"),
        ("1206.65万元", "1206.65"),
        (" 9 ", "9.00"),
        ("0.4", "0.40"),
        ("12,345,678.9", "12345678.90"),
        ("1206.650", "1206.65"),
    ],
)
def test_parse_accepts_what_clerks_type(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "12a", "1.2.3", "1,20,6", "--1", "1e5", "NaN", "¥12"])
def test_parse_refuses_non_numbers_in_chinese(text):
    with pytest.raises(InputError) as caught:
        parse_amount(text)
    assert "金额" in str(caught.value)


def test_parse_refuses_three_decimals_negative_and_absurd():
    with pytest.raises(InputError, match="小数超过 2 位"):
        parse_amount("1.234")
    with pytest.raises(InputError, match="负数"):
        parse_amount("-5")
    with pytest.raises(InputError, match="过大"):
        parse_amount("1234567890123456")


def test_empty_is_no_value_and_storage_is_exact():
    assert parse_amount("") is None
    assert parse_amount("  ") is None
    value = parse_amount("99999999999.99")
    assert from_millionths(to_millionths(value)) == value
    assert isinstance(to_millionths(value), int)
    assert format_amount(None) == ""
    assert format_amount(Decimal("1206.6")) == "1206.60"
    assert format_amount(Decimal("1206.6"), grouping=True) == "1,206.60"
