"""The 审核 dock: every finding with its severity, message and cell; click to go to the cell."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.checks.places import finding_place, narrative_section
from app.checks.rules import SEVERITY_NAMES, Finding
from ui.common.feedback import say
from ui.common.style import ERROR_QCOLOR, WARNING_QCOLOR
from ui.editor.controller import DatasetController

SEVERITY_COLORS = {"error": ERROR_QCOLOR, "warning": WARNING_QCOLOR}


def summary_text(findings: list[Finding]) -> str:
    """The panel's one line: errors, and 提示 with how many still want a 说明 (it goes down as they are written)."""
    if not findings:
        return "审核通过：没有发现问题。"
    errors = sum(1 for finding in findings if finding.severity == "error")
    warnings = [finding for finding in findings if finding.severity == "warning"]
    waiting = sum(1 for finding in warnings if not finding.explanation)
    if not warnings:
        said = "提示 0 条。"
    elif waiting:
        said = f"提示 {len(warnings)} 条（其中 {waiting} 条需填写说明）。"
    else:
        said = f"提示 {len(warnings)} 条（均已填写说明）。"
    return f"错误 {errors} 条（上报前必须修正），{said}"


class WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped 问题 / 位置 text at the column's current width."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt naming
        hint = super().sizeHint(option, index)
        width = max(self.tree.columnWidth(index.column()) - 10, 20)
        text = str(index.data() or "")
        bounds = option.fontMetrics.boundingRect(QRect(0, 0, width, 100000),
                                                 int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere), text)
        return QSize(hint.width(), max(hint.height(), bounds.height() + 6))


class FindingsDock(QDockWidget):
    go_to_cell = Signal(str, str, str)  # form, row, column
    go_to_section = Signal(str)  # a 情况说明 section (the N rules)

    def __init__(self, parent=None) -> None:
        super().__init__("审核结果", parent)
        self.setObjectName("findings_dock")
        self.controller: DatasetController | None = None
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel("未打开数据", body)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget(body)
        self.tree.setObjectName("findings")
        self.tree.setHeaderLabels(["类型", "规则", "问题", "位置", "说明"])
        self.tree.setRootIsDecorated(False)
        # 问题 and 位置 in full, wrapped over as many lines as they need (no "…")
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setItemDelegate(WrappingDelegate(self.tree))
        self.tree.setMinimumHeight(self.tree.fontMetrics().height() * 4)  # shrinks on a 768-px screen; drag the edge for more
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 50)
        self.tree.setColumnWidth(1, 50)
        self.tree.setColumnWidth(3, 260)
        self.tree.setColumnWidth(4, 200)
        header.sectionResized.connect(lambda *_: self.tree.doItemsLayout())  # re-wrap to the new width
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemDoubleClicked.connect(self._clicked)
        layout.addWidget(self.tree)
        buttons = QHBoxLayout()
        self.explain_button = QPushButton("为提示填写说明…", body)
        self.explain_button.setObjectName("explain")
        self.explain_button.clicked.connect(self.explain_selected)
        buttons.addWidget(self.explain_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.setWidget(body)

    def attach(self, controller: DatasetController) -> None:
        self.controller = controller
        controller.findings_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        if self.controller is None:
            return
        findings = self.controller.findings()
        self.summary.setText(summary_text(findings))
        for finding in findings:
            item = QTreeWidgetItem([SEVERITY_NAMES[finding.severity], finding.rule, finding.message,
                                    self._where(finding), finding.explanation])
            item.setForeground(0, QBrush(SEVERITY_COLORS[finding.severity]))
            item.setData(0, Qt.ItemDataRole.UserRole, finding)
            item.setToolTip(2, finding.message)
            item.setToolTip(3, item.text(3))
            self.tree.addTopLevelItem(item)

    def _where(self, finding: Finding) -> str:
        """Where a finding is, in the form's words: 表 / 行 / 栏, 项目绩效目标 / 项目 / 栏, or 情况说明 / 部分."""
        return finding_place(finding, self.controller.dataset if self.controller else None)

    def selected_finding(self) -> Finding | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        finding: Finding = item.data(0, Qt.ItemDataRole.UserRole)
        if not finding:
            return
        section = narrative_section(finding)
        if section is not None:
            self.go_to_section.emit(section)
        elif finding.cells:
            cell = finding.cells[0]
            self.go_to_cell.emit(cell.form, cell.row, cell.column)

    def explain_selected(self, *, text: str | None = None) -> bool:
        if self.controller is None:
            return False
        finding = self.selected_finding()
        if finding is None:
            say(self, "请先在审核结果中选中一条提示，再点“为提示填写说明…”。")
            return False
        if finding.severity == "error":
            say(self, f"{finding.rule} 是错误，必须修正，不能以说明代替。")
            return False
        if text is None:
            text, ok = QInputDialog.getMultiLineText(self, "填写说明", finding.message, finding.explanation)
            if not ok:
                return False
        try:
            self.controller.explain(finding, text)
        except BudgetDeskError as exc:
            say(self, str(exc))
            return False
        return True


__all__ = ["FindingsDock"]
