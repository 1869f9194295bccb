"""Faults in the window: one Chinese dialog (with 复制详细信息, the log file, 重试 where it helps), never a
traceback or a vanished window; 备份与恢复."""

from __future__ import annotations

import os
import sqlite3
import threading

import pytest
from PySide6.QtCore import qCritical
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app.base.faults import DatabaseBusyError, ReadOnlyDatabaseError
from app.store import backup
from ui.common import error_dialog
from ui.common.error_dialog import ErrorDialog

CELL = ("three_public_expenses", "reception", "general_budget")


@pytest.fixture
def dialogs(monkeypatch):
    """Every ErrorDialog shown: its title, message, log line, details and buttons; ``answers`` says which
    button the clerk presses (default 关闭)."""
    shown = []
    answers: list[str] = []

    def fake_exec(self):
        shown.append({
            "title": self.windowTitle(), "message": self.message, "details": self.details,
            "log": self.findChild(QLabel, "errorLogPath").text(),
            "retry": self.retry_button is not None, "extra": self.extra_button.text() if self.extra_button else None,
            "dialog": self,
        })
        choice = answers.pop(0) if answers else "close"
        if choice == "copy":
            self.copy_button.click()
            choice = answers.pop(0) if answers else "close"
        self.choice = choice
        return ErrorDialog.RETRY if choice == "retry" else (1 if choice == "extra" else 0)

    monkeypatch.setattr(ErrorDialog, "exec", fake_exec)
    return shown, answers


@pytest.fixture
def hooks(qtbot):
    installed = error_dialog.install_exception_hooks()
    yield installed
    error_dialog.uninstall_exception_hooks()


def test_uncaught_exception_shows_one_chinese_dialog_and_copies_details(qtbot, hooks, dialogs, tmp_path):
    shown, answers = dialogs
    answers.extend(["copy", "close"])
    try:
        raise RuntimeError("something broke deep inside")
    except RuntimeError as exc:
        import sys

        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1
    dialog = shown[0]
    assert dialog["title"] == "程序错误"
    assert "意外问题" in dialog["message"] and "已保存的数据不受影响" in dialog["message"]
    assert "日志文件" in dialog["log"] and "budgetdesk.log" in dialog["log"]
    assert "RuntimeError: something broke deep inside" in dialog["details"]
    copied = QGuiApplication.clipboard().text()
    assert "Traceback" in copied and "something broke deep inside" in copied


def test_database_fault_in_a_thread_reaches_the_dialog(qtbot, hooks, dialogs):
    shown, _ = dialogs

    def work():
        raise DatabaseBusyError("数据库正被另一个程序占用。已保存的数据不受影响。")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert shown[0]["title"] == "数据库问题" and "已保存的数据不受影响" in shown[0]["message"]


def test_qt_critical_message_shows_the_dialog(qtbot, hooks, dialogs):
    shown, _ = dialogs
    qCritical("a critical thing in Qt")
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "a critical thing in Qt" in shown[0]["details"]


def test_read_only_window_shows_data_and_says_so(qtbot, db_path, seed_dataset, store, monkeypatch, dialogs,
                                                  tmp_path):
    from PySide6.QtCore import QSettings

    from ui.app import open_store, start_window

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))

    store.close()
    infos = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: infos.append(args[2]))
    ro_store = open_store(str(db_path), read_only=True)
    assert ro_store.read_only
    window = start_window(ro_store)
    qtbot.addWidget(window)
    window.open_dataset("359", 2023)
    assert infos and "只读" in infos[0]
    assert window.findChild(QLabel, "read_only_flag").text() == "只读"
    assert str(window.dataset.value(*CELL)) == "0.43"
    with pytest.raises(ReadOnlyDatabaseError):
        window.dataset.set_cell(*CELL, "1")
    ro_store.close()


def test_newer_schema_at_start_is_a_dialog(qtbot, db_path, seed_dataset, store, dialogs):
    from ui.app import open_store

    shown, _ = dialogs
    store.close()
    connection = sqlite3.connect(db_path)
    connection.execute("UPDATE alembic_version SET version_num='0099'")
    connection.commit()
    connection.close()
    assert open_store(str(db_path)) is None
    assert len(shown) == 1 and "0099" in shown[0]["message"] and not shown[0]["retry"]


def test_locked_at_start_offers_retry(qtbot, db_path, seed_dataset, store, dialogs, monkeypatch):
    from ui.app import open_store

    shown, answers = dialogs
    store.close()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    monkeypatch.setenv("BUDGETDESK_BUSY_TIMEOUT_MS", "50")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM unit WHERE 0")
    answers.append("retry")
    original_exec = ErrorDialog.exec

    def release_then_retry(self):  # the other program lets go while the dialog is open
        holder.execute("ROLLBACK")
        return original_exec(self)

    monkeypatch.setattr(ErrorDialog, "exec", release_then_retry)
    opened = open_store(str(db_path))
    holder.close()
    assert opened is not None and not opened.read_only
    assert len(shown) == 1 and shown[0]["retry"] and "数据库正被另一个程序" in shown[0]["message"]
    opened.close()


def test_damaged_database_at_start_offers_the_newest_good_backup(qtbot, db_path, seed_dataset, store, dialogs,
                                                                 monkeypatch):
    from ui.app import open_store

    shown, answers = dialogs
    seed_dataset.set_cell(*CELL, "4.44")
    good = backup.create_backup(store, "manual")
    store.close()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(f"{db_path}{suffix}"):
            os.remove(f"{db_path}{suffix}")
    db_path.write_bytes(os.urandom(12288))
    infos = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: infos.append(args[2]))
    answers.append("extra")
    opened = open_store(str(db_path))
    assert len(shown) == 1
    assert shown[0]["extra"] == "恢复最新备份" and "已损坏" in shown[0]["message"]
    assert f"{good.time:%Y-%m-%d %H:%M:%S}" in shown[0]["message"]
    assert opened is not None
    assert str(opened.open_dataset("359", 2023).value(*CELL)) == "4.44"
    assert infos and "已从" in infos[0]
    opened.close()


def test_damaged_database_without_backup_is_a_plain_dialog(qtbot, tmp_path, dialogs):
    from ui.app import open_store

    shown, _ = dialogs
    db = tmp_path / "bad.sqlite3"
    db.write_bytes(b"garbage" * 1000)
    assert open_store(str(db)) is None
    assert len(shown) == 1 and shown[0]["extra"] is None and "已损坏" in shown[0]["message"]


def test_locked_write_offers_retry(qtbot, store, seed_dataset, db_path, dialogs, monkeypatch):
    shown, answers = dialogs
    monkeypatch.setenv("BUDGETDESK_BUSY_TIMEOUT_MS", "50")
    store.engine.dispose()  # new connections take the short wait
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    original_exec = ErrorDialog.exec
    answers.append("retry")

    def release_then_retry(self):
        holder.execute("ROLLBACK")
        return original_exec(self)

    monkeypatch.setattr(ErrorDialog, "exec", release_then_retry)
    done, _ = error_dialog.call_with_retry(None, lambda: seed_dataset.set_cell(*CELL, "8.88"))
    holder.close()
    assert done and len(shown) == 1 and shown[0]["retry"]
    assert str(store.open_dataset("359", 2023).value(*CELL)) == "8.88"


def test_backup_dialog_creates_lists_and_restores(qtbot, window, store, seed_dataset):
    from ui.window.backup_dialog import BackupDialog, reload_after_restore

    window.dataset.set_cell(*CELL, "1.23")
    questions = []
    dialog = BackupDialog(store, window, confirm=lambda text: questions.append(text) or True)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.backup_job.outcome == "done", timeout=60000)  # the job helper (ui.common.jobs)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 2).text() == "手动备份" and dialog.table.item(0, 1).text().endswith("KB")
    window.dataset.set_cell(*CELL, "3.21")
    dialog.table.selectRow(0)
    assert dialog.restore_selected()
    assert questions and "替换数据库中的全部数据" in questions[0]
    assert dialog.table.rowCount() == 2  # the safety backup of the state before the restore
    reload_after_restore(window)
    assert str(window.dataset.value(*CELL)) == "1.23"


def test_backup_dialog_declined_restore_changes_nothing(qtbot, store, seed_dataset):
    from ui.window.backup_dialog import BackupDialog

    backup.create_backup(store, "manual")
    seed_dataset.set_cell(*CELL, "3.21")
    dialog = BackupDialog(store, None, confirm=lambda _text: False)
    qtbot.addWidget(dialog)
    assert not dialog.restore_selected()
    assert str(store.open_dataset("359", 2023).value(*CELL)) == "3.21"


def test_open_backup_dialog_reloads_the_window(qtbot, window, store, monkeypatch):
    from ui.window import backup_dialog

    window.dataset.set_cell(*CELL, "1.50")
    backup.create_backup(store, "manual")
    window.dataset.set_cell(*CELL, "2.50")

    def exec_and_restore(self):
        self.restore_selected()
        return 0

    monkeypatch.setattr(backup_dialog.BackupDialog, "exec", exec_and_restore)
    assert backup_dialog.open_backup_dialog(window, store, confirm=lambda _text: True)
    assert str(window.dataset.value(*CELL)) == "1.50"
    assert window.form_tabs  # the tabs were rebuilt on the restored data


def test_daily_backup_timer(qtbot, store, seed_dataset):
    from ui.window.backup_dialog import DailyBackup

    daily = DailyBackup(store, interval_ms=10)
    qtbot.waitUntil(lambda: len(backup.list_backups(store)) == 1)
    daily.timer.stop()
    assert backup.list_backups(store)[0].reason == "daily"
    assert daily.run() is None  # not a day old yet


def test_error_dialog_buttons_for_real(qtbot):
    dialog = ErrorDialog(None, "数据库问题", "数据库正被另一个程序占用。", details="trace", retry=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.copy_button.click()
    assert QApplication.clipboard().text().endswith("trace")
    assert dialog.isVisible()  # copying does not close it
    dialog.retry_button.click()
    assert not dialog.isVisible()
    assert dialog.result() == ErrorDialog.RETRY and dialog.choice == "retry"


def test_backup_action_in_the_window_opens_the_dialog(qtbot, window, monkeypatch):
    from PySide6.QtGui import QAction

    from ui.window import backup_dialog

    opened = []
    monkeypatch.setattr(backup_dialog.BackupDialog, "exec", lambda self: opened.append(self.store) or 0)
    action = window.findChild(QAction, "backup_restore")
    assert action is not None and action.text() == "备份与恢复…"
    action.trigger()
    assert opened == [window.store]


@pytest.mark.parametrize("message", ["database is locked", "database or disk is full",
                                     "attempt to write a readonly database", "database disk image is malformed"])
def test_each_database_fault_is_a_dialog_in_words(qtbot, hooks, dialogs, message):
    import sys

    from sqlalchemy.exc import OperationalError

    shown, _ = dialogs
    error = OperationalError("UPDATE cell_value SET millionths=1", {}, sqlite3.OperationalError(message))
    sys.excepthook(type(error), error, None)
    assert len(shown) == 1 and shown[0]["title"] == "数据库问题"
    assert message not in shown[0]["message"] and "。" in shown[0]["message"]
    assert message in shown[0]["details"]  # the driver's words only behind 复制详细信息


def test_cell_typed_while_the_database_is_locked_is_written_on_retry(qtbot, window, store, db_path, dialogs,
                                                                       monkeypatch):
    """Another program holds the database while the clerk leaves a cell: the fault dialog offers 重试, the
    typed value is not lost, and after 重试 it is stored, shown and undoable."""
    from tests.test_gui_editor import shown as shown_value
    from tests.test_gui_editor import tab, type_into

    shown, answers = dialogs
    monkeypatch.setenv("BUDGETDESK_BUSY_TIMEOUT_MS", "50")
    store.engine.dispose()  # new connections take the short wait
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    original_exec = ErrorDialog.exec
    answers.append("retry")

    def release_then_retry(self):  # the other program lets go while the dialog is open
        holder.execute("ROLLBACK")
        return original_exec(self)

    monkeypatch.setattr(ErrorDialog, "exec", release_then_retry)
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "reception", "general_budget", "7.77")
    holder.close()
    assert len(shown) == 1 and shown[0]["retry"] and "数据库正被另一个程序" in shown[0]["message"]
    assert shown_value(three, "reception", "general_budget") == "7.77"
    assert str(store.open_dataset("359", 2023).value(*CELL)) == "7.77"
    assert window.controller.undo_stack.count() == 1


def test_cell_typed_while_locked_and_given_up_changes_nothing(qtbot, window, store, db_path, dialogs, monkeypatch):
    from tests.test_gui_editor import shown as shown_value
    from tests.test_gui_editor import tab, type_into

    shown, answers = dialogs
    before = str(store.open_dataset("359", 2023).value(*CELL))
    monkeypatch.setenv("BUDGETDESK_BUSY_TIMEOUT_MS", "50")
    store.engine.dispose()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    answers.append("close")
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)  # the refusal's own dialog
    three = tab(window, "three_public_expenses")
    try:
        type_into(qtbot, three, "reception", "general_budget", "9.99")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(shown) == 1 and shown[0]["retry"]
    assert shown_value(three, "reception", "general_budget") == before
    assert str(store.open_dataset("359", 2023).value(*CELL)) == before
    assert window.controller.undo_stack.count() == 0
