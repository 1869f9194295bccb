"""单位信息: the cover fields of the unit, saved as soon as a field is left."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from app.base.errors import BudgetDeskError
from app.domain.cover import cover_date, set_cover_date
from app.domain.records import UNIT_FIELDS
from ui.common.style import set_role
from ui.editor.controller import DatasetController


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
        # 填报日期 on the cover: this dataset's own; while empty the cover shows the printing day
        self.filled_on = QLineEdit(self)
        self.filled_on.setObjectName("cover_filled_on")
        self.filled_on.setMaximumWidth(480)
        self.filled_on.setPlaceholderText("留空则打印当天的日期，例如 2023-01-15")
        stored = cover_date(controller.dataset)
        self.filled_on.setText(stored.isoformat() if stored else "")
        self.filled_on.editingFinished.connect(self.save_filled_on)
        layout.addRow("封面填报日期：", self.filled_on)
        self.message = QLabel(self)
        set_role(self.message, "error")
        layout.addRow(self.message)

    def save_filled_on(self) -> bool:
        dataset = self.controller.dataset
        stored = cover_date(dataset)
        text = self.filled_on.text().strip()
        if text == (stored.isoformat() if stored else ""):
            return True
        try:
            day = set_cover_date(dataset, text)
        except BudgetDeskError as exc:
            self.message.setText(str(exc))
            self.filled_on.setText(stored.isoformat() if stored else "")
            return False
        self.filled_on.setText(day.isoformat() if day else "")
        self.message.setText("")
        self.controller.saved.emit()
        return True

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
