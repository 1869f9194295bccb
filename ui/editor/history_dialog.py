"""修改记录: the audit trail of the open dataset, for one cell or the whole dataset (filter by 表, 来源, time)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.forms import all_forms
from app.store.audit import SOURCES, history
from app.store.work import describe_note

COLUMNS = ("时间", "操作人", "填表人", "来源", "位置", "原值", "新值")
OTHER_PLACES = (("project", "项目与绩效目标"), ("note", "说明与情况说明"), ("status", "预算状态"))


class HistoryDialog(QDialog):
    """A read-only list; ``cell=(form, row, column)`` shows that cell's history only."""

    def __init__(self, dataset, parent: QWidget | None = None, *, cell: tuple[str, str, str] | None = None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.cell = cell
        self.setWindowTitle("修改记录" + (f" — {dataset.describe_cell(*cell)}" if cell else ""))
        self.resize(980, 520)
        layout = QVBoxLayout(self)
        self.filter_bar = QWidget(self)  # a cell's own history needs no filters: then it stays hidden
        filters = QHBoxLayout(self.filter_bar)
        filters.setContentsMargins(0, 0, 0, 0)
        self.form_filter = QComboBox(self)
        self.form_filter.addItem("全部表", None)
        for form in all_forms():
            self.form_filter.addItem(form.short_title or form.title, form.id)
        for key, label in OTHER_PLACES:
            self.form_filter.addItem(label, key)
        self.source_filter = QComboBox(self)
        self.source_filter.addItem("全部来源", None)
        for source in SOURCES:
            self.source_filter.addItem(source, source)
        self.since = QDateEdit(self)
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.setSpecialValueText("不限")
        self.since.setMinimumDate(QDate(2000, 1, 1))
        self.since.setDate(self.since.minimumDate())
        for label, widget in (("表：", self.form_filter), ("来源：", self.source_filter), ("起始日期：", self.since)):
            filters.addWidget(QLabel(label, self))
            filters.addWidget(widget)
        filters.addStretch(1)
        if cell is None:
            layout.addWidget(self.filter_bar)
        else:
            self.filter_bar.hide()
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.summary = QLabel(self)
        layout.addWidget(self.summary)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for signal in (self.form_filter.currentIndexChanged, self.source_filter.currentIndexChanged,
                       self.since.dateChanged):
            signal.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        filters: dict = {}
        if self.cell is not None:
            filters.update(form=self.cell[0], row=self.cell[1], column=self.cell[2])
        else:
            if self.form_filter.currentData() is not None:
                filters["form"] = self.form_filter.currentData()
            if self.source_filter.currentData() is not None:
                filters["source"] = self.source_filter.currentData()
            if self.since.date() > self.since.minimumDate():
                local = datetime.combine(self.since.date().toPython(), time.min).astimezone()
                filters["since"] = local.astimezone(UTC).replace(tzinfo=None)
        records = history(self.dataset.store, self.dataset.unit_code, self.dataset.year, **filters)
        records.reverse()  # newest first, as people read a log
        self.table.setRowCount(len(records))
        for line, record in enumerate(records):
            # a note's place is named afresh: records written before places had words read “N01:performance”
            place = describe_note(record.row) if record.form == "note" and record.row else record.place
            texts = (record.time, record.user, record.preparer, record.source, place,
                     "（空）" if record.old is None else record.old, "（空）" if record.new is None else record.new)
            for column, value in enumerate(texts):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if column in (5, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(line, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.summary.setText(f"共 {len(records)} 条修改记录。")
