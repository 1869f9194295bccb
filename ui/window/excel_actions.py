"""导出 Excel… and 从 Excel 导入…: file dialogs, the work in a worker (``ui.common.jobs.run_job``), and a
preview of what an import would change before anything is written.

``add_excel_actions(menu, window)`` adds both actions to a menu or tool bar of the main window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common.jobs import run_job

if TYPE_CHECKING:
    from app.exchange.excel.diff import Change
    from app.exchange.excel.importer import ImportPlan

FOLDER_KEY = "excel/last_folder"
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"


def _folder(settings: QSettings) -> str:
    return str(settings.value(FOLDER_KEY, "")) or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)


def add_excel_actions(menu, window) -> tuple:
    """Add 导出 Excel… and 从 Excel 导入… to ``menu`` (a QMenu or QToolBar) of the main window."""
    menu.addSeparator()
    export_action = menu.addAction("导出 Excel…")
    export_action.setObjectName("export_excel")
    export_action.setToolTip("把本单位本年度的全部表格导出为 Excel 工作簿（公开表样式，合计为公式）")
    export_action.triggered.connect(lambda: export_excel(window))
    import_action = menu.addAction("从 Excel 导入…")
    import_action.setObjectName("import_excel")
    import_action.setToolTip("读取按本软件表样填写的 Excel 工作簿，预览修改后导入")
    import_action.triggered.connect(lambda: import_excel(window))
    return export_action, import_action


def export_excel(window, path: str | Path | None = None):
    """Ask where (last folder used, or Documents) and write the workbook in a worker."""
    # deferred: openpyxl loads with the first Excel export or import, not at start-up
    from app.exchange.excel import export_workbook, source_from_dataset
    from app.exchange.excel.export import default_file_name

    dataset = window.dataset
    if dataset is None:
        QMessageBox.information(window, "导出 Excel", "请先打开一个单位的预算。")
        return None
    commit = getattr(window, "_commit_open_editor", None)
    if commit is not None:
        commit()
    source = source_from_dataset(dataset)
    settings = QSettings()
    if path is None:
        chosen, _filter = QFileDialog.getSaveFileName(window, "导出 Excel", str(Path(_folder(settings)) /
                                                      default_file_name(source)), XLSX_FILTER)
        if not chosen:
            return None
        path = chosen
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    settings.setValue(FOLDER_KEY, str(target.parent))

    def done(written: Path) -> None:
        window.statusBar().showMessage(f"已导出 Excel：{written}", 8000)

    return run_job(window, "导出 Excel", lambda progress: export_workbook(source, target, progress=progress), done)


class ImportPreviewDialog(QDialog):
    """What the workbook would change (cells, projects, other parts), the computed cells that
    disagree, and 导入 / 取消."""

    def __init__(self, plan: ImportPlan, changes: list[Change], target: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("excel_import_preview")
        self.setWindowTitle("从 Excel 导入 — 预览")
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        unit = plan.document["unit"]
        head = QLabel(f"工作簿：{plan.path.name}\n单位：{unit['code']} {unit['name']}　预算年度：{plan.year}\n{target}", self)
        head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(head)
        counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("单元格", "项目", "其他")}
        summary = (f"将修改 {counts['单元格']} 个单元格、{counts['项目']} 处项目、{counts['其他']} 处其他内容。"
                   if changes else "工作簿与当前数据一致，没有需要导入的修改。")
        self.summary = QLabel(summary, self)
        self.summary.setObjectName("preview_summary")
        layout.addWidget(self.summary)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("preview_changes")
        self.tree.setHeaderLabels(["类别", "位置", "原值", "新值"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        for change in changes:
            item = QTreeWidgetItem([change.kind, change.where, change.before, change.after])
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        self.tree.setColumnWidth(0, 70)
        self.tree.setColumnWidth(1, 470)
        self.tree.setColumnWidth(2, 100)
        layout.addWidget(self.tree, 3)
        self.warnings = QPlainTextEdit(self)
        self.warnings.setObjectName("preview_warnings")
        self.warnings.setReadOnly(True)
        if plan.warnings:
            layout.addWidget(QLabel(f"以下 {len(plan.warnings)} 个计算单元格与录入的数不一致（计算单元格不导入，以计算结果为准）：",
                                    self))
            self.warnings.setPlainText("\n".join(plan.warnings))
            layout.addWidget(self.warnings, 1)
        else:
            self.warnings.hide()
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("preview_import")
        self.import_button.setEnabled(bool(changes))
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("preview_cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def import_excel(window, path: str | Path | None = None):
    """Pick a workbook, read and compare it in a worker, show the preview, import on 导入."""
    # deferred: openpyxl loads with the first Excel export or import, not at start-up
    from app.exchange.excel import diff_against, read_workbook

    store = window.store
    settings = QSettings()
    if path is None:
        chosen, _filter = QFileDialog.getOpenFileName(window, "从 Excel 导入", _folder(settings),
                                                      f"{XLSX_FILTER};;所有文件 (*)")
        if not chosen:
            return None
        path = chosen
    path = Path(path)
    settings.setValue(FOLDER_KEY, str(path.parent))
    commit = getattr(window, "_commit_open_editor", None)
    if commit is not None:
        commit()

    def work(progress):
        plan = read_workbook(store, path, progress=progress)
        return plan, diff_against(store, plan)

    return run_job(window, "读取 Excel 工作簿", work, lambda result: _preview(window, *result))


def _preview(window, plan: ImportPlan, changes: list[Change]) -> None:
    from app.exchange.excel import import_workbook  # deferred like the two above: it brings openpyxl

    dataset = window.dataset
    if dataset is not None and (dataset.unit_code, dataset.year) != (plan.unit_code, plan.year):
        QMessageBox.warning(window, "从 Excel 导入",
                            f"工作簿是 {plan.unit_code} {plan.document['unit']['name']} {plan.year} 年度的，"
                            f"当前打开的是 {dataset.unit.code} {dataset.unit.name} {dataset.year} 年度，未导入。\n"
                            "请先在“单位/年度”中打开该单位该年度，再导入。")
        return
    if dataset is not None and dataset.status == "submitted":
        QMessageBox.warning(window, "从 Excel 导入", "本单位本年度的预算已上报，不能导入修改；如需修改，请先退回为编制中。")
        return
    exists = any((info.unit_code, info.year) == (plan.unit_code, plan.year) for info in window.store.list_datasets())
    target = "导入后将替换当前数据（可在审核记录中查到这次导入）。" if exists else "将新建这个单位本年度的预算。"
    dialog = ImportPreviewDialog(plan, changes, target, window)
    window._excel_preview = dialog

    def finished(code: int) -> None:
        window._excel_preview = None
        dialog.deleteLater()
        if code != QDialog.DialogCode.Accepted:
            return

        def done(imported) -> None:
            window.open_dataset(plan.unit_code, plan.year)
            window.statusBar().showMessage(f"已从 Excel 导入：{plan.path.name}", 8000)

        run_job(window, "从 Excel 导入", lambda progress: import_workbook(window.store, plan, replace=exists), done)

    dialog.finished.connect(finished)
    dialog.open()
