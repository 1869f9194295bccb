"""批注 on the tables: which cells carry a comment, the corner mark the delegates paint, the tooltip text.

``comment_index(controller)`` is one ``CommentIndex`` per open dataset (kept on the controller); the
grid models ask it for a cell's comments, the 批注 dock refreshes it after an answer or an import.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPolygonF
from PySide6.QtWidgets import QStyledItemDelegate

from app.exchange.comment_document import Comment, list_comments

COMMENT_ROLE = int(Qt.ItemDataRole.UserRole) + 41  # the comments' text of a cell ("" / None: none)
OPEN_COLOR = QColor("#d9480f")  # a comment waiting for the unit: orange-red, like a spreadsheet's note
ANSWERED_COLOR = QColor("#2b8a3e")  # answered (or resolved): green
CORNER = 8  # the triangle's side in pixels


class CommentIndex(QObject):
    changed = Signal()

    def __init__(self, store, unit_code: str, year: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store, self.unit_code, self.year = store, unit_code, year
        self.comments: list[Comment] = []
        self.cells: dict[tuple[str, str, str], list[Comment]] = {}
        self.refresh(emit=False)

    def refresh(self, *, emit: bool = True) -> None:
        self.comments = list_comments(self.store, self.unit_code, self.year)
        self.cells = {}
        for comment in self.comments:
            if comment.cell is not None:
                self.cells.setdefault(comment.cell, []).append(comment)
        if emit:
            self.changed.emit()

    def for_cell(self, form_id: str, row: str, column: str) -> list[Comment]:
        return self.cells.get((form_id, row, column), [])

    def for_project(self, name: str) -> list[Comment]:
        return [c for c in self.comments if c.kind in ("project", "indicator") and c.project == name]


def comment_index(controller) -> CommentIndex:
    index = getattr(controller, "_comment_index", None)
    if index is None:
        dataset = controller.dataset
        index = CommentIndex(dataset.store, dataset.unit_code, dataset.year, controller)
        controller._comment_index = index
    return index


def tooltip_text(comments: list[Comment]) -> str:
    lines = []
    for comment in comments:
        flag = "【需跟进】" if comment.follow_up else ""
        lines.append(f"批注（{comment.side}，{comment.status_name}）：{flag}{comment.text}")
        if comment.answer:
            lines.append(f"　回复：{comment.answer}")
    return "\n".join(lines)


def paint_corner(painter: QPainter, rect, comments_state: str) -> None:
    """The small triangle in a cell's top-right corner: open (orange-red) or answered (green)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(OPEN_COLOR if comments_state == "open" else ANSWERED_COLOR))
    right, top = rect.right() + 1, rect.top()
    painter.drawPolygon(QPolygonF([QPointF(right - CORNER, top), QPointF(right, top), QPointF(right, top + CORNER)]))
    painter.restore()


class CornerDelegate(QStyledItemDelegate):
    """A plain item delegate that adds the corner mark (lists and read-only tables)."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        state = index.data(COMMENT_ROLE)
        if state:
            paint_corner(painter, option.rect, state)


def state_of(comments: list[Comment]) -> str:
    """'open' if any comment still waits for the unit, else 'answered'; '' when there is none."""
    if not comments:
        return ""
    return "open" if any(c.status == "open" for c in comments) else "answered"
