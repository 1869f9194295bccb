"""Engine and session set-up: SQLite in the user-data directory by default, any SQLAlchemy URL."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import sessionmaker

from app.base.errors import InputError
from app.base.faults import (
    CorruptDatabaseError,
    NewerSchemaError,
    ReadOnlyDatabaseError,
    corrupt_message,
    db_errors,
    newer_schema_message,
    read_only_message,
    sqlalchemy_error_hook,
)

APP_NAME = "BudgetDesk"
log = logging.getLogger(__name__)


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
            raise InputError(f"数据库地址“{target}”格式不正确。") from exc
        return target
    path = Path(target).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def busy_timeout_ms() -> int:
    """How long a write waits for another writer before the clerk is told (``BUDGETDESK_BUSY_TIMEOUT_MS``)."""
    try:
        return max(0, int(os.environ.get("BUDGETDESK_BUSY_TIMEOUT_MS", "5000")))
    except ValueError:
        return 5000


def _sqlite_pragmas(read_only: bool):
    def apply(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if not read_only:  # changing the journal mode is a write
            cursor.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=FULL survives power loss as well as application crashes.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
    return apply


def sqlite_path(target: str | None) -> Path | None:
    """The database file of a SQLite target (None for a server URL or an in-memory database)."""
    url = make_url(database_url(target))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _writable(path: Path) -> bool:
    """Whether the file (or, for a new file, its folder) can be written, and the folder too (for the
    WAL's -wal and -shm files). ``os.access`` also sees a read-only mount, even for root."""
    folder_ok = os.access(path.parent, os.W_OK)
    if path.exists():
        return folder_ok and os.access(path, os.W_OK)
    return folder_ok


def _read_only_url(path: Path, *, immutable: bool) -> URL:
    posix = path.as_posix()
    uri = ("file:///" if path.drive else "file:") + quote(posix, safe="/:")
    uri += "?mode=ro" + ("&immutable=1" if immutable else "")
    return URL.create("sqlite", database=uri, query={"uri": "true"})


def make_engine(target: str | None, *, read_only: bool = False) -> Engine:
    url = database_url(target)
    if make_url(url).get_backend_name() == "sqlite":
        path = sqlite_path(target)
        if read_only and path is not None:
            # On a read-only folder with no -wal file, nothing can create the -shm: the file is then
            # immutable for us (a CD, a locked USB stick), and SQLite is told so.
            immutable = not os.access(path.parent, os.W_OK) and not Path(f"{path}-wal").exists()
            engine = create_engine(_read_only_url(path, immutable=immutable))
        else:
            engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas(read_only))
    else:
        connect_args = {"connect_timeout": 10} if make_url(url).get_backend_name() == "postgresql" else {}
        # pre_ping replaces a pooled connection the server dropped (a restart) instead of failing once.
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    event.listen(engine, "handle_error", sqlalchemy_error_hook)
    return engine


class Sessions:
    """The store's session factory, used like a ``sessionmaker`` (``Session()``, ``Session.begin()``).

    While ``transaction()`` is open in this thread every session joins its ONE database transaction
    (a nested ``begin()`` becomes a savepoint, reads see what the transaction wrote), so a whole
    import made of several writers commits together or not at all, on SQLite and PostgreSQL alike."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._plain = sessionmaker(engine, expire_on_commit=False)
        self._local = threading.local()

    @property
    def joined_connection(self):
        """The connection of this thread's open transaction, or None."""
        return getattr(self._local, "connection", None)

    def _maker(self) -> sessionmaker:
        connection = self.joined_connection
        if connection is None:
            return self._plain
        return sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")

    def __call__(self, **options):
        return self._maker()(**options)

    def begin(self):
        return self._maker().begin()

    @contextmanager
    def connect(self) -> Iterator:
        """A connection for plain reads: the open transaction's when there is one (it sees its writes)."""
        connection = self.joined_connection
        if connection is not None:
            yield connection
            return
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[bool]:
        """One write transaction around a block (yields True when it opened it, False when it joined an
        outer one). SQLite takes the write lock at once (``BEGIN IMMEDIATE``, which honours the busy
        timeout), so nothing read inside can go stale before the commit."""
        if self.joined_connection is not None:
            yield False
            return
        with self.engine.connect() as connection:
            transaction = connection.begin()
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite defers BEGIN; savepoints need a real one
            self._local.connection = connection
            try:
                yield True
            except BaseException:
                self._local.connection = None
                transaction.rollback()
                raise
            self._local.connection = None
            transaction.commit()


def make_sessionmaker(engine: Engine) -> Sessions:
    return Sessions(engine)


@dataclass
class OpenedDatabase:
    engine: Engine
    read_only: bool
    path: Path | None  # the SQLite file, None on a server
    revision: str | None  # the schema revision found before any upgrade (None: a new database)


def open_database(target: str | None, *, read_only: bool | None = None,
                  before_upgrade: Callable[[OpenedDatabase], None] | None = None) -> OpenedDatabase:
    """Open a database safely: SQLite's ``quick_check``, the schema revision (a newer one is refused and
    the file left untouched; the current one runs no Alembic at all), read-only when the file cannot be
    written (or ``read_only`` / ``BUDGETDESK_READ_ONLY=1`` asks for it). Faults raise ``app.base.faults`` errors."""
    path = sqlite_path(target)
    if read_only is None:
        read_only = os.environ.get("BUDGETDESK_READ_ONLY", "") not in ("", "0")
    if path is not None and not read_only and not _writable(path):
        if not path.exists():
            raise ReadOnlyDatabaseError(
                f"不能在“{path.parent}”建立数据库：该位置是只读的或没有写权限。请用 --db 指定一个可写的位置。")
        log.warning("database %s is not writable: opening it read-only", path)
        read_only = True
    if path is not None and read_only and not path.exists():
        raise ReadOnlyDatabaseError(f"数据库文件“{path}”不存在，只读方式无法建立新数据库。")
    # An existing file is first looked at through a read-only connection: a damaged file or one of a
    # newer schema is refused before anything (not even the journal mode) is written into it.
    inspecting = path is not None and path.exists()
    engine = make_engine(target, read_only=bool(read_only) or inspecting)
    opened = OpenedDatabase(engine, bool(read_only), path, None)
    try:
        with db_errors():
            if inspecting:
                problems = quick_check(engine)
                if problems:
                    log.error("quick_check of %s failed: %s", path, problems[:5])
                    raise CorruptDatabaseError(corrupt_message(str(path), "完整性检查未通过"), path=str(path))
            stored = stored_revision(engine)
            opened.revision = current_revision_id(stored)
            head = head_revision()
            if opened.revision is not None and opened.revision != head and opened.revision not in known_revisions():
                log.error("database %s has schema revision %s; this program knows up to %s",
                          path or "(server)", opened.revision, head)
                raise NewerSchemaError(newer_schema_message(opened.revision, head), revision=opened.revision)
            if inspecting and not opened.read_only:
                engine.dispose()
                engine = opened.engine = make_engine(target)
            if stored in FORMER_REVISION_IDS and not opened.read_only:
                _restamp_former_revision(engine, stored)
            if opened.revision != head:
                if opened.read_only:
                    raise ReadOnlyDatabaseError(
                        read_only_message(str(path) if path else None)
                        + f"此数据库的结构版本（{opened.revision or '空'}）较旧，需要升级后才能打开，而只读方式不能升级。")
                if opened.revision is not None and before_upgrade is not None:
                    before_upgrade(opened)
                log.info("upgrading schema of %s from %s to %s", path or "(server)", opened.revision, head)
                migrate(engine)
    except BaseException as exc:
        opened.engine.dispose()
        if isinstance(exc, CorruptDatabaseError) and exc.path is None and path is not None:
            raise CorruptDatabaseError(corrupt_message(str(path), _corrupt_words(exc)), path=str(path)) from exc
        raise
    return opened


def _corrupt_words(exc: BaseException) -> str:
    text = str(exc)
    for words in ("文件不是数据库", "数据库页面损坏"):
        if words in text:
            return words
    return ""


def quick_check(engine: Engine) -> list[str]:
    """SQLite ``PRAGMA quick_check``: an empty list when the file is sound."""
    with engine.connect() as connection:
        rows = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check").fetchall()]
    return [] if rows == ["ok"] else rows


def stored_revision(engine: Engine) -> str | None:
    """The Alembic revision recorded in the database (None for a database without tables)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def current_revision_id(revision: str | None) -> str | None:
    """``revision`` under today's name (a former id of a renamed migration file mapped to its new one)."""
    return FORMER_REVISION_IDS.get(revision, revision) if revision is not None else None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    run_alembic(engine, "upgrade", "head")


_REVISION = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


@lru_cache(maxsize=1)
def _revision_graph() -> dict[str, str | None]:
    """revision -> down_revision, read from the migration scripts without importing Alembic (start-up speed)."""
    graph: dict[str, str | None] = {}
    for script in sorted((Path(__file__).parent / "migrations" / "versions").glob("*.py")):
        found = dict(_REVISION.findall(script.read_text(encoding="utf-8")))
        if "revision" in found:
            down = found.get("down_revision", "None").strip()
            graph[found["revision"].strip().strip("'\"")] = None if down == "None" else down.strip("'\"")
    return graph


# Revision ids before the migration files were renamed to the order they chain in. A database
# stamped with one is re-stamped with today's id when it is opened writable (same schema, new name).
FORMER_REVISION_IDS = {
    "0004_selfeval": "0005_selfeval",
    "0006_editions": "0007_editions",
    "0006_comments": "0008_comments",
    "0007_applied_return": "0009_applied_return",
    "0008_indicator_level": "0010_indicator_level",
}


def known_revisions() -> set[str]:
    return set(_revision_graph())


def _restamp_former_revision(engine: Engine, former: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
                           {"new": FORMER_REVISION_IDS[former], "old": former})
    log.info("schema revision %s re-stamped as %s", former, FORMER_REVISION_IDS[former])


def head_revision() -> str:
    """The newest schema revision this program knows."""
    graph = _revision_graph()
    heads = set(graph) - {down for down in graph.values() if down}
    if len(heads) == 1:
        return heads.pop()
    # Alembic is loaded only here (start-up stays light): several heads or a script form the scan does not read
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:  # an installation without its migration scripts: a defect, not a user's fault
        raise RuntimeError("the database migrations have no head revision")
    return head


def run_alembic(engine: Engine, action: str, revision: str) -> None:
    """``upgrade``/``downgrade`` to ``revision`` in one transaction.

    On SQLite, foreign keys are off while it runs: batch migrations rebuild a table by copying it
    and dropping the original, and with foreign keys on that drop would cascade-delete the rows of
    every table that refers to it. A foreign-key check afterwards refuses a broken result.
    """
    from alembic import command  # Alembic is loaded only when a schema actually needs upgrading
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
                if sqlite:
                    # pysqlite opens a transaction only before INSERT/UPDATE/DELETE, so Alembic's CREATE and
                    # ALTER would each commit at once and a kill mid-migration would leave half a schema.
                    # An explicit BEGIN makes the whole upgrade one transaction: all of it or none.
                    connection.exec_driver_sql("BEGIN")
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
