"""The one place for feedback that needs no decision: a line in the window's status bar.

A refusal the clerk only needs to read (typing into a computed or locked cell, a paste that skipped
cells, 为提示填写说明… with nothing selected, a typo in a cell) is said here, never in a modal box. It is
gone at the clerk's next action: the next key press or mouse click anywhere in the program clears it
before that action runs, so an action that is refused again says so afresh.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from ui.common.style import set_role

log = logging.getLogger(__name__)

# What counts as the clerk's next action: a key pressed or a mouse button pressed.
NEXT_ACTION_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)


class FeedbackLine(QLabel):
    """Shown in the main window's status bar (``MainWindow.feedback``); ``say`` finds it from any widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedback")
        self.setWordWrap(False)
        set_role(self, "error")
        self.hide()
        self._watching = False

    def show_text(self, text: str, *, refusal: bool = True) -> None:
        if not text:
            self.clear_text()
            return
        log.info("feedback: %s", text)
        set_role(self, "error" if refusal else "counts")
        self.setText(text)
        self.setToolTip(text)
        self.show()
        self._watch(True)
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().clearMessage()  # a temporary status message would hide this line

    def clear_text(self) -> None:
        if self.text():
            self.setText("")
            self.setToolTip("")
        self.hide()
        self._watch(False)

    def _watch(self, on: bool) -> None:
        # The application-wide filter is there only while a message shows: no cost the rest of the time.
        application = QApplication.instance()
        if application is None or on == self._watching:
            return
        if on:
            application.installEventFilter(self)
        else:
            application.removeEventFilter(self)
        self._watching = on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        # Runs before the widget handles the press: the old message goes, a new refusal may follow.
        if event.type() in NEXT_ACTION_EVENTS and self.text() and isinstance(watched, QWidget):
            self.clear_text()
        return False


def feedback_line(widget: QWidget | None) -> FeedbackLine | None:
    """The feedback line of the window ``widget`` sits in (a floating dock still finds its window's)."""
    while widget is not None:
        line = getattr(widget, "feedback", None)
        if isinstance(line, FeedbackLine):
            return line
        widget = widget.parentWidget()
    return None


def say(widget: QWidget | None, text: str, *, refusal: bool = True) -> None:
    """Say ``text`` (or, with "", clear the line) in the feedback line of ``widget``'s window."""
    line = feedback_line(widget)
    if line is not None:
        line.show_text(text, refusal=refusal)
    elif text:
        log.info("feedback (no window to show it in): %s", text)


__all__ = ["FeedbackLine", "feedback_line", "say"]
