"""财政局 mode: the units × year overview, importing packages, drill-down, 退回 and 汇总.

Everything here reads and writes through the Qt-free core (``app.bureau.intake``, ``app.bureau.consolidate``);
long work (a folder of packages, a 汇总, printing) runs in ``ui.common.jobs.run_job`` with progress and 取消.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.bureau.comments import default_return_name, write_return
from app.bureau.consolidate import Consolidation, consolidate, print_consolidation
from app.bureau.intake import BatchResult
from app.bureau.refusals import window_words
from app.bureau.standing import OverviewRow, check_returnable, overview, return_dataset
from app.domain.forms import all_forms
from app.exchange.package.trust import trust_key, trusted_keys
from app.exchange.signing import existing_fingerprint
from app.printing import build_document
from ui.bureau.comments import BureauCommentsPanel
from ui.bureau.dashboard_view import add_bureau_tabs
from ui.bureau.exports import export_consolidation_excel, file_status_label, open_unit_preview, print_to_pdf
from ui.bureau.folder_import import FolderImportPanel
from ui.bureau.form_table import FormViewTable
from ui.bureau.overview import OverviewPanel
from ui.bureau.package_import import import_package_interactive
from ui.bureau.tree import install_tree
from ui.common.jobs import quiet, run_job
from ui.common.scrolling_tabs import fit_on_screen
from ui.common.style import ERROR_QCOLOR

ERROR_COLOR = ERROR_QCOLOR  # one place for shared styles (ui/common/style.py)


class FormsView(QWidget):
    """Tabs of the nine official tables of a dataset or a 汇总, with 打印为 PDF… — and 导出 Excel… for a 汇总,
    打印预览… for a unit (``ui.bureau.exports``)."""

    def __init__(self, source, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.job = None
        self.preview = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel(heading, self)
        self.heading.setObjectName("forms_heading")
        top.addWidget(self.heading, 1)
        self.status = file_status_label(self, "forms_status")
        top.addWidget(self.status, 1)
        if isinstance(source, Consolidation):
            self.excel_button = QPushButton("导出 Excel…", self)
            self.excel_button.setObjectName("export_excel")
            self.excel_button.clicked.connect(lambda: self.export_excel())  # clicked(bool) must not fill path
            top.addWidget(self.excel_button)
        else:
            self.preview_button = QPushButton("打印预览…", self)
            self.preview_button.setObjectName("print_preview")
            self.preview_button.clicked.connect(lambda: self.print_preview())
            top.addWidget(self.preview_button)
        self.print_button = QPushButton("打印为 PDF…", self)
        self.print_button.setObjectName("print_pdf")
        # clicked(bool) would fill print_pdf's path with False: the button always asks where to save
        self.print_button.clicked.connect(lambda: self.print_pdf())
        top.addWidget(self.print_button)
        layout.addLayout(top)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("form_view_tabs")
        for form in all_forms():
            self.tabs.addTab(FormViewTable(source.view(form.id), self), form.short_title)
        layout.addWidget(self.tabs)

    def print_pdf(self, path: str | None = None) -> None:
        source = self.source
        if isinstance(source, Consolidation):
            def work(target: Path, progress) -> int:
                return print_consolidation(source, target, progress=progress)
        else:
            def work(target: Path, progress) -> int:
                return build_document(source, target, fingerprint=existing_fingerprint(source.unit.code),
                                      progress=progress).pages
        name = (f"{source.year}年{source.title}表.pdf" if isinstance(source, Consolidation)
                else f"{source.unit.code}_{source.unit.name}_{source.year}年部门预算.pdf")
        job = print_to_pdf(self, "打印为 PDF", name, work, self.status, path)
        self.job = job or self.job

    def export_excel(self, path: str | None = None) -> None:
        """汇总 only: the same workbook as ``budgetdesk consolidate --out``."""
        self.job = export_consolidation_excel(self, self.source, self.status, path) or self.job

    def print_preview(self):
        """A unit only: its printed pages, read only, with 打印… and 打印为 PDF…."""
        self.preview = open_unit_preview(self, self.source)
        return self.preview


class FormsDialog(QDialog):
    def __init__(self, source, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(heading)
        layout = QVBoxLayout(self)
        self.view = FormsView(source, heading, self)
        layout.addWidget(self.view)
        if hasattr(source, "unit_code") and hasattr(source, "store"):  # a unit's budget, not a 汇总: its 批注
            self.comments = BureauCommentsPanel(self.view, source, self)
            layout.addWidget(self.comments)
            layout.setStretchFactor(self.view, 1)
        buttons = QDialogButtonBox(self)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(1100, 700)
        fit_on_screen(self)  # 700 px and a title bar do not fit every office laptop


class ConsolidateDialog(QDialog):
    """Which units to sum: all of the year, the selected rows, or a 部门 with its 所属单位."""

    def __init__(self, rows: list[OverviewRow], selected: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("汇总")
        layout = QVBoxLayout(self)
        self.scope = QComboBox(self)
        self.scope.setObjectName("consolidate_scope")
        self.scope.addItem(f"全部单位（{len(rows)} 个）", ("all", None))
        if selected:
            self.scope.addItem(f"所选单位（{len(selected)} 个）", ("units", selected))
        parents = sorted({row.parent_code for row in rows if row.parent_code})
        names = {row.unit_code: row.unit_name for row in rows}
        for code in parents:
            self.scope.addItem(f"部门 {code} {names.get(code, '')}（含所属单位）", ("parent", code))
        layout.addWidget(QLabel("汇总范围：", self))
        layout.addWidget(self.scope)
        buttons = QDialogButtonBox(self)
        buttons.addButton("汇总", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str, object]:
        return self.scope.currentData()


class TrustDialog(QDialog):
    """登记密钥: the fingerprint typed from a unit's signed paper; 更换 (re-issue) needs a reason."""

    def __init__(self, store, unit_code: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("登记单位签名密钥")
        layout = QFormLayout(self)
        self.unit = QLineEdit(unit_code, self)
        self.unit.setObjectName("trust_unit")
        self.fingerprint = QLineEdit(self)
        self.fingerprint.setObjectName("trust_fingerprint")
        self.fingerprint.setPlaceholderText("纸质材料上印的指纹，如 33A5-2B85-6965-D398")
        self.replace = QCheckBox("更换已登记的密钥（密钥丢失或重新生成）", self)
        self.replace.setObjectName("trust_replace")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("trust_reason")
        self.history = QLabel(self)
        self.history.setWordWrap(True)
        layout.addRow("单位编码：", self.unit)
        layout.addRow("密钥指纹：", self.fingerprint)
        layout.addRow("", self.replace)
        layout.addRow("原因：", self.reason)
        layout.addRow("已登记：", self.history)
        buttons = QDialogButtonBox(self)
        buttons.addButton("登记", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

        def show_history() -> None:
            keys = trusted_keys(store, self.unit.text().strip()) if self.unit.text().strip() else []
            self.history.setText("\n".join(
                f"{key.fingerprint}　{'有效' if key.status == 'active' else '已停用：' + key.revoked_reason}"
                f"（{key.source}，{key.created_at:%Y-%m-%d}）" for key in keys) or "无")

        self.unit.textChanged.connect(lambda _text: show_history())
        show_history()

    def accept(self) -> None:
        try:
            trust_key(self.store, self.unit.text(), self.fingerprint.text(), replace=self.replace.isChecked(),
                      reason=self.reason.text())
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "未登记", window_words(exc))  # no command-line options in the window
            return
        super().accept()


class BureauWindow(QMainWindow):
    def __init__(self, store, year: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = QSettings()
        self.job = None
        self.setWindowTitle("财政局 · 部门预算接收与汇总 — BudgetDesk")
        toolbar = QToolBar("财政局", self)
        toolbar.setObjectName("bureau_toolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        toolbar.addWidget(QLabel(" 预算年度：", self))
        self.year = QSpinBox(self)
        self.year.setObjectName("bureau_year")
        self.year.setRange(2000, 2100)
        self.year.setValue(self._default_year(year))
        self.year.valueChanged.connect(lambda _value: self.refresh())
        toolbar.addWidget(self.year)
        toolbar.addSeparator()
        self.import_folder_action = toolbar.addAction("导入数据包（文件夹）…")
        self.import_folder_action.setObjectName("import_folder")
        self.import_folder_action.triggered.connect(lambda: self.import_folder())
        self.import_file_action = toolbar.addAction("导入单个数据包…")
        self.import_file_action.setObjectName("import_file")
        self.import_file_action.triggered.connect(lambda: self.import_file())
        toolbar.addSeparator()
        self.view_action = toolbar.addAction("查看单位报表")
        self.view_action.setObjectName("view_unit")
        self.view_action.triggered.connect(lambda: self.view_unit())
        self.return_action = toolbar.addAction("退回…")
        self.return_action.setObjectName("return_unit")
        self.return_action.triggered.connect(lambda: self.return_unit())
        self.consolidate_action = toolbar.addAction("汇总…")
        self.consolidate_action.setObjectName("consolidate")
        self.consolidate_action.triggered.connect(lambda: self.consolidate())
        toolbar.addSeparator()
        self.trust_action = toolbar.addAction("登记密钥…")
        self.trust_action.setObjectName("trust_key")
        self.trust_action.triggered.connect(lambda: self.trust())

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.overview_panel = OverviewPanel(splitter)  # the filter bar, 刷新 and the list (model/view)
        self.overview_panel.refresh_requested.connect(lambda: self.refresh())
        self.table = self.overview_panel.table
        self.table.doubleClicked.connect(lambda _index: self.view_unit())
        self.folder_import = FolderImportPanel(self, splitter, TrustDialog)  # a folder import's result, hidden until one
        self.setCentralWidget(splitter)
        add_bureau_tabs(self)  # 进度 and 筛查 tabs beside the overview
        self.summary = QLabel(self)
        self.summary.setObjectName("overview_summary")
        self.statusBar().addPermanentWidget(self.summary)
        self.overview_panel.summary_label = self.summary  # “显示 N / 共 M 个单位” while filtered
        install_tree(self)  # the tab 按部门: 部门 → 本级 and 所属单位 with their status
        self.resize(1280, 720)
        fit_on_screen(self)  # 720 px and a title bar are more than a 768-px screen holds
        self.refresh()

    def _years_with_data(self) -> list[int]:
        return sorted({info.year for info in self.store.list_datasets()})

    def _default_year(self, wanted: int | None = None) -> int:
        """The year asked for when it has data, else the newest year that has (a 2023 unit just
        imported must not hide behind an empty 2025), else the coming budget year."""
        years = self._years_with_data()
        if wanted in years or (wanted is not None and not years):
            return wanted
        return years[-1] if years else date.today().year + 1

    # ---- overview --------------------------------------------------------------------------
    @property
    def rows(self) -> list[OverviewRow]:
        """Every unit of the year, by unit code (the list may show fewer, filtered, or in another order)."""
        return self.overview_panel.rows

    def refresh(self) -> None:
        """Re-read the year from the database and show what changed (the selection and current row stay)."""
        rows = overview(self.store, self.year.value(), self.overview_panel.totals_memo)
        submitted = sum(1 for row in rows if row.status == "submitted")
        others = [str(year) for year in self._years_with_data() if year != self.year.value()] if not rows else []
        elsewhere = f"（其他有数据的年度：{'、'.join(others)}）" if others else ""
        self.overview_panel.summary_parts = (f"{self.year.value()} 年度：", f"，已上报 {submitted} 个{elsewhere}")
        self.overview_panel.show_rows(rows)
        self.tree_panel.refresh()

    def selected_codes(self) -> list[str]:
        return [row.unit_code for row in self.table.selected_overview_rows()]

    def _current(self) -> OverviewRow | None:
        row = self.table.current_overview_row()
        if row is None:
            QMessageBox.information(self, "请选择单位", "请先在表中选择一个单位。")
        return row

    # ---- import ----------------------------------------------------------------------------
    def import_folder(self, folder: str | None = None, replace: bool = False) -> None:
        self.folder_import.start(folder, replace)  # ui.bureau.folder_import: progress, grouped result, choices

    def show_batch_result(self, result: BatchResult) -> None:
        self.folder_import.show_result(result)

    def import_file(self, path: str | None = None, *, ask=None) -> None:
        """One package: verified and compared first; an existing unit+year is replaced only when confirmed."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, "导入数据包", self.settings.value("bureau/folder", ""),
                                                        "BudgetDesk 数据包 (*.bdp)")
            if not path:
                return
        import_package_interactive(self, self.store, path, expected_year=None, ask=ask, on_done=self._imported)

    def _imported(self, outcome) -> None:
        """Show the year of the package just taken in, so the unit is in front of the clerk."""
        if outcome.year != self.year.value():
            self.year.setValue(outcome.year)  # valueChanged refreshes
            return
        self.refresh()

    def trust(self) -> TrustDialog:
        current = self.table.current_overview_row()
        dialog = TrustDialog(self.store, current.unit_code if current else "", self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        self.trust_dialog = dialog
        return dialog

    # ---- drill-down, 退回, 汇总 --------------------------------------------------------------
    def view_unit(self) -> FormsDialog | None:
        row = self._current()
        if row is None:
            return None
        try:
            dataset = self.store.open_dataset(row.unit_code, row.year)
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "无法打开", str(exc))
            return None
        dialog = FormsDialog(dataset, f"{row.unit_code} {row.unit_name}（{row.status_name}，只读）", self)
        dialog.show()
        self.drill_down = dialog
        return dialog

    def return_unit(self, reason: str | None = None, out: str | None = None) -> None:
        """退回 with a reason; asked interactively, it also saves the signed 退回 file (.bdr: the reason
        and the open 批注) for the unit. ``out`` names that file without asking. In this order: the unit
        must be 已上报 now (else a message, nothing asked), then the reason, then the file."""
        row = self._current()
        if row is None:
            return
        if reason is None:
            try:
                check_returnable(self.store, row.unit_code, row.year)
            except BudgetDeskError as exc:
                QMessageBox.warning(self, "不能退回", str(exc))
                return
            reason, ok = QInputDialog.getMultiLineText(self, "退回", f"退回 {row.unit_code} {row.unit_name} 的 {row.year} 年度预算。\n"
                                                                      "请写明退回原因（单位将看到）：")
            if not ok:
                return
            if not reason.strip():
                QMessageBox.warning(self, "不能退回", "退回必须写明原因，单位将看到它。没有退回。")
                return
            folder = self.settings.value("bureau/folder", "")
            out, _filter = QFileDialog.getSaveFileName(
                self, "保存退回文件（交给单位导入）", str(Path(folder) / default_return_name(row.unit_code, row.year)),
                "BudgetDesk 退回文件 (*.bdr)")
            if not out:
                return
        try:
            if out:
                check_returnable(self.store, row.unit_code, row.year)  # as stored now, not as the list last read it
                write_return(self.store, row.unit_code, row.year, reason, out)
            return_dataset(self.store, row.unit_code, row.year, reason)
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "不能退回", str(exc))
            return
        self.refresh()

    def consolidate(self, choice: tuple[str, object] | None = None) -> None:
        if not self.rows:
            QMessageBox.information(self, "没有数据", f"{self.year.value()} 年度还没有单位数据。")
            return
        if choice is None:
            dialog = ConsolidateDialog(self.rows, self.selected_codes(), self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            choice = dialog.choice()
        kind, value = choice
        store, year = self.store, self.year.value()
        options = {"units": value} if kind == "units" else {"parent": value} if kind == "parent" else {}
        self.job = run_job(self, "汇总", lambda progress: consolidate(store, year, progress=quiet(progress), **options),
                           self.show_consolidation)

    def show_consolidation(self, result) -> None:
        dialog = FormsDialog(result, f"{result.year}年 {result.title}（金额单位：{result.money_unit}）", self)
        dialog.show()
        self.consolidation_dialog = dialog
