"""Read an official-layout workbook back into an interchange document, all or nothing.

Sheets are found by their title text and columns by their header text, never by position, so
reordered or extra sheets, extra columns, blank or hidden rows and merged cells do no harm. What
a cell holds is read as Excel or WPS shows it (``grid``). Computed cells are not imported; where
one disagrees with what the entered cells give, that is reported beside the plan (a warning).
Every cell that cannot be read is reported as ``工作表!地址``, its content and the reason, and then
nothing is imported. The form sheets are read by ``form_reader``, the project part by
``project_reader``, the 绩效自评 sheets by ``selfeval_sheets``; ``import_workbook`` writes through
``app.exchange.interchange.import_document``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app.base.errors import InputError, NotFoundError
from app.base.money import MONEY_UNITS, exact_text
from app.base.progress import Progress, step
from app.domain.compute import Workbook
from app.domain.forms import all_forms
from app.domain.records import STATUS_NAMES
from app.exchange.document_schema import FORMAT, FORMAT_VERSION
from app.exchange.excel import labels, safety, selfeval_sheets
from app.exchange.excel.form_reader import read_form
from app.exchange.excel.grid import Grid, Problem, Reader, as_text, code_text, label_cells
from app.exchange.excel.project_reader import read_assets, read_overall, read_procurement, read_project
from app.exchange.interchange import import_document
from app.printing.procurement import ASSETS_TITLE, PROCUREMENT_TITLE
from app.printing.projects import OVERALL_TITLE, PROJECT_TITLE
from app.printing.targets import SUMMARY_TITLE
from app.store.editions import current_editions
from app.store.service import BudgetDataset, Store

MAX_LISTED = 50  # problems listed in the message; the count says how many more
_STATUS_BY_NAME = {name: key for key, name in STATUS_NAMES.items()}


@dataclass
class ImportPlan:
    """What a workbook would import: the interchange document, and the computed cells whose value
    in the file differs from what its entered cells give (not imported; shown to the clerk)."""

    path: Path
    document: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def unit_code(self) -> str:
        return self.document["unit"]["code"]

    @property
    def year(self) -> int:
        return self.document["year"]


# ---- locating sheets ---------------------------------------------------------------------------

UNIT, NOTES, PROJECT, SUMMARY, OVERALL, PROCUREMENT, ASSETS = (
    "unit", "notes", "project", "summary", "overall", "procurement", "assets")


def _known_titles() -> dict[str, str]:
    titles = {labels.clean(form.title): form.id for form in all_forms()}
    titles.update({labels.clean(labels.UNIT_SHEET_TITLE): UNIT, labels.clean(labels.NOTES_SHEET_TITLE): NOTES,
                   labels.clean(PROJECT_TITLE): PROJECT, labels.clean(SUMMARY_TITLE): SUMMARY,
                   labels.clean(OVERALL_TITLE): OVERALL, labels.clean(PROCUREMENT_TITLE): PROCUREMENT,
                   labels.clean(ASSETS_TITLE): ASSETS})
    titles.update(selfeval_sheets.titles())
    return titles


def sheet_kind(grid: Grid) -> str | None:
    """The table a sheet holds, by the title in its first rows (the longest known title a cell
    ends with: 2023年部门预算收入总表 is the 部门预算收入总表)."""
    titles = _known_titles()
    ordered = sorted(titles, key=len, reverse=True)
    for row in range(1, min(grid.max_row, 4) + 1):
        for column in range(1, min(grid.max_column, 8) + 1):
            text = grid.text(row, column)
            if not text:
                continue
            if text in titles:
                return titles[text]
            for title in ordered:
                if text.endswith(title):
                    return titles[title]
    return None


# ---- 单位信息 and 说明 ----------------------------------------------------------------------------

def _read_unit(grid: Grid, reader: Reader) -> dict:
    unit_keys = {labels.clean(label): key for key, label in labels.UNIT_LABELS}
    extra = {labels.clean(labels.YEAR_LABEL): "year", labels.clean(labels.MONEY_UNIT_LABEL): "money_unit",
             labels.clean(labels.STATUS_LABEL): "status"}
    where = label_cells(grid, 1, grid.max_row, set(unit_keys) | set(extra))
    data: dict = {}
    for label, key in {**unit_keys, **extra}.items():
        if label not in where:
            if key in ("code", "name", "year"):
                reader.problems.append(Problem(grid.title, "A1", "", f"找不到“{label}”"))
            continue
        row, column = where[label]
        value = grid.value(row, column)
        text = code_text(value) if key in ("code", "parent_code", "year") else grid.raw_text(row, column)
        data[key] = (text, row, column)
    return data


def _read_notes(grid: Grid) -> dict:
    kinds = {labels.clean(name): key for key, name in labels.NOTE_KINDS.items()}
    part: dict = {}
    for row in range(3, grid.max_row + 1):
        kind = kinds.get(grid.text(row, 1))
        if kind is None:
            continue
        key, text, based_on = grid.raw_text(row, 2), as_text(grid.value(row, 3)), as_text(grid.value(row, 4))
        if kind == "explanations":
            part.setdefault(kind, []).append({"finding": key, "text": text})
        elif kind in labels.KEYED_NOTE_KINDS:
            part.setdefault(kind, {})[key] = text
        else:
            part.setdefault(kind, []).append({"section": key, "text": text, "based_on": based_on})
    return part


# ---- the whole workbook ------------------------------------------------------------------------

def _refuse(problems: list[Problem], path: Path) -> None:
    listed = "\n".join(str(problem) for problem in problems[:MAX_LISTED])
    more = f"\n……另有 {len(problems) - MAX_LISTED} 处问题。" if len(problems) > MAX_LISTED else ""
    raise InputError(f"工作簿“{path.name}”有 {len(problems)} 处无法读取，未导入任何数据：\n{listed}{more}")


def read_workbook(store: Store, path: str | Path, *, progress: Progress | None = None) -> ImportPlan:
    """Everything the workbook would import, checked like ``import-json`` checks a document; an
    InputError listing every unreadable cell when anything cannot be read."""
    path = safety.check_file(path)
    step(progress, 0, 4, "读取工作簿")
    values_book = safety.load(path)
    safety.check_bounds(values_book, path)
    step(progress, 1, 4, "读取公式")
    formulas = safety.formula_cells(path)
    grids = [Grid(formulas.get(ws.title, set()), ws) for ws in values_book.worksheets]
    step(progress, 2, 4, "识别工作表")
    kinds: dict[str, list[Grid]] = {}
    for grid in grids:
        kind = sheet_kind(grid)
        if kind is not None:
            kinds.setdefault(kind, []).append(grid)
    reader = Reader()
    problems = reader.problems
    for kind, found in kinds.items():
        if kind != PROJECT and len(found) > 1:
            sheet_names = "、".join(grid.title for grid in found)
            problems.append(Problem(found[1].title, "A1", "", f"与工作表 {sheet_names} 是同一张表，不知道该用哪一张"))
    if UNIT not in kinds:
        raise InputError(f"工作簿“{path.name}”中没有“{labels.UNIT_SHEET_TITLE}”工作表，无法确定单位和预算年度；"
                         "请使用 BudgetDesk 导出的工作簿填写。")
    unit_grid = kinds[UNIT][0]
    unit_data = _read_unit(unit_grid, reader)
    if problems:
        _refuse(problems, path)
    year_text, year_row, year_column = unit_data["year"]
    if not year_text.isdigit():
        reader.problem(unit_grid, year_row, year_column, "预算年度应为四位数字")
        _refuse(problems, path)
    year = int(year_text)
    money_unit = unit_data.get("money_unit", ("万元", 0, 0))[0] or "万元"
    if money_unit not in MONEY_UNITS:
        _, row, column = unit_data["money_unit"]
        reader.problem(unit_grid, row, column, "金额单位只能是“万元”或“元”")
        _refuse(problems, path)
    reader.money_unit = money_unit
    status_text = unit_data.get("status", ("编制中", 0, 0))[0] or "编制中"
    status = _STATUS_BY_NAME.get(status_text, status_text)
    if status not in STATUS_NAMES:
        _, row, column = unit_data["status"]
        reader.problem(unit_grid, row, column, "填报状态只能是“编制中”或“已上报”")
    try:
        codes = store.code_tables(year)
    except (InputError, NotFoundError) as exc:
        raise InputError(f"工作簿的预算年度 {year} 无法使用：{exc}") from None
    unit = {key: unit_data[key][0] if key in unit_data else "" for key, _label in labels.UNIT_LABELS if key != "parent_code"}
    if unit_data.get("parent_code", ("",))[0]:
        unit["parent_code"] = unit_data["parent_code"][0]

    workbook = Workbook(codes)
    computed: dict[str, tuple[Grid, dict]] = {}
    for form in all_forms():
        if form.id not in kinds:
            problems.append(Problem(path.name, "—", "", f"工作簿中没有《{form.title}》工作表"))
            continue
        grid = kinds[form.id][0]
        cells = read_form(grid, form, workbook, reader)
        for (row, column), value in cells.entered.items():
            workbook.values[(form.id, row, column)] = value
        if cells.present:
            workbook.present_rows.setdefault(form.id, set()).update(cells.present)
        computed[form.id] = (grid, cells.computed)
    workbook.invalidate()
    step(progress, 3, 4, "读取项目")
    projects: list[tuple[int | None, int, dict]] = []
    for number, grid in enumerate(kinds.get(PROJECT, [])):
        read = read_project(grid, reader)
        if read is not None:
            projects.append((read[0], number, read[1]))
    projects.sort(key=lambda item: (item[0] is None, item[0] or 0, item[1]))
    project_docs = [data for _position, _number, data in projects]
    names = [data["name"] for data in project_docs]
    for name in {n for n in names if names.count(n) > 1}:
        sheets = [grid.title for grid in kinds.get(PROJECT, []) if labels.clean(name) in {t for t in grid.row_texts(3)}]
        problems.append(Problem("、".join(sheets) or path.name, "C3", name, "项目名称重复"))
    overall = read_overall(kinds[OVERALL][0], reader) if OVERALL in kinds else None
    procurement = read_procurement(kinds[PROCUREMENT][0], reader, set(names)) if PROCUREMENT in kinds else []
    assets = read_assets(kinds[ASSETS][0], reader) if ASSETS in kinds else None
    notes = _read_notes(kinds[NOTES][0]) if NOTES in kinds else {}

    self_evaluation = selfeval_sheets.read_sheets(kinds, reader)
    if problems:
        _refuse(problems, path)

    document: dict = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "unit": unit, "year": year, "money_unit": money_unit,
        "status": status, "code_editions": {kind: table.edition for kind, table in codes.items()},
        "editions": current_editions(codes),  # the sheets were read with today's definitions
        "values": [{"form": form, "row": row, "column": column, "value": exact_text(value)}
                   for (form, row, column), value in sorted(workbook.values.items())],
    }
    added = sorted((form, row) for form, rows in workbook.present_rows.items() for row in rows)
    if added:
        document["rows"] = [{"form": form, "row": row} for form, row in added]
    if project_docs:
        document["projects"] = project_docs
    if overall is not None:
        document["overall_targets"] = overall
    if procurement:
        document["procurement"] = procurement
    if assets is not None:
        document["assets"] = assets
    document.update(notes)
    if self_evaluation is not None:
        document["self_evaluation"] = self_evaluation
    warnings = _disagreements(workbook, computed)
    step(progress, 4, 4, "读取完成")
    return ImportPlan(path, document, warnings)


def _disagreements(workbook: Workbook, computed: dict[str, tuple[Grid, dict]]) -> list[str]:
    warnings = []
    for form in all_forms():
        if form.id not in computed:
            continue
        grid, cells = computed[form.id]
        for (row, column), (value, address) in cells.items():
            try:
                expected = workbook.value(form.id, row, column)
            except (InputError, NotFoundError):
                continue
            if (expected or Decimal(0)) != value:
                # exact figures: a difference below 0.01 must show
                warnings.append(f"{grid.title}!{address}：文件中为 {exact_text(value)}，按录入的单元格计算应为 "
                                f"{exact_text(expected) or '空'}（计算单元格不导入，以计算结果为准）")
    return warnings


def import_workbook(store: Store, plan: ImportPlan, *, replace: bool = False) -> BudgetDataset:
    """Write the plan through the one door (``app.exchange.interchange.import_document``), audited as 导入."""
    return import_document(store, plan.document, replace=replace, source="导入")
