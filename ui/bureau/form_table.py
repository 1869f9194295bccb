"""One form's rows and columns as a read-only table: the 财政局's drill-down into a unit, the 汇总, and the
cells its 批注 panel points at (``ui.bureau.comments``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.base.money import format_amount
from app.domain.compute import FormView

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def read_only_item(text: str, align=None, color: QColor | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if align is not None:
        item.setTextAlignment(align)
    if color is not None:
        item.setForeground(QBrush(color))
    return item


class FormViewTable(QTableWidget):
    """One form's rows and columns, read-only (drill-down into a unit, and the 汇总)."""

    def __init__(self, view: FormView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = view.form
        self.setObjectName(f"view_{form.id}")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setColumnCount(2 + len(form.columns))
        self.setHorizontalHeaderLabels(["编码/项目", "名称"] + [column.title for column in form.columns])
        self.setRowCount(len(view.rows))
        self.verticalHeader().setVisible(False)
        for number, row in enumerate(view.rows):
            self.setItem(number, 0, read_only_item(row.code or ""))
            self.setItem(number, 1, read_only_item(("\u3000" * max(row.level - 1, 0)) + row.title.strip()))
            for offset, column in enumerate(form.columns, start=2):
                value = view.values.get((row.key, column.key))
                self.setItem(number, offset, read_only_item(format_amount(value, grouping=True), RIGHT))
            if row.is_total or row.level == 1:
                for col in range(self.columnCount()):
                    font = self.item(number, col).font()
                    font.setBold(True)
                    self.item(number, col).setFont(font)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
