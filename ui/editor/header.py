"""A horizontal header that draws the form's multi-level column titles like the printed table."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHeaderView

HEADER_BACKGROUND = QColor("#dde3ea")
GRID_LINE = QColor("#9aa5b1")


class GroupedHeaderView(QHeaderView):
    def __init__(self, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(False)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

    def _paths(self) -> list[tuple]:
        model = self.model()
        return [column.header for column in getattr(model, "grid_columns", [])]

    def _levels(self) -> int:
        return max((len(path) for path in self._paths()), default=1)

    def line_height(self) -> int:
        return self.fontMetrics().height() * 2 + 8  # room for a title that wraps once

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        hint = super().sizeHint()
        return QSize(hint.width(), self.line_height() * self._levels())

    def _span(self, paths: list[tuple], logical: int, level: int) -> tuple[int, int]:
        """First and last section sharing this title at this level (same titles above it too)."""
        prefix = paths[logical][: level + 1]
        first = last = logical
        while first > 0 and paths[first - 1][: level + 1] == prefix:
            first -= 1
        while last + 1 < len(paths) and paths[last + 1][: level + 1] == prefix:
            last += 1
        return first, last

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802
        paths = self._paths()
        if not paths or logical >= len(paths):
            super().paintSection(painter, rect, logical)
            return
        levels = self._levels()
        line = rect.height() // levels
        path = paths[logical]
        painter.save()
        painter.setClipRect(rect)
        level = 0
        while level < levels:
            title = path[level] if level < len(path) else None
            depth = 1
            while level + depth < levels and (level + depth >= len(path) or path[level + depth] is None):
                depth += 1
            first, last = self._span(paths, logical, level) if title is not None else (logical, logical)
            left = self.sectionViewportPosition(first)
            right = self.sectionViewportPosition(last) + self.sectionSize(last)
            cell = QRect(left, rect.top() + level * line, right - left, line * depth)
            if level + depth == levels:
                cell.setBottom(rect.bottom())
            painter.fillRect(cell, HEADER_BACKGROUND)
            painter.setPen(QPen(GRID_LINE))
            painter.drawRect(cell.adjusted(0, 0, -1, -1))
            painter.setPen(QPen(QColor("#1f2933")))
            painter.drawText(cell.adjusted(3, 2, -3, -2), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                             title or "")
            level += depth
        painter.restore()
