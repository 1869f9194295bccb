"""财政局 筛查 tab: ``app.bureau.screening`` in the window — the outliers to follow up (unit, 指标, 本年,
上年/中位数, 偏离, 阈值, 跟进) and every unit's growth and shares (model/view, ``ui.bureau.screening_models``),
with 打印为 PDF… and 导出 Excel…. Screening and printing run off the GUI thread (``ui.common.jobs.run_job``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import Cancelled
from app.bureau.screening import PEERS, ScreeningResult, load_config, print_screening, screen
from ui.bureau.exports import export_screening_excel, file_status_label, print_to_pdf
from ui.bureau.progress_heading import CountingHeading
from ui.bureau.screening_models import ROWS_SIZED_TO_TEXT, OutlierModel, ScreeningTable, UnitMeasuresModel
from ui.common.jobs import quiet, run_job


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
        self.outlier_model = OutlierModel(self)
        self.outliers = ScreeningTable("screening_outliers", self.outlier_model, splitter)
        self.unit_model = UnitMeasuresModel(self)
        self.units = ScreeningTable("screening_units", self.unit_model, splitter)
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
        self.outlier_model.set_result(result)
        self.outliers.size_columns()
        self.outliers.fit_rows(len(result.outliers) <= ROWS_SIZED_TO_TEXT)
        self.unit_model.set_result(result)
        self.units.size_columns()
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
