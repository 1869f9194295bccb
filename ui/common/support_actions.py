"""帮助 → 打开日志文件夹 and 自检: what a clerk (or the person on the phone helping them) needs when
something goes wrong, without knowing where hidden folders are or opening a console.

``add_support_actions(menu, window)`` is called with one line from the main window's 帮助 menu.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.cli.selftest import run_selftest
from app.system.logsetup import log_dir
from ui.common.jobs import run_job

log = logging.getLogger(__name__)


def open_log_folder(parent: QWidget | None) -> bool:
    """The log folder in the desktop's file manager; where none answers, its path to copy."""
    folder = log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)  # a fresh install has logged nothing yet
    except OSError as exc:
        log.warning("cannot create the log folder %s: %s", folder, exc)
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    log.warning("no file manager opened %s", folder)
    QMessageBox.information(parent, "打开日志文件夹", f"无法自动打开文件夹，请在文件管理器中打开：\n{folder}")
    return False


class SelftestDialog(QDialog):
    """The self-test's steps, one line each (✓/✗), as ``budgetdesk selftest`` prints them."""

    def __init__(self, lines: list[str], passed: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("selftest_dialog")
        self.setWindowTitle("自检通过" if passed else "自检未通过")
        self.passed = passed
        layout = QVBoxLayout(self)
        summary = QLabel("本机可以正常导入、审核、打印和导出。" if passed else
                         "有步骤失败：请把下面的内容（或日志文件夹中的 budgetdesk.log）发给技术支持。", self)
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.text = QPlainTextEdit("\n".join(lines), self)
        self.text.setObjectName("selftest_steps")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont))
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 360)


def run_selftest_gui(parent: QWidget | None, on_shown=None):
    """自检 in a worker (the job helper), then its steps in a dialog; the clerk's data is never touched."""
    def work(progress):
        lines: list[str] = []

        def write(line: str) -> None:
            lines.append(line)
            progress.step(len(lines), 0, line.split("：", 1)[0])  # the step's name in the box; 取消 stops here

        passed = run_selftest(write)
        return lines, passed

    def done(result) -> None:
        lines, passed = result
        log.info("selftest from the window: %s", "passed" if passed else "failed")
        dialog = SelftestDialog(lines, passed, parent)
        dialog.setModal(True)
        job.result_dialog = dialog  # kept alive: without a parent nothing else holds it
        if parent is not None:
            parent.selftest_dialog = dialog
        dialog.open()
        if on_shown is not None:
            on_shown(dialog)

    job = run_job(parent, "自检", work, done)
    return job


def add_support_actions(menu: QMenu, window: QWidget) -> None:
    logs = menu.addAction("打开日志文件夹")
    logs.setObjectName("open_log_folder")
    logs.setToolTip("出现问题时，把其中的 budgetdesk.log 发给技术支持")
    logs.triggered.connect(lambda: open_log_folder(window))
    selftest = menu.addAction("自检")
    selftest.setObjectName("selftest")
    selftest.setToolTip("在临时文件夹中导入示例数据、审核、打印和导出，检查本机能否正常使用（不动用户数据）")
    selftest.triggered.connect(lambda: run_selftest_gui(window))
