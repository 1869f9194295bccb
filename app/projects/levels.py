"""Indicator levels (一级/二级指标) and comparators: codes, names, and resolving what clerks type."""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select

from app.base.clock import now_utc
from app.base.errors import InputError
from app.base.paths import resource
from app.domain.codes import simple_list
from db import models
from db.engine import default_database_path

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
    # What forms that print short 二级 names show (seed 000: 服务对象 for 服务对象满意度指标); "" = the name.
    short_name: str = ""


LOCAL_LEVELS_ENV = "BUDGETDESK_INDICATOR_LEVELS"
LEVELS_AUDIT_SOURCE = "指标体系"


def local_levels_path() -> Path:
    """The side file older versions kept a bureau's additions in (beside the default database): read once,
    when a writable database is opened, into that database (``migrate_side_file``), then renamed."""
    override = os.environ.get(LOCAL_LEVELS_ENV, "").strip()
    if override:
        return Path(override)
    return default_database_path().parent / "indicator_levels_local.json"


def shipped_levels() -> list[LevelItem]:
    short = _shipped_short_names()
    return [LevelItem(str(code), name, parent, short.get(str(code), "")) for code, name, parent in
            simple_list("indicator_levels")]


@cache
def _shipped_short_names() -> dict[str, str]:
    data = json.loads(resource("codes", "indicator_levels.json").read_text(encoding="utf-8"))
    return {str(code): str(name) for code, name in data.get("short_names", {}).items()}


# The open database's local additions. Every lookup (validation, the editor, printing) goes through
# ``indicator_levels()``; the store that is opened loads its own rows here (``load_local_levels``).
_local_items: list[LevelItem] = []


def local_levels() -> list[LevelItem]:
    """The bureau's additions (e.g. 32 社会公众满意度指标 under 3 满意度指标), [] when none."""
    return list(_local_items)


def use_local_levels(items: list[LevelItem]) -> None:
    _local_items[:] = items
    indicator_levels.cache_clear()


def load_local_levels(store) -> list[LevelItem]:
    """Make ``store``'s local additions the ones in use (a scratch check database keeps the caller's)."""
    if store.target == "sqlite://":
        return local_levels()
    with store.Session() as session:
        rows = session.scalars(select(models.IndicatorLevel).order_by(models.IndicatorLevel.id)).all()
        use_local_levels([LevelItem(row.code, row.name, row.parent) for row in rows])
    return local_levels()


@contextmanager
def levels_in_use(extra: list[LevelItem]):
    """Validate a document against the framework plus the levels it carries, before they are stored."""
    saved = local_levels()
    known = {item.code for item in [*shipped_levels(), *saved]}
    use_local_levels([*saved, *(item for item in extra if item.code not in known)])
    try:
        yield
    finally:
        use_local_levels(saved)


@cache
def indicator_levels() -> dict[str, LevelItem]:
    """The coded 一级/二级 list: the shipped edition (resources/codes/indicator_levels.json: 1 产出 →
    11 数量 …) followed by the open database's local additions."""
    levels = {item.code: item for item in shipped_levels()}
    for item in _local_items:
        shipped = levels.get(item.code)
        # A database that added 32 社会公众满意度指标 before the edition shipped it keeps the shipped item
        # (with its short name); a local item the edition does not hold, or names differently, is used.
        if shipped is None or shipped.name != item.name or shipped.parent != item.parent:
            levels[item.code] = item
    return levels


def check_level_rows(rows, *, existing: list[LevelItem] | None = None, renames: bool = True) -> list[LevelItem]:
    """``rows`` (code, name, parent code or None for a 一级) checked against the shipped edition and the
    ``existing`` local items: the shipped items cannot be renamed, a 二级 hangs under a known 一级, codes
    are digits and unique; an existing local item may be renamed only with ``renames``. All problems
    are listed; nothing is returned when any row is wrong."""
    shipped = {item.code: item for item in shipped_levels()}
    local = {item.code: item for item in (local_levels() if existing is None else existing)}
    problems: list[str] = []
    added: dict[str, LevelItem] = {}
    for number, (code, name, parent) in enumerate(rows, start=1):
        code, name = str(code).strip(), str(name).strip()
        parent = str(parent).strip() if parent not in (None, "") else None
        if not code.isdigit() or not name or len(code) > 16 or len(name) > 200:
            problems.append(f"第 {number} 行：编码应为数字、名称不能为空")
            continue
        if code in shipped:
            if shipped[code].name != name or shipped[code].parent != parent:
                problems.append(f"第 {number} 行：{code} 已是“{shipped[code].name}”，不能改名或改上级")
            continue
        if code in added:
            problems.append(f"第 {number} 行：编码 {code} 重复")
            continue
        if not renames and code in local and (local[code].name, local[code].parent) != (name, parent):
            problems.append(f"第 {number} 行：本机的 {code} 是“{local[code].name}”，与“{name}”不同")
            continue
        level1 = {code for code, item in [*shipped.items(), *local.items(), *added.items()] if item.parent is None}
        if parent is not None and parent not in level1:
            problems.append(f"第 {number} 行：上级 {parent} 不是一级指标")
            continue
        added[code] = LevelItem(code, name, parent)
    if problems:
        raise InputError("指标体系导入失败，未作任何修改：" + "；".join(problems) + "。")
    return list(added.values())


def import_local_levels(store, rows, *, renames: bool = True, note: str = "") -> list[LevelItem]:
    """Add the bureau's additions ``rows`` to ``store`` (a local item of the same code is renamed when
    ``renames``), audited. Refused when empty: an import never replaces the framework with nothing.
    Returns the items added or changed; nothing is written when any row is wrong."""
    rows = list(rows)
    if not rows:
        raise InputError("指标文件中没有任何指标，未导入（现有的本地增补没有改动）。")
    with store.write() as session:
        written = write_levels(store, session, rows, renames=renames, note=note)
    load_local_levels(store)
    return written


def write_levels(store, session, rows, *, renames: bool, note: str = "") -> list[LevelItem]:
    """Store ``rows`` in ``session`` (inside the caller's write), one audit row per item added or renamed."""
    stored = {row.code: row for row in session.scalars(select(models.IndicatorLevel))}
    existing = [LevelItem(row.code, row.name, row.parent) for row in stored.values()]
    items = check_level_rows(rows, existing=existing, renames=renames)
    written: list[LevelItem] = []
    for item in items:
        row = stored.get(item.code)
        where = f"指标体系 / {'二级' if item.parent else '一级'}指标 {item.code}"
        if row is None:
            session.add(models.IndicatorLevel(code=item.code, name=item.name, parent=item.parent, added_at=now_utc()))
            store.event(session, LEVELS_AUDIT_SOURCE, where, new=_level_text(item) + (f"（{note}）" if note else ""))
        elif (row.name, row.parent) != (item.name, item.parent):
            old = _level_text(LevelItem(row.code, row.name, row.parent))
            row.name, row.parent = item.name, item.parent
            store.event(session, LEVELS_AUDIT_SOURCE, where, old=old, new=_level_text(item))
        else:
            continue
        written.append(item)
    session.flush()
    return written


def _level_text(item: LevelItem) -> str:
    return f"{item.code} {item.name}" + (f"（属 {item.parent}）" if item.parent else "")


def read_side_file(path: Path) -> list[tuple[str, str, str | None]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(str(code), str(name), None if parent in (None, "") else str(parent)) for code, name, parent in data["items"]]


def migrate_side_file(store) -> None:
    """Once: the additions an older version kept in the side file go into ``store`` (audited) and the
    file is renamed ``….migrated`` so it is not read again. A file that cannot be read is left in place
    with a log line (the database stays as it was)."""
    path = local_levels_path()
    if not path.is_file():
        return
    log = logging.getLogger(__name__)
    try:
        rows = read_side_file(path)
        if rows:
            with store.write() as session:
                write_levels(store, session, rows, renames=False, note=f"从旧文件 {path.name} 迁移")
        path.replace(path.with_name(path.name + ".migrated"))
    except (OSError, ValueError, KeyError, TypeError, InputError) as exc:
        log.warning("local indicator levels file %s not migrated: %s", path, exc)


def _shipped_edition() -> str:
    return str(json.loads(resource("codes", "indicator_levels.json").read_text(encoding="utf-8")).get("edition", ""))


def level_name(code: str) -> str:
    item = indicator_levels().get(code)
    return item.name if item else code


def level_print_name(code: str, *, short: bool) -> str:
    """The level as a form prints it: its short name where the form uses short names and one is
    given in the framework, else its full name (a local addition has no short name)."""
    item = indicator_levels().get(code)
    if item is None:
        return code
    return item.short_name if short and item.short_name else item.name


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
    exact = [item for item in candidates if _short(item.name) == short or (item.short_name and item.short_name == cleaned)]
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
