"""A refusal shown as a message box that fits on the screen: a short one as the usual box; a long one (a list
of open findings, of differences) with its first lines in the box and the whole text under 详细信息, so no
box is ever taller than the screen and its 确定 is always in reach (issue 29: a box 1,354 px tall)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

# A text longer than this goes under 详细信息 (a box of this many lines fits a 768-px screen).
MAX_LINES = 12
MAX_CHARS = 700
LINES_SHOWN = 4


def show_refusal(parent: QWidget | None, title: str, text: str) -> QMessageBox | None:
    """The refusal ``text``; returns the box when it was too long for a plain one (opened window-modal)."""
    lines = text.split("\n")
    if len(lines) <= MAX_LINES and len(text) <= MAX_CHARS:
        QMessageBox.warning(parent, title, text)
        return None
    shown = "\n".join(lines[:LINES_SHOWN])[:MAX_CHARS]
    box = QMessageBox(QMessageBox.Icon.Warning, title, shown + f"\n……全文共 {len(lines)} 行，请点“显示详细信息”查看。",
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("refusal_box")
    box.setDetailedText(text)
    box.open()
    if parent is not None:
        parent.refusal_box = box  # kept alive while open; tests find it here
    return box
