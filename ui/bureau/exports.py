"""The 财政局 window's files: 导出 Excel… of a 汇总 and of a 筛查 result, 打印为 PDF…, and 打印预览 of a unit.

Every file is written by the Qt-free core (``app.bureau.consolidate.export_consolidation`` — the same
workbook as ``budgetdesk consolidate --out`` —, ``app.bureau.screening_excel``, ``app.printing``) in a
worker (``ui.common.jobs.run_job``: progress and 取消); a failure or 取消 is a sentence beside the button
and a log line, and leaves no file. The preview of a unit is the clerk's print dialog
(``ui.printing.dialog.PrintDialog``) over the stored dataset, read only.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QSizePolicy, QWidget

from app.base.errors import BudgetDeskError, Cancelled
from app.base.progress import Progress
from app.bureau.consolidate import Consolidation, export_consolidation
from app.bureau.screening import ScreeningResult
from ui.common.jobs import Job, quiet, run_job
from ui.common.scrolling_tabs import fit_on_screen
from ui.common.style import ERROR_STYLE

log = logging.getLogger(__name__)

FOLDER_SETTING = "bureau/export_folder"
EXCEL_FILTER = "Excel 工作簿 (*.xlsx)"
PDF_FILTER = "PDF 文件 (*.pdf)"


def file_status_label(parent: QWidget, name: str) -> QLabel:
    """The line beside the buttons saying where the last file went, or why it was not written. A long path
    must not make the window wider than the screen: the label takes the room there is (the whole text is
    its tooltip)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def ask_target(parent: QWidget, title: str, file_name: str, file_filter: str, suffix: str) -> Path | None:
    """The save dialog, opened in the folder used last; None when the officer cancels. The suffix is added
    when it was left off (``2023年汇总`` → ``2023年汇总.xlsx``)."""
    settings = QSettings()
    folder = Path(str(settings.value(FOLDER_SETTING, "") or Path.home()))
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(folder / file_name), file_filter)
    if not chosen:
        return None
    target = Path(chosen)
    if target.suffix.lower() != suffix:
        target = target.with_name(target.name + suffix)
    settings.setValue(FOLDER_SETTING, str(target.parent))
    return target


def failure_message(title: str, target: Path, exc: BaseException) -> str:
    """Why ``title`` wrote nothing, for the officer."""
    if isinstance(exc, Cancelled):
        return f"已取消{title}，没有写入文件。"
    if isinstance(exc, BudgetDeskError):
        return f"没有{title}：{exc}"
    if isinstance(exc, PermissionError):
        return f"没有{title}：不能写入 {target}。该文件可能正在其他程序中打开，或没有写入该文件夹的权限。"
    return f"没有{title}：写入 {target} 失败（{getattr(exc, 'strerror', None) or exc}）。"


def write_file(parent: QWidget, title: str, target: Path, work: Callable[[Progress], Any], status: QLabel,
               done_text: Callable[[Any], str]) -> Job:
    """Run ``work`` in a worker with the progress box and 取消; the outcome is said in ``status``."""
    status.setStyleSheet("")
    status.setText(f"正在{title}……")

    def done(result: Any) -> None:
        log.info("%s: %s", title, target)
        status.setText(done_text(result))
        status.setToolTip(status.text())

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, BudgetDeskError | OSError):
            status.setText("")
            sys.excepthook(type(exc), exc, exc.__traceback__)  # a bug: the program's error dialog
            return
        log.warning("%s %s not written: %s", title, target, exc)
        status.setStyleSheet("" if isinstance(exc, Cancelled) else ERROR_STYLE)
        status.setText(failure_message(title, target, exc))
        status.setToolTip(status.text())

    return run_job(parent, title, work, done, on_error=failed)


def export_consolidation_excel(parent: QWidget, result: Consolidation, status: QLabel,
                               path: str | None = None) -> Job | None:
    """导出 Excel…: the 汇总's nine tables, as the command line's ``consolidate --out`` writes them."""
    target = Path(path) if path else ask_target(parent, "导出汇总表到 Excel", f"{result.year}年{result.title}表.xlsx",
                                                EXCEL_FILTER, ".xlsx")
    if target is None:
        return None
    return write_file(parent, "导出 Excel", target,
                      lambda progress: export_consolidation(result, target, progress=quiet(progress)), status,
                      lambda _path: f"已导出到 {target}")


def export_screening_excel(parent: QWidget, result: ScreeningResult, status: QLabel,
                           path: str | None = None) -> Job | None:
    """导出 Excel…: the outliers and every unit's measures, as numbers."""
    target = Path(path) if path else ask_target(parent, "导出筛查结果到 Excel", f"{result.year}年度部门预算筛查结果.xlsx",
                                                EXCEL_FILTER, ".xlsx")
    if target is None:
        return None

    def work(progress: Progress) -> Path:
        # openpyxl is loaded only when a screening result is exported
        from app.bureau.screening_excel import export_screening

        return export_screening(result, target, progress=quiet(progress))

    return write_file(parent, "导出 Excel", target, work, status, lambda _path: f"已导出到 {target}")


def print_to_pdf(parent: QWidget, title: str, file_name: str, print_work: Callable[[Path, Progress], int],
                 status: QLabel, path: str | None = None) -> Job | None:
    """打印为 PDF…: ``print_work(target, progress)`` returns the page count."""
    target = Path(path) if path else ask_target(parent, title, file_name, PDF_FILTER, ".pdf")
    if target is None:
        return None
    return write_file(parent, "打印", target, lambda progress: print_work(target, quiet(progress)), status,
                      lambda pages: f"已打印到 {target}：共 {pages} 页")


class _ReadOnlyPrinting(QObject):
    """What the print dialog asks of the clerk's controller, for a dataset the bureau only reads: the
    dataset and a ``saved`` signal (never sent: nothing is edited here)."""

    saved = Signal()

    def __init__(self, dataset, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset = dataset


def open_unit_preview(parent: QWidget, dataset):
    """打印预览 of a unit's budget: its pages as they print, 打印… and 打印为 PDF…."""
    # deferred: pypdfium2 and QtPrintSupport load when 打印预览 is first opened, not with the window
    from ui.printing.dialog import PrintDialog

    reader = _ReadOnlyPrinting(dataset)
    dialog = PrintDialog(reader, parent)  # type: ignore[arg-type]  # reads .dataset and .saved only
    reader.setParent(dialog)
    dialog.setWindowTitle(f"打印预览 — {dataset.unit.code} {dataset.unit.name} · {dataset.year}年（只读）")
    dialog.export_button.setText("打印为 PDF…")  # the 财政局 window's word for a PDF file
    fit_on_screen(dialog)  # a size remembered from a bigger screen must not hang off this one
    dialog.show()
    return dialog


__all__ = ["ask_target", "file_status_label", "export_consolidation_excel", "export_screening_excel", "open_unit_preview", "print_to_pdf",
           "write_file"]
