"""Official-format printing: every form, the cover, the 目录 and the 情况说明 to PDF (reportlab).

``build_document`` is the entry point; ``fonts.font_status`` tells the settings dialog which font
is embedded; ``narrative`` holds the Qt-free API for the clerk's edits of the 情况说明.
"""

from app.printing.document import PrintResult, build_document, render_document
from app.printing.fonts import font_status, print_fonts

__all__ = ["PrintResult", "build_document", "render_document", "font_status", "print_fonts"]
