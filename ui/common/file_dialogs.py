"""Where file dialogs open: the folder last used for this purpose, else the last folder used at all,
else the clerk's Documents folder — never the program's working directory (often the install folder
or the source checkout).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDir, QSettings, QStandardPaths

LAST_FOLDER_KEY = "files/last_folder"


def documents_folder() -> Path:
    """The user's Documents folder (文档), or the home folder where there is none."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if location and Path(location).is_dir():
        return Path(location)
    return Path(QDir.homePath())


def start_folder(key: str | None = None, settings: QSettings | None = None) -> Path:
    """The folder a file dialog for ``key`` (e.g. ``print/359|2023/folder``) should open in."""
    settings = settings or QSettings()
    for name in (key, LAST_FOLDER_KEY):
        if not name:
            continue
        value = settings.value(name)
        if value and Path(str(value)).is_absolute() and Path(str(value)).is_dir():
            return Path(str(value))
    return documents_folder()


def remember_folder(folder: str | Path, key: str | None = None, settings: QSettings | None = None) -> None:
    """Remember ``folder`` as the last one used (for ``key`` and for every other file dialog)."""
    settings = settings or QSettings()
    folder = str(Path(folder).resolve())
    if key:
        settings.setValue(key, folder)
    settings.setValue(LAST_FOLDER_KEY, folder)
