"""Exact money handling: parsing what a clerk types, storing integer millionths, formatting.

Amounts are kept as ``Decimal`` in the core and as integer millionths of the dataset's money unit in the
database (0.000001 万元 is exactly one 分; a 元 dataset stores finer than it needs), so no float ever touches an
amount and every dataset holds money exact to the 分.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.base.errors import InputError

MONEY_UNITS = ("万元", "元")
SCALE = 2  # decimals a form shows by default, and the decimals of a 元 dataset (to the 分)
_QUANTUM = Decimal(1).scaleb(-SCALE)
# Decimals a clerk may type: to the 分 in either unit (0.000001 万元 is one 分).
ENTRY_DECIMALS = {"万元": 6, "元": 2}
STORAGE_SCALE = 6  # the database holds integer millionths of the money unit
_EXACT_QUANTUM = Decimal(1).scaleb(-STORAGE_SCALE)
_MILLION = 10**STORAGE_SCALE
# 10^11 of either unit is far beyond any county budget; a larger figure is a typo (pasted ID number etc.). It is
# 10^17 millionths, so even ninety such figures summed (a 汇总 stored as a dataset) stay inside a signed 64-bit column.
MAX_ABS = Decimal("99999999999.99")
_INT64_MAX = 2**63 - 1

_UNIT_SUFFIXES = ("万元", "元")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def normalize_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), spaces removed."""
    normalized = unicodedata.normalize("NFKC", text)
    normalized = normalized.replace("，", ",").replace("。", ".")
    return re.sub(r"\s+", "", normalized)


def entry_decimals(money_unit: str) -> int:
    """How many decimals an amount may have in a dataset of ``money_unit`` (万元: 6, 元: 2)."""
    try:
        return ENTRY_DECIMALS[money_unit]
    except KeyError:
        raise InputError(f"金额单位“{money_unit}”不对，应为{'或'.join(MONEY_UNITS)}。") from None


def parse_amount(text: str | Decimal | int, money_unit: str, *, allow_negative: bool = False) -> Decimal | None:
    """Parse a typed or pasted amount of a dataset whose money unit is ``money_unit``. Empty text means
    "no value" (None).

    Accepts ``1,206.65``, full-width digits, and a trailing 万元/元; a 万元 amount may have six decimals
    (to the 分), a 元 amount two. Raises ``InputError`` with a Chinese message for anything else. The
    result is exact (``exact_amount``): 80.653 stays 80.653, 72 is 72.00.
    """
    decimals = entry_decimals(money_unit)
    value = parse_decimal(text, decimals=decimals, allow_negative=allow_negative,
                          too_fine=f"单位为{money_unit}时最多录入 {decimals} 位小数（精确到分）")
    return None if value is None else exact_amount(value)


def parse_decimal(text: str | Decimal | int, *, decimals: int, allow_negative: bool = False,
                  too_fine: str = "") -> Decimal | None:
    """The number a clerk typed, with at most ``decimals`` decimals (money, or a weight's points).

    ``too_fine`` says, in Chinese, why more decimals are refused."""
    if isinstance(text, bool):
        raise InputError("金额必须是数字。")
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, Decimal):
        value = text
    elif isinstance(text, str):
        cleaned = normalize_text(text)
        for suffix in _UNIT_SUFFIXES:
            if cleaned.endswith(suffix):
                cleaned = cleaned[: -len(suffix)]
                break
        if cleaned == "":
            return None
        if _GROUPED_RE.match(cleaned):
            cleaned = cleaned.replace(",", "")
        if not _NUMBER_RE.match(cleaned):
            raise InputError(f"“{text.strip()}”不是有效的金额，请输入数字，例如 1206.65。")
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:  # pragma: no cover - regex already guards this
            raise InputError(f"“{text.strip()}”不是有效的金额。") from exc
    else:
        raise InputError("金额必须是数字。")
    if not value.is_finite():
        raise InputError("金额必须是有限的数字。")
    if abs(value) > MAX_ABS:  # before any quantize: 1E+308 has no 0.01 in Decimal's precision
        raise InputError(f"金额 {value} 过大，请检查是否多输入了数字。")
    quantum = Decimal(1).scaleb(-decimals)
    exponent = value.as_tuple().exponent  # an int for a finite number ('n'/'N'/'F' only for NaN, infinity)
    finer = isinstance(exponent, int) and exponent < -decimals  # e.g. 1.2300 with two decimals allowed
    if finer and value != value.quantize(quantum):
        reason = too_fine or f"请四舍五入到 {quantum} 后再录入"
        raise InputError(f"金额“{text}”的小数超过 {decimals} 位：{reason}。")
    if value < 0 and not allow_negative:
        raise InputError(f"金额不能为负数（录入的是 {value}）。")
    if value == 0:
        value = abs(value)  # "-0" is 0: never shown or stored as -0.00
    return value.quantize(quantum) if finer else value


def exact_amount(value: Decimal) -> Decimal:
    """An amount in its one written form: exact to six decimals, trailing zeros dropped down to two.

    80.653 stays 80.653 and 72 is 72.00, so a figure that has only 分 of a 元 dataset reads as it always did.
    """
    exact = value.quantize(_EXACT_QUANTUM)
    shortest = exact.normalize()
    exponent = shortest.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -SCALE:
        return shortest
    return exact.quantize(_QUANTUM)


def to_millionths(value: Decimal) -> int:
    stored = int(value.quantize(_EXACT_QUANTUM) * _MILLION)
    if abs(stored) > _INT64_MAX:
        raise InputError(f"金额 {value} 过大，超出能保存的范围，请检查是否多输入了数字。")
    return stored


def from_millionths(units: int) -> Decimal:
    return exact_amount(Decimal(units).scaleb(-STORAGE_SCALE))


def optional_millionths(value: Decimal | None) -> int | None:
    """A nullable amount column's stored form: a blank stays blank (NULL), not 0."""
    return None if value is None else to_millionths(value)


def optional_amount(units: int | None) -> Decimal | None:
    """A nullable amount column read back: NULL is a blank, not 0.00."""
    return None if units is None else from_millionths(units)


def exact_text(value: Decimal | None) -> str:
    """An amount as files, the audit trail and stored results carry it: exact, at least two decimals
    ("80.653", "72.00"); blank for no value. Never rounded: only a form rounds (``format_amount``)."""
    return "" if value is None else format(exact_amount(value), "f")


def message_amount(value: Decimal) -> str:
    """An amount in a message: two decimals, or the exact figure when it has more, so a difference below
    0.01 never reads as two equal figures."""
    return format_amount(value) if value == round_amount(value) else exact_text(value)


def round_amount(value: Decimal) -> Decimal:
    """The figure a form shows: two decimals, half up (四舍五入; Decimal's own default is half-even)."""
    return value.quantize(_QUANTUM, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal | None, *, grouping: bool = False) -> str:
    """Two decimals rounded half up; blank for no value (official forms print blanks, not 0.00)."""
    if value is None:
        return ""
    quantized = round_amount(value)
    return f"{quantized:,.2f}" if grouping else f"{quantized:.2f}"
