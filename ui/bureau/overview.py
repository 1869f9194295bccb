"""The 单位概览 list: units × the year as a Qt model/view, with sort, a filter bar and 刷新.

``OverviewModel`` holds the ``OverviewRow``s and is updated from what changed: rows are matched by
(unit_code, year), so a refresh after an import, a 退回 or a 登记密钥 emits ``dataChanged`` for the rows that
differ and inserts or removes the others, never a reset — the view repaints a few rows, and the selection and
current row (persistent indexes) stay where they were.
The model sorts itself by each column's value (``SORT_ROLE``: Decimal amounts and int counts, exact; empty
last), once per sort or refresh; ``OverviewFilter`` filters by text, 状态, 部门 and 有错误 / 有提示 / 未上报.
Column widths are fixed once from a sample of rows: sizing to the contents of every row is what froze the
window for about two minutes at 500 units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.base.money import format_amount
from app.bureau.standing import OverviewRow, TotalsMemo
from app.domain.records import STATUS_NAMES
from ui.common.style import ERROR_QCOLOR

OVERVIEW_COLUMNS = ["单位编码", "单位名称", "上级单位", "状态", "接收时间（UTC）", "错误", "提示", "密钥指纹",
                    "总计", "基本支出", "项目支出", "金额单位", "退回原因"]
STATUS_COLUMN, ERRORS_COLUMN = 3, 5
RIGHT_ALIGNED = frozenset({5, 6, 8, 9, 10})  # counts and amounts
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the value a column sorts by: Decimal amounts, int counts, text
SAMPLE_ROWS = 60  # rows measured to size the columns once
WIDEST_COLUMN = 320
RETURNED_NAME = "已退回"

# 有错误 / 有提示 / 未上报: the officer's "what needs me" choice
PROBLEM_CHOICES = [("全部单位", ""), ("有错误", "errors"), ("有提示", "warnings"), ("未上报", "unsent")]


def row_key(row: OverviewRow) -> tuple[str, int]:
    return row.unit_code, row.year


@dataclass(frozen=True)
class _Shown:
    """One row as the view shows it and sorts it, worked out once per change rather than per paint."""

    texts: tuple[str, ...]
    keys: tuple[Any, ...]  # per column: str, int or Decimal (exact), None when empty

    @classmethod
    def of(cls, row: OverviewRow) -> _Shown:
        received = row.received_at.strftime("%Y-%m-%d %H:%M") if row.received_at else "未接收"
        texts = (row.unit_code, row.unit_name, row.parent_code or "", row.status_name, received,
                 "" if row.errors is None else str(row.errors), "" if row.warnings is None else str(row.warnings),
                 row.fingerprint, format_amount(row.total, grouping=True), format_amount(row.basic, grouping=True),
                 format_amount(row.project, grouping=True), row.money_unit, row.returned)
        keys = (row.unit_code, row.unit_name, row.parent_code or "", row.status_name,
                row.received_at.isoformat() if row.received_at else None,
                row.errors, row.warnings, row.fingerprint, row.total, row.basic, row.project, row.money_unit,
                row.returned)
        return cls(texts, keys)


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Ascending positions as (first, last) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and runs[-1][1] == position - 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


class OverviewModel(QAbstractTableModel):
    """Units × the year, one row per ``OverviewRow``; ``set_rows`` applies only what changed."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[OverviewRow] = []  # in the order shown before filtering (the sort chosen)
        self.as_read: list[OverviewRow] = []  # as overview() read them: by unit code
        self._shown: list[_Shown] = []
        self.sort_column, self.sort_order = -1, Qt.SortOrder.AscendingOrder
        self._error_brush = QBrush(ERROR_QCOLOR)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(OVERVIEW_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return OVERVIEW_COLUMNS[section]
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        shown, column = self._shown[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return shown.texts[column]
        if role == SORT_ROLE:
            return shown.keys[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column in RIGHT_ALIGNED else None
        if role == Qt.ItemDataRole.ForegroundRole:
            row = self.rows[index.row()]
            if column == STATUS_COLUMN and row.returned and row.status == "draft":
                return self._error_brush
            if column == ERRORS_COLUMN and row.errors:
                return self._error_brush
        return None

    def set_rows(self, rows: list[OverviewRow]) -> None:
        """Show ``rows``: remove the units gone, update the rows that differ, add the new ones, then put
        them in the order of the sort chosen (a layout change: selections and the current row follow)."""
        new_keys = [row_key(row) for row in rows]
        wanted = dict(zip(new_keys, rows, strict=True))
        if len(wanted) != len(rows):  # not one row per unit and year: nothing to match rows by
            self._reset(rows)
            return
        self.as_read = list(rows)
        gone = [position for position, row in enumerate(self.rows) if row_key(row) not in wanted]
        for first, last in reversed(_runs(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self.rows[first:last + 1]
            del self._shown[first:last + 1]
            self.endRemoveRows()
        changed = []
        for position, row in enumerate(self.rows):
            new = wanted[row_key(row)]
            if new != row:
                self.rows[position], self._shown[position] = new, _Shown.of(new)
                changed.append(position)
        last_column = len(OVERVIEW_COLUMNS) - 1
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))
        kept = {row_key(row) for row in self.rows}
        added = [row for row in rows if row_key(row) not in kept]
        if added:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(added) - 1)
            self.rows.extend(added)
            self._shown.extend(_Shown.of(row) for row in added)
            self.endInsertRows()
        self._put_in_order()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self._put_in_order()

    def _order(self) -> list[int]:
        """Positions of ``self.rows`` in the order to show: as read (by unit code), or by the sort key of the
        chosen column, ties as read; empty values last either way."""
        read = {row_key(row): number for number, row in enumerate(self.as_read)}
        places = [read.get(row_key(row), 0) for row in self.rows]
        as_read = sorted(range(len(self.rows)), key=places.__getitem__)
        if self.sort_column < 0:
            return as_read
        column = self.sort_column
        present = [position for position in as_read if self._shown[position].keys[column] is not None]
        empty = [position for position in as_read if self._shown[position].keys[column] is None]
        present.sort(key=lambda position: self._shown[position].keys[column],
                     reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
        return present + empty

    def _put_in_order(self) -> None:
        order = self._order()
        if order == list(range(len(self.rows))):
            return
        self.layoutAboutToBeChanged.emit()
        moved_to = {old: new for new, old in enumerate(order)}
        persistent = self.persistentIndexList()
        self.rows = [self.rows[position] for position in order]
        self._shown = [self._shown[position] for position in order]
        self.changePersistentIndexList(persistent, [self.index(moved_to[index.row()], index.column())
                                                    for index in persistent])
        self.layoutChanged.emit()

    def _reset(self, rows: list[OverviewRow]) -> None:
        self.beginResetModel()
        self.as_read = list(rows)
        self.rows = list(rows)
        self._shown = [_Shown.of(row) for row in self.rows]
        self.endResetModel()
        self._put_in_order()


class OverviewFilter(QSortFilterProxyModel):
    """Keeps the rows that match the text, 状态, 部门 and problem chosen; sorting is the model's."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(True)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """The model sorts itself, once, by precomputed keys: the proxy's own sort would call back into
        Python for every comparison and every row a refresh or a cleared filter brings back."""
        self.sourceModel().sort(column, order)
        self.text = ""
        self.status_name = ""
        self.department = ""
        self.problem = ""

    def set_filter(self, *, text: str | None = None, status_name: str | None = None, department: str | None = None,
                   problem: str | None = None) -> None:
        self.text = self.text if text is None else text.strip().casefold()
        self.status_name = self.status_name if status_name is None else status_name
        self.department = self.department if department is None else department
        self.problem = self.problem if problem is None else problem
        self.invalidateFilter()

    def filtering(self) -> bool:
        return bool(self.text or self.status_name or self.department or self.problem)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        row = self.sourceModel().rows[source_row]
        if self.text and self.text not in row.unit_code.casefold() and self.text not in row.unit_name.casefold():
            return False
        if self.status_name and row.status_name != self.status_name:
            return False
        if self.department and self.department not in (row.parent_code, row.unit_code):
            return False  # a 部门 shows its 本级 and its 所属单位
        if self.problem == "errors":
            return bool(row.errors)
        if self.problem == "warnings":
            return bool(row.warnings)
        if self.problem == "unsent":
            return row.status != "submitted"
        return True


@dataclass(frozen=True)
class _CellText:
    text_: str

    def text(self) -> str:
        return self.text_


class OverviewTable(QTableView):
    """The list's view. ``rowCount``/``item``/``currentRow``/``setCurrentCell`` read it as the window's
    former QTableWidget was read (in shown order), so the tree, the tests and the screenshot tools keep one way in."""

    def __init__(self, proxy: OverviewFilter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proxy = proxy
        self.setObjectName("overview_table")
        self.setModel(proxy)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # as read (by unit code) until a header is clicked
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        # one line per row and no height measured per row: the rows are all alike
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.sized = False

    def size_columns(self, rows: list[OverviewRow]) -> None:
        """Fixed widths, once, from the headings and a sample of rows (never every row's contents)."""
        metrics, header = self.fontMetrics(), self.horizontalHeader()
        sample = [_Shown.of(row).texts for row in rows[:SAMPLE_ROWS]]
        for column, title in enumerate(OVERVIEW_COLUMNS):
            widest = max([header.fontMetrics().horizontalAdvance(title) + 28]
                         + [metrics.horizontalAdvance(texts[column]) + 16 for texts in sample])
            header.resizeSection(column, min(widest, WIDEST_COLUMN))
        self.sized = bool(rows)

    def overview_row(self, shown_row: int) -> OverviewRow | None:
        """The unit on a shown line (after sort and filter)."""
        if not 0 <= shown_row < self.proxy.rowCount():
            return None
        return self.proxy.sourceModel().rows[self.proxy.mapToSource(self.proxy.index(shown_row, 0)).row()]

    def current_overview_row(self) -> OverviewRow | None:
        return self.overview_row(self.currentIndex().row()) if self.currentIndex().isValid() else None

    def selected_overview_rows(self) -> list[OverviewRow]:
        lines = sorted({index.row() for index in self.selectionModel().selectedRows()})
        return [row for row in (self.overview_row(line) for line in lines) if row is not None]

    def select_unit(self, unit_code: str) -> int | None:
        """Make the unit's line current and selected; its shown line, or None when it is not shown."""
        line = next((line for line in range(self.proxy.rowCount())
                     if self.proxy.index(line, 0).data() == unit_code), None)
        if line is not None and self.currentIndex().row() != line:
            self.setCurrentIndex(self.proxy.index(line, 0))
        return line

    # the QTableWidget-shaped reading (shown order)
    def rowCount(self) -> int:
        return self.proxy.rowCount()

    def item(self, row: int, column: int) -> _CellText | None:
        index = self.proxy.index(row, column)
        return _CellText(index.data()) if index.isValid() else None

    def currentRow(self) -> int:
        return self.currentIndex().row() if self.currentIndex().isValid() else -1

    def setCurrentCell(self, row: int, column: int) -> None:
        self.setCurrentIndex(self.proxy.index(row, column))


class OverviewPanel(QWidget):
    """The filter bar (text, 状态, 部门, 有错误/有提示/未上报, 刷新) above the list; the status bar's count."""

    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = OverviewModel(self)
        self.totals_memo = TotalsMemo()  # the window's refresh works out only the datasets written since
        self.proxy = OverviewFilter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.text_filter = QLineEdit(self)
        self.text_filter.setObjectName("overview_filter_text")
        self.text_filter.setPlaceholderText("按单位编码或名称筛选")
        self.text_filter.setClearButtonEnabled(True)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("overview_filter_status")
        self.status_filter.addItem("全部状态", "")
        for name in [*STATUS_NAMES.values(), RETURNED_NAME]:
            self.status_filter.addItem(name, name)
        self.department_filter = QComboBox(self)
        self.department_filter.setObjectName("overview_filter_department")
        self.department_filter.addItem("全部部门", "")
        self.department_filter.setMinimumContentsLength(12)
        self.department_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.problem_filter = QComboBox(self)
        self.problem_filter.setObjectName("overview_filter_problem")
        for title, value in PROBLEM_CHOICES:
            self.problem_filter.addItem(title, value)
        self.clear_button = QPushButton("清除筛选", self)
        self.clear_button.setObjectName("overview_filter_clear")
        self.refresh_button = QPushButton("刷新", self)
        self.refresh_button.setObjectName("overview_refresh")
        self.refresh_button.setToolTip("重新读取数据库（其他人的导入、退回等也会显示）")
        bar.addWidget(QLabel("筛选：", self))
        bar.addWidget(self.text_filter, 2)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.department_filter, 1)
        bar.addWidget(self.problem_filter)
        bar.addWidget(self.clear_button)
        bar.addStretch(0)
        bar.addWidget(self.refresh_button)
        layout.addLayout(bar)
        self.table = OverviewTable(self.proxy, self)
        layout.addWidget(self.table, 1)
        self.summary_label: QLabel | None = None
        self.summary_parts = ("", "")  # (before, after) the count: the year, and what the window adds

        self.text_filter.textChanged.connect(lambda text: self.filter(text=text))
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self.filter(status_name=self.status_filter.currentData()))
        self.department_filter.currentIndexChanged.connect(
            lambda _i: self.filter(department=self.department_filter.currentData() or ""))
        self.problem_filter.currentIndexChanged.connect(
            lambda _i: self.filter(problem=self.problem_filter.currentData()))
        self.clear_button.clicked.connect(lambda: self.clear_filters())
        self.refresh_button.clicked.connect(lambda: self.refresh_requested.emit())
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(lambda *_args: self.show_summary())

    @property
    def rows(self) -> list[OverviewRow]:
        return self.model.as_read

    def show_rows(self, rows: list[OverviewRow]) -> None:
        self.model.set_rows(rows)
        self._offer_departments(rows)
        if not self.table.sized and rows:
            self.table.size_columns(rows)
        self.show_summary()

    def _offer_departments(self, rows: list[OverviewRow]) -> None:
        names = {row.unit_code: row.unit_name for row in rows}
        departments = sorted({row.parent_code for row in rows if row.parent_code})
        offered = [self.department_filter.itemData(number) for number in range(1, self.department_filter.count())]
        if offered == departments:
            return
        chosen = self.department_filter.currentData()
        self.department_filter.blockSignals(True)  # the choice is put back below; no filter pass per item
        self.department_filter.clear()
        self.department_filter.addItem("全部部门", "")
        for code in departments:
            self.department_filter.addItem(f"{code} {names.get(code, '')}".strip(), code)
        found = self.department_filter.findData(chosen) if chosen else 0
        self.department_filter.setCurrentIndex(max(found, 0))
        self.department_filter.blockSignals(False)
        if chosen and found < 0:  # the 部门 chosen has no units this time
            self.filter(department="")

    def filter(self, **choice: str) -> None:
        self.proxy.set_filter(**choice)
        self.show_summary()

    def clear_filters(self) -> None:
        for combo in (self.status_filter, self.department_filter, self.problem_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.text_filter.blockSignals(True)
        self.text_filter.clear()
        self.text_filter.blockSignals(False)
        self.filter(text="", status_name="", department="", problem="")

    def select_unit(self, unit_code: str) -> int | None:
        """Make the unit the list's current row, clearing the filter when it hides the unit (the toolbar's
        查看/退回 act on the current row: never leave another unit there); its shown line, or None."""
        line = self.table.select_unit(unit_code)
        if line is None and self.proxy.filtering() and any(row.unit_code == unit_code for row in self.model.rows):
            self.clear_filters()
            line = self.table.select_unit(unit_code)
        return line

    def count_text(self) -> str:
        total = self.model.rowCount()
        if self.proxy.filtering():
            return f"显示 {self.proxy.rowCount()} / 共 {total} 个单位"
        return f"{total} 个单位"

    def show_summary(self) -> None:
        if self.summary_label is not None:
            before, after = self.summary_parts
            self.summary_label.setText(f"{before}{self.count_text()}{after}")
