"""备份与恢复: the list of backups (time, size, reason), 立即备份, 恢复所选 (with confirmation); and the
daily backup while the window is open."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.store import backup
from ui.common.error_dialog import show_error
from ui.common.jobs import run_job

log = logging.getLogger(__name__)


def _ask(parent: QWidget, text: str) -> bool:
    return QMessageBox.question(parent, "恢复备份", text) == QMessageBox.StandardButton.Yes


class BackupDialog(QDialog):
    def __init__(self, store, parent: QWidget | None = None, *, confirm: Callable[[str], bool] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.confirm = confirm or (lambda text: _ask(self, text))
        self.restored: backup.BackupInfo | None = None
        self.setWindowTitle("备份与恢复")
        self.setObjectName("backupDialog")
        layout = QVBoxLayout(self)
        self.note = QLabel(self)
        self.note.setObjectName("backupNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels(["时间", "大小", "原因", "文件名"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.create_button = QPushButton("立即备份", self)
        self.create_button.setObjectName("backupNow")
        self.create_button.clicked.connect(self.create_now)
        self.restore_button = QPushButton("恢复所选…", self)
        self.restore_button.setObjectName("restoreSelected")
        self.restore_button.clicked.connect(self.restore_selected)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.accept)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(720, 420)
        self.refresh()

    def refresh(self) -> None:
        if not backup.is_sqlite(self.store):
            self.note.setText(backup.POSTGRES_MESSAGE)
            self.table.setRowCount(0)
            self.create_button.setEnabled(False)
            self.restore_button.setEnabled(False)
            return
        folder = backup.backups_dir(self.store.path)
        read_only = " 数据库以只读方式打开，不能备份或恢复。" if self.store.read_only else ""
        self.note.setText(f"备份文件夹：{folder}（保留最新 {backup.keep_count()} 个；打开时、导入前和每天自动备份）。"
                          f"{read_only}")
        self.create_button.setEnabled(not self.store.read_only)
        self.backups = backup.list_backups(self.store)
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            for column, text in enumerate((f"{info.time:%Y-%m-%d %H:%M:%S}", backup.human_size(info.size),
                                           info.reason_text, info.name)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        if self.backups:
            self.table.selectRow(0)
        self.restore_button.setEnabled(bool(self.backups) and not self.store.read_only)
        self.table.resizeColumnsToContents()

    def selected(self) -> backup.BackupInfo | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.backups[min(rows)] if rows else None

    def create_now(self):
        """立即备份 in the job helper (a bureau's database can take a while to copy); the list refreshes after."""
        def failed(exc: BaseException) -> None:
            if isinstance(exc, BudgetDeskError):
                show_error(self, exc)
            else:
                sys.excepthook(type(exc), exc, exc.__traceback__)

        self.backup_job = run_job(self, "立即备份", lambda _progress: backup.create_backup(self.store, "manual"),
                                  lambda _info: self.refresh(), on_error=failed)
        return self.backup_job

    def restore_selected(self) -> bool:
        info = self.selected()
        if info is None:
            return False
        question = (f"用 {info.time:%Y-%m-%d %H:%M:%S}（{info.reason_text}）的备份替换数据库中的全部数据？\n"
                    "该时间之后的修改将不在恢复后的数据中；恢复前的数据会先另行备份，可以再恢复回来。")
        if not self.confirm(question):
            return False
        try:
            self.restored = backup.restore_backup(self.store, info.name)
        except BudgetDeskError as exc:
            show_error(self, exc)
            return False
        self.refresh()
        return True


def open_backup_dialog(parent: QWidget | None, store, *, confirm: Callable[[str], bool] | None = None) -> bool:
    """The 备份与恢复 dialog (文件 menu). After a restore the window reopens its dataset. True if restored."""
    dialog = BackupDialog(store, parent, confirm=confirm)
    dialog.exec()
    restored = dialog.restored is not None
    dialog.deleteLater()
    if restored and parent is not None:
        reload_after_restore(parent)
    return restored


def reload_after_restore(window) -> None:
    """Reopen the window's dataset from the restored data (its old view may not write any more)."""
    dataset = getattr(window, "dataset", None)
    if dataset is not None and hasattr(window, "open_dataset"):
        try:
            window.open_dataset(dataset.unit_code, dataset.year)
            return
        except BudgetDeskError:
            log.info("dataset %s/%s is not in the restored backup", dataset.unit_code, dataset.year)
            window.dataset = None
    if hasattr(window, "refresh_chooser"):
        window.refresh_chooser()


class DailyBackup(QObject):
    """While the window is open: every hour, a backup if the newest one is a day old (and data changed)."""

    def __init__(self, store, parent: QObject | None = None, *, interval_ms: int = 3_600_000) -> None:
        super().__init__(parent)
        self.store = store
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.run)
        self.timer.start()

    def run(self) -> backup.BackupInfo | None:
        try:
            return backup.backup_if_due(self.store)
        except BudgetDeskError as exc:
            log.warning("daily backup failed: %s", exc)
            return None
