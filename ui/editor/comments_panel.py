"""The clerk's 批注 list: the comments the 财政局 (or 主管部门) sent back with a 退回, to work through.

Each row: status, who, where, the comment, the answer. 定位 jumps to the cell, project or finding;
回复… stores an answer; 标记已修改 answers "已修改" with the fixed mark. The answers travel back in
the next data package (``comments.json``). 导入退回文件… takes in a ``.bdr`` file.

``install_comments(window)`` is called with one line from the main window (the dock and the 上报
menu action); ``window.comments_dock.attach(controller)`` when a dataset opens.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError, ConflictError
from app.checks.places import explanation_place, narrative_section
from app.exchange.comment_document import Comment
from ui.common.feedback import say
from ui.common.trust_dialog import confirm_fingerprints
from ui.editor.comment_marks import ANSWERED_COLOR, OPEN_COLOR, comment_index

COLUMNS = ["状态", "批注方", "位置", "批注", "回复"]


class CommentsDock(QDockWidget):
    def __init__(self, window) -> None:
        super().__init__("批注", window)
        self.setObjectName("comments_dock")
        self.window_ = window
        self.controller = None
        self.index = None
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.summary = QLabel("没有批注。", body)
        self.summary.setObjectName("comments_summary")
        top.addWidget(self.summary, 1)
        self.show_resolved = QCheckBox("显示已解决", body)
        self.show_resolved.setObjectName("comments_show_resolved")
        self.show_resolved.toggled.connect(lambda _checked: self.refresh())
        top.addWidget(self.show_resolved)
        layout.addLayout(top)
        self.list = QTreeWidget(body)
        self.list.setObjectName("comment_list")
        self.list.setColumnCount(len(COLUMNS))
        self.list.setHeaderLabels(COLUMNS)
        self.list.setRootIsDecorated(False)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        header = self.list.header()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 300)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(4, 240)
        self.list.itemDoubleClicked.connect(lambda _item, _column: self.locate())
        self.list.currentItemChanged.connect(lambda *_args: self._update_buttons())
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.locate_button = QPushButton("定位", body)
        self.locate_button.setObjectName("comment_locate")
        self.locate_button.clicked.connect(lambda: self.locate())
        self.answer_button = QPushButton("回复…", body)
        self.answer_button.setObjectName("comment_answer")
        self.answer_button.clicked.connect(lambda: self.answer())
        self.fixed_button = QPushButton("标记已修改", body)
        self.fixed_button.setObjectName("comment_fixed")
        self.fixed_button.clicked.connect(lambda: self.answer(fixed=True))
        for button in (self.locate_button, self.answer_button, self.fixed_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.import_button = QPushButton("导入退回文件…", body)
        self.import_button.setObjectName("comment_import_return")
        self.import_button.clicked.connect(lambda: import_return_gui(self.window_))
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        self.setWidget(body)
        self._update_buttons()

    # ---- the open dataset ------------------------------------------------------------------------
    def attach(self, controller) -> None:
        self.controller = controller
        self.index = comment_index(controller)
        self.index.changed.connect(self.refresh)
        self.refresh()

    def comments(self) -> list[Comment]:
        if self.index is None:
            return []
        shown = [c for c in self.index.comments if self.show_resolved.isChecked() or c.status != "resolved"]
        order = {"open": 0, "answered": 1, "resolved": 2}
        return sorted(shown, key=lambda c: (order.get(c.status, 3), not c.follow_up))

    def refresh(self) -> None:
        current = self.selected()
        self.list.clear()
        describe = self.controller.dataset.describe_cell if self.controller is not None else None
        for comment in self.comments():
            flag = "【需跟进】" if comment.follow_up else ""
            answer = ("【已修改】" if comment.fixed else "") + comment.answer
            item = QTreeWidgetItem([comment.status_name, comment.side, comment.place(describe), flag + comment.text,
                                    answer])
            item.setData(0, Qt.ItemDataRole.UserRole, comment.uuid)
            item.setForeground(0, QBrush(OPEN_COLOR if comment.status == "open" else ANSWERED_COLOR))
            for column in range(len(COLUMNS)):
                item.setToolTip(column, f"{flag}{comment.text}" + (f"\n回复：{comment.answer}" if comment.answer else ""))
            self.list.addTopLevelItem(item)
            if current is not None and comment.uuid == current.uuid:
                self.list.setCurrentItem(item)
        all_comments = self.index.comments if self.index is not None else []
        waiting = sum(1 for c in all_comments if c.status == "open")
        answered = sum(1 for c in all_comments if c.status == "answered")
        self.summary.setText(f"批注：待处理 {waiting} 条，已回复 {answered} 条（回复随下次上报的数据包送回）"
                             if all_comments else "没有批注。")
        if waiting:
            self.setWindowTitle(f"批注（待处理 {waiting}）")
        else:
            self.setWindowTitle("批注")
        self._update_buttons()

    def selected(self) -> Comment | None:
        item = self.list.currentItem()
        if item is None or self.index is None:
            return None
        identity = item.data(0, Qt.ItemDataRole.UserRole)
        return next((c for c in self.index.comments if c.uuid == identity), None)

    def select(self, identity: str) -> bool:
        for row in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == identity:
                self.list.setCurrentItem(item)
                return True
        return False

    def _update_buttons(self) -> None:
        comment = self.selected()
        self.locate_button.setEnabled(comment is not None)
        can_answer = comment is not None and comment.status != "resolved"
        self.answer_button.setEnabled(can_answer)
        self.fixed_button.setEnabled(can_answer)

    # ---- actions ---------------------------------------------------------------------------------
    def locate(self) -> None:
        """Jump to what the comment is about: the cell, the project (and its indicator), the finding's cell."""
        comment = self.selected()
        if comment is None:
            return
        window = self.window_
        if comment.kind == "cell":
            window.go_to_cell(comment.form, comment.row, comment.column)
        elif comment.kind in ("project", "indicator"):
            window.go_to_cell("projects", comment.project, "")
        elif self.controller is not None:
            finding = next((f for f in self.controller.findings() if f.key == comment.finding_key), None)
            section = narrative_section(finding) if finding is not None else None
            if section is not None:  # N rules: the 情况说明 section, as from the 审核 panel
                window.go_to_section(section)
            elif finding is not None and finding.cells:
                first = finding.cells[0]
                window.go_to_cell(first.form, first.row, first.column)
            else:
                say(self, f"审核问题 {explanation_place(comment.finding_key)} 已不再出现（可能已修改）。", refusal=False)

    def answer(self, text: str | None = None, *, fixed: bool = False) -> bool:
        comment = self.selected()
        if comment is None or self.index is None:
            return False
        if text is None and not fixed:
            text, ok = QInputDialog.getMultiLineText(self, "回复批注", f"{comment.side}的批注：\n{comment.text}\n\n回复：",
                                                     comment.answer)
            if not ok:
                return False
        # deferred: the 批注 files' module signs and verifies (cryptography), not needed for the first paint
        from app.bureau.comments import answer_comment

        try:
            answer_comment(self.index.store, comment.uuid, text or "", fixed=fixed)
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "未保存回复", str(exc))
            return False
        self.index.refresh()
        self.window_.statusBar().showMessage("已保存回复；回复随下次上报的数据包送回财政局。", 10000)
        return True


def import_return_gui(window, path: str | None = None, *, confirm_new_key=None, report=None) -> bool:
    """导入退回文件: checks (unit and year of the open budget, signature, the bureau's key) and takes it in."""
    if path is None:
        path, _filter = QFileDialog.getOpenFileName(window, "导入退回文件", QSettings().value("package/folder", ""),
                                                    "BudgetDesk 退回文件 (*.bdr)")
        if not path:
            return False
    dataset = window.dataset
    expected = {"expected_unit": dataset.unit_code, "expected_year": dataset.year} if dataset is not None else {}
    report = report or (lambda title, text: QMessageBox.information(window, title, text))
    # deferred: verifying a 退回文件 needs cryptography, which the first window does not
    from app.bureau.comments import import_return
    from app.exchange.package.trust import UntrustedKeyError

    try:
        try:
            outcome = import_return(window.store, path, **expected)
        except UntrustedKeyError as exc:  # the bureau's key, first seen: a person compares the fingerprint
            if not confirm_fingerprints(window, exc.keys):
                return False
            outcome = import_return(window.store, path, trust_fingerprints=[key[2] for key in exc.keys], **expected)
        except ConflictError as exc:
            if "财政局密钥" not in str(exc):
                raise
            ask = confirm_new_key or (lambda message: QMessageBox.question(
                window, "财政局密钥已变更", message + "\n\n确已核实，接受新密钥并导入吗？")
                == QMessageBox.StandardButton.Yes)
            if not ask(str(exc)):
                return False
            outcome = import_return(window.store, path, accept_new_key=True, **expected)
    except BudgetDeskError as exc:
        QMessageBox.warning(window, "未导入退回文件", str(exc))
        return False
    window.open_dataset(outcome.unit_code, outcome.year)  # now 编制中: the tables are editable again
    window.comments_dock.show()
    window.comments_dock.raise_()
    report("已导入退回文件",
           f"{outcome.unit_code} {outcome.unit_name} {outcome.year} 年度预算已退回为编制中。\n退回原因：{outcome.reason}\n"
           f"批注：新增 {outcome.merge.added} 条，更新 {outcome.merge.updated} 条；请在“批注”列表中逐条处理。\n"
           f"财政局签名密钥指纹：{outcome.fingerprint}" + ("（首次收到，已记住）" if outcome.first_trust else ""))
    return True


def install_comments(window) -> None:
    """The 批注 dock (beside 审核) and 上报 → 导入退回文件…; attach it when a dataset opens."""
    window.comments_dock = CommentsDock(window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, window.comments_dock)
    window.tabifyDockWidget(window.findings_dock, window.comments_dock)
    window.findings_dock.raise_()
    action = window.submit_menu.addAction("导入退回文件（.bdr）…")
    action.setObjectName("import_return")
    action.triggered.connect(lambda: import_return_gui(window))
    window.check_menu.addAction(window.comments_dock.toggleViewAction())
