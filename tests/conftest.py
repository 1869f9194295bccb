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
