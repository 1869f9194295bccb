"""财政局 mode: the units × year overview, importing packages, drill-down, 退回 and 汇总.

Everything here reads and writes through the Qt-free core (``app.bureau.intake``, ``app.bureau.consolidate``);
long work (a folder of packages, a 汇总, printing) runs in ``ui.common.jobs.run_job`` with progress and 取消.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QBrush
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
    QListWidget,
    QListWidgetItem,
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

from app.base.errors import BudgetDeskError, ConflictError
from app.bureau.comments import default_return_name, write_return
from app.bureau.consolidate import Consolidation, consolidate, print_consolidation
from app.bureau.intake import BatchResult, import_packages
from app.bureau.standing import OverviewRow, overview, return_dataset
from app.domain.forms import all_forms
from app.exchange.package.trust import trust_key, trusted_keys
from app.exchange.signing import existing_fingerprint
from app.printing import build_document
from ui.bureau.comments import BureauCommentsPanel
from ui.bureau.dashboard_view import add_bureau_tabs
from ui.bureau.form_table import FormViewTable
from ui.bureau.overview import OverviewPanel
from ui.bureau.package_import import import_package_interactive
from ui.bureau.tree import install_tree
from ui.common.jobs import quiet, run_job
from ui.common.scrolling_tabs import fit_on_screen
from ui.common.style import ERROR_QCOLOR
from ui.common.trust_dialog import confirm_fingerprints

ERROR_COLOR = ERROR_QCOLOR  # one place for shared styles (ui/common/style.py)


class FormsView(QWidget):
    """Tabs of the nine official tables of a dataset or a 汇总, with 打印 to PDF."""

    def __init__(self, source, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel(heading, self)
        self.heading.setObjectName("forms_heading")
        top.addWidget(self.heading, 1)
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
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, "打印为 PDF", f"{self.source.year}年{self.heading.text()}.pdf",
                                                        "PDF 文件 (*.pdf)")
            if not path:
                return
        source = self.source
        if isinstance(source, Consolidation):
            def work(progress):
                return print_consolidation(source, Path(path))
        else:
            def work(progress):
                return build_document(source, Path(path), fingerprint=existing_fingerprint(source.unit.code)).pages
        self.job = run_job(self, "打印", work, lambda pages: self.heading.setToolTip(f"已打印到 {path}：共 {pages} 页"))


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
            QMessageBox.warning(self, "未登记", str(exc))
            return
        super().accept()


class BureauWindow(QMainWindow):
    def __init__(self, store, year: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.folder: str | None = None  # the folder last imported (a confirmed key's packages come from it)
        self.folder_replace = False
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
        self.problems = QWidget(splitter)
        problem_layout = QVBoxLayout(self.problems)
        problem_layout.setContentsMargins(0, 0, 0, 0)
        self.problem_title = QLabel("", self.problems)
        self.problem_title.setObjectName("import_summary")
        problem_layout.addWidget(self.problem_title)
        self.problem_list = QListWidget(self.problems)
        self.problem_list.setObjectName("refused_packages")
        self.problem_list.setWordWrap(True)
        problem_layout.addWidget(self.problem_list)
        self.problems.hide()
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
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "选择存放数据包的文件夹（如 U 盘）",
                                                      self.settings.value("bureau/folder", ""))
            if not folder:
                return
        self.settings.setValue("bureau/folder", folder)
        self.folder, self.folder_replace = folder, replace  # a confirmed key's packages are imported from here
        store, year = self.store, self.year.value()
        self.job = run_job(self, "导入数据包",
                           lambda progress: import_packages(store, folder, year=year, replace=replace, progress=quiet(progress)),
                           self.show_batch_result)

    def show_batch_result(self, result: BatchResult) -> None:
        """The folder's result; packages held back only for a first-seen key are offered for confirmation
        (one 核对密钥指纹 dialog listing each unit and fingerprint) and, when confirmed, imported."""
        self._list_batch_result(result)
        keys = result.untrusted_keys()
        if not keys or self.folder is None:
            return
        if not confirm_fingerprints(self, keys):  # 不一致: they stay listed as not imported
            return
        store, year, folder, replace = self.store, self.year.value(), self.folder, self.folder_replace
        files = [path for path, _keys in result.untrusted]
        fingerprints = [fingerprint for _code, _name, fingerprint in keys]
        self.job = run_job(self, "导入数据包",
                           lambda progress: import_packages(store, folder, year=year, replace=replace, only=files,
                                                            trust_fingerprints=fingerprints, progress=quiet(progress)),
                           lambda retried: self._list_batch_result(result.confirmed_retry(retried)))

    def _list_batch_result(self, result: BatchResult) -> None:
        self.problem_list.clear()
        text = f"导入完成：成功 {len(result.imported)} 个，未导入 {len(result.failed)} 个"
        if result.cancelled:
            text += "（已取消，其余数据包未导入）"
        self.problem_title.setText(text + ("。未导入的数据包及原因：" if result.failed else "。"))
        for name, reason in result.failed:
            item = QListWidgetItem(f"✖ {name}：{reason}")
            item.setForeground(QBrush(ERROR_COLOR))
            self.problem_list.addItem(item)
        for outcome in result.imported:
            self.problem_list.addItem(QListWidgetItem(
                f"✔ {outcome.unit_code} {outcome.unit_name}：错误 {outcome.errors} 条，提示 {outcome.warnings} 条"
                + ("，首次接收，已登记密钥" if outcome.first_trust else "")
                + (f"，批注回复 {outcome.answers.answered} 条" if outcome.answers and outcome.answers.answered else "")))
        self.problems.show()
        self.refresh()

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
        and the open 批注) for the unit. ``out`` names that file without asking."""
        row = self._current()
        if row is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getMultiLineText(self, "退回", f"退回 {row.unit_code} {row.unit_name} 的 {row.year} 年度预算。\n"
                                                                      "请写明退回原因（单位将看到）：")
            if not ok:
                return
            if row.status == "submitted" and reason.strip():
                folder = self.settings.value("bureau/folder", "")
                out, _filter = QFileDialog.getSaveFileName(
                    self, "保存退回文件（交给单位导入）", str(Path(folder) / default_return_name(row.unit_code, row.year)),
                    "BudgetDesk 退回文件 (*.bdr)")
                if not out:
                    return
        try:
            if out:
                if row.status != "submitted":
                    raise ConflictError(f"单位 {row.unit_code} {row.unit_name} 的 {row.year} 年度预算不是已上报状态，无需退回。")
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
