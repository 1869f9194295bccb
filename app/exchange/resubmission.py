"""Resubmission: a newer package of a unit and year against the one held — the difference cell by cell,
覆盖 (replace all) or 合并 (take only the chosen parts), and every earlier package kept.

The difference is computed between two interchange documents (``app.exchange.interchange``): the dataset held
(``export_document``) and the package's ``dataset.json``. It is grouped into **parts**, the units a
合并 can take:

* each of the nine tables (a form id, e.g. ``expenditure_summary``): its changed cells in the form's
  words (row title, column title, old → new) and its added or removed code rows;
* ``projects`` — the projects with their performance indicators and the 政府采购 rows that name them;
* ``overall`` — 部门整体绩效目标; ``assets`` — 固定资产占用情况;
* ``notes`` — the 说明 of 提示 and the clerk's wording of 情况说明 sections;
* ``profile`` — 单位情况 texts, typed 上年数 and the reasons for changes;
* ``self_evaluation`` — 绩效自评; ``unit`` — the cover information.

A 合并 builds the merged document (the held one with the chosen parts taken from the package),
validates it like any import and writes it with ``import_document(replace=True, source="合并")``:
one transaction, every differing cell audited, the audit's first row naming the package and the parts.
Every package taken in is stored (``package_file``), listed by ``package_history`` and written back out
by ``extract_package``. Nothing here imports Qt.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from app.base.errors import BudgetDeskError, ConflictError, InputError, NotFoundError
from app.base.progress import Progress
from app.base.progress import step as progress_step
from app.domain.forms import all_forms, form_by_id
from db import models

# ---- parts -----------------------------------------------------------------------------------------
PROJECTS, OVERALL, ASSETS, NOTES, PROFILE, SELF_EVALUATION, UNIT = (
    "projects", "overall", "assets", "notes", "profile", "self_evaluation", "unit")
# The document keys each non-table part carries (a 合并 takes all of them from the package, or none).
PART_KEYS: dict[str, tuple[str, ...]] = {
    PROJECTS: ("projects", "procurement"),
    OVERALL: ("overall_targets",),
    ASSETS: ("assets",),
    NOTES: ("explanations", "narrative"),
    PROFILE: ("profile", "prior", "reasons"),
    SELF_EVALUATION: ("self_evaluation",),
    UNIT: ("unit",),
}
PART_TITLES: dict[str, str] = {
    PROJECTS: "项目及绩效指标（含政府采购）",
    OVERALL: "部门整体绩效目标",
    ASSETS: "固定资产占用情况",
    NOTES: "说明与情况说明",
    PROFILE: "单位情况、上年数与增减原因",
    SELF_EVALUATION: "绩效自评",
    UNIT: "单位信息",
}
# Names a clerk may type for a part besides its key (--merge 项目,说明 …).
PART_ALIASES: dict[str, str] = {
    "项目": PROJECTS, "绩效指标": PROJECTS, "项目及绩效指标": PROJECTS, "indicators": PROJECTS,
    "整体绩效目标": OVERALL, "部门整体绩效目标": OVERALL, "overall_targets": OVERALL,
    "固定资产": ASSETS, "资产": ASSETS,
    "说明": NOTES, "情况说明": NOTES, "explanations": NOTES, "narrative": NOTES,
    "单位情况": PROFILE, "上年数": PROFILE, "prior": PROFILE,
    "绩效自评": SELF_EVALUATION, "自评": SELF_EVALUATION,
    "单位信息": UNIT,
}


def part_keys() -> list[str]:
    """Every part in display order: the tables in their official order, then the other parts."""
    return [form.id for form in all_forms()] + list(PART_TITLES)


def part_title(key: str) -> str:
    if key in PART_TITLES:
        return PART_TITLES[key]
    return form_by_id(key).title


def parse_parts(text: str | Iterable[str]) -> list[str]:
    """``expenditure_summary,projects,notes`` (or 表名/简称/中文部分名) → part keys; an unknown name is refused."""
    names = [name.strip() for name in (text.replace("，", ",").split(",") if isinstance(text, str) else text)]
    names = [name for name in names if name]
    if not names:
        raise InputError("请给出要合并的表或部分（如 --merge expenditure_summary,projects,notes）。")
    by_name: dict[str, str] = {}
    for form in all_forms():
        for name in (form.id, form.title, form.short_title):
            if name:
                by_name[name] = form.id
    by_name.update({key: key for key in PART_TITLES})
    by_name.update({title: key for key, title in PART_TITLES.items()})
    by_name.update(PART_ALIASES)
    chosen: list[str] = []
    unknown: list[str] = []
    for name in names:
        key = by_name.get(name)
        if key is None:
            unknown.append(name)
        elif key not in chosen:
            chosen.append(key)
    if unknown:
        available = "、".join(f"{key}（{part_title(key)}）" for key in part_keys())
        raise InputError(f"没有名为“{'、'.join(unknown)}”的表或部分，未导入任何数据。可合并的有：{available}。")
    order = {key: index for index, key in enumerate(part_keys())}
    return sorted(chosen, key=order.__getitem__)


# ---- the difference ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DiffLine:
    """One difference in the form's words: ``place`` (a row, a project, an indicator …), ``item`` (a
    column or field; empty for a whole row/project/indicator), old → new. ``change`` is ``changed``,
    ``added`` or ``removed``; ``row``/``column`` hold the machine keys (row code, column key, project name)."""

    change: str
    place: str
    item: str
    old: str | None
    new: str | None
    row: str = ""
    column: str = ""

    def text(self) -> str:
        head = self.place + (f" / {self.item}" if self.item else "")
        if self.change == "added":
            return f"新增 {head}" + (f"：{self.new}" if self.new else "")
        if self.change == "removed":
            return f"删除 {head}" + (f"（原为 {self.old}）" if self.old else "")
        return f"{head}：{self.old or '（空）'} → {self.new or '（空）'}"

    def to_dict(self) -> dict:
        return {**asdict(self), "text": self.text()}


@dataclass
class PartDiff:
    key: str
    title: str
    lines: list[DiffLine] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"part": self.key, "title": self.title, "count": len(self.lines),
                "lines": [line.to_dict() for line in self.lines]}


@dataclass
class DocumentDiff:
    """What the package changes against the dataset held, part by part (only parts that differ)."""

    parts: list[PartDiff] = field(default_factory=list)
    money_unit: tuple[str, str] | None = None  # (held, package) when they differ
    status: tuple[str, str] | None = None  # (held, package) when they differ

    def is_empty(self) -> bool:
        return not self.parts and self.money_unit is None

    def part(self, key: str) -> PartDiff | None:
        return next((part for part in self.parts if part.key == key), None)

    @property
    def count(self) -> int:
        return sum(len(part.lines) for part in self.parts)

    def lines(self, limit: int | None = None) -> list[str]:
        """The difference as text, part by part; ``limit`` lines at most per part."""
        out: list[str] = []
        if self.money_unit is not None:
            out.append(f"金额单位：{self.money_unit[0]} → {self.money_unit[1]}（只能覆盖，不能合并）")
        if self.status is not None:
            from app.domain.records import STATUS_NAMES

            out.append(f"状态：{STATUS_NAMES.get(self.status[0], self.status[0])} → "
                       f"{STATUS_NAMES.get(self.status[1], self.status[1])}")
        if self.is_empty():
            out.append("数据包与现有数据相同，没有差异。")
        for part in self.parts:
            out.append(f"【{part.title}】{len(part.lines)} 处不同（{part.key}）")
            shown = part.lines if limit is None else part.lines[:limit]
            out.extend("  " + line.text() for line in shown)
            if len(part.lines) > len(shown):
                out.append(f"  ……另有 {len(part.lines) - len(shown)} 处")
        return out

    def to_dict(self) -> dict:
        return {"count": self.count,
                "money_unit": None if self.money_unit is None else {"held": self.money_unit[0],
                                                                     "package": self.money_unit[1]},
                "status": None if self.status is None else {"held": self.status[0], "package": self.status[1]},
                "parts": [part.to_dict() for part in self.parts]}


def _decimal(text) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def _same(before, after) -> bool:
    if isinstance(before, str) and isinstance(after, str):
        a, b = _decimal(before), _decimal(after)
        if a is not None and b is not None:
            return a == b
    return before == after


def _shown(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _column_title(form, column: str) -> str:
    try:
        definition = form.column(column)
    except NotFoundError:
        return column
    return "—".join([*definition.group, definition.title])


def _form_rows(document: dict, form_id: str) -> set[str]:
    rows = {item["row"] for item in document.get("values", []) if item["form"] == form_id}
    rows |= {item["row"] for item in document.get("rows", []) if item["form"] == form_id}
    return rows


def _table_diffs(old: dict, new: dict, codes: dict | None) -> list[PartDiff]:
    from app.domain.compute import Workbook

    workbook = Workbook(codes) if codes is not None else None

    def row_title(form_id: str, row: str) -> str:
        if workbook is None:
            return row
        try:
            return workbook.row_title(form_id, row)
        except BudgetDeskError:
            return row

    old_values = {(v["form"], v["row"], v["column"]): v["value"] for v in old.get("values", [])}
    new_values = {(v["form"], v["row"], v["column"]): v["value"] for v in new.get("values", [])}
    parts: list[PartDiff] = []
    for form in all_forms():
        part = PartDiff(form.id, form.title)
        column_order = {key: index for index, key in enumerate(form.column_keys())}
        if form.code_kind is not None:
            before_rows, after_rows = _form_rows(old, form.id), _form_rows(new, form.id)
            for row in sorted(after_rows - before_rows):
                part.lines.append(DiffLine("added", f"行 {row_title(form.id, row)}", "", None, None, row=row))
            for row in sorted(before_rows - after_rows):
                part.lines.append(DiffLine("removed", f"行 {row_title(form.id, row)}", "", None, None, row=row))
        keys = {key for key in (old_values.keys() | new_values.keys()) if key[0] == form.id}
        for _form, row, column in sorted(keys, key=lambda key: (key[1] != "total", key[1],
                                                                 column_order.get(key[2], 99), key[2])):
            before, after = old_values.get((form.id, row, column)), new_values.get((form.id, row, column))
            if before is not None and after is not None and _same(before, after):
                continue
            part.lines.append(DiffLine("changed", row_title(form.id, row), _column_title(form, column),
                                       None if before is None else str(before), None if after is None else str(after),
                                       row=row, column=column))
        if part.lines:
            parts.append(part)
    return parts


# Indicators: matched within their project by name (and the n-th of the same name), so an edited
# value reads as a change of that indicator, not as one removed and one added.
_INDICATOR_FIELDS = (("description", "指标描述"), ("basis", "指标值确定依据"), ("period_value", "实施周期指标值"),
                     ("note", "备注"))


def _indicator_value(item: dict) -> str | None:
    comparator = item.get("comparator", "")
    value = f"{'' if comparator == '定性' else comparator}{item.get('value', '')}{item.get('unit', '')}".strip()
    return value or None


def _indicator_kind(item: dict) -> str | None:
    from app.projects.levels import level_name

    names = [level_name(code) for code in (item.get("level1", ""), item.get("level2", "")) if code]
    return "·".join(names) or None


def _keyed(items: list[dict], name_of: Callable[[dict], str]) -> dict[tuple[str, int], dict]:
    seen: dict[str, int] = {}
    keyed: dict[tuple[str, int], dict] = {}
    for item in items:
        name = name_of(item)
        seen[name] = seen.get(name, 0) + 1
        keyed[(name, seen[name])] = item
    return keyed


def _label(key: tuple[str, int]) -> str:
    return f"“{key[0]}”" + (f"（第 {key[1]} 条）" if key[1] > 1 else "")


def _indicator_lines(owner: str, old: list[dict], new: list[dict], row: str) -> list[DiffLine]:
    lines: list[DiffLine] = []
    before = _keyed(old, lambda item: item.get("name", ""))
    after = _keyed(new, lambda item: item.get("name", ""))
    for key in [*before, *(key for key in after if key not in before)]:
        place = f"{owner} / 绩效指标{_label(key)}"
        if key not in after:
            lines.append(DiffLine("removed", place, "", _indicator_value(before[key]), None, row=row, column=key[0]))
            continue
        if key not in before:
            lines.append(DiffLine("added", place, "", None, _indicator_value(after[key]), row=row, column=key[0]))
            continue
        a, b = before[key], after[key]
        for item, old_text, new_text in (("指标类别", _indicator_kind(a), _indicator_kind(b)),
                                         ("指标值", _indicator_value(a), _indicator_value(b)),
                                         *((label, _shown(a.get(name)), _shown(b.get(name)))
                                           for name, label in _INDICATOR_FIELDS)):
            if old_text != new_text:
                lines.append(DiffLine("changed", place, item, old_text, new_text, row=row, column=key[0]))
    common_before = [key for key in before if key in after]
    common_after = [key for key in after if key in before]
    if common_before != common_after:
        lines.append(DiffLine("changed", owner, "绩效指标顺序", "、".join(key[0] for key in common_before),
                              "、".join(key[0] for key in common_after), row=row))
    return lines


def _field_lines(place: str, old: dict, new: dict, labels: list[tuple[str, str]], row: str,
                 shown: Callable[[str, object], str | None] | None = None,
                 numbers: Iterable[str] = ()) -> list[DiffLine]:
    """Field by field; ``numbers`` are compared as decimals ("72" is "72.00"), the rest as written."""
    numbers = set(numbers)
    lines = []
    for key, label in labels:
        before, after = old.get(key), new.get(key)
        if before is None and after is None:
            continue
        if before == after or (key in numbers and before is not None and after is not None and _same(before, after)):
            continue
        show = (lambda _key, value: _shown(value)) if shown is None else shown
        lines.append(DiffLine("changed", place, label, show(key, before), show(key, after), row=row, column=key))
    return lines


_PROJECT_NUMBERS = ("amount", "period_total", "executed_before", "fiscal_appropriation", "fiscal_special_account",
                    "local_fiscal", "higher_level", "other_funds")
_PROCUREMENT_NUMBERS = ("quantity", "unit_price", "general_budget", "government_fund", "state_capital",
                        "special_account", "unit_funds", "fiscal_carryover", "nonfiscal_carryover", "sme_reserved")


def _project_labels() -> list[tuple[str, str]]:
    from app.projects.audit import PROJECT_FIELD_NAMES

    return [(key, label) for key, label in PROJECT_FIELD_NAMES.items() if key not in ("name", "indicators")]


def _flat_project(project: dict) -> dict:
    data = {key: value for key, value in project.items() if key not in ("funding", "indicators")}
    data.update(project.get("funding", {}))
    return data


def _project_shown(key: str, value) -> str | None:
    from app.projects import PROJECT_ATTRIBUTES

    if key == "attribute":
        return PROJECT_ATTRIBUTES.get(value, value) or None
    return _shown(value)


def _projects_part(old: dict, new: dict) -> PartDiff:
    from app.projects.audit import PROCUREMENT_FIELD_NAMES

    part = PartDiff(PROJECTS, PART_TITLES[PROJECTS])
    before = {project["name"]: project for project in old.get("projects", [])}
    after = {project["name"]: project for project in new.get("projects", [])}
    labels = _project_labels()
    for name in [*before, *(name for name in after if name not in before)]:
        place = f"项目“{name}”"
        if name not in after:
            part.lines.append(DiffLine("removed", place, "", _project_summary(before[name]), None, row=name))
            continue
        if name not in before:
            part.lines.append(DiffLine("added", place, "", None, _project_summary(after[name]), row=name))
            continue
        part.lines += _field_lines(place, _flat_project(before[name]), _flat_project(after[name]), labels, name,
                                   _project_shown, _PROJECT_NUMBERS)
        part.lines += _indicator_lines(place, before[name].get("indicators", []), after[name].get("indicators", []),
                                       name)
    common_before = [name for name in before if name in after]
    common_after = [name for name in after if name in before]
    if common_before != common_after:
        part.lines.append(DiffLine("changed", "项目", "顺序", "、".join(common_before), "、".join(common_after)))
    procurement_labels = [(key, label) for key, label in PROCUREMENT_FIELD_NAMES.items()
                          if key not in ("item_name", "project_id")]

    def flat_item(item: dict) -> dict:
        data = {key: value for key, value in item.items() if key != "funding"}
        data.update(item.get("funding", {}))
        return data

    items_before = _keyed(old.get("procurement", []), lambda item: f"{item['project']}：{item['item_name']}")
    items_after = _keyed(new.get("procurement", []), lambda item: f"{item['project']}：{item['item_name']}")
    for key in [*items_before, *(key for key in items_after if key not in items_before)]:
        place = f"政府采购{_label(key)}"
        if key not in items_after:
            part.lines.append(DiffLine("removed", place, "", _procurement_total(items_before[key]), None, row=key[0]))
        elif key not in items_before:
            part.lines.append(DiffLine("added", place, "", None, _procurement_total(items_after[key]), row=key[0]))
        else:
            part.lines += _field_lines(place, flat_item(items_before[key]), flat_item(items_after[key]),
                                       procurement_labels, key[0], numbers=_PROCUREMENT_NUMBERS)
    return part


def _project_summary(project: dict) -> str:
    amount = f"金额 {project['amount']}" if project.get("amount") is not None else "金额未填"
    return f"{amount}，{len(project.get('indicators', []))} 个绩效指标"


def _procurement_total(item: dict) -> str:
    total = sum((Decimal(str(value)) for value in item.get("funding", {}).values() if value is not None), Decimal(0))
    return f"合计 {total:.2f}"


def _overall_part(old: dict, new: dict) -> PartDiff:
    part = PartDiff(OVERALL, PART_TITLES[OVERALL])
    before, after = old.get("overall_targets", {}), new.get("overall_targets", {})
    if before.get("goal", "") != after.get("goal", ""):
        part.lines.append(DiffLine("changed", "部门整体绩效目标", "总体绩效目标", before.get("goal") or None,
                                   after.get("goal") or None))
    part.lines += _indicator_lines("部门整体绩效目标", before.get("indicators", []), after.get("indicators", []), "")
    return part


def _assets_part(old: dict, new: dict) -> PartDiff:
    from app.projects.code_lists import ASSET_LABELS

    part = PartDiff(ASSETS, PART_TITLES[ASSETS])
    before, after = old.get("assets", {}), new.get("assets", {})
    part.lines += _field_lines("固定资产占用情况表", before, after,
                               [("as_of", "截止时间"), ("planned_purchases", "本年度拟购置固定资产总额")], "",
                               numbers=("planned_purchases",))
    for key, label in ASSET_LABELS.items():
        part.lines += _field_lines(label, before.get("rows", {}).get(key, {}), after.get("rows", {}).get(key, {}),
                                   [("quantity", "数量"), ("value", "价值")], key, numbers=("quantity", "value"))
    return part


def _text_lines(place_of: Callable[[str], str], old: dict[str, str], new: dict[str, str],
                order: list[str] | None = None) -> list[DiffLine]:
    keys = list(dict.fromkeys([*(order or []), *sorted(old.keys() | new.keys())]))
    lines = []
    for key in keys:
        if key not in old and key not in new:
            continue
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        lines.append(DiffLine(change, place_of(key), "", before, after, row=key))
    return lines


def _notes_part(old: dict, new: dict) -> PartDiff:
    from app.projects.narrative import SECTION_SPECS

    part = PartDiff(NOTES, PART_TITLES[NOTES])
    notes = lambda document: {item["finding"]: item["text"] for item in document.get("explanations", [])}  # noqa: E731
    part.lines += _text_lines(lambda key: f"提示 {key} 的说明", notes(old), notes(new))
    titles = {spec.key: spec.title or "开头一段" for spec in SECTION_SPECS}
    sections = lambda document: {item["section"]: item["text"] for item in document.get("narrative", [])}  # noqa: E731
    part.lines += _text_lines(lambda key: f"情况说明“{titles.get(key, key)}”", sections(old), sections(new),
                              [spec.key for spec in SECTION_SPECS])
    return part


def _profile_part(old: dict, new: dict) -> PartDiff:
    from app.domain.profile import PROFILE_FIELDS
    from app.domain.quantities import quantities

    part = PartDiff(PROFILE, PART_TITLES[PROFILE])
    profile_titles = {item.key: item.title for item in PROFILE_FIELDS}
    part.lines += _text_lines(lambda key: f"单位情况“{profile_titles.get(key, key)}”", old.get("profile", {}),
                              new.get("profile", {}), [item.key for item in PROFILE_FIELDS])
    named = quantities()

    def title(key: str) -> str:
        return named[key].title if key in named else key

    old_prior, new_prior = old.get("prior", {}), new.get("prior", {})
    for key in sorted(old_prior.keys() | new_prior.keys()):
        before, after = old_prior.get(key), new_prior.get(key)
        if before is None or after is None or not _same(before, after):
            part.lines.append(DiffLine("changed", f"上年数“{title(key)}”", "", before, after, row=key))
    part.lines += _text_lines(lambda key: f"增减变化原因“{title(key)}”", old.get("reasons", {}), new.get("reasons", {}))
    return part


def _self_evaluation_part(old: dict, new: dict) -> PartDiff:
    from app import selfeval

    part = PartDiff(SELF_EVALUATION, PART_TITLES[SELF_EVALUATION])
    if _canonical(old.get("self_evaluation")) == _canonical(new.get("self_evaluation")):
        return part
    try:
        before = selfeval.content_from_json(old.get("self_evaluation"))
        after = selfeval.content_from_json(new.get("self_evaluation"))
    except BudgetDeskError:
        part.lines.append(DiffLine("changed", "绩效自评", "", "（原有）", "（数据包中的内容有误，导入时将被拒绝）"))
        return part
    for form, row, column, old_text, new_text in selfeval.content_entries(before, after):
        change = "added" if old_text is None and not column else "removed" if new_text is None and not column else "changed"
        part.lines.append(DiffLine(change, selfeval.describe_entry(form, row, ""), column,
                                   old_text, new_text, row=row, column=column))
    return part


def _unit_part(old: dict, new: dict) -> PartDiff:
    from app.domain.records import UNIT_FIELDS

    part = PartDiff(UNIT, PART_TITLES[UNIT])
    part.lines += _field_lines("单位信息", old.get("unit", {}), new.get("unit", {}),
                               [*UNIT_FIELDS, ("parent_code", "上级单位编码")], "")
    return part


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def diff_documents(old: dict, new: dict, codes: dict | None = None) -> DocumentDiff:
    """Every difference between the dataset held (``old``) and a package's document (``new``), by part;
    ``codes`` (the year's code tables) names the code rows."""
    diff = DocumentDiff()
    if old.get("money_unit") != new.get("money_unit"):
        diff.money_unit = (old.get("money_unit", ""), new.get("money_unit", ""))
    if old.get("status", "draft") != new.get("status", "draft"):
        diff.status = (old.get("status", "draft"), new.get("status", "draft"))
    diff.parts = _table_diffs(old, new, codes)
    for build in (_projects_part, _overall_part, _assets_part, _notes_part, _profile_part, _self_evaluation_part,
                  _unit_part):
        part = build(old, new)
        if part.lines:
            diff.parts.append(part)
    return diff


# ---- merging -----------------------------------------------------------------------------------------
def merge_documents(held: dict, package: dict, parts: Iterable[str]) -> dict:
    """The held document with the chosen parts taken from the package's (nothing else of the package)."""
    chosen = set(parts)
    forms = {form.id for form in all_forms()} & chosen
    merged = copy.deepcopy(held)
    merged["values"] = ([item for item in held.get("values", []) if item["form"] not in forms]
                        + [copy.deepcopy(item) for item in package.get("values", []) if item["form"] in forms])
    rows = ([item for item in held.get("rows", []) if item["form"] not in forms]
            + [copy.deepcopy(item) for item in package.get("rows", []) if item["form"] in forms])
    if rows:
        merged["rows"] = rows
    else:
        merged.pop("rows", None)
    for part in chosen - forms:
        for key in PART_KEYS[part]:
            if key in package:
                merged[key] = copy.deepcopy(package[key])
            else:
                merged.pop(key, None)
    if UNIT in chosen:
        merged["unit"]["code"] = held["unit"]["code"]
    # the local 一级/二级 levels either side's indicators use (a part taken from the package may use one)
    levels = {row[0]: row for row in [*held.get("indicator_levels", []), *package.get("indicator_levels", [])]}
    if levels:
        merged["indicator_levels"] = [copy.deepcopy(row) for row in levels.values()]
    return merged


# ---- the package held and its history ---------------------------------------------------------------
@dataclass(frozen=True)
class ReceivedInfo:
    """A package taken in for a unit and year (``received_package``), with whether its bytes are kept."""

    id: int
    unit_code: str
    year: int
    received_at: datetime
    file_name: str
    sha256: str
    fingerprint: str
    created: str
    package_status: str
    errors: int
    warnings: int
    status: str
    return_reason: str
    size: int | None  # bytes kept (None: received before packages were kept)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat() + "Z"
        data["kept"] = self.size is not None
        return data


def package_history(store, unit_code: str, year: int) -> list[ReceivedInfo]:
    """Every package received for the unit and year, oldest first."""
    from sqlalchemy import func

    size = func.length(models.PackageFile.data)
    with store.Session() as session:
        rows = session.execute(
            select(models.ReceivedPackage, size)
            .outerjoin(models.PackageFile, models.PackageFile.received_package_id == models.ReceivedPackage.id)
            .where(models.ReceivedPackage.unit_code == unit_code, models.ReceivedPackage.year == year)
            .order_by(models.ReceivedPackage.id)).all()
    return [ReceivedInfo(row.id, row.unit_code, row.year, row.received_at, row.file_name, row.sha256, row.fingerprint,
                         row.created, row.package_status, row.errors, row.warnings, row.status, row.return_reason,
                         None if length is None else int(length)) for row, length in rows]


def extract_package(store, received_id: int, target: str | Path) -> Path:
    """Write a kept package back to a file (checked against the SHA-256 recorded when it was received)."""
    import hashlib
    import os
    import tempfile

    with store.Session() as session:
        received = session.get(models.ReceivedPackage, received_id)
        if received is None:
            raise NotFoundError(f"没有编号为 {received_id} 的接收记录（见 budgetdesk packages）。")
        data = session.scalar(select(models.PackageFile.data)
                              .where(models.PackageFile.received_package_id == received_id).limit(1))
        name = received.file_name or f"package-{received_id}.bdp"
        sha = received.sha256
    if data is None:
        raise NotFoundError(f"接收记录 {received_id}（{name}）没有保存数据包文件（在保存数据包功能之前接收）。")
    data = bytes(data)
    if hashlib.sha256(data).hexdigest() != sha:
        raise ConflictError(f"保存的数据包 {name} 与接收时记录的校验值不符，数据库中的副本已损坏，未写出。")
    folder = str(target).endswith(("/", "\\"))
    target = Path(target)
    if target.is_dir() or folder:
        target = target / Path(name).name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".bdp-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def _latest_received(store, unit_code: str, year: int) -> ReceivedInfo | None:
    history = package_history(store, unit_code, year)
    return history[-1] if history else None


def _created(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.removesuffix("Z"))
    except (ValueError, AttributeError):
        return None


# ---- preview and the two ways in ------------------------------------------------------------------
@dataclass
class ResubmissionPreview:
    """A verified package, the dataset it would meet, and their difference (nothing written)."""

    package: object  # app.exchange.package.VerifiedPackage
    first_trust: bool
    document: dict
    held: dict | None  # the interchange document of the dataset held (None: not in the database)
    diff: DocumentDiff | None
    received: ReceivedInfo | None  # the last package received for the unit and year
    older: bool  # the package was made before the one last received
    same: bool  # the very package last received (same SHA-256)

    @property
    def held_status(self) -> str | None:
        return None if self.held is None else self.held.get("status", "draft")

    def warnings(self) -> list[str]:
        out = []
        if self.received is not None and self.older:
            out.append(f"注意：此数据包制作于 {self.package.manifest.get('created', '?')}，早于已接收的数据包"
                       f"（{self.received.file_name}，制作于 {self.received.created}）；须确认后才能导入（命令行：--force）。")
        if self.same:
            out.append(f"此数据包与 {self.received.received_at:%Y-%m-%d %H:%M}（UTC）接收的数据包完全相同。")
        if self.held_status == "submitted":
            out.append("现有数据已上报：须先退回，才能以数据包覆盖或合并。")
        return out

    def to_dict(self) -> dict:
        package = self.package
        return {"file": package.path.name, "unit": package.unit_code, "name": package.unit_name, "year": package.year,
                "created": package.manifest.get("created"), "sha256": package.sha256,
                "fingerprint": package.fingerprint, "first_trust": self.first_trust,
                "package_status": self.document.get("status", "draft"), "held_status": self.held_status,
                "held_package": None if self.received is None else self.received.to_dict(),
                "older": self.older, "same": self.same, "warnings": self.warnings(),
                "diff": None if self.diff is None else self.diff.to_dict()}


def preview_resubmission(store, path: str | Path, *, expected_unit: str | None = None,
                         expected_year: int | None = None) -> ResubmissionPreview:
    """Every check of an import that needs no writing, and the full difference against the dataset held."""
    from app.exchange import package as pkg

    package = pkg.open_package(path)
    pkg._check_expected(package, expected_unit, expected_year)
    if package.kind == pkg.KIND_DEPARTMENT:  # its units come in together, never table by table
        raise InputError(f"“{package.path.name}”是部门数据包（含所属单位），只能整体导入（budgetdesk import-package 文件，"
                         "已有数据时加 --replace），不能按表查看差异或合并。")
    first_trust = pkg._check_trust(store, package)
    document = pkg._dataset_document(package)
    held = pkg.existing_document(store, package.unit_code, package.year)
    diff = diff_documents(held, document, store.code_tables(package.year)) if held is not None else None
    received = _latest_received(store, package.unit_code, package.year)
    older = same = False
    if received is not None:
        same = received.sha256 == package.sha256
        new_time, old_time = _created(str(package.manifest.get("created", ""))), _created(received.created)
        older = new_time is not None and old_time is not None and new_time < old_time
    return ResubmissionPreview(package, first_trust, document, held, diff, received, older, same)


@dataclass
class ResubmitOutcome:
    unit_code: str
    unit_name: str
    year: int
    mode: str  # "replace" (覆盖) / "merge" (合并) / "new" (nothing was held)
    parts: list[str]  # the parts taken (every part that differed for 覆盖)
    status: str
    errors: int
    warnings: int
    findings: list[dict]  # the 审核 re-run on the result (check --json shape)
    diff: DocumentDiff | None
    first_trust: bool
    note: str = ""  # why the status is what it is (a 合并 that did not pass 审核 stays 编制中)
    answers: object | None = None  # app.bureau.comments.MergeResult: the 批注 answers the package carried

    def to_dict(self) -> dict:
        return {"unit": self.unit_code, "name": self.unit_name, "year": self.year, "mode": self.mode,
                "parts": self.parts, "status": self.status, "errors": self.errors, "warnings": self.warnings,
                "note": self.note or None, "first_trust": self.first_trust, "findings": self.findings,
                "diff": None if self.diff is None else self.diff.to_dict()}


def _package_words(package) -> str:
    return (f"数据包 {package.path.name}（制作于 {package.manifest.get('created', '?')}，"
            f"SHA-256 {package.sha256[:12]}…，密钥 {package.fingerprint}）")


def resubmit(store, path: str | Path, *, merge: Iterable[str] | None = None, force: bool = False,
             expected_unit: str | None = None, expected_year: int | None = None,
             preview: ResubmissionPreview | None = None, progress: Progress | None = None,
             backup: bool = True, replace_source: str = "重新上报", trust_fingerprints=()) -> ResubmitOutcome:
    """覆盖 (``merge`` None: the package replaces the dataset held) or 合并 (``merge``: the part keys to take).

    Refused, with nothing changed: an older package than the one last received (unless ``force``), a
    dataset held that is 已上报 (the bureau 退回s it first), a 合并 of an unknown part, of a part that does
    not differ, across money units, or whose result fails the import checks. The merged dataset keeps the
    package's 已上报 only when the merged content passes 审核 (no 错误, every 提示 with its 说明); otherwise
    it is 编制中 and the outcome says why. Either way the 审核 is re-run and reported."""
    from app.exchange import package as pkg
    from app.exchange.interchange import blockers_in_document, import_document, validate_document

    progress_step(progress, 0, 4, "核对数据包")
    if preview is None:
        preview = preview_resubmission(store, path, expected_unit=expected_unit, expected_year=expected_year)
    else:  # shown to someone a while ago: the dataset held must still be what they compared against
        current = pkg.existing_document(store, preview.package.unit_code, preview.package.year)
        if _canonical(current) != _canonical(preview.held):
            raise ConflictError("核对数据包之后，现有数据已被修改，未导入；请重新核对差异后再导入。")
    package, document, held = preview.package, preview.document, preview.held
    where = f"单位 {package.unit_code} {package.unit_name} 的 {package.year} 年度预算"
    if preview.older and not force:
        raise ConflictError(
            f"数据包“{package.path.name}”制作于 {package.manifest.get('created', '?')}，早于已接收的数据包“"
            f"{preview.received.file_name}”（制作于 {preview.received.created}），未导入。"
            "如确认要以较早的数据包为准，请加 --force。")
    parts: list[str] = []
    if merge is not None:
        parts = parse_parts(list(merge))
        if held is None:
            raise ConflictError(f"{where}尚无数据，没有可合并的对象；请直接导入（不加 --merge）。")
        if preview.diff.money_unit is not None:
            raise ConflictError(f"{where}的金额单位是{preview.diff.money_unit[0]}，数据包是{preview.diff.money_unit[1]}，"
                                "不能按表合并，未导入；如要以数据包为准，请覆盖（--replace）。")
        unchanged = [key for key in parts if preview.diff.part(key) is None]
        if unchanged:
            raise InputError(f"所选的“{'、'.join(part_title(key) for key in unchanged)}”与现有数据没有差异，"
                             "未导入任何数据；请只选有差异的表或部分。")
    if held is not None and held.get("status") == "submitted":
        raise ConflictError(f"{where}已上报，不能被重新上报的数据包{'合并' if parts else '覆盖'}，未导入。"
                            f"请先退回（budgetdesk return --unit {package.unit_code} --year {package.year} --reason 原因），"
                            "再导入新的数据包。")
    note = ""
    if held is None:
        mode, incoming, source = "new", document, "导入"
        words = f"接收{_package_words(package)}"
    elif not parts:
        mode, incoming, source = "replace", document, replace_source
        words = f"重新上报：以{_package_words(package)}覆盖全部数据"
        parts = [part.key for part in preview.diff.parts]
    else:
        mode, source = "merge", "合并"
        incoming = merge_documents(held, document, parts)
        incoming["status"] = "draft"
        progress_step(progress, 1, 4, "检查合并后的数据")
        try:
            validate_document(store, incoming)
        except InputError as exc:
            raise InputError(f"合并后的数据无法导入（所选部分与其余部分不一致），未导入任何数据：\n{exc}") from None
        if document.get("status") == "submitted":
            blockers = blockers_in_document({**incoming, "status": "draft"})
            if blockers:
                note = (f"合并后的数据还有 {len(blockers)} 条审核问题未处理（错误，或提示缺少说明），"
                        "已设为编制中，未作为已上报接收。")
            else:
                incoming["status"] = "submitted"
        words = (f"合并：自{_package_words(package)}取 "
                 + "、".join(f"《{part_title(key)}》" if key not in PART_TITLES else part_title(key) for key in parts))
    answers = pkg._package_comments(package)  # the 批注 answers, checked before anything is written
    pkg.require_confirmed(store, [package], trust_fingerprints)
    progress_step(progress, 2, 4, "写入数据库")
    if backup:
        from app.store.backup import backup_before

        backup_before(store, "import" if held is None else "replace")
    dataset, findings, first_trust, merged = pkg.receive(store, package, answers, lambda: import_document(
        store, incoming, replace=held is not None, source=source, backup=False, note=words), trust_fingerprints)
    progress_step(progress, 3, 4, "审核")
    errors = sum(1 for finding in findings if finding.severity == "error")
    progress_step(progress, 4, 4, "完成")
    return ResubmitOutcome(package.unit_code, package.unit_name, package.year, mode, parts, dataset.status, errors,
                           len(findings) - errors, [finding.to_dict() for finding in findings], preview.diff,
                           first_trust, note, merged)


__all__ = [
    "PART_KEYS", "PART_TITLES", "DiffLine", "DocumentDiff", "PartDiff", "ReceivedInfo", "ResubmissionPreview",
    "ResubmitOutcome", "diff_documents", "extract_package", "merge_documents", "package_history", "parse_parts",
    "part_keys", "part_title", "preview_resubmission", "resubmit",
]
