"""Progress and cancellation for long work (print, import, 汇总), without Qt.

Core functions that may take long accept ``progress: Progress | None``; they call ``progress.step``
between units of work. The GUI passes one whose ``step`` forwards to a progress bar and raises
``Cancelled`` after 取消; the CLI passes one that prints a progress line, or none.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.base.errors import Cancelled


class Progress:
    """Reports ``done`` of ``total`` units with a short Chinese text; raises Cancelled once cancelled."""

    def __init__(self, report: Callable[[int, int, str], None] | None = None) -> None:
        self._report = report
        self._cancelled = threading.Event()
        self.cancellable = True

    def cancel(self) -> None:
        if self.cancellable:
            self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise Cancelled if 取消 was pressed (call it where stopping leaves nothing half-written)."""
        if self._cancelled.is_set() and self.cancellable:  # past final_step the work completes as a whole
            raise Cancelled()

    def step(self, done: int, total: int, text: str = "") -> None:
        self.check()
        if self._report is not None:
            self._report(done, total, text)

    def final_step(self, done: int, total: int, text: str = "") -> None:
        """The last point where 取消 can stop the work: call it just before writing. Afterwards 取消 is
        ignored (and the GUI takes its button away), so the work completes as a whole."""
        self.check()
        self.cancellable = False
        if self._report is not None:
            self._report(done, total, text)


def step(progress: Progress | None, done: int, total: int, text: str = "") -> None:
    """``progress.step`` for code that may be given no progress at all."""
    if progress is not None:
        progress.step(done, total, text)


def time_left_text(done: int, total: int, elapsed_s: float) -> str:
    """“约剩 40 秒” from the pace so far (``done`` of ``total`` took ``elapsed_s``); nothing to go on yet at 0."""
    if done <= 0 or elapsed_s <= 0:
        return "正在估算剩余时间"
    left = elapsed_s / done * max(total - done, 0)
    if left < 60:
        return f"约剩 {max(int(round(left)), 1)} 秒"
    return f"约剩 {int(round(left / 60))} 分钟"
