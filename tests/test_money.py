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
    assert parse_amount(text, "万元") == Decimal(expected)
    assert str(parse_amount(text, "元")) == expected  # two decimals read as they always did


@pytest.mark.parametrize("text", ["abc", "12a", "1.2.3", "1,20,6", "--1", "1e5", "NaN", "¥12"])
def test_parse_refuses_non_numbers_in_chinese(text):
    with pytest.raises(InputError) as caught:
        parse_amount(text, "万元")
    assert "金额" in str(caught.value)


def test_parse_refuses_three_decimals_in_yuan_negative_and_absurd():
    with pytest.raises(InputError, match="小数超过 2 位：单位为元时最多录入 2 位小数（精确到分）"):
        parse_amount("1.234", "元")
    with pytest.raises(InputError, match="小数超过 6 位：单位为万元时最多录入 6 位小数（精确到分）"):
        parse_amount("80.6530001", "万元")
    with pytest.raises(InputError, match="负数"):
        parse_amount("-5", "万元")
    with pytest.raises(InputError, match="过大"):
        parse_amount("1234567890123456", "万元")
    with pytest.raises(InputError, match="金额单位“美元”不对"):
        parse_amount("1", "美元")


def test_a_wan_yuan_amount_is_exact_to_the_fen():
    value = parse_amount("80.653", "万元")  # 806,530 元
    assert str(value) == "80.653"
    assert to_millionths(value) == 80_653_000
    assert str(from_millionths(to_millionths(value))) == "80.653"
    assert str(parse_amount("0.000001", "万元")) == "0.000001"  # one 分
    assert str(parse_amount("80.653000", "万元")) == "80.653"  # trailing zeros are not figures
    total = parse_amount("80.653", "万元") + parse_amount("0.007", "万元")
    assert total == Decimal("80.66") and format_amount(total) == "80.66"
    assert format_amount(value) == "80.65"


def test_forms_round_half_up_not_to_even():
    assert format_amount(Decimal("0.005")) == "0.01"
    assert format_amount(Decimal("2.125")) == "2.13"  # half-even would print 2.12
    assert format_amount(Decimal("-2.125")) == "-2.13"
    assert format_amount(Decimal("1206.004999")) == "1206.00"


def test_empty_is_no_value_and_storage_is_exact():
    assert parse_amount("", "万元") is None
    assert parse_amount("  ", "元") is None
    value = parse_amount("99999999999.99", "万元")
    assert from_millionths(to_millionths(value)) == value
    assert isinstance(to_millionths(value), int)
    assert format_amount(None) == ""
    assert format_amount(Decimal("1206.6")) == "1206.60"
    assert format_amount(Decimal("1206.6"), grouping=True) == "1,206.60"


def test_a_message_shows_a_figure_finer_than_the_fen_exactly():
    from app.base.money import message_amount

    assert message_amount(Decimal("80.65")) == "80.65"
    assert message_amount(Decimal("72")) == "72.00"
    assert message_amount(Decimal("80.653")) == "80.653"  # not 80.65, which would read as equal to 80.65
