"""项目 tab: the project list (master) and the selected project's fields and 绩效指标 (detail)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.base.money import exact_text, format_amount
from app.projects import PROJECT_ATTRIBUTES, PROJECT_FUNDS, Project, function_code_from_text
from app.projects.funds import DEFAULT_FUND_KEYS, fund_status, set_amount
from ui.common.style import set_role
from ui.editor.comment_marks import COMMENT_ROLE, CornerDelegate, comment_index, state_of, tooltip_text
from ui.editor.controller import DatasetController
from ui.projects.indicator_editor import IndicatorEditor

log = logging.getLogger(__name__)

MONEY_FIELDS = [("amount", "本年度预算安排数（总计）"), *PROJECT_FUNDS,
                ("period_total", "实施期资金总额"), ("executed_before", "以前年度累计执行数")]
TEXT_FIELDS = [("code", "项目编码"), ("competent_department", "主管部门"), ("implementing_unit", "实施单位（资金使用单位）"),
               ("manager", "项目负责人")]


class CommittingTextEdit(QPlainTextEdit):
    """A multi-line field that saves when it is left, like every other field."""

    left = Signal()

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().focusOutEvent(event)
        self.left.emit()


class ProjectsTab(QWidget):
    def __init__(self, controller: DatasetController, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("tab_projects")
        self.project_id: int | None = None
        self.project: Project | None = None
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(splitter)

        # ---- master: the list ----
        master = QWidget(splitter)
        master_layout = QVBoxLayout(master)
        master_layout.setContentsMargins(0, 0, 0, 0)
        self.total_label = QLabel(master)
        master_layout.addWidget(self.total_label)
        self.list = QListWidget(master)
        self.list.setObjectName("project_list")
        self.list.currentItemChanged.connect(self._selected)
        self.list.setItemDelegate(CornerDelegate(self.list))  # 批注 on a project or its indicators
        self.comments = comment_index(controller)
        self.comments.changed.connect(self.refresh)
        master_layout.addWidget(self.list, 1)
        buttons = QGridLayout()
        for number, (label, name, handler) in enumerate((
            ("新增项目…", "add_project", self.add_project),
            ("删除项目", "delete_project", self.delete_project),
            ("上移", "project_up", lambda: self.move(-1)),
            ("下移", "project_down", lambda: self.move(1)),
            ("复制指标到…", "copy_indicators", self.copy_indicators),
        )):
            button = QPushButton(label, master)
            button.setObjectName(name)
            button.clicked.connect(handler)
            buttons.addWidget(button, number // 2, number % 2)
        master_layout.addLayout(buttons)
        self.message = QLabel(master)
        self.message.setObjectName("project_message")
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        master_layout.addWidget(self.message)

        # ---- detail: fields (scrolling) above the 绩效指标 grid, split so both stay in view ----
        detail_split = QSplitter(Qt.Orientation.Vertical, splitter)
        scroll = QScrollArea(detail_split)
        scroll.setWidgetResizable(True)
        detail = QWidget()
        scroll.setWidget(detail)
        detail_layout = QVBoxLayout(detail)
        fields_box = QGroupBox("项目信息", detail)
        form = QGridLayout(fields_box)
        self.edits: dict[str, QLineEdit] = {}
        name_edit = self._line("name", "项目名称")
        form.addWidget(QLabel("项目名称：", fields_box), 0, 0)
        form.addWidget(name_edit, 0, 1, 1, 3)
        # the fund breakdown's own message, at the top where it is seen: missing, or not adding up
        self.fund_message = QLabel(fields_box)
        self.fund_message.setObjectName("fund_message")
        self.fund_message.setWordWrap(True)
        set_role(self.fund_message, "warning")
        self.fund_message.hide()
        form.addWidget(self.fund_message, 1, 0, 1, 4)
        row = 2
        left_fields = TEXT_FIELDS + [("function_code", "功能分类科目"), ("period_start", "实施周期开始"),
                                     ("period_end", "实施周期结束")]
        for index, (key, label) in enumerate(left_fields):
            form.addWidget(QLabel(f"{label}：", fields_box), row + index, 0)
            form.addWidget(self._line(key, label), row + index, 1)
        for index, (key, label) in enumerate(MONEY_FIELDS):
            form.addWidget(QLabel(f"{label}（{controller.dataset.money_unit}）：", fields_box), row + index, 2)
            edit = self._line(key, label)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            form.addWidget(edit, row + index, 3)
        row += max(len(left_fields), len(MONEY_FIELDS))
        # 实施周期's own message, next to its fields (2023-01 … 2023-12 means whole months)
        self.period_message = QLabel(fields_box)
        self.period_message.setObjectName("period_message")
        self.period_message.setWordWrap(True)
        set_role(self.period_message, "error")
        form.addWidget(self.period_message, row, 0, 1, 2)
        row += 1
        for key in ("period_start", "period_end"):
            self.edits[key].setPlaceholderText("例如 2023-01-01 或 2023-01")
        form.addWidget(QLabel("项目属性：", fields_box), row, 0)
        self.attribute = QComboBox(fields_box)
        self.attribute.setObjectName("project_attribute")
        self.attribute.addItem("（未选择）", "")
        for key, label in PROJECT_ATTRIBUTES.items():
            self.attribute.addItem(label, key)
        self.attribute.activated.connect(lambda _i: self.save_field("attribute", self.attribute.currentData()))
        form.addWidget(self.attribute, row, 1)
        codes = controller.dataset.codes["function"]
        completer = QCompleter(QStringListModel([f"{c.code} {c.name}" for c in codes.items.values() if len(c.code) == 7],
                                                self), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edits["function_code"].setCompleter(completer)
        detail_layout.addWidget(fields_box)

        goals = QGroupBox("绩效目标", detail)
        goals_layout = QFormLayout(goals)
        self.texts: dict[str, CommittingTextEdit] = {}
        for key, label in (("period_goal", "实施期总目标"), ("annual_goal", "年度绩效目标")):
            edit = CommittingTextEdit(goals)
            edit.setObjectName(f"project_{key}")
            edit.setFixedHeight(54)
            edit.left.connect(lambda key=key: self.save_field(key, self.texts[key].toPlainText()))
            self.texts[key] = edit
            goals_layout.addRow(f"{label}：", edit)
        detail_layout.addWidget(goals)

        indicators_box = QGroupBox("绩效指标", detail_split)
        indicators_layout = QVBoxLayout(indicators_box)
        self.indicators = IndicatorEditor(controller, self._load_indicators, self._store_indicators, indicators_box)
        indicators_layout.addWidget(self.indicators)
        detail_split.setSizes([330, 420])
        splitter.setSizes([300, 1100])

        controller.book_changed.connect(self.refresh)
        self.refresh()

    def _line(self, key: str, label: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"project_{key}")
        edit.setToolTip(label)
        edit.editingFinished.connect(lambda key=key: self.save_field(key, self.edits[key].text()))
        self.edits[key] = edit
        return edit

    # ---- list ------------------------------------------------------------------------------
    def refresh(self) -> None:
        book = self.controller.book
        projects = book.list_projects()
        self.list.blockSignals(True)
        self.list.clear()
        for number, project in enumerate(projects, start=1):
            amount = format_amount(project.amount, grouping=True) or "未填金额"
            item = QListWidgetItem(f"{number}. {project.name}（{amount}）")
            item.setData(Qt.ItemDataRole.UserRole, project.id)
            noted = self.comments.for_project(project.name)
            if noted:  # a corner mark and the text on hover, as on a commented cell
                item.setData(COMMENT_ROLE, state_of(noted))
                item.setToolTip(tooltip_text(noted))
            self.list.addItem(item)
        self.list.blockSignals(False)
        total = book.projects_total()
        self.total_label.setText(f"项目 {len(projects)} 个，金额合计 {format_amount(total, grouping=True)} "
                                 f"{self.controller.dataset.money_unit}")
        ids = [project.id for project in projects]
        if self.project_id in ids:
            self.list.setCurrentRow(ids.index(self.project_id))
        elif ids:
            self.list.setCurrentRow(0)
        else:
            self.show_project(None)
        if self.project_id in ids:
            self.show_project(self.project_id)

    def _selected(self, current: QListWidgetItem | None, _previous=None) -> None:
        self.show_project(current.data(Qt.ItemDataRole.UserRole) if current else None)

    def select_project(self, name_or_id) -> bool:
        for row in range(self.list.count()):
            item = self.list.item(row)
            project_id = item.data(Qt.ItemDataRole.UserRole)
            if project_id == name_or_id or item.text().split(". ", 1)[-1].startswith(f"{name_or_id}（"):
                self.list.setCurrentRow(row)
                return True
        return False

    def show_project(self, project_id: int | None) -> None:
        self.project_id = project_id
        self.project = self.controller.book.get_project(project_id) if project_id is not None else None
        read_only = not self.controller.dataset.editable
        project = self.project
        for key, edit in self.edits.items():
            value = getattr(project, key) if project else None
            if key in dict(MONEY_FIELDS):
                text = exact_text(value)  # the exact figure: leaving the field unchanged must not round it
            else:
                text = "" if value is None else str(value)
            edit.setText(text)
            edit.setEnabled(project is not None)
            edit.setReadOnly(read_only)
        for key, edit in self.texts.items():
            edit.setPlainText(getattr(project, key) if project else "")
            edit.setEnabled(project is not None)
            edit.setReadOnly(read_only)
        self.attribute.setCurrentIndex(max(self.attribute.findData(project.attribute if project else ""), 0))
        self.attribute.setEnabled(project is not None and not read_only)
        self.indicators.setEnabled(project is not None)
        self.indicators.reload()
        self.fund_message.setText(fund_status(project, self.controller.dataset.money_unit))
        self.fund_message.setVisible(bool(self.fund_message.text()))

    # ---- editing ---------------------------------------------------------------------------
    def _current_text(self, key: str, value: str) -> object:
        return (value.strip() or None) if key in dict(MONEY_FIELDS) or key in ("period_start", "period_end") else value

    def save_field(self, key: str, value: str) -> bool:
        if self.project is None:
            return False
        current = getattr(self.project, key)
        new = self._current_text(key, value)
        try:
            if key == "function_code":
                new = function_code_from_text(str(new or ""), self.controller.dataset.codes.get("function"))
            shown = exact_text(current) if key in dict(MONEY_FIELDS) else ("" if current is None else str(current))
            if (new or "") == shown or new == current:
                return True
            if key == "amount":  # with the default breakdown (本级财政 = amount) where the unit's income allows
                change = set_amount(self.controller.book, self.project_id, new)
            else:
                change = self.controller.book.update_project_fields(self.project_id, **{key: new})
        except BudgetDeskError as exc:
            log.info("project field %s refused: %s", key, exc)
            if key in ("period_start", "period_end"):
                self.period_message.setText(str(exc))  # said next to the field; the other field keeps its text
                self.edits[key].setText("" if current is None else str(current))
                return False
            self.message.setText(str(exc))
            self.show_project(self.project_id)  # put the stored value back: nothing was saved
            return False
        self.message.setText("")
        self.period_message.setText("")
        self.controller.record(change)
        before, after = change.before.project, change.after.project
        if key == "amount" and before is not None and after is not None and after.amount is not None and all(
                getattr(after, k) == after.amount for k in DEFAULT_FUND_KEYS) and not all(
                getattr(before, k) == after.amount for k in DEFAULT_FUND_KEYS):
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage("单位收入全部为一般公共预算拨款：本级财政、财政拨款已按项目金额填写，"
                                               "如有上级资金或其他资金请修改。", 10000)
        return True

    def _load_indicators(self):
        return list(self.project.indicators) if self.project else []

    def _store_indicators(self, indicators):
        return self.controller.book.set_indicators(self.project_id, indicators)

    def add_project(self, *, name: str | None = None) -> bool:
        if name is None:
            name = self._ask_project_name()
            if name is None:
                return False
        try:
            change = self.controller.book.add_project(Project(name=name.strip()))
        except BudgetDeskError as exc:
            self.message.setText(str(exc))
            return False
        self.project_id = change.after.project_id
        self.message.setText("")
        self.controller.record(change)
        return True

    def _ask_project_name(self) -> str | None:
        dialog = QInputDialog(self)
        dialog.setObjectName("new_project_dialog")
        dialog.setWindowTitle("新增项目")
        dialog.setLabelText("项目名称（与预算批复一致的全称）：")
        # Qt sizes the box to its short label (about 200 px); project names run to 30 characters.
        dialog.resize(dialog.fontMetrics().horizontalAdvance("中" * 34), dialog.sizeHint().height())
        if dialog.exec() != QInputDialog.DialogCode.Accepted:
            return None
        return dialog.textValue()

    def delete_project(self, *, confirm: Callable[[str], bool] | None = None) -> bool:
        if self.project is None:
            return False
        ask = confirm or (lambda text: QMessageBox.question(self, "删除项目", text) == QMessageBox.StandardButton.Yes)
        if not ask(f"确定删除项目“{self.project.name}”及其 {len(self.project.indicators)} 个绩效指标和政府采购明细吗？"
                   "（可用 Ctrl+Z 撤销）"):
            return False
        try:
            change = self.controller.book.delete_project(self.project_id)
        except BudgetDeskError as exc:
            self.message.setText(str(exc))
            return False
        self.controller.record(change)
        return True

    def move(self, step: int) -> None:
        row = self.list.currentRow()
        if self.project_id is None or not 0 <= row + step < self.list.count():
            return
        try:
            self.controller.record(self.controller.book.move_project(self.project_id, row + step))
        except BudgetDeskError as exc:
            self.message.setText(str(exc))

    def copy_indicators(self, *, target_name: str | None = None, confirm: Callable[[str], bool] | None = None) -> bool:
        if self.project is None:
            return False
        others = [p for p in self.controller.book.list_projects() if p.id != self.project_id]
        if target_name is None:
            target_name, ok = QInputDialog.getItem(self, "复制绩效指标", "复制到项目：", [p.name for p in others], 0, False)
            if not ok:
                return False
        target = next((p for p in others if p.name == target_name), None)
        if target is None:
            return False
        ask = confirm or (lambda text: QMessageBox.question(self, "复制绩效指标", text) == QMessageBox.StandardButton.Yes)
        if target.indicators and not ask(f"项目“{target.name}”已有 {len(target.indicators)} 个指标，复制后将被替换，继续吗？"):
            return False
        try:
            self.controller.record(self.controller.book.copy_indicators(self.project_id, target.id))
        except BudgetDeskError as exc:
            self.message.setText(str(exc))
            return False
        return True
