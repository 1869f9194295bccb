"""Page geometry and text styles shared by every printed section."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import paragraph

from app.domain.records import UnitInfo
from app.printing import speed
from app.printing.fonts import FontSet

PORTRAIT, LANDSCAPE = "portrait", "landscape"
WIDE = "wide"  # A3 landscape: the 31 columns of the 项目绩效自评表 (seed 001)
PAGE_SIZES = {PORTRAIT: A4, LANDSCAPE: landscape(A4), WIDE: landscape(A3)}
MARGIN_SIDE = 15 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 18 * mm  # room for the 第 x 页 共 y 页 footer
FOOTER_Y = 9 * mm

CELL_SIZE = 9
CELL_LEADING = 11.5
CELL_PAD_X = 3
CELL_PAD_Y = 2.5
CELL_PADDING = (CELL_PAD_X, CELL_PAD_X, CELL_PAD_Y, CELL_PAD_Y)  # left, right, top, bottom
SMALL_SIZE = 8  # the wide tables: 项目支出绩效目标表（含转移支付项目）, 政府采购预算表
SMALL_LEADING = 10


# reportlab's CJK line breaking keeps a mark that may not start a line on the line before (it hangs
# by one character, 标点悬挂), but its list lacks the full-width Chinese marks, so a line could start
# with "，" or "；". Added once, to both places reportlab reads the list from.
_CHINESE_CANNOT_START = "，；：！？．”’》〉」』】…"


def _chinese_line_breaking() -> None:
    missing = "".join(mark for mark in _CHINESE_CANNOT_START if mark not in textsplit.ALL_CANNOT_START)
    textsplit.ALL_CANNOT_START += missing
    paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START


_chinese_line_breaking()
speed.install()  # per-character widths remembered (app.printing.speed)


def _hanging_room(font_size: float) -> float:
    return max(0.0, font_size / 2 - CELL_PAD_X)


def frame_width(orientation: str) -> float:
    return PAGE_SIZES[orientation][0] - 2 * MARGIN_SIDE


def frame_height(orientation: str) -> float:
    return PAGE_SIZES[orientation][1] - MARGIN_TOP - MARGIN_BOTTOM


@dataclass
class PrintContext:
    """What every section needs to know about the dataset being printed."""

    unit: UnitInfo
    year: int
    money_unit: str
    fonts: FontSet
    fingerprint: str = ""  # the unit's package-signing key, printed beside the signatures
    only_general_budget: bool = False  # all income is 一般公共预算拨款: unbroken project funds default to it

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
        # Wrapped text in a cell keeps half a glyph clear on the right: a hanging “，” at a line end then
        # stays inside the cell padding instead of touching the rule.
        self.cell = style("cell", fontSize=CELL_SIZE, leading=CELL_LEADING, alignment=TA_LEFT,
                          rightIndent=_hanging_room(CELL_SIZE))
        self.cell_center = style("cell_center", parent=self.cell, alignment=TA_CENTER, rightIndent=0)
        self.cell_right = style("cell_right", parent=self.cell, alignment=TA_RIGHT, rightIndent=0)
        self.small = style("small", fontSize=SMALL_SIZE, leading=SMALL_LEADING, alignment=TA_LEFT,
                           rightIndent=_hanging_room(SMALL_SIZE))
        self.small_center = style("small_center", parent=self.small, alignment=TA_CENTER, rightIndent=0)
        self.small_right = style("small_right", parent=self.small, alignment=TA_RIGHT, rightIndent=0)
        # 1、报刊机构合作宣传费绩效目标表: the caption of each project table inside the 情况说明.
        self.caption = style("caption", fontName=heading, fontSize=12, leading=18, alignment=TA_CENTER,
                             spaceBefore=8, spaceAfter=4, keepWithNext=1)
        self.subtitle = style("subtitle", fontSize=11, leading=15, alignment=TA_CENTER, spaceAfter=6)
        self.part_heading = style("part_heading", fontName=heading, fontSize=12, leading=20, spaceBefore=6,
                                  keepWithNext=1)
        self.unit_left = style("unit_left", fontSize=10, leading=13, alignment=TA_LEFT)
        self.unit_center = style("unit_center", parent=self.unit_left, alignment=TA_CENTER)
        self.unit_right = style("unit_right", parent=self.unit_left, alignment=TA_RIGHT)
        self.note = style("note", fontSize=10, leading=14, spaceBefore=6)
        # “附件1”: a line of its own at the top left, above a form's title (seeds 000, 003).
        self.attachment = style("attachment", fontName=heading, fontSize=12, leading=18, alignment=TA_LEFT,
                                spaceAfter=2, keepWithNext=1)
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
