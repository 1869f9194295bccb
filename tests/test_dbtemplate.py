"""The session's template databases (tests/dbtemplate.py) give each test what the real way would have:
a new store's schema as Alembic makes it, seed 004 as ``import_file`` and ``import-json`` write it."""

import re
import sqlite3
from pathlib import Path

from sqlalchemy import text

from app.domain.records import UnitInfo
from app.exchange.interchange import import_file
from app.store.service import Store
from db import engine as db_engine
from tests.conftest import SEED004, dump, run

_TIME = re.compile(r"'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?'")
_TOKEN = re.compile(r"'[0-9a-f]{32}'")


def _comparable(db: Path) -> list[str]:
    """The file's SQL dump with what differs between two honest imports masked: the audit's times and
    each dataset's random token."""
    return [_TOKEN.sub("'TOKEN'", _TIME.sub("'TIME'", line)) for line in dump(db)]


def _migrated_for_real(path: Path) -> Path:
    engine = db_engine.make_engine(str(path))
    db_engine.run_alembic(engine, "upgrade", "head")
    engine.dispose()
    return path


def test_a_new_database_is_filled_from_the_template_not_by_alembic(tmp_path, template_databases, monkeypatch):
    template_databases.migrated()  # made (for real) before the spy is in place
    ran: list[str] = []
    monkeypatch.setattr(db_engine, "run_alembic", lambda engine, action, revision: ran.append(action))
    store = Store(str(tmp_path / "new.sqlite3"))
    store.close()
    assert ran == []


def test_a_new_database_matches_one_migrated_by_alembic(tmp_path):
    store = Store(str(tmp_path / "new.sqlite3"))
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == db_engine.head_revision()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
    store.close()
    assert dump(tmp_path / "new.sqlite3") == dump(_migrated_for_real(tmp_path / "alembic.sqlite3"))


def test_an_older_database_is_still_migrated_for_real(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = db_engine.make_engine(str(path))
    db_engine.run_alembic(engine, "upgrade", "0001")
    engine.dispose()
    store = Store(str(path))
    store.close()
    assert dump(path) == dump(_migrated_for_real(tmp_path / "alembic.sqlite3"))


def test_seed_dataset_holds_what_the_import_writes(store, seed_dataset, tmp_path):
    assert seed_dataset.unit_code == "359" and seed_dataset.year == 2023
    store.close()
    imported = Store(str(tmp_path / "imported.sqlite3"))
    import_file(imported, SEED004)
    imported.close()
    assert _comparable(store.path) == _comparable(tmp_path / "imported.sqlite3")


def test_seed_dataset_is_imported_for_real_into_a_store_already_written(store, template_databases, tmp_path):
    store.create_unit(UnitInfo(code="900", name="先建的单位"))  # what a fixture before seed_dataset might do
    assert template_databases.fill_with_seed(store) is False
    connection = sqlite3.connect(store.path)
    try:
        assert connection.execute("SELECT code FROM unit").fetchall() == [("900",)]
    finally:
        connection.close()


def test_seeded_db_is_the_file_import_json_makes(seeded_db, tmp_path, capsys):
    fresh = tmp_path / "fresh.sqlite3"
    assert run(capsys, "--db", str(fresh), "import-json", str(SEED004))[0] == 0
    assert _comparable(seeded_db) == _comparable(fresh)
