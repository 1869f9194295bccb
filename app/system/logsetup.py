"""The log file: rotating, in the platform's user log directory (``BUDGETDESK_LOG_DIR`` overrides).

Set up once by each entry point (CLI ``main``, the GUI); the core only calls ``logging.getLogger(__name__)``.
Tracebacks of unexpected errors go here, never onto the clerk's screen.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from platformdirs import user_log_dir

LOG_NAME = "budgetdesk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
_HANDLER_MARK = "_budgetdesk_handler"


def log_dir() -> Path:
    override = os.environ.get("BUDGETDESK_LOG_DIR")
    if override:
        return Path(override)
    return Path(user_log_dir("BudgetDesk", "BudgetDesk"))


def log_file() -> Path:
    return log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Attach the rotating file handler to the root logger (once per log file); returns the log file,
    or None when the directory cannot be written (the program still runs, unlogged)."""
    path = log_file()
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, _HANDLER_MARK, None) == str(path):
            return path
    for handler in list(root.handlers):  # a different directory (tests switch it): replace ours
        if getattr(handler, _HANDLER_MARK, None):
            root.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8",
                                      errors="backslashreplace",
                                      delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    setattr(handler, _HANDLER_MARK, str(path))
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return path
