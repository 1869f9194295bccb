"""单位信息: the cover fields of the unit, saved as soon as a field is left."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from app.domain import UNIT_FIELDS
from app.errors import BudgetDeskError
from ui.controller import DatasetController


class UnitTab(QWidget):
    def __init__(self, controller: DatasetController, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("tab_unit")
        layout = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        unit = controller.dataset.unit
        for key, label in UNIT_FIELDS:
            edit = QLineEdit(getattr(unit, key) or "", self)
            edit.setObjectName(f"unit_{key}")
            edit.setMaximumWidth(480)
            if key == "code":
                edit.setReadOnly(True)
                edit.setToolTip("单位编码是数据的标识，不能在此修改。")
            else:
                edit.editingFinished.connect(lambda key=key: self.save_field(key))
            self.edits[key] = edit
            layout.addRow(f"{label}：", edit)
        parent_code = unit.parent_code or "（无，本级）"
        layout.addRow("上级单位：", QLabel(parent_code, self))
        self.message = QLabel(self)
        self.message.setStyleSheet("color: #b42318;")
        layout.addRow(self.message)

    def save_field(self, key: str) -> None:
        dataset = self.controller.dataset
        text = self.edits[key].text().strip()
        if (getattr(dataset.unit, key) or "") == text:
            return
        try:
            dataset.update_unit(replace(dataset.unit, **{key: text}))
        except BudgetDeskError as exc:
            self.message.setText(str(exc))
            self.edits[key].setText(getattr(dataset.unit, key) or "")
            return
        self.message.setText("")
        self.controller.saved.emit()
