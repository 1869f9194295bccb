"""Measuring Chinese text faster: reportlab breaks a CJK paragraph by asking the width of every
character separately (``reportlab.lib.textsplit.getCharWidths``, "the performance is going to
SUCK" says its own comment), half a million calls for the 300-project department. The widths of a
font at a size never change, so they are remembered per (font, size, character): the same
numbers, computed once. Installed when ``app.printing`` is imported.
"""

from __future__ import annotations

from reportlab.lib import textsplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.printing import grid

_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def char_widths(word: str, font_name: str, font_size: float) -> list[float]:
    """``textsplit.getCharWidths`` with memory: the width of each character of ``word``."""
    known = _WIDTHS.get((font_name, font_size))
    if known is None:
        known = _WIDTHS[(font_name, font_size)] = {}
    widths = []
    for char in word:
        width = known.get(char)
        if width is None:
            width = known[char] = stringWidth(char, font_name, font_size)
        widths.append(width)
    return widths


def install() -> None:
    textsplit.getCharWidths = char_widths


def forget() -> None:
    """After a font is re-registered under the same name (tests, a new font file)."""
    _WIDTHS.clear()
    grid.forget_measures()
