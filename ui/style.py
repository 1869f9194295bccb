"""Shared looks: the colours and style sheets every widget uses, written once."""

from __future__ import annotations

from PySide6.QtGui import QColor

ERROR_COLOR = "#b42318"  # errors, refused input
WARNING_COLOR = "#b54708"  # 提示
TEXT_COLOR = "#1f2933"
MUTED_COLOR = "#52606d"

ERROR_STYLE = f"color: {ERROR_COLOR};"
MUTED_STYLE = f"color: {MUTED_COLOR};"
TITLE_STYLE = "font-size: 17px; font-weight: bold; padding: 4px;"

ERROR_QCOLOR = QColor(ERROR_COLOR)
WARNING_QCOLOR = QColor(WARNING_COLOR)


def message_label_style(error: bool = True) -> str:
    return ERROR_STYLE if error else MUTED_STYLE
