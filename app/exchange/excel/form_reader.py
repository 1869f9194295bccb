"""Reading the nine form sheets back: the header found by its texts and 栏次, columns mapped to the
form's printed columns by their header path (never by position), then the rows by 科目编码 (code
tables) or by title (fixed rows). Entered cells are imported; computed cells are kept only to
compare with what the entered cells give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from app.domain.compute import Workbook
from app.domain.forms import TOTAL_ROW, ColumnDef, FormDef
from app.exchange.excel import labels
from app.exchange.excel.grid import Grid, Problem, Reader, code_text
from app.printing.tables import AMOUNT, CODE, NAME, PrintColumn, print_columns

AmountColumn = tuple[int, str | None, ColumnDef]  # sheet column, printed side, the form's column

@dataclass
class FormCells:
    """One form's cells as read: entered values, computed values seen, added rows."""

    entered: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    computed: dict[tuple[str, str], tuple[Decimal, str]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)


def _header_block(grid: Grid, form: FormDef) -> tuple[int, int, int] | None:
    """(first header row, last header row, first body row), from the header texts and 栏次."""
    columns = print_columns(form)
    titles = {labels.clean(t) for column in columns for t in column.path if t}
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


def _map_columns(grid: Grid, form: FormDef, reader: Reader, top: int, bottom: int) -> dict[int, PrintColumn]:
    """Sheet column → print column of the form (by the header path, else by a unique last title)."""
    expected = print_columns(form)
    paths = _column_paths(grid, top, bottom)
    by_path = {tuple(labels.clean(t) for t in column.path if t): column for column in expected}
    mapping: dict[int, PrintColumn] = {}
    for index, path in paths.items():
        column = by_path.get(path)
        if column is None:
            same_last = [c for p, c in by_path.items() if p and p[-1] == path[-1]]
            column = same_last[0] if len(same_last) == 1 else None
        if column is not None and column not in mapping.values():
            mapping[index] = column
    for column in expected:
        missing = column not in mapping.values()
        needed = column.kind in (CODE, NAME) or (column.kind == AMOUNT and column.column is not None and column.column.entered)
        if missing and needed:
            title = "/".join(t for t in column.path if t)
            reader.problems.append(Problem(grid.title, f"{top}:{bottom}", title, f"表头中找不到“{title}”栏"))
    return mapping


def read_form(grid: Grid, form: FormDef, workbook: Workbook, reader: Reader) -> FormCells:
    cells = FormCells()
    block = _header_block(grid, form)
    if block is None:
        reader.problems.append(Problem(grid.title, "A1", form.title, "找不到表头（序号、科目编码等栏目名称）"))
        return cells
    top, bottom, body = block
    mapping = _map_columns(grid, form, reader, top, bottom)
    amount_columns = [(index, column.side, column.column) for index, column in mapping.items()
                      if column.kind == AMOUNT and column.column is not None]
    if form.code_kind:
        _read_code_rows(grid, form, workbook, reader, mapping, amount_columns, body, cells)
    else:
        _read_fixed_rows(grid, form, workbook, reader, mapping, amount_columns, body, cells)
    return cells


def _read_code_rows(grid: Grid, form: FormDef, workbook: Workbook, reader: Reader, mapping: dict[int, PrintColumn],
                    amount_columns: list[AmountColumn], body: int, cells: FormCells) -> None:
    code_column = next((i for i, c in mapping.items() if c.kind == CODE), None)
    name_column = next((i for i, c in mapping.items() if c.kind == NAME), None)
    if code_column is None or form.code_kind is None:
        return
    table = workbook.codes[form.code_kind]
    rows: dict[str, dict[str, tuple[Decimal | None, int, int]]] = {}
    for row in range(body, grid.max_row + 1):
        code = code_text(grid.value(row, code_column))
        name = grid.text(row, name_column) if name_column else ""
        if code.startswith("注"):
            continue
        if not code:
            filled = [i for i, _side, _column in amount_columns if grid.raw_text(row, i)]
            if name == "合计":
                for index, _side, column_def in amount_columns:
                    value = reader.amount(grid, row, index, needed=False)
                    if value is not None:
                        cells.computed[(TOTAL_ROW, column_def.key)] = (value, grid.address(row, index))
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
        for index, _side, column_def in amount_columns:
            rows[code][column_def.key] = (None, row, index)
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


def _read_fixed_rows(grid: Grid, form: FormDef, workbook: Workbook, reader: Reader, mapping: dict[int, PrintColumn],
                     amount_columns: list[AmountColumn], body: int, cells: FormCells) -> None:
    fixed = list(workbook.fixed_rows(form).values())
    sides = [None] if form.layout != "two_sided" else list(form.sides)
    for side in sides:
        name_column = next((i for i, c in mapping.items() if c.kind == NAME and c.side == side), None)
        if name_column is None:
            continue
        expected = [row for row in fixed if side is None or row.side == side]
        mine = [(i, column_def) for i, printed_side, column_def in amount_columns if printed_side == side]
        position = 0
        for row in range(body, grid.max_row + 1):
            title = grid.text(row, name_column)
            if not title:
                continue
            match = next((k for k in range(position, len(expected)) if labels.clean(expected[k].title) == title), None)
            if match is None:
                match = next((k for k in range(len(expected)) if labels.clean(expected[k].title) == title), None)
            if match is None:
                if any(grid.raw_text(row, i) for i, _c in mine):
                    reader.problem(grid, row, name_column, f"《{form.title}》没有这一行，无法确定金额属于哪里")
                continue
            row_def = expected[match]
            position = match + 1
            for index, column_def in mine:
                key = column_def.key
                if row_def.side and column_def.side and row_def.side != column_def.side:
                    continue
                imported = workbook.is_entered(form.id, row_def.key, key)
                value = reader.amount(grid, row, index, needed=imported)
                if value is None:
                    continue
                if imported:
                    cells.entered[(row_def.key, key)] = value
                else:
                    cells.computed[(row_def.key, key)] = (value, grid.address(row, index))
