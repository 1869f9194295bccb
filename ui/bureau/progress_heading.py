"""A tab's heading while its figures are worked out: “正在统计 37/500，约剩 12 秒”.

进度 and 筛查 work out only the datasets whose stored result is stale (``app.bureau.stored``); the heading
counts those and estimates the time left from the pace so far. When the job ends without a result
(取消, or a refusal) the heading says again what it said before, so it never stays at “正在统计……”.
"""

from __future__ import annotations

import math
import time

from PySide6.QtWidgets import QLabel

# Below this many seconds left the estimate is given in seconds, above it in minutes.
SECONDS_SHOWN_UP_TO = 120


def time_left_text(seconds: float) -> str:
    if seconds < SECONDS_SHOWN_UP_TO:
        return f"约剩 {max(1, math.ceil(seconds))} 秒"
    return f"约剩 {math.ceil(seconds / 60)} 分钟"


class CountingHeading:
    """Follows one job at a time on ``label``: the count and time left, and the old text back after 取消."""

    def __init__(self, label: QLabel) -> None:
        self.label = label
        self.working = ""
        self.before = ""
        self.started = 0.0
        self.job = None

    def follow(self, job, working: str, idle: str) -> None:
        """Show ``working``…… for ``job``; ``idle`` is put back after 取消 if the heading said nothing yet."""
        if self.job is not None and self.job.running:  # a second 刷新 while the first still counts
            self.job.progressed.disconnect(self._progressed)
            self.job.finished.disconnect(self._finished)
        else:
            self.before = self.label.text() or idle
        self.working, self.job, self.started = working, job, time.monotonic()
        self.label.setText(f"{working}……")
        job.progressed.connect(self._progressed)
        job.finished.connect(self._finished)

    def _progressed(self, done: int, total: int, _text: str) -> None:
        if total <= 0 or done >= total:
            return
        text = f"{self.working} {done}/{total}"
        if done > 0:
            elapsed = time.monotonic() - self.started
            text += "，" + time_left_text(elapsed / done * (total - done))
        self.label.setText(text)

    def _finished(self) -> None:
        job, self.job = self.job, None
        if job is not None and job.outcome != "done":  # 取消 or a refusal: no new figures to show
            self.label.setText(self.before)


__all__ = ["CountingHeading", "time_left_text"]
