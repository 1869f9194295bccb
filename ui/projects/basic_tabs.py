"""基础信息 tabs (人员, 车辆) and the 基本支出测算 tab of the clerk's window.

人员 and 车辆 are tables the clerk types into; every edit is checked and written at once through
``app.basic.BasicInfoBook`` (the dataset's door, audited); a bad cell or a 已上报 dataset is refused in
Chinese and the table shows what is stored again. The 测算 tab shows each economic code's 测算 beside the
typed 基本支出表 figure with its formula; 一键带入 writes the 测算 as one undo step (audited 测算带入), and
保持跟随 (kept with the dataset) brings it in again after every roster change. Each tab fills itself when
first shown, so opening a dataset builds nothing here."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError, InputError
from app.base.money import format_amount
from app.basic.book import BasicInfoBook
from app.basic.estimate import BASIC_FORM, ESTIMATE_SOURCE, FOLLOW_NOTE, Estimate, estimate_dataset, following
from app.basic.records import (
    STAFF_FIELDS,
    VEHICLE_FIELDS,
    BasicInfo,
    StaffMember,
    Vehicle,
    check_staff,
    check_vehicle,
)
from app.basic.standards import load_standards
from ui.common.feedback import say
from ui.common.jobs import Job
from ui.common.refusal_box import show_refusal
from ui.editor.controller import DatasetController, GuardedCommand
from ui.projects.basic_print import print_worksheets


def _staff_cells(person: StaffMember) -> list[str]:
    return [person.name, person.category, person.staffing, person.grade, f"{person.basic_pay:.2f}",
            f"{person.allowance:.2f}", f"{person.bonus:.2f}"]


def _vehicle_cells(vehicle: Vehicle) -> list[str]:
    return [vehicle.purpose, "是" if vehicle.in_establishment else "否",
            "" if vehicle.purchase_year is None else str(vehicle.purchase_year), vehicle.plate]


class RosterCommand(GuardedCommand):
    """One 人员 / 车辆 edit (already written when pushed): undo writes the tables as they were before."""

    def __init__(self, controller: DatasetController, book: BasicInfoBook, before: BasicInfo, after: BasicInfo,
                 text: str) -> None:
        super().__init__(controller, text, None)
        self.book, self.before, self.after = book, before, after

    def apply(self) -> None:
        self.book.replace(self.after, source="重做")
        self.controller._book_written()

    def revert(self) -> None:
        self.book.replace(self.before, source="撤销")
        self.controller._book_written()


class LazyTab(QWidget):
    """A tab that builds its content the first time it is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filled = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.filled:
            self.filled = True
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        raise NotImplementedError


class RosterTab(LazyTab):
    """人员 or 车辆: a table written through the door after every edit."""

    def __init__(self, controller: DatasetController, fields: tuple, to_cells: Callable[[object], list[str]],
                 check: Callable[[dict[str, object]], object], kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller, self.fields, self.to_cells, self.check, self.kind = controller, fields, to_cells, check, kind
        self.book = BasicInfoBook(controller.dataset)
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("增加一行")
        self.remove_button = QPushButton("删除所选行")
        self.import_button = QPushButton("从 Excel 导入…")
        self.count_label = QLabel()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout.addLayout(buttons)
        note = "金额单位：元（基本工资、津贴补贴按月，奖金或绩效工资按年）；不保存身份证号。" if kind == "staff" else \
            "用途：一般公务用车 / 执法执勤用车 / 特种专业技术用车 / 其他用车；是否编制内：是 / 否。"
        layout.addWidget(QLabel(note))
        self.table = QTableWidget(0, len(fields))
        self.table.setObjectName(f"{kind}_table")
        self.table.setHorizontalHeaderLabels([title for _key, title, _kind in fields])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        layout.addWidget(self.table)
        self.pending_rows: set[int] = set()  # rows added but not yet valid: kept on screen, not written
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(lambda: self.import_excel())
        self.table.itemChanged.connect(self._edited)
        controller.book_changed.connect(self._stored_changed)
        controller.status_changed.connect(lambda _status: self._stored_changed())

    def stored(self) -> list:
        content = self.book.content()
        return content.staff if self.kind == "staff" else content.vehicles

    def refresh(self) -> None:
        records = self.stored()
        self.table.blockSignals(True)
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            for column, text in enumerate(self.to_cells(record)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.blockSignals(False)
        self.pending_rows.clear()
        editable = self.controller.dataset.editable
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable)
        self.import_button.setEnabled(editable)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if editable
                                   else QAbstractItemView.EditTrigger.NoEditTriggers)
        self.count_label.setText(f"共 {len(records)} {'人' if self.kind == 'staff' else '辆'}")

    def _stored_changed(self) -> None:
        if self.filled:
            self.refresh()

    def add_row(self) -> None:
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        for column in range(len(self.fields)):
            self.table.setItem(row, column, QTableWidgetItem(""))
        self.table.blockSignals(False)
        self.pending_rows.add(row)
        self.table.setCurrentCell(row, 0)

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        if not rows:
            return
        self.table.blockSignals(True)
        for row in rows:
            self.table.removeRow(row)
        self.table.blockSignals(False)
        self.pending_rows = set()
        self.write()

    def _row_values(self, row: int) -> dict[str, object]:
        values: dict[str, object] = {}
        for column, (key, _title, _kind) in enumerate(self.fields):
            item = self.table.item(row, column)
            values[key] = item.text() if item is not None else ""
        return values

    def _edited(self, item: QTableWidgetItem) -> None:
        row = item.row()
        values = self._row_values(row)
        if row in self.pending_rows:
            try:
                self.check(values)
            except InputError:
                return  # a new row is written once it holds a valid record (its 类别 / 用途 typed)
            self.pending_rows.discard(row)
        self.write()

    @property
    def what(self) -> str:
        return "人员" if self.kind == "staff" else "车辆"

    def import_excel(self, path: str | None = None) -> bool:
        """Replace the table with a workbook's (the template, or a pay sheet naming the same fields): every
        unreadable cell is named in the refusal and nothing is written."""
        # deferred: openpyxl loads with the first Excel import, not at start-up
        from app.exchange.excel.basic_sheets import read_staff, read_vehicles

        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, f"从 Excel 导入{self.what}", "",
                                                        "Excel 工作簿 (*.xlsx);;所有文件 (*)")
            if not path:
                return False
        try:
            records = read_staff(path) if self.kind == "staff" else read_vehicles(path)
        except BudgetDeskError as exc:
            show_refusal(self, f"从 Excel 导入{self.what}", f"{self.what}未导入：{exc}")
            return False
        return self.store_records(records, f"从 Excel 导入{self.what}")

    def write(self) -> None:
        records, rows = [], [row for row in range(self.table.rowCount()) if row not in self.pending_rows]
        for row in rows:
            try:
                records.append(self.check(self._row_values(row)))
            except InputError as exc:  # a typo needs no decision: the window's feedback line, no dialog
                say(self, f"{self.what}未保存：第 {row + 1} 行：{exc}")
                self.refresh()
                return
        self.store_records(records, f"修改{self.what}")

    def store_records(self, records: list, text: str) -> bool:
        """Write the whole table through the door as one undo step."""
        what = self.what
        try:
            before = self.book.content()
            if self.kind == "staff":
                self.book.replace_staff(records)
            else:
                self.book.replace_vehicles(records)
            after = self.book.content()
        except BudgetDeskError as exc:
            self.controller.write_refused(exc, f"{what}未保存：")
            self.refresh()
            return False
        self.controller.undo_stack.push(RosterCommand(self.controller, self.book, before, after, text))
        self.controller._book_written()  # the 测算 and the B01 提示 read the roster afresh
        if self.filled:
            self.refresh()
        return True


class EstimateTab(LazyTab):
    """基本支出测算: each economic code's 测算 beside the typed 基本支出表 figure, with its formula."""

    HEADERS = ["科目编码", "科目名称", "经费类型", "测算数", "填报数", "差额", "测算公式"]

    def __init__(self, controller: DatasetController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.estimate: Estimate | None = None
        layout = QVBoxLayout(self)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        layout.addWidget(self.source_label)
        buttons = QHBoxLayout()
        self.bring_button = QPushButton("一键带入基本支出表")
        self.follow_box = QCheckBox("保持跟随（人员、车辆改动后自动重新带入）")
        buttons.addWidget(self.bring_button)
        buttons.addWidget(self.follow_box)
        buttons.addStretch(1)
        self.print_button = QPushButton("打印测算表…")
        self.print_button.setObjectName("print_estimate_button")
        self.print_button.setToolTip("人员情况表、车辆情况表和基本支出测算表打印为 PDF（含页码），供签字")
        self.names_box = QCheckBox("含姓名名单")
        self.names_box.setToolTip("勾选后附人员名单（姓名）和车辆明细（号牌）；默认只打印按类别汇总的人数和车辆数")
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.names_box)
        layout.addLayout(buttons)
        self.print_job: Job | None = None
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("estimate_table")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        layout.addWidget(self.table)
        self.totals_label = QLabel()
        layout.addWidget(self.totals_label)
        self.bring_button.clicked.connect(self.bring_in)
        self.follow_box.toggled.connect(self._follow_toggled)
        self.print_button.clicked.connect(self.print_worksheets)
        controller.book_changed.connect(self._roster_changed)
        controller.values_changed.connect(self._values_changed)
        controller.status_changed.connect(lambda _status: self._values_changed({BASIC_FORM}))

    def following(self) -> bool:
        return following(self.controller.dataset)

    def print_worksheets(self) -> Job | None:
        """打印测算表…: a PDF path, then the worksheets rendered in a worker (progress dialog with 取消)."""
        if self.print_job is not None and self.print_job.running:
            return None
        self.print_job = print_worksheets(self, self.controller.dataset, names=self.names_box.isChecked())
        if self.print_job is not None:
            self.print_button.setEnabled(False)
            self.print_job.finished.connect(lambda: self.print_button.setEnabled(True))
        return self.print_job

    def refresh(self) -> None:
        dataset = self.controller.dataset
        try:
            self.estimate = estimate_dataset(dataset, load_standards())
        except InputError as exc:
            self.estimate = None
            self.source_label.setText(f"测算标准有误，无法测算：{exc}")
            self.table.setRowCount(0)
            return
        estimate = self.estimate
        standards = estimate.standards
        self.source_label.setText(
            f"测算标准：{standards.title}（来源：{standards.source}{'；文件 ' + standards.path if standards.path else ''}）。"
            f"在职 {estimate.staff_count} 人，离退休 {estimate.retired_count} 人，车辆 {estimate.vehicle_count} 辆；"
            f"单位类别：{estimate.unit_class}；金额单位：{dataset.money_unit}。")
        self.table.setRowCount(len(estimate.lines))
        for row, line in enumerate(estimate.lines):
            estimated = estimate.amount(line.code)
            typed = dataset.value(BASIC_FORM, line.code, line.column)
            difference = (typed or Decimal(0)) - estimated
            cells = [line.code, line.name, "人员经费" if line.column == "personnel" else "公用经费",
                     format_amount(estimated, grouping=True), format_amount(typed, grouping=True),
                     format_amount(difference, grouping=True), line.formula]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 3 <= column <= 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(line.formula)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.totals_label.setText(f"测算合计：人员经费 {format_amount(estimate.total('personnel'), grouping=True)}，"
                                  f"公用经费 {format_amount(estimate.total('public'), grouping=True)}"
                                  f"（{dataset.money_unit}）")
        editable = dataset.editable
        self.bring_button.setEnabled(editable and bool(estimate.lines))
        self.follow_box.blockSignals(True)
        self.follow_box.setChecked(self.following())
        self.follow_box.setEnabled(editable)
        self.follow_box.blockSignals(False)

    def bring_in(self) -> bool:
        """一键带入: the 测算 into the 基本支出表 (and 公务用车运行维护费 into the 三公 table), one undo step."""
        if self.estimate is None:
            return False
        cells = [change for change in self.estimate.changes()
                 if self.controller.dataset.value(change.form, change.row, change.column) != change.value]
        try:
            for change in cells:
                self.controller.dataset.workbook.check_settable(change.form, change.row, change.column)
        except BudgetDeskError as exc:
            self.controller.write_refused(exc, "测算未带入：")
            return False
        written = self.controller.set_cells(cells, "一键带入基本支出测算", source=ESTIMATE_SOURCE)
        self.refresh()
        return written

    def _follow_toggled(self, on: bool) -> None:
        try:
            self.controller.dataset.set_note(FOLLOW_NOTE, "1" if on else None, source="保持跟随")
        except BudgetDeskError as exc:
            self.controller.write_refused(exc)
            self.refresh()
            return
        if on:
            self.bring_in()

    def _roster_changed(self) -> None:
        following = self.controller.dataset.editable and self.following()
        if not self.filled and not following:
            return  # filled when first shown
        self.filled = True  # 保持跟随 holds whether or not the tab was ever shown
        self.refresh()
        if following:
            # after the roster's own step is on the stack (or its undo has finished): a step is never
            # pushed from inside another's undo
            QTimer.singleShot(0, self, self._bring_in_if_following)

    def _bring_in_if_following(self) -> None:
        if self.controller.dataset.editable and self.following():
            self.refresh()
            self.bring_in()

    def _values_changed(self, forms: set) -> None:
        if self.filled and BASIC_FORM in forms:
            self.refresh()


def add_basic_tabs(window, controller: DatasetController) -> None:
    """人员, 车辆 and 基本支出测算, after 单位信息 (called from ui/window/main_window.py), each built when first
    shown (``window.staff_tab``, ``window.vehicles_tab``, ``window.estimate_tab``). A roster tab builds the 测算 tab
    with it: the 测算 tab applies 保持跟随 when the roster changes, and the roster tabs are where it changes."""

    def roster(fields, cells, check, kind: str) -> RosterTab:
        window.estimate_tab  # noqa: B018 - built for its 保持跟随 listener
        return RosterTab(controller, fields, cells, check, kind, window)  # type: ignore[arg-type]

    window.pages.add(window.tabs, "staff", "人员", lambda: roster(STAFF_FIELDS, _staff_cells, check_staff, "staff"),
                     "tab_staff")
    window.pages.add(window.tabs, "vehicles", "车辆",
                     lambda: roster(VEHICLE_FIELDS, _vehicle_cells, check_vehicle, "vehicles"), "tab_vehicles")
    window.pages.add(window.tabs, "estimate", "基本支出测算", lambda: EstimateTab(controller, window), "tab_estimate")
