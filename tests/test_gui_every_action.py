"""Every action, clicked (issue 24): the clerk's window and the 财政局 window on three datasets (empty,
draft seed 004, 已上报) and on the first start (no dataset chosen, the 开始 page).

The menus, tool bars and tabs are enumerated (tests/every_action.py), never listed here, so an action
added later is covered by this test. Each dataset is swept twice: every question answered with OK /
是 / a file, then with 取消 / 否 / no file. A crash is an exception reaching Qt (pytest-qt), an ERROR
log record or a 程序错误 dialog.
"""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow

from app.domain.records import UnitInfo
from tests.conftest import explain_all_findings
from tests.every_action import ACCEPT, CANCEL, ActionSweep, all_actions, name_of
from ui.common.error_dialog import ErrorDialog
from ui.window.main_window import MainWindow

EMPTY_UNIT = ("901", 2023)


def _prepare(kind: str, store, seed_dataset) -> tuple[str, int] | None:
    if kind == "none":  # the first start: no dataset chosen, the 开始 page
        return None
    if kind == "empty":
        store.create_unit(UnitInfo(code=EMPTY_UNIT[0], name="空白测试单位"))
        store.create_dataset(*EMPTY_UNIT)
        return EMPTY_UNIT
    if kind == "submitted":
        explain_all_findings(seed_dataset)
        seed_dataset.set_status("submitted")
    return seed_dataset.unit_code, seed_dataset.year


def _sweep_window(sweep: ActionSweep, window, where: str, back_to=None) -> None:
    """``back_to``: called after each action, so an action that opened another dataset (新建下一年度,
    导入) does not leave the rest of the sweep on it."""
    sweep.visit_tabs(window, where)
    done: set[str] = set()
    while True:
        # enumerated again after every action: opening a dataset or a status change may rebuild some
        waiting = [action for action in all_actions(window) if name_of(action) not in done]
        if not waiting:
            return
        # 退出 last: the window stays usable for every other action
        action = min(waiting, key=lambda action: action.objectName() == "quit")
        done.add(name_of(action))
        sweep.trigger(action, where)
        if back_to is not None:
            back_to()


@pytest.mark.parametrize("mood", [ACCEPT, CANCEL])
@pytest.mark.parametrize("kind", ["none", "empty", "draft", "submitted"])
def test_every_action_of_both_windows(qtbot, monkeypatch, tmp_path, store, seed_dataset, key_dir, kind, mood):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    chosen = _prepare(kind, store, seed_dataset)
    sweep = ActionSweep(qtbot, monkeypatch, tmp_path / "files")
    sweep.mood = mood
    try:
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.show()
        if chosen is not None:
            window.open_dataset(*chosen)

        def back_to_dataset() -> None:
            if chosen is not None and (window.dataset is None
                                       or (window.dataset.unit_code, window.dataset.year) != chosen):
                window.open_dataset(*chosen)

        _sweep_window(sweep, window, "单位", back_to_dataset)
        bureau = getattr(window, "bureau_window", None)
        assert bureau is not None, "the sweep opens the 财政局 window from the clerk's menu"
        qtbot.addWidget(bureau)
        bureau.show()
        _sweep_window(sweep, bureau, "财政局")
        # what the actions opened beside the two windows (a unit's forms, the help): their tabs and buttons
        for other in QApplication.topLevelWidgets():
            if other.isVisible() and other not in (window, bureau) and isinstance(other, (QMainWindow, QDialog)):
                sweep.visit_tabs(other, other.windowTitle())
        sweep.close_extra_windows(keep=[])
        QApplication.processEvents()
    finally:
        sweep.close()
    triggered = [line for line in sweep.log.triggered if "(disabled)" not in line]
    assert len(triggered) > 20, sweep.log.triggered
    assert not sweep.log.problems, "\n".join(sweep.log.problems)


def test_the_sweep_sees_a_program_error_dialog_and_an_error_log_line(qtbot, monkeypatch, tmp_path):
    """The sweep's own detectors: an action that opens the 程序错误 dialog, one that logs an ERROR; a
    refusal in words (无法完成) is no problem."""
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = window.menuBar().addMenu("测试")
    menu.addAction("拒绝").triggered.connect(lambda: ErrorDialog(window, "无法完成", "不能这样做。").exec())
    menu.addAction("程序错误").triggered.connect(lambda: ErrorDialog(window, "程序错误", "意外").exec())
    menu.addAction("日志错误").triggered.connect(lambda: logging.getLogger("budget.test").error("broken"))
    window.show()
    sweep = ActionSweep(qtbot, monkeypatch, tmp_path / "files")
    try:
        actions = {name_of(action): action for action in all_actions(window)}
        assert set(actions) == {"拒绝", "程序错误", "日志错误"}
        sweep.trigger(actions["拒绝"], "测试")
        assert sweep.log.problems == []
        sweep.trigger(actions["程序错误"], "测试")
        sweep.trigger(actions["日志错误"], "测试")
    finally:
        sweep.close()
    assert len(sweep.log.problems) == 2, sweep.log.problems
    assert "程序错误" in sweep.log.problems[0] and "broken" in sweep.log.problems[1]
