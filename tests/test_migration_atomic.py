"""A schema migration is all or nothing on SQLite: a process killed in the middle of creating or upgrading a
database leaves it as it was, and the next start migrates it whole."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from db.engine import head_revision, make_engine, open_database, quick_check, run_alembic

ROOT = Path(__file__).resolve().parents[1]

# The child counts the DDL statements the migration sends and kills itself (SIGKILL: no cleanup, no rollback
# by Python) after the given number, as a power cut or a killed process would stop it.
KILLER = textwrap.dedent("""
    import os, signal, sys
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    import db.engine as db_engine

    path, after = sys.argv[1], int(sys.argv[2])
    seen = []

    @event.listens_for(Engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("CREATE", "ALTER", "DROP", "INSERT", "UPDATE")):
            seen.append(statement)
            if len(seen) > after:
                os.kill(os.getpid(), signal.SIGKILL)

    opened = db_engine.open_database(path)
    print("finished", len(seen))
""")


def _migrate_and_kill(path: Path, after: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", KILLER, str(path), str(after)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _tables(path: Path) -> set[str]:
    engine = make_engine(str(path))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("after", [3, 25])
def test_a_new_database_killed_while_its_schema_is_made_opens_whole_next_time(tmp_path, after):
    path = tmp_path / "budget.sqlite3"
    killed = _migrate_and_kill(path, after)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert _tables(path) <= {"alembic_version"}, "a killed first migration left part of a schema behind"

    opened = open_database(str(path))  # the next start: no "table … already exists"
    try:
        assert quick_check(opened.engine) == []
        with opened.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    finally:
        opened.engine.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_an_upgrade_killed_halfway_leaves_the_old_schema_and_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = make_engine(str(path))
    run_alembic(engine, "upgrade", "0001")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO unit (id, code, name, nature, rank, funding_form, competent_department, "
                                "head, finance_head, preparer, phone) VALUES "
                                "(1, '359', '融媒体中心', '事业', '', '', '', '', '', '', '')"))
    engine.dispose()
    before = _tables(path)

    killed = _migrate_and_kill(path, 8)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert _tables(path) == before
    engine = make_engine(str(path))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar().startswith("0001")
        assert connection.execute(text("SELECT name FROM unit")).scalar() == "融媒体中心"
    engine.dispose()

    opened = open_database(str(path))
    try:
        with opened.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
            assert connection.execute(text("SELECT name FROM unit")).scalar() == "融媒体中心"
    finally:
        opened.engine.dispose()
