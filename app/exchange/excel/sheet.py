"""Writing one worksheet of the exported workbook: text (never run as a formula), numbers, live
formulas, merged ranges with a closed grid, the title and unit lines, widths, rows sized to their
wrapped text and the page setup; and the cell references and ``SUM`` formulas the sheets share.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from decimal import Decimal

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from app.exchange.excel.styles import (
    BORDER,
    CENTER,
    COMPUTED_FILL,
    FONT,
    LEFT,
    MONEY_FORMAT,
    RIGHT,
    RIGHT_LINE,
    TEXT_FORMAT,
    TITLE_FONT,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_SUM_ARGS = 200  # Excel takes 255 arguments per function; longer lists nest


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


class Sheet:
    """One worksheet being written: text, numbers, formulas, merges, borders.

    Assigning fonts and borders cell by cell makes openpyxl hash style objects thousands of times;
    each combination is set up once and its style array copied to the other cells (``self.styles``)."""

    def __init__(self, worksheet: Worksheet) -> None:
        self.ws = worksheet
        # Style ids index the workbook's own style tables: one cache per workbook.
        self.styles: dict[tuple, object] = worksheet.parent.__dict__.setdefault("_budgetdesk_styles", {})

    def _styled(self, cell: Cell, key: tuple, **attributes: object) -> None:
        cached = self.styles.get(key)
        if cached is None:
            for name, value in attributes.items():
                if value is not None:
                    setattr(cell, name, value)
            self.styles[key] = copy(cell._style)
        else:
            cell._style = copy(cached)

    def text(self, row: int, column: int, text: object, *, align: Alignment = LEFT, font: Font = FONT,
             border: bool = True, fill: PatternFill | None = None) -> Cell:
        cell = self.ws.cell(row=row, column=column)
        value = "" if text is None else str(text)
        quote = False
        if value:
            cell.value = value
            cell.data_type = "s"  # never a formula, whatever the text starts with
            quote = is_formula_like(value)  # an edit in Excel/WPS keeps it text too
        self._styled(cell, ("t", bool(value), quote, id(align), id(font), border, id(fill)),
                     number_format=TEXT_FORMAT if value else None, quotePrefix=True if quote else None,
                     alignment=align, font=font, border=BORDER if border else None, fill=fill)
        return cell

    def number(self, row: int, column: int, value: Decimal | None, *, computed: bool = False, font: Font = FONT,
               number_format: str = MONEY_FORMAT) -> Cell:
        cell = self.ws.cell(row=row, column=column)
        if value is not None:
            cell.value = value
        self._styled(cell, ("n", computed, id(font), number_format), number_format=number_format,
                     alignment=RIGHT, font=font, border=BORDER, fill=COMPUTED_FILL if computed else None)
        return cell

    def formula(self, row: int, column: int, formula: str, *, font: Font = FONT) -> Cell:
        cell = self.ws.cell(row=row, column=column)
        cell.value = "=" + formula
        self._styled(cell, ("n", True, id(font), MONEY_FORMAT), number_format=MONEY_FORMAT,
                     alignment=RIGHT, font=font, border=BORDER, fill=COMPUTED_FILL)
        return cell

    def merge(self, row: int, column: int, last_row: int, last_column: int, *, border: bool = True) -> None:
        """Merge a range; covered cells keep a ruled border (so the printed grid stays closed)."""
        if last_row == row and last_column == column:
            if border:
                cell = self.ws.cell(row=row, column=column)
                if not cell.has_style:
                    self._styled(cell, ("b",), border=BORDER)
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
                    self._styled(covered, ("b",), border=BORDER)
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
            needed = sum(max(1.0, -(-display_width(part) // max(room, 1.0))) for part in cell.value.split("\n"))
            lines[row] = max(lines.get(row, 1.0), needed)
        for row, count in lines.items():
            if count > 1 and not ws.row_dimensions[row].height:
                ws.row_dimensions[row].height = min(line_height * count + 2, 400)

    def title(self, text: str, ncols: int) -> None:
        self.text(1, 1, text, align=CENTER, font=TITLE_FONT, border=False)
        self.merge(1, 1, 1, ncols, border=False)
        self.ws.row_dimensions[1].height = 30

    def unit_line(self, row: int, ncols: int, left: str, middle: str, right: str) -> None:
        """``单位编码 单位名称 | 预算年度：YYYY | 单位：万元`` across the table, like the printed line."""
        right_span = max(1, round(ncols * 0.2))
        left_span = max(1, min(ncols - right_span - 1, round(ncols * 0.56))) if ncols >= 3 else 1
        parts = [(1, left_span, left, LEFT), (left_span + 1, ncols - right_span, middle, CENTER),
                 (ncols - right_span + 1, ncols, right, RIGHT_LINE)]
        if ncols < 3:
            parts = [(1, ncols, f"{left}  {middle}  {right}", LEFT)]
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


def display_width(text: str) -> float:
    """Column width units a text needs on one line (a CJK character counts two)."""
    return sum(2.0 if ord(char) > 0x2E7F else 1.1 for char in text)


def cell_ref(sheet: str | None, row: int, column: int) -> str:
    address = f"{get_column_letter(column)}{row}"
    return f"{quote_sheetname(sheet)}!{address}" if sheet else address


def sum_formula(refs: Sequence[str]) -> str | None:
    """``IF(COUNT(refs)=0,"",SUM(refs))``: blank while no source has a figure; None without refs."""
    return sum_of(*refs) if refs else None


def sum_of(first: str, *more: str) -> str:
    """The ``sum_formula`` of at least one reference."""
    refs = [first, *more]
    chunks = [",".join(refs[i:i + MAX_SUM_ARGS]) for i in range(0, len(refs), MAX_SUM_ARGS)]
    count = "+".join(f"COUNT({chunk})" for chunk in chunks)
    total = "+".join(f"SUM({chunk})" for chunk in chunks)
    return f'IF({count}=0,"",{total})'

