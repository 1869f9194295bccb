"""Engine and session set-up: SQLite in the user-data directory by default, any SQLAlchemy URL."""

from __future__ import annotations

import re
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import sessionmaker

APP_NAME = "BudgetDesk"


def default_database_path() -> Path:
    return Path(user_data_dir(APP_NAME, APP_NAME)) / "budgetdesk.sqlite3"


def database_url(target: str | None) -> str:
    """``--db`` takes a file path or any SQLAlchemy URL (postgresql+psycopg://… for a bureau server)."""
    if not target:
        path = default_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" in target:
        try:
            make_url(target)
        except ArgumentError as exc:
            from app.errors import InputError

            raise InputError(f"数据库地址“{target}”格式不正确。") from exc
        return target
    path = Path(target).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL with synchronous=NORMAL is durable against application crashes, the case that matters
    # for "a crash loses at most the cell being typed"; FULL would also survive power loss.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(target: str | None) -> Engine:
    url = database_url(target)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


_REVISION_LINE = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*['"]?([^'"\s]+)['"]?""", re.MULTILINE)


def _script_heads() -> set[str]:
    """The head revisions of the migration scripts, read from their text (importing Alembic to
    find out costs ~0.4 s on every open, most of a short print)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (Path(__file__).parent / "migrations" / "versions").glob("*.py"):
        found = dict(match.groups() for match in _REVISION_LINE.finditer(script.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            if found.get("down_revision") not in (None, "None"):
                parents.add(found["down_revision"])
    return revisions - parents


def _schema_current(engine: Engine) -> bool:
    """True when the database already stands at the single head revision (then nothing to run)."""
    heads = _script_heads()
    if len(heads) != 1:
        return False
    try:
        with engine.connect() as connection:
            stamped = [row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except Exception:  # no table yet (a new database), or anything odd: let Alembic decide
        return False
    return stamped == list(heads)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (run on every open)."""
    if _schema_current(engine):
        return
    run_alembic(engine, "upgrade", "head")


def head_revision() -> str:
    """The newest schema revision this program knows."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def run_alembic(engine: Engine, action: str, revision: str) -> None:
    """``upgrade``/``downgrade`` to ``revision`` in one transaction.

    On SQLite, foreign keys are off while it runs: batch migrations rebuild a table by copying it
    and dropping the original, and with foreign keys on that drop would cascade-delete the rows of
    every table that refers to it. A foreign-key check afterwards refuses a broken result.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Outside any transaction, where SQLite honours it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                getattr(command, action)(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"schema migration left rows without their parent: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
