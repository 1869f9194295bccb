"""Drive every action a window offers, answering whatever it asks (tests/test_gui_every_action.py).

``ActionSweep`` enumerates a window's QAction objects (menus, submenus, toolbars) and tab widgets itself,
so an action added later is clicked without a new test. Every question is answered automatically, in
one of two moods: ``accept`` (OK / 是 / a file in the sweep's folder) or ``cancel`` (取消 / 否 / no file):

- the static boxes (QMessageBox, QFileDialog, QInputDialog) are replaced for the sweep;
- a dialog run by ``exec()`` or ``open()`` is found by a timer (it fires inside the dialog's own event
  loop), its other push buttons are pressed once each (accept mood), then it is accepted or rejected.

What counts as a crash: an exception reaching Qt (pytest-qt fails the test on its own), an ERROR log
record, and any 程序错误 dialog (ui/common/error_dialog.py).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTabWidget,
    QToolBar,
    QWidget,
)

from ui.common import jobs

ACCEPT, CANCEL = "accept", "cancel"
# Buttons a sweep never presses inside a dialog: they leave the program (external viewers, printers).
NEVER_PRESS = ("打印…", "打印", "复制详细信息")
# How often one dialog is accepted before the sweep gives up and rejects it (a form that refuses
# empty input stays open; pressing OK forever would hang the test).
ACCEPT_TRIES = 2


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@dataclass
class SweepLog:
    """What the sweep did and what went wrong (the test asserts ``problems`` is empty)."""

    triggered: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _extensions(file_filter: str) -> list[str]:
    return re.findall(r"\*\.(\w+)", file_filter or "")


def all_actions(window: QWidget) -> list[QAction]:
    """Every action of the window's menu bar (submenus too) and tool bars, in the order shown, once each.

    Submenus are found as the window's QMenu children, never through ``QAction.menu()``: PySide6 hands
    that menu to Python's ownership, and the menu (with its actions) is deleted with the wrapper."""
    menus = {menu.menuAction(): menu for menu in window.findChildren(QMenu)}
    found: list[QAction] = []

    def walk(actions) -> None:
        for action in actions:
            if action.isSeparator() or action in found:
                continue
            if action in menus:
                walk(menus[action].actions())
                continue
            if action.text() or action.objectName():
                found.append(action)

    menu_bar = getattr(window, "menuBar", None)
    if callable(menu_bar):
        walk(menu_bar().actions())
    for toolbar in window.findChildren(QToolBar):
        walk(action for action in toolbar.actions() if not _is_widget_action(toolbar, action))
    return found


def _is_widget_action(toolbar: QToolBar, action: QAction) -> bool:
    """A tool bar's embedded widget (a label, the 单位/年度 chooser) is not an action to trigger."""
    widget = toolbar.widgetForAction(action)
    return widget is not None and not isinstance(widget, QAbstractButton)


def name_of(action: QAction) -> str:
    return (action.text() or action.objectName()).replace("&", "")


class ActionSweep:
    def __init__(self, qtbot, monkeypatch, folder: Path) -> None:
        self.qtbot = qtbot
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.mood = ACCEPT
        self.log = SweepLog()
        self._handling: set[int] = set()
        self._accepted: dict[int, int] = {}
        self._errors = _ErrorRecords()
        logging.getLogger().addHandler(self._errors)
        self._patch_static_boxes(monkeypatch)
        self.timer = QTimer()
        self.timer.setInterval(40)
        self.timer.timeout.connect(self._answer_modal)
        self.timer.start()

    def close(self) -> None:
        self.timer.stop()
        logging.getLogger().removeHandler(self._errors)

    # ---- the static boxes --------------------------------------------------------------------------
    def _patch_static_boxes(self, monkeypatch) -> None:
        sweep = self
        buttons = QMessageBox.StandardButton

        def box(kind):
            def answer(_parent, title="", text="", *args, **_kwargs):
                sweep._note(f"QMessageBox.{kind}: {title} — {str(text)[:80]}")
                if kind == "question":
                    return buttons.Yes if sweep.mood == ACCEPT else buttons.No
                return buttons.Ok
            return answer

        for kind in ("warning", "critical", "information", "question"):
            monkeypatch.setattr(QMessageBox, kind, box(kind))
        monkeypatch.setattr(QMessageBox, "about", lambda _parent, title, _text: self._note(f"about: {title}"))

        def open_name(_parent=None, caption="", _folder="", file_filter="", *args, **_kwargs):
            self._note(f"open file: {caption}")
            return (self.existing_file(file_filter), "") if self.mood == ACCEPT else ("", "")

        def save_name(_parent=None, caption="", _folder="", file_filter="", *args, **_kwargs):
            self._note(f"save file: {caption}")
            if self.mood != ACCEPT:
                return "", ""
            extension = (_extensions(file_filter) or ["out"])[0]
            return str(self.folder / f"sweep-{len(self.log.dialogs)}.{extension}"), ""

        def directory(_parent=None, caption="", *args, **_kwargs):
            self._note(f"folder: {caption}")
            return str(self.folder) if self.mood == ACCEPT else ""

        monkeypatch.setattr(QFileDialog, "getOpenFileName", open_name)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", directory)

        def text(kind, value):
            def answer(_parent, title, label="", *args, **_kwargs):
                self._note(f"QInputDialog.{kind}: {title}")
                return (value(args), self.mood == ACCEPT)
            return answer

        monkeypatch.setattr(QInputDialog, "getText", text("getText", lambda _args: "自动测试填写"))
        monkeypatch.setattr(QInputDialog, "getMultiLineText", text("getMultiLineText", lambda _args: "自动测试填写"))
        monkeypatch.setattr(QInputDialog, "getItem",
                            text("getItem", lambda args: (args[0][0] if args and args[0] else "")))
        # 打开日志文件夹 and the help would start a file manager or a browser on the test machine.
        monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: self._note(f"openUrl: {url.toString()}") or True)

    def existing_file(self, file_filter: str) -> str:
        """The newest file of a wanted kind the sweep has written (a package it made, an Excel export),
        else a name that does not exist: the program must refuse it in words."""
        extensions = _extensions(file_filter)
        candidates = [path for path in self.folder.iterdir()
                      if path.is_file() and (not extensions or path.suffix.lstrip(".") in extensions)]
        if candidates:
            return str(max(candidates, key=lambda path: path.stat().st_mtime))
        return str(self.folder / f"missing.{(extensions or ['bdp'])[0]}")

    # ---- dialogs run by exec() / open() -------------------------------------------------------------
    def _note(self, text: str) -> None:
        self.log.dialogs.append(text)

    def _answer_modal(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            dialog = next((widget for widget in QApplication.topLevelWidgets()
                           if isinstance(widget, QDialog) and widget.isVisible() and widget.isModal()
                           and not isinstance(widget, QProgressDialog) and id(widget) not in self._handling), None)
        if dialog is None or isinstance(dialog, QProgressDialog) or id(dialog) in self._handling:
            return
        if not isinstance(dialog, QDialog):
            return
        key = id(dialog)
        self._handling.add(key)
        try:
            self._answer(dialog)
        finally:
            self._handling.discard(key)

    def _answer(self, dialog: QDialog) -> None:
        title = dialog.windowTitle()
        self._note(f"dialog {type(dialog).__name__}: {title}")
        if dialog.objectName() == "errorDialog":  # a refusal in words is fine; 程序错误 is a crash
            if title == "程序错误":
                self.log.problems.append(f"程序错误 dialog: {getattr(dialog, 'details', '')}")
            dialog.reject()
            return
        key = id(dialog)
        if self.mood == ACCEPT and key not in self._accepted:
            self._press_inner_buttons(dialog)
        if not dialog.isVisible():
            return
        tries = self._accepted.get(key, 0)
        if self.mood == ACCEPT and tries < ACCEPT_TRIES:
            self._accepted[key] = tries + 1
            self._press_role(dialog, accept=True)
        else:
            self._press_role(dialog, accept=False)

    def _press_inner_buttons(self, dialog: QDialog) -> None:
        """Each enabled push button of the dialog that is not its OK / 取消, once."""
        boxes = dialog.findChildren(QDialogButtonBox)
        role_buttons = {id(button) for box in boxes for button in box.buttons()
                        if box.buttonRole(button) in (QDialogButtonBox.ButtonRole.AcceptRole,
                                                      QDialogButtonBox.ButtonRole.RejectRole,
                                                      QDialogButtonBox.ButtonRole.YesRole,
                                                      QDialogButtonBox.ButtonRole.NoRole)}
        for button in dialog.findChildren(QPushButton):
            if not dialog.isVisible():
                return
            if (id(button) in role_buttons or not button.isVisible() or not button.isEnabled()
                    or button.text().replace("&", "") in NEVER_PRESS):
                continue
            self._note(f"  button {button.text()}")
            button.click()
            self.wait_for_jobs()

    def _press_role(self, dialog: QDialog, *, accept: bool) -> None:
        wanted = ((QDialogButtonBox.ButtonRole.AcceptRole, QDialogButtonBox.ButtonRole.YesRole) if accept else
                  (QDialogButtonBox.ButtonRole.RejectRole, QDialogButtonBox.ButtonRole.NoRole))
        for box in dialog.findChildren(QDialogButtonBox):
            for button in box.buttons():
                if box.buttonRole(button) in wanted and button.isEnabled() and button.isVisible():
                    self._note(f"  {'OK' if accept else '取消'}: {button.text()}")
                    button.click()
                    return
        self._note(f"  {'accept()' if accept else 'reject()'}")
        dialog.accept() if accept else dialog.reject()

    # ---- actions -----------------------------------------------------------------------------------
    def wait_for_jobs(self) -> None:
        self.qtbot.waitUntil(lambda: jobs._running_jobs == 0, timeout=120_000)
        QApplication.processEvents()

    def trigger(self, action: QAction, where: str) -> None:
        if not action.isEnabled():
            self.log.triggered.append(f"{where}: {name_of(action)} (disabled)")
            return
        self.log.triggered.append(f"{where}: {name_of(action)}")
        action.trigger()
        self.wait_for_jobs()
        self.check(f"{where} → {name_of(action)}")

    def visit_tabs(self, window: QWidget, where: str, *, press_buttons: bool = True) -> None:
        """Every page of every tab widget (nested ones too); on each, the first row of its lists is
        selected and each visible push button of the window (the page's, the docks') is pressed once."""
        pressed: set[str] = set()
        if press_buttons:
            self.press_buttons(window, where, pressed)
        # a button may have closed a window that deletes itself on close (the help)
        for tabs in _alive(lambda: window.findChildren(QTabWidget), []):
            for index in range(_alive(tabs.count, 0)):
                if not _alive(lambda tabs=tabs, index=index: tabs.isTabEnabled(index) and tabs.isVisible(), False):
                    continue
                tabs.setCurrentIndex(index)
                QApplication.processEvents()
                page = f"tab {tabs.tabText(index)}"
                self.log.triggered.append(f"{where}: {page}")
                if press_buttons:
                    self.press_buttons(window, f"{where} {page}", pressed)
                self.check(f"{where} → {page}")

    def press_buttons(self, window: QWidget, where: str, pressed: set[str]) -> None:
        select_first_rows(window)
        buttons = [button for button in window.findChildren(QPushButton)
                   if button.window() is window and button.isVisible() and button.isEnabled()]
        for button in buttons:
            text = _alive(lambda button=button: button.text().replace("&", ""), "")
            if not text or text in pressed or text in NEVER_PRESS or not _alive(button.isVisible, False):
                continue
            pressed.add(text)
            self.log.triggered.append(f"{where}: button {text}")
            button.click()
            self.wait_for_jobs()
            self.check(f"{where} → {text}")

    def check(self, step: str) -> None:
        for line in self._errors.lines:
            self.log.problems.append(f"{step}: ERROR log {line}")
        self._errors.lines.clear()

    def close_extra_windows(self, keep: list[QWidget]) -> None:
        """Windows an action opened (help, a unit's forms, the bureau) are closed between runs."""
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget not in keep and not isinstance(widget, QMenu):
                widget.close()
        QApplication.processEvents()


def _alive(read, default):
    """``read()``, or ``default`` when the widget behind it was deleted by what the sweep pressed."""
    try:
        return read()
    except RuntimeError:
        return default


def select_first_rows(window: QWidget) -> None:
    """Select the first row of every visible list: actions on 所选 (a project, a unit) then have one."""
    for view in window.findChildren(QAbstractItemView):
        model = _alive(view.model, None)
        if model is None or not view.isVisible() or view.window() is not window:
            continue
        if model.rowCount() > 0 and not view.selectionModel().hasSelection():
            view.setCurrentIndex(model.index(0, 0))
