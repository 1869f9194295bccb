"""Editions of the definitions a dataset is made with: forms, rules, code tables, indicator framework.

Every form definition names its edition (``"edition"`` in ``resources/forms/*.json``), and so do the
rule files (``resources/rules/*.json``), the code tables and the 一级/二级 indicator framework
(``resources/codes/indicator_levels.json``; a bureau's local additions make it ``2023+本地``). Each
dataset records the editions it was made with (column ``dataset.editions``, JSON), whether it was
created, imported (data file, Excel workbook, package) or rolled over to the next year; a dataset
without the record predates editions and is of the first one, 2023.

``resources/forms/editions.json`` lists the steps from one form edition to the next: row/column keys
renamed (``renames``) and keys dropped (``drops``). When an edition ships, the previous edition's
definition files move unchanged to ``resources/forms/editions/<edition>/`` (see ``app.domain.forms``).

* ``migrate_dataset`` moves a dataset's stored cells to the renamed keys and records the new edition,
  in one audited transaction; cells under a dropped key, or under a key the new definitions do not
  know at all, are refused and listed — nothing is changed then. ``migrate_store`` does this for every
  dataset 编制中 on an older edition (``budgetdesk editions --migrate``).
* A dataset 已上报 is never migrated: it keeps its edition and prints with that edition's definitions
  (``printed_as_recorded``), so a past year prints exactly as it was submitted.
* An interchange document names its editions; importing one of an older edition migrates its cells
  the same way (a submitted one is kept under its own edition), and one of an edition this program
  does not know (a newer program made it) is refused in Chinese (``prepare_document``).
"""

from __future__ import annotations

import copy as _copy
import functools
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from app.base.errors import ConflictError, InputError, NotFoundError
from app.base.paths import resource
from app.domain import quantities
from app.domain.cells import CellChange
from app.domain.compute import Workbook
from app.domain.forms import (
    all_forms,
    clear_definition_caches,
    current_form_edition,
    definitions_dir,
    kept_editions,
    using_edition,
)
from app.projects.levels import _shipped_edition, local_levels
from db import models

FIRST_EDITION = "2023"
KIND_LABELS = {"forms": "表样", "rules": "审核规则", "indicators": "绩效指标体系", "codes": "科目表"}


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
    data = json.loads((path or definitions_dir() / "editions.json").read_text(encoding="utf-8"))
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
    """The current form edition; every current definition must name it."""
    current = current_form_edition()
    with using_edition(None):
        editions = {form.edition for form in all_forms()}
    if editions != {current}:
        raise InputError(f"表样定义的版本（{'、'.join(sorted(editions))}）与版本沿革的当前版（{current}）不一致。")
    return current


def reload_definitions() -> None:
    """Forget every loaded definition (a test that ships a new edition by pointing ``forms_root`` elsewhere)."""
    clear_definition_caches()
    quantities._edition_quantities.cache_clear()
    current_edition.cache_clear()


# ---- what a dataset is made with -----------------------------------------------------------------
def rules_edition() -> str:
    editions = set()
    for path in sorted(resource("rules").glob("*.json")):
        editions.add(str(json.loads(path.read_text(encoding="utf-8")).get("edition", "")))
    return "、".join(sorted(edition for edition in editions if edition)) or FIRST_EDITION


def indicators_edition() -> str:
    shipped = _shipped_edition() or FIRST_EDITION
    return f"{shipped}+本地" if local_levels() else shipped


def current_editions(codes: dict | None = None) -> dict:
    """The editions a dataset made now is made with; ``codes``: the year's code tables."""
    editions: dict[str, Any] = {"forms": current_edition(), "rules": rules_edition(),
                                "indicators": indicators_edition()}
    if codes:
        editions["codes"] = {kind: table.edition for kind, table in sorted(codes.items())}
    return editions


def parse_editions(text: str | None) -> dict:
    """The stored record (``dataset.editions``); NULL: made before editions were recorded."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return {"forms": FIRST_EDITION, **data}


def dumps_editions(editions: dict) -> str:
    return json.dumps(editions, ensure_ascii=False, sort_keys=True)


def describe_editions(editions: dict) -> str:
    """``表样 2023 版，审核规则 2023 版 …`` for the audit trail and messages."""
    parts = []
    for kind, label in KIND_LABELS.items():
        value = editions.get(kind)
        if isinstance(value, dict):
            value = "/".join(f"{item}" for _key, item in sorted(value.items()))
        if value:
            parts.append(f"{label} {value} 版")
    return "，".join(parts)


def dataset_edition(dataset) -> str:
    """The form edition the dataset's cells are stored under."""
    return getattr(dataset, "editions", {}).get("forms") or FIRST_EDITION


# ---- migrating stored cells ----------------------------------------------------------------------
def _known_keys() -> dict[str, tuple[set[str] | None, set[str]]]:
    """form → (fixed row keys, or None for code rows; column keys) of the definitions in use."""
    known = {}
    for form in all_forms():
        rows = None
        if form.row_kind == "fixed":
            rows = {raw["key"] for raw in form.raw_rows if "key" in raw}
            rows |= {row.key for row in form.fixed_rows(None)}
        known[form.id] = (rows, set(form.column_keys()))
    return known


def plan_cells(cells: list[tuple[str, str, str]], source: str, steps: tuple[Step, ...] | None = None,
               target: str | None = None) -> EditionPlan:
    """Where cells stored under edition ``source`` go in ``target`` (default: the current edition)."""
    if steps is None:
        current, steps = load_steps()
        target = target or current
    edition = source
    result = EditionPlan(source, target or source)
    moved = {key: key for key in cells}  # original key → key after the steps so far
    for step in steps:
        if step.source != edition or edition == result.target:
            continue
        renamed = {(form, kind, old): new for form, kind, old, new in step.renames}
        dropped = set(step.drops)
        for original, (form, row, column) in list(moved.items()):
            if (form, "row", row) in dropped or (form, "column", column) in dropped:
                result.refused.append(original)
                del moved[original]
                continue
            moved[original] = (form, renamed.get((form, "row", row), row), renamed.get((form, "column", column), column))
        edition = step.target
    if edition != result.target and result.source != result.target:
        raise InputError(f"表样版本沿革中没有从 {result.source} 版到 {result.target} 版的步骤，无法迁移。")
    try:
        definitions_dir(result.target)
        target_edition = result.target
    except NotFoundError:
        target_edition = None  # a step list for tests: the target's keys are the current definitions'
    with using_edition(target_edition):
        known = _known_keys()
    for original, (form, row, column) in moved.items():
        rows, columns = known.get(form, (set(), set()))
        if form not in known or column not in columns or (rows is not None and row not in rows):
            result.refused.append(original)
        elif (form, row, column) != original:
            result.moves.append((original, (form, row, column)))
    return result


def plan(dataset, steps: tuple[Step, ...] | None = None, target: str | None = None) -> EditionPlan:
    """What migrating ``dataset`` to ``target`` (default: the current edition) would do."""
    return plan_cells(list(dataset.entered_values()), dataset_edition(dataset), steps, target)


def refusal_text(label: str, result: EditionPlan) -> str:
    listed = "；".join(f"{form}/{row}/{column}" for form, row, column in result.refused[:20])
    more = f" 等 {len(result.refused)} 个" if len(result.refused) > 20 else ""
    return (f"{label}（{result.source} 版表样）有单元格在 {result.target} 版中已没有对应的行或栏，"
            f"未作任何迁移：{listed}{more}。请先在旧版本中处理这些数据。")


def migrate_dataset(dataset, steps: tuple[Step, ...] | None = None, target: str | None = None) -> EditionPlan:
    """Move the stored cells to the new definitions' keys and record the new edition, in ONE audited
    transaction; or refuse (``ConflictError``) listing what cannot move, changing nothing."""
    result = plan(dataset, steps, target)
    if result.refused:
        raise ConflictError(refusal_text(f"{dataset.year} 年度数据", result))
    values = dataset.entered_values()
    changes = []
    for (form, row, column), new in result.moves:
        changes.append(CellChange(form, row, column, None))
        changes.append(CellChange(*new, values[(form, row, column)]))
    new_editions = {**dataset.editions, "forms": result.target}
    if not changes and new_editions == dataset.editions:
        return result
    with dataset.door("版本迁移") as work:
        dataset._write_cells(work, changes)
        record = work.session.get(models.Dataset, dataset.dataset_id)
        record.editions = dumps_editions(new_editions)
        work.record("表样版本", f"{result.source} 版", f"{result.target} 版（迁移 {len(result.moves)} 个单元格）",
                    form="editions")
    for change in changes:
        dataset.workbook.set_value(change.form, change.row, change.column, change.value)
    dataset.editions = new_editions
    return result


@dataclass
class StoreMigration:
    migrated: list[str] = field(default_factory=list)  # "359 2023 年度：迁移 3 个单元格"
    kept: list[str] = field(default_factory=list)  # 已上报: keeps its edition
    refused: list[str] = field(default_factory=list)  # the Chinese refusal of each


def migrate_store(store, steps: tuple[Step, ...] | None = None, target: str | None = None) -> StoreMigration:
    """Migrate every dataset 编制中 on an older form edition; 已上报 ones keep theirs (and print so)."""
    report = StoreMigration()
    target = target or current_edition()
    for info in store.list_datasets():
        dataset = store.open_dataset(info.unit_code, info.year)
        label = f"{info.unit_code} {info.unit_name} {info.year} 年度"
        if dataset_edition(dataset) == target:
            continue
        if dataset.status == "submitted":
            report.kept.append(f"{label}（已上报，保留 {dataset_edition(dataset)} 版）")
            continue
        try:
            result = migrate_dataset(dataset, steps, target)
        except ConflictError as exc:
            report.refused.append(f"{label}：{exc}")
        else:
            report.migrated.append(f"{label}：{result.source} 版 → {result.target} 版，迁移 {len(result.moves)} 个单元格")
    return report


# ---- printing as recorded --------------------------------------------------------------------------
@contextmanager
def definitions_of(dataset):
    """Within the block, the form definitions are those of ``dataset``'s recorded edition (kept in
    ``resources/forms/editions/<edition>/``; the current ones for a dataset of the current edition);
    yields the dataset to use there — a copy computing with those definitions when they differ, so
    the open dataset itself (a window may show it) is never touched. A dataset 已上报 under an edition
    this program no longer holds is refused."""
    edition = dataset_edition(dataset)
    if edition == current_form_edition():
        yield dataset
        return
    if edition not in kept_editions():
        if getattr(dataset, "status", "") == "submitted":
            raise NotFoundError(f"{dataset.label}是按 {edition} 版表样上报的，本程序没有该版本的表样定义，"
                                "无法按上报时的样式打印。")
        yield dataset  # a draft on an unknown edition prints as it is now (it is migrated before editing)
        return
    original = dataset.workbook
    with using_edition(edition):
        copy = _copy.copy(dataset)
        copy.workbook = Workbook(original.codes, dict(original.values),
                                 {form: set(rows) for form, rows in original.present_rows.items()})
        yield copy


def printed_as_recorded(function):
    """Decorate a ``print(dataset, …)`` function so it prints with the dataset's recorded edition."""

    @functools.wraps(function)
    def wrapper(dataset, *args, **kwargs):
        with definitions_of(dataset) as recorded:
            return function(recorded, *args, **kwargs)

    return wrapper


# ---- interchange documents ---------------------------------------------------------------------
@dataclass
class PreparedDocument:
    document: dict  # what is stored (keys of ``edition``)
    edition: str  # the form edition it is stored under
    checked: dict | None  # the same content under the current definitions, for the 已上报 checks; None: none possible
    editions: dict  # what the document says it was made with


def _unknown_edition(edition: str) -> InputError:
    current = current_form_edition()
    newer = edition.isdigit() and current.isdigit() and int(edition) > int(current)
    why = "较新版本的 BudgetDesk 制作的" if newer else "本程序不认识的版本"
    return InputError(f"数据文件是按 {edition} 版表样定义制作的（{why}），本程序使用 {current} 版表样"
                      f"（可读取：{'、'.join(kept_editions())} 版及可迁移的旧版），未导入任何数据。"
                      + ("请升级 BudgetDesk 后再导入。" if newer else "请确认文件来源。"))


def _moved_document(document: dict, result: EditionPlan) -> dict:
    moves: dict[tuple[Any, Any, Any], tuple[str, str, str]] = dict(result.moves)  # keys as the file has them
    values = []
    for item in document.get("values", []):
        if not isinstance(item, dict):
            values.append(item)  # the schema check refuses it
            continue
        key = (item.get("form"), item.get("row"), item.get("column"))
        form, row, column = moves.get(key, key)
        values.append({**item, "form": form, "row": row, "column": column})
    editions = {**document.get("editions", {}), "forms": result.target}
    return {**document, "values": values, "editions": editions}


def prepare_document(document: dict) -> PreparedDocument:
    """Bring a document to the edition it will be stored under, or refuse in Chinese.

    No ``editions``: made before editions were recorded (the first edition). The current edition: as
    it is. An older edition: its cells move to the current keys (refused, listing them, when a dropped
    key holds a value) — except a document 已上报 whose edition this program keeps, which is stored
    under its own edition so it prints as submitted. Any other edition is refused."""
    recorded = document.get("editions")
    editions: dict = recorded if isinstance(recorded, dict) else {}
    edition = editions.get("forms") or FIRST_EDITION
    if not isinstance(edition, str):
        return PreparedDocument(document, current_edition(), document, {})  # the schema check refuses it
    current = current_edition()
    if edition == current:
        return PreparedDocument(document, current, document, editions)
    known_sources = {step.source for step in load_steps()[1]}
    if edition not in known_sources and edition not in kept_editions():
        raise _unknown_edition(edition)
    cells: list[tuple[Any, Any, Any]] = [(item.get("form"), item.get("row"), item.get("column"))
                                         for item in document.get("values", []) if isinstance(item, dict)]
    try:
        result = plan_cells(cells, edition)
    except InputError:
        raise _unknown_edition(edition) from None
    if document.get("status") == "submitted" and edition in kept_editions():
        checked = None if result.refused else _moved_document(document, result)
        return PreparedDocument(document, edition, checked, editions)
    if result.refused:
        raise InputError(refusal_text("数据文件", result))
    moved = _moved_document(document, result)
    return PreparedDocument(moved, current, moved, editions)


__all__ = ["FIRST_EDITION", "EditionPlan", "PreparedDocument", "Step", "StoreMigration", "current_edition",
           "current_editions", "dataset_edition", "definitions_of", "describe_editions", "dumps_editions",
           "indicators_edition", "load_steps", "migrate_dataset", "migrate_store", "parse_editions", "plan",
           "plan_cells", "prepare_document", "printed_as_recorded", "reload_definitions", "rules_edition"]
