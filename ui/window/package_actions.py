"""The clerk's 上报 menu: make the data package (and submit), import a package, open 财政局 mode.

``add_package_actions(menu, window)`` is called with one line from the main window; ``window`` is
the MainWindow (``store``, ``dataset``, ``open_dataset``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from app.exchange.package.spec import default_file_name
from app.exchange.signing import key_dir
from ui.common.jobs import quiet, run_job
from ui.window import submit_confirm


def export_package_gui(window, *, submit: bool, path: str | None = None):
    """上报 (submit=True) or 生成数据包: pick a file (a USB stick), pack in a worker, report the fingerprint."""
    dataset = window.dataset
    if dataset is None:
        QMessageBox.information(window, "请先打开数据", "请先选择单位和预算年度。")
        return None
    commit = getattr(window, "_commit_open_editor", None)
    if commit is not None:
        commit()
    # 审核 and the confirmation come first: a budget that may not go is refused before a file is asked for
    if submit and dataset.status != "submitted" and not submit_confirm.ready_and_confirmed(window, dataset,
                                                                                         packaged=True):
        return None
    # deferred: the writer prints the document (reportlab); the first window does not need it
    from app.exchange.package.writer import export_package

    settings = QSettings()
    if path is None:
        folder = settings.value("package/folder", "") or str(Path.home())
        suggested = str(Path(folder) / default_file_name(dataset.unit.code, dataset.unit.name, dataset.year))
        path, _filter = QFileDialog.getSaveFileName(window, "上报：保存数据包" if submit else "生成数据包", suggested,
                                                    "BudgetDesk 数据包 (*.bdp)")
        if not path:
            return None
    if not path.lower().endswith(".bdp"):
        path += ".bdp"
    settings.setValue("package/folder", str(Path(path).parent))

    def done(result) -> None:
        if submit:
            window.open_dataset(dataset.unit_code, dataset.year)  # now 已上报: the tables turn read-only
        QMessageBox.information(
            window, "已上报" if submit else "已生成数据包",
            f"数据包已保存到：\n{result.path}\n\n审核：错误 {result.errors} 条，提示 {result.warnings} 条。\n"
            f"签名密钥指纹：{result.fingerprint}\n（已印在数据包所附 PDF 的封面和项目批复表上；“打印”中的整套文件封面上"
            "也印有此指纹。请将数据包与签字盖章的纸质材料一并报送财政局。）"
            + (f"\n\n首次上报：已为本单位生成签名密钥，保存在 {key_dir()}；请备份该文件夹。" if result.new_key else ""))

    window.package_job = run_job(window, "上报" if submit else "生成数据包",
                                 lambda progress: export_package(dataset, path, submit=submit, progress=quiet(progress)), done)
    return window.package_job


def import_package_gui(window, path: str | None = None, *, ask=None):
    if path is None:
        path, _filter = QFileDialog.getOpenFileName(window, "导入数据包", QSettings().value("package/folder", ""),
                                                    "BudgetDesk 数据包 (*.bdp)")
        if not path:
            return None
    dataset = window.dataset
    expected = {"expected_unit": dataset.unit_code, "expected_year": dataset.year} if dataset is not None else {}

    def opened(outcome) -> None:
        window.refresh_chooser()
        window.open_dataset(outcome.unit_code, outcome.year)

    # deferred: the package import (the bureau's intake, jsonschema) loads when a package is first opened
    from ui.bureau.package_import import import_package_interactive

    hint = ("此处只导入当前打开的单位和年度的数据包；财政局接收各单位的数据包，请用“上报 → 财政局：接收与汇总”。"
            if expected else "")
    return import_package_interactive(window, window.store, path, ask=ask, on_done=opened, hint=hint,
                                      replace_source="导入", **expected)


def open_bureau(window):
    # deferred: the 财政局 window and the bureau's modules (reportlab among them) load when it is first opened
    from ui.bureau.window import BureauWindow

    bureau = BureauWindow(window.store, window.dataset.year if window.dataset is not None else None)
    bureau.show()
    window.bureau_window = bureau
    return bureau


def add_package_actions(menu: QMenu, window) -> None:
    submit = menu.addAction("上报（生成签名数据包）…")
    submit.setObjectName("package_submit")
    submit.triggered.connect(lambda: export_package_gui(window, submit=True))
    export = menu.addAction("生成数据包（不上报）…")
    export.setObjectName("package_export")
    export.triggered.connect(lambda: export_package_gui(window, submit=False))
    menu.addSeparator()
    imported = menu.addAction("导入数据包…")
    imported.setObjectName("package_import")
    imported.triggered.connect(lambda: import_package_gui(window))
    bureau = menu.addAction("财政局：接收与汇总…")
    bureau.setObjectName("bureau_mode")
    bureau.triggered.connect(lambda: open_bureau(window))
