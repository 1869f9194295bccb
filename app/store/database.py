"""The database a store opens, and the one place its writes are opened (a transaction,
a write session, a store-level audit row, a crash-test step)."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self, cast

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool
from sqlalchemy.util import LRUCache

from app.base.faults import ReadOnlyDatabaseError, read_only_message
from app.projects.levels import load_local_levels, migrate_side_file
from app.store.audit import store_event
from app.store.backup import backup_before_upgrade
from db.engine import make_sessionmaker, open_database
from db.models import Base

# Crash tests: called with each step's name; ``BUDGETDESK_KILL_AT_STEP`` kills the process there.
STEP_HOOKS: list = []


_steps_seen: dict[str, int] = {}


def write_step(name: str) -> None:
    """``BUDGETDESK_KILL_AT_STEP=name`` or ``name#n`` (its n-th time in this process)."""
    for hook in list(STEP_HOOKS):
        hook(name)
    wanted = os.environ.get("BUDGETDESK_KILL_AT_STEP")
    if wanted:
        _steps_seen[name] = _steps_seen.get(name, 0) + 1
        if wanted in (name, f"{name}#{_steps_seen[name]}"):
            os.kill(os.getpid(), signal.SIGKILL)


_SCRATCH_SQL: LRUCache[Any, Any] = LRUCache(2000)  # compiled statements, shared by every scratch database
_scratch_schema: list[Engine] = []  # the empty database every scratch one is copied from, built on first use
_scratch_lock = threading.Lock()


def _copy_scratch_schema(engine: Engine) -> None:
    with _scratch_lock:
        if not _scratch_schema:
            template = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
            Base.metadata.create_all(template)
            _scratch_schema.append(template)
        source, target = _scratch_schema[0].raw_connection(), engine.raw_connection()
        try:
            cast(sqlite3.Connection, source.driver_connection).backup(cast(sqlite3.Connection, target.driver_connection))
        finally:
            target.close()
            source.close()


class Database:
    """One database (SQLite file or server URL), migrated to the newest schema on open."""

    def __init__(self, target: str | None = None, *, read_only: bool | None = None,
                 backup_on_upgrade: bool = True) -> None:
        opened = open_database(target, read_only=read_only,
                               before_upgrade=backup_before_upgrade if backup_on_upgrade else None)
        self.target = target
        self.engine = opened.engine
        self.read_only = opened.read_only  # writes are refused with a Chinese message (app.base.faults)
        self.path = opened.path  # the SQLite file (backups go beside it); None on a server
        self.Session = make_sessionmaker(self.engine)
        if not self.read_only:
            migrate_side_file(self)
        load_local_levels(self)  # this database's local 一级/二级 additions are the ones in use

    @classmethod
    def scratch(cls) -> Self:
        """A private in-memory database with today's schema, for checking data before it is written
        (a file that says 已上报). Built from the models, not Alembic, whose runtime is one per process.
        A folder of 500 submitted packages makes 500 of these: each is copied from one empty database
        built once, and all share one cache of compiled SQL (the same schema and dialect)."""
        store = cls.__new__(cls)
        store.target = "sqlite://"
        store.engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False},
                                     execution_options={"compiled_cache": _SCRATCH_SQL})
        event.listen(store.engine, "connect", lambda connection, _record: connection.execute("PRAGMA foreign_keys=ON"))
        _copy_scratch_schema(store.engine)
        store.read_only = False
        store.path = None
        store.Session = make_sessionmaker(store.engine)
        return store

    def close(self) -> None:
        self.engine.dispose()

    # ---- the one place writes are opened ----------------------------------------------------
    def refuse_if_read_only(self) -> None:
        if getattr(self, "read_only", False):
            raise ReadOnlyDatabaseError(read_only_message(None if self.path is None else str(self.path)))

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """One database transaction around several writes (an import: key, dataset, receipt, kept file,
        audit): every session opened inside joins it, and it commits once at the end or not at all.
        Nested, it joins the outer one."""
        self.refuse_if_read_only()
        with self.Session.transaction():
            yield self

    @contextmanager
    def write(self) -> Iterator:
        """A session for one write, inside ``transaction`` (joining an open one)."""
        with self.transaction(), self.Session.begin() as session:
            yield session

    def event(self, session, source: str, place: str, *, old: str | None = None, new: str | None = None,
              unit_code: str = "", year: int = 0, form: str = "", row: str = "", column: str = "") -> None:
        """An audit row of a store-level write (not a dataset cell edit), in ``session``'s transaction."""
        store_event(session, source, place, old=old, new=new, unit_code=unit_code, year=year, form=form, row=row,
                    column=column)

    def step(self, name: str) -> None:
        """A write step of a multi-step write is done (crash tests stop a process exactly here)."""
        if self.target != "sqlite://":  # a scratch check (Store.scratch) is no step of the real write
            write_step(name)
