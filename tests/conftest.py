import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIXTURES = Path(__file__).parent / "fixtures"
SEED004 = FIXTURES / "seed004_2023.json"


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "budget.sqlite3"


@pytest.fixture
def store(db_path):
    from app.service import Store

    store = Store(str(db_path))
    yield store
    store.close()


@pytest.fixture
def seed_dataset(store):
    from app.interchange import import_file

    return import_file(store, SEED004)


@pytest.fixture
def window(qtbot, store, seed_dataset, tmp_path):
    """The main window on the seed-004 dataset, with settings kept out of the user's profile."""
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    main_window = MainWindow(store)
    qtbot.addWidget(main_window)
    main_window.show()
    main_window.open_dataset("359", 2023)
    return main_window
