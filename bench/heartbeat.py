"""A heartbeat for the GUI thread: a QTimer ticking every 10–20 ms while an action runs, recording the
longest gap between two ticks. A gap is how long the event loop could not run — the window could not
repaint or take a click — so the longest gap is the longest stall the officer would feel.

``run_until(action, done)`` starts an action from the event loop (as a click would) and keeps the loop
running until ``done()`` holds, so synchronous work and work finished by a background job are measured
alike. Used by ``python -m bench bureau`` and its tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer

DEFAULT_INTERVAL_MS = 15


class Heartbeat:
    """Ticks while started; ``longest`` is the longest gap in seconds (a gap still open at ``stop`` counts)."""

    def __init__(self, interval_ms: int = DEFAULT_INTERVAL_MS) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.longest = 0.0
        self.ticks = 0
        self._last: float | None = None

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.longest = max(self.longest, now - self._last)
        self._last = now
        self.ticks += 1

    def start(self) -> Heartbeat:
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def stop(self) -> float:
        if self.timer.isActive():
            self._tick()
            self.timer.stop()
        self._last = None
        return self.longest

    def __enter__(self) -> Heartbeat:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def run_until(action: Callable[[], object], done: Callable[[], bool], timeout_s: float = 600.0,
              settle_ms: int = 60) -> float:
    """Start ``action`` from the event loop and run the loop until ``done()``; the seconds it took.

    The loop then runs ``settle_ms`` more, so a heartbeat sees the repaint that follows. Raises
    ``TimeoutError`` after ``timeout_s``."""
    loop = QEventLoop()
    clock = QElapsedTimer()
    started: list[float] = []
    finished: list[float] = []
    failures: list[BaseException] = []
    poll = QTimer()
    poll.setInterval(5)

    def begin() -> None:
        started.append(time.perf_counter())
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - handed back to the caller below, the loop stopped
            failures.append(exc)
            poll.stop()
            loop.quit()
            return
        check()

    def check() -> None:
        if finished or not started or failures:
            return
        try:
            now_done = done()
        except Exception as exc:  # noqa: BLE001 - handed back to the caller below, the loop stopped
            failures.append(exc)
            poll.stop()
            loop.quit()
            return
        if now_done:
            finished.append(time.perf_counter())
            poll.stop()
            QTimer.singleShot(settle_ms, loop.quit)
        elif clock.elapsed() > timeout_s * 1000:
            poll.stop()
            loop.quit()

    poll.timeout.connect(check)
    clock.start()
    QTimer.singleShot(0, begin)
    poll.start()
    loop.exec()
    if failures:
        raise failures[0]
    if not finished:
        raise TimeoutError(f"not done within {timeout_s:.0f} s")
    return finished[0] - started[0]
