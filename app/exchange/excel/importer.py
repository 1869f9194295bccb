"""Read an official-layout workbook back into an interchange document, all or nothing.

Sheets are found by their title text and columns by their header text, never by position, so
reordered or extra sheets, extra columns, blank or hidden rows and merged cells do no harm. What
a cell holds is read as Excel or WPS shows it: a number, an amount typed as text (``1,206.65``,
``１２０６.６５``, ``1206.65万元``) or a formula's cached value. Computed cells are not imported; where
one disagrees with what the entered cells give, that is reported beside the plan (a warning).
Every cell that cannot be read is reported as ``工作表!地址``, its content and the reason, and then
nothing is imported. ``import_workbook`` writes through ``app.exchange.interchange.import_document``.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl.utils import get_column_letter

from app.base.errors import InputError, NotFoundError
from app.base.money import MAX_ABS, MONEY_UNITS, format_amount, normalize_text, parse_amount
from app.base.progress import Progress, step
from app.domain.compute import Workbook
from app.domain.forms import TOTAL_ROW, FormDef, all_forms
from app.domain.records import STATUS_NAMES
from app.exchange.excel import layout as L
from app.exchange.excel import safety
from app.exchange.interchange import FORMAT, FORMAT_VERSION, export_document, import_document
from app.printing.procurement import ASSETS_TITLE, PROCUREMENT_TITLE
from app.printing.projects import NO_PROJECTS_NOTE, OVERALL_TITLE, PROJECT_TITLE
from app.printing.tables import AMOUNT, CODE, NAME, print_columns
from app.printing.targets import SUMMARY_TITLE
from app.projects import (
    ASSET_ROWS,
    PROCUREMENT_FUNDS,
    decimal_text,
    parse_quantity,
    resolve_level1,
    resolve_level2,
    split_indicator_value,
)
from app.projects.validation import _attribute

MAX_LISTED = 50  # problems listed in the message; the count says how many more
_TOLERANCE = Decimal("0.000001")  # a cached formula result like 0.30000000000000004 is 0.30
_STATUS_BY_NAME = {name: key for key, name in STATUS_NAMES.items()}


@dataclass
class Problem:
    sheet: str
    address: str
    content: object
    reason: str

    def __str__(self) -> str:
        content = "" if self.content is None else str(self.content)
        shown = f"“{content[:40]}”" if content else "（空）"
        return f"{self.sheet}!{self.address} {shown}：{self.reason}"


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


# ---- one sheet as text and values ---------------------------------------------------------------

class Grid:
    """A sheet read twice (formulas and cached values), merged cells resolved to their top-left."""

    def __init__(self, formulas: set[tuple[int, int]], values_ws) -> None:
        self.title = values_ws.title
        self.values_ws = values_ws
        self.formulas = formulas
        self.cells = values_ws._cells
        self.max_row = values_ws.max_row
        self.max_column = values_ws.max_column
        self.merged: dict[tuple[int, int], tuple[int, int]] = {}
        self.merge_end: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in values_ws.merged_cells.ranges:
            self.merge_end[(rng.min_row, rng.min_col)] = (rng.max_row, rng.max_col)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        self.merged[(r, c)] = (rng.min_row, rng.min_col)

    def origin(self, row: int, column: int) -> tuple[int, int]:
        return self.merged.get((row, column), (row, column))

    def value(self, row: int, column: int):
        cell = self.cells.get(self.origin(row, column))  # never ws.cell(): it would add empty cells
        return None if cell is None else cell.value

    def text(self, row: int, column: int) -> str:
        return L.clean(_as_text(self.value(row, column)))

    def raw_text(self, row: int, column: int) -> str:
        return _as_text(self.value(row, column)).strip()

    def is_formula(self, row: int, column: int) -> bool:
        return self.origin(row, column) in self.formulas

    def right_of(self, row: int, column: int) -> tuple[int, int]:
        """The cell after a (possibly merged) label."""
        _last_row, last_column = self.merge_end.get((row, column), (row, column))
        return row, last_column + 1

    def row_texts(self, row: int) -> list[str]:
        return [self.text(row, c) for c in range(1, self.max_column + 1)]

    def address(self, row: int, column: int) -> str:
        return f"{get_column_letter(column)}{row}"


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


class Reader:
    """Collects problems while reading cells; raises once at the end."""

    def __init__(self, money_unit: str = "") -> None:
        self.problems: list[Problem] = []
        self.money_unit = money_unit

    def problem(self, grid: Grid, row: int, column: int, reason: str) -> None:
        self.problems.append(Problem(grid.title, grid.address(row, column), grid.raw_text(row, column), reason))

    def amount(self, grid: Grid, row: int, column: int, *, needed: bool = True) -> Decimal | None:
        """The amount a cell shows; a problem (and None) when it is not one. ``needed``: the value
        is imported (a formula without a cached value is then a problem)."""
        value = grid.value(row, column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if needed and grid.is_formula(row, column):
                self.problem(grid, row, column, "公式没有保存计算结果（文件未在 Excel/WPS 中计算并保存过），"
                                                "请在 Excel 或 WPS 中打开并保存后再导入，或改为直接填写数字")
            return None
        try:
            return _amount(value, self.money_unit)
        except InputError as exc:
            self.problem(grid, row, column, str(exc))
            return None

    def quantity(self, grid: Grid, row: int, column: int, label: str, *, whole: bool = False) -> str | None:
        value = grid.value(row, column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = parse_quantity(normalize_text(_as_text(value)), label, whole=whole)
        except InputError as exc:
            self.problem(grid, row, column, str(exc))
            return None
        return decimal_text(number)


def _amount(value, money_unit: str) -> Decimal | None:
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        raise InputError("不是金额（单元格是逻辑值或日期）")
    if isinstance(value, float):  # pragma: no cover - numbers are read as Decimal (safety.decimal_numbers)
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError("不是有限的数字")
        if abs(value) > MAX_ABS:  # checked before rounding: 1E+308 has no 0.01 in Decimal's precision
            raise InputError(f"金额 {value:E} 过大（超过 {MAX_ABS:,}），请检查是否多输入了数字或单元格格式有误")
        rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # only a float artefact is snapped
        if abs(rounded - value) <= _TOLERANCE:
            value = rounded
        return parse_amount(value)
    if isinstance(value, int):
        return parse_amount(value)
    text = str(value)
    if text.startswith("#"):
        raise InputError("公式出错（Excel 显示错误值），请改正后再导入")
    cleaned = normalize_text(text)
    for unit in ("万元", "元"):
        if cleaned.endswith(unit):
            if money_unit and unit != money_unit and re.match(r"^[+-]?[\d,]*\.?\d*$", cleaned[:-len(unit)]):
                raise InputError(f"金额单位是“{unit}”，本工作簿的金额单位是“{money_unit}”")
            break
    return parse_amount(text)


# ---- locating sheets ---------------------------------------------------------------------------

UNIT, NOTES, PROJECT, SUMMARY, OVERALL, PROCUREMENT, ASSETS = (
    "unit", "notes", "project", "summary", "overall", "procurement", "assets")


def _known_titles() -> dict[str, str]:
    titles = {L.clean(form.title): form.id for form in all_forms()}
    titles.update({L.clean(L.UNIT_SHEET_TITLE): UNIT, L.clean(L.NOTES_SHEET_TITLE): NOTES,
                   L.clean(PROJECT_TITLE): PROJECT, L.clean(SUMMARY_TITLE): SUMMARY,
                   L.clean(OVERALL_TITLE): OVERALL, L.clean(PROCUREMENT_TITLE): PROCUREMENT,
                   L.clean(ASSETS_TITLE): ASSETS})
    from app.exchange.excel.selfeval import titles as selfeval_titles

    titles.update(selfeval_titles())
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


# ---- the nine forms ----------------------------------------------------------------------------

@dataclass
class FormCells:
    """One form's cells as read: entered values, computed values seen, added rows."""

    entered: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    computed: dict[tuple[str, str], tuple[Decimal, str]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)


def _header_block(grid: Grid, form: FormDef) -> tuple[int, int, int] | None:
    """(first header row, last header row, first body row), from the header texts and 栏次."""
    columns = print_columns(form)
    titles = {L.clean(t) for column in columns for t in column.path if t}
    top = None
    numbers = None
    for row in range(2, min(grid.max_row, 20) + 1):
        texts = grid.row_texts(row)
        if top is None and sum(1 for t in texts if t in titles) >= 2:
            top = row
        if top is not None and texts and "栏次" in texts[:3]:
            numbers = row
            break
    if top is None:
        return None
    if numbers is not None:
        return top, numbers - 1, numbers + 1
    bottom = top
    while bottom + 1 <= grid.max_row and any(
            t in titles for t in grid.row_texts(bottom + 1)) and bottom - top < 4:
        bottom += 1
    return top, bottom, bottom + 1


def _column_paths(grid: Grid, top: int, bottom: int) -> dict[int, tuple[str, ...]]:
    paths = {}
    for column in range(1, grid.max_column + 1):
        path: list[str] = []
        for row in range(top, bottom + 1):
            text = grid.text(row, column)
            if text and (not path or path[-1] != text):
                path.append(text)
        if path:
            paths[column] = tuple(path)
    return paths


def _map_columns(grid: Grid, form: FormDef, reader: Reader, top: int, bottom: int) -> dict[int, object]:
    """Sheet column → print column of the form (by the header path, else by a unique last title)."""
    expected = print_columns(form)
    paths = _column_paths(grid, top, bottom)
    by_path = {tuple(L.clean(t) for t in column.path if t): column for column in expected}
    mapping: dict[int, object] = {}
    for index, path in paths.items():
        column = by_path.get(path)
        if column is None:
            same_last = [c for p, c in by_path.items() if p and p[-1] == path[-1]]
            column = same_last[0] if len(same_last) == 1 else None
        if column is not None and column not in mapping.values():
            mapping[index] = column
    for column in expected:
        missing = column not in mapping.values()
        needed = column.kind in (CODE, NAME) or (column.kind == AMOUNT and column.column.entered)
        if missing and needed:
            title = "/".join(t for t in column.path if t)
            reader.problems.append(Problem(grid.title, f"{top}:{bottom}", title, f"表头中找不到“{title}”栏"))
    return mapping


def _read_form(grid: Grid, form: FormDef, workbook: Workbook, reader: Reader) -> FormCells:
    cells = FormCells()
    block = _header_block(grid, form)
    if block is None:
        reader.problems.append(Problem(grid.title, "A1", form.title, "找不到表头（序号、科目编码等栏目名称）"))
        return cells
    top, bottom, body = block
    mapping = _map_columns(grid, form, reader, top, bottom)
    amount_columns = [(index, column) for index, column in mapping.items() if column.kind == AMOUNT]
    if form.code_kind:
        _read_code_rows(grid, form, workbook, reader, mapping, amount_columns, body, cells)
    else:
        _read_fixed_rows(grid, form, workbook, reader, mapping, amount_columns, body, cells)
    return cells


def _code_text(value) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return L.clean(_as_text(value))


def _read_code_rows(grid, form, workbook, reader, mapping, amount_columns, body, cells) -> None:
    code_column = next((i for i, c in mapping.items() if c.kind == CODE), None)
    name_column = next((i for i, c in mapping.items() if c.kind == NAME), None)
    if code_column is None:
        return
    table = workbook.codes[form.code_kind]
    rows: dict[str, dict[str, tuple[Decimal | None, int, int]]] = {}
    for row in range(body, grid.max_row + 1):
        code = _code_text(grid.value(row, code_column))
        name = grid.text(row, name_column) if name_column else ""
        if code.startswith("注"):
            continue
        if not code:
            filled = [i for i, _c in amount_columns if grid.raw_text(row, i)]
            if name == "合计":
                for index, column in amount_columns:
                    value = reader.amount(grid, row, index, needed=False)
                    if value is not None:
                        cells.computed[(TOTAL_ROW, column.column.key)] = (value, grid.address(row, index))
            elif filled and not name.startswith("注"):
                reader.problem(grid, row, code_column, "这一行有金额但没有科目编码")
            continue
        if code not in table:
            reader.problem(grid, row, code_column, f"科目编码 {code} 不在{table.title or '本年度科目表'}中")
            continue
        if code in rows:
            reader.problem(grid, row, code_column, f"科目编码 {code} 出现了两次")
            continue
        rows[code] = {}
        for index, column in amount_columns:
            rows[code][column.column.key] = (None, row, index)
    codes = set(rows)
    leaves = {code for code in codes if not any(other != code and other.startswith(code) for other in codes)}
    for code, columns in rows.items():
        has_value = False
        for key, (_none, row, index) in columns.items():
            column_def = form.column(key)
            imported = code in leaves and column_def.entered and not column_def.sum_of
            value = reader.amount(grid, row, index, needed=imported)
            if value is None:
                continue
            if imported:
                cells.entered[(code, key)] = value
                has_value = True
            else:
                cells.computed[(code, key)] = (value, grid.address(row, index))
        if code in leaves and not has_value:
            cells.present.add(code)


def _read_fixed_rows(grid, form, workbook, reader, mapping, amount_columns, body, cells) -> None:
    fixed = list(workbook.fixed_rows(form).values())
    sides = [None] if form.layout != "two_sided" else list(form.sides)
    for side in sides:
        name_column = next((i for i, c in mapping.items() if c.kind == NAME and c.side == side), None)
        if name_column is None:
            continue
        expected = [row for row in fixed if side is None or row.side == side]
        mine = [(i, c) for i, c in amount_columns if c.side == side]
        position = 0
        for row in range(body, grid.max_row + 1):
            title = grid.text(row, name_column)
            if not title:
                continue
            match = next((k for k in range(position, len(expected)) if L.clean(expected[k].title) == title), None)
            if match is None:
                match = next((k for k in range(len(expected)) if L.clean(expected[k].title) == title), None)
            if match is None:
                if any(grid.raw_text(row, i) for i, _c in mine):
                    reader.problem(grid, row, name_column, f"《{form.title}》没有这一行，无法确定金额属于哪里")
                continue
            row_def = expected[match]
            position = match + 1
            for index, column in mine:
                key = column.column.key
                if row_def.side and column.column.side and row_def.side != column.column.side:
                    continue
                imported = workbook.is_entered(form.id, row_def.key, key)
                value = reader.amount(grid, row, index, needed=imported)
                if value is None:
                    continue
                if imported:
                    cells.entered[(row_def.key, key)] = value
                else:
                    cells.computed[(row_def.key, key)] = (value, grid.address(row, index))


# ---- label/value sheets ------------------------------------------------------------------------

def _labels(grid: Grid, first: int, last: int, wanted: set[str]) -> dict[str, tuple[int, int]]:
    """Where the value beside each wanted label is (the cell right of the label's merged range)."""
    found: dict[str, tuple[int, int]] = {}
    for row in range(first, last + 1):
        for column in range(1, grid.max_column + 1):
            if grid.origin(row, column) != (row, column):
                continue
            text = grid.text(row, column)
            if text in wanted and text not in found:
                found[text] = grid.right_of(row, column)
    return found


def _read_unit(grid: Grid, reader: Reader) -> dict:
    labels = {L.clean(label): key for key, label in L.UNIT_LABELS}
    extra = {L.clean(L.YEAR_LABEL): "year", L.clean(L.MONEY_UNIT_LABEL): "money_unit",
             L.clean(L.STATUS_LABEL): "status"}
    where = _labels(grid, 1, grid.max_row, set(labels) | set(extra))
    data: dict = {}
    for label, key in {**labels, **extra}.items():
        if label not in where:
            if key in ("code", "name", "year"):
                reader.problems.append(Problem(grid.title, "A1", "", f"找不到“{label}”"))
            continue
        row, column = where[label]
        value = grid.value(row, column)
        text = _code_text(value) if key in ("code", "parent_code", "year") else grid.raw_text(row, column)
        data[key] = (text, row, column)
    return data


# ---- the project part --------------------------------------------------------------------------

def _header_row(grid: Grid, first: int, needed: set[str]) -> int | None:
    for row in range(first, grid.max_row + 1):
        if needed <= set(grid.row_texts(row)):
            return row
    return None


def _indicators(grid: Grid, header: int, columns: dict[str, int], reader: Reader, *, levels_required: bool,
                carry: tuple[str, ...]) -> list[dict]:
    items: list[dict] = []
    last: dict[str, str] = {}
    for row in range(header + 1, grid.max_row + 1):
        texts = {key: grid.raw_text(row, column) for key, column in columns.items()}
        if not any(texts.values()):
            continue
        if texts.get("name", "").startswith("注：") and len([t for t in texts.values() if t]) == 1:
            continue
        for key in carry:  # a merged cell (or a blank under it, as pasted) repeats the value above
            if texts.get(key):
                last[key] = texts[key]
            elif key in last:
                texts[key] = last[key]
        item = {"level1": "", "level2": "", "name": texts.get("name", ""), "description": texts.get("description", ""),
                "basis": texts.get("basis", "")}
        try:
            if texts.get("level1"):
                item["level1"] = resolve_level1(texts["level1"])
            if texts.get("level2"):
                item["level2"] = resolve_level2(texts["level2"], item["level1"] or None)
        except InputError as exc:
            reader.problem(grid, row, columns.get("level2", columns.get("level1", 1)), str(exc))
            continue
        comparator, value, unit = split_indicator_value(texts.get("value", ""))
        item.update(comparator=comparator, value=value, unit=unit)
        for key in ("period_value", "note"):
            if texts.get(key):
                item[key] = texts[key]
        if levels_required and not (item["level1"] and item["level2"]):
            reader.problem(grid, row, columns.get("level1", 1), "绩效指标缺少一级或二级指标")
        items.append(item)
    return items


_PERIOD = re.compile(r"^(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?$")


def _period_dates(text: str) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    parts = normalize_text(text).replace("至", "-").replace("—", "-").replace("–", "-")
    pieces = [piece for piece in re.split(r"-(?=\d{4})", parts)]
    dates = []
    for piece in pieces:
        match = _PERIOD.match(piece)
        if not match:
            raise InputError("实施周期应写成 2023.1.1-2023.12.31")
        dates.append(date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat())
    if len(dates) == 1:
        return dates[0], None
    return dates[0], dates[1]


def _read_project(grid: Grid, reader: Reader) -> tuple[int | None, dict] | None:
    if grid.text(3, 1) == L.clean(NO_PROJECTS_NOTE):  # the sheet of a dataset without projects
        return None
    columns_wanted = {L.clean(title): key for key, title in (*L.INDICATOR_COLUMNS, *L.INDICATOR_EXTRA)}
    header = _header_row(grid, 3, {L.clean("三级指标"), L.clean("指标值")})
    last = (header - 1) if header else grid.max_row
    text_labels = {L.clean(label): key for label, key in L.PROJECT_TEXT_LABELS.items()}
    money_labels = {L.clean(label): key for label, key in L.PROJECT_MONEY_LABELS.items()}
    goal_labels = {L.clean(L.PERIOD_GOAL_LABEL): "period_goal", L.clean(L.GOAL_LABEL): "annual_goal"}
    where = _labels(grid, 3, last, set(text_labels) | set(money_labels) | set(goal_labels))
    data: dict = {}
    position = None
    for label, key in text_labels.items():
        if label not in where:
            continue
        row, column = where[label]
        text = grid.raw_text(row, column)
        if key == "position":
            position = int(text) if text.isdigit() else None
        elif key == "period":
            try:
                start, end = _period_dates(text)
            except InputError as exc:
                reader.problem(grid, row, column, str(exc))
                continue
            if start:
                data["period_start"] = start
            if end:
                data["period_end"] = end
        elif key == "attribute":
            try:
                attribute = _attribute(text)
            except InputError as exc:
                reader.problem(grid, row, column, str(exc))
                continue
            if attribute:
                data["attribute"] = attribute
        elif key == "code" or key == "function_code":
            text = _code_text(grid.value(row, column))
            if text:
                data[key] = text
        elif text:
            data[key] = text
    if not data.get("name"):
        reader.problems.append(Problem(grid.title, "A3", "", "找不到项目名称"))
        return None
    for label, key in money_labels.items():
        if label in where:
            value = reader.amount(grid, *where[label])
            if value is not None:
                data[key] = format_amount(value)
    for label, key in goal_labels.items():
        if label in where:
            text = grid.raw_text(*where[label])
            if text:
                data[key] = text
    funding: dict = {}
    fund_titles = {L.clean(title): key for title, key in L.FUND_TITLES.items()}
    for row in range(3, last + 1):
        for column in range(1, grid.max_column + 1):
            key = fund_titles.get(grid.text(row, column)) if grid.origin(row, column) == (row, column) else None
            if key is None:
                continue
            value = reader.amount(grid, row + 1, column)
            if value is None:
                continue
            if key == "amount":
                data["amount"] = format_amount(value)
            else:
                funding[key] = format_amount(value)
    if funding:
        data["funding"] = funding
    indicators: list[dict] = []
    if header is not None:
        columns = {columns_wanted[t]: c for c, t in enumerate(grid.row_texts(header), start=1) if t in columns_wanted}
        indicators = _indicators(grid, header, columns, reader, levels_required=True, carry=("level1", "level2"))
    data["indicators"] = indicators
    return position, data


def _read_overall(grid: Grid, reader: Reader) -> dict | None:
    header = _header_row(grid, 3, {L.clean("分项绩效目标"), L.clean("绩效指标")})
    where = _labels(grid, 3, (header or grid.max_row + 1) - 1, {L.clean(L.OVERALL_GOAL_LABEL)})
    goal = grid.raw_text(*where[L.clean(L.OVERALL_GOAL_LABEL)]) if where else ""
    indicators: list[dict] = []
    if header is not None:
        wanted = {L.clean(title): key for key, title in (*L.OVERALL_COLUMNS, *L.OVERALL_EXTRA)}
        columns = {wanted[t]: c for c, t in enumerate(grid.row_texts(header), start=1) if t in wanted}
        indicators = _indicators(grid, header, columns, reader, levels_required=False, carry=("note",))
    if not goal and not indicators:
        return None
    return {"goal": goal, "indicators": indicators}


def _read_procurement(grid: Grid, reader: Reader, project_names: set[str]) -> list[dict]:
    top = _header_row(grid, 2, {L.clean("采购物品名称")})
    if top is None:
        reader.problems.append(Problem(grid.title, "A3", "", "找不到表头（采购物品名称等）"))
        return []
    bottom = top + 1
    titles = {"项目名称": "project", "预算资金": "budget", "采购物品名称": "item_name",
              "政府采购目录序号": "catalogue_code", "计量单位": "measure_unit", "数量": "quantity", "单价": "unit_price",
              "合计": "total", L.PROCUREMENT_ORDER_TITLE: "order", **{label: key for key, label in PROCUREMENT_FUNDS}}
    wanted = {L.clean(title): key for title, key in titles.items()}
    columns: dict[str, int] = {}
    for column in range(1, grid.max_column + 1):
        for row in (bottom, top):
            text = grid.text(row, column)
            key = wanted.get(text)
            if key is None and text.endswith("预留中小微企业份额"):
                key = "sme_reserved"
            if key is not None and key not in columns and grid.origin(row, column)[1] == column:
                columns[key] = column
                break
    items: list[tuple[int, int, dict]] = []
    for row in range(bottom + 1, grid.max_row + 1):
        label = grid.text(row, columns.get("project", 1))
        name = grid.raw_text(row, columns["item_name"]) if "item_name" in columns else ""
        if label == "合计" or label.endswith("小计") or label.startswith("注"):
            continue
        if not label and not name:
            continue
        project = grid.raw_text(row, columns.get("project", 1))
        if project not in project_names:
            reader.problem(grid, row, columns.get("project", 1), "项目来源不是本工作簿中任何一个项目的名称")
            continue
        item: dict = {"project": project, "item_name": name,
                      "catalogue_code": grid.raw_text(row, columns["catalogue_code"]) if "catalogue_code" in columns else ""}
        if "measure_unit" in columns and grid.raw_text(row, columns["measure_unit"]):
            item["measure_unit"] = grid.raw_text(row, columns["measure_unit"])
        if "quantity" in columns:
            quantity = reader.quantity(grid, row, columns["quantity"], "数量")
            if quantity is not None:
                item["quantity"] = quantity
        if "unit_price" in columns:
            price = reader.amount(grid, row, columns["unit_price"])
            if price is not None:
                item["unit_price"] = format_amount(price)
        funding = {}
        for key, _label in PROCUREMENT_FUNDS:
            if key in columns:
                value = reader.amount(grid, row, columns[key])
                if value is not None:
                    funding[key] = format_amount(value)
        item["funding"] = funding
        if "sme_reserved" in columns:
            value = reader.amount(grid, row, columns["sme_reserved"])
            if value is not None:
                item["sme_reserved"] = format_amount(value)
        order = grid.text(row, columns["order"]) if "order" in columns else ""
        items.append((int(order) if order.isdigit() else len(items) + 100_000, len(items), item))
    return [item for _order, _number, item in sorted(items, key=lambda entry: entry[:2])]


def _read_assets(grid: Grid, reader: Reader) -> dict | None:
    data: dict = {"rows": {}}
    header = _header_row(grid, 2, {L.clean("项目"), L.clean("数量")})
    value_column = quantity_column = None
    if header is not None:
        for column, text in enumerate(grid.row_texts(header), start=1):
            if text == "数量":
                quantity_column = column
            elif text.startswith("价值"):
                value_column = column
    labels = {L.clean(label): (key, whole) for key, label, whole in ASSET_ROWS}
    for row in range(1, grid.max_row + 1):
        text = grid.text(row, 1)
        if text.startswith(L.clean(L.ASSETS_AS_OF_LABEL)):
            as_of = text[len(L.clean(L.ASSETS_AS_OF_LABEL)):]
            if as_of:
                try:
                    data["as_of"] = date.fromisoformat(as_of).isoformat()
                except ValueError:
                    reader.problem(grid, row, 1, "截止时间应写成 2022-12-31")
        elif text in labels and header is not None:
            key, whole = labels[text]
            line = {}
            if quantity_column:
                quantity = reader.quantity(grid, row, quantity_column, "数量", whole=whole)
                if quantity is not None:
                    line["quantity"] = quantity
            if value_column:
                value = reader.amount(grid, row, value_column)
                if value is not None:
                    line["value"] = format_amount(value)
            if line:
                data["rows"][key] = line
        elif text == L.clean(L.PLANNED_PURCHASES_LABEL):
            column = value_column or grid.right_of(row, 1)[1]
            value = reader.amount(grid, row, column)
            if value is not None:
                data["planned_purchases"] = format_amount(value)
    if not data["rows"] and "as_of" not in data and "planned_purchases" not in data:
        return None
    return data


def _read_notes(grid: Grid) -> dict:
    kinds = {L.clean(name): key for key, name in L.NOTE_KINDS.items()}
    part: dict = {}
    for row in range(3, grid.max_row + 1):
        kind = kinds.get(grid.text(row, 1))
        if kind is None:
            continue
        key, text, based_on = grid.raw_text(row, 2), _as_text(grid.value(row, 3)), _as_text(grid.value(row, 4))
        if kind == "explanations":
            part.setdefault(kind, []).append({"finding": key, "text": text})
        elif kind in L.KEYED_NOTE_KINDS:
            part.setdefault(kind, {})[key] = text
        else:
            part.setdefault(kind, []).append({"section": key, "text": text, "based_on": based_on})
    return part


# ---- the whole workbook ------------------------------------------------------------------------

def _refuse(problems: list[Problem], path: Path) -> None:
    listed = "\n".join(str(problem) for problem in problems[:MAX_LISTED])
    more = f"\n……另有 {len(problems) - MAX_LISTED} 处问题。" if len(problems) > MAX_LISTED else ""
    raise InputError(f"工作簿“{path.name}”有 {len(problems)} 处无法读取，未导入任何数据：\n{listed}{more}")


def read_workbook(store, path: str | Path, *, progress: Progress | None = None) -> ImportPlan:
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
            names = "、".join(grid.title for grid in found)
            problems.append(Problem(found[1].title, "A1", "", f"与工作表 {names} 是同一张表，不知道该用哪一张"))
    if UNIT not in kinds:
        raise InputError(f"工作簿“{path.name}”中没有“{L.UNIT_SHEET_TITLE}”工作表，无法确定单位和预算年度；"
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
    unit = {key: unit_data[key][0] if key in unit_data else "" for key, _label in L.UNIT_LABELS if key != "parent_code"}
    if unit_data.get("parent_code", ("",))[0]:
        unit["parent_code"] = unit_data["parent_code"][0]

    workbook = Workbook(codes)
    computed: dict[str, tuple[Grid, dict]] = {}
    for form in all_forms():
        if form.id not in kinds:
            problems.append(Problem(path.name, "—", "", f"工作簿中没有《{form.title}》工作表"))
            continue
        grid = kinds[form.id][0]
        cells = _read_form(grid, form, workbook, reader)
        for (row, column), value in cells.entered.items():
            workbook.values[(form.id, row, column)] = value
        if cells.present:
            workbook.present_rows.setdefault(form.id, set()).update(cells.present)
        computed[form.id] = (grid, cells.computed)
    workbook.invalidate()
    step(progress, 3, 4, "读取项目")
    projects: list[tuple[int | None, int, dict]] = []
    for number, grid in enumerate(kinds.get(PROJECT, [])):
        read = _read_project(grid, reader)
        if read is not None:
            projects.append((read[0], number, read[1]))
    projects.sort(key=lambda item: (item[0] is None, item[0] or 0, item[1]))
    project_docs = [data for _position, _number, data in projects]
    names = [data["name"] for data in project_docs]
    for name in {n for n in names if names.count(n) > 1}:
        sheets = [grid.title for grid in kinds.get(PROJECT, []) if L.clean(name) in {t for t in grid.row_texts(3)}]
        problems.append(Problem("、".join(sheets) or path.name, "C3", name, "项目名称重复"))
    overall = _read_overall(kinds[OVERALL][0], reader) if OVERALL in kinds else None
    procurement = _read_procurement(kinds[PROCUREMENT][0], reader, set(names)) if PROCUREMENT in kinds else []
    assets = _read_assets(kinds[ASSETS][0], reader) if ASSETS in kinds else None
    notes = _read_notes(kinds[NOTES][0]) if NOTES in kinds else {}
    from app.exchange.excel.selfeval import read_sheets
    from app.store.editions import current_editions

    self_evaluation = read_sheets(kinds, reader)
    if problems:
        _refuse(problems, path)

    document: dict = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "unit": unit, "year": year, "money_unit": money_unit,
        "status": status, "code_editions": {kind: table.edition for kind, table in codes.items()},
        "editions": current_editions(codes),  # the sheets were read with today's definitions
        "values": [{"form": form, "row": row, "column": column, "value": format_amount(value)}
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
                warnings.append(f"{grid.title}!{address}：文件中为 {format_amount(value)}，按录入的单元格计算应为 "
                                f"{format_amount(expected) or '空'}（计算单元格不导入，以计算结果为准）")
    return warnings


# ---- what would change, and the import itself ------------------------------------------------

@dataclass
class Change:
    kind: str  # 单元格 / 项目 / 其他
    where: str
    before: str
    after: str


def diff_against(store, plan: ImportPlan) -> list[Change]:
    """What importing the plan would change in the stored dataset of its unit and year (everything
    is new when there is none)."""
    try:
        current = export_document(store.open_dataset(plan.unit_code, plan.year))
    except (NotFoundError, InputError):
        current = {"values": [], "unit": {}}
    new = plan.document
    changes: list[Change] = []
    codes = store.code_tables(plan.year)
    workbook = Workbook(codes)
    from app.domain.forms import form_by_id

    def cell_name(form_id: str, row: str, column: str) -> str:
        form = form_by_id(form_id)
        try:
            row_title = workbook.row_title(form_id, row)
        except (InputError, NotFoundError):
            row_title = row
        return f"《{form.short_title}》{row_title} / {form.column(column).title}"

    old_values = {(v["form"], v["row"], v["column"]): v["value"] for v in current.get("values", [])}
    new_values = {(v["form"], v["row"], v["column"]): v["value"] for v in new.get("values", [])}
    order = {form.id: index for index, form in enumerate(all_forms())}
    for key in sorted(old_values.keys() | new_values.keys(), key=lambda k: (order.get(k[0], 99), k[1], k[2])):
        before, after = old_values.get(key, ""), new_values.get(key, "")
        if before != after:
            changes.append(Change("单元格", cell_name(*key), before or "空", after or "空"))
    old_projects = {p["name"]: p for p in current.get("projects", [])}
    new_projects = {p["name"]: p for p in new.get("projects", [])}
    for name in new_projects:
        if name not in old_projects:
            changes.append(Change("项目", name, "无", "新增"))
        elif old_projects[name] != new_projects[name]:
            changes.append(Change("项目", name, "原内容", "修改"))
    for name in old_projects:
        if name not in new_projects:
            changes.append(Change("项目", name, "原有", "删除"))
    if [p for p in old_projects if p in new_projects] != [p for p in new_projects if p in old_projects]:
        changes.append(Change("项目", "项目顺序", "原顺序", "按工作簿中的顺序"))
    for key, label in (("overall_targets", "部门整体绩效目标"), ("procurement", "政府采购预算表"),
                       ("assets", "部门固定资产占用情况表"), ("unit", "单位基本信息"), ("status", "填报状态"),
                       ("money_unit", "金额单位"), *L.NOTE_KINDS.items()):
        if current.get(key) != new.get(key) and (current.get(key) or new.get(key)):
            changes.append(Change("其他", label, "原内容" if current.get(key) else "无",
                                  "修改" if new.get(key) else "清空"))
    return changes


def import_workbook(store, plan: ImportPlan, *, replace: bool = False):
    """Write the plan through the one door (``app.exchange.interchange.import_document``), audited as 导入."""
    kwargs = {"replace": replace}
    if "source" in inspect.signature(import_document).parameters:
        kwargs["source"] = "导入"
    return import_document(store, plan.document, **kwargs)
