"""The cell styles every sheet of the exported workbook shares (fonts, fills, borders, alignments,
number formats), so the form, project and 绩效自评 sheets look like one printed set."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
COMPUTED_FILL = PatternFill("solid", fgColor="F2F2F2")
TITLE_FONT = Font(name="宋体", size=16, bold=True)
FONT = Font(name="宋体", size=10)
BOLD = Font(name="宋体", size=10, bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
RIGHT_LINE = Alignment(horizontal="right", vertical="center", wrap_text=False)
INDENTS = {level: Alignment(horizontal="left", vertical="center", wrap_text=True, indent=level * 2) for level in range(6)}
