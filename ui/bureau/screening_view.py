"""财政局 筛查 tab: ``app.bureau.screening`` in the window — the outliers to follow up (unit, 指标, 本年,
上年/中位数, 偏离, 阈值, 跟进) and every unit's growth and shares, with 打印为 PDF… and 导出 Excel…. Screening and
printing run off the GUI thread (``ui.common.jobs.run_job``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import Cancelled
from app.bureau.screening import PEERS, ScreeningResult, load_config, percent_text, print_screening, screen
from app.domain.quantities import quantity_def
from ui.bureau.exports import export_screening_excel, file_status_label, print_to_pdf
from ui.bureau.progress_heading import CountingHeading
from ui.common.jobs import quiet, run_job
from ui.common.style import ERROR_QCOLOR

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
# Up to this many outliers each row grows to its wrapped 跟进 text; beyond, rows keep one line (the full
# text is the cell's tooltip): measuring 1,700 wrapped rows froze the window for a second.
ROWS_SIZED_TO_TEXT = 200
READ_ONLY = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
OUTLIER_HEADERS = ["单位编码", "单位名称", "部门", "指标", "本年", "上年/中位数", "偏离", "阈值", "跟进"]


def _item(text: str, align=None, color=None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(READ_ONLY)
    if align is not None:
        item.setTextAlignment(align)
    if color is not None:
        item.setForeground(color)
    return item


def _table(name: str, headers: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setResizeContentsPrecision(ROWS_SIZED_TO_TEXT)  # columns sized on the first rows
    return table


class ScreeningView(QWidget):
    def __init__(self, store, year: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screening_view")
        self.store = store
        self.year = year
        self.result: ScreeningResult | None = None
        self.job = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("同组：", self))
        self.peers = QComboBox(self)
        self.peers.setObjectName("screening_peers")
        for key, title in PEERS.items():
            self.peers.addItem(title, key)
        top.addWidget(self.peers)
        self.run_button = QPushButton("筛查", self)
        self.run_button.setObjectName("screening_run")
        self.run_button.clicked.connect(lambda: self.run())
        top.addWidget(self.run_button)
        self.print_button = QPushButton("打印为 PDF…", self)
        self.print_button.setObjectName("screening_print")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(lambda: self.print_pdf())  # clicked(bool) must not fill path
        top.addWidget(self.print_button)
        self.excel_button = QPushButton("导出 Excel…", self)
        self.excel_button.setObjectName("screening_excel")
        self.excel_button.setEnabled(False)
        self.excel_button.clicked.connect(lambda: self.export_excel())
        top.addWidget(self.excel_button)
        self.summary = QLabel("", self)
        self.summary.setObjectName("screening_summary")
        self.counting = CountingHeading(self.summary)
        top.addWidget(self.summary, 1)
        self.file_status = file_status_label(self, "screening_file_status")
        top.addWidget(self.file_status, 1)
        layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.outliers = _table("screening_outliers", OUTLIER_HEADERS, splitter)
        self.outliers.horizontalHeader().setSectionResizeMode(8, QHeaderView.ResizeMode.Stretch)
        self.units = _table("screening_units", ["单位"], splitter)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

    def run(self) -> None:
        """Screen the year's units with the chosen peers (the threshold file is read again each time)."""
        store, year, peers = self.store, self.year(), self.peers.currentData()

        def work(progress):
            return screen(store, year, peers=peers, config=load_config(), progress=quiet(progress))

        self.job = run_job(self, "筛查", work, self.show_result, on_error=self._failed)
        self.counting.follow(self.job, f"{year} 年度：正在筛查", f"{year} 年度：未筛查（点“筛查”开始）")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):  # the heading says again what it said before (CountingHeading)
            return
        self.counting.before = "未能筛查（见提示）"  # also once the job has ended
        self.summary.setText(self.counting.before)
        QMessageBox.warning(self, "未能筛查", str(exc))

    def show_result(self, result: ScreeningResult) -> None:
        self.result = result
        # Emptied first: replacing items of columns that resize to their contents re-measures them each time.
        self.outliers.setRowCount(0)
        self.outliers.setRowCount(len(result.outliers))
        for number, o in enumerate(result.outliers):
            cells = [_item(o.unit_code), _item(o.unit_name), _item(o.department_name), _item(o.title),
                     _item(o.value_text, RIGHT), _item(o.reference_text, RIGHT), _item(o.deviation_text, RIGHT, ERROR_QCOLOR),
                     _item(o.threshold), _item(o.note)]
            cells[-1].setToolTip(o.note)
            for column, cell in enumerate(cells):
                self.outliers.setItem(number, column, cell)
        if len(result.outliers) <= ROWS_SIZED_TO_TEXT:
            self.outliers.resizeRowsToContents()
        config = result.config
        headers = (["单位编码", "单位名称", "部门", "上年数来源"]
                   + [f"{quantity_def(name).title}增长" for name in config.growth_quantities]
                   + [f"{share.title}（中位数）" for share in config.shares])
        self.units.clear()
        self.units.setRowCount(0)
        self.units.setColumnCount(len(headers))
        self.units.setHorizontalHeaderLabels(headers)
        self.units.setRowCount(len(result.units))
        flagged = {(o.unit_code, o.measure) for o in result.outliers}
        for number, unit in enumerate(result.units):
            cells = [_item(unit.unit_code), _item(unit.unit_name), _item(unit.department_name),
                     _item(unit.prior_source_name)]
            for name in config.growth_quantities:
                if name not in unit.prior:
                    text = "无上年数"
                elif unit.growth.get(name) is None:
                    text = "上年为0"
                else:
                    text = percent_text(unit.growth[name], signed=True)
                cells.append(_item(text, RIGHT, ERROR_QCOLOR if (unit.unit_code, name) in flagged else None))
            for share in config.shares:
                mine, middle = unit.shares.get(share.name), unit.medians.get(share.name)
                text = ("—" if mine is None else percent_text(mine)) + (
                    f"（{percent_text(middle)}）" if middle is not None else "（同组不足）")
                cells.append(_item(text, RIGHT, ERROR_QCOLOR if (unit.unit_code, share.name) in flagged else None))
            for column, cell in enumerate(cells):
                self.units.setItem(number, column, cell)
        self.print_button.setEnabled(True)
        self.excel_button.setEnabled(True)
        self.summary.setText(f"{result.year} 年度：筛查 {len(result.units)} 个单位（同组：{result.peers_name}），"
                             f"需跟进 {len(result.outliers)} 项")

    def print_pdf(self, path: str | None = None) -> None:
        result = self.result
        if result is None:
            return
        self.job = print_to_pdf(self, "打印筛查结果", f"{result.year}年度部门预算筛查结果.pdf",
                                lambda target, _progress: print_screening(result, target), self.file_status,
                                path) or self.job

    def export_excel(self, path: str | None = None) -> None:
        """The outliers and every unit's measures as an xlsx workbook (numbers, not text)."""
        if self.result is not None:
            self.job = export_screening_excel(self, self.result, self.file_status, path) or self.job


__all__ = ["ScreeningView"]
