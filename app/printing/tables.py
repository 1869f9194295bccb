"""One table renderer for every form definition: grid (code-keyed), fixed-row and two-sided forms.

The printed table is built from the form definition alone (columns with their group headers, the
row header, the empty note) and the computed ``FormView``; no form is special-cased. The first rows
of the reportlab ``Table`` are the unit line, the multi-level header and the 栏次 row, and they are
the table's ``repeatRows``, so every page of a long table starts with all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table
from reportlab.platypus.tables import TableStyle

from app.base.money import format_amount
from app.domain.compute import FormView, RowInfo
from app.domain.forms import ColumnDef, FormDef
from app.domain.layout import column_title_path, header_levels, two_sided_lines
from app.printing.grid import BalancedCell, DrawnOnce, TextTable, paragraph
from app.printing.markup import escape
from app.printing.remainder import PartsOf, printed_amounts, remainder_rule
from app.printing.styles import (
    CELL_LEADING,
    CELL_PAD_X,
    CELL_PAD_Y,
    CELL_SIZE,
    LANDSCAPE,
    PORTRAIT,
    PrintContext,
    Styles,
    frame_width,
)

SEQ, CODE, NAME, AMOUNT = "seq", "code", "name", "amount"
DEFAULT_EMPTY_NOTE = "注：本表无数据，空表列示。"
_MIN_AMOUNT_SIZE = 5.5
_NAME_MIN_CHARS = 6
_AMOUNT_CAP = 100.0  # wider amount columns only add white space; give the room to names instead
_WEIGHTS = {NAME: 1.5, AMOUNT: 1.0}
_NAME_SHARE = 0.4  # of the table width, per name column


@dataclass(frozen=True)
class PrintColumn:
    """One printed column: its header titles from top to bottom (None = the title above spans down)."""

    kind: str
    path: tuple[str | None, ...]
    column: ColumnDef | None = None
    side: str | None = None


def print_columns(form: FormDef) -> list[PrintColumn]:
    levels = header_levels(form)
    columns = [PrintColumn(SEQ, ("序号",))]
    if form.layout == "two_sided":
        item_title = form.row_header.get("name", "项目")
        for side, side_title in form.sides.items():
            columns.append(PrintColumn(NAME, (side_title, item_title), side=side))
            columns += [PrintColumn(AMOUNT, (side_title, *column_title_path(column, levels)), column, side)
                        for column in form.columns_for_side(side)]
        return columns
    header = form.row_header
    group = (header["group"],) if header.get("group") else ()
    if form.code_kind:
        columns.append(PrintColumn(CODE, (*group, header.get("code", "科目编码"))))
        columns.append(PrintColumn(NAME, (*group, header.get("name", "科目名称"))))
    else:
        columns.append(PrintColumn(NAME, (*group, header.get("name", "项目"))))
    columns += [PrintColumn(AMOUNT, tuple(column_title_path(column, levels)), column) for column in form.columns]
    return columns


@dataclass(frozen=True)
class HeaderCell:
    title: str
    column: int
    level: int
    last_column: int
    last_level: int


def header_cells(columns: list[PrintColumn]) -> tuple[int, list[HeaderCell]]:
    """Lay the header titles on a grid: equal title paths merge across, a title with nothing below spans down."""
    depth = max(len(column.path) for column in columns)
    paths = [tuple(column.path) + (None,) * (depth - len(column.path)) for column in columns]
    cells = []
    for level in range(depth):
        index = 0
        while index < len(paths):
            title = paths[index][level]
            if title is None:
                index += 1
                continue
            end = index
            while end + 1 < len(paths) and paths[end + 1][: level + 1] == paths[index][: level + 1]:
                end += 1
            spans_down = all(all(t is None for t in paths[k][level + 1:]) for k in range(index, end + 1))
            cells.append(HeaderCell(title, index, level, end, depth - 1 if spans_down else level))
            index = end + 1
    return depth, cells


def unit_line(ctx: PrintContext, styles: Styles, width: float, *, left: str | None = None,
              middle: str | None = None, right: str | None = None) -> Table:
    """The line under every title: ``单位编码 单位名称 | 预算年度：YYYY | 单位：万元`` (any part replaceable)."""
    line = Table(
        [[Paragraph(escape(ctx.unit_label if left is None else left), styles.unit_left),
          Paragraph(escape(f"预算年度：{ctx.year}" if middle is None else middle), styles.unit_center),
          Paragraph(escape(f"单位：{ctx.money_unit}" if right is None else right), styles.unit_right)]],
        colWidths=[width * 0.56, width * 0.24, width * 0.20],
    )
    line.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.body_font),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                              ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                              ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return line


class FormTable:
    """The printed form of one ``FormView``: title, unit line, header, 栏次, body, empty note."""

    def __init__(self, view: FormView, ctx: PrintContext, styles: Styles, parts_of: PartsOf | None = None) -> None:
        self.view = view
        self.form = view.form
        self.printed = printed_amounts(view, parts_of, remainder_rule(self.form.id))
        self.ctx = ctx
        self.styles = styles
        self.columns = print_columns(self.form)
        self.depth, self.header = header_cells(self.columns)
        self.body = self._body_rows()
        self._indent_styles: dict[int, object] = {}

    # ---- content -------------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return self.view.is_empty()

    def _amount(self, row: RowInfo | None, column: ColumnDef | None) -> str:
        if row is None or column is None:
            return ""
        return format_amount(self.printed.get((row.key, column.key)))

    def _body_rows(self) -> list[tuple[list[str | RowInfo | None], dict[int, str]]]:
        """Per printed line: what each column shows (text, or the RowInfo whose title goes there)."""
        lines: list[tuple[list[str | RowInfo | None], dict[int, str]]] = []
        if self.form.layout == "two_sided":
            for line in two_sided_lines(self.view.rows):
                lines.append(self._line(str(line.number), {"income": line.income, "expenditure": line.expenditure}))
            return lines
        if self.form.code_kind and self.is_empty:
            return lines  # an empty code-keyed table prints its header and the 注 line only, as published
        for number, row in enumerate(self.view.rows, start=1):
            lines.append(self._line(str(number), {None: row}))
        return lines

    def _line(self, number: str, rows: dict[str | None, RowInfo | None]) -> tuple[list[str | RowInfo | None], dict[int, str]]:
        """One printed line; ``rows`` gives the row shown per side (None: the only side)."""
        cells: list[str | RowInfo | None] = []
        amounts: dict[int, str] = {}
        for index, column in enumerate(self.columns):
            if column.kind == SEQ:
                cells.append(number)
                continue
            row = rows.get(column.side)
            if column.kind == CODE:
                cells.append(row.code if row is not None and row.code and not row.is_total else "")
            elif column.kind == NAME:
                cells.append(row)
            else:
                amounts[index] = self._amount(row, column.column)
                cells.append(amounts[index])
        return cells, amounts

    # ---- widths --------------------------------------------------------------------------
    def _width(self, text: str, size: float = CELL_SIZE) -> float:
        return stringWidth(text, self.styles.body_font, size)

    def minimum_widths(self) -> list[float]:
        pad = 2 * CELL_PAD_X
        cjk = self._width("国")
        widths = []
        for index, column in enumerate(self.columns):
            texts = self._texts_in_column(index)
            if column.kind == SEQ:
                widths.append(max(self._width(text) for text in ["序号", "栏次", *texts]) + pad)
            elif column.kind == CODE:
                widths.append(max([4 * cjk, *map(self._width, texts)]) + pad)
            elif column.kind == NAME:
                widths.append(_NAME_MIN_CHARS * cjk + pad)
            else:
                widths.append(max([4 * cjk, self._width("0000.00"), *map(self._width, texts)]) + pad)
        return widths

    def _texts_in_column(self, index: int) -> list[str]:
        """The plain texts (codes, 序号) printed in a body column: what its width must hold."""
        texts = []
        for cells, _amounts in self.body:
            cell = cells[index]
            if isinstance(cell, str):
                texts.append(cell)
        return texts

    def natural_width(self) -> float:
        return sum(self.minimum_widths())

    def orientation(self) -> str:
        """The form's own orientation, turned to landscape when its columns cannot fit upright."""
        if self.form.orientation == LANDSCAPE or self.natural_width() > frame_width(PORTRAIT):
            return LANDSCAPE
        return PORTRAIT

    def _preferred_name_width(self, index: int, available: float) -> float:
        """Room for the longest title on one line, but never more than a share of the page."""
        longest = 0.0
        for cells, _amounts in self.body:
            row = cells[index]
            if isinstance(row, RowInfo):
                longest = max(longest, self._width(row.title) + row.indent * 2 * CELL_SIZE)
        return min(longest + 2 * CELL_PAD_X + 1, available * _NAME_SHARE)

    def column_widths(self, available: float) -> list[float]:
        widths = self.minimum_widths()
        total = sum(widths)
        if total >= available:
            # Too wide even in landscape: shrink proportionally; amounts that no longer fit get a
            # smaller font cell by cell (see _style), so nothing is clipped.
            return [width * available / total for width in widths]
        extra = available - total
        # First let names grow towards one line each (wrapped names make the tallest rows) ...
        names = [i for i, column in enumerate(self.columns) if column.kind == NAME]
        wishes = {i: max(self._preferred_name_width(i, available) - widths[i], 0.0) for i in names}
        wished = sum(wishes.values())
        if wished > 0:
            granted = min(extra, wished)
            for i in names:
                widths[i] += granted * wishes[i] / wished
            extra -= granted
        # ... then share the rest by weight, amounts only up to a sensible width.
        flexible = {i for i, column in enumerate(self.columns) if column.kind in _WEIGHTS}
        while extra > 0.01 and flexible:
            weight = sum(_WEIGHTS[self.columns[i].kind] for i in flexible)
            capped = set()
            handed_out = 0.0
            for i in flexible:
                share = extra * _WEIGHTS[self.columns[i].kind] / weight
                if self.columns[i].kind == AMOUNT and widths[i] + share >= _AMOUNT_CAP:
                    share = max(_AMOUNT_CAP - widths[i], 0.0)
                    capped.add(i)
                widths[i] += share
                handed_out += share
            extra -= handed_out
            if not capped:
                break
            flexible -= capped
        if extra > 0.01:  # everything capped (no name column): spread evenly
            widths = [width + extra / len(widths) for width in widths]
        return widths

    # ---- flowables -----------------------------------------------------------------------
    def _name_style(self, indent: int):
        if indent not in self._indent_styles:
            base = self.styles.cell
            # Two characters per level: 其中 rows sit visibly under their parent.
            self._indent_styles[indent] = base.clone(f"cell_indent_{indent}", leftIndent=indent * 2 * CELL_SIZE)
        return self._indent_styles[indent]

    def _unit_line(self, width: float) -> Table:
        return unit_line(self.ctx, self.styles, width)

    def table(self, available: float) -> Table:
        widths = self.column_widths(available)
        styles = self.styles
        ncols = len(self.columns)
        data: list[list[object]] = [[self._unit_line(sum(widths))] + [""] * (ncols - 1)]
        header_rows: list[list[object]] = [[""] * ncols for _ in range(self.depth)]
        for heading in self.header:
            header_rows[heading.level][heading.column] = (
                BalancedCell(heading.title, styles.cell_center) if "\n" not in heading.title
                else Paragraph(escape(heading.title), styles.cell_center))
        data += header_rows
        data.append(["栏次", *(str(number) for number in range(1, ncols))])
        body_start = len(data)
        for cells, _amounts in self.body:
            printed: list[object] = []
            for cell in cells:
                if isinstance(cell, RowInfo):
                    printed.append(paragraph(cell.title, self._name_style(cell.indent)))
                else:
                    printed.append(cell if cell is not None else "")
            data.append(printed)
        table = TextTable(data, colWidths=widths, repeatRows=body_start, hAlign="CENTER")
        table.setStyle(TableStyle(self._style(widths, body_start, len(data))))
        return table

    def _style(self, widths: list[float], body_start: int, nrows: int) -> list[tuple]:
        last = nrows - 1
        commands: list[tuple] = [
            ("FONTNAME", (0, 0), (-1, -1), self.styles.body_font),
            ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
            ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD_Y),
            # The unit line: one borderless cell across the table, repeated with the header.
            ("SPAN", (0, 0), (-1, 0)),
            ("LEFTPADDING", (0, 0), (-1, 0), 0),
            ("RIGHTPADDING", (0, 0), (-1, 0), 0),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 5),
            ("GRID", (0, 1), (-1, last), 0.5, colors.black),
            ("BOX", (0, 1), (-1, last), 0.9, colors.black),
            ("ALIGN", (0, 1), (-1, body_start - 1), "CENTER"),
            ("ALIGN", (0, body_start), (0, last), "CENTER"),
        ]
        for cell in self.header:
            if cell.last_column > cell.column or cell.last_level > cell.level:
                commands.append(("SPAN", (cell.column, 1 + cell.level), (cell.last_column, 1 + cell.last_level)))
        for index, column in enumerate(self.columns):
            if column.kind == AMOUNT and nrows > body_start:
                commands.append(("ALIGN", (index, body_start), (index, last), "RIGHT"))
        # An amount wider than its (squeezed) column gets a smaller font rather than spilling over.
        for offset, (_cells, amounts) in enumerate(self.body):
            for index, text in amounts.items():
                room = widths[index] - 2 * CELL_PAD_X
                needed = self._width(text)
                if text and needed > room:
                    size = max(CELL_SIZE * room / needed, _MIN_AMOUNT_SIZE)
                    commands.append(("FONTSIZE", (index, body_start + offset), (index, body_start + offset), size))
        return commands

    def flowables(self, available: float, mark: str | None = None) -> list[Flowable]:
        title = Paragraph(escape(self.form.title), self.styles.title)
        if mark:
            title.bd_mark = mark
        items: list[Flowable] = [title, DrawnOnce(self.table(available))]
        if self.is_empty:
            items.append(Paragraph(escape(self.form.empty_note or DEFAULT_EMPTY_NOTE), self.styles.note))
        return items
