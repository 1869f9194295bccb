"""A failure after every write step leaves the database unchanged, sound, and the file importable again
(issue 22, item 2).

Each multi-step write calls ``Store.step(name)`` after each of its steps (app/store/database.py). Two kinds of
fault are injected there:

- in the process (SQLite and PostgreSQL): a hook raises at the step; afterwards every table holds
  exactly what it held before, and the same operation run again succeeds;
- SIGKILL (SQLite): the CLI runs in a child process with ``BUDGETDESK_KILL_AT_STEP`` and is killed by
  itself at the step; afterwards the file's full dump is unchanged, ``PRAGMA integrity_check`` says ok,
  and the same command run again succeeds.

Operations: import-package, import-packages (a fault at any step of the second package leaves the first
complete), a department package, a 退回 file (.bdr) on the clerk's side (its database SQLite or PostgreSQL),
new-year, and backup restore (SQLite only: a backup is a copy of the SQLite file).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.bureau import comments as cm
from app.bureau import intake, standing
from app.exchange.interchange import import_document
from app.exchange.package import reader, spec, trust
from app.store import database
from db.models import Base
from tests.conftest import dump
from tests.test_package import make_package, seed_document

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("key_dir")

# The write steps of each operation, in order. The in-process faults and the SIGKILLs both run at every
# one of them (one list each, so the two kinds can't drift apart). ``name#n``: the step's n-th time.
PACKAGE_STEPS = ["package:trust", "dataset:cells", "dataset:content", "dataset:audit", "package:dataset",
                 "package:receipt"]
# import-packages: every step of the second package (the first is then complete, the second absent).
SECOND_PACKAGE_STEPS = [f"{step}#2" for step in PACKAGE_STEPS]
DEPARTMENT_STEPS = ["department:unit#1", "dataset:audit#2", "department:unit#4", "department:audit"]
RETURN_STEPS = ["return:status", "return:comments"]
NEW_YEAR_STEPS = ["dataset:cells", "dataset:content", "dataset:audit"]
RESTORE_STEPS = ["dataset:audit#2", "restore:dataset#1", "restore:dataset#2"]


class Fault(RuntimeError):
    pass


def state(store) -> dict[str, list]:
    """Every row of every table (sorted): equal states are equal databases."""
    with store.Session() as session:
        return {table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
                for table in Base.metadata.sorted_tables}


def integrity(store) -> None:
    if store.engine.dialect.name == "sqlite":
        with store.Session.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").fetchall() == [("ok",)]


def fail_at(monkeypatch, wanted: str) -> None:
    """Raise ``Fault`` at the step ``name`` or ``name#n`` (its n-th time)."""
    seen: dict[str, int] = {}

    def hook(name: str) -> None:
        seen[name] = seen.get(name, 0) + 1
        if wanted in (name, f"{name}#{seen[name]}"):
            raise Fault(f"模拟故障：{wanted}")

    monkeypatch.setattr(database, "STEP_HOOKS", [hook])


def faulted(store, monkeypatch, step: str, operation) -> None:
    """``operation`` fails at ``step``: nothing changed; without the fault it goes through."""
    before = state(store)
    fail_at(monkeypatch, step)
    with pytest.raises(Fault):
        operation()
    monkeypatch.setattr(database, "STEP_HOOKS", [])
    assert state(store) == before, f"a fault at {step} left a partial write"
    integrity(store)
    operation()
    assert state(store) != before


# ---- the in-process faults (SQLite and PostgreSQL) ------------------------------------------------
@pytest.mark.parametrize("step", PACKAGE_STEPS)
def test_import_package_fault_at_each_step(bureau, monkeypatch, tmp_path, step):
    path = make_package(tmp_path / "359.bdp", seed_document(status="submitted"))
    faulted(bureau, monkeypatch, step, lambda: intake.import_package(bureau, path, backup=False))
    with bureau.Session() as session:
        from db import models

        assert session.scalar(select(models.PackageFile.id)) is not None
        assert session.scalar(select(models.TrustedKey.fingerprint).where(models.TrustedKey.unit_code == "359"))


@pytest.mark.parametrize("step", SECOND_PACKAGE_STEPS)
def test_import_packages_fault_in_the_second_package(bureau, monkeypatch, tmp_path, step):
    folder = tmp_path / "usb"
    make_package(folder / "a.bdp", seed_document(status="submitted"))
    second = make_package(folder / "b.bdp", seed_document("360", "某单位", status="submitted"))
    fail_at(monkeypatch, step)
    with pytest.raises(Fault):
        intake.import_packages(bureau, folder)
    monkeypatch.setattr(database, "STEP_HOOKS", [])
    integrity(bureau)
    assert [row.unit_code for row in standing.overview(bureau, 2023)] == ["359"]  # the first is complete
    assert received_units(bureau) == (["359"], 1, ["359"])  # and nothing of the second
    intake.import_package(bureau, second, backup=False)  # the second goes in again
    assert [row.received_at is not None for row in standing.overview(bureau, 2023)] == [True, True]


def received_units(store) -> tuple[list[str], int, list[str]]:
    """(units with a receipt, kept package files, units with a trusted key)."""
    from db import models

    with store.Session() as session:
        return (sorted(session.scalars(select(models.ReceivedPackage.unit_code))),
                len(session.scalars(select(models.PackageFile.id)).all()),
                sorted(session.scalars(select(models.TrustedKey.unit_code))))


@pytest.mark.parametrize("step", DEPARTMENT_STEPS)
def test_department_package_fault_at_each_step(bureau, monkeypatch, department_file, step):
    faulted(bureau, monkeypatch, step, lambda: intake.import_package(bureau, department_file, backup=False))


@pytest.mark.parametrize("step", RETURN_STEPS)
def test_return_file_fault_at_each_step(monkeypatch, any_return_file, tmp_path, step):
    clerk, path = any_return_file  # the clerk's database: SQLite or PostgreSQL
    faulted(clerk, monkeypatch, step, lambda: cm.import_return(clerk, path))
    assert clerk.dataset_info("359", 2023).status == "draft"


@pytest.mark.parametrize("step", NEW_YEAR_STEPS)
def test_new_year_fault_at_each_step(bureau, monkeypatch, step):
    from app.exchange.year_cycle import new_year

    import_document(bureau, seed_document(), backup=False)
    faulted(bureau, monkeypatch, step, lambda: new_year(bureau, "359", 2023, 2024))


# ---- fixtures: a department package (built once), a 退回 file on a clerk's database ---------------
@pytest.fixture(scope="module")
def department_file(tmp_path_factory) -> Path:
    from app.bureau import hierarchy
    from app.exchange import signing
    from app.store.service import Store
    from tests.test_hierarchy import DEPT, DEPT_NAME, YEAR, build_department

    folder = tmp_path_factory.mktemp("department")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(signing.KEY_DIR_ENV, str(folder / "keys"))
        patch.setattr(trust, "operator_confirmed", lambda _unit, _fingerprint: True)  # the 主管部门's staff
        store = Store(str(folder / "department.sqlite3"))
        try:
            build_department(store, folder)
            target = folder / "out" / hierarchy.default_file_name(DEPT, DEPT_NAME, YEAR)
            return hierarchy.export_department_package(store, DEPT, YEAR, target, submit=True).path
        finally:
            store.close()


def _clerk_with_return(tmp_path, clerk):
    """``clerk`` (a store) with 359/2023 已上报, and the bureau's signed 退回 file with one 批注."""
    from app.exchange import signing
    from app.store.service import Store

    document = seed_document(status="submitted")
    bureau = Store(str(tmp_path / "bureau.sqlite3"))
    import_document(bureau, document, backup=False)
    cm.add_comment(bureau, "359", 2023, kind="finding", finding="S09:报刊机构合作宣传费", text="说明太简略。")
    path = cm.write_return(bureau, "359", 2023, "支出偏高", tmp_path / "359_2023_退回.bdr").path
    bureau.close()
    import_document(clerk, document, backup=False)
    assert signing.bureau_key() is not None
    return clerk, path


@pytest.fixture
def return_file(tmp_path):
    """A clerk's SQLite file with 359/2023 已上报, and the bureau's 退回 file (for the SIGKILL runs)."""
    from app.store.service import Store

    clerk = Store(str(tmp_path / "clerk.sqlite3"))
    yield _clerk_with_return(tmp_path, clerk)
    clerk.close()


@pytest.fixture(params=["sqlite", "postgres"])
def any_return_file(request, tmp_path):
    """As ``return_file``, the clerk's database a SQLite file or PostgreSQL (a clerk may use either)."""
    from tests.conftest import _drop_all, _make_store

    clerk = _make_store(request.param, tmp_path, "clerk")
    try:
        yield _clerk_with_return(tmp_path, clerk)
    finally:
        if request.param == "postgres":
            _drop_all(clerk)
        clerk.close()


# ---- SIGKILL of a child process (SQLite) ------------------------------------------------------------
def cli(db: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("BUDGETDESK_KILL_AT_STEP", None)
    if kill_at:
        env["BUDGETDESK_KILL_AT_STEP"] = kill_at
    return subprocess.run([sys.executable, "-m", "app", "--db", str(db), *args], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=300)


def sqlite_integrity(db: Path) -> list:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


def fingerprints_of(path: Path) -> list[str]:
    """``--trust-fingerprint`` for every key a package or 退回 file carries (the operator compared them)."""
    if path.suffix == ".bdr":
        return ["--trust-fingerprint", cm.open_return(path).fingerprint]
    package = reader.open_package(path)
    keys = [package.fingerprint]
    if package.kind == spec.KIND_DEPARTMENT:
        from app.bureau.hierarchy import verify_department

        keys += [unit.fingerprint for unit, _document in verify_department(package).units]
    return [option for key in keys for option in ("--trust-fingerprint", key)]


def killed(db: Path, step: str, *args: str) -> None:
    before = dump(db)
    result = cli(db, *args, kill_at=step)
    assert result.returncode == -signal.SIGKILL, (step, result.returncode, result.stdout, result.stderr)
    assert sqlite_integrity(db) == [("ok",)]
    assert dump(db) == before, f"SIGKILL at {step} left a partial write"
    again = cli(db, *args)
    assert again.returncode == 0, again.stderr


@pytest.fixture
def empty_db(tmp_path):
    from app.store.service import Store

    db = tmp_path / "kill.sqlite3"
    Store(str(db)).close()
    return db


sigkill = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


@sigkill
@pytest.mark.parametrize("step", PACKAGE_STEPS)
def test_sigkill_import_package_at_each_step(empty_db, tmp_path, step):
    path = make_package(tmp_path / "359.bdp", seed_document(status="submitted"))
    killed(empty_db, step, "import-package", str(path), *fingerprints_of(path))


@sigkill
@pytest.mark.parametrize("step", SECOND_PACKAGE_STEPS)
def test_sigkill_import_packages_in_the_second_package(empty_db, tmp_path, step):
    folder = tmp_path / "usb"
    make_package(folder / "a.bdp", seed_document(status="submitted"))
    second = make_package(folder / "b.bdp", seed_document("360", "某单位", status="submitted"))
    keys = fingerprints_of(folder / "a.bdp") + fingerprints_of(second)
    result = cli(empty_db, "import-packages", str(folder), *keys, kill_at=step)
    assert result.returncode == -signal.SIGKILL, (step, result.returncode, result.stdout, result.stderr)
    assert sqlite_integrity(empty_db) == [("ok",)]
    connection = sqlite3.connect(empty_db)
    try:
        assert connection.execute("SELECT unit_code FROM received_package").fetchall() == [("359",)]
        assert connection.execute("SELECT count(*) FROM package_file").fetchall() == [(1,)]
        assert connection.execute("SELECT unit_code FROM trusted_key").fetchall() == [("359",)]
        assert connection.execute("SELECT unit.code FROM dataset JOIN unit ON unit.id = dataset.unit_id").fetchall() == [("359",)]
    finally:
        connection.close()
    assert cli(empty_db, "import-package", str(second), *keys).returncode == 0


@sigkill
@pytest.mark.parametrize("step", DEPARTMENT_STEPS)
def test_sigkill_department_package_at_each_step(empty_db, department_file, step):
    killed(empty_db, step, "import-package", str(department_file), *fingerprints_of(department_file))


@sigkill
@pytest.mark.parametrize("step", RETURN_STEPS)
def test_sigkill_return_file_at_each_step(return_file, step):
    clerk, path = return_file
    db = clerk.path
    clerk.close()
    killed(db, step, "import-return", str(path), *fingerprints_of(path))


@sigkill
@pytest.mark.parametrize("step", NEW_YEAR_STEPS)
def test_sigkill_new_year_at_each_step(tmp_path, step):
    from app.store.service import Store

    db = tmp_path / "year.sqlite3"
    store = Store(str(db))
    import_document(store, seed_document(), backup=False)
    store.close()
    killed(db, step, "new-year", "--unit", "359", "--from", "2023", "--to", "2024")


# ---- backup restore: SQLite only. A backup is a copy of the SQLite file (PostgreSQL is backed up by the
# server's own tools, and ``backup restore`` refuses a server database), so there is no PostgreSQL run. -----
def _restorable(tmp_path):
    """A database with two budgets, a backup, then both changed: a restore rewrites both."""
    from app.store import backup
    from app.store.service import Store

    db = tmp_path / "restore.sqlite3"
    store = Store(str(db))
    import_document(store, seed_document(), backup=False)
    import_document(store, seed_document("360", "某单位"), backup=False)
    info = backup.create_backup(store, "manual")
    for code in ("359", "360"):
        store.open_dataset(code, 2023).set_cell("three_public_expenses", "reception", "general_budget", "9.99")
    return store, db, info


@pytest.mark.parametrize("step", RESTORE_STEPS)
def test_backup_restore_fault_at_each_step(monkeypatch, tmp_path, step):
    from app.exchange.restore import restore_backup

    store, _db, info = _restorable(tmp_path)
    try:
        faulted(store, monkeypatch, step, lambda: restore_backup(store, info.name))
    finally:
        store.close()


@sigkill
@pytest.mark.parametrize("step", RESTORE_STEPS)
def test_sigkill_backup_restore_at_each_step(tmp_path, step):
    store, db, info = _restorable(tmp_path)
    store.close()
    killed(db, step, "backup", "restore", info.name)
