"""A tab showing one form, generated from its definition (editing arrives with the editors issue)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from app.forms import FormDef
from app.money import format_amount
from app.service import BudgetDataset

COMPUTED_BACKGROUND = QColor("#f1f3f6")


class FormTableModel(QAbstractTableModel):
    """Rows and columns straight from the form definition; code and name are the first two columns."""

    def __init__(self, dataset: BudgetDataset, form: FormDef, parent=None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.form = form
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self.view = self.dataset.view(self.form.id)
        self.rows = self.view.rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 2 + len(self.form.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == 0:
            return "科目编码" if self.form.row_kind != "fixed" else "栏"
        if section == 1:
            return "科目名称" if self.form.row_kind != "fixed" else "项目"
        column = self.form.columns[section - 2]
        return "\n".join([*column.group, column.title])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self.rows[index.row()]
        if index.column() < 2:
            if role == Qt.ItemDataRole.DisplayRole:
                return (row.code or "") if index.column() == 0 else ("  " * max(row.level - 1, 0)) + row.title
            return None
        column = self.form.columns[index.column() - 2]
        key = (row.key, column.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return format_amount(self.view.values.get(key), grouping=True)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and key not in self.view.entered:
            return QBrush(COMPUTED_BACKGROUND)
        return None


class FormTab(QWidget):
    def __init__(self, dataset: BudgetDataset, form: FormDef, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        title = QLabel(form.title, self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 16px; font-weight: bold;")
        layout.addWidget(title)
        self.model = FormTableModel(dataset, form, self)
        self.table = QTableView(self)
        self.table.setObjectName(f"table_{form.id}")
        self.table.setModel(self.model)
        layout.addWidget(self.table)
