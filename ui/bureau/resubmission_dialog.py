"""导入数据包 preview: the verified package and, when the unit and year are held already, the difference as a
tree (table → cell lines) with a checkbox per table or part, and 覆盖全部 / 合并所选 / 取消.

The difference is ``app.exchange.document_diff.DocumentDiff`` (computed off the GUI thread by the caller); this
dialog only shows it and says what was chosen (``choice``: ``("replace", [])`` or ``("merge", [part keys])``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import STATUS_NAMES
from ui.common.style import ERROR_QCOLOR

MAX_LINES_PER_PART = 500  # a part with more lines shows these and a count of the rest


def _line_columns(line) -> list[str]:
    head = line.place + (f" / {line.item}" if line.item else "")
    if line.change == "added":
        return [f"新增 {head}", "", line.new or ""]
    if line.change == "removed":
        return [f"删除 {head}", line.old or "", ""]
    return [head, line.old or "（空）", line.new or "（空）"]


class ResubmissionDialog(QDialog):
    """What the package holds and what it would change; 覆盖全部, 合并所选 (the ticked parts) or 取消."""

    def __init__(self, preview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.choice: tuple[str, list[str]] | None = None
        package = preview.package
        self.setWindowTitle("导入数据包" if preview.diff is None else "重新上报的数据包：与现有数据的差异")
        layout = QVBoxLayout(self)
        lines = [f"数据包：{package.path.name}（制作于 {package.manifest.get('created', '?')}，"
                 f"{STATUS_NAMES.get(preview.document.get('status', 'draft'), '')}）",
                 f"单位：{package.unit_code} {package.unit_name}　年度：{package.year}",
                 f"密钥指纹：{package.fingerprint}" + ("（首次接收，将登记此密钥；请与纸质材料上的指纹核对）"
                                                     if preview.first_trust else "（与登记的密钥一致）")]
        if preview.received is not None:
            lines.append(f"已接收的数据包：{preview.received.file_name}（制作于 {preview.received.created}）")
        header = QLabel("\n".join(lines), self)
        header.setObjectName("resubmission_header")
        header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(header)
        refusals = preview.replace_refusals()
        warnings = [line for line in preview.warnings() if not line.startswith("现有数据已上报")]  # a refusal, below
        if preview.diff is not None and preview.diff.money_unit is not None:
            warnings.append(f"金额单位不同（{preview.diff.money_unit[0]} → {preview.diff.money_unit[1]}）：只能覆盖全部，不能按表合并。")
        self.warning = QLabel("\n".join(warnings), self)
        self.warning.setObjectName("resubmission_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {ERROR_QCOLOR.name()};")
        self.warning.setVisible(bool(warnings))
        layout.addWidget(self.warning)
        # what would refuse 覆盖全部, shown before it is pressed; a long list (open findings) scrolls here
        self.refusal = QPlainTextEdit("\n".join(refusals + ([""] + preview.open_findings if preview.open_findings else [])),
                                      self)
        self.refusal.setObjectName("resubmission_refusal")
        self.refusal.setReadOnly(True)
        self.refusal.setMaximumHeight(150)
        self.refusal.setStyleSheet(f"color: {ERROR_QCOLOR.name()};")
        self.refusal.setVisible(bool(refusals))
        layout.addWidget(self.refusal)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("resubmission_tree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["表 / 单元格（勾选要合并的表）", "原有数据", "数据包"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.setColumnWidth(1, 190)
        self.tree.setColumnWidth(2, 190)
        self.tree.setUniformRowHeights(True)
        self.part_items: dict[str, QTreeWidgetItem] = {}
        summary = QLabel(self)
        summary.setObjectName("resubmission_summary")
        if preview.diff is None:
            summary.setText("本单位本年度尚无数据：导入将新建。")
            self.tree.hide()
        elif preview.diff.is_empty():
            summary.setText("数据包与现有数据相同，没有差异。")
            self.tree.hide()
        else:
            diff = preview.diff
            extra = [line for line in diff.lines() if line.startswith(("金额单位", "状态"))]
            summary.setText(f"共 {diff.count} 处不同，分属 {len(diff.parts)} 张表或部分。"
                            "覆盖全部：以数据包替换全部数据；合并所选：只取勾选的表，其余保留现有数据。"
                            + ("\n" + "；".join(extra) if extra else ""))
            self._fill(diff)
        summary.setWordWrap(True)
        layout.addWidget(summary)
        layout.addWidget(self.tree, 1)

        self.force = QCheckBox("确认以这个较早的数据包为准", self)
        self.force.setObjectName("resubmission_force")
        self.force.setVisible(bool(preview.older))
        self.force.toggled.connect(lambda _on: self._update_buttons())
        layout.addWidget(self.force)

        buttons = QDialogButtonBox(self)
        self.replace_button = QPushButton("覆盖全部" if preview.diff is not None else "导入", self)
        self.replace_button.setObjectName("replace_all")
        self.merge_button = QPushButton("合并所选", self)
        self.merge_button.setObjectName("merge_selected")
        self.cancel_button = QPushButton("取消", self)
        self.cancel_button.setObjectName("cancel_import")
        buttons.addButton(self.replace_button, QDialogButtonBox.ButtonRole.AcceptRole)
        if preview.diff is not None:
            buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        else:
            self.merge_button.hide()
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.replace_button.clicked.connect(self.replace_all)
        self.merge_button.clicked.connect(self.merge_selected)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.tree.itemChanged.connect(lambda _item, _column: self._update_buttons())
        self._update_buttons()
        self.resize(900, 620)

    def _fill(self, diff) -> None:
        self.tree.blockSignals(True)
        for part in diff.parts:
            top = QTreeWidgetItem(self.tree, [f"{part.title}（{len(part.lines)} 处不同）", "", ""])
            top.setData(0, Qt.ItemDataRole.UserRole, part.key)
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            top.setCheckState(0, Qt.CheckState.Unchecked)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for line in part.lines[:MAX_LINES_PER_PART]:
                child = QTreeWidgetItem(top, _line_columns(line))
                for column in (1, 2):
                    child.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                for column in range(3):
                    child.setToolTip(column, line.text())
                if line.change == "removed":
                    child.setForeground(0, QBrush(ERROR_QCOLOR))
            if len(part.lines) > MAX_LINES_PER_PART:
                QTreeWidgetItem(top, [f"……另有 {len(part.lines) - MAX_LINES_PER_PART} 处", "", ""])
            self.part_items[part.key] = top
        if len(diff.parts) <= 3 or diff.count <= 60:
            self.tree.expandAll()
        self.tree.blockSignals(False)

    # ---- choosing ----------------------------------------------------------------------------
    def checked_parts(self) -> list[str]:
        return [key for key, item in self.part_items.items() if item.checkState(0) == Qt.CheckState.Checked]

    def set_checked(self, key: str, on: bool = True) -> None:
        self.part_items[key].setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _update_buttons(self) -> None:
        preview = self.preview
        blocked = preview.held_status == "submitted" or (preview.older and not self.force.isChecked())
        self.replace_button.setEnabled(not blocked and not preview.replace_refusals())
        self.replace_button.setToolTip("\n".join(preview.replace_refusals()))
        self.merge_button.setEnabled(not blocked and preview.diff is not None and preview.diff.money_unit is None
                                     and bool(self.checked_parts()))

    def replace_all(self) -> None:
        self.choice = ("replace", [])
        self.accept()

    def merge_selected(self) -> None:
        parts = self.checked_parts()
        if not parts:
            return
        self.choice = ("merge", parts)
        self.accept()
