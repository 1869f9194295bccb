"""Faults in the window: one Chinese dialog instead of a traceback or a vanished window.

``install_exception_hooks`` routes ``sys.excepthook``, ``threading.excepthook`` and Qt's own messages
(``qInstallMessageHandler``) here. The dialog says what happened, that saved data is safe, where the log
file is, and has 复制详细信息 (the traceback onto the clipboard). ``call_with_retry`` runs a write and,
while the database is locked by another program, offers 重试.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.base.faults import SAFE, DatabaseBusyError, DatabaseFault, translate
from app.system.logsetup import log_file

log = logging.getLogger(__name__)

UNEXPECTED = "程序遇到了意外问题，刚才这一步没有完成。"


class ErrorDialog(QDialog):
    """The one fault dialog. ``exec()`` returns ``ErrorDialog.RETRY`` when 重试 was chosen."""

    RETRY = 2

    def __init__(self, parent: QWidget | None, title: str, message: str, *, details: str = "",
                 retry: bool = False, extra_button: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(title)
        self.details = details
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        top.addWidget(icon)
        text = QLabel(message, self)
        text.setObjectName("errorMessage")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setMinimumWidth(420)
        top.addWidget(text, 1)
        layout.addLayout(top)
        where = QLabel(f"日志文件：{log_file()}", self)
        where.setObjectName("errorLogPath")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton("复制详细信息", self)
        self.copy_button.setObjectName("copyDetails")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.retry_button = None
        if retry:
            self.retry_button = QPushButton("重试", self)
            self.retry_button.setObjectName("retry")
            self.retry_button.clicked.connect(lambda: self._finish("retry", self.RETRY))
            buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.extra_button = None
        if extra_button:
            self.extra_button = QPushButton(extra_button, self)
            self.extra_button.setObjectName("extra")
            self.extra_button.clicked.connect(lambda: self._finish("extra", QDialog.DialogCode.Accepted))
            buttons.addButton(self.extra_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = QPushButton("关闭" if not retry else "取消", self)
        close.setObjectName("close")
        close.clicked.connect(lambda: self._finish("close", QDialog.DialogCode.Rejected))
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.message = message

    def _finish(self, choice: str, code) -> None:
        self.choice = choice
        self.done(int(code.value) if hasattr(code, "value") else int(code))

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self.message}\n\n{self.details}".strip())


def describe(exc: BaseException) -> tuple[str, str]:
    """(title, message) for an exception, in the clerk's words."""
    error = translate(exc)
    if isinstance(error, DatabaseFault):
        return "数据库问题", str(error)
    if isinstance(error, BudgetDeskError):
        return "无法完成", str(error)
    return "程序错误", f"{UNEXPECTED}{SAFE}问题的详细信息已写入日志文件，请点“复制详细信息”发给技术人员。"


def format_details(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def show_error(parent: QWidget | None, exc: BaseException, *, retry: bool = False) -> bool:
    """Log ``exc`` and show the dialog; True when the clerk chose 重试."""
    title, message = describe(exc)
    details = format_details(exc)
    if isinstance(translate(exc, log_it=False), BudgetDeskError):
        log.warning("%s: %s", title, exc)
    else:
        log.error("unexpected error", exc_info=exc)
    dialog = ErrorDialog(parent, title, message, details=details, retry=retry)
    return dialog.exec() == ErrorDialog.RETRY


def show_message(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    log.warning("%s: %s", title, message)
    ErrorDialog(parent, title, message, details=details).exec()


def call_with_retry(parent: QWidget | None, action: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a write; while the database is locked by another program show the fault with 重试.

    Returns (done, result); (False, None) when the clerk gave up or another fault was shown."""
    while True:
        try:
            return True, action()
        except DatabaseBusyError as exc:
            if not show_error(parent, exc, retry=True):
                return False, None
        except DatabaseFault as exc:
            show_error(parent, exc)
            return False, None


class _Bridge(QObject):
    """Carries an exception from any thread to the GUI thread."""

    raised = Signal(object)


class ExceptionHooks:
    """What ``install_exception_hooks`` installed (kept so tests can uninstall)."""

    def __init__(self) -> None:
        self.bridge = _Bridge()
        self.bridge.raised.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.showing = False
        self.previous_excepthook = sys.excepthook
        self.previous_threading_hook = threading.excepthook
        self.previous_qt_handler = None

    def excepthook(self, exc_type, exc, tb) -> None:
        if exc is None:
            exc = exc_type()
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        if issubclass(exc_type, KeyboardInterrupt):
            log.info("interrupted")
            return
        app = QApplication.instance()
        if app is not None and threading.current_thread() is threading.main_thread():
            self._show(exc)
        else:
            self.bridge.raised.emit(exc)

    def threading_hook(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        exc = args.exc_value if args.exc_value is not None else args.exc_type()
        self.bridge.raised.emit(exc)

    def _show(self, exc: BaseException) -> None:
        if self.showing:  # one dialog at a time; what follows while it is open is logged only
            log.error("further error while the error dialog is open", exc_info=exc)
            return
        self.showing = True
        try:
            show_error(QApplication.activeWindow(), exc)
        except Exception:  # noqa: BLE001 - the dialog itself must never raise into Qt
            log.exception("could not show the error dialog")
        finally:
            self.showing = False

    def qt_message(self, mode, context, message: str) -> None:
        where = f"{context.file}:{context.line}" if context is not None and context.file else ""
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            log.error("Qt %s %s", message, where)
            if mode == QtMsgType.QtCriticalMsg:
                self.bridge.raised.emit(_QtProblem(message))
        elif mode == QtMsgType.QtWarningMsg:
            log.warning("Qt %s %s", message, where)
        else:
            log.debug("Qt %s %s", message, where)

    def uninstall(self) -> None:
        sys.excepthook = self.previous_excepthook
        threading.excepthook = self.previous_threading_hook
        qInstallMessageHandler(self.previous_qt_handler)


class _QtProblem(Exception):
    """A critical message from Qt itself."""


_installed: ExceptionHooks | None = None


def install_exception_hooks() -> ExceptionHooks:
    """Route uncaught exceptions (any thread) and Qt's critical messages to the dialog and the log."""
    global _installed
    if _installed is not None:
        return _installed
    hooks = ExceptionHooks()
    sys.excepthook = hooks.excepthook
    threading.excepthook = hooks.threading_hook
    hooks.previous_qt_handler = qInstallMessageHandler(hooks.qt_message)
    _installed = hooks
    return hooks


def uninstall_exception_hooks() -> None:
    global _installed
    if _installed is not None:
        _installed.uninstall()
        _installed = None
