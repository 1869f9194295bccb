"""财政局 window: the tree of 部门 → 本级 and 所属单位 with each node's status (app.bureau.hierarchy.tree),
and 退回 of one unit or of the whole 部门 from it.

``install_tree(window)`` puts the tree in a tab "按部门" beside the window's unit table ("单位列表");
the window calls ``window.tree_panel.refresh()`` after its own refresh.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.base.money import format_amount
from app.bureau.hierarchy import (
    ROLE_NAMES,
    TreeNode,
    default_file_name,
    department_returnable,
    export_department_package,
    return_department,
    tree,
)
from app.bureau.standing import check_returnable, return_dataset
from ui.common.jobs import quiet, run_job

TREE_COLUMNS = ["部门 / 单位", "类别", "状态", "接收时间（UTC）", "错误", "提示", "总计", "金额单位", "说明"]
CODE_ROLE = Qt.ItemDataRole.UserRole
STATUS_COLORS = {"errors": QColor("#c62828"), "returned": QColor("#d84315"), "missing": QColor("#757575"),
                 "draft": QColor("#6a1b9a"), "warnings": QColor("#8d6e00"), "received": QColor("#2e7d32")}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class BureauTree(QTreeWidget):
    """The nodes of one year; each item keeps (code, role) in its UserRole data."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bureau_tree")
        self.setColumnCount(len(TREE_COLUMNS))
        self.setHeaderLabels(TREE_COLUMNS)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(True)
        self.nodes: list[TreeNode] = []

    def show_nodes(self, nodes: list[TreeNode]) -> None:
        selected = self.selected()
        self.clear()
        self.nodes = nodes
        for node in nodes:
            self.addTopLevelItem(self._item(node))
        self.expandAll()
        if selected is not None:
            self.select(*selected)

    def _item(self, node: TreeNode) -> QTreeWidgetItem:
        row = node.row
        label = "本级" if node.role == "own" else f"{node.code} {node.name}"
        leaf = not node.children
        total, money_unit = node.total  # a 部门: the sum of its 本级 and 所属单位
        texts = [label, ROLE_NAMES[node.role], node.status_name,
                 row.received_at.strftime("%Y-%m-%d %H:%M") if leaf and row is not None and row.received_at else "",
                 str(row.errors) if leaf and row is not None and row.errors is not None else "",
                 str(row.warnings) if leaf and row is not None and row.warnings is not None else "",
                 format_amount(total, grouping=True), money_unit,
                 node.summary if node.children else (f"退回原因：{row.returned}" if node.status == "returned" and row else "")]
        item = QTreeWidgetItem(texts)
        item.setData(0, CODE_ROLE, (node.code, node.role))
        item.setForeground(2, QBrush(STATUS_COLORS[node.status]))
        for column in (4, 5, 6):
            item.setTextAlignment(column, RIGHT)
        if node.children:
            font = item.font(0)
            font.setBold(True)
            for column in range(len(TREE_COLUMNS)):
                item.setFont(column, font)
        for child in node.children:
            item.addChild(self._item(child))
        return item

    def items(self) -> list[QTreeWidgetItem]:
        found = []

        def walk(item: QTreeWidgetItem) -> None:
            found.append(item)
            for index in range(item.childCount()):
                walk(item.child(index))

        for index in range(self.topLevelItemCount()):
            walk(self.topLevelItem(index))
        return found

    def selected(self) -> tuple[str, str] | None:
        item = self.currentItem()
        return item.data(0, CODE_ROLE) if item is not None else None

    def select(self, code: str, role: str | None = None) -> bool:
        for item in self.items():
            item_code, item_role = item.data(0, CODE_ROLE)
            if item_code == code and (role is None or item_role == role):
                self.setCurrentItem(item)
                return True
        return False


class BureauTreePanel(QWidget):
    """The tree with its buttons: 查看报表, 退回所选单位…, 整体退回部门…."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.stale = False  # read again while hidden: filled when shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.legend = QLabel("状态：未收到 · 已收到 · 有提示 · 有错误 · 已退回（部门显示其本级和所属单位中最需处理的状态）", self)
        buttons.addWidget(self.legend, 1)
        self.view_button = QPushButton("查看报表", self)
        self.view_button.setObjectName("tree_view_unit")
        self.view_button.clicked.connect(lambda: self.view_selected())
        self.return_button = QPushButton("退回所选单位…", self)
        self.return_button.setObjectName("tree_return_unit")
        self.return_button.clicked.connect(lambda: self.return_selected())
        self.return_department_button = QPushButton("整体退回部门…", self)
        self.return_department_button.setObjectName("tree_return_department")
        self.return_department_button.clicked.connect(lambda: self.return_selected_department())
        self.export_button = QPushButton("上报部门数据包…", self)
        self.export_button.setObjectName("tree_export_department")
        self.export_button.setToolTip("主管部门：本级数据、各所属单位的原始数据包和汇总，签名后一并上报")
        self.export_button.clicked.connect(lambda: self.export_department())
        for button in (self.view_button, self.return_button, self.return_department_button, self.export_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.tree = BureauTree(self)
        self.tree.itemDoubleClicked.connect(lambda _item, _column: self.view_selected())
        layout.addWidget(self.tree)

    def refresh(self) -> None:
        """Show the year again from the list's rows just read. Behind the 单位列表 tab of a shown window
        the tree is filled when its tab is shown: rebuilding 500 nodes at every refresh froze the window."""
        self.stale = True
        if self.isVisible() or not self.window_.isVisible():
            self._fill()

    def _fill(self) -> None:
        self.stale = False
        self.tree.show_nodes(tree(self.window_.store, self.window_.year.value(), self.window_.rows))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale:
            self._fill()

    def _selected(self) -> tuple[str, str] | None:
        selected = self.tree.selected()
        if selected is None:
            QMessageBox.information(self, "请选择", "请先在树中选择一个部门或单位。")
        return selected

    def follow_in_table(self) -> int | None:
        """Make the tree's node the table's current row (also when the table's tab is not shown); its shown
        line, or None when the unit has no row for the year (or the list's filter hides it)."""
        selected = self.tree.selected()
        return None if selected is None else self.window_.overview_panel.select_unit(selected[0])

    def view_selected(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        window = self.window_
        if self.follow_in_table() is None:
            QMessageBox.information(self, "未收到", f"{selected[0]} 还没有 {window.year.value()} 年度的数据。")
            return
        window.view_unit()

    def _returnable(self, check) -> bool:
        """退回 is refused before a reason is asked when nothing there is 已上报 (as stored now)."""
        try:
            check()
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "不能退回", str(exc))
            return False
        return True

    def _reason(self, text: str) -> str | None:
        reason, ok = QInputDialog.getMultiLineText(self, "退回", text + "\n请写明退回原因（单位将看到）：")
        if ok and not reason.strip():
            QMessageBox.warning(self, "不能退回", "退回必须写明原因，单位将看到它。没有退回。")
            return None
        return reason if ok else None

    def return_selected(self, reason: str | None = None) -> None:
        selected = self._selected()
        if selected is None:
            return
        code, year = selected[0], self.window_.year.value()
        if reason is None:
            if not self._returnable(lambda: check_returnable(self.window_.store, code, year)):
                return
            reason = self._reason(f"退回 {code} 的 {year} 年度预算。")
            if reason is None:
                return
        try:
            return_dataset(self.window_.store, code, year, reason)
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "不能退回", str(exc))
            return
        self.window_.refresh()

    def return_selected_department(self, reason: str | None = None) -> None:
        selected = self._selected()
        if selected is None:
            return
        code, year = selected[0], self.window_.year.value()
        if reason is None:
            if not any(node.code == code and node.children for node in self.tree.nodes):
                QMessageBox.information(self, "不是部门", f"{code} 没有所属单位；请用“退回所选单位…”。")
                return
            if not self._returnable(lambda: department_returnable(self.window_.store, code, year)):
                return
            reason = self._reason(f"整体退回部门 {code} 的 {year} 年度预算：本级和全部已上报的所属单位。")
            if reason is None:
                return
        try:
            codes = return_department(self.window_.store, code, year, reason)
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "不能退回", str(exc))
            return
        self.window_.refresh()
        QMessageBox.information(self, "已退回", f"已整体退回部门 {code}：{'、'.join(codes)}。")


    def export_department(self, path: str | None = None):
        """主管部门: the selected 部门's department package (上报: its 本级 becomes 已上报), in the background."""
        selected = self._selected()
        if selected is None:
            return None
        code, year, store = selected[0], self.window_.year.value(), self.window_.store
        node = next((node for node in self.tree.nodes if node.code == code and node.children), None)
        if node is None:
            QMessageBox.information(self, "不是部门", f"{code} 没有所属单位；请在树中选择一个部门。")
            return None
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, "上报部门数据包", default_file_name(code, node.name, year),
                                                        "BudgetDesk 数据包 (*.bdp)")
            if not path:
                return None

        def done(result) -> None:
            self.window_.refresh()
            QMessageBox.information(self, "已生成部门数据包",
                                    f"已生成 {result.path}：本级和 {len(result.units)} 个所属单位"
                                    f"（{'、'.join(c for c, _n in result.units)}）及汇总。\n部门签名密钥指纹：{result.fingerprint}")

        # A refusal (units not ready) is shown by the job as a warning with the Chinese message.
        self.job = run_job(self, "上报部门数据包", lambda progress: export_department_package(
            store, code, year, path, submit=True, progress=quiet(progress)), done)
        return self.job


def install_tree(window) -> BureauTreePanel:
    """Put the window's unit list (its filter bar and table) in a tab "单位列表" and the tree beside it in a
    tab "按部门". A node chosen in the tree is made the table's current row too, so the toolbar's 查看/退回 act on it."""
    splitter = window.overview_panel.parentWidget()
    tabs = QTabWidget()
    tabs.setObjectName("unit_tabs")
    splitter.replaceWidget(splitter.indexOf(window.overview_panel), tabs)  # the splitter takes it as its child
    window.tree_panel = BureauTreePanel(window, tabs)
    tabs.addTab(window.overview_panel, "单位列表")
    tabs.addTab(window.tree_panel, "按部门")
    window.unit_tabs = tabs  # inside 单位概览 (window.bureau_tabs holds 单位概览 / 进度 / 筛查)
    window.tree_panel.tree.currentItemChanged.connect(lambda _item, _previous: window.tree_panel.follow_in_table())
    return window.tree_panel
