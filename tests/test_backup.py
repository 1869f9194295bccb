"""Backups through SQLite's online backup API: create, list, prune to 20, restore, and the CLI."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli.main import main
from app.exchange.restore import restore_backup
from app.store import backup
from tests.conftest import SEED004

CELL = ("three_public_expenses", "reception", "general_budget")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def cell_in_file(path: Path) -> int | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT millionths FROM cell_value WHERE form=? AND row_key=? AND column_key=?",
                                 CELL).fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def test_backup_of_a_wal_database_holds_the_latest_committed_edit(store, seed_dataset, db_path):
    seed_dataset.set_cell(*CELL, "7.77")
    assert Path(f"{db_path}-wal").stat().st_size > 0  # the edit still sits in the WAL
    info = backup.create_backup(store, "manual")
    assert info.path.parent == db_path.parent / "backups"
    assert info.path.name.startswith("budget-") and info.reason_text == "手动备份"
    assert cell_in_file(info.path) == 7_770_000
    assert not Path(f"{info.path}-wal").exists()  # a single self-contained file
    connection = sqlite3.connect(info.path)
    assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    connection.close()


def test_restore_brings_back_values_and_is_audited(store, seed_dataset, db_path):
    from db import models

    seed_dataset.set_cell(*CELL, "1.11")
    first = backup.create_backup(store, "manual")
    seed_dataset.set_cell(*CELL, "2.22")
    with store.Session() as session:
        token_before = session.scalar(select(models.Dataset.token))
    restored = restore_backup(store, first.name)
    assert restored.name == first.name
    reopened = store.open_dataset("359", 2023)
    assert str(reopened.value(*CELL)) == "1.11"
    with store.Session() as session:
        entries = session.scalars(select(models.AuditEntry).where(models.AuditEntry.source == "恢复备份")).all()
        assert first.name in entries[0].place and {(e.unit_code, e.year) for e in entries} == {("359", 2023)}
        assert session.scalar(select(models.Dataset.token)) != token_before  # old views are "replaced"
    # The state before the restore was kept too, and can be restored in turn.
    safety = [info for info in backup.list_backups(store) if info.reason == "restore"]
    assert len(safety) == 1 and cell_in_file(safety[0].path) == 2_220_000
    restore_backup(store, safety[0].name)
    assert str(store.open_dataset("359", 2023).value(*CELL)) == "2.22"
    connection = sqlite3.connect(db_path)
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    connection.close()


def test_keeps_the_newest_twenty(store, seed_dataset, monkeypatch):
    monkeypatch.delenv("BUDGETDESK_BACKUP_KEEP", raising=False)
    made = [backup.create_backup(store, "manual").name for _ in range(22)]
    kept = [info.name for info in backup.list_backups(store)]
    assert len(kept) == 20 and kept == list(reversed(made))[:20]
    monkeypatch.setenv("BUDGETDESK_BACKUP_KEEP", "3")
    backup.create_backup(store, "manual")
    assert len(backup.list_backups(store)) == 3


def test_automatic_backups_skip_unchanged_data(store, seed_dataset, monkeypatch, tmp_path):
    monkeypatch.setenv("BUDGETDESK_BACKUP_DIR", str(tmp_path / "elsewhere"))
    assert backup.backup_on_open(store) is not None
    assert backup.backup_on_open(store) is None  # nothing changed since
    assert backup.backup_before(store, "import") is None
    seed_dataset.set_cell(*CELL, "3.33")
    made = backup.backup_before(store, "replace")
    assert made is not None and made.reason_text == "覆盖导入前" and made.path.parent == tmp_path / "elsewhere"
    assert backup.backup_if_due(store) is None  # the newest is not a day old
    assert len(backup.list_backups(store)) == 2


def test_empty_database_needs_no_backup(store):
    assert backup.backup_before(store, "import") is None
    assert backup.list_backups(store) == []


def test_restore_refuses_a_damaged_or_newer_backup(store, seed_dataset):
    good = backup.create_backup(store, "manual")
    bad = good.path.with_name("budget-20991231-235959-000000-daily.sqlite3")  # newer than any real one
    data = bytearray(good.path.read_bytes())
    bad.write_bytes(bytes(data[:4096]) + os.urandom(len(data) - 4096))
    from app.base.faults import CorruptDatabaseError

    newest = backup.list_backups(store)[0]
    assert newest.path == bad
    with pytest.raises(CorruptDatabaseError):
        restore_backup(store, bad.name)
    assert backup.find_backup(store, None).name == good.name  # the newest *good* one
    connection = sqlite3.connect(good.path)
    connection.execute("UPDATE alembic_version SET version_num='0099'")
    connection.commit()
    connection.close()
    with pytest.raises(CorruptDatabaseError, match="0099"):
        restore_backup(store, good.name)
    assert str(store.open_dataset("359", 2023).value(*CELL)) == "0.43"


def test_cli_backup_list_create_restore(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite3")
    assert run(capsys, "--db", db, "import-json", str(SEED004))[0] == 0
    code, _, err = run(capsys, "--db", db, "backup", "list")
    assert code == 0 and "还没有备份" in err  # the first import met an empty database
    assert run(capsys, "--db", db, "set", *CELL, "5.55", "--unit", "359", "--year", "2023")[0] == 0
    code, _, err = run(capsys, "--db", db, "backup", "create")
    assert code == 0 and "已备份到" in err
    assert run(capsys, "--db", db, "set", *CELL, "6.66", "--unit", "359", "--year", "2023")[0] == 0
    assert run(capsys, "--db", db, "import-json", str(SEED004), "--replace")[0] == 0  # backs up first
    code, out, _ = run(capsys, "--db", db, "backup", "list", "--json")
    listed = json.loads(out)["backups"]
    assert [entry["reason"] for entry in listed] == ["replace", "manual"]
    assert listed[0]["reason_text"] == "覆盖导入前" and listed[0]["size"] > 0
    code, out, _ = run(capsys, "--db", db, "backup", "list")
    assert "覆盖导入前" in out and "手动备份" in out
    code, _, err = run(capsys, "--db", db, "backup", "restore", listed[1]["name"][:-8])  # a prefix will do
    assert code == 0 and "已从备份" in err
    code, out, _ = run(capsys, "--db", db, "show", "three_public_expenses", "--unit", "359", "--year", "2023",
                       "--json")
    rows = {row["key"]: row["values"] for row in json.loads(out)["rows"]}
    assert rows["reception"]["general_budget"] == "5.55"
    code, _, err = run(capsys, "--db", db, "backup", "restore", "no-such-backup")
    assert code == 2 and "没有找到备份" in err


def test_cli_restores_over_a_damaged_file(tmp_path, capsys):
    db = tmp_path / "cli.sqlite3"
    assert run(capsys, "--db", str(db), "import-json", str(SEED004))[0] == 0
    assert run(capsys, "--db", str(db), "backup", "create")[0] == 0
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(os.urandom(16384))
    assert run(capsys, "--db", str(db), "units")[0] == 1
    code, _, err = run(capsys, "--db", str(db), "backup", "restore")
    assert code == 0 and "损坏的文件已移到" in err
    code, out, _ = run(capsys, "--db", str(db), "units", "--json")
    assert code == 0 and json.loads(out)[0]["unit"] == "359"
    assert any(p.name.startswith("cli.sqlite3.damaged-") for p in tmp_path.iterdir())


def test_cli_backup_on_postgres_points_to_the_server(capsys, monkeypatch):
    import app.cli.backup

    class FakeServerStore:
        path = None
        read_only = False

        def close(self):
            pass

    monkeypatch.setattr(app.cli.backup, "open_store", lambda _args: FakeServerStore())
    for action in ("list", "create"):
        code, _, err = run(capsys, "--db", "postgresql+psycopg://u@h/db", "backup", action)
        assert code == 1 and "pg_dump" in err


def test_cli_backup_help_is_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["backup", "--help"])
    out = capsys.readouterr().out
    assert "列出备份" in out and "立即备份" in out and "从备份恢复" in out


def test_open_upgrades_an_old_database_after_backing_it_up(tmp_path):
    from app.store.service import Store
    from db.engine import head_revision, make_engine, run_alembic

    path = tmp_path / "old.sqlite3"
    engine = make_engine(str(path))
    run_alembic(engine, "upgrade", "0002")
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("INSERT INTO unit (id, code, name, nature, rank, funding_form, competent_department, "
                                "head, finance_head, preparer, phone) VALUES (1, '1', '单位', '', '', '', '', '', '', "
                                "'', '')"))
    engine.dispose()
    store = Store(str(path))
    made = backup.list_backups(store)
    assert [info.reason for info in made] == ["upgrade"]
    connection = sqlite3.connect(made[0].path)
    assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0002",)
    connection.close()
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    store.close()


# ---- issue 22, item 3: a restore is a change like any other -------------------------------------------
def audit_rows(store) -> list[tuple]:
    from db import models

    with store.Session() as session:
        return [(e.id, e.unit_code, e.year, e.source, e.place, e.old, e.new)
                for e in session.scalars(select(models.AuditEntry).order_by(models.AuditEntry.id))]


def test_restore_is_refused_for_a_budget_submitted_now(store, seed_dataset):
    from app.base.errors import LockedError
    from tests.conftest import explain_all_findings

    first = backup.create_backup(store, "manual")
    seed_dataset.set_note("narrative:overview", "上报前改过的情况说明")
    explain_all_findings(seed_dataset)
    seed_dataset.set_status("submitted")
    before = audit_rows(store)
    with pytest.raises(LockedError, match="已上报.*359 2023.*先退回"):
        restore_backup(store, first.name)
    reopened = store.open_dataset("359", 2023)
    assert reopened.status == "submitted"
    assert reopened.notes("narrative:")["narrative:overview"] == "上报前改过的情况说明"
    assert audit_rows(store) == before


def test_restore_appends_to_the_audit_trail_and_names_every_cell(store, seed_dataset):
    first = backup.create_backup(store, "manual")
    seed_dataset.set_cell(*CELL, "2.22")
    seed_dataset.set_cell("three_public_expenses", "vehicle_operation", "general_budget", "5.55")
    before = audit_rows(store)
    restore_backup(store, first.name)
    after = audit_rows(store)
    assert after[:len(before)] == before  # nothing deleted or changed: the trail only grows
    added = after[len(before):]
    assert added and all(row[1:4] == ("359", 2023, "恢复备份") for row in added)
    assert added[0][4].startswith(f"恢复备份 {first.name}")
    cells = {(row[4], row[5], row[6]) for row in added[1:]}
    assert any("公务接待费" in place and old == "2.22" and new == "0.43" for place, old, new in cells)
    assert any("公务用车运行" in place and old == "5.55" for place, old, new in cells)
    assert str(store.open_dataset("359", 2023).value(*CELL)) == "0.43"


def test_restore_waits_on_a_locked_database_and_says_busy(db_path, monkeypatch):
    from app.base.faults import DatabaseBusyError
    from app.exchange.interchange import import_file
    from app.store.service import Store

    monkeypatch.setenv("BUDGETDESK_BUSY_TIMEOUT_MS", "300")
    store = Store(str(db_path))
    try:
        dataset = import_file(store, SEED004)
        first = backup.create_backup(store, "manual")
        dataset.set_cell(*CELL, "2.22")
        other = sqlite3.connect(db_path)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            with pytest.raises(DatabaseBusyError, match="占用"):
                restore_backup(store, first.name)
        finally:
            other.rollback()
            other.close()
        assert str(store.open_dataset("359", 2023).value(*CELL)) == "2.22"
    finally:
        store.close()



def test_a_backup_stamped_before_the_migration_rename_is_still_accepted(tmp_path):
    """A backup taken before the migration files were renamed carries a former revision id."""
    from app.base.faults import CorruptDatabaseError
    from app.store.backup import check_backup_file, create_backup
    from app.store.service import Store

    store = Store(str(tmp_path / "budget.sqlite3"))
    info = create_backup(store, "manual")
    store.close()
    connection = sqlite3.connect(info.path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '0008_indicator_level'")
    connection.close()
    check_backup_file(info)  # accepted: the same schema under its former name
    connection = sqlite3.connect(info.path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '0011_future'")
    connection.close()
    with pytest.raises(CorruptDatabaseError, match="较新版本"):
        check_backup_file(info)
