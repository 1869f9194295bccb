"""Page geometry and text styles shared by every printed section."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from app.domain import UnitInfo
from app.printing.fonts import FontSet

PORTRAIT, LANDSCAPE = "portrait", "landscape"
PAGE_SIZES = {PORTRAIT: A4, LANDSCAPE: landscape(A4)}
MARGIN_SIDE = 15 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 18 * mm  # room for the 第 x 页 共 y 页 footer
FOOTER_Y = 9 * mm

CELL_SIZE = 9
CELL_LEADING = 11.5
CELL_PAD_X = 3
CELL_PAD_Y = 2.5


def frame_width(orientation: str) -> float:
    return PAGE_SIZES[orientation][0] - 2 * MARGIN_SIDE


@dataclass
class PrintContext:
    """What every section needs to know about the dataset being printed."""

    unit: UnitInfo
    year: int
    money_unit: str
    fonts: FontSet

    @property
    def unit_label(self) -> str:
        return f"{self.unit.code} {self.unit.name}"


class Styles:
    """Paragraph styles for one font set; CJK word wrap everywhere so long names break, never overflow."""

    def __init__(self, fonts: FontSet) -> None:
        body, heading = fonts.body.name, fonts.heading.name
        self.body_font, self.heading_font = body, heading

        def style(name: str, **kwargs) -> ParagraphStyle:
            kwargs.setdefault("fontName", body)
            kwargs.setdefault("wordWrap", "CJK")
            return ParagraphStyle(name, **kwargs)

        self.title = style("title", fontName=heading, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=6)
        self.cell = style("cell", fontSize=CELL_SIZE, leading=CELL_LEADING, alignment=TA_LEFT)
        self.cell_center = style("cell_center", parent=self.cell, alignment=TA_CENTER)
        self.unit_left = style("unit_left", fontSize=10, leading=13, alignment=TA_LEFT)
        self.unit_center = style("unit_center", parent=self.unit_left, alignment=TA_CENTER)
        self.unit_right = style("unit_right", parent=self.unit_left, alignment=TA_RIGHT)
        self.note = style("note", fontSize=10, leading=14, spaceBefore=6)
        self.contents_title = style("contents_title", fontName=heading, fontSize=18, leading=26,
                                    alignment=TA_CENTER, spaceAfter=14)
        self.contents_part = style("contents_part", fontName=heading, fontSize=13, leading=20)
        self.contents_entry = style("contents_entry", fontSize=12, leading=18)
        self.cover_title = style("cover_title", fontName=heading, fontSize=28, leading=40, alignment=TA_CENTER)
        self.cover_field = style("cover_field", fontSize=14, leading=20)
        self.narrative_title = style("narrative_title", fontName=heading, fontSize=16, leading=24,
                                     alignment=TA_CENTER, spaceAfter=10)
        self.heading1 = style("heading1", fontName=heading, fontSize=14, leading=22, spaceBefore=8, spaceAfter=2,
                              keepWithNext=1)
        self.heading2 = style("heading2", fontName=heading, fontSize=12, leading=20, spaceBefore=4,
                              firstLineIndent=24, keepWithNext=1)
        # 首行缩进两字: how official Chinese prose is set.
        self.text = style("text", fontSize=12, leading=21, firstLineIndent=24, alignment=TA_JUSTIFY)
