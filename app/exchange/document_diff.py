"""One model of what differs between two interchange documents (``app.exchange.interchange``): the
dataset held and a package's ``dataset.json``.

The difference is grouped into the parts a 合并 can take (``app.exchange.document_parts``): each table's
changed cells in the form's words (row title, column title, old → new) and its added or removed code
rows; the projects with their indicators and 政府采购; 部门整体绩效目标; 固定资产; the 说明 and 情况说明;
单位情况 and 上年数; 绩效自评; the cover information. ``DocumentDiff.lines`` shows it in full (the
resubmission dialog, ``import-package --diff``); ``DocumentDiff.summary`` in brief (a plain import).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from app import selfeval
from app.base.errors import BudgetDeskError, NotFoundError
from app.checks.places import explanation_place, section_title
from app.domain.compute import Workbook
from app.domain.forms import FormDef, all_forms
from app.domain.profile import PROFILE_FIELDS
from app.domain.quantities import quantities
from app.domain.records import STATUS_NAMES, UNIT_FIELDS
from app.exchange.document_parts import (
    ASSETS,
    NOTES,
    OVERALL,
    PART_TITLES,
    PROFILE,
    PROJECTS,
    SELF_EVALUATION,
    UNIT,
)
from app.exchange.interchange import export_document
from app.projects import PROJECT_ATTRIBUTES
from app.projects.audit import PROCUREMENT_FIELD_NAMES, PROJECT_FIELD_NAMES
from app.projects.code_lists import ASSET_LABELS
from app.projects.levels import level_name
from app.projects.narrative import SECTION_SPECS

if TYPE_CHECKING:
    from app.store.service import Store


def existing_document(store: Store, unit_code: str, year: int) -> dict[str, Any] | None:
    """The interchange document of the dataset held for a unit and year (None: not in the database)."""
    try:
        dataset = store.open_dataset(unit_code, year)
    except NotFoundError:
        return None
    return export_document(dataset)


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

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "text": self.text()}


@dataclass
class PartDiff:
    key: str
    title: str
    lines: list[DiffLine] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
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

    @property
    def cells(self) -> list[DiffLine]:
        """The table cells that differ (not the code rows added or removed)."""
        return [line for part in self.parts if part.key not in PART_TITLES for line in part.lines
                if line.column]

    def without(self, *keys: str) -> DocumentDiff:
        """The same difference leaving out some parts (e.g. ``unit``, which a 主管部门 sets on receipt)."""
        return DocumentDiff([part for part in self.parts if part.key not in keys], self.money_unit, self.status)

    def summary(self, limit: int = 20) -> list[str]:
        """The difference in brief, as a plain import shows it before refusing or asking: the cells (at
        most ``limit``), the projects added, removed or changed, the 说明, and which other parts differ."""
        cells = [(part, line) for part in self.parts if part.key not in PART_TITLES for line in part.lines
                 if line.column]
        if self.is_empty():
            return ["数据包与现有数据相同，没有差异。"]
        out = [f"单元格：{len(cells)} 处不同"] if cells else []  # no "单元格：相同" after "差异：" (issue 29)
        out += [f"  《{part.title}》{line.text()}" for part, line in cells[:limit]]
        if len(cells) > limit:
            out.append(f"  ……另有 {len(cells) - limit} 处")

        def names(items: list[str]) -> str:  # project names may hold 、 themselves
            return "、".join(f"“{name}”" for name in items)

        projects = self.part(PROJECTS)
        # lines of one project: the project itself (added/removed), its fields, and its indicators
        project_lines = [line for line in projects.lines if line.place.startswith("项目“")] if projects else []
        whole = [line for line in project_lines if line.change != "changed" and line.place == f"项目“{line.row}”"]
        for change, title in (("added", "新增项目"), ("removed", "删除项目")):
            chosen = [line.row for line in whole if line.change == change]
            if chosen:
                out.append(f"{title}：" + names(chosen))
        taken = {line.row for line in whole}
        changed = list(dict.fromkeys(line.row for line in project_lines if line.row not in taken))
        if changed:
            out.append("修改项目：" + names(changed))
        if projects is not None and any(line.place.startswith("政府采购") for line in projects.lines):
            out.append("政府采购：不同")
        notes = self.part(NOTES)
        if notes is not None:
            out.append("说明/情况说明：" + "、".join(
                f"说明 {explanation_place(line.row)}" if line.place.startswith("提示")
                else f"情况说明 {section_title(line.row)}" for line in notes.lines))
        if any(line.change != "changed" for part in self.parts if part.key not in PART_TITLES
               for line in part.lines):
            out.append("增加的科目行：不同")
        out += [f"{part.title}：不同" for part in self.parts if part.key in PART_TITLES
                and part.key not in (PROJECTS, NOTES)]
        if self.money_unit is not None:
            out.append("金额单位：不同")
        return out

    def to_dict(self) -> dict[str, Any]:
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


def _column_title(form: FormDef, column: str) -> str:
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
    return [(key, label) for key, label in PROJECT_FIELD_NAMES.items() if key not in ("name", "indicators")]


def _flat_project(project: dict) -> dict:
    data = {key: value for key, value in project.items() if key not in ("funding", "indicators")}
    data.update(project.get("funding", {}))
    return data


def _project_shown(key: str, value) -> str | None:
    if key == "attribute":
        return PROJECT_ATTRIBUTES.get(value, value) or None
    return _shown(value)


def _projects_part(old: dict, new: dict) -> PartDiff:
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
    part = PartDiff(NOTES, PART_TITLES[NOTES])
    notes = lambda document: {item["finding"]: item["text"] for item in document.get("explanations", [])}  # noqa: E731
    part.lines += _text_lines(lambda key: f"提示 {key} 的说明", notes(old), notes(new))
    titles = {spec.key: spec.title or "开头一段" for spec in SECTION_SPECS}
    sections = lambda document: {item["section"]: item["text"] for item in document.get("narrative", [])}  # noqa: E731
    part.lines += _text_lines(lambda key: f"情况说明“{titles.get(key, key)}”", sections(old), sections(new),
                              [spec.key for spec in SECTION_SPECS])
    return part


def _profile_part(old: dict, new: dict) -> PartDiff:
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
    part = PartDiff(SELF_EVALUATION, PART_TITLES[SELF_EVALUATION])
    if canonical(old.get("self_evaluation")) == canonical(new.get("self_evaluation")):
        return part
    try:
        before = selfeval.content_from_json(old.get("self_evaluation"), old.get("money_unit", "万元"))
        after = selfeval.content_from_json(new.get("self_evaluation"), new.get("money_unit", "万元"))
    except BudgetDeskError:
        part.lines.append(DiffLine("changed", "绩效自评", "", "（原有）", "（数据包中的内容有误，导入时将被拒绝）"))
        return part
    for form, row, column, old_text, new_text in selfeval.content_entries(before, after):
        change = "added" if old_text is None and not column else "removed" if new_text is None and not column else "changed"
        part.lines.append(DiffLine(change, selfeval.describe_entry(form, row, ""), column,
                                   old_text, new_text, row=row, column=column))
    return part


def _unit_part(old: dict, new: dict) -> PartDiff:
    part = PartDiff(UNIT, PART_TITLES[UNIT])
    part.lines += _field_lines("单位信息", old.get("unit", {}), new.get("unit", {}),
                               [*UNIT_FIELDS, ("parent_code", "上级单位编码")], "")
    return part


def canonical(value: object) -> str:
    """A value as sorted JSON text, to compare documents or their parts."""
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
