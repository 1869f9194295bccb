"""Editions of the form definitions, like the code tables' editions.

Every form definition names its edition (``"edition"`` in ``resources/forms/*.json``); each dataset
records the edition its cells were stored under (dataset note ``edition:forms``; a dataset without
the note predates editions and is of the first one, 2023). ``resources/forms/editions.json`` lists
the steps from one edition to the next: row/column keys renamed (``renames``) and keys dropped
(``drops``). Opening a dataset of an older edition with ``migrate_dataset`` moves its stored cells to
the renamed keys through ``BudgetDataset.apply_changes`` and records the new edition; cells under a
dropped key, or under a key the current definitions do not know at all, are refused and listed —
nothing is changed then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.errors import ConflictError, InputError
from app.forms import all_forms
from app.paths import resource

EDITION_NOTE = "edition:forms"
FIRST_EDITION = "2023"


@dataclass(frozen=True)
class Step:
    source: str
    target: str
    renames: tuple[tuple[str, str, str, str], ...] = ()  # (form, "row"|"column", old key, new key)
    drops: tuple[tuple[str, str, str], ...] = ()  # (form, "row"|"column", key)


@dataclass
class EditionPlan:
    source: str
    target: str
    moves: list[tuple[tuple[str, str, str], tuple[str, str, str]]] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)


def load_steps(path: Path | None = None) -> tuple[str, tuple[Step, ...]]:
    data = json.loads((path or resource("forms", "editions.json")).read_text(encoding="utf-8"))
    steps = []
    for raw in data.get("steps", []):
        renames = tuple((item["form"], item["kind"], item["old"], item["new"]) for item in raw.get("renames", []))
        drops = tuple((item["form"], item["kind"], item["key"]) for item in raw.get("drops", []))
        for _form, kind, *_keys in (*renames, *drops):
            if kind not in ("row", "column"):
                raise InputError(f"表样版本沿革中 kind 应为 row 或 column，而不是“{kind}”。")
        steps.append(Step(str(raw["from"]), str(raw["to"]), renames, drops))
    return str(data.get("current", FIRST_EDITION)), tuple(steps)


@cache
def current_edition() -> str:
    editions = {form.edition for form in all_forms()}
    current, _steps = load_steps()
    if editions != {current}:
        raise InputError(f"表样定义的版本（{'、'.join(sorted(editions))}）与版本沿革的当前版（{current}）不一致。")
    return current


def dataset_edition(dataset) -> str:
    return dataset.notes(EDITION_NOTE).get(EDITION_NOTE) or FIRST_EDITION


def _known_keys() -> dict[str, tuple[set[str] | None, set[str]]]:
    """form → (fixed row keys, or None for code rows; column keys)."""
    known = {}
    for form in all_forms():
        rows = None
        if form.row_kind == "fixed":
            rows = {raw["key"] for raw in form.raw_rows if "key" in raw}
            rows |= {row.key for row in form.fixed_rows(None)}
        known[form.id] = (rows, set(form.column_keys()))
    return known


def plan(dataset, steps: tuple[Step, ...] | None = None, target: str | None = None) -> EditionPlan:
    """What migrating ``dataset`` to ``target`` (default: the current edition) would do."""
    if steps is None:
        current, steps = load_steps()
        target = target or current
    edition = dataset_edition(dataset)
    result = EditionPlan(edition, target or edition)
    cells = {key: key for key in dataset.entered_values()}  # original key → key after the steps so far
    for step in steps:
        if step.source != edition or edition == result.target:
            continue
        renamed = {(form, kind, old): new for form, kind, old, new in step.renames}
        dropped = set(step.drops)
        for original, (form, row, column) in list(cells.items()):
            if (form, "row", row) in dropped or (form, "column", column) in dropped:
                result.refused.append(original)
                del cells[original]
                continue
            cells[original] = (form, renamed.get((form, "row", row), row), renamed.get((form, "column", column), column))
        edition = step.target
    known = _known_keys()
    for original, (form, row, column) in cells.items():
        rows, columns = known.get(form, (set(), set()))
        if form not in known or column not in columns or (rows is not None and row not in rows):
            result.refused.append(original)
        elif (form, row, column) != original:
            result.moves.append((original, (form, row, column)))
    return result


def migrate_dataset(dataset, steps: tuple[Step, ...] | None = None, target: str | None = None) -> EditionPlan:
    """Move the stored cells to the current definitions' keys, or refuse listing what cannot move."""
    from app.service import CellChange

    result = plan(dataset, steps, target)
    if result.refused:
        listed = "；".join(f"{form}/{row}/{column}" for form, row, column in result.refused[:20])
        more = f" 等 {len(result.refused)} 个" if len(result.refused) > 20 else ""
        raise ConflictError(f"{dataset.year} 年度数据（{result.source} 版表样）有单元格在 {result.target} 版中已没有对应的行或栏，"
                            f"未作任何迁移：{listed}{more}。请先在旧版本中处理这些数据。")
    values = dataset.entered_values()
    changes = []
    for (form, row, column), new in result.moves:
        changes.append(CellChange(form, row, column, None))
        changes.append(CellChange(*new, values[(form, row, column)]))
    if changes:
        dataset.apply_changes(changes)
    if result.target != dataset_edition(dataset):
        dataset.set_note(EDITION_NOTE, result.target)
    return result


__all__ = ["EDITION_NOTE", "EditionPlan", "Step", "current_edition", "dataset_edition", "load_steps",
           "migrate_dataset", "plan"]
