"""导入数据包（文件夹）in the 财政局 window: the import with a count, the unit and the time left; its result as
one heading (“200 个数据包未导入：密钥不符 180，已存在（不同） 20”) over a list grouped by kind; and what can
be done about a refused package right there — 覆盖 / 合并… / 跳过 a package whose unit and year are held and
differ (or 全部覆盖), 登记密钥… for a key not registered or not the registered one, which imports the package
once the key is registered. The kinds and their words come from ``app.bureau.refusals``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.paths import readable
from app.bureau.intake import BatchResult, import_packages
from app.bureau.refusals import EXISTS_DIFFERENT, KEY_MISMATCH, UNTRUSTED_KEY, Refusal, counted
from ui.bureau.package_import import import_package_interactive
from ui.common.jobs import counted as counted_progress
from ui.common.jobs import run_job
from ui.common.style import ERROR_QCOLOR
from ui.common.trust_dialog import confirm_fingerprints

# Groups open on their own when the whole list is short; a long one opens a group at a time.
OPEN_GROUPS_UP_TO = 40
CHOICES = {EXISTS_DIFFERENT: "覆盖、合并…或跳过", UNTRUSTED_KEY: "登记密钥…", KEY_MISMATCH: "登记密钥…（更换）"}
# More first-seen keys than this are not listed in one message box (it would be taller than the screen).
KEYS_IN_ONE_BOX = 10
REFUSAL_ROLE = Qt.ItemDataRole.UserRole


class FingerprintListDialog(QDialog):
    """Many first-seen keys at once: the list scrolls; 指纹完全一致 registers them all and imports their packages."""

    def __init__(self, keys: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("核对密钥指纹")
        layout = QVBoxLayout(self)
        label = QLabel(f"以下 {len(keys)} 个签名密钥是第一次见到。请与各单位签字盖章的纸质材料上打印的指纹逐位核对；"
                       "完全一致才能导入，不一致请取消并与对方联系。", self)
        label.setWordWrap(True)
        layout.addWidget(label)
        listing = QPlainTextEdit("\n".join(f"单位 {code} {name}：{fingerprint}" for code, name, fingerprint in keys), self)
        listing.setObjectName("fingerprint_list")
        listing.setReadOnly(True)
        layout.addWidget(listing, 1)
        buttons = QDialogButtonBox(self)
        same = buttons.addButton("指纹完全一致", QDialogButtonBox.ButtonRole.AcceptRole)
        same.setObjectName("fingerprints_match")
        buttons.addButton("不一致，取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 420)


class FolderImportPanel(QWidget):
    """Below the overview: the last folder import's heading, refusals by kind with their choices, and the detail
    of the selected one. ``trust_dialog`` is the window's 登记单位签名密钥 dialog class (store, unit, parent)."""

    def __init__(self, window, parent: QSplitter, trust_dialog) -> None:
        super().__init__(parent)
        self.window_ = window
        self.trust_dialog_class = trust_dialog
        self.result = BatchResult()
        self.handled: list[str] = []  # “已覆盖 …”, “已跳过 …”: what was done after the import
        self.replace = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.heading = QLabel("", self)
        self.heading.setObjectName("import_summary")
        self.heading.setWordWrap(True)
        top.addWidget(self.heading, 1)
        self.overwrite_all_button = QPushButton("全部覆盖", self)
        self.overwrite_all_button.setObjectName("overwrite_all")
        self.overwrite_all_button.setToolTip("已存在且与数据包不同的单位，全部以数据包覆盖（已上报的除外）")
        self.overwrite_all_button.clicked.connect(lambda: self.overwrite(self.pending(EXISTS_DIFFERENT)))
        top.addWidget(self.overwrite_all_button)
        self.trust_all_button = QPushButton("核对全部新密钥…", self)
        self.trust_all_button.setObjectName("trust_all")
        self.trust_all_button.clicked.connect(lambda: self.confirm_keys(self.pending(UNTRUSTED_KEY)))
        top.addWidget(self.trust_all_button)
        close = QPushButton("收起", self)
        close.setObjectName("close_import_result")
        close.clicked.connect(self.hide)
        top.addWidget(close)
        layout.addLayout(top)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("refused_packages")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["数据包", "单位", "原因（选中一行看全文）", "处理"])
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnWidth(0, 200)
        self.tree.setColumnWidth(1, 220)
        self.tree.setColumnWidth(3, 150)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.itemSelectionChanged.connect(self._update_actions)
        self.tree.itemDoubleClicked.connect(lambda _item, _column: self._act("trust") if self.trust_button.isEnabled()
                                            else None)
        self.tree.currentItemChanged.connect(lambda item, _old: self._show_detail(item))
        layout.addWidget(self.tree, 1)
        # one row of choices for the selected packages: no button per row (450 rows of them held the window 0.4 s)
        actions = QHBoxLayout()
        actions.addWidget(QLabel("所选数据包：", self))
        self.overwrite_button = self._action_button(actions, "覆盖", "overwrite_selected", "以数据包替换现有数据")
        self.merge_button = self._action_button(actions, "合并…", "merge_selected", "逐表查看差异，只取勾选的表")
        self.skip_button = self._action_button(actions, "跳过", "skip_selected", "保留现有数据，不导入这个数据包")
        self.trust_button = self._action_button(actions, "登记密钥…", "trust_selected",
                                                "核对纸质材料上的指纹后登记（或更换）单位的密钥，登记后即导入")
        actions.addStretch(1)
        layout.addLayout(actions)
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("refusal_detail")
        self.detail.setReadOnly(True)
        self.detail.setMaximumHeight(90)
        layout.addWidget(self.detail)
        self.hide()

    def _action_button(self, row: QHBoxLayout, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setEnabled(False)
        button.clicked.connect(lambda _checked=False, action=name.split("_")[0]: self._act(action))
        row.addWidget(button)
        return button

    # ---- the import -------------------------------------------------------------------------------
    def start(self, folder: str | None = None, replace: bool = False) -> None:
        window = self.window_
        if folder is None:
            folder = QFileDialog.getExistingDirectory(window, "选择存放数据包的文件夹（如 U 盘）",
                                                      window.settings.value("bureau/folder", ""))
            if not folder:
                return
        window.settings.setValue("bureau/folder", folder)
        self.replace = replace
        store, year = window.store, window.year.value()
        window.job = run_job(window, "导入数据包", lambda progress: import_packages(
            store, folder, year=year, replace=replace, progress=counted_progress(progress, "正在导入")),
            self.show_result)

    def show_result(self, result: BatchResult) -> None:
        """A folder's result; a few first-seen keys are offered for confirmation at once (one 核对密钥指纹 box)."""
        self.handled = []
        self.list_result(result)
        keys = result.untrusted_keys()
        if keys and len(keys) <= KEYS_IN_ONE_BOX:
            self.confirm_keys(self.pending(UNTRUSTED_KEY))

    def _again(self, refusals: list[Refusal], verb: str, **options) -> None:
        """Import these refused packages again (``options``: replace, trust_fingerprints) in a worker."""
        if not refusals:
            return
        window, store, year = self.window_, self.window_.store, self.window_.year.value()
        folder = refusals[0].path.parent
        files = [refusal.path for refusal in refusals]
        before = self.result

        def done(retried: BatchResult) -> None:
            taken = {refusal.file for refusal in refusals} - {refusal.file for refusal in retried.refusals}
            self.handled += [f"{verb}：{refusal.file}（{refusal.unit}）" for refusal in refusals if refusal.file in taken]
            self.list_result(before.after_retry(retried))

        window.job = run_job(window, "导入数据包", lambda progress: import_packages(
            store, folder, year=year, only=files, progress=counted_progress(progress, "正在导入"), **options), done)

    # ---- the choices ------------------------------------------------------------------------------
    def pending(self, kind: str) -> list[Refusal]:
        return [refusal for refusal in self.result.refusals if refusal.kind == kind]

    def overwrite(self, refusals: list[Refusal]) -> None:
        self._again(refusals, "已覆盖", replace=True)

    def merge(self, refusal: Refusal) -> None:
        """合并…: the package's difference table by table (the single import's preview), then as chosen."""
        def merged(outcome) -> None:
            self._settle([refusal], {"merge": "已合并", "replace": "已覆盖"}.get(outcome.mode, "已导入"))

        import_package_interactive(self.window_, self.window_.store, str(refusal.path), expected_unit=refusal.unit_code,
                                   expected_year=self.window_.year.value(), on_done=merged)

    def skip(self, refusals: list[Refusal]) -> None:
        self._settle(refusals, "已跳过", refresh=False)  # nothing written: the overview stays as it is

    def _settle(self, refusals: list[Refusal], verb: str, refresh: bool = True) -> None:
        """These refusals dealt with outside a folder run (合并…, 跳过): listed as handled, no longer as refused."""
        result, files = self.result, {refusal.file for refusal in refusals}
        self.handled += [f"{verb}：{refusal.file}（{refusal.unit}）" for refusal in refusals]
        self.list_result(BatchResult(result.imported, [item for item in result.failed if item[0] not in files],
                                     result.cancelled, [item for item in result.untrusted
                                                        if readable(item[0].name) not in files],
                                     [item for item in result.refusals if item.file not in files], result.attempted),
                         refresh=refresh)

    def confirm_keys(self, refusals: list[Refusal]) -> None:
        """First-seen keys: compared with the paper (one box, or a scrolling list for many), then imported."""
        keys = list(dict.fromkeys((refusal.unit_code, refusal.unit_name, refusal.fingerprint) for refusal in refusals))
        if not keys:
            return
        def confirmed() -> None:
            self._again(refusals, "已登记密钥并导入", replace=self.replace,
                        trust_fingerprints=[fingerprint for _code, _name, fingerprint in keys])

        if len(keys) <= KEYS_IN_ONE_BOX:
            if confirm_fingerprints(self.window_, keys):
                confirmed()
            return
        dialog = FingerprintListDialog(keys, self.window_)  # window-modal, not exec(): the loop stays the window's
        dialog.accepted.connect(confirmed)
        dialog.open()
        self.fingerprint_dialog = dialog

    def register_key(self, refusal: Refusal):
        """登记密钥… from a refusal: a first-seen key is confirmed against the paper; a key other than the one
        registered opens 登记单位签名密钥 with the unit and the package's fingerprint filled in, 更换 ticked."""
        if refusal.kind == UNTRUSTED_KEY:
            self.confirm_keys([refusal])
            return None
        dialog = self.trust_dialog_class(self.window_.store, refusal.unit_code, self.window_)
        dialog.fingerprint.setText(refusal.fingerprint)
        dialog.replace.setChecked(True)
        dialog.reason.setFocus()
        dialog.accepted.connect(lambda: self._again([refusal], "已更换密钥并导入", replace=self.replace))
        dialog.open()
        self.window_.trust_dialog = dialog
        return dialog

    # ---- the list ---------------------------------------------------------------------------------
    def list_result(self, result: BatchResult, refresh: bool = True) -> None:
        self.result = result
        self.tree.clear()
        self.detail.clear()
        text = result.heading()
        if self.handled:
            text += f"　之后已处理 {len(self.handled)} 个。"
        self.heading.setText(text)
        groups = counted(result.refusals)
        for kind, refusals in groups:
            group = QTreeWidgetItem(self.tree, [f"{kind}（{len(refusals)} 个）", "", "", ""])
            group.setForeground(0, QBrush(ERROR_QCOLOR))
            group.setFirstColumnSpanned(True)
            for refusal in refusals:
                item = QTreeWidgetItem(group, [refusal.file, refusal.unit, refusal.message, CHOICES.get(refusal.kind, "")])
                item.setData(0, REFUSAL_ROLE, refusal)
                for column in range(3):
                    item.setToolTip(column, refusal.detail)
        if self.handled:
            group = QTreeWidgetItem(self.tree, [f"已处理（{len(self.handled)} 个）", "", "", ""])
            group.setFirstColumnSpanned(True)
            for line in self.handled:
                QTreeWidgetItem(group, ["", "", "✔ " + line, ""])
        if result.imported:
            group = QTreeWidgetItem(self.tree, [f"已导入（{len(result.imported)} 个）", "", "", ""])
            group.setFirstColumnSpanned(True)
            for outcome in result.imported:
                QTreeWidgetItem(group, ["", f"{outcome.unit_code} {outcome.unit_name}",
                                        f"✔ 错误 {outcome.errors} 条，提示 {outcome.warnings} 条"
                                        + ("，首次接收，已登记密钥" if outcome.first_trust else "")
                                        + (f"，批注回复 {outcome.answers.answered} 条"
                                           if outcome.answers and outcome.answers.answered else ""), ""])
        if len(result.refusals) <= OPEN_GROUPS_UP_TO:
            for number in range(len(groups)):
                self.tree.topLevelItem(number).setExpanded(True)
        self._update_actions()
        self.overwrite_all_button.setVisible(bool(self.pending(EXISTS_DIFFERENT)))
        self.trust_all_button.setVisible(bool(self.pending(UNTRUSTED_KEY)))
        self.show()
        self._make_room()
        if refresh:
            self.window_.refresh()

    def _make_room(self) -> None:
        """Half of the window's splitter for the result (a small window would otherwise squeeze it to nothing)."""
        splitter = self.parentWidget()
        if not isinstance(splitter, QSplitter):
            return
        index = splitter.indexOf(self)
        splitter.setCollapsible(index, False)
        sizes = splitter.sizes()
        want = max(sum(sizes) // 2, self.minimumSizeHint().height())
        if sizes[index] >= want:
            return
        largest = max((number for number in range(len(sizes)) if number != index), key=lambda number: sizes[number])
        sizes[largest] -= want - sizes[index]
        sizes[index] = want
        splitter.setSizes(sizes)

    def selected(self) -> list[Refusal]:
        return [refusal for item in self.tree.selectedItems()
                if (refusal := item.data(0, REFUSAL_ROLE)) is not None]

    def _update_actions(self) -> None:
        """The choices for the selected rows: 覆盖/跳过 for packages held and different, 合并… for one of them,
        登记密钥… for one key refusal (or any number of first-seen keys)."""
        chosen = self.selected()
        kinds = {refusal.kind for refusal in chosen}
        differ = bool(chosen) and kinds == {EXISTS_DIFFERENT}
        self.overwrite_button.setEnabled(differ)
        self.skip_button.setEnabled(differ)
        self.merge_button.setEnabled(differ and len(chosen) == 1)
        self.trust_button.setEnabled(bool(chosen) and (kinds == {UNTRUSTED_KEY}
                                                       or (kinds == {KEY_MISMATCH} and len(chosen) == 1)))

    def _act(self, action: str) -> None:
        chosen = self.selected()
        if not chosen:
            return
        if action == "overwrite":
            self.overwrite(chosen)
        elif action == "merge":
            self.merge(chosen[0])
        elif action == "skip":
            self.skip(chosen)
        elif chosen[0].kind == UNTRUSTED_KEY:
            self.confirm_keys(chosen)
        else:
            self.register_key(chosen[0])

    def _show_detail(self, item: QTreeWidgetItem | None) -> None:
        refusal = item.data(0, REFUSAL_ROLE) if item is not None else None
        self.detail.setPlainText("" if refusal is None else f"{refusal.file}（{refusal.unit}）\n{refusal.detail}")

    def refusal_item(self, file: str) -> QTreeWidgetItem | None:
        """The row of a refused file (tests and the screenshot script find it by name)."""
        for group_number in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(group_number)
            for number in range(group.childCount()):
                refusal = group.child(number).data(0, REFUSAL_ROLE)
                if refusal is not None and refusal.file == file:
                    return group.child(number)
        return None
