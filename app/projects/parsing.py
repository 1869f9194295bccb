"""Parsing what clerks type or paste: comparators, indicator values, pasted indicator tables, grouping."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from app.base.errors import InputError
from app.base.money import parse_amount
from app.projects.levels import _COMPARATOR_SPELLINGS, QUALITATIVE, resolve_level1, resolve_level2
from app.projects.records import Indicator

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_VALUE_WITH_UNIT = re.compile(r"^(≥|≤|=|>|<)?\s*(-?\d+(?:\.\d+)?)\s*([^\d]{0,12})$")


def _clean(text: object) -> str:
    return "" if text is None else str(text).strip()


def normalize_comparator(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", _clean(text)).replace(" ", "")
    return _COMPARATOR_SPELLINGS.get(cleaned, cleaned)


def split_indicator_value(text: str) -> tuple[str, str, str]:
    """``≥ 500 篇`` → ("≥", "500", "篇"); ``100%`` → ("", "100", "%"); ``比上年提升`` → ("定性", "比上年提升", "")."""
    cleaned = _clean(text)
    if not cleaned:
        return "", "", ""
    normalized = unicodedata.normalize("NFKC", cleaned)  # full-width digits, ％ and ＞ to ASCII
    for spelling, sign in _COMPARATOR_SPELLINGS.items():
        if normalized.startswith(spelling):
            normalized = sign + normalized[len(spelling):]
            break
    match = _VALUE_WITH_UNIT.match(normalized)
    # A unit is short and has no digits; anything else (“2021年12月31日前”, “5场以上活动（…）”) is words.
    if match:
        return match.group(1) or "", match.group(2), match.group(3).strip()
    return QUALITATIVE, cleaned, ""


_TABLE_HEADER = ("一级指标", "一级绩效指标")


def parse_indicator_table(text: str) -> list[Indicator]:
    """Rows pasted from a printed 绩效目标表 or an Excel/WPS sheet, tab-separated:
    一级, 二级, 三级, 指标描述, 指标值, 指标值确定依据 (a blank 一级/二级 repeats the one above, as merged
    cells copy). Header rows are skipped; names map to codes (产出指标 → 1, 数量指标 → 11).
    """
    indicators: list[Indicator] = []
    level1 = level2 = ""
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("\t")] + [""] * 6
        if cells[0] in _TABLE_HEADER:
            continue
        try:
            if cells[0]:
                level1 = resolve_level1(cells[0])
            if cells[1]:
                level2 = resolve_level2(cells[1], level1 or None)
        except InputError as exc:
            raise InputError(f"第 {line_number} 行：{exc}") from None
        comparator, value, unit = split_indicator_value(cells[4])
        indicators.append(Indicator(level1, level2, cells[2], cells[3], comparator, value, unit, cells[5]))
    return indicators


@dataclass(frozen=True)
class IndicatorGroup:
    """A run of consecutive rows with the same 一级 (and 二级): one merged cell of the printed table."""

    code: str
    start: int  # index of the first row
    count: int


def group_indicators(indicators: Sequence[Indicator]) -> tuple[list[IndicatorGroup], list[IndicatorGroup]]:
    """The merged 一级 and 二级 cells of a table in stored order (rows are never reordered here:
    a 批复表 orders them by sub-activity, so one 二级 may appear in several runs)."""
    level1_runs: list[IndicatorGroup] = []
    level2_runs: list[IndicatorGroup] = []
    for index, indicator in enumerate(indicators):
        new_level1 = not level1_runs or level1_runs[-1].code != indicator.level1
        if new_level1:
            level1_runs.append(IndicatorGroup(indicator.level1, index, 1))
        else:
            level1_runs[-1] = replace(level1_runs[-1], count=level1_runs[-1].count + 1)
        # A 二级 cell never reaches across two 一级 cells.
        if new_level1 or level2_runs[-1].code != indicator.level2:
            level2_runs.append(IndicatorGroup(indicator.level2, index, 1))
        else:
            level2_runs[-1] = replace(level2_runs[-1], count=level2_runs[-1].count + 1)
    return level1_runs, level2_runs


def arrange_indicators(indicators: Sequence[Indicator]) -> list[Indicator]:
    """Rows gathered under their 一级 (in code order) and, within it, under their 二级 (in order of
    first appearance, as published tables do: 可持续影响 may come before 社会效益); rows keep their
    order within a 二级. For the GUI's “整理” command, never applied silently."""
    first_seen: dict[str, int] = {}
    for index, indicator in enumerate(indicators):
        first_seen.setdefault(indicator.level2, index)
    ordered = sorted(enumerate(indicators), key=lambda item: (item[1].level1, first_seen[item[1].level2], item[0]))
    return [indicator for _index, indicator in ordered]


def parse_quantity(value: Decimal | int | str | None, label: str, *, whole: bool = False, decimals: int = 4) -> Decimal | None:
    """A non-negative exact quantity (数量, 面积); never a float."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise InputError(f"{label}必须是数字。")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).replace("，", ",")
        if not cleaned:
            return None
        if re.match(r"^\d{1,3}(,\d{3})+(\.\d+)?$", cleaned):
            cleaned = cleaned.replace(",", "")
        if not _NUMBER.match(cleaned):
            raise InputError(f"{label}“{value}”不是有效的数字。")
        number = Decimal(cleaned)
    if not number.is_finite():
        raise InputError(f"{label}必须是有限的数字。")
    if number < 0:
        raise InputError(f"{label}不能为负数（录入的是 {number}）。")
    if whole and number != number.to_integral_value():
        raise InputError(f"{label}应为整数（录入的是 {number}）。")
    exponent = number.as_tuple().exponent  # an int: the number is finite
    if isinstance(exponent, int) and exponent < -decimals and number != number.quantize(Decimal(1).scaleb(-decimals)):
        raise InputError(f"{label}最多保留 {decimals} 位小数（录入的是 {number}）。")
    if number > Decimal("999999999999"):
        raise InputError(f"{label} {number} 过大，请检查是否多输入了数字。")
    return number


def decimal_text(number: Decimal | None) -> str | None:
    """Exact text of a quantity without exponent or trailing zeros: 3, 1.5, 120.25."""
    if number is None:
        return None
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _money(value: str | Decimal | int | None, label: str, money_unit: str) -> Decimal | None:
    try:
        return parse_amount(value, money_unit) if value is not None else None
    except InputError as exc:
        raise InputError(f"{label}：{exc}") from None


def _text(value: object, label: str, limit: int | None = None) -> str:
    text = _clean(value)
    if limit is not None and len(text) > limit:
        raise InputError(f"{label}过长（最多 {limit} 个字，录入了 {len(text)} 个字）。")
    return text
