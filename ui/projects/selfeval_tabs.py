"""绩效自评 tabs that look like the printed forms: the wide 项目绩效自评表 (seed 001) with its grouped
header and a frozen 项目名称 column, and the 部门整体支出绩效自评表 (seed 003).

Every edit is written at once through ``app.selfeval.SelfEvaluationBook`` (the dataset's door, audited)
and becomes one step on the shared undo stack; a refused write (已上报, bad input) shows its Chinese
message and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import selfeval
from app.base.errors import BudgetDeskError, InputError
from app.base.money import exact_text, format_amount
from ui.common.style import set_role
from ui.editor.controller import DatasetController, GuardedCommand
from ui.editor.header import GroupedHeaderView
from ui.projects.projects_tab import CommittingTextEdit

COMPUTED_BACKGROUND = QColor("#eef2f6")


class SelfEvaluationCommand(GuardedCommand):
    """One self-evaluation edit (already written when pushed): undo writes the content before it."""

    def __init__(self, controller: DatasetController, book: selfeval.SelfEvaluationBook,
                 before: selfeval.SelfEvaluationContent, after: selfeval.SelfEvaluationContent, text: str,
                 form: str) -> None:
        super().__init__(controller, text, (form, "", ""))
        self.book, self.before, self.after = book, before, after

    def redo(self) -> None:
        if self.written:  # written before the command was pushed
            self.written = False
            self.controller._book_written()
            return
        self._run(self.apply, "重做")

    def apply(self) -> None:
        self.book.set_content(self.after, source="重做")
        self.controller._book_written()

    def revert(self) -> None:
        self.book.set_content(self.before, source="撤销")
        self.controller._book_written()


def _write(controller: DatasetController, book: selfeval.SelfEvaluationBook, action, text: str,
           form: str = selfeval.PROJECT_FORM) -> str | None:
    """Run one write; on success push its undo step and return None, else the refusal's message."""
    before = book.content()
    try:
        action()
    except InputError as exc:  # bad input: said beside the table, nothing written
        return str(exc)
    except BudgetDeskError as exc:  # 已上报, changed elsewhere …: the window says it (and reloads if stale)
        controller.write_refused(exc)
        return str(exc)
    controller.undo_stack.push(SelfEvaluationCommand(controller, book, before, book.content(), text, form))
    return None


# ---- 项目绩效自评表 ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GridColumn:
    key: str
    header: tuple  # the grouped title path, as printed
    money: bool = False
    computed: bool = False
    width: int = 110


def project_columns() -> list[GridColumn]:
    columns = [GridColumn("project_name", ("项目名称",), width=150), GridColumn("unit_name", ("单位名称",), width=130),
               GridColumn("budget", ("项目年度预算金额",), money=True, width=90),
               GridColumn("actual_total", ("实际支出金额", "合计"), money=True, width=80),
               GridColumn("actual_general", ("实际支出金额", "其中：财政拨款", "一般公共预算"), money=True, width=90),
               GridColumn("actual_fund", ("实际支出金额", "其中：财政拨款", "政府性基金"), money=True, width=80),
               GridColumn("actual_nonfiscal", ("实际支出金额", "非财政资金"), money=True, width=80),
               GridColumn("rate", ("预算支出执行率",), computed=True, width=80),
               GridColumn("initial_goal", ("年初绩效目标",), width=200),
               GridColumn("overall_result", ("绩效目标整体完成情况",), width=200)]
    for kind in selfeval.kinds():
        columns += [GridColumn(f"content:{kind.key}", (kind.group, kind.title, "年度指标内容"), width=140),
                    GridColumn(f"result:{kind.key}", (kind.group, kind.title, "完成情况"), width=140)]
    columns += [GridColumn("problems", ("项目执行中的问题",), width=140), GridColumn("rectification", ("整改情况",), width=140)]
    return columns


class ProjectEvaluationModel(QAbstractTableModel):
    """The 项目绩效自评表 rows; ``grid_columns`` feeds the grouped header."""

    def __init__(self, tab: ProjectSelfEvaluationTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.grid_columns = project_columns()
        self.rows: list[selfeval.ProjectEvaluation] = []

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.tab.book.projects()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.grid_columns)

    def text(self, row: int, key: str, *, exact: bool = False) -> str:
        """What a cell shows; ``exact``: an amount as typed and stored (the editor and tooltip), not rounded."""
        item = self.rows[row]
        if key == "rate":
            return selfeval.format_rate(item.rate)
        if key.startswith(("content:", "result:")):
            part, kind = key.split(":")
            return (item.contents if part == "content" else item.results).get(kind, "")
        value = getattr(item, key)
        if isinstance(value, Decimal) or value is None:
            return exact_text(value) if exact else format_amount(value)
        return value

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self.grid_columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), column.key)
        if role in (Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(index.row(), column.key, exact=True)
        if role == Qt.ItemDataRole.TextAlignmentRole and (column.money or column.computed):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and column.computed:
            return COMPUTED_BACKGROUND
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)  # 序号
        return "".join(self.grid_columns[section].header[-1:])

    def flags(self, index):
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if self.grid_columns[index.column()].computed or self.tab.controller.dataset.status == "submitted":
            return flags
        return flags | Qt.ItemFlag.ItemIsEditable

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        key = self.grid_columns[index.column()].key
        item = self.rows[index.row()]
        text = str(value).strip()
        if text == self.text(index.row(), key, exact=True):
            return True
        if key.startswith(("content:", "result:")):
            part, kind = key.split(":")
            field = dict(item.contents if part == "content" else item.results)
            field[kind] = text
            new = replace(item, **{"contents" if part == "content" else "results": field})
        else:
            new = replace(item, **{key: text})
        title = "".join(self.grid_columns[index.column()].header)
        message = _write(self.tab.controller, self.tab.book,
                         lambda: self.tab.book.set_project(new, old_name=item.project_name),
                         f"项目绩效自评 {item.project_name} {title}")
        self.tab.show_message(message or "")
        return message is None


class ProjectSelfEvaluationTab(QWidget):
    def __init__(self, controller: DatasetController, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.book = selfeval.SelfEvaluationBook(controller.dataset)
        self.setObjectName("tab_self_evaluation")
        layout = QVBoxLayout(self)
        title = QLabel(f"{controller.dataset.year}年{controller.dataset.unit.name}部门预算项目绩效自评表", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(title, "title")
        layout.addWidget(title)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(f"单位：{controller.dataset.money_unit}　　预算支出执行率 = 实际支出合计 ÷ 项目年度预算金额", self))
        bar.addStretch(1)
        self.prefill_button = QPushButton("从项目绩效目标预填", self)
        self.prefill_button.clicked.connect(self.prefill)
        self.delete_button = QPushButton("删除所选项目行", self)
        self.delete_button.clicked.connect(self.delete_selected)
        self.new_name = QLineEdit(self)
        self.new_name.setObjectName("self_evaluation_new_name")
        self.new_name.setPlaceholderText("项目名称（不在本年预算中的项目）")
        self.new_name.setMinimumWidth(220)
        self.add_button = QPushButton("增加项目行", self)
        self.add_button.clicked.connect(self.add_row)
        bar.addWidget(self.new_name)
        bar.addWidget(self.add_button)
        bar.addWidget(self.prefill_button)
        bar.addWidget(self.delete_button)
        layout.addLayout(bar)
        self.model = ProjectEvaluationModel(self)
        # Two views over one model: the frozen 项目名称 on the left, the rest scrolling on the right.
        self.frozen = QTableView(self)
        self.table = QTableView(self)
        for view in (self.frozen, self.table):
            view.setModel(self.model)
            view.setHorizontalHeader(GroupedHeaderView(view))
            view.setWordWrap(True)
            view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                 | QAbstractItemView.EditTrigger.EditKeyPressed
                                 | QAbstractItemView.EditTrigger.AnyKeyPressed)
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            view.verticalHeader().setDefaultSectionSize(64)
        self.frozen.setObjectName("self_evaluation_frozen")
        self.table.setObjectName("self_evaluation_table")
        for column, spec in enumerate(self.model.grid_columns):
            self.frozen.setColumnHidden(column, column != 0)
            self.table.setColumnHidden(column, column == 0)
            self.table.setColumnWidth(column, spec.width)
        self.frozen.setColumnWidth(0, self.model.grid_columns[0].width)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setFixedWidth(self.model.grid_columns[0].width + 48)
        self.frozen.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.frozen.verticalScrollBar().valueChanged.connect(self.table.verticalScrollBar().setValue)
        self.frozen.selectionModel().currentRowChanged.connect(lambda current, _old: self.table.selectRow(current.row()))
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.frozen)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        self.message = QLabel(self)
        self.message.setObjectName("self_evaluation_message")
        set_role(self.message, "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        controller.book_changed.connect(self.refresh)
        controller.reloaded.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.model.reload()
        editable = self.controller.dataset.status != "submitted"
        for widget in (self.prefill_button, self.delete_button, self.add_button, self.new_name):
            widget.setEnabled(editable)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def column_of(self, key: str) -> int:
        return next(number for number, column in enumerate(self.model.grid_columns) if column.key == key)

    def prefill(self) -> None:
        message = _write(self.controller, self.book, self.book.prefill, "从项目绩效目标预填绩效自评")
        self.show_message(message or "")

    def add_row(self) -> None:
        name = self.new_name.text().strip()
        if any(item.project_name == name for item in self.model.rows):
            self.show_message(f"项目绩效自评表中已有项目“{name}”。")
            return
        evaluation = selfeval.ProjectEvaluation(project_name=name, unit_name=self.controller.dataset.unit.name)
        message = _write(self.controller, self.book, lambda: self.book.set_project(evaluation),
                         f"增加项目绩效自评 {name}")
        self.show_message(message or "")
        if message is None:
            self.new_name.clear()

    def delete_selected(self) -> None:
        index = self.table.currentIndex() if self.table.currentIndex().isValid() else self.frozen.currentIndex()
        if not index.isValid():
            return
        name = self.model.rows[index.row()].project_name
        message = _write(self.controller, self.book, lambda: self.book.delete_project(name),
                         f"删除项目绩效自评 {name}")
        self.show_message(message or "")


# ---- 部门整体支出绩效自评表 -----------------------------------------------------------------------------
SCORE_HEADERS = ("一级指标", "权重", "二级指标", "权重", "三级指标", "年度指标值", "全年完成值", "自评得分", "偏差及原因分析")
SCORE_KEYS = ("group", "group_weight", "name", "weight", "level3", "target_value", "actual_value", "score", "deviation")


class DepartmentSelfEvaluationTab(QWidget):
    def __init__(self, controller: DatasetController, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.book = selfeval.SelfEvaluationBook(controller.dataset)
        self.setObjectName("tab_department_self_evaluation")
        self._loading = False
        layout = QVBoxLayout(self)
        title = QLabel(f"{controller.dataset.year}年{selfeval.DEPARTMENT_TITLE}", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(title, "title")
        layout.addWidget(title)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"部门（单位）名称：{controller.dataset.unit.name}　　单位：{controller.dataset.money_unit}", self))
        top.addStretch(1)
        self.prefill_button = QPushButton("预填年初设定目标和默认分解目标", self)
        self.prefill_button.clicked.connect(self.prefill)
        top.addWidget(self.prefill_button)
        layout.addLayout(top)

        layout.addWidget(QLabel("整体支出规模", self))
        self.scale = QTableWidget(len(selfeval.SCALE_LINES), 3, self)
        self.scale.setObjectName("department_scale")
        self.scale.setHorizontalHeaderLabels(["全年预算数", "全年执行数", "执行率"])
        self.scale.setVerticalHeaderLabels(["资金来源：（1）财政拨款", "（2）其他资金", "资金结构：（1）基本支出", "（2）项目支出"])
        self.scale.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.scale.setFixedHeight(150)
        self.scale.itemChanged.connect(self._scale_edited)
        layout.addWidget(self.scale)

        goals = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel("年度总体目标 — 年初设定目标", self))
        self.initial_goal = CommittingTextEdit(self)
        self.initial_goal.setObjectName("department_initial_goal")
        self.initial_goal.left.connect(self.save_goals)
        left.addWidget(self.initial_goal)
        right.addWidget(QLabel("全年完成情况", self))
        self.result = CommittingTextEdit(self)
        self.result.setObjectName("department_result")
        self.result.left.connect(self.save_goals)
        right.addWidget(self.result)
        goals.addLayout(left)
        goals.addLayout(right)
        layout.addLayout(goals, 1)

        layout.addWidget(QLabel("分解目标自评", self))
        self.scores = QTableWidget(0, len(SCORE_HEADERS), self)
        self.scores.setObjectName("department_scores")
        self.scores.setHorizontalHeaderLabels(list(SCORE_HEADERS))
        for column, width in ((0, 110), (1, 50), (2, 170), (3, 50), (5, 110), (6, 110), (7, 70)):
            self.scores.setColumnWidth(column, width)
        self.scores.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.scores.horizontalHeader().setSectionResizeMode(8, QHeaderView.ResizeMode.Stretch)
        self.scores.itemChanged.connect(self._score_edited)
        layout.addWidget(self.scores, 2)
        rows_bar = QHBoxLayout()
        self.add_item_button = QPushButton("在所选一级指标下增加二级指标", self)
        self.add_item_button.clicked.connect(self.add_item)
        self.remove_item_button = QPushButton("删除所选二级指标", self)
        self.remove_item_button.clicked.connect(self.remove_item)
        rows_bar.addWidget(self.add_item_button)
        rows_bar.addWidget(self.remove_item_button)
        rows_bar.addStretch(1)
        layout.addLayout(rows_bar)
        self.total = QLabel(self)
        self.total.setObjectName("department_total")
        self.total.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.total)
        self.message = QLabel(self)
        self.message.setObjectName("department_message")
        set_role(self.message, "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        controller.book_changed.connect(self.refresh)
        controller.reloaded.connect(self.refresh)
        self.refresh()

    # ---- showing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        self._loading = True
        try:
            self.department = self.book.department()
            editable = self.controller.dataset.status != "submitted"
            for row, (key, _part, _label) in enumerate(selfeval.SCALE_LINES):
                line = self.department.line(key)
                for column, text in enumerate((exact_text(line.budget), exact_text(line.actual),
                                               selfeval.format_rate(line.rate))):
                    item = QTableWidgetItem(text)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if column == 2 or not editable:
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                        if column == 2:
                            item.setBackground(COMPUTED_BACKGROUND)
                    self.scale.setItem(row, column, item)
            if not self.initial_goal.hasFocus():
                self.initial_goal.setPlainText(self.department.initial_goal)
            if not self.result.hasFocus():
                self.result.setPlainText(self.department.result)
            self.initial_goal.setReadOnly(not editable)
            self.result.setReadOnly(not editable)
            for widget in (self.prefill_button, self.add_item_button, self.remove_item_button):
                widget.setEnabled(editable)
            self.scores.clearSpans()
            rows = [(g, i, item) for g, group in enumerate(self.department.groups)
                    for i, item in enumerate(group.items)]
            self.scores.setRowCount(len(rows))
            self.places: list[tuple[int, int]] = []
            for row, (g, i, item) in enumerate(rows):
                group = self.department.groups[g]
                self.places.append((g, i))
                texts = (group.name, selfeval.points_text(group.weight), item.name, selfeval.points_text(item.weight),
                         item.level3, item.target_value, item.actual_value, selfeval.points_text(item.score),
                         item.deviation)
                for column, text in enumerate(texts):
                    cell = QTableWidgetItem(text)
                    if not editable:
                        cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    if column in (1, 3, 5, 6, 7):
                        cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.scores.setItem(row, column, cell)
                if i == 0 and len(group.items) > 1:
                    self.scores.setSpan(row, 0, len(group.items), 1)
                    self.scores.setSpan(row, 1, len(group.items), 1)
            if self.department.groups:
                self.total.setText(f"总分：权重 {selfeval.points_text(self.department.total_weight)}　"
                                   f"自评得分 {selfeval.points_text(self.department.total_score)}")
            else:
                self.total.setText("尚无分解目标：可点“预填年初设定目标和默认分解目标”。")
        finally:
            self._loading = False

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    # ---- editing ---------------------------------------------------------------------------
    def _save(self, department: selfeval.DepartmentEvaluation, text: str) -> bool:
        message = _write(self.controller, self.book, lambda: self.book.set_department(department), text,
                         selfeval.DEPARTMENT_FORM)
        self.show_message(message or "")
        if message:
            self.refresh()
        return message is None

    def _scale_edited(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        key, part, label = selfeval.SCALE_LINES[item.row()]
        department = self.book.department()
        line = department.line(key)
        field = "budget" if item.column() == 0 else "actual"
        department.lines = {**department.lines, key: replace(line, **{field: item.text().strip()})}
        self._save(department, f"{part}{label} {'全年预算数' if field == 'budget' else '全年执行数'}")

    def _score_edited(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        g, i = self.places[item.row()]
        department = self.book.department()
        key = SCORE_KEYS[item.column()]
        text = item.text().strip()
        group = department.groups[g]
        if key == "group_weight":
            department.groups[g] = replace(group, weight=text)
        elif key == "group":
            department.groups[g] = replace(group, name=text)
        else:
            items = list(group.items)
            items[i] = replace(items[i], **{key: text})
            department.groups[g] = replace(group, items=items)
        self._save(department, f"分解目标自评 {group.name} {SCORE_HEADERS[item.column()]}")

    def _current_place(self) -> tuple[int, int] | None:
        row = self.scores.currentRow()
        return self.places[row] if 0 <= row < len(self.places) else None

    def add_item(self) -> None:
        place = self._current_place()
        if place is None:
            self.show_message("请先选中一行，新的二级指标加在它所属的一级指标下。")
            return
        department = self.book.department()
        group = department.groups[place[0]]
        items = list(group.items)
        items.insert(place[1] + 1, selfeval.ScoreItem("新二级指标"))
        department.groups[place[0]] = replace(group, items=items)
        self._save(department, f"分解目标自评 {group.name} 增加二级指标")

    def remove_item(self) -> None:
        place = self._current_place()
        if place is None:
            return
        department = self.book.department()
        group = department.groups[place[0]]
        items = [item for number, item in enumerate(group.items) if number != place[1]]
        department.groups[place[0]] = replace(group, items=items)
        self._save(department, f"分解目标自评 {group.name} 删除二级指标")

    def save_goals(self) -> bool:
        department = self.book.department()
        goal, result = self.initial_goal.toPlainText().strip(), self.result.toPlainText().strip()
        if (goal, result) == (department.initial_goal, department.result):
            return True
        return self._save(replace(department, initial_goal=goal, result=result), "年度总体目标")

    def prefill(self) -> None:
        message = _write(self.controller, self.book, self.book.prefill, "预填绩效自评", selfeval.DEPARTMENT_FORM)
        self.show_message(message or "")


def add_selfeval_tabs(window, controller: DatasetController) -> None:
    """The two tabs, after 固定资产 (called from ui/window/main_window.py)."""
    window.self_evaluation_tab = ProjectSelfEvaluationTab(controller, window)
    window.tabs.addTab(window.self_evaluation_tab, "项目绩效自评")
    window.department_self_evaluation_tab = DepartmentSelfEvaluationTab(controller, window)
    window.tabs.addTab(window.department_self_evaluation_tab, "部门整体自评")
