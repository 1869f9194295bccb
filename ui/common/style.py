"""Shared looks, written once: colours, and one style sheet (set on the main window) whose rules pick
widgets by a ``role`` property — ``set_role(label, "error")`` instead of a style sheet per widget."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

ERROR_COLOR = "#b42318"  # errors, refused input
WARNING_COLOR = "#b54708"  # 提示, 数据已变化
TEXT_COLOR = "#1f2933"
MUTED_COLOR = "#52606d"

ERROR_QCOLOR = QColor(ERROR_COLOR)
WARNING_QCOLOR = QColor(WARNING_COLOR)
TEXT_QCOLOR = QColor(TEXT_COLOR)

ERROR_STYLE = f"color: {ERROR_COLOR};"  # for widgets outside the main window (dialogs of their own)

APP_STYLE = f"""
QLabel[role="error"] {{ color: {ERROR_COLOR}; padding: 2px; }}
QLabel[role="muted"] {{ color: {MUTED_COLOR}; }}
QLabel[role="warning"] {{ color: {WARNING_COLOR}; }}
QLabel[role="title"] {{ font-size: 17px; font-weight: bold; padding: 4px; }}
QLabel[role="counts-error"] {{ color: {ERROR_COLOR}; font-weight: bold; }}
QLabel[role="counts"] {{ color: {TEXT_COLOR}; }}
"""


def set_role(widget: QWidget, role: str) -> QWidget:
    """Give a widget its look from APP_STYLE (re-polished, so a changed role shows at once)."""
    if widget.property("role") != role:
        widget.setProperty("role", role)
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)
    return widget
