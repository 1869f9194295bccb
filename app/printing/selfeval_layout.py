"""The layout of the wide 项目绩效自评表 (seed 001, A3): line breaking that keeps figures whole and
column widths weighted by what the columns hold.

* Body text breaks between Chinese characters and at spaces, never inside a figure: a number keeps
  its comparator, decimals, percent sign and a one-character measure word (≥95%, 232.52, 100.00%,
  35人), a Latin word stays whole, and punctuation stays on the side it belongs to (a closing mark
  never starts a line, an opening mark never ends one).
* Header titles break only between words (年度/指标/内容, 可持续/影响/指标), so no header line holds
  a lone character or half of a two-character word.
* Columns get at least their widest unbreakable piece (and four characters where they hold running
  text); the rest of the page width goes, a step at a time, to the row whose cells it shortens most
  cheaply, so the widths follow what the columns hold; an indicator kind no project fills keeps
  only its header's width.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from app.printing.grid import TextCell

_OPENING = "（(“‘「『《〈【["
_CLOSING = "，。、；：！？）)”’」』》〉】],.;:!?%％…·"
_MEASURE = "人次条个件篇场家项名位元天年月日号届期批户所台套本部类处"
_PIECE = re.compile(
    rf"""[{re.escape(_OPENING)}]*
    (?:
        [≥≤＞＜<>=＝±+\-]?\d+(?:[.,:/\-~～]\d+)*[%％‰]?(?:平米|万元|[{_MEASURE}])?   # a figure, whole
      | [A-Za-z0-9][A-Za-z0-9_'&/\-.]*                                           # a Latin word
      | \S                                                                       # any other character
    )
    [{re.escape(_CLOSING)}]*""",
    re.X,
)

# Header words, longest first when they overlap: the titles of the form break only between these.
HEADER_WORDS = (
    "序号", "单位", "名称", "项目", "年度", "预算", "金额", "实际", "支出", "合计", "其中：", "财政", "拨款", "一般",
    "公共", "政府性", "基金", "非财政", "资金", "执行率", "年初", "绩效", "目标", "整体", "完成", "情况", "产出",
    "效益", "数量", "质量", "时效", "成本", "经济", "社会", "生态", "可持续", "影响", "满意度", "指标", "内容",
    "执行", "中的", "问题", "整改",
)


def pieces(text: str) -> list[str]:
    """The unbreakable pieces of a body text, spaces kept as their own pieces (break points)."""
    found: list[str] = []
    for word in re.split(r"(\s+)", text):
        if not word:
            continue
        if word.isspace():
            found.append(" ")
        else:
            found += _PIECE.findall(word)
    return found


def header_pieces(text: str) -> list[str]:
    """A header title cut into ``HEADER_WORDS`` (longest match); any other character stands alone
    but is joined to its neighbour so that it never makes a line by itself."""
    words: list[str] = []
    position = 0
    ordered = sorted(HEADER_WORDS, key=len, reverse=True)
    while position < len(text):
        word = next((w for w in ordered if text.startswith(w, position)), text[position])
        words.append(word)
        position += len(word)
    merged: list[str] = []
    for word in words:
        if len(word) == 1 and merged:
            merged[-1] += word
        else:
            merged.append(word)
    if len(merged) > 1 and len(merged[0]) == 1:
        merged[1] = merged[0] + merged[1]
        del merged[0]
    return merged


def fill_lines(parts: Sequence[str], room: float, font: str, size: float) -> list[str]:
    """Greedy lines of whole pieces; a piece wider than the room alone is cut by character."""
    lines: list[str] = []
    line, used = "", 0.0
    for part in parts:
        if part == " ":
            if line:
                line, used = line + " ", used + stringWidth(" ", font, size)
            continue
        width = stringWidth(part, font, size)
        if used + width <= room + 1e-6 or not line.strip():
            if width > room + 1e-6 and not line.strip():
                for char in part:  # wider than the column on its own: the only place a piece is cut
                    char_width = stringWidth(char, font, size)
                    if line.strip() and used + char_width > room + 1e-6:
                        lines.append(line.rstrip())
                        line, used = "", 0.0
                    line, used = line + char, used + char_width
                continue
            line, used = line + part, used + width
        else:
            lines.append(line.rstrip())
            line, used = part, width
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


class WholeFigureCell(TextCell):
    """A body cell broken into ``pieces`` (never inside a figure or a Latin word)."""

    splitter = staticmethod(pieces)

    def broken(self, room: float) -> list[tuple[float, str]]:
        style = self.style
        texts = [line for part in self.text.split("\n")  # the clerk's own line breaks are kept
                 for line in fill_lines(self.splitter(part), room, style.fontName, style.fontSize)]
        return [(room - stringWidth(line, style.fontName, style.fontSize), line) for line in texts]

    def divided(self, fits: int) -> list[Flowable]:
        head = "\n".join(line for _extra, line in self._lines[:fits])
        tail = "\n".join(line for _extra, line in self._lines[fits:])
        return [type(self)(head, self.style), type(self)(tail, self.style)]


class HeaderWordCell(WholeFigureCell):
    """A header title broken only between words (``header_pieces``)."""

    splitter = staticmethod(header_pieces)


def widest_piece(texts: Sequence[str], font: str, size: float, header: bool = False) -> float:
    split = header_pieces if header else pieces
    return max((stringWidth(part, font, size) for text in texts for part in split(text) if part != " "),
               default=0.0)


TEXT_CHARACTERS = 4  # the fewest characters a line of a column holding running text gets


def weighted_widths(columns: Sequence[Sequence[str]], headers: Sequence[Sequence[str]], total: float,
                    font: str, size: float, padding: float) -> list[float]:
    """Widths summing to ``total``: each column at least its widest piece (body or header word) plus
    ``padding``; the rest goes where it makes the rows shortest (``_row_heights``).
    ``columns[i][r]`` is the text of row r in column i, ``headers[i]`` the titles over column i alone."""
    # A narrower column of running text reads as a column of syllables (本项/目不/涉及).
    text_minimum = stringWidth("中" * TEXT_CHARACTERS, font, size)
    minimum = [max(widest_piece(body, font, size), widest_piece(titles, font, size, header=True),
                   text_minimum if any(len(text) > TEXT_CHARACTERS for text in body) else 0.0) + padding
               for body, titles in zip(columns, headers, strict=True)]
    if sum(minimum) >= total:  # the minimums alone are wider than the page: shrink alike
        return [width * total / sum(minimum) for width in minimum]
    text_widths = [[stringWidth(" ".join(text.split()), font, size) for text in body] for body in columns]
    rows = sorted(zip(*text_widths, strict=True), key=sum, reverse=True)[:_BALANCE_ROWS] if text_widths else []
    usable = [width - padding for width in minimum]
    needed = _row_heights(rows, usable, total - padding * len(columns))
    widths = [width + padding for width in needed]
    spare = total - sum(widths)
    # What is left (the rows cannot get shorter) goes to the columns in proportion to their widths.
    return [width + spare * width / sum(widths) for width in widths]


_BALANCE_ROWS = 40  # a long table is balanced on its rows with the most text (the time stays small)
_LOWER = 0.94  # each step lowers one row's height by this factor


def _row_heights(rows: list[tuple[float, ...]], minimum: list[float], room: float) -> list[float]:
    """Usable column widths for the shortest rows: the height of a row is measured as the most
    (text width ÷ column width) of its cells (smooth lines, enough to compare), a column must be as
    wide as the most any row's height asks of it; starting from every column at its minimum, the row
    whose lowering costs the least width per line saved is lowered, while the widths fit ``room``."""
    ncols = len(minimum)
    if not rows:
        return list(minimum)
    heights = [max((row[c] / minimum[c] for c in range(ncols)), default=0.0) for row in rows]
    needed = list(minimum)
    used = sum(needed)
    while True:
        best: tuple[float, int, float, float] | None = None  # (cost per line, row, new height, cost)
        for index, row in enumerate(rows):
            if heights[index] <= 1.0:
                continue
            lower = max(1.0, heights[index] * _LOWER)
            cost = sum(max(0.0, row[c] / lower - needed[c]) for c in range(ncols))
            per_line = cost / (heights[index] - lower)
            if used + cost <= room and (best is None or per_line < best[0]):
                best = (per_line, index, lower, cost)
        if best is None:
            return needed
        _per_line, index, lower, cost = best
        heights[index] = lower
        row = rows[index]
        needed = [max(needed[c], row[c] / lower) for c in range(ncols)]
        used = sum(needed)


__all__ = ["HEADER_WORDS", "HeaderWordCell", "WholeFigureCell", "fill_lines", "header_pieces", "pieces",
           "weighted_widths", "widest_piece"]
