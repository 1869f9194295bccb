"""What the print dialog offers and what it remembers.

``PrintChoice`` is one line of the 打印内容 list. ``PrintMemory`` keeps the clerk's choices for one
dataset (单位 + 年度) in QSettings — the lines ticked, 加印封面, the printer and paper picked in the
system print dialog, the folder last exported to — so the dialog reopens as it was left, as clerks
who print the same set every year expect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from ui.common.file_dialogs import remember_folder, start_folder

WHOLE_DOCUMENT = "whole"
FORM_PREFIX = "form:"
PROJECT_PREFIX = "project:"
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\r\n\t]')


@dataclass(frozen=True)
class PrintChoice:
    """One line of the 打印内容 list.

    ``exclusive`` choices (the whole document, one project) print alone; form choices combine with
    each other. ``options_factory`` returns the keyword arguments for ``build_document`` /
    ``render_document``; it is called at render time, so it always sees the current data.
    """

    key: str
    title: str
    options_factory: Callable[[], dict] | None
    exclusive: bool
    form_id: str | None = None


def safe_file_name(text: str) -> str:
    """A file name Windows and Linux both accept (unit names may contain “/” or quotes)."""
    return _UNSAFE_FILE_CHARS.sub("_", text).strip(" .") or "部门预算"


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def _as_bool(value, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


class PrintMemory:
    """The print dialog's choices for one dataset, kept in QSettings under ``print/<unit>_<year>/``."""

    def __init__(self, unit_code: str, year: int, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings()
        self.group = f"print/{safe_file_name(unit_code)}_{year}"

    def _key(self, name: str) -> str:
        return f"{self.group}/{name}"

    # ticked lines (keys of PrintChoice); None when this dataset was never printed
    def ticked(self) -> list[str] | None:
        value = self.settings.value(self._key("ticked"))
        return None if value is None else _as_list(value)

    def set_ticked(self, keys: list[str]) -> None:
        # an empty list is stored as a marker string: QSettings' INI format loses empty lists
        self.settings.setValue(self._key("ticked"), keys if keys else "")

    def cover(self) -> bool:
        return _as_bool(self.settings.value(self._key("cover")), False)

    def set_cover(self, value: bool) -> None:
        self.settings.setValue(self._key("cover"), bool(value))

    def printer(self) -> tuple[str, str]:
        """(printer name, paper size id as text); empty when never printed."""
        return (str(self.settings.value(self._key("printer"), "") or ""),
                str(self.settings.value(self._key("paper"), "") or ""))

    def set_printer(self, name: str, paper: str) -> None:
        self.settings.setValue(self._key("printer"), name)
        self.settings.setValue(self._key("paper"), paper)

    def folder(self) -> Path:
        """Where 导出 PDF opens: this dataset's last export folder, the last folder used, or Documents."""
        return start_folder(self._key("folder"), self.settings)

    def set_folder(self, folder: Path) -> None:
        remember_folder(folder, self._key("folder"), self.settings)
