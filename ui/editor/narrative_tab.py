"""情况说明: the narrative generated from the tables, editable section by section.

The text of a section the clerk has not touched follows the data. Once edited, the clerk's wording
is stored (when the editor is left, like every other field in the app) and prints from then on; if
the data changes afterwards the section is marked 数据已变化, and 重新生成… shows the regenerated
wording next to the clerk's before replacing only the sections the clerk ticks.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.projects import narrative
from app.projects.narrative import NarrativeSection, RegenerationChange
from ui.common.style import WARNING_QCOLOR, set_role
from ui.editor.controller import DatasetController

EDITED_COLOR = QColor("#1d4ed8")
OUTDATED_COLOR = WARNING_QCOLOR
PREFACE_TITLE = "开篇说明"


def numbered_headings(sections: list[NarrativeSection]) -> dict[str, str]:
    """Section key → heading as printed (numbered by the core, as the PDF is); the preface by name."""
    headings = narrative.numbered_headings(sections)
    for section in sections:
        headings.setdefault(section.key, section.title or PREFACE_TITLE)
    return headings


def state_text(section: NarrativeSection, read_only: bool = False) -> str:
    if section.outdated:
        return ("数据已变化：您修改这段文字之后表格数据有变化，按数据生成的文字已不同。打印仍使用您的文字；"
                "可点“重新生成…”查看差异后决定是否替换。")
    if section.edited:
        return "已修改：打印使用您修改的文字，不再随数据自动更新。"
    if read_only:
        return "自动生成：随表格数据自动更新。"
    return "自动生成：随表格数据自动更新。修改后离开编辑框即保存为您的文字。"


class SectionEditor(QPlainTextEdit):
    """The text box; tells when the clerk leaves it, which is when the text is saved."""

    left = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt naming
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:  # the context menu is not leaving
            self.left.emit()


class RegenerationDialog(QDialog):
    """Edited sections the data would now word differently: ticked ones are replaced, the rest kept."""

    def __init__(self, changes: list[RegenerationChange], headings: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regeneration_dialog")
        self.setWindowTitle("重新生成情况说明")
        self.changes = {change.key: change for change in changes}
        intro = QLabel("以下部分您修改过，按当前数据重新生成的文字与之不同。勾选的部分将替换为重新生成的文字，"
                       "未勾选的部分保持您的文字不变。", self)
        intro.setWordWrap(True)

        self.change_list = QListWidget(self)
        self.change_list.setObjectName("regeneration_choices")
        for change in changes:
            label = headings.get(change.key, change.title or PREFACE_TITLE)
            item = QListWidgetItem(f"{label}（数据已变化）" if change.data_changed else label)
            item.setData(Qt.ItemDataRole.UserRole, change.key)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            # nothing is replaced unless the clerk asks for it
            item.setCheckState(Qt.CheckState.Unchecked)
            self.change_list.addItem(item)
        self.diff_view = QTextBrowser(self)
        self.diff_view.setObjectName("regeneration_diff")
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.change_list)
        splitter.addWidget(self.diff_view)
        splitter.setSizes([260, 560])

        self.buttons = QDialogButtonBox(self)
        self.apply_button = self.buttons.addButton("替换勾选的部分", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("apply_regeneration")
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.change_list.currentItemChanged.connect(self._show_change)
        self.change_list.itemChanged.connect(self._update_apply)
        if changes:
            self.change_list.setCurrentRow(0)
        self._update_apply()
        self.resize(860, 520)

    def item_for(self, key: str) -> QListWidgetItem:
        for row in range(self.change_list.count()):
            item = self.change_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                return item
        raise KeyError(key)

    def checked_keys(self) -> list[str]:
        return [self.change_list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.change_list.count())
                if self.change_list.item(row).checkState() == Qt.CheckState.Checked]

    def _update_apply(self, _item=None) -> None:
        self.apply_button.setEnabled(bool(self.checked_keys()))

    def _show_change(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            self.diff_view.clear()
            return
        change = self.changes[item.data(Qt.ItemDataRole.UserRole)]
        lines = []
        for line in change.diff:
            # the unified-diff file and hunk headers mean nothing to the clerk
            if line.startswith(("---", "+++", "@@")):
                continue
            if line.startswith("-"):
                lines.append(f'<p style="background:#fde8e8; margin:2px 0;"><b>删去：</b>{escape(line[1:])}</p>')
            elif line.startswith("+"):
                lines.append(f'<p style="background:#e3f5e6; margin:2px 0;"><b>改为：</b>{escape(line[1:])}</p>')
        note = ("<p style='color:#b54708;'>您修改这段文字之后，表格数据有变化。</p>" if change.data_changed else "")
        body = "".join(lines) or "<p>（文字相同，只有空白不同。）</p>"
        regenerated = escape(change.regenerated).replace("\n", "<br>")
        self.diff_view.setHtml(f"{note}<h4>差异</h4>{body}<h4>重新生成后的全文</h4><p>{regenerated}</p>")


class NarrativeTab(QWidget):
    """情况说明 tab: section titles on the left, the shown section's text on the right.

    Added by the main window per open dataset: ``tabs.addTab(NarrativeTab(controller, window), "情况说明")``.
    """

    def __init__(self, controller: DatasetController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("tab_narrative")
        self.sections: list[NarrativeSection] = []
        self.headings: dict[str, str] = {}
        self._shown_key: str | None = None
        self._loaded_text = ""  # what the editor was given: typing is detected against it
        self._stale = True  # sections are computed when the tab is first shown, not when the dataset opens

        self.read_only_notice = QLabel("已上报：情况说明只读。如需修改，请先撤销上报。", self)
        self.read_only_notice.setObjectName("read_only_notice")
        self.read_only_notice.setStyleSheet("background: #fff4e5; color: #7a4100; padding: 6px;")
        self.read_only_notice.hide()

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("部门预算信息公开情况说明", left))
        self.section_list = QListWidget(left)
        self.section_list.setObjectName("narrative_sections")
        self.section_list.currentItemChanged.connect(self._section_chosen)
        left_layout.addWidget(self.section_list, 1)
        legend = QLabel(f'<span style="color:{EDITED_COLOR.name()}">［已修改］</span>打印您修改的文字<br>'
                        f'<span style="color:{OUTDATED_COLOR.name()}">［数据已变化］</span>修改之后表格数据又有变化', left)
        set_role(legend, "muted")
        left_layout.addWidget(legend)
        self.regenerate_button = QPushButton("重新生成…", left)
        self.regenerate_button.setObjectName("regenerate")
        self.regenerate_button.setToolTip("查看按当前数据重新生成的文字与您修改的文字有何不同，再选择替换哪些部分")
        self.regenerate_button.clicked.connect(self.regenerate)
        left_layout.addWidget(self.regenerate_button)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel(right)
        self.title_label.setObjectName("section_title")
        self.title_label.setStyleSheet("font-size: 16px; font-weight: bold; padding: 2px 0;")
        right_layout.addWidget(self.title_label)
        self.state_label = QLabel(right)
        self.state_label.setObjectName("section_state")
        self.state_label.setWordWrap(True)
        right_layout.addWidget(self.state_label)
        self.editor = SectionEditor(right)
        self.editor.setObjectName("narrative_editor")
        self.editor.setStyleSheet("QPlainTextEdit { font-size: 14px; }")
        self.editor.left.connect(self.commit)
        right_layout.addWidget(self.editor, 1)
        tools = QHBoxLayout()
        self.restore_button = QPushButton("恢复为自动生成", right)
        self.restore_button.setObjectName("restore_generated")
        self.restore_button.setToolTip("丢弃您对这一部分的修改，改为按表格数据自动生成")
        self.restore_button.clicked.connect(lambda: self.restore_generated())
        tools.addWidget(self.restore_button)
        tools.addStretch(1)
        right_layout.addLayout(tools)
        self.message = QLabel(right)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        right_layout.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.read_only_notice)
        layout.addWidget(splitter, 1)

        controller.values_changed.connect(self._data_changed)
        controller.saved.connect(self._maybe_changed)

    # ---- keeping up with the data ----------------------------------------------------------
    def _data_changed(self, _forms=None) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _maybe_changed(self) -> None:
        # 单位信息 edits only announce "saved"; the organisation section quotes them
        if not self.isVisible():
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if self._stale or self.editor.isReadOnly() != self.read_only():
            self.refresh()

    def read_only(self) -> bool:
        return not self.controller.dataset.editable

    def refresh(self) -> None:
        """Re-read every section (after a data change, on showing, after 已上报 changed)."""
        if not self.commit():  # a commit re-reads everything itself
            self._reload(self._shown_key)

    def _reload(self, key: str | None) -> None:
        try:
            self.sections = narrative.sections(self.controller.dataset)
        except BudgetDeskError as exc:
            self._say(str(exc))
            return
        self._stale = False
        self.headings = numbered_headings(self.sections)
        keys = [section.key for section in self.sections]
        if [self.section_list.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.section_list.count())] != keys:
            self.section_list.blockSignals(True)
            try:
                self.section_list.clear()
                for section in self.sections:
                    item = QListWidgetItem()
                    item.setData(Qt.ItemDataRole.UserRole, section.key)
                    self.section_list.addItem(item)
            finally:
                self.section_list.blockSignals(False)
        for row, section in enumerate(self.sections):
            self._decorate(self.section_list.item(row), section)
        self._select(key if key in keys else (keys[0] if keys else None))

    def _select(self, key: str | None) -> None:
        if key is not None:
            row = [section.key for section in self.sections].index(key)
            self.section_list.blockSignals(True)
            try:
                self.section_list.setCurrentRow(row)
            finally:
                self.section_list.blockSignals(False)
        self._show(key)

    def _decorate(self, item: QListWidgetItem, section: NarrativeSection) -> None:
        heading = self.headings[section.key]
        indent = "\u3000" * max(section.level - 1, 0)
        if section.outdated:
            item.setText(f"{indent}{heading}　［数据已变化］")
            item.setForeground(OUTDATED_COLOR)
        elif section.edited:
            item.setText(f"{indent}{heading}　［已修改］")
            item.setForeground(EDITED_COLOR)
        else:
            item.setText(f"{indent}{heading}")
            item.setData(Qt.ItemDataRole.ForegroundRole, None)
        item.setToolTip(state_text(section))

    def show_section(self, key: str) -> bool:
        """Show one section (a finding of the 审核 points here); False when the text has no such part."""
        if self._stale:
            self.refresh()
        else:
            self.commit()  # the section being left is saved first
        if key not in self.headings:
            return False
        self._select(key)
        self.editor.setFocus()
        return True

    def section(self, key: str) -> NarrativeSection:
        return next(section for section in self.sections if section.key == key)

    def current_key(self) -> str | None:
        return self._shown_key

    def _show(self, key: str | None) -> None:
        read_only = self.read_only()
        self.read_only_notice.setVisible(read_only)
        self.editor.setReadOnly(read_only)
        # greyed like the locked cells of a submitted table, so it does not look editable
        self.editor.setStyleSheet("QPlainTextEdit { font-size: 14px; background: #f1f3f5; color: #3e4c59; }"
                                  if read_only else "QPlainTextEdit { font-size: 14px; }")
        self.regenerate_button.setEnabled(not read_only and any(s.edited for s in self.sections))
        if key is None:
            self._shown_key = None
            self.title_label.setText("")
            self.state_label.setText("")
            self.editor.setPlainText("")
            self._loaded_text = ""
            self.restore_button.setEnabled(False)
            return
        section = self.section(key)
        self.title_label.setText(self.headings[key])
        self.state_label.setText(state_text(section, read_only))
        set_role(self.state_label, "warning" if section.outdated else "muted")
        self.restore_button.setEnabled(not read_only and section.edited)
        if key != self._shown_key or self.editor.toPlainText() != section.text:
            # same section re-shown (after a save or a data change): keep the cursor where it was
            position = self.editor.textCursor().position() if key == self._shown_key else 0
            self.editor.setPlainText(section.text)
            cursor = self.editor.textCursor()
            cursor.setPosition(min(position, len(section.text)))
            self.editor.setTextCursor(cursor)
            if key != self._shown_key:
                self.editor.moveCursor(QTextCursor.MoveOperation.Start)
        self._shown_key = key
        self._loaded_text = section.text

    def _section_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        chosen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.commit()  # the section being left is saved first (which re-reads the list)
        self._select(chosen if chosen in self.headings else self._shown_key)

    # ---- edits -----------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = True) -> None:
        set_role(self.message, "error" if error else "muted")
        self.message.setText(text)

    def commit(self) -> bool:
        """Store the shown section's text if the clerk changed it. True when something was written."""
        key = self._shown_key
        if key is None or self.editor.isReadOnly():
            return False
        text = self.editor.toPlainText()
        if text == self._loaded_text:
            return False  # untouched: re-saving would also reset the 数据已变化 mark
        try:
            narrative.save_text(self.controller.dataset, key, text)
        except BudgetDeskError as exc:
            self._say(f"没有保存：{exc}")
            return False
        self._say("")
        self._reload(key)
        self.controller.saved.emit()
        return True

    def restore_generated(self, *, confirm=None) -> bool:
        """恢复为自动生成: drop the clerk's wording of the shown section after asking."""
        key = self._shown_key
        if key is None or self.read_only() or not self.section(key).edited:
            return False
        confirm = confirm or (lambda question: QMessageBox.question(
            self, "恢复为自动生成", question) == QMessageBox.StandardButton.Yes)
        if not confirm(f"您对“{self.headings[key]}”的修改将被丢弃，改为按表格数据自动生成的文字。确定恢复吗？"):
            return False
        try:
            narrative.discard_edit(self.controller.dataset, key)
        except BudgetDeskError as exc:
            self._say(str(exc))
            return False
        self._say("")
        self._shown_key = None  # the editor must take the generated text, not keep the old one
        self._reload(key)
        self.controller.saved.emit()
        return True

    def regenerate(self) -> list[str]:
        """重新生成…: show what would change, replace only the sections the clerk ticks."""
        self.commit()
        dataset = self.controller.dataset
        try:
            changes = narrative.preview_regeneration(dataset)
        except BudgetDeskError as exc:
            self._say(str(exc))
            return []
        if not changes:
            self._say("没有需要重新生成的部分：您修改过的文字与按当前数据生成的文字相同。"
                      "未修改的部分始终按最新数据生成。", error=False)
            return []
        dialog = RegenerationDialog(changes, self.headings, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.checked_keys():
            return []
        try:
            replaced = narrative.apply_regeneration(dataset, dialog.checked_keys())
        except BudgetDeskError as exc:
            self._say(str(exc))
            return []
        self._say(f"已按当前数据重新生成 {len(replaced)} 个部分。", error=False)
        shown = self._shown_key
        self._shown_key = None  # reload the editor even if the shown section was replaced
        self._reload(shown)
        self.controller.saved.emit()
        return replaced
