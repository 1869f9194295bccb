"""Reading a sheet of a workbook someone sent: its cells as text and values (``Grid``), and the
problems found on the way (``Reader``, ``Problem``), each with its sheet, address and reason.

A cell is read as Excel or WPS shows it: a number, an amount typed as text (``1,206.65``,
``１２０６.６５``, ``1206.65万元``) or a formula's cached value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.base.errors import InputError
from app.base.money import MAX_ABS, entry_decimals, normalize_text, parse_amount
from app.exchange.excel import labels
from app.projects import decimal_text, parse_quantity

TOLERANCE = Decimal("0.0001")  # of the unit's last decimal: a cached result like 0.30000000000000004 is 0.30
FLOAT_DIGITS = Decimal("1E-14")  # a float's relative error, with room for a few roundings in a formula


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


class Grid:
    """A sheet read twice (formulas and cached values), merged cells resolved to their top-left."""

    def __init__(self, formulas: set[tuple[int, int]], values_ws: Worksheet) -> None:
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

    def value(self, row: int, column: int) -> object:
        cell = self.cells.get(self.origin(row, column))  # never ws.cell(): it would add empty cells
        return None if cell is None else cell.value

    def text(self, row: int, column: int) -> str:
        return labels.clean(as_text(self.value(row, column)))

    def raw_text(self, row: int, column: int) -> str:
        return as_text(self.value(row, column)).strip()

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


def as_text(value: object) -> str:
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
            return cell_amount(value, self.money_unit)
        except InputError as exc:
            self.problem(grid, row, column, str(exc))
            return None

    def quantity(self, grid: Grid, row: int, column: int, label: str, *, whole: bool = False) -> str | None:
        value = grid.value(row, column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = parse_quantity(normalize_text(as_text(value)), label, whole=whole)
        except InputError as exc:
            self.problem(grid, row, column, str(exc))
            return None
        return decimal_text(number)


def cell_amount(value: object, money_unit: str) -> Decimal | None:
    dataset_unit = money_unit or "万元"  # before the workbook's 金额单位 is read, the importer's own default
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        raise InputError("不是金额（单元格是逻辑值或日期）")
    if isinstance(value, float):  # pragma: no cover - numbers are read as Decimal (safety.decimal_numbers)
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError("不是有限的数字")
        if abs(value) > MAX_ABS:  # checked before rounding: 1E+308 has no 0.01 in Decimal's precision
            raise InputError(f"金额 {value:E} 过大（超过 {MAX_ABS:,}），请检查是否多输入了数字或单元格格式有误")
        quantum = Decimal(1).scaleb(-entry_decimals(dataset_unit))
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)  # only a float artefact is snapped
        # A float carries about 15 digits, so its artefact grows with the figure (99999999999.99 is ...990005).
        if abs(rounded - value) <= min(quantum / 10, TOLERANCE * quantum + abs(value) * FLOAT_DIGITS):
            value = rounded
        return parse_amount(value, dataset_unit)
    if isinstance(value, int):
        return parse_amount(value, dataset_unit)
    text = str(value)
    if text.startswith("#"):
        raise InputError("公式出错（Excel 显示错误值），请改正后再导入")
    cleaned = normalize_text(text)
    for unit in ("万元", "元"):
        if cleaned.endswith(unit):
            if money_unit and unit != money_unit and re.match(r"^[+-]?[\d,]*\.?\d*$", cleaned[:-len(unit)]):
                raise InputError(f"金额单位是“{unit}”，本工作簿的金额单位是“{money_unit}”")
            break
    return parse_amount(text, dataset_unit)


def code_text(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return labels.clean(as_text(value))


def label_cells(grid: Grid, first: int, last: int, wanted: set[str]) -> dict[str, tuple[int, int]]:
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


def header_row(grid: Grid, first: int, needed: set[str]) -> int | None:
    for row in range(first, grid.max_row + 1):
        if needed <= set(grid.row_texts(row)):
            return row
    return None
