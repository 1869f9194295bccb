"""Database faults reach the clerk as Chinese sentences with exit code 1 (or 2), never a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.base.faults import (
    ConnectionLostError,
    CorruptDatabaseError,
    DatabaseBusyError,
    DiskFullError,
    NewerSchemaError,
    ReadOnlyDatabaseError,
    translate,
)
from app.cli.main import main
from tests.conftest import SEED004

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def seeded(tmp_path, capsys) -> Path:
    db = tmp_path / "faults.sqlite3"
    assert run(capsys, "--db", str(db), "import-json", str(SEED004))[0] == 0
    return db


def closed_file(db: Path) -> None:
    """Checkpoint the WAL into the main file and leave a single file (for byte-level damage)."""
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()


# ---- corrupt ------------------------------------------------------------------------------
def test_garbage_file_is_refused_in_words_and_left_untouched(tmp_path, capsys):
    db = tmp_path / "garbage.sqlite3"
    db.write_bytes(os.urandom(8192))
    before = digest(db)
    code, _, err = run(capsys, "--db", str(db), "units")
    assert code == 1
    assert "已损坏或不是 BudgetDesk 的数据库" in err and "文件不是数据库" in err and "backup restore" in err
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.sqlite3"]


def test_truncated_database_is_refused(seeded, capsys):
    closed_file(seeded)
    data = seeded.read_bytes()
    seeded.write_bytes(data[: len(data) // 2])
    code, _, err = run(capsys, "--db", str(seeded), "show", "three_public_expenses", "--unit", "359", "--year", "2023")
    assert code == 1 and "已损坏" in err and "本程序没有修改该文件" in err


def test_malformed_pages_fail_quick_check_on_open(seeded, capsys):
    closed_file(seeded)
    data = bytearray(seeded.read_bytes())
    page = 4096
    for start in range(page * 2, len(data), page):  # scribble over every page but the schema's
        data[start + 8: start + 40] = b"\xff" * 32
    seeded.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabaseError) as caught:
        from app.store.service import Store

        Store(str(seeded))
    assert caught.value.path == str(seeded)
    code, _, err = run(capsys, "--db", str(seeded), "units")
    assert code == 1 and "已损坏" in err


# ---- newer schema ------------------------------------------------------------------------
def test_newer_schema_is_named_and_the_file_not_touched(seeded, capsys):
    connection = sqlite3.connect(seeded)
    connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.commit()
    connection.close()
    closed_file(seeded)
    before = digest(seeded)
    for args in (["units"], ["set", "three_public_expenses", "reception", "general_budget", "1",
                             "--unit", "359", "--year", "2023"]):
        code, _, err = run(capsys, "--db", str(seeded), *args)
        assert code == 1
        assert "0099" in err and "较新版本" in err and "不会打开或修改" in err
    assert digest(seeded) == before
    from app.store.service import Store

    with pytest.raises(NewerSchemaError) as caught:
        Store(str(seeded))
    assert caught.value.revision == "0099"


def test_current_schema_opens_without_alembic(seeded):
    script = ("import sys\nfrom app.store.service import Store\n"
              f"store = Store({str(seeded)!r})\nstore.open_dataset('359', 2023)\n"
              "print('alembic' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False"


def test_head_revision_read_from_scripts_agrees_with_alembic():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from db.engine import head_revision, known_revisions

    config = Config()
    config.set_main_option("script_location", str(ROOT / "db" / "migrations"))
    scripts = ScriptDirectory.from_config(config)
    assert head_revision() == scripts.get_current_head()
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}


# ---- locked --------------------------------------------------------------------------------
def test_locked_database_write_is_refused_in_words_reading_still_works(seeded, capsys, monkeypatch):
    monkeypatch.setenv("BUDGETDESK_BUSY_TIMEOUT_MS", "100")
    holder = sqlite3.connect(seeded, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run(capsys, "--db", str(seeded), "set", "three_public_expenses", "reception",
                           "general_budget", "0.50", "--unit", "359", "--year", "2023")
        assert code == 1
        assert "数据库正被另一个程序" in err and "已保存的数据不受影响" in err
        code, out, _ = run(capsys, "--db", str(seeded), "show", "three_public_expenses", "--unit", "359",
                           "--year", "2023", "--json")
        assert code == 0 and json.loads(out)["rows"][0]["values"]["total"] == "9.31"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run(capsys, "--db", str(seeded), "set", "three_public_expenses", "reception", "general_budget", "0.50",
               "--unit", "359", "--year", "2023")[0] == 0


def test_locked_rollback_journal_database_cannot_even_be_read(tmp_path, capsys, monkeypatch):
    db = tmp_path / "journal.sqlite3"
    assert run(capsys, "--db", str(db), "import-json", str(SEED004))[0] == 0
    closed_file(db)
    monkeypatch.setenv("BUDGETDESK_BUSY_TIMEOUT_MS", "100")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM cell_value")
    try:
        code, _, err = run(capsys, "--db", str(db), "units")
        assert code == 1 and "数据库正被另一个程序" in err
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# ---- disk full -------------------------------------------------------------------------------
def test_disk_full_refuses_the_import_and_keeps_the_database(tmp_path, capsys):
    db = tmp_path / "full.sqlite3"
    assert run(capsys, "--db", str(db), "units")[0] == 0

    def cap_size(dbapi_connection, _record):  # the disk is full: the file may not grow by a page
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(Engine, "connect", cap_size)
    try:
        code, _, err = run(capsys, "--db", str(db), "import-json", str(SEED004))
    finally:
        event.remove(Engine, "connect", cap_size)
    assert code == 1 and "磁盘空间已满" in err and "已保存的数据不受影响" in err
    code, out, _ = run(capsys, "--db", str(db), "units", "--json")
    assert code == 0 and json.loads(out) == []


def test_enospc_from_the_operating_system_is_disk_full():
    error = OSError(28, "No space left on device")
    assert isinstance(translate(error), DiskFullError)


# ---- read-only -------------------------------------------------------------------------------
def test_read_only_option_shows_and_exports_but_refuses_writes(seeded, capsys, tmp_path):
    closed_file(seeded)
    before = digest(seeded)
    ro = ["--db", str(seeded), "--read-only"]
    code, out, _ = run(capsys, *ro, "show", "three_public_expenses", "--unit", "359", "--year", "2023", "--json")
    assert code == 0 and json.loads(out)["rows"][0]["values"]["total"] == "9.31"
    out_file = tmp_path / "export.json"
    assert run(capsys, *ro, "export-json", "--unit", "359", "--year", "2023", "--out", str(out_file))[0] == 0
    assert json.loads(out_file.read_text(encoding="utf-8")) == json.loads(SEED004.read_text(encoding="utf-8"))
    assert run(capsys, *ro, "check", "--unit", "359", "--year", "2023")[0] == 0
    code, _, err = run(capsys, *ro, "set", "three_public_expenses", "reception", "general_budget", "0.50",
                       "--unit", "359", "--year", "2023")
    assert code == 1 and "只读" in err and "不能保存修改" in err
    code, _, err = run(capsys, *ro, "import-json", str(SEED004), "--replace")
    assert code == 1 and "只读" in err
    assert digest(seeded) == before
    assert not (seeded.parent / "backups").exists()


def test_unwritable_file_opens_read_only_by_itself(seeded, capsys, monkeypatch):
    """Tests run as root, which ignores permission bits: the check (os.access) is simulated."""
    import db.engine

    real_access = os.access
    monkeypatch.setattr(db.engine.os, "access",
                        lambda path, mode: False if mode == os.W_OK else real_access(path, mode))
    from app.store.service import Store

    store = Store(str(seeded))
    assert store.read_only
    assert str(store.open_dataset("359", 2023).value("three_public_expenses", "reception", "general_budget")) == "0.43"
    with pytest.raises(ReadOnlyDatabaseError):
        store.open_dataset("359", 2023).set_cell("three_public_expenses", "reception", "general_budget", "1")
    store.close()
    code, _, err = run(capsys, "--db", str(seeded), "set", "three_public_expenses", "reception", "general_budget",
                       "0.50", "--unit", "359", "--year", "2023")
    assert code == 1 and "只读" in err
    code, _, err = run(capsys, "--db", str(seeded.parent / "new.sqlite3"), "units")
    assert code == 1 and "只读" in err and "--db" in err


def test_read_only_environment_variable(seeded, monkeypatch):
    monkeypatch.setenv("BUDGETDESK_READ_ONLY", "1")
    from app.store.service import Store

    store = Store(str(seeded))
    assert store.read_only
    store.close()


# ---- PostgreSQL ------------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_postgres_connection_in_words(capsys):
    pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://budget:secret@127.0.0.1:{_closed_port()}/budget"
    code, _, err = run(capsys, "--db", url, "units")
    assert code == 1 and "无法连接数据库服务器" in err and "secret" not in err
    with pytest.raises(ConnectionLostError):
        from app.store.service import Store

        Store(url)


POSTGRES_URL = os.environ.get("BUDGETDESK_TEST_POSTGRES_URL")


@pytest.mark.skipif(not POSTGRES_URL, reason="BUDGETDESK_TEST_POSTGRES_URL not set")
def test_lost_postgres_connection_in_words():
    from sqlalchemy import text

    from app.store.service import Store

    store = Store(POSTGRES_URL)
    try:
        with pytest.raises(ConnectionLostError), store.Session() as session:
            session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
            session.execute(text("SELECT 1"))
        with store.Session() as session:  # the pool replaces the dead connection
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        from db.models import Base

        Base.metadata.drop_all(store.engine)  # leave the scratch database empty for the other tests
        with store.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        store.close()


# ---- translation and the unexpected ---------------------------------------------------------
@pytest.mark.parametrize(("message", "kind"), [
    ("database is locked", DatabaseBusyError),
    ("file is not a database", CorruptDatabaseError),
    ("database disk image is malformed", CorruptDatabaseError),
    ("database or disk is full", DiskFullError),
    ("attempt to write a readonly database", ReadOnlyDatabaseError),
])
def test_sqlite_messages_translate(message, kind):
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))
    fault = translate(wrapped)
    assert isinstance(fault, kind) and "。" in str(fault)
    assert translate(sqlite3.IntegrityError("UNIQUE constraint failed")) is None
    assert translate(ValueError("x")) is None


def test_unexpected_error_names_the_log_and_keeps_the_traceback_there(capsys, monkeypatch, tmp_path):
    import app.cli.data

    monkeypatch.setenv("BUDGETDESK_LOG_DIR", str(tmp_path / "logs"))

    def broken(_args):
        raise RuntimeError("boom inside")

    monkeypatch.setattr(app.cli.data, "cmd_units", broken)
    code, _, err = run(capsys, "--db", str(tmp_path / "x.sqlite3"), "units")
    assert code == 2
    log = tmp_path / "logs" / "budgetdesk.log"
    assert "意外问题" in err and str(log) in err and "boom" not in err
    import logging

    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: boom inside" in text


def test_a_real_process_prints_no_traceback(tmp_path):
    db = tmp_path / "garbage.sqlite3"
    db.write_bytes(b"not a database at all" * 500)
    env = dict(os.environ, BUDGETDESK_LOG_DIR=str(tmp_path / "logs"))
    result = subprocess.run([sys.executable, "-m", "app", "--db", str(db), "units"], capture_output=True,
                            cwd=ROOT, env=env)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 1 and "Traceback" not in stderr and "已损坏" in stderr
    assert "database fault" in (tmp_path / "logs" / "budgetdesk.log").read_text(encoding="utf-8")
