"""The bureau's 批注 on a received budget (the read-only FormsDialog): corner marks and tooltips on the
commented cells, the list of comments with the unit's answers, 添加批注… from a cell's context menu,
已解决 / 重新打开. The comments leave with the next 退回 file (``budgetdesk return --out``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.bureau.comments import Comment, add_comment, list_comments, resolve_comment
from app.domain.forms import all_forms, form_by_id
from ui.bureau.form_table import FormViewTable
from ui.editor.comment_marks import (
    ANSWERED_COLOR,
    COMMENT_ROLE,
    OPEN_COLOR,
    CornerDelegate,
    state_of,
    tooltip_text,
)

COLUMNS = ["状态", "批注方", "位置", "批注", "回复"]


class CommentDialog(QDialog):
    """批注内容 and 需跟进, for one cell."""

    def __init__(self, place: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("添加批注")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"批注位置：{place}\n批注内容（随退回文件送给单位）：", self))
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("comment_text")
        layout.addWidget(self.text)
        self.follow_up = QCheckBox("需跟进", self)
        self.follow_up.setObjectName("comment_follow_up")
        layout.addWidget(self.follow_up)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("添加")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class BureauCommentsPanel(QWidget):
    def __init__(self, forms_view, dataset, parent: QWidget | None = None, side: str = "财政局") -> None:
        super().__init__(parent)
        self.setObjectName("bureau_comments")
        self.forms_view, self.dataset, self.side = forms_view, dataset, side
        self.store = dataset.store
        self.comments: list[Comment] = []
        self.rows: dict[str, list[str]] = {}  # form id → row keys in table order
        for form in all_forms():
            table = self.table_for(form.id)
            if table is None:
                continue
            self.rows[form.id] = [row.key for row in dataset.view(form.id).rows]
            table.setItemDelegate(CornerDelegate(table))
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(lambda position, t=table: self._context_menu(t, position))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(self)
        self.summary.setObjectName("bureau_comments_summary")
        layout.addWidget(self.summary)
        self.list = QTreeWidget(self)
        self.list.setObjectName("bureau_comment_list")
        self.list.setHeaderLabels(COLUMNS)
        self.list.setRootIsDecorated(False)
        self.list.header().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.list.header().resizeSection(2, 300)
        self.list.setMaximumHeight(160)
        self.list.itemDoubleClicked.connect(lambda _item, _column: self.locate())
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        for name, title, slot in (("bureau_comment_add", "添加批注…", lambda: self.add_comment_here()),
                                  ("bureau_comment_locate", "定位", lambda: self.locate()),
                                  ("bureau_comment_resolve", "已解决", lambda: self.resolve_selected()),
                                  ("bureau_comment_reopen", "重新打开", lambda: self.resolve_selected(reopen=True))):
            button = QPushButton(title, self)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.refresh()

    # ---- where things are ------------------------------------------------------------------------
    def table_for(self, form_id: str):
        return self.forms_view.findChild(FormViewTable, f"view_{form_id}")

    def position(self, form_id: str, row: str, column: str) -> tuple[int, int] | None:
        try:
            line = self.rows[form_id].index(row)
            offset = [c.key for c in form_by_id(form_id).columns].index(column)
        except (KeyError, ValueError):
            return None
        return line, offset + 2  # the table's first two columns are 编码 and 名称

    def item_for(self, form_id: str, row: str, column: str):
        place = self.position(form_id, row, column)
        table = self.table_for(form_id)
        return None if place is None or table is None else table.item(*place)

    def _cell_at(self, table) -> tuple[str, str, str] | None:
        form_id = table.objectName().removeprefix("view_")
        line, column = table.currentRow(), table.currentColumn()
        columns = form_by_id(form_id).columns
        if not (0 <= line < len(self.rows.get(form_id, [])) and 2 <= column < 2 + len(columns)):
            return None
        return form_id, self.rows[form_id][line], columns[column - 2].key

    # ---- refresh ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.comments = list_comments(self.store, self.dataset.unit_code, self.dataset.year)
        for form_id in self.rows:  # clear the old marks
            table = self.table_for(form_id)
            for line in range(table.rowCount()):
                for column in range(2, table.columnCount()):
                    item = table.item(line, column)
                    if item is not None and item.data(COMMENT_ROLE):
                        item.setData(COMMENT_ROLE, "")
                        item.setToolTip("")
        cells: dict[tuple[str, str, str], list[Comment]] = {}
        for comment in self.comments:
            if comment.cell is not None:
                cells.setdefault(comment.cell, []).append(comment)
        for key, comments in cells.items():
            item = self.item_for(*key)
            if item is not None:
                item.setData(COMMENT_ROLE, state_of(comments))
                item.setToolTip(tooltip_text(comments))
        self.list.clear()
        for comment in self.comments:
            flag = "【需跟进】" if comment.follow_up else ""
            answer = ("【已修改】" if comment.fixed else "") + comment.answer
            item = QTreeWidgetItem([comment.status_name, comment.side, comment.place(self.dataset.describe_cell),
                                    flag + comment.text, answer])
            item.setData(0, Qt.ItemDataRole.UserRole, comment.uuid)
            item.setForeground(0, QBrush(OPEN_COLOR if comment.status == "open" else ANSWERED_COLOR))
            self.list.addTopLevelItem(item)
        counts = {status: sum(1 for c in self.comments if c.status == status) for status in ("open", "answered", "resolved")}
        self.summary.setText(f"批注：待处理 {counts['open']} 条，单位已回复 {counts['answered']} 条，已解决 "
                             f"{counts['resolved']} 条（未解决的批注随退回文件送给单位）")

    def selected(self) -> Comment | None:
        item = self.list.currentItem()
        identity = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((c for c in self.comments if c.uuid == identity), None)

    def select(self, identity: str) -> bool:
        for line in range(self.list.topLevelItemCount()):
            if self.list.topLevelItem(line).data(0, Qt.ItemDataRole.UserRole) == identity:
                self.list.setCurrentItem(self.list.topLevelItem(line))
                return True
        return False

    # ---- actions ----------------------------------------------------------------------------------
    def _context_menu(self, table, position) -> None:
        index = table.indexAt(position)
        if index.isValid():
            table.setCurrentCell(index.row(), index.column())
        menu = QMenu(self)
        action = menu.addAction("添加批注…")
        action.setObjectName("bureau_cell_comment")
        action.setEnabled(self._cell_at(table) is not None)
        action.triggered.connect(lambda: self.add_comment_here())
        menu.exec(table.viewport().mapToGlobal(position))

    def add_comment_here(self, text: str | None = None, follow_up: bool = False) -> bool:
        table = self.forms_view.tabs.currentWidget()
        cell = self._cell_at(table) if table is not None else None
        if cell is None:
            QMessageBox.information(self, "请选择单元格", "请先在表中选择一个金额单元格，再添加批注。")
            return False
        if text is None:
            dialog = CommentDialog(self.dataset.describe_cell(*cell), self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            text, follow_up = dialog.text.toPlainText(), dialog.follow_up.isChecked()
        try:
            add_comment(self.store, self.dataset.unit_code, self.dataset.year, kind="cell", form=cell[0], row=cell[1],
                        column=cell[2], text=text, side=self.side, follow_up=follow_up)
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "未添加批注", str(exc))
            return False
        self.refresh()
        return True

    def locate(self) -> None:
        comment = self.selected()
        if comment is None or comment.cell is None:
            return
        table = self.table_for(comment.form)
        place = self.position(*comment.cell)
        if table is not None and place is not None:
            self.forms_view.tabs.setCurrentWidget(table)
            table.setCurrentCell(*place)

    def resolve_selected(self, *, reopen: bool = False) -> bool:
        comment = self.selected()
        if comment is None:
            return False
        try:
            resolve_comment(self.store, comment.uuid, reopen=reopen)
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "未修改批注", str(exc))
            return False
        self.refresh()
        return True
