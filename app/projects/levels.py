"""Indicator levels (一级/二级指标) and comparators: codes, names, and resolving what clerks type."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from app.codes import simple_list
from app.errors import InputError

COMPARATORS = ("≥", "≤", "=", ">", "<")
QUALITATIVE = "定性"
ALL_COMPARATORS = (*COMPARATORS, QUALITATIVE)
# What clerks type for the same signs (ASCII pairs, the "≧≦" variants some input methods produce).
_COMPARATOR_SPELLINGS = {">=": "≥", "≧": "≥", "⩾": "≥", "<=": "≤", "≦": "≤", "⩽": "≤", "==": "="}


@dataclass(frozen=True)
class LevelItem:
    code: str
    name: str
    parent: str | None


@cache
def indicator_levels() -> dict[str, LevelItem]:
    """The coded 一级/二级 list (resources/codes/indicator_levels.json): 1 产出 → 11 数量 …"""
    return {str(code): LevelItem(str(code), name, parent) for code, name, parent in simple_list("indicator_levels")}


def level_name(code: str) -> str:
    item = indicator_levels().get(code)
    return item.name if item else code


def level2_codes(level1: str) -> list[str]:
    return [item.code for item in indicator_levels().values() if item.parent == level1]


def _short(name: str) -> str:
    return name[:-2] if name.endswith("指标") else name


def _level_candidates(level1: str | None) -> list[LevelItem]:
    """None: the 一级 items; "": every 二级 item; a 一级 code: the 二级 items under it."""
    items = indicator_levels().values()
    if level1 is None:
        return [item for item in items if item.parent is None]
    return [item for item in items if item.parent == level1] if level1 else [item for item in items if item.parent]


def _resolve_level(text: str, candidates: list[LevelItem]) -> LevelItem | None:
    """A code ("11"), a coded name ("11-数量指标", seed 002) or a name ("数量指标", "数量", "服务对象")."""
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    coded = re.match(r"^(\d+)(?:[-、.．:：]?(\D.*))?$", cleaned)
    if coded:
        code = coded.group(1)
        return next((item for item in candidates if item.code == code), None)
    short = _short(cleaned)
    exact = [item for item in candidates if _short(item.name) == short]
    if exact:
        return exact[0]
    # Seed 000 prints shortened names ("服务对象" for 服务对象满意度指标): accept an unambiguous prefix.
    prefixed = [item for item in candidates if _short(item.name).startswith(short)]
    return prefixed[0] if len(prefixed) == 1 and short else None


def resolve_level1(text: str) -> str:
    item = _resolve_level(text, _level_candidates(None))
    if item is None:
        raise InputError(f"一级指标“{text}”无效，应为 1 产出指标、2 效益指标或 3 满意度指标。")
    return item.code


def resolve_level2(text: str, level1: str | None = None) -> str:
    """The 二级 code; with ``level1`` it must belong to it (a name is looked up under it first)."""
    item = _resolve_level(text, _level_candidates(level1)) if level1 else None
    if item is None:
        item = _resolve_level(text, _level_candidates(""))
    if item is None:
        if level1:
            allowed = "、".join(f"{code} {level_name(code)}" for code in level2_codes(level1))
            raise InputError(f"二级指标“{text}”无效，{level_name(level1)}下应为 {allowed}。")
        raise InputError(f"二级指标“{text}”无效。")
    if level1 and item.parent != level1:
        raise InputError(f"二级指标“{item.name}”（{item.code}）不属于一级指标“{level_name(level1)}”（{level1}）。")
    return item.code
