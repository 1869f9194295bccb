"""帮助 → 打开日志文件夹 and 自检, driven from the real menu."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from tests.test_gui_jobs import visible_progress_boxes

pytestmark = pytest.mark.usefixtures("key_dir")


def help_action(window, name):
    [action] = [action for action in window.help_menu.actions() if action.objectName() == name]
    return action


def test_open_log_folder_opens_the_folder_the_log_is_written_to(qtbot, window, tmp_path, monkeypatch):
    folder = tmp_path / "日志"
    monkeypatch.setenv("BUDGETDESK_LOG_DIR", str(folder))
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    action = help_action(window, "open_log_folder")
    assert action.text() == "打开日志文件夹"
    action.trigger()
    assert opened == [QUrl.fromLocalFile(str(folder))]
    assert folder.is_dir()  # made first, so a fresh install's file manager has something to open


def test_without_a_file_manager_the_log_folder_is_named(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETDESK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, title, text: shown.append((title, text)))
    help_action(window, "open_log_folder").trigger()
    assert shown and str(tmp_path / "logs") in shown[0][1]


def test_about_names_the_log_folder_in_use(qtbot, window, tmp_path, monkeypatch):
    from ui.common.help_dialog import about_text

    monkeypatch.setenv("BUDGETDESK_LOG_DIR", str(tmp_path / "别处"))
    assert str(tmp_path / "别处") in about_text(window.store)


def test_selftest_runs_as_a_job_and_shows_every_step(qtbot, window, store):
    before = [(d.unit_code, d.year, d.status) for d in store.list_datasets()]
    action = help_action(window, "selftest")
    assert action.text() == "自检"
    action.trigger()
    qtbot.waitUntil(lambda: getattr(window, "selftest_dialog", None) is not None
                    and window.selftest_dialog.isVisible(), timeout=180000)
    dialog = window.selftest_dialog
    assert visible_progress_boxes() == []  # closed before the result appeared
    lines = dialog.text.toPlainText().splitlines()
    assert dialog.windowTitle() == "自检通过" and dialog.passed
    assert lines[-1] == "自检通过。"
    steps = [line for line in lines if line[:1] in "✓✗"]
    assert len(steps) >= 6 and all(line.startswith("✓") for line in steps)
    assert any("打印整套文件为 PDF" in line for line in steps)
    assert [(d.unit_code, d.year, d.status) for d in store.list_datasets()] == before  # the clerk's data untouched
    dialog.close()


def test_the_selftest_menu_entry_runs_alone_and_shows_its_result(qtbot, tmp_path, monkeypatch):
    """``budgetdesk gui --selftest`` (the Linux menu entry 部门预算填报 自检): no main window, no user data;
    the steps in a window, the program ends when it is closed, 0 when every step worked."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.app import run_gui
    from ui.common import error_dialog
    from ui.common.support_actions import SelftestDialog

    monkeypatch.setenv("BUDGETDESK_LOG_DIR", str(tmp_path / "logs"))
    hooks_before = error_dialog._installed  # run_gui installs the error dialog hooks: taken out again below
    seen = []

    def close_when_shown() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, SelftestDialog) and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(200, close_when_shown)
            return
        seen.append((dialogs[0].windowTitle(), visible_progress_boxes(), dialogs[0].text.toPlainText()))
        dialogs[0].accept()

    QTimer.singleShot(200, close_when_shown)
    database = tmp_path / "never-opened.sqlite3"
    try:
        assert run_gui(db=str(database), selftest=True) == 0
    finally:
        if hooks_before is None:
            error_dialog.uninstall_exception_hooks()
    [(title, progress_boxes, text)] = seen
    assert title == "自检通过" and progress_boxes == [] and text.endswith("自检通过。")
    assert not database.exists()
