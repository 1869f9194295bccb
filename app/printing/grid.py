"""A table that merges runs of body rows (一级/二级 指标, a project's cells in the 汇总表) and still
breaks between any two rows.

reportlab refuses to break a table inside a row span, so a 产出指标 cell merged over twenty rows
would push the whole table to the next page or fail when it is taller than a page. ``RunTable``
keeps the rows and their merged runs as a model and builds one reportlab ``Table`` per page:

* the lead rows marked ``repeat`` (unit line, column header) start every page, the others (the
  绩效目标 row, the project's fields) only the first;
* a run cut by a page break is merged on both pages, and its label is printed again at the top
  of the next page, so a continuation page never starts with a blank 一级指标 cell;
* rows never split; only a single row taller than a whole page, or one marked ``divisible`` (seed
  003's 年初设定目标 / 全年完成情况, one cell each), is divided between pages: it starts below the rows
  already on the page, continues at the top of the next ones, and a cell that has nothing left to
  show there prints the row's ``continued`` text (the project's name with （续）);
* row heights are measured once (Paragraph wrap) and passed to the page tables explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from weakref import WeakKeyDictionary

from reportlab.lib import textsplit
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable, Paragraph, Table
from reportlab.platypus.tables import TableStyle

from app.printing.markup import escape

# Lead row kinds: printed on every page, only above the first body row, only on later pages.
ALWAYS, FIRST, CONTINUED = "always", "first", "continued"


@dataclass
class GridRow:
    """One printed row. ``cells`` holds a Paragraph, a string or "" per column; ``commands`` are
    TableStyle commands whose row coordinates are relative to this row (0 = this row), e.g.
    ``("SPAN", (1, 0), (-1, 0))`` or ``("BACKGROUND", (0, 0), (-1, 0), color)``."""

    cells: list
    commands: list[tuple] = field(default_factory=list)
    when: str = ALWAYS  # lead rows only
    keep_with_next: bool = False  # body rows: never the last row of a page
    # body rows: column → what a cell shows on the pages a row taller than a page continues on, where
    # its own text is used up (e.g. the project's name with （续）); other cells are left blank there
    continued: dict = field(default_factory=dict)
    # body rows: divided at the end of a page like a row taller than a page (one long text cell that
    # the form prints as one cell, rather than pushed whole to the next page)
    divisible: bool = False


@dataclass(frozen=True)
class Run:
    """Body rows ``start`` … ``start + count - 1`` share one merged cell in ``column``."""

    column: int
    start: int
    count: int
    cell: object  # what the merged cell shows (a Paragraph or a string)
    continued: object = None  # what it shows at the top of a page the run continues on (None: ``cell``)


def _span_width(widths: Sequence[float], commands: Sequence[tuple], column: int) -> float:
    """The width a cell of a row gets: its own column, or the columns its horizontal SPAN covers."""
    ncols = len(widths)
    for command in commands:
        if command[0] != "SPAN":
            continue
        (c0, r0), (c1, _r1) = command[1], command[2]
        c0, c1 = c0 % ncols, c1 % ncols
        if r0 == 0 and c0 == column:
            return sum(widths[c0:c1 + 1])
    return widths[column]


def _covered(widths: Sequence[float], commands: Sequence[tuple]) -> set[int]:
    """Columns of this row hidden under a span that starts in another column or another row."""
    ncols = len(widths)
    hidden: set[int] = set()
    for command in commands:
        if command[0] != "SPAN":
            continue
        (c0, r0), (c1, r1) = command[1], command[2]
        c0, c1 = c0 % ncols, c1 % ncols
        if r0 == 0:
            hidden.update(range(c0 + 1, c1 + 1))
            if r1 > 0:
                hidden.add(c0)  # a vertical span: its content is measured by nobody (keep those short)
    return hidden


def cell_height(cell, width: float, padding: tuple[float, float, float, float], leading: float) -> float:
    """Height a cell's content needs in a column ``width`` wide (padding: left, right, top, bottom)."""
    left, right, top, bottom = padding
    if cell is None or cell == "":
        return 0.0
    if isinstance(cell, str):
        return leading * (cell.count("\n") + 1) + top + bottom
    _w, height = cell.wrap(max(width - left - right, 1.0), 1e9)
    return height + top + bottom


class RunTable(Flowable):
    """See the module docstring. ``padding`` (left, right, top, bottom) must match the style's;
    ``leading`` measures plain-string cells; ``page_height`` is the tallest a page frame can hold
    (only a row taller than that is ever divided)."""

    def __init__(self, widths: Sequence[float], lead: Sequence[GridRow], body: Sequence[GridRow],
                 runs: Sequence[Run], commands: Sequence[tuple], *, padding: tuple[float, float, float, float],
                 leading: float, page_height: float, continued: bool = False,
                 _measured: tuple[list[float], list[float], dict[int, float]] | None = None) -> None:
        super().__init__()
        self.widths = list(widths)
        self.lead = list(lead)
        self.body = list(body)
        self.runs = list(runs)
        self.commands = list(commands)
        self.padding = padding
        self.leading = leading
        self.page_height = page_height
        self.continued = continued
        self.width = sum(self.widths)
        # Measured once, handed on to the parts: body row heights (without merged cells), the
        # height each run's merged cell needs, each lead row's height.
        self._is_measured = False
        self._heights: list[float] = []
        self._run_heights: list[float] = []
        self._lead_heights: dict[int, float] = {}
        if _measured is not None:
            self._heights, self._run_heights, self._lead_heights = _measured
            self._is_measured = True
            self._index()

    # ---- measuring -------------------------------------------------------------------------
    def _row_height(self, row: GridRow, run_columns: set[int]) -> float:
        hidden = _covered(self.widths, row.commands) | run_columns
        height = 0.0
        for column, cell in enumerate(row.cells):
            if column in hidden:
                continue
            width = _span_width(self.widths, row.commands, column)
            height = max(height, cell_height(cell, width, self.padding, self.leading))
        top, bottom = self.padding[2], self.padding[3]
        return max(height, self.leading + top + bottom)

    def _run_columns(self) -> list[set[int]]:
        columns: list[set[int]] = [set() for _row in self.body]
        for run in self.runs:
            for index in range(run.start, run.start + run.count):
                columns[index].add(run.column)
        return columns

    def _measure(self) -> None:
        if self._is_measured:
            return
        self._lead_heights = {id(row): self._row_height(row, set()) for row in self.lead}
        columns = self._run_columns()
        self._heights = [self._row_height(row, columns[index]) for index, row in enumerate(self.body)]
        self._run_heights = [cell_height(run.cell, self.widths[run.column], self.padding, self.leading)
                             for run in self.runs]
        self._is_measured = True
        self._index()

    def _index(self) -> None:
        self._prefix = [0.0]
        for height in self._heights:
            self._prefix.append(self._prefix[-1] + height)
        self._runs_at: list[list[int]] = [[] for _row in self.body]
        for number, run in enumerate(self.runs):
            for index in range(run.start, run.start + run.count):
                self._runs_at[index].append(number)

    def _extra(self, row: int, stop: int) -> float:
        """What ``row`` grows by on a page whose last body row is ``stop - 1``: a merged cell taller
        than its rows there makes its last row taller."""
        extra = 0.0
        for number in self._runs_at[row]:
            run = self.runs[number]
            if min(run.start + run.count, stop) - 1 != row:
                continue
            have = self._prefix[row + 1] - self._prefix[run.start]
            extra = max(extra, self._run_heights[number] - have)
        return extra

    def _body_heights(self, stop: int) -> list[float]:
        return [self._heights[row] + self._extra(row, stop) for row in range(stop)]

    def _lead_rows(self) -> list[GridRow]:
        wanted = (ALWAYS, CONTINUED) if self.continued else (ALWAYS, FIRST)
        return [row for row in self.lead if row.when in wanted]

    def _lead_height(self) -> float:
        return sum(self._lead_heights[id(row)] for row in self._lead_rows())

    # ---- flowable --------------------------------------------------------------------------
    def wrap(self, available_width, available_height):
        self._measure()
        self.height = self._lead_height() + sum(self._body_heights(len(self.body)))
        return self.width, self.height

    def _fits(self, available_height: float, *, keep: bool = True) -> int:
        """How many body rows fit below the lead rows (a keep_with_next row is never the last)."""
        total = self._lead_height()
        count, rows = 0, len(self.body)
        for row in range(rows):
            if total + self._heights[row] + self._extra(row, row + 1) > available_height + 1e-6:
                break
            count = row + 1
            total += self._heights[row] + self._extra(row, rows)
        while keep and 0 < count < rows and self.body[count - 1].keep_with_next:
            count -= 1
        return count

    def _taller_than_a_page(self, row: int) -> bool:
        return self._lead_height() + self._heights[row] + self._extra(row, row + 1) > self.page_height + 1e-6

    def _part(self, start: int, stop: int, continued: bool) -> RunTable:
        runs, run_heights = [], []
        for run, needed in zip(self.runs, self._run_heights, strict=True):
            first, last = max(run.start, start), min(run.start + run.count, stop)
            if first >= last:
                continue
            if first > run.start and run.continued is not None:  # cut by a page break
                run = replace(run, cell=run.continued, continued=None)
                needed = cell_height(run.cell, self.widths[run.column], self.padding, self.leading)
            runs.append(replace(run, start=first - start, count=last - first))
            run_heights.append(needed)
        return RunTable(self.widths, self.lead, self.body[start:stop], runs, self.commands, padding=self.padding,
                        leading=self.leading, page_height=self.page_height, continued=continued,
                        _measured=(self._heights[start:stop], run_heights, self._lead_heights))

    def split(self, available_width, available_height):
        self._measure()
        if not self.body:
            return []
        count = self._fits(available_height)
        if count == len(self.body):
            return [self]
        # A row taller than any page begins right here, below the rows that fit, instead of leaving
        # the rest of this page blank (it must be divided anyway).
        fitting = self._fits(available_height, keep=False)
        if self._taller_than_a_page(fitting) or self.body[fitting].divisible:
            used = self._lead_height() + sum(self._heights[row] + self._extra(row, fitting)
                                             for row in range(fitting))
            parts = self._divide_row(fitting, available_height - used)
            if parts:
                return parts
        if count:
            return [self._part(0, count, self.continued), self._part(count, len(self.body), True)]
        return []  # not even one row fits here: wait for the next page

    def _divide_row(self, index: int, room: float) -> list[Flowable]:
        """Body row ``index`` fits on no page: print what fits of each cell in ``room`` here and the rest
        on the next page (the only case in which a row is divided). [] when too little room is left."""
        row = self.body[index]
        top, bottom = self.padding[2], self.padding[3]
        space = room - top - bottom
        if space < 2 * self.leading:  # not worth starting it here: a line or two, then a page break
            return []
        hidden = _covered(self.widths, row.commands)
        head_cells, tail_cells = [], []
        for column, cell in enumerate(row.cells):
            if column in hidden or not isinstance(cell, Flowable):
                head_cells.append(cell)
                tail_cells.append(row.continued.get(column, "") if cell not in ("", None) else "")
                continue
            width = _span_width(self.widths, row.commands, column) - self.padding[0] - self.padding[1]
            _w, needed = cell.wrap(width, space)
            parts = [cell] if needed <= space + 1e-6 else cell.split(width, space)
            if not parts:
                return []
            head_cells.append(parts[0])
            tail_cells.append(parts[1] if len(parts) > 1 else row.continued.get(column, ""))
        head = GridRow(head_cells, row.commands)
        tail = GridRow(tail_cells, row.commands, keep_with_next=row.keep_with_next, continued=row.continued,
                       divisible=row.divisible)
        runs = [replace(run, count=run.count + 1) if run.start <= index < run.start + run.count
                else replace(run, start=run.start + 1) if run.start > index else run for run in self.runs]
        body = [*self.body[:index], head, tail, *self.body[index + 1:]]
        whole = RunTable(self.widths, self.lead, body, runs, self.commands, padding=self.padding,
                         leading=self.leading, page_height=self.page_height, continued=self.continued)
        columns = whole._run_columns()
        heights = [*self._heights[:index], whole._row_height(head, columns[index]),
                   whole._row_height(tail, columns[index + 1]), *self._heights[index + 1:]]
        whole._heights, whole._run_heights, whole._lead_heights = heights, self._run_heights, self._lead_heights
        whole._is_measured = True
        whole._index()
        return [whole._part(0, index + 1, self.continued), whole._part(index + 1, len(whole.body), True)]

    def table(self) -> Table:
        """The reportlab Table of this page: lead rows, body rows, merged runs and per-row commands."""
        self._measure()
        lead = self._lead_rows()
        data: list[list] = []
        commands: list[tuple] = list(self.commands)

        def add(row: GridRow) -> None:
            offset = len(data)
            data.append(list(row.cells))
            for command in row.commands:
                (c0, r0), (c1, r1) = command[1], command[2]
                commands.append((command[0], (c0, r0 + offset), (c1, r1 + offset), *command[3:]))

        for row in lead:
            add(row)
        start = len(data)
        for row in self.body:
            add(row)
        for run in self.runs:
            data[start + run.start][run.column] = run.cell
            if run.count > 1:
                commands.append(("SPAN", (run.column, start + run.start),
                                 (run.column, start + run.start + run.count - 1)))
        heights = [self._lead_heights[id(row)] for row in lead] + self._body_heights(len(self.body))
        table = TextTable(data, colWidths=self.widths, rowHeights=heights, hAlign="LEFT")
        table.setStyle(TableStyle(commands))
        return table

    def draw(self) -> None:
        if getattr(self.canv, "bd_layout_only", False):
            return  # a pass that only counts pages (app.printing.document): the layout is known already
        table = self.table()
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


class DrawnOnce(Flowable):
    """Wraps a costly flowable (a big Table) so that it lays out in every pass but draws only in
    passes whose page is kept (see ``bd_layout_only`` in app.printing.document)."""

    def __init__(self, inner: Flowable) -> None:
        super().__init__()
        self.inner = inner
        self.hAlign = getattr(inner, "hAlign", "LEFT")

    def wrap(self, available_width, available_height):
        self.width, self.height = self.inner.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        parts = self.inner.split(available_width, available_height)
        return [DrawnOnce(part) for part in parts]

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def draw(self) -> None:
        if not getattr(self.canv, "bd_layout_only", False):
            self.inner.drawOn(self.canv, 0, 0)


class CellParagraph(Paragraph):
    """A cell's Paragraph that remembers its line breaking for the width it was last wrapped to:
    ``RunTable`` measures every cell once and the table wraps it again to draw it."""

    _wrapped_width: float | None = None

    def wrap(self, available_width, available_height):
        if available_width == self._wrapped_width:
            return self.width, self.height
        result = super().wrap(available_width, available_height)
        self._wrapped_width = available_width
        return result


_TEMPLATES: dict[tuple, object] = {}


def _template(style):
    """The parsed fragment of a one-word paragraph in ``style``: plain text cells copy it."""
    key = (style.fontName, style.fontSize, str(style.textColor), str(style.backColor), style.textTransform)
    template = _TEMPLATES.get(key)
    if template is None:
        template = _TEMPLATES[key] = Paragraph("x", style).frags[0]
    return template


# Line breaking is a function of the text, the width and the font: a 600-page print breaks the
# same few thousand texts (units, indicator names, 年初工作计划 …) some 40 000 times.
_BREAKS: dict[tuple[str, float, str, float], list[tuple[float, str]]] = {}
_BREAKS_LIMIT = 200_000


def _broken_lines(text: str, width: float, font_name: str, font_size: float) -> list[tuple[float, str]]:
    """``textsplit.wordSplit(text, [width], font_name, font_size)`` as (spare width, line) pairs, remembered."""
    key = (text, width, font_name, font_size)
    lines = _BREAKS.get(key)
    if lines is None:
        if len(_BREAKS) >= _BREAKS_LIMIT:
            _BREAKS.clear()
        lines = _BREAKS[key] = [(extra, line) for extra, line in textsplit.wordSplit(text, [width], font_name,
                                                                                      font_size)]
    return lines


def forget_measures() -> None:
    """After a font is re-registered under the same name (see ``app.printing.speed.forget``)."""
    _BREAKS.clear()
    _SET_LINES.clear()


class TextCell(Flowable):
    """Plain one-paragraph cell text drawn without reportlab's Paragraph machinery.

    The lines are broken exactly as a CJK-wrapped Paragraph breaks a single fragment
    (``textsplit.wordSplit``, with the full-width marks that may not start a line) and set at the
    same positions (first baseline one font size below the top, then one leading per line; left,
    centred or right in the width less the style's right indent), but drawing them is a handful
    of text operators instead of Paragraph's per-line fragment cloning: a 600-page print draws
    50 000 cells. Only for styles without first-line or left indents and without a background.
    """

    def __init__(self, text: str, style) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._wrapped_width: float | None = None
        self._lines: list[tuple[float, str]] = []

    @staticmethod
    def suits(style) -> bool:
        return (style.alignment in (0, 1, 2) and not style.firstLineIndent and not style.leftIndent
                and style.backColor is None and style.textTransform is None)

    def getPlainText(self) -> str:  # what Paragraph offers, for tests and debugging
        return self.text

    def broken(self, room: float) -> list[tuple[float, str]]:
        """The lines in ``room`` points, each with the width left over (a subclass breaks elsewhere)."""
        return _broken_lines(self.text, room, self.style.fontName, self.style.fontSize)

    def divided(self, fits: int) -> list[Flowable]:
        """This cell as the ``fits`` lines that fit and the rest (a subclass keeps its own kind)."""
        head = "".join(line for _extra, line in self._lines[:fits])
        tail = self.text[len(head):] if self.text.startswith(head) else \
            "".join(line for _extra, line in self._lines[fits:])
        return [TextCell(head, self.style), TextCell(tail.lstrip(" "), self.style)]

    def wrap(self, available_width, available_height):
        if available_width != self._wrapped_width:
            self._lines = self.broken(available_width - self.style.rightIndent)
            self._wrapped_width = available_width
            self.width = available_width
            self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        fits = int((available_height + 1e-6) // self.style.leading)
        if fits <= 0:
            return []
        if fits >= len(self._lines):
            return [self]
        return self.divided(fits)

    def placed_lines(self, x: float, y: float):
        """(x, y, text) of each line's start when the cell's bottom left corner is at (x, y)."""
        style = self.style
        alignment = style.alignment
        baseline = y + self.height - style.fontSize
        for extra, line in self._lines:
            shift = 0.0 if alignment == 0 else (extra / 2 if alignment == 1 else extra)
            yield x + shift, baseline, line
            baseline -= style.leading

    def draw(self) -> None:
        style = self.style
        canvas = self.canv
        canvas.setFillColor(style.textColor)
        text = canvas.beginText()
        text.setFont(style.fontName, style.fontSize, style.leading)
        for x, y, line in self.placed_lines(0.0, 0.0):
            text.setTextOrigin(x, y)
            text.textOut(line)
        canvas.drawText(text)


class BalancedCell(TextCell):
    """A header cell whose lines are balanced: as many lines as the width needs, but each about as
    long as the others, so a title never leaves one character alone on its last line
    (财政拨款收/入 becomes 财政拨/款收入, 可持续影响指/标 becomes 可持续/影响指标)."""

    def wrap(self, available_width, available_height):
        if available_width == self._wrapped_width:
            return self.width, self.height
        super().wrap(available_width, available_height)
        count = len(self._lines)
        if count > 1:
            style = self.style
            room = available_width - style.rightIndent
            low, high = room / count, room
            for _ in range(12):  # the narrowest width that still needs no more lines
                middle = (low + high) / 2
                if len(textsplit.wordSplit(self.text, [middle], style.fontName, style.fontSize)) > count:
                    low = middle
                else:
                    high = middle
            texts = [line for _extra, line in textsplit.wordSplit(self.text, [high], style.fontName, style.fontSize)]
            # A narrow cell can still end 3/3/1 (可持续/影响指/标): hand the last line a character from
            # the line above while that line keeps two and no mark would start a line.
            while (len(texts) > 1 and len(texts[-1]) == 1 and len(texts[-2]) > 2
                   and texts[-2][-1] not in textsplit.ALL_CANNOT_START):
                texts[-2], texts[-1] = texts[-2][:-1], texts[-2][-1] + texts[-1]
            # positions are measured against the whole cell, as before
            self._lines = [(room - stringWidth(line, style.fontName, style.fontSize), line) for line in texts]
        return self.width, self.height


def paragraph(text: str, style) -> Flowable:
    """A cell's plain text, line breaks kept. One-line text (thousands of cells per document) is
    a ``TextCell`` where the style allows, else a Paragraph that skips reportlab's markup parser
    (a copy of a parsed fragment with the text in it, whitespace collapsed as the parser would)."""
    lines = str(text).split("\n")
    if len(lines) == 1 and style.textTransform is None:
        clean = " ".join(lines[0].split())
        if clean:
            if TextCell.suits(style):
                return TextCell(clean, style)
            return CellParagraph(clean, style, frags=[_template(style).clone(text=clean)])
    return CellParagraph("<br/>".join(escape(line) for line in lines), style)


class TextTable(Table):
    """A reportlab ``Table`` that sets the text of all its ``TextCell`` cells in one PDF text object.

    ``Table`` draws each cell flowable on its own (save the graphics state, move the origin, begin
    a text object, choose font and colour, end, restore), about half the cost of a 600-page print
    for cells that are one short line of text. Here such a cell is placed exactly where ``Table``
    would place it (padding, alignment, vertical alignment) and its lines are set, at those
    positions, in one text object for each run of text cells: another cell with text (a Paragraph,
    a string) ends the run first, so the content keeps the cells' order (text is read back, copied
    and searched in the order ``Table`` wrote it), and the rules are drawn after the last run, as
    ``Table`` draws cells before lines. Other cells draw as before.
    """

    def draw(self) -> None:
        self._placed_text: list[tuple[TextCell, float, float]] = []
        super().draw()

    def _drawCell(self, cellval, cellstyle, pos, size):
        if isinstance(cellval, (tuple, list)) and len(cellval) == 1:
            cellval = cellval[0]  # Table keeps a measured flowable cell as a 1-tuple (drawn the same)
        if not isinstance(cellval, TextCell) or cellstyle.href or cellstyle.destination:
            if cellval != "":  # drawn text keeps its place in the content (the order text is read back in)
                self._set_placed_text()
            return super()._drawCell(cellval, cellstyle, pos, size)
        # The canvas keeps the font and colour of ``self._curcellstyle``; a text cell sets its own
        # inside the text object, so neither is touched here.
        colpos, rowpos = pos
        colwidth, rowheight = size
        width, height = cellval.wrapOn(self.canv, colwidth - cellstyle.leftPadding - cellstyle.rightPadding,
                                       rowheight - cellstyle.topPadding - cellstyle.bottomPadding)
        valign = cellstyle.valign
        if valign == "TOP":
            y = rowpos + rowheight - cellstyle.topPadding
        elif valign == "BOTTOM":
            y = rowpos + cellstyle.bottomPadding + height
        else:
            y = rowpos + (rowheight + cellstyle.bottomPadding - cellstyle.topPadding + height) / 2.0
        y -= height
        just = cellstyle.alignment
        if just == "LEFT":
            x = colpos + cellstyle.leftPadding
        elif just == "RIGHT":
            x = colpos + colwidth - cellstyle.rightPadding - width
        elif just in ("CENTRE", "CENTER"):
            x = colpos + (colwidth + cellstyle.leftPadding - cellstyle.rightPadding - width) / 2.0
        else:
            self._set_placed_text()
            return super()._drawCell(cellval, cellstyle, pos, size)
        self._placed_text.append((cellval, x, y))

    def _drawLines(self):
        self._set_placed_text()
        super()._drawLines()

    def _set_placed_text(self) -> None:
        """Set the text cells placed since the last other cell with text, in one text object."""
        placed = getattr(self, "_placed_text", None)
        if placed:
            canvas = self.canv
            text = canvas.beginText()
            font = color = None
            setter = None
            for cell, x, y in placed:
                style = cell.style
                if (style.fontName, style.fontSize, style.leading) != font:
                    font = (style.fontName, style.fontSize, style.leading)
                    text.setFont(*font)
                    setter = _LineSetter.for_font(canvas, text, *font)
                if style.textColor != color:
                    color = style.textColor
                    text.setFillColor(color)
                for line_x, line_y, line in cell.placed_lines(x, y):
                    if setter is not None:
                        setter.line(line_x, line_y, line)
                    else:
                        text.setTextOrigin(line_x, line_y)
                        text.textOut(line)
            canvas.drawText(text)
            self._placed_text = []


class _LineSetter:
    """Writes the operators of one positioned line into a text object, as ``setTextOrigin`` +
    ``textOut`` write them for an embedded TrueType font: the origin (``Tm``), then per run of
    characters in one subset the subset's font (``Tf``, ``TL``) when it changes, and the string
    (``Tj``). What it leaves out is their bookkeeping for later calls the table never makes (the
    cursor moved by the string's width). Other fonts (the CID fallback) go through reportlab."""

    def __init__(self, canvas, text, font, size: float, leading: float) -> None:
        self.code = text._code
        self.text = text
        self.font = font
        self.doc = canvas._doc
        self.escape = canvas._escape
        self.tail = f"{fp_str(size)} Tf {fp_str(leading)} TL"
        self.names: dict[int, str] = {}

    @classmethod
    def for_font(cls, canvas, text, font_name: str, size: float, leading: float):
        font = getFont(font_name)
        if not getattr(font, "_dynamicFont", False) or not canvas.bottomup:
            return None
        return cls(canvas, text, font, size, leading)

    def line(self, x: float, y: float, line: str) -> None:
        text = self.text
        subset_now = text._curSubset
        memory = _SET_LINES.get(self.doc)
        if memory is None:
            memory = _SET_LINES[self.doc] = {}
        key = (self.font.fontName, self.tail, line, subset_now)
        known = memory.get(key)
        if known is None:
            known = memory[key] = self._operators(line, subset_now)
        operators, text._curSubset = known
        self.code.append(f"1 0 0 1 {fp_str(x, y)} Tm")
        self.code.append(operators)

    def _operators(self, line: str, subset_now: int) -> tuple[str, int]:
        """The operators of ``line`` after the subset ``subset_now``, and the subset it ends in. The
        characters get their subset codes in the document the first time they are set, so the same
        line after the same subset always gives the same operators in that document."""
        parts = []
        for subset, chunk in self.font.splitString(line, self.doc):
            if subset != subset_now:
                name = self.names.get(subset)
                if name is None:
                    name = self.names[subset] = self.font.getSubsetInternalName(subset, self.doc)
                parts.append(f"{name} {self.tail}")
                subset_now = subset
            parts.append(f"({self.escape(chunk)}) Tj")
        return " ".join(parts), subset_now


# Per PDF being written (reportlab's canvas document): the operators of each line already set.
_SET_LINES: WeakKeyDictionary = WeakKeyDictionary()
