"""Indicator levels (一级/二级指标) and comparators: codes, names, and resolving what clerks type."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


LOCAL_LEVELS_ENV = "BUDGETDESK_INDICATOR_LEVELS"


def local_levels_path() -> Path:
    """Where a bureau's own 一级/二级 additions are kept (imported with ``budgetdesk indicator-levels``)."""
    override = os.environ.get(LOCAL_LEVELS_ENV, "").strip()
    if override:
        return Path(override)
    from db.engine import default_database_path

    return default_database_path().parent / "indicator_levels_local.json"


def shipped_levels() -> list[LevelItem]:
    return [LevelItem(str(code), name, parent) for code, name, parent in simple_list("indicator_levels")]


def local_levels() -> list[LevelItem]:
    """The bureau's additions (e.g. 32 社会公众满意度指标 under 3 满意度指标), [] when none."""
    path = local_levels_path()
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [LevelItem(str(code), str(name), None if parent in (None, "") else str(parent))
                for code, name, parent in data["items"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"本地指标体系文件 {path} 无法读取：{exc}；请重新导入或删除该文件。") from exc


@cache
def indicator_levels() -> dict[str, LevelItem]:
    """The coded 一级/二级 list: the shipped edition (resources/codes/indicator_levels.json: 1 产出 →
    11 数量 …) followed by the bureau's local additions."""
    return {item.code: item for item in [*shipped_levels(), *local_levels()]}


def import_local_levels(rows: list[tuple[str, str, str | None]]) -> list[LevelItem]:
    """Replace the bureau's additions by ``rows`` (code, name, parent code or None for a 一级).

    The shipped items cannot be renamed, a 二级 must hang under a known 一级, codes are digits and
    unique. Nothing is written when any row is wrong (all problems are listed)."""
    shipped = {item.code: item for item in shipped_levels()}
    problems: list[str] = []
    added: dict[str, LevelItem] = {}
    for number, (code, name, parent) in enumerate(rows, start=1):
        code, name = str(code).strip(), str(name).strip()
        parent = str(parent).strip() if parent not in (None, "") else None
        if not code.isdigit() or not name:
            problems.append(f"第 {number} 行：编码应为数字、名称不能为空")
            continue
        if code in shipped:
            if shipped[code].name != name or shipped[code].parent != parent:
                problems.append(f"第 {number} 行：{code} 已是“{shipped[code].name}”，不能改名或改上级")
            continue
        if code in added:
            problems.append(f"第 {number} 行：编码 {code} 重复")
            continue
        level1 = {**{c: i for c, i in shipped.items() if i.parent is None},
                  **{c: i for c, i in added.items() if i.parent is None}}
        if parent is not None and parent not in level1:
            problems.append(f"第 {number} 行：上级 {parent} 不是一级指标")
            continue
        added[code] = LevelItem(code, name, parent)
    if problems:
        raise InputError("指标体系导入失败，未作任何修改：" + "；".join(problems) + "。")
    path = local_levels_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"kind": "indicator_levels", "edition": "local", "based_on": _shipped_edition(),
            "items": [[item.code, item.name, item.parent] for item in added.values()]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    indicator_levels.cache_clear()
    return list(added.values())


def _shipped_edition() -> str:
    from app.paths import resource

    return str(json.loads(resource("codes", "indicator_levels.json").read_text(encoding="utf-8")).get("edition", ""))


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
