"""执行率 and points as the 绩效自评 forms print them: computed here, never stored, with an explicit
ROUND_HALF_UP to two decimals of a percent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

RATE_QUANTUM = Decimal("0.01")


def execution_rate(actual: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """执行率 in percent, two decimals, ROUND_HALF_UP; None when either figure is missing or 预算数 is 0."""
    if actual is None or budget is None or budget == 0:
        return None
    return (actual * 100 / budget).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


def format_rate(rate: Decimal | None) -> str:
    return "" if rate is None else f"{rate:.2f}%"


def parse_rate(text: str) -> Decimal | None:
    """A printed rate (``312.97%``, ``99%``) as a Decimal percent; None when it is not one."""
    cleaned = (text or "").strip().replace("％", "%").replace(" ", "").replace("\u3000", "")
    if not cleaned.endswith("%"):
        return None
    try:
        value = Decimal(cleaned[:-1])
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def rate_agrees(stated: str, computed: Decimal | None) -> bool:
    """A stated rate agrees when the computed one, rounded half-up to the stated precision, equals it."""
    value = parse_rate(stated)
    if value is None or computed is None:
        return True  # nothing to compare (a blank, “/”, or no 预算数)
    places = value.as_tuple().exponent
    assert isinstance(places, int)  # parse_rate returns finite numbers only (NaN/Infinity have letters here)
    return computed.quantize(Decimal(1).scaleb(min(places, 0)), rounding=ROUND_HALF_UP) == value


def points_text(value: Decimal | None) -> str:
    """A weight or score as printed: ``30``, ``2.5``."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text
