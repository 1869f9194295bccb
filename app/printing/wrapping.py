"""Label cells that break only between words: level names and column headers of a printed form.

A narrow header or 一级指标 cell wrapped character by character leaves 整体支出规/模 or 自评得/分: a single
character, or half of a two-character word, alone on a line. ``LabelCell`` breaks only at word
boundaries — the ``|`` marks a label may carry (自评|得分, 偏差及|原因分析), before a trailing 指标, before a
（权重） or other bracket — and only where a word is itself wider than the cell does it break inside
it, as evenly as ``BalancedCell`` does. The ``|`` marks are never printed.
"""

from __future__ import annotations

import re

from reportlab.pdfbase.pdfmetrics import stringWidth

from app.printing.grid import BalancedCell, TextCell, paragraph

BREAK = "|"
# Where a label may break with no mark: before a trailing 指标 (投入管理|指标), before a bracket.
_NATURAL = re.compile(r"(?<=.)(?=指\s*标(?:$|[（(]))|(?<=.)(?=[（(])")


def label_words(text: str) -> list[str]:
    """The unbreakable pieces of a label, in order."""
    words: list[str] = []
    for piece in text.split(BREAK):
        words += [word for word in _NATURAL.split(piece) if word]
    return words or [""]


def pack_words(words: list[str], room: float, font: str, size: float) -> list[str] | None:
    """Words packed greedily into lines of at most ``room``; None when one word alone is wider."""
    lines: list[str] = []
    for word in words:
        if stringWidth(word, font, size) > room + 1e-6:
            return None
        if lines and stringWidth(lines[-1] + word, font, size) <= room + 1e-6:
            lines[-1] += word
        else:
            lines.append(word)
    return lines


class LabelCell(TextCell):
    """A label (header, level name) broken only between its words; see the module docstring."""

    def __init__(self, text: str, style) -> None:
        self.words = label_words(text)
        super().__init__("".join(self.words), style)

    def wrap(self, available_width, available_height):
        if available_width == self._wrapped_width:
            return self.width, self.height
        style = self.style
        room = available_width - style.rightIndent
        lines = pack_words(self.words, room, style.fontName, style.fontSize)
        if lines is None:  # a word wider than the cell: break it evenly rather than leave a character alone
            fallback = BalancedCell(self.text, style)
            fallback.wrap(available_width, available_height)
            self._lines = fallback._lines
        else:
            self._lines = [(room - stringWidth(line, style.fontName, style.fontSize), line) for line in lines]
        self._wrapped_width = available_width
        self.width = available_width
        self.height = len(self._lines) * style.leading
        return self.width, self.height


def label(text: str, style):
    """A one-line label as a ``LabelCell``; text with its own line breaks keeps them (a Paragraph)."""
    text = str(text)
    if "\n" in text.strip() or not text.strip():
        return paragraph(text, style)
    return LabelCell(" ".join(text.split()) if "|" not in text else text, style)
