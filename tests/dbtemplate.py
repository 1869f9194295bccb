"""Template databases for the test run: each is made once per session the real way (Alembic, the seed-004
import) and copied into every test that needs one, so each test still starts from its own fresh file
without paying for the migrations and the import again.

- A new SQLite database (any ``Store`` opened on a file that does not exist yet) gets its schema by a page
  copy of the migrated template instead of running Alembic from nothing. Databases at an older revision
  still run the real migrations, and ``run_alembic`` called by a test is never touched.
- The ``seed_dataset`` fixture fills its pristine store from the seeded template (same content as
  ``import_file(store, SEED004)``); tests that import the seed themselves still do it for real.
- The ``seeded_db`` fixture copies the file the CLI's ``import-json`` of seed 004 made.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect

from app.cli.main import main as cli_main
from app.exchange.interchange import import_file
from app.store.service import Store
from db import engine as db_engine


def _copy_pages(source: Path, connection) -> None:
    """Every page of ``source`` into the database behind a driver connection (SQLite's backup API, which
    writes through the destination's own journal, so a WAL database stays consistent)."""
    template = sqlite3.connect(source)
    try:
        template.backup(connection)
    finally:
        template.close()


def _driver_connection(sqlalchemy_connection) -> sqlite3.Connection:
    return sqlalchemy_connection.connection.driver_connection


class TemplateDatabases:
    """The session's templates, each built on first use in ``folder``."""

    def __init__(self, folder: Path, seed: Path, real_migrate: Callable[[Engine], None]) -> None:
        self.folder = folder
        self.seed = seed
        self.real_migrate = real_migrate
        self._built: dict[str, Path] = {}
        self._fresh_counts: dict[str, int] | None = None

    def _template(self, name: str, build: Callable[[Path], None]) -> Path:
        path = self._built.get(name)
        if path is None:
            path = self.folder / f"{name}.sqlite3"
            build(path)
            # A closed WAL database leaves no -wal/-shm file: the main file alone is the whole database.
            assert not Path(f"{path}-wal").exists(), f"template {path} still has a write-ahead log"
            self._built[name] = path
        return path

    # ---- migrated schema --------------------------------------------------------------------------
    def _build_migrated(self, path: Path) -> None:
        engine = db_engine.make_engine(str(path))
        try:
            self.real_migrate(engine)
        finally:
            engine.dispose()

    def migrated(self) -> Path:
        return self._template("migrated", self._build_migrated)

    def migrate(self, engine: Engine) -> None:
        """Stands in for ``db.engine.migrate``: a brand-new SQLite database (no tables at all) gets the
        migrated template's pages; anything else (an older schema, a server) is migrated for real."""
        if engine.dialect.name != "sqlite":
            self.real_migrate(engine)
            return
        with engine.connect() as connection:
            empty = not inspect(connection).get_table_names()
        if not empty:
            self.real_migrate(engine)
            return
        template = self.migrated()
        with engine.connect() as connection:
            _copy_pages(template, _driver_connection(connection))

    # ---- seed 004 imported (app.exchange.interchange.import_file) ---------------------------------
    def _build_seeded(self, path: Path) -> None:
        store = Store(str(path))
        try:
            import_file(store, self.seed)
        finally:
            store.close()

    def seeded(self) -> Path:
        return self._template("seeded", self._build_seeded)

    def fill_with_seed(self, store) -> bool:
        """Give a store that is still as it was created the seeded template's content. False (nothing
        done) when it is not a SQLite file or something was already written into it."""
        if store.path is None or not self._pristine(store):
            return False
        template = self.seeded()
        with store.engine.connect() as connection:
            _copy_pages(template, _driver_connection(connection))
        return True

    def _pristine(self, store) -> bool:
        """Whether the store holds just what a new database holds (a fixture before ``seed_dataset`` may
        have written into it: then the seed is imported for real, on top)."""
        if self._fresh_counts is None:
            template = create_engine(f"sqlite:///{self.migrated()}")
            try:
                with template.connect() as connection:
                    self._fresh_counts = _row_counts(connection)
            finally:
                template.dispose()
        with store.engine.connect() as connection:
            return _row_counts(connection) == self._fresh_counts

    # ---- seed 004 imported by the command line (budgetdesk import-json) ---------------------------
    def _build_cli_seeded(self, path: Path) -> None:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(["--db", str(path), "import-json", str(self.seed)])
        assert code == 0, f"import-json of the seed failed: {err.getvalue()}"

    def cli_seeded(self) -> Path:
        return self._template("cli_seeded", self._build_cli_seeded)

    def copy_cli_seeded(self, path: Path) -> Path:
        shutil.copyfile(self.cli_seeded(), path)
        return path

    def build_all(self) -> None:
        """Made before any test runs, so no test's patches or environment can leak into a template."""
        self.migrated()
        self.seeded()
        self.cli_seeded()


def _row_counts(connection) -> dict[str, int]:
    return {table: connection.exec_driver_sql(f'SELECT COUNT(*) FROM "{table}"').scalar_one()
            for table in inspect(connection).get_table_names()}
