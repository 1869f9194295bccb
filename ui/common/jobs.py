"""Long work off the GUI thread: a worker thread, a progress dialog with 取消, results back on the GUI thread.

``run_job(parent, title, work, on_done)`` runs ``work(progress)`` (a Qt-free core call that accepts an
``app.base.progress.Progress``) in a QThread. The window keeps painting; 取消 sets the progress's cancel flag,
which the core checks between units of work (it raises ``Cancelled`` before writing anything).
Outcomes arrive on the GUI thread: ``on_done(result)``; a ``BudgetDeskError`` as a Chinese message box
(or ``on_error``); anything unexpected goes to ``sys.excepthook`` (the application's error dialog).
Every long job of the program goes through here, and the progress dialog is closed (hidden, its
show-after timer stopped) before any of those run, so no result, refusal or error ever opens under it.

While jobs run, Python's full (generation 2) garbage collections are deferred: a long render builds a
large heap, and each full collection then stops every thread — the GUI thread too — for hundreds of
milliseconds (measured: 0.2–0.5 s each, several per render of the large department). The usual
thresholds come back when the last job ends; the young generations are still collected meanwhile.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.base.errors import BudgetDeskError, Cancelled
from app.base.progress import Progress, time_left_text

# The progress dialog appears only when the work takes longer than this (quick work shows none).
SHOW_AFTER_MS = 300
# Progress reports reach the GUI thread at most this often (a page-by-page render reports hundreds
# of times a second; the bar cannot show more and the queue of signals would only grow).
REPORT_INTERVAL_S = 0.04
# gen-2 threshold while jobs run: never reached by a render or an import
DEFERRED_FULL_GC_THRESHOLD = 1_000_000
_running_jobs = 0
_saved_gc_threshold: tuple[int, int, int] | None = None


def _defer_full_gc() -> None:  # GUI thread only
    global _running_jobs, _saved_gc_threshold
    if _running_jobs == 0:
        _saved_gc_threshold = gc.get_threshold()
        young, middle, _old = _saved_gc_threshold
        gc.set_threshold(young, middle, DEFERRED_FULL_GC_THRESHOLD)
    _running_jobs += 1


def _restore_full_gc() -> None:  # GUI thread only
    global _running_jobs, _saved_gc_threshold
    _running_jobs -= 1
    if _running_jobs == 0 and _saved_gc_threshold is not None:
        gc.set_threshold(*_saved_gc_threshold)
        _saved_gc_threshold = None


class _Worker(QThread):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[Progress], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.progress = Progress(self._report)
        self._last_report = 0.0

    def _report(self, done: int, total: int, text: str) -> None:  # worker thread
        now = time.monotonic()
        final = not self.progress.cancellable
        if now - self._last_report >= REPORT_INTERVAL_S or (total > 0 and done >= total) or final:
            self._last_report = now
            self.progressed.emit(done, total, text)

    def run(self) -> None:  # runs in the worker thread: touch no widget here
        try:
            result = self.work(self.progress)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, which decides
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


class Job(QObject):
    """A running background job; ``finished`` fires on the GUI thread once it is over (any outcome)."""

    finished = Signal()
    progressed = Signal(int, int, str)  # on the GUI thread, for callers showing their own progress bar

    def __init__(self, parent: QWidget | None, title: str, work: Callable[[Progress], Any],
                 on_done: Callable[[Any], None] | None, on_error: Callable[[BaseException], None] | None,
                 show_dialog: bool) -> None:
        super().__init__(parent)
        self.title = title
        self.on_done = on_done
        self.on_error = on_error
        self.outcome: str | None = None  # "done", "cancelled", "failed"
        self.result: Any = None
        self.error: BaseException | None = None
        self.dialog: QProgressDialog | None = None
        self._cancel_shown = show_dialog
        self._gc_deferred = False
        if show_dialog:
            self.dialog = QProgressDialog(f"{title}……", "取消", 0, 0, parent)
            self.dialog.setWindowTitle(title)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(SHOW_AFTER_MS)  # quick work shows no dialog at all
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.cancel)
        self.worker = _Worker(work, self)
        self.worker.progressed.connect(self._progressed)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)

    def start(self) -> Job:
        _defer_full_gc()
        self._gc_deferred = True
        self.worker.start()
        return self

    @property
    def running(self) -> bool:
        return self.outcome is None

    def cancel(self) -> None:
        self.worker.progress.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText("正在取消……")

    def wait(self, msecs: int = 60000) -> bool:
        return self.worker.wait(msecs)

    def stop(self) -> None:
        """取消 and wait until the worker has stopped (before closing what the work uses)."""
        self.cancel()
        self.worker.wait()
        self._release_gc()  # the outcome may never be delivered if the owner is deleted next

    def _progressed(self, done: int, total: int, text: str) -> None:
        if self.worker.progress.cancelled or self.outcome is not None:
            return
        self.progressed.emit(done, total, text)
        dialog = self.dialog
        if dialog is None:
            return
        if not self.worker.progress.cancellable and self._cancel_shown:
            dialog.setCancelButton(None)  # past the point of no return (Progress.final_step)
            self._cancel_shown = False
        if text:
            dialog.setLabelText(text)
        dialog.setMaximum(max(total, 0))
        # last: on a modal dialog setValue processes events, which may finish the job and close it
        dialog.setValue(min(done, total) if total > 0 else 0)

    def _release_gc(self) -> None:
        if self._gc_deferred:
            self._gc_deferred = False
            _restore_full_gc()

    def _close(self) -> None:
        self.worker.wait()
        self._release_gc()
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            # reset() also stops the dialog's show-after timer, which setValue(0) (re)starts and hide()
            # leaves running: it would pop the box up over the result message, window-modal, 300 ms later
            # (issue 24: "the 上报…… box covers the result, whose 确定 does nothing").
            dialog.canceled.disconnect(self.cancel)
            dialog.reset()
            dialog.hide()
            dialog.deleteLater()

    def _succeeded(self, result: Any) -> None:
        self._close()
        self.outcome, self.result = "done", result
        try:
            if self.on_done is not None:
                self.on_done(result)
        finally:
            self.finished.emit()

    def _failed(self, exc: BaseException) -> None:
        self._close()
        self.error = exc
        self.outcome = "cancelled" if isinstance(exc, Cancelled) else "failed"
        try:
            if self.on_error is not None:
                self.on_error(exc)
            elif isinstance(exc, Cancelled):
                pass
            elif isinstance(exc, BudgetDeskError):
                QMessageBox.warning(self.parent() if isinstance(self.parent(), QWidget) else None, self.title, str(exc))
            else:
                sys.excepthook(type(exc), exc, exc.__traceback__)
        finally:
            self.finished.emit()


def run_job(parent: QWidget | None, title: str, work: Callable[[Progress], Any],
            on_done: Callable[[Any], None] | None = None, *,
            on_error: Callable[[BaseException], None] | None = None, show_dialog: bool = True) -> Job:
    """Start ``work(progress)`` in a worker thread; see the module docstring."""
    return Job(parent, title, work, on_done, on_error, show_dialog).start()


def quiet(progress: Progress) -> Progress:
    """The job's progress without its per-step text.

    ``Job._progressed`` calls ``QProgressDialog.setValue`` (which processes events while the dialog is
    modal, so the job's end can close the dialog) before ``setLabelText`` on the closed dialog; until
    that is fixed there, the bar moves and the label keeps the job's title.
    """
    return Progress(lambda done, total, _text: progress.step(done, total, ""))  # raises Cancelled after 取消


def counted(progress: Progress, verb: str) -> Progress:
    """The job's progress with the count, the step's own text and the time left, e.g.
    “正在导入 37/200：单位 101003 …，约剩 40 秒” (the core reports ``done`` before each item it starts)."""
    started = time.monotonic()

    def report(done: int, total: int, text: str) -> None:
        if total > 0 and done >= total:
            progress.step(done, total, f"{verb}完成：{total} 个")
            return
        left = time_left_text(done, total, time.monotonic() - started)
        progress.step(done, total, f"{verb} {done + 1}/{total}：{text}，{left}" if total > 0 else text)

    return Progress(report)  # raises Cancelled after 取消, through progress.step
