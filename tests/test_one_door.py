"""Issue 11: every change through one door — the 已上报 lock holds for every path, stale views and
replaced datasets are never written, and every change is in the audit trail.

The two-writer tests run on SQLite (two Stores on one file, as two windows or processes) and on
PostgreSQL when BUDGETDESK_TEST_POSTGRES_URL is set (two clients of one server).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest
from sqlalchemy import text

from app.base.errors import InputError, LockedError, StaleDataError
from app.cli.main import main
from tests.conftest import SEED004, explain_all_findings

PG_URL = os.environ.get("BUDGETDESK_TEST_POSTGRES_URL")
RECEPTION = ("three_public_expenses", "reception", "general_budget")


def dump(store) -> dict:
    """Every row of the content tables, to show that a refused call changed nothing."""
    tables = ["unit", "dataset", "cell_value", "form_row", "project", "indicator", "procurement_item",
              "dataset_note", "overall_target", "overall_indicator", "asset_table", "asset_row"]
    with store.engine.connect() as connection:
        return {table: sorted(map(repr, connection.execute(text(f"SELECT * FROM {table}")).all()))
                for table in tables}


@pytest.fixture(params=["sqlite", "postgresql"])
def two_stores(request, tmp_path):
    """Two independent Stores on one database: two windows, two processes, or two bureau clients."""
    from app.store.service import Store
    from db.models import Base

    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("BUDGETDESK_TEST_POSTGRES_URL not set")
        target = PG_URL
    else:
        target = str(tmp_path / "shared.sqlite3")
    first, second = Store(target), Store(target)
    yield first, second
    second.close()
    if request.param == "postgresql":
        with first.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    first.close()


def submitted_seed(store):
    from app.exchange.interchange import import_file

    dataset = import_file(store, SEED004)
    explain_all_findings(dataset)
    dataset.set_status("submitted")
    return dataset


# ---- the lock holds ------------------------------------------------------------------------------

def test_import_replace_over_a_submitted_dataset_is_refused(store, tmp_path, capsys):
    submitted_seed(store)
    before = dump(store)
    code = main(["--db", str(tmp_path / "budget.sqlite3"), "import-json", str(SEED004), "--replace"])
    err = capsys.readouterr().err
    assert code == 1 and "已上报" in err and "撤销上报" in err and "Traceback" not in err
    assert dump(store) == before


def test_a_file_saying_submitted_with_problems_is_refused(store, tmp_path):
    from app.exchange.interchange import import_document

    document = json.loads(SEED004.read_text(encoding="utf-8"))
    document["status"] = "submitted"
    before = dump(store)
    with pytest.raises(InputError, match="已上报.*28 条审核问题"):
        import_document(store, document)
    assert dump(store) == before


def test_a_file_saying_submitted_imports_as_submitted_when_the_rule_passes(store, tmp_path):
    from app.exchange.interchange import export_document, import_document
    from app.store.service import Store

    source = Store(str(tmp_path / "source.sqlite3"))
    document = export_document(submitted_seed(source))
    source.close()
    assert document["status"] == "submitted"
    dataset = import_document(store, document)
    assert dataset.status == "submitted"


def test_a_submitted_file_of_a_subordinate_unit_imports_under_its_department(store, tmp_path):
    """The submission check runs in a scratch database that knows no 部门: a 所属单位's file still passes."""
    from app.exchange.interchange import export_document, import_document
    from app.store.service import Store, UnitInfo

    source = Store(str(tmp_path / "source.sqlite3"))
    document = export_document(submitted_seed(source))
    source.close()
    store.create_unit(UnitInfo(code="35", name="秦皇岛经济技术开发区宣传部"))  # the 部门 the unit reports under
    document["unit"]["parent_code"] = "35"
    dataset = import_document(store, document)
    assert dataset.status == "submitted"
    assert dataset.unit.parent_code == "35"


def test_explain_on_a_submitted_dataset_is_refused(store, tmp_path, capsys):
    submitted_seed(store)
    before = dump(store)
    code = main(["--db", str(tmp_path / "budget.sqlite3"), "explain", "P02", "改了", "--unit", "359",
                 "--year", "2023"])
    assert code == 1 and "已上报" in capsys.readouterr().err
    assert dump(store) == before


def test_every_write_path_refuses_a_submitted_dataset(store):
    from app.projects import ProjectBook
    from app.projects.narrative import save_text

    dataset = submitted_seed(store)
    book = ProjectBook(dataset)
    project = book.list_projects()[0]
    before = dump(store)
    attempts = [
        lambda: dataset.set_cell(*RECEPTION, "1"),
        lambda: dataset.add_row("expenditure_summary", "2010101"),
        lambda: dataset.remove_row("expenditure_summary", "207"),
        lambda: dataset.set_note("explanation:P02", "x"),
        lambda: save_text(dataset, "preface", "新的职责"),
        lambda: book.update_project_fields(project.id, manager="张三"),
        lambda: book.delete_project(project.id),
        lambda: book.set_indicators(project.id, []),
        lambda: store.delete_dataset("359", 2023),
    ]
    for attempt in attempts:
        with pytest.raises(LockedError):
            attempt()
    assert dump(store) == before


def test_withdrawing_needs_a_reason_and_is_audited(store):
    from app.store.audit import history

    dataset = submitted_seed(store)
    with pytest.raises(InputError, match="原因"):
        dataset.set_status("draft")
    assert dataset.status == "submitted"
    dataset.set_status("draft", reason="财政局退回修改")
    assert dataset.status == "draft"
    statuses = [(r.old, r.new) for r in history(store, "359", 2023, form="status")]
    assert statuses == [("编制中", "已上报"), ("已上报", "编制中（原因：财政局退回修改）")]


def test_cli_status_draft_requires_reason(store, tmp_path, capsys):
    submitted_seed(store)
    db = str(tmp_path / "budget.sqlite3")
    assert main(["--db", db, "status", "draft", "--unit", "359", "--year", "2023"]) == 2
    assert "原因" in capsys.readouterr().err
    assert main(["--db", db, "status", "draft", "--unit", "359", "--year", "2023", "--reason", "退回"]) == 0


# ---- two writers ---------------------------------------------------------------------------------

def test_a_process_that_opened_before_submission_cannot_write(two_stores):
    from app.exchange.interchange import import_file

    first, second = two_stores
    import_file(first, SEED004)
    stale = second.open_dataset("359", 2023)  # opened while still 编制中
    submitted = first.open_dataset("359", 2023)
    explain_all_findings(submitted)
    submitted.set_status("submitted")
    before = dump(first)
    with pytest.raises(LockedError):
        stale.set_cell(*RECEPTION, "9.99")
    assert stale.status == "submitted"  # what it knows now comes from the database
    assert dump(first) == before


def test_a_stale_value_is_refused_naming_the_cell_and_the_stored_value(two_stores):
    from app.exchange.interchange import import_file

    first, second = two_stores
    import_file(first, SEED004)
    window_a, window_b = first.open_dataset("359", 2023), second.open_dataset("359", 2023)
    window_b.set_cell(*RECEPTION, "5")
    with pytest.raises(StaleDataError) as refused:
        window_a.set_cell(*RECEPTION, "7")
    message = str(refused.value)
    assert "公务接待费" in message and "5.00" in message and "0.43" in message
    assert second.open_dataset("359", 2023).value(*RECEPTION) == Decimal("5.00")
    # Another cell is still writable; the write says the view is behind, so it reloads.
    changes = window_a.set_cell("three_public_expenses", "vehicle_operation", "general_budget", "8.00")
    assert window_a.last_changes.external
    assert changes == Decimal("8.00")
    window_a.reload()
    assert window_a.value(*RECEPTION) == Decimal("5.00")


def test_a_replaced_dataset_is_never_written_by_the_old_view(two_stores):
    from app.exchange.interchange import import_file

    first, second = two_stores
    import_file(first, SEED004)
    stale = second.open_dataset("359", 2023)
    import_file(first, SEED004, replace=True)
    before = dump(first)
    with pytest.raises(StaleDataError) as refused:
        stale.set_cell("three_public_expenses", "vehicle_operation", "general_budget", "1.00")
    assert refused.value.replaced and "替换" in str(refused.value)
    assert dump(first) == before


def test_submission_of_a_stale_view_is_refused(two_stores):
    from app.exchange.interchange import import_file

    first, second = two_stores
    explain_all_findings(import_file(first, SEED004))
    view = first.open_dataset("359", 2023)
    other = second.open_dataset("359", 2023)
    other.set_cell("general_budget_basic_expenditure", "30201", "public", "99")  # breaks a rule
    with pytest.raises(StaleDataError):
        view.set_status("submitted")  # checked what it saw, not what is stored
    assert first.open_dataset("359", 2023).status == "draft"


# ---- the audit trail -----------------------------------------------------------------------------

def test_history_shows_a_set_with_old_and_new(seed_dataset, db_path, capsys):
    db = str(db_path)
    assert main(["--db", db, "set", *RECEPTION, "0.50", "--unit", "359", "--year", "2023"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "history", "--unit", "359", "--year", "2023", "--form", "three_public_expenses",
                 "--row", "reception", "--column", "general_budget", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["unit"] == "359" and document["year"] == 2023
    assert [(c["source"], c["old"], c["new"]) for c in document["changes"]] == [("导入", None, "0.43"),
                                                                                 ("录入", "0.43", "0.50")]
    last = document["changes"][-1]
    assert set(last) >= {"time", "user", "source", "form", "row", "column", "old", "new"}
    assert last["user"] and "公务接待费" in last["place"]


def test_history_names_projects_fields_notes_and_rows(seed_dataset, store):
    from app.projects import ProjectBook
    from app.store.audit import history

    book = ProjectBook(seed_dataset)
    project = book.list_projects()[0]
    change = book.update_project_fields(project.id, manager="李四")
    book.restore(change.before)
    seed_dataset.add_row("expenditure_summary", "2010101")
    seed_dataset.set_note("explanation:P02", "项目金额由财政局统一下达。")
    records = history(store, "359", 2023)
    fields = [(r.source, r.row, r.column, r.old, r.new) for r in records if r.form == "project" and r.column]
    assert ("录入", f"项目“{project.name}”", "项目负责人", None, "李四") in fields
    assert ("撤销", f"项目“{project.name}”", "项目负责人", "李四", None) in fields
    places = [r.place for r in records]
    assert any("增加科目 2010101" in place for place in places)
    assert any(place == "审核说明 P02" for place in places)


def test_a_refused_write_leaves_no_audit_row(store):
    from app.store.audit import history

    dataset = submitted_seed(store)
    count = len(history(store, "359", 2023))
    with pytest.raises(LockedError):
        dataset.set_cell(*RECEPTION, "1")
    assert len(history(store, "359", 2023)) == count


def test_restore_rows_is_one_transaction(seed_dataset, store):
    """Undo of a row removal puts rows and values back together, or neither (it used to commit twice)."""
    form = "general_budget_basic_expenditure"
    rows, values = seed_dataset.row_snapshot(form, "302")
    assert values
    seed_dataset.remove_row(form, "302")
    other = store.open_dataset("359", 2023)
    first = values[0]
    other.add_row(form, first.row)
    other.set_cell(form, first.row, first.column, "1")  # another writer fills one of the cells meanwhile
    before = dump(store)
    with pytest.raises(StaleDataError):
        seed_dataset.restore_rows(form, rows, values)
    assert dump(store) == before  # no row came back without its values
    seed_dataset.reload()
    seed_dataset.restore_rows(form, rows, [v for v in values if v != first])
    restored = store.open_dataset("359", 2023)
    assert all(restored.value(c.form, c.row, c.column) == c.value for c in values if c != first)
