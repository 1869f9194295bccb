"""文件 → 导入数据文件…: a BudgetDesk data file (JSON, docs/interchange.md) imported in a worker.

The file is read and checked in a worker thread with a progress dialog and 取消; when its 单位 and
年度 already exist the clerk is asked whether to replace them; the import itself (validation and one
transaction through ``app.exchange.interchange.import_document``) runs in a worker too, after the last point
where 取消 can stop it. Then the dataset list is refilled and the imported dataset opens.
The file dialog opens in the folder last used for imports, else the last folder used, else Documents.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.base.errors import BudgetDeskError, Cancelled
from app.base.jsondoc import read_document
from app.base.progress import Progress
from app.exchange.interchange import import_document
from ui.common.file_dialogs import remember_folder, start_folder
from ui.common.jobs import Job, run_job

IMPORT_FOLDER_KEY = "files/import_folder"
TITLE = "导入数据文件"
FILE_FILTER = "BudgetDesk 数据文件 (*.json);;所有文件 (*)"


def add_import_action(window, menu: QWidget) -> QAction:
    """Add 导入数据文件… to ``menu`` (the 文件 menu, or a toolbar) of the main window."""
    action = QAction("导入数据文件…", window)
    action.setObjectName("import_data")
    action.setToolTip("从 BudgetDesk 数据文件（JSON）导入一个单位的年度预算")
    action.triggered.connect(lambda: import_data_file(window))
    menu.addAction(action)
    return action


def _identity(document: object) -> tuple[str, str, int] | None:
    """(单位编码, 单位名称, 年度) as the file states them, or None when the file does not say (validation
    then tells what is wrong)."""
    if not isinstance(document, dict):
        return None
    unit, year = document.get("unit"), document.get("year")
    if not isinstance(unit, dict) or not isinstance(unit.get("code"), str) or not isinstance(year, int):
        return None
    return unit["code"], str(unit.get("name") or ""), year


def import_data_file(window, path: str | Path | None = None) -> Job | None:
    """Ask for a file (unless ``path`` is given) and import it in a worker; returns the reading job."""
    if path is None:
        chosen, _filter = QFileDialog.getOpenFileName(window, TITLE, str(start_folder(IMPORT_FOLDER_KEY)), FILE_FILTER)
        if not chosen:
            return None
        path = chosen
    path = Path(path)
    commit = getattr(window, "_commit_open_editor", None)
    if commit is not None and getattr(window, "controller", None) is not None:
        commit()  # a value still in an editor is saved before anything else happens
    store = window.store

    def read(progress: Progress) -> dict:
        progress.step(0, 2, f"正在读取 {path.name}……")
        document = read_document(path)
        progress.step(1, 2, "正在检查文件……")
        return document

    def ask_and_import(document: dict) -> None:
        remember_folder(path.parent, IMPORT_FOLDER_KEY)
        identity = _identity(document)
        replace = False
        if identity is not None:
            code, name, year = identity
            existing = {(info.unit_code, info.year): info for info in store.list_datasets()}
            if (code, year) in existing:
                info = existing[(code, year)]
                answer = QMessageBox.question(
                    window, TITLE,
                    f"{code} {info.unit_name} 的 {year} 年度预算已存在（{info.status_name}）。\n"
                    f"要用文件“{path.name}”中的数据替换它吗？替换后原有数据将被覆盖。",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
                if answer != QMessageBox.StandardButton.Yes:
                    window.statusBar().showMessage("未导入：已保留现有数据。", 8000)
                    return
                replace = True

        def write(progress: Progress) -> tuple[str, int]:
            progress.final_step(0, 0, "正在校验并写入数据……")
            dataset = import_document(store, document, replace=replace)
            return dataset.unit_code, dataset.year

        window.import_job = run_job(window, TITLE, write, opened, on_error=failed)

    def opened(identity: tuple[str, int]) -> None:
        code, year = identity
        window.refresh_chooser()
        window.open_dataset(code, year)
        window.statusBar().showMessage(f"已导入 {code} {year} 年度预算（来自 {path.name}）。", 8000)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            window.statusBar().showMessage("已取消导入，未做任何修改。", 8000)
        elif isinstance(exc, BudgetDeskError):
            QMessageBox.warning(window, TITLE, str(exc))
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    window.import_job = run_job(window, TITLE, read, ask_and_import, on_error=failed)
    return window.import_job
