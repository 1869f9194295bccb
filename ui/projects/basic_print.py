"""打印测算表…: the 人员情况表, 车辆情况表 and 基本支出测算表 to a PDF the clerk picks, rendered in a worker
(``ui.common.jobs.run_job``: progress dialog with 取消) from a snapshot opened in that thread, and written whole
or not at all (``ui.common.pdf_file.write_pdf``). A fault is told in Chinese and logged."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.base.errors import BudgetDeskError, Cancelled
from app.base.progress import Progress
from app.basic.standards import load_standards
from ui.common.file_dialogs import remember_folder, start_folder
from ui.common.jobs import Job, run_job
from ui.common.pdf_file import export_message, write_pdf

log = logging.getLogger(__name__)
TITLE = "打印测算表"


def default_file_name(unit_code: str, year: int) -> str:
    return f"{unit_code}_{year}_基础信息与基本支出测算表.pdf"


def print_worksheets(parent: QWidget, dataset, *, names: bool) -> Job | None:
    """Ask for the PDF path, then print in a worker; returns the job (None when the clerk chose no file)."""
    store, unit_code, year = dataset.store, dataset.unit_code, dataset.year
    folder_key = f"print/{unit_code}|{year}/basic_folder"
    chosen, _filter = QFileDialog.getSaveFileName(parent, "打印测算表", str(start_folder(folder_key) / default_file_name(
        unit_code, year)), "PDF 文件 (*.pdf)")
    if not chosen:
        return None
    target = Path(chosen)
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")

    def work(progress: Progress) -> Path:
        from app.printing.basic import render_basic_worksheets  # deferred: reportlab

        progress.step(0, 0, "正在读取数据……")
        snapshot = store.open_dataset(unit_code, year)
        data = render_basic_worksheets(snapshot, load_standards(), names=names, progress=progress)
        progress.final_step(1, 1, f"正在写入 {target.name}……")  # the last chance to 取消: nothing written yet
        write_pdf(target, data)
        return target

    def done(path: Path) -> None:
        remember_folder(path.parent, folder_key)
        log.info("basic worksheets printed to %s", path)
        QMessageBox.information(parent, TITLE, f"已打印人员情况表、车辆情况表和基本支出测算表：{path}")

    def failed(exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            log.info("basic worksheets print cancelled, nothing written")
            return
        if isinstance(exc, BudgetDeskError | OSError):
            log.warning("basic worksheets not printed to %s: %s", target, exc)
            QMessageBox.warning(parent, TITLE, export_message(target, exc).replace("没有导出", "没有打印"))
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    return run_job(parent, TITLE, work, done, on_error=failed)


__all__ = ["TITLE", "default_file_name", "print_worksheets"]
