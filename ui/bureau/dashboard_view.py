"""财政局 进度 tab: the completeness dashboard (``app.bureau.dashboard``) as a counts table per 部门 and in
total, a stacked bar chart drawn here with QPainter (已上报 / 已退回 / 未上报 per 部门, with a legend), and
each unit's line (审核, 未说明提示, empty tables with their 空表说明, 退回原因).

``add_bureau_tabs(window)`` puts the 财政局 window's overview into a tab beside 进度 and 筛查.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.bureau.dashboard import COLUMNS, Counts, Dashboard, dashboard
from ui.bureau.progress_heading import CountingHeading
from ui.bureau.screening_view import ScreeningView
from ui.common.jobs import quiet, run_job
from ui.common.style import ERROR_QCOLOR

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
# 已上报 / 已退回 / 未上报: the bar segments and the legend, in this order.
SEGMENTS = [("submitted", "已上报", QColor(46, 139, 87)), ("returned", "已退回", QColor(214, 96, 40)),
            ("not_submitted", "未上报", QColor(176, 176, 176))]


def _item(text: str, align=None, color: QColor | None = None, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if align is not None:
        item.setTextAlignment(align)
    if color is not None:
        item.setForeground(color)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


class ProgressChart(QWidget):
    """One horizontal stacked bar per 部门 (and one for the total), scaled to the largest 应报."""

    ROW = 26
    BAR = 16
    MARGIN = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progress_chart")
        self.rows: list[Counts] = []
        self.painted = 0  # paint events completed (tests: the chart drew)
        self.setMinimumSize(320, 120)

    def set_counts(self, rows: list[Counts]) -> None:
        self.rows = list(rows)
        self.setMinimumHeight(self._height())
        self.updateGeometry()
        self.update()

    def _height(self) -> int:
        return 2 * self.MARGIN + self.ROW * (len(self.rows) + 1) + 8

    def sizeHint(self) -> QSize:
        return QSize(520, max(160, self._height()))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.fillRect(self.rect(), self.palette().base())
            metrics = QFontMetrics(self.font())
            # Legend along the top.
            x = self.MARGIN
            y = self.MARGIN
            for _key, title, color in SEGMENTS:
                painter.fillRect(QRectF(x, y + 3, 12, 12), color)
                painter.setPen(self.palette().text().color())
                painter.drawText(int(x + 16), int(y + 3 + metrics.ascent() - 1), title)
                x += 16 + metrics.horizontalAdvance(title) + 18
            if not self.rows:
                painter.drawText(self.MARGIN, y + self.ROW + metrics.ascent(), "没有单位")
                return
            label_width = min(max(metrics.horizontalAdvance(row.name or row.code) for row in self.rows) + 12,
                              self.width() // 3)
            count_width = metrics.horizontalAdvance("000/000") + 12
            bar_left = self.MARGIN + label_width
            bar_room = max(20, self.width() - bar_left - count_width - self.MARGIN)
            largest = max(row.expected for row in self.rows) or 1
            for number, row in enumerate(self.rows):
                top = self.MARGIN + self.ROW * (number + 1)
                painter.setPen(self.palette().text().color())
                label = metrics.elidedText(row.name or row.code, Qt.TextElideMode.ElideRight, label_width - 8)
                painter.drawText(self.MARGIN, int(top + (self.BAR + metrics.ascent()) / 2), label)
                left = float(bar_left)
                for key, _title, color in SEGMENTS:
                    width = bar_room * getattr(row, key) / largest
                    if width > 0:
                        painter.fillRect(QRectF(left, top, width, self.BAR), color)
                        left += width
                painter.setPen(QPen(self.palette().mid().color()))
                painter.drawRect(QRectF(bar_left, top, bar_room * row.expected / largest, self.BAR))
                painter.setPen(self.palette().text().color())
                painter.drawText(int(bar_left + bar_room + 6), int(top + (self.BAR + metrics.ascent()) / 2),
                                 f"{row.submitted}/{row.expected}")
        finally:
            painter.end()
        self.painted += 1


COUNT_HEADERS = ["部门编码", "部门"] + [title for _key, title in COLUMNS]
UNIT_HEADERS = ["单位编码", "单位名称", "部门", "状态", "错误", "未说明提示", "空表（空表说明）", "退回原因"]


class DashboardView(QWidget):
    """进度: counts per 部门 and in total, the chart, and each unit's line."""

    def __init__(self, store, year: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard_view")
        self.store = store
        self.year = year
        self.board: Dashboard | None = None
        self.job = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel("", self)
        self.heading.setObjectName("dashboard_heading")
        self.counting = CountingHeading(self.heading)
        top.addWidget(self.heading, 1)
        self.refresh_button = QPushButton("刷新", self)
        self.refresh_button.setObjectName("dashboard_refresh")
        self.refresh_button.clicked.connect(lambda: self.refresh())
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        upper = QSplitter(Qt.Orientation.Horizontal, splitter)
        self.counts = QTableWidget(0, len(COUNT_HEADERS), upper)
        self.counts.setObjectName("dashboard_counts")
        self.counts.setHorizontalHeaderLabels(COUNT_HEADERS)
        self.counts.verticalHeader().setVisible(False)
        self.counts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The chart is as tall as its 部门 need; it scrolls instead of making the window that tall.
        self.chart_scroll = QScrollArea(upper)
        self.chart_scroll.setObjectName("progress_chart_scroll")
        self.chart_scroll.setWidgetResizable(True)
        self.chart = ProgressChart()
        self.chart_scroll.setWidget(self.chart)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        self.units = QTableWidget(0, len(UNIT_HEADERS), splitter)
        self.units.setObjectName("dashboard_units")
        self.units.setHorizontalHeaderLabels(UNIT_HEADERS)
        self.units.verticalHeader().setVisible(False)
        self.units.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.units.setWordWrap(True)
        self.units.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.units.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

    def refresh(self) -> None:
        """Work the dashboard out again (the rules run on every dataset held: off the GUI thread)."""
        store, year = self.store, self.year()
        self.job = run_job(self, "统计上报进度", lambda progress: dashboard(store, year, progress=quiet(progress)),
                           self.show_board)
        self.counting.follow(self.job, f"{year} 年度上报进度：正在统计", f"{year} 年度上报进度：未统计（点“刷新”统计）")

    def show_board(self, board: Dashboard) -> None:
        self.board = board
        rows = [*board.departments, board.total]
        # Emptied first: replacing an item of a column that resizes to its contents measures the whole
        # column again, each time (seconds for a few hundred rows); filling empty rows does not.
        self.counts.setRowCount(0)
        self.units.setRowCount(0)
        self.counts.setRowCount(len(rows))
        for number, counts in enumerate(rows):
            total = counts is board.total
            cells = [_item(counts.code, bold=total), _item(counts.name, bold=total)]
            cells += [_item(str(getattr(counts, key)), RIGHT,
                            ERROR_QCOLOR if key == "returned" and counts.returned else None, total)
                      for key, _title in COLUMNS]
            for column, cell in enumerate(cells):
                self.counts.setItem(number, column, cell)
        self.chart.set_counts(board.departments if len(board.departments) > 1 else rows[:1])
        self.units.setRowCount(len(board.units))
        for number, unit in enumerate(board.units):
            empty = "\n".join(f"《{table.title}》{table.note}" for table in unit.empty_tables)
            cells = [_item(unit.unit_code), _item(unit.unit_name), _item(unit.department_name),
                     _item(unit.state_name, color=ERROR_QCOLOR if unit.state == "returned" else None),
                     _item("" if unit.errors is None else str(unit.errors), RIGHT, ERROR_QCOLOR if unit.errors else None),
                     _item("" if unit.unexplained is None else str(unit.unexplained), RIGHT),
                     _item(empty if unit.has_dataset else "（未收到数据）"), _item(unit.return_reason)]
            for column, cell in enumerate(cells):
                self.units.setItem(number, column, cell)
        self.units.resizeRowsToContents()
        total = board.total
        self.heading.setText(f"{board.year} 年度：应报 {total.expected} 个单位，已上报 {total.submitted} 个，"
                             f"已退回 {total.returned} 个，未上报 {total.not_submitted} 个；审核通过 {total.passed} 个，"
                             f"有未说明提示 {total.with_warnings} 个，有空表 {total.with_empty} 个")


def add_bureau_tabs(window) -> QTabWidget:
    """Put the 财政局 window's central widget (the overview) into a tab beside 进度 and 筛查.

    进度 is worked out again each time its tab is shown (and on 刷新); 筛查 when first shown, when
    the year changes while it is shown, and on its 筛查 button."""
    overview = window.takeCentralWidget()
    tabs = QTabWidget(window)
    tabs.setObjectName("bureau_tabs")
    tabs.addTab(overview, "单位概览")
    window.progress_view = DashboardView(window.store, window.year.value, tabs)
    window.screening_view = ScreeningView(window.store, window.year.value, tabs)
    tabs.addTab(window.progress_view, "进度")
    tabs.addTab(window.screening_view, "筛查")
    window.setCentralWidget(tabs)
    window.bureau_tabs = tabs

    def shown(_index: int = 0) -> None:
        current = tabs.currentWidget()
        if current is window.progress_view:
            window.progress_view.refresh()
        elif current is window.screening_view and (window.screening_view.result is None
                                                   or window.screening_view.result.year != window.year.value()):
            window.screening_view.run()

    tabs.currentChanged.connect(shown)
    window.year.valueChanged.connect(lambda _value: shown())
    return tabs


__all__ = ["DashboardView", "ProgressChart", "SEGMENTS", "add_bureau_tabs"]
