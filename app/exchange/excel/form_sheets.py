"""The nine form sheets of the exported workbook, each generated from its definition and laid out like
the printed table (``app.printing.tables.print_columns`` / ``header_cells``,
``app.domain.layout.two_sided_lines``): title, unit line, merged header, 栏次, body. Entered cells hold
numbers; every computed cell holds a live formula over its sources (column and row sums as ``SUM``,
derived tables as references to the source sheets' cells, ``app.domain.expr`` trees rendered).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.base.errors import InputError
from app.domain import expr
from app.domain.compute import FormView, RowInfo, Workbook
from app.domain.forms import FormDef
from app.domain.layout import two_sided_lines
from app.exchange.excel.sheet import Sheet, cell_ref, display_width, sum_formula
from app.exchange.excel.source import ExportSource
from app.exchange.excel.styles import BOLD, BORDER, CENTER, FONT, HEADER_FILL, INDENTS, LEFT
from app.printing.tables import (
    AMOUNT,
    CODE,
    DEFAULT_EMPTY_NOTE,
    NAME,
    SEQ,
    PrintColumn,
    header_cells,
    print_columns,
)

PrintedLine = dict[str | None, RowInfo | None]  # per printed side (None: one-sided), the row it shows
WIDE_FORM_COLUMNS = 8  # more columns than this print landscape whatever the definition says

@dataclass
class PlacedForm:
    """Where a form's cells are: (row key, column key) → (sheet row, sheet column)."""

    form: FormDef
    sheet: str
    view: FormView
    cells: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    header_rows: int = 0


def _form_orientation(form: FormDef, ncols: int) -> str:
    return "landscape" if form.orientation == "landscape" or ncols > WIDE_FORM_COLUMNS else "portrait"


def plan_form(form: FormDef, view: FormView, sheet: str) -> tuple[PlacedForm, list[PrintColumn], list[PrintedLine]]:
    """The printed lines of a form: per line, per printed column, what it shows."""
    placed = PlacedForm(form, sheet, view)
    columns = print_columns(form)
    depth, _cells = header_cells(columns)
    body_start = 2 + depth + 2  # title, unit line, header rows, 栏次
    lines: list[PrintedLine] = []
    if form.layout == "two_sided":
        lines = [{"income": line.income, "expenditure": line.expenditure} for line in two_sided_lines(view.rows)]
    elif not (form.code_kind and view.is_empty()):
        lines = [{None: row} for row in view.rows]
    for offset, rows in enumerate(lines):
        for index, column in enumerate(columns, start=1):
            row = rows.get(column.side)
            if column.kind == AMOUNT and column.column is not None and row is not None:
                if form.layout == "two_sided" and row.side and column.column.side and row.side != column.column.side:
                    continue
                placed.cells[(row.key, column.column.key)] = (body_start + offset, index)
    placed.header_rows = body_start - 1
    return placed, columns, lines


def _cell_formula(layouts: dict[str, PlacedForm], workbook: Workbook, form: FormDef, row: RowInfo,
                  column_key: str) -> tuple[str | None, bool]:
    """The formula of a computed cell (None: a static value) and whether the cell is computed."""
    here = layouts[form.id]
    column_def = form.column(column_key)

    def local(row_key: str, col: str) -> str | None:
        where = here.cells.get((row_key, col))
        return cell_ref(None, *where) if where else None

    def refs_of(pairs: Iterable[tuple[str, str]]) -> list[str]:
        return [ref for ref in (local(r, c) for r, c in pairs) if ref]

    if form.row_kind == "fixed":
        row_def = workbook.fixed_rows(form)[row.key]
        if column_key in row_def.cells:
            return _expression(layouts, row_def.cells[column_key], form.id), True
        if row_def.sum_of:
            return sum_formula(refs_of((other, column_key) for other in row_def.sum_of)), True
        if column_def.sum_of:
            return sum_formula(refs_of((row.key, other) for other in column_def.sum_of)), True
        return None, not (row_def.entered and column_def.entered)
    if column_def.sum_of:
        return sum_formula(refs_of((row.key, other) for other in column_def.sum_of)), True
    if row.is_total:
        return sum_formula(refs_of((code, column_key) for code in workbook.top_level(form))), True
    children = workbook.children(form, row.key)
    if children:
        return sum_formula(refs_of((child, column_key) for child in children)), True
    return None, not column_def.entered


def _expression(layouts: dict[str, PlacedForm], tree: object, here: str) -> str | None:
    """An ``app.domain.expr`` tree as an Excel formula over the cells it references (N() reads a blank
    as zero); None when no referenced cell is on any sheet (the cell is then a static value)."""
    refs: list[str] = []

    def render(node: object) -> str:
        if isinstance(node, expr.Number):
            return str(node.value)
        if isinstance(node, expr.CellRef):
            target = layouts.get(node.form)
            where = target.cells.get((node.row, node.column)) if target is not None else None
            if target is None or where is None:
                return "0"
            ref = cell_ref(None if node.form == here else target.sheet, *where)
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


def _nodes(tree: object) -> Iterator[object]:
    yield tree
    if isinstance(tree, expr.BinaryOp):
        yield from _nodes(tree.left)
        yield from _nodes(tree.right)
    elif isinstance(tree, expr.Negate):
        yield from _nodes(tree.operand)


def write_form(ws: Worksheet, placed: PlacedForm, columns: list[PrintColumn], lines: list[PrintedLine],
               layouts: dict[str, PlacedForm], source: ExportSource) -> None:
    form, view = placed.form, placed.view
    sheet = Sheet(ws)
    ncols = len(columns)
    sheet.title(form.title, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    depth, header = header_cells(columns)
    for cell in header:
        sheet.text(3 + cell.level, 1 + cell.column, cell.title, align=CENTER, font=BOLD, fill=HEADER_FILL)
    for level in range(depth):
        for sheet_column in range(1, ncols + 1):
            ws.cell(row=3 + level, column=sheet_column).border = BORDER
            ws.cell(row=3 + level, column=sheet_column).fill = HEADER_FILL
    for cell in header:
        sheet.merge(3 + cell.level, 1 + cell.column, 3 + cell.last_level, 1 + cell.last_column)
    numbers_row = 3 + depth
    sheet.text(numbers_row, 1, "栏次", align=CENTER)
    for sheet_column in range(2, ncols + 1):
        sheet.text(numbers_row, sheet_column, str(sheet_column - 1), align=CENTER)
    body_start = numbers_row + 1
    name_width = 10.0
    for offset, rows in enumerate(lines):
        at = body_start + offset
        number = offset + 1
        for index, column in enumerate(columns, start=1):
            row = rows.get(column.side)
            if column.kind == SEQ:
                sheet.text(at, index, str(number), align=CENTER)
            elif column.kind == CODE:
                sheet.text(at, index, row.code if row is not None and row.code and not row.is_total else "",
                           align=LEFT)
            elif column.kind == NAME:
                title = row.title if row is not None else ""
                indent = row.indent if row is not None else 0
                bold = row is not None and (row.is_total or row.band == "footer")
                sheet.text(at, index, title, align=INDENTS[min(indent, 5)], font=BOLD if bold else FONT)
                name_width = max(name_width, display_width(title) + 2 * indent + 2)
            elif column.column is not None:  # an amount
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
    widths: list[float] = []
    for column in columns:
        if column.kind == SEQ:
            widths.append(6)
        elif column.kind == CODE:
            widths.append(12)
        elif column.kind == NAME:
            widths.append(min(max(name_width, 14), 48))
        else:
            longest = max((display_width(t) for t in column.path if t), default=8)
            widths.append(max(14, min(longest + 2, 24)))
    sheet.widths(widths)
    freeze_column = next(i for i, column in enumerate(columns, start=1) if column.kind == AMOUNT)
    sheet.page(_form_orientation(form, ncols), numbers_row,
               freeze=f"{get_column_letter(freeze_column if form.layout != 'two_sided' else 1)}{body_start}")

