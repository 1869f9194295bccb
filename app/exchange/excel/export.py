"""Write a dataset (or any source shaped like one) as an official-layout xlsx workbook.

Every form sheet is generated from its definition, laid out like the printed table
(``app.printing.tables.print_columns`` / ``header_cells``, ``app.domain.layout.two_sided_lines``): title,
unit line, merged header, 栏次, body. Entered cells hold numbers; every computed cell holds a
live formula over its sources, so a total follows an edit in Excel or WPS:

* column sums (合计 = 基本 + 项目 …) and row sums (parents = Σ children, 合计 = Σ 类, fixed rows'
  ``sum_of``) as ``SUM``;
* derived tables (收支总表, 财政拨款收支总表) reference the source sheets' cells;
* a formula shows a blank, like the printed form, while none of its sources has a figure
  (``IF(COUNT(…)=0,"",…)``), and blanks count as zero beside figures, as ``app.domain.expr`` does.

Text that Excel or WPS would run as a formula is written as text with a quote prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook as XlsxBook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.properties import PageSetupProperties

from app.base.errors import InputError
from app.base.progress import Progress, step
from app.domain import expr
from app.domain.compute import FormView, RowInfo
from app.domain.forms import FormDef, all_forms, form_by_id
from app.domain.layout import two_sided_lines
from app.domain.records import STATUS_NAMES, UnitInfo
from app.exchange.excel import layout as L
from app.printing.procurement import (
    ASSETS_TITLE,
    PROCUREMENT_EMPTY_NOTE,
    PROCUREMENT_NOTE,
    PROCUREMENT_TITLE,
    procurement_groups,
)
from app.printing.projects import NO_PROJECTS_NOTE, OVERALL_TITLE, PROJECT_TITLE
from app.printing.tables import AMOUNT, CODE, DEFAULT_EMPTY_NOTE, NAME, SEQ, header_cells, print_columns
from app.printing.targets import (
    SUMMARY_FUNDS,
    SUMMARY_TITLE,
    fund_keys,
    indicator_sentence,
    period_text,
    summary_groups,
)
from app.projects import (
    ASSET_ROWS,
    PROCUREMENT_FUNDS,
    PROJECT_FUNDS,
    BookContent,
    Indicator,
    Project,
    group_indicators,
    level_name,
)

MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
_COMPUTED_FILL = PatternFill("solid", fgColor="F2F2F2")
_TITLE_FONT = Font(name="宋体", size=16, bold=True)
_FONT = Font(name="宋体", size=10)
_BOLD = Font(name="宋体", size=10, bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_RIGHT_LINE = Alignment(horizontal="right", vertical="center", wrap_text=False)
_INDENTS = {level: Alignment(horizontal="left", vertical="center", wrap_text=True, indent=level * 2) for level in range(6)}
_MAX_SUM_ARGS = 200  # Excel takes 255 arguments per function; longer lists nest
_WIDE_FORM_COLUMNS = 8  # more columns than this print landscape whatever the definition says


@dataclass
class ExportSource:
    """What a workbook is made of. ``workbook`` answers ``view(form_id)`` (app.domain.compute.Workbook);
    ``book`` is the project part (None: no project sheets); ``notes`` the interchange document's
    ``explanations`` / ``narrative`` lists (optional)."""

    workbook: object
    unit: UnitInfo
    year: int
    money_unit: str
    status: str = "draft"
    book: BookContent | None = None
    notes: dict = field(default_factory=dict)
    self_evaluation: object = None  # app.selfeval.SelfEvaluationContent (None: no 绩效自评 sheets)

    def view(self, form_id: str) -> FormView:
        return self.workbook.view(form_id)


def source_from_dataset(dataset) -> ExportSource:
    """The source of a stored dataset (app.store.service.BudgetDataset): its tables, projects and notes."""
    from app.domain.compute import Workbook
    from app.exchange.interchange import _export_notes
    from app.projects import ProjectBook

    # A copy of the entered values: the export may run in a worker while the clerk keeps typing.
    snapshot = Workbook(dataset.codes, dict(dataset.workbook.values), dataset.workbook.present_rows)
    from app.selfeval import SelfEvaluationBook

    return ExportSource(snapshot, dataset.unit, dataset.year, dataset.money_unit, dataset.status,
                        ProjectBook(dataset).content(), _export_notes(dataset),
                        SelfEvaluationBook(dataset).content())


# ---- writing cells -----------------------------------------------------------------------------

def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_STARTS)


class Sheet:
    """One worksheet being written: text, numbers, formulas, merges, borders.

    Assigning fonts and borders cell by cell makes openpyxl hash style objects thousands of times;
    each combination is set up once and its style array copied to the other cells (``_STYLES``)."""

    def __init__(self, worksheet) -> None:
        self.ws = worksheet
        # Style ids index the workbook's own style tables: one cache per workbook.
        self.styles: dict[tuple, object] = worksheet.parent.__dict__.setdefault("_budgetdesk_styles", {})

    def _styled(self, cell, key: tuple, **attributes) -> None:
        cached = self.styles.get(key)
        if cached is None:
            for name, value in attributes.items():
                if value is not None:
                    setattr(cell, name, value)
            self.styles[key] = copy(cell._style)
        else:
            cell._style = copy(cached)

    def text(self, row: int, column: int, text: object, *, align=_LEFT, font=_FONT, border=True, fill=None):
        cell = self.ws.cell(row=row, column=column)
        value = "" if text is None else str(text)
        quote = False
        if value:
            cell.value = value
            cell.data_type = "s"  # never a formula, whatever the text starts with
            quote = is_formula_like(value)  # an edit in Excel/WPS keeps it text too
        self._styled(cell, ("t", bool(value), quote, id(align), id(font), border, id(fill)),
                     number_format=TEXT_FORMAT if value else None, quotePrefix=True if quote else None,
                     alignment=align, font=font, border=_BORDER if border else None, fill=fill)
        return cell

    def number(self, row: int, column: int, value: Decimal | None, *, computed: bool = False, font=_FONT,
               number_format: str = MONEY_FORMAT):
        cell = self.ws.cell(row=row, column=column)
        if value is not None:
            cell.value = value
        self._styled(cell, ("n", computed, id(font), number_format), number_format=number_format,
                     alignment=_RIGHT, font=font, border=_BORDER, fill=_COMPUTED_FILL if computed else None)
        return cell

    def formula(self, row: int, column: int, formula: str, *, font=_FONT):
        cell = self.ws.cell(row=row, column=column)
        cell.value = "=" + formula
        self._styled(cell, ("n", True, id(font), MONEY_FORMAT), number_format=MONEY_FORMAT,
                     alignment=_RIGHT, font=font, border=_BORDER, fill=_COMPUTED_FILL)
        return cell

    def merge(self, row: int, column: int, last_row: int, last_column: int, *, border=True) -> None:
        """Merge a range; covered cells keep a ruled border (so the printed grid stays closed)."""
        if last_row == row and last_column == column:
            if border:
                cell = self.ws.cell(row=row, column=column)
                if not cell.has_style:
                    self._styled(cell, ("b",), border=_BORDER)
            return
        ws = self.ws
        ws.merged_cells.add(MergedCellRange(ws, f"{get_column_letter(column)}{row}:"
                                                f"{get_column_letter(last_column)}{last_row}"))
        for r in range(row, last_row + 1):
            for c in range(column, last_column + 1):
                if (r, c) == (row, column):
                    continue
                covered = MergedCell(ws, row=r, column=c)
                if border:
                    self._styled(covered, ("b",), border=_BORDER)
                ws._cells[(r, c)] = covered

    def fit_rows(self, first: int = 3, line_height: float = 14.0) -> None:
        """Row heights for wrapped text (Excel and LibreOffice do not measure rows of a file
        they did not lay out): the most lines any cell of the row needs at its merged width."""
        ws = self.ws
        widths: dict[int, float] = {}

        def width(column: int) -> float:
            if column not in widths:
                widths[column] = ws.column_dimensions[get_column_letter(column)].width or 8.43
            return widths[column]

        spans = {(rng.min_row, rng.min_col): rng for rng in ws.merged_cells.ranges}
        lines: dict[int, float] = {}
        for (row, column), cell in ws._cells.items():
            if row < first or not isinstance(cell.value, str) or cell.data_type != "s":
                continue
            rng = spans.get((row, column))
            if rng is not None and rng.max_row > rng.min_row:
                continue  # a vertical run has room enough
            room = sum(width(c) for c in range(column, (rng.max_col if rng else column) + 1)) - 1
            needed = sum(max(1.0, -(-_display_width(part) // max(room, 1.0))) for part in cell.value.split("\n"))
            lines[row] = max(lines.get(row, 1.0), needed)
        for row, count in lines.items():
            if count > 1 and not ws.row_dimensions[row].height:
                ws.row_dimensions[row].height = min(line_height * count + 2, 400)

    def title(self, text: str, ncols: int) -> None:
        self.text(1, 1, text, align=_CENTER, font=_TITLE_FONT, border=False)
        self.merge(1, 1, 1, ncols, border=False)
        self.ws.row_dimensions[1].height = 30

    def unit_line(self, row: int, ncols: int, left: str, middle: str, right: str) -> None:
        """``单位编码 单位名称 | 预算年度：YYYY | 单位：万元`` across the table, like the printed line."""
        right_span = max(1, round(ncols * 0.2))
        left_span = max(1, min(ncols - right_span - 1, round(ncols * 0.56))) if ncols >= 3 else 1
        parts = [(1, left_span, left, _LEFT), (left_span + 1, ncols - right_span, middle, _CENTER),
                 (ncols - right_span + 1, ncols, right, _RIGHT_LINE)]
        if ncols < 3:
            parts = [(1, ncols, f"{left}  {middle}  {right}", _LEFT)]
        for first, last, text, align in parts:
            if last < first:
                continue
            self.text(row, first, text, align=align, border=False)
            self.merge(row, first, row, last, border=False)

    def widths(self, widths: Sequence[float]) -> None:
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def page(self, orientation: str, title_rows: int, *, freeze: str | None = None) -> None:
        """A4, the header rows repeated on every page, fit to the page width (call it last)."""
        self.fit_rows()
        ws = self.ws
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = orientation
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"
        if title_rows:
            ws.print_title_rows = f"1:{title_rows}"
        if freeze:
            ws.freeze_panes = freeze


def _display_width(text: str) -> float:
    """Column width units a text needs on one line (a CJK character counts two)."""
    return sum(2.0 if ord(char) > 0x2E7F else 1.1 for char in text)


def _ref(sheet: str | None, row: int, column: int) -> str:
    address = f"{get_column_letter(column)}{row}"
    return f"{quote_sheetname(sheet)}!{address}" if sheet else address


def _sum_formula(refs: Sequence[str]) -> str | None:
    """``IF(COUNT(refs)=0,"",SUM(refs))``: blank while no source has a figure."""
    if not refs:
        return None
    chunks = [",".join(refs[i:i + _MAX_SUM_ARGS]) for i in range(0, len(refs), _MAX_SUM_ARGS)]
    count = "+".join(f"COUNT({chunk})" for chunk in chunks)
    total = "+".join(f"SUM({chunk})" for chunk in chunks)
    return f'IF({count}=0,"",{total})'


# ---- the nine forms ----------------------------------------------------------------------------

@dataclass
class FormLayout:
    """Where a form's cells are: (row key, column key) → (sheet row, sheet column)."""

    form: FormDef
    sheet: str
    view: FormView
    cells: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    header_rows: int = 0


def _form_orientation(form: FormDef, ncols: int) -> str:
    return "landscape" if form.orientation == "landscape" or ncols > _WIDE_FORM_COLUMNS else "portrait"


def _plan_form(form: FormDef, view: FormView, sheet: str) -> tuple[FormLayout, list, list]:
    """The printed lines of a form: per line, per printed column, what it shows."""
    placed = FormLayout(form, sheet, view)
    columns = print_columns(form)
    depth, _cells = header_cells(columns)
    body_start = 2 + depth + 2  # title, unit line, header rows, 栏次
    lines: list[dict[str | None, RowInfo | None]] = []
    if form.layout == "two_sided":
        lines = [{"income": line.income, "expenditure": line.expenditure} for line in two_sided_lines(view.rows)]
    elif not (form.code_kind and view.is_empty()):
        lines = [{None: row} for row in view.rows]
    for offset, rows in enumerate(lines):
        for index, column in enumerate(columns, start=1):
            row = rows.get(column.side)
            if column.kind == AMOUNT and row is not None:
                if form.layout == "two_sided" and row.side and column.column.side and row.side != column.column.side:
                    continue
                placed.cells[(row.key, column.column.key)] = (body_start + offset, index)
    placed.header_rows = body_start - 1
    return placed, columns, lines


def _cell_formula(layouts: dict[str, FormLayout], workbook, form: FormDef, row: RowInfo,
                  column_key: str) -> tuple[str | None, bool]:
    """The formula of a computed cell (None: a static value) and whether the cell is computed."""
    here = layouts[form.id]
    column_def = form.column(column_key)

    def local(row_key: str, col: str) -> str | None:
        where = here.cells.get((row_key, col))
        return _ref(None, *where) if where else None

    def refs_of(pairs) -> list[str]:
        return [ref for ref in (local(r, c) for r, c in pairs) if ref]

    if form.row_kind == "fixed":
        row_def = workbook.fixed_rows(form)[row.key]
        if column_key in row_def.cells:
            return _expression(layouts, row_def.cells[column_key], form.id), True
        if row_def.sum_of:
            return _sum_formula(refs_of((other, column_key) for other in row_def.sum_of)), True
        if column_def.sum_of:
            return _sum_formula(refs_of((row.key, other) for other in column_def.sum_of)), True
        return None, not (row_def.entered and column_def.entered)
    if column_def.sum_of:
        return _sum_formula(refs_of((row.key, other) for other in column_def.sum_of)), True
    if row.is_total:
        return _sum_formula(refs_of((code, column_key) for code in workbook.top_level(form))), True
    children = workbook.children(form, row.key)
    if children:
        return _sum_formula(refs_of((child, column_key) for child in children)), True
    return None, not column_def.entered


def _expression(layouts: dict[str, FormLayout], tree, here: str) -> str | None:
    """An ``app.domain.expr`` tree as an Excel formula over the cells it references (N() reads a blank
    as zero); None when no referenced cell is on any sheet (the cell is then a static value)."""
    refs: list[str] = []

    def render(node) -> str:
        if isinstance(node, expr.Number):
            return str(node.value)
        if isinstance(node, expr.CellRef):
            target = layouts.get(node.form)
            where = target.cells.get((node.row, node.column)) if target else None
            if where is None:
                return "0"
            ref = _ref(None if node.form == here else target.sheet, *where)
            refs.append(ref)
            return f"N({ref})"
        if isinstance(node, expr.Negate):
            return f"-({render(node.operand)})"
        if isinstance(node, expr.BinaryOp):
            return f"{render(node.left)}{node.op}({render(node.right)})" if isinstance(node.right, expr.BinaryOp) \
                else f"{render(node.left)}{node.op}{render(node.right)}"
        raise InputError(f"表样公式中有无法导出的部分：{node!r}")

    text = render(tree)
    if not refs:
        return None
    has_number = any(isinstance(n, expr.Number) for n in _nodes(tree))
    return text if has_number else f'IF(COUNT({",".join(refs)})=0,"",{text})'


def _nodes(tree):
    yield tree
    if isinstance(tree, expr.BinaryOp):
        yield from _nodes(tree.left)
        yield from _nodes(tree.right)
    elif isinstance(tree, expr.Negate):
        yield from _nodes(tree.operand)


def _write_form(ws, placed: FormLayout, columns, lines, layouts, source: ExportSource) -> None:
    form, view = placed.form, placed.view
    sheet = Sheet(ws)
    ncols = len(columns)
    sheet.title(form.title, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    depth, header = header_cells(columns)
    for cell in header:
        sheet.text(3 + cell.level, 1 + cell.column, cell.title, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
    for level in range(depth):
        for column in range(1, ncols + 1):
            ws.cell(row=3 + level, column=column).border = _BORDER
            ws.cell(row=3 + level, column=column).fill = _HEADER_FILL
    for cell in header:
        sheet.merge(3 + cell.level, 1 + cell.column, 3 + cell.last_level, 1 + cell.last_column)
    numbers_row = 3 + depth
    sheet.text(numbers_row, 1, "栏次", align=_CENTER)
    for column in range(2, ncols + 1):
        sheet.text(numbers_row, column, str(column - 1), align=_CENTER)
    body_start = numbers_row + 1
    name_width = 10.0
    for offset, rows in enumerate(lines):
        at = body_start + offset
        number = offset + 1
        for index, column in enumerate(columns, start=1):
            row = rows.get(column.side)
            if column.kind == SEQ:
                sheet.text(at, index, str(number), align=_CENTER)
            elif column.kind == CODE:
                sheet.text(at, index, row.code if row is not None and row.code and not row.is_total else "",
                           align=_LEFT)
            elif column.kind == NAME:
                title = row.title if row is not None else ""
                indent = row.indent if row is not None else 0
                bold = row is not None and (row.is_total or row.band == "footer")
                sheet.text(at, index, title, align=_INDENTS[min(indent, 5)], font=_BOLD if bold else _FONT)
                name_width = max(name_width, _display_width(title) + 2 * indent + 2)
            else:
                key = column.column.key
                if row is None or (row.key, key) not in placed.cells:
                    sheet.number(at, index, None)
                    continue
                formula, computed = _cell_formula(layouts, source.workbook, form, row, key)
                if formula is not None:
                    sheet.formula(at, index, formula)
                else:
                    sheet.number(at, index, view.value(row.key, key), computed=computed)
    last = body_start + len(lines) - 1
    if form.code_kind and view.is_empty() or not lines:
        note = form.empty_note or DEFAULT_EMPTY_NOTE
        sheet.text(last + 2, 1, note, border=False)
        sheet.merge(last + 2, 1, last + 2, ncols, border=False)
    widths = []
    for column in columns:
        if column.kind == SEQ:
            widths.append(6)
        elif column.kind == CODE:
            widths.append(12)
        elif column.kind == NAME:
            widths.append(min(max(name_width, 14), 48))
        else:
            longest = max((_display_width(t) for t in column.path if t), default=8)
            widths.append(max(14, min(longest + 2, 24)))
    sheet.widths(widths)
    freeze_column = next(i for i, column in enumerate(columns, start=1) if column.kind == AMOUNT)
    sheet.page(_form_orientation(form, ncols), numbers_row,
               freeze=f"{get_column_letter(freeze_column if form.layout != 'two_sided' else 1)}{body_start}")


# ---- the project part --------------------------------------------------------------------------

def _indicator_columns(indicators: Sequence[Indicator], base, extra) -> list[tuple[str, str]]:
    used = [item for item in extra if any(getattr(ind, item[0]) for ind in indicators)]
    return [*base, *used]


def _indicator_cell(indicator: Indicator, key: str) -> str:
    if key == "value":
        return indicator.display_value
    if key in ("level1", "level2"):
        code = getattr(indicator, key)
        return level_name(code) if code else ""
    return getattr(indicator, key)


@dataclass
class ProjectCells:
    """Where a project's sheet holds its figures (for the 汇总表 and 政府采购 formulas)."""

    sheet: str
    amounts: dict[str, tuple[int, int]] = field(default_factory=dict)


def _write_project(ws, project: Project, position: int, source: ExportSource) -> ProjectCells:
    sheet = Sheet(ws)
    columns = _indicator_columns(project.indicators, L.INDICATOR_COLUMNS, L.INDICATOR_EXTRA)
    ncols = len(columns)
    placed = ProjectCells(ws.title)
    sheet.title(PROJECT_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    row = 3

    def label(r: int, c: int, text: str, last: int | None = None) -> None:
        sheet.text(r, c, text, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
        sheet.merge(r, c, r, last or c)

    def value(r: int, c: int, text: str, last: int) -> None:
        sheet.text(r, c, text)
        sheet.merge(r, c, r, last)

    label(row, 1, "项目名称", 2)
    value(row, 3, project.name, ncols)
    pairs = [("主管部门", project.competent_department, "实施单位", project.implementing_unit),
             ("项目属性", project.attribute_name, "实施周期", period_text(project)),
             ("项目负责人", project.manager, "项目编码", project.code),
             ("功能分类科目", project.function_code, "序号", str(position))]
    for left, left_value, right, right_value in pairs:
        row += 1
        label(row, 1, left, 2)
        value(row, 3, left_value, 4)
        label(row, 5, right)
        value(row, 6, right_value, ncols)
    # 项目资金: the breakdown the printed form shows, then any other breakdown that is filled.
    shown = list(fund_keys(project))
    others = [key for key, _label in PROJECT_FUNDS if key not in shown and getattr(project, key) is not None]
    groups = [["amount", *shown]] + ([others] if others else [])
    labels = dict(PROJECT_FUNDS)
    first_money = row + 1
    for keys in groups:
        row += 1
        for offset, key in enumerate(keys):
            title = L.AMOUNT_TITLE if key == "amount" else labels[key]
            label(row, 3 + offset, title)
            sheet.number(row + 1, 3 + offset, getattr(project, key))
            placed.amounts[key] = (row + 1, 3 + offset)
        for column in range(3 + len(keys), ncols + 1):
            sheet.text(row, column, "")
            sheet.text(row + 1, column, "")
        row += 1
    label(first_money, 1, f"项目资金（{source.money_unit}）", 2)
    sheet.merge(first_money, 1, row, 2)
    row += 1
    label(row, 1, "实施期资金总额", 2)
    sheet.number(row, 3, project.period_total)
    sheet.text(row, 4, "")
    label(row, 5, "以前年度累计执行数")
    sheet.number(row, 6, project.executed_before)
    for column in range(7, ncols + 1):
        sheet.text(row, column, "")
    if project.period_goal:
        row += 1
        label(row, 1, L.PERIOD_GOAL_LABEL, 3)
        value(row, 4, project.period_goal, ncols)
    row += 1
    label(row, 1, L.GOAL_LABEL, 3)
    value(row, 4, project.annual_goal, ncols)
    row += 1
    header_row = row
    for index, (_key, title) in enumerate(columns, start=1):
        label(row, index, title)
    level1, level2 = group_indicators(project.indicators)
    start = row + 1
    for number, indicator in enumerate(project.indicators):
        for index, (key, _title) in enumerate(columns, start=1):
            text = _indicator_cell(indicator, key)
            sheet.text(start + number, index, text, align=_CENTER if key in ("level1", "level2", "value") else _LEFT)
    for runs, column in ((level1, 1), (level2, 2)):
        for run in runs:
            for extra in range(1, run.count):
                ws.cell(row=start + run.start + extra, column=column).value = None
            sheet.merge(start + run.start, column, start + run.start + run.count - 1, column)
    sheet.widths([10, 14, 20, 34, 18, 18, 14, 16][:ncols])
    sheet.page("portrait", header_row, freeze=f"A{header_row + 1}")
    return placed


def _write_summary(ws, projects: Sequence[Project], cells: Sequence[ProjectCells], source: ExportSource) -> None:
    """项目支出绩效目标表（含转移支付项目）: 合计, each 资金使用单位, its projects (figures from their sheets)."""
    sheet = Sheet(ws)
    titles = ["项目名称（资金使用单位）", *(title for _key, title in SUMMARY_FUNDS), "绩效目标", "绩效指标"]
    ncols = len(titles)
    sheet.title(SUMMARY_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    for index, title in enumerate(titles, start=1):
        sheet.text(3, index, title, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
    by_name = {id(project): placed for project, placed in zip(projects, cells, strict=True)}
    funds = [key for key, _title in SUMMARY_FUNDS]
    total_row = 4
    row = total_row
    group_rows: list[int] = []
    for group, members in summary_groups(projects, source.unit.name):
        row += 1
        group_row = row
        group_rows.append(group_row)
        member_rows = []
        for project in members:
            row += 1
            member_rows.append(row)
            sheet.text(row, 1, project.name)
            placed = by_name[id(project)]
            for offset, key in enumerate(funds, start=2):
                where = placed.amounts.get(key)
                if where is not None:
                    sheet.formula(row, offset, _sum_formula([_ref(placed.sheet, *where)]))
                else:
                    sheet.number(row, offset, getattr(project, key), computed=True)
            sheet.text(row, 6, project.annual_goal)
            sheet.text(row, 7, "".join(indicator_sentence(n, ind) for n, ind in enumerate(project.indicators, 1)))
        sheet.text(group_row, 1, group, font=_BOLD)
        for offset in range(2, 6):
            sheet.formula(group_row, offset, _sum_formula([_ref(None, r, offset) for r in member_rows]) or '""',
                          font=_BOLD)
        sheet.text(group_row, 6, "")
        sheet.text(group_row, 7, "")
    sheet.text(total_row, 1, "合计", font=_BOLD, fill=_COMPUTED_FILL)
    for offset in range(2, 6):
        formula = _sum_formula([_ref(None, r, offset) for r in group_rows])
        if formula:
            sheet.formula(total_row, offset, formula, font=_BOLD)
        else:
            sheet.number(total_row, offset, None, computed=True)
    sheet.text(total_row, 6, "")
    sheet.text(total_row, 7, "")
    sheet.widths([30, 12, 12, 12, 12, 40, 60])
    sheet.page("landscape", 3, freeze="B4")


def _write_overall(ws, book: BookContent, source: ExportSource) -> None:
    sheet = Sheet(ws)
    targets = book.overall
    columns = _indicator_columns(targets.indicators, L.OVERALL_COLUMNS, L.OVERALL_EXTRA)
    ncols = len(columns)
    sheet.title(OVERALL_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    sheet.text(3, 1, L.OVERALL_GOAL_LABEL, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
    sheet.text(3, 2, targets.goal)
    sheet.merge(3, 2, 3, ncols)
    for index, (_key, title) in enumerate(columns, start=1):
        sheet.text(4, index, title, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
    start = 5
    for number, indicator in enumerate(targets.indicators):
        for index, (key, _title) in enumerate(columns, start=1):
            sheet.text(start + number, index, _indicator_cell(indicator, key),
                       align=_CENTER if key in ("note", "value") else _LEFT)
    from app.projects.narrative import overall_groups

    for _name, first, count in overall_groups(targets.indicators):
        for extra in range(1, count):
            ws.cell(row=start + first + extra, column=1).value = None
        sheet.merge(start + first, 1, start + first + count - 1, 1)
    sheet.widths([24, 34, 24, 14, 12, 12, 18, 14][:ncols])
    sheet.page("portrait", 4, freeze="A5")


def _write_procurement(ws, book: BookContent, cells: Sequence[ProjectCells], source: ExportSource) -> None:
    sheet = Sheet(ws)
    funds = [label for _key, label in PROCUREMENT_FUNDS]
    ncols = 7 + 1 + len(funds) + 1
    sheet.title(PROCUREMENT_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    first = ["政府采购项目来源", "", "采购物品名称", "政府采购目录序号", "计量单位", "数量", "单价",
             "政府采购金额（当年部门预算安排资金）", *[""] * len(funds), f"{source.year}年预留中小微企业份额"]
    second = ["项目名称", "预算资金", "", "", "", "", "", "合计", *funds, ""]
    for index, (top, bottom) in enumerate(zip(first, second, strict=True), start=1):
        sheet.text(3, index, top, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
        sheet.text(4, index, bottom, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
    sheet.merge(3, 1, 3, 2)
    sheet.merge(3, 8, 3, 8 + len(funds))
    sheet.merge(3, ncols, 4, ncols)
    for column in range(3, 8):
        sheet.merge(3, column, 4, column)
    items = book.procurement
    projects = book.projects
    # The printed table groups rows by 资金使用单位; the stored order travels in a column right of
    # the printed area, so a round trip keeps it.
    order = {id(item): number for number, item in enumerate(items, start=1)}
    sheet.text(3, ncols + 1, L.PROCUREMENT_ORDER_TITLE, align=_CENTER, fill=_HEADER_FILL)
    sheet.merge(3, ncols + 1, 4, ncols + 1)
    amount_columns = range(8, ncols + 1)
    row = 5
    total_row = row
    group_rows = []
    if items:
        for label_text, members in procurement_groups(
                items, _indexed_projects(projects), source.unit.name):
            row += 1
            group_row = row
            group_rows.append(group_row)
            sheet.text(group_row, 1, f"{label_text}小计", font=_BOLD)
            sheet.merge(group_row, 1, group_row, 7)
            first_item = row + 1
            for item in members:
                row += 1
                project = projects[item.project_id] if item.project_id is not None else None
                sheet.text(row, 1, project.name if project else "")
                where = cells[item.project_id].amounts.get("amount") if project is not None else None
                if where is not None:
                    sheet.formula(row, 2, _sum_formula([_ref(cells[item.project_id].sheet, *where)]))
                else:
                    sheet.number(row, 2, None, computed=True)
                sheet.text(row, 3, item.item_name)
                sheet.text(row, 4, item.catalogue_code, align=_CENTER)
                sheet.text(row, 5, item.measure_unit, align=_CENTER)
                sheet.number(row, 6, item.quantity, number_format="General")
                sheet.number(row, 7, item.unit_price)
                sheet.formula(row, 8, _sum_formula([_ref(None, row, c) for c in range(9, 9 + len(funds))]))
                for offset, (key, _label) in enumerate(PROCUREMENT_FUNDS, start=9):
                    sheet.number(row, offset, getattr(item, key))
                sheet.number(row, ncols, item.sme_reserved)
                sheet.text(row, ncols + 1, str(order[id(item)]), align=_CENTER)
            for column in amount_columns:
                sheet.formula(group_row, column, _sum_formula(
                    [f"{get_column_letter(column)}{first_item}:{get_column_letter(column)}{row}"]), font=_BOLD)
    sheet.text(total_row, 1, "合计", font=_BOLD, fill=_COMPUTED_FILL)
    sheet.merge(total_row, 1, total_row, 7)
    for column in amount_columns:
        formula = _sum_formula([_ref(None, r, column) for r in group_rows])
        if formula:
            sheet.formula(total_row, column, formula, font=_BOLD)
        else:
            sheet.number(total_row, column, None, computed=True)
    sheet.text(row + 2, 1, PROCUREMENT_NOTE if items else PROCUREMENT_EMPTY_NOTE, border=False)
    sheet.merge(row + 2, 1, row + 2, ncols, border=False)
    sheet.widths([24, 12, 20, 12, 8, 8, 12, 12, *[12] * len(funds), 14, 9])
    sheet.page("landscape", 4, freeze="C6")
    ws.print_area = f"A1:{get_column_letter(ncols)}{row + 2}"


def _indexed_projects(projects: Sequence[Project]) -> list[Project]:
    """``procurement_groups`` looks projects up by ``id``; here a procurement row names its project
    by index, so hand over copies whose id is that index."""
    from dataclasses import replace

    return [replace(project, id=index) for index, project in enumerate(projects)]


def _write_assets(ws, book: BookContent, source: ExportSource) -> None:
    sheet = Sheet(ws)
    table = book.assets
    ncols = 3
    sheet.title(ASSETS_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    as_of = table.as_of.isoformat() if table.as_of else ""
    sheet.text(3, 1, f"{L.ASSETS_AS_OF_LABEL}{as_of}", border=False)
    sheet.merge(3, 1, 3, ncols, border=False)
    for index, title in enumerate(("项目", "数量", f"价值（金额单位：{source.money_unit}）"), start=1):
        sheet.text(4, index, title, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
    sheet.text(5, 1, L.ASSETS_TOTAL_LABEL, font=_BOLD)
    sheet.text(5, 2, "--", align=_CENTER)
    row = 5
    parts = []
    for key, label_text, _whole in ASSET_ROWS:
        row += 1
        line = table.line(key)
        sheet.text(row, 1, label_text)
        sheet.number(row, 2, line.quantity, number_format="General")
        sheet.number(row, 3, line.value)
        if key != "office_buildings":
            parts.append(_ref(None, row, 3))
    sheet.formula(5, 3, _sum_formula(parts), font=_BOLD)
    row += 2
    sheet.text(row, 1, L.PLANNED_PURCHASES_LABEL)
    sheet.number(row, 3, table.planned_purchases)
    sheet.text(row, 2, "")
    sheet.widths([36, 14, 24])
    sheet.page("portrait", 4, freeze="A5")


# ---- unit information and notes ---------------------------------------------------------------

def _write_unit(ws, source: ExportSource) -> None:
    sheet = Sheet(ws)
    sheet.title(L.UNIT_SHEET_TITLE, 2)
    row = 2
    unit = source.unit
    for key, label_text in L.UNIT_LABELS:
        row += 1
        sheet.text(row, 1, label_text, font=_BOLD, fill=_HEADER_FILL)
        sheet.text(row, 2, getattr(unit, key) or "")
    for label_text, value in ((L.YEAR_LABEL, str(source.year)), (L.MONEY_UNIT_LABEL, source.money_unit),
                              (L.STATUS_LABEL, STATUS_NAMES.get(source.status, source.status))):
        row += 1
        sheet.text(row, 1, label_text, font=_BOLD, fill=_HEADER_FILL)
        sheet.text(row, 2, value)
    sheet.widths([18, 50])
    sheet.page("portrait", 0)


def _write_notes(ws, notes: dict) -> None:
    sheet = Sheet(ws)
    sheet.title(L.NOTES_SHEET_TITLE, 4)
    for index, title in enumerate(L.NOTES_HEADER, start=1):
        sheet.text(2, index, title, align=_CENTER, font=_BOLD, fill=_HEADER_FILL)
    row = 2
    for item in notes.get("explanations", []):
        row += 1
        for index, text in enumerate((L.NOTE_KINDS["explanations"], item["finding"], item["text"], ""), start=1):
            sheet.text(row, index, text)
    for item in notes.get("narrative", []):
        row += 1
        for index, text in enumerate((L.NOTE_KINDS["narrative"], item["section"], item["text"],
                                      item.get("based_on", "")), start=1):
            sheet.text(row, index, text)
    for kind in L.KEYED_NOTE_KINDS:
        for key, text in notes.get(kind, {}).items():
            row += 1
            for index, value in enumerate((L.NOTE_KINDS[kind], key, text, ""), start=1):
                sheet.text(row, index, value)
    sheet.widths([12, 30, 80, 40])
    sheet.page("landscape", 2, freeze="A3")


# ---- the workbook -----------------------------------------------------------------------------

def export_workbook(source: ExportSource, path: str | Path, *, forms: Sequence[str] | None = None,
                    progress: Progress | None = None) -> Path:
    """Write the workbook to ``path`` (written to a temporary file first, then moved into place,
    so a cancelled or failed export leaves no half file). ``forms`` limits the form sheets."""
    path = Path(path)
    chosen = [form_by_id(form_id) for form_id in forms] if forms is not None else list(all_forms())
    book = source.book
    projects = book.projects if book is not None else []
    total = len(chosen) + len(projects) + 6
    done = 0

    def advance(text: str) -> None:
        nonlocal done
        done += 1
        step(progress, done, total, text)

    xlsx = XlsxBook()
    taken: set[str] = set()
    unit_ws = xlsx.active
    unit_ws.title = L.sheet_name(L.UNIT_SHEET_NAME, taken)
    _write_unit(unit_ws, source)
    layouts: dict[str, FormLayout] = {}
    plans = []
    for form in chosen:
        name = L.sheet_name(form.short_title, taken)
        placed, columns, lines = _plan_form(form, source.view(form.id), name)
        layouts[form.id] = placed
        plans.append((placed, columns, lines))
    for placed, columns, lines in plans:
        advance(f"导出《{placed.form.title}》")
        _write_form(xlsx.create_sheet(placed.sheet), placed, columns, lines, layouts, source)
    if book is not None:
        summary_ws = xlsx.create_sheet(L.sheet_name("项目绩效目标汇总表", taken))
        overall_ws = xlsx.create_sheet(L.sheet_name("部门整体绩效目标", taken))
        cells: list[ProjectCells] = []
        for position, project in enumerate(projects, start=1):
            advance(f"导出项目“{project.name}”")
            ws = xlsx.create_sheet(L.sheet_name(f"绩效-{project.name}", taken))
            cells.append(_write_project(ws, project, position, source))
        if not projects:
            ws = xlsx.create_sheet(L.sheet_name("项目支出绩效目标表", taken))
            sheet = Sheet(ws)
            sheet.title(PROJECT_TITLE, 6)
            sheet.text(3, 1, NO_PROJECTS_NOTE, border=False)
        _write_summary(summary_ws, projects, cells, source)
        _write_overall(overall_ws, book, source)
        _write_procurement(xlsx.create_sheet(L.sheet_name("政府采购预算表", taken)), book, cells, source)
        _write_assets(xlsx.create_sheet(L.sheet_name("固定资产占用情况表", taken)), book, source)
    from app.exchange.excel.selfeval import write_sheets

    write_sheets(xlsx, taken, source.self_evaluation, source.unit, source.year, source.money_unit)
    if any(source.notes.get(kind) for kind in L.NOTE_KINDS):
        _write_notes(xlsx.create_sheet(L.sheet_name(L.NOTES_SHEET_NAME, taken)), source.notes)
    advance("保存工作簿")
    xlsx.active = 1 if len(xlsx.worksheets) > 1 else 0
    xlsx.properties.creator = "BudgetDesk"
    xlsx.properties.title = f"{source.unit.name}{source.year}年部门预算"
    temporary = path.with_name(path.name + ".part")
    try:
        xlsx.save(temporary)
        temporary.replace(path)
    except PermissionError:
        raise InputError(f"无法写入“{path}”：没有权限，或文件正在 Excel/WPS 中打开。请关闭该文件或换一个位置。") from None
    except OSError as exc:
        raise InputError(f"无法写入“{path}”：{exc.strerror or exc}。") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


def default_file_name(source: ExportSource) -> str:
    return f"{source.unit.code}{source.unit.name}{source.year}年部门预算.xlsx"

