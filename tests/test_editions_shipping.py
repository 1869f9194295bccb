"""Issue 16: definitions have editions, recorded per dataset.

Every dataset records the form/rule/code/indicator-framework editions it was made with (created,
imported from a data file, an Excel workbook or a package, rolled over to the next year). Shipping a
new form edition (the test edition in tests/fixtures/editions/2099: 三公经费表 renames the row
``abroad_research`` to ``abroad_academic`` and drops the column ``state_capital``) migrates the stored
cells of datasets 编制中 on the old edition, audited, or refuses listing the cells a dropped key holds;
a year 已上报 keeps its edition and prints exactly as it was submitted. Run on SQLite and, when
BUDGETDESK_TEST_POSTGRES_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import text

from app.base.errors import InputError
from app.base.jsondoc import read_document
from app.base.paths import resource
from app.domain import forms as form_definitions
from app.domain.forms import form_by_id
from app.exchange.interchange import export_document, import_document
from app.printing.document import render_document
from app.store.audit import history
from app.store.editions import (
    current_edition,
    current_editions,
    dataset_edition,
    migrate_store,
    reload_definitions,
)
from app.store.service import Store
from tests.conftest import SEED004, explain_all_findings

PG_URL = os.environ.get("BUDGETDESK_TEST_POSTGRES_URL")
EDITION_2099 = Path(__file__).parent / "fixtures" / "editions" / "2099"
RESEARCH = ("three_public_expenses", "abroad_research", "general_budget")
ACADEMIC = ("three_public_expenses", "abroad_academic", "general_budget")
STATE_CAPITAL = ("three_public_expenses", "reception", "state_capital")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):
    from db.models import Base

    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("BUDGETDESK_TEST_POSTGRES_URL not set")
        target = PG_URL
    else:
        target = str(tmp_path / "editions.sqlite3")
    store = Store(target)
    yield store
    if request.param == "postgresql":
        with store.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    store.close()


def ship_test_edition(root: Path) -> Path:
    """A definitions tree as a release shipping edition 2099 would have it: the 2023 files moved
    unchanged to editions/2023/, the new edition's files in their place."""
    forms = root / "forms"
    kept = forms / "editions" / "2023"
    kept.mkdir(parents=True)
    for path in resource("forms").glob("*.json"):
        shutil.copy(path, kept / path.name)
        data = json.loads(path.read_text(encoding="utf-8"))
        if "edition" in data:
            data["edition"] = "2099"
        (forms / path.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for path in EDITION_2099.glob("*.json"):
        shutil.copy(path, forms / path.name)
    return forms


@pytest.fixture
def ship(tmp_path, monkeypatch):
    """Call to ship edition 2099 (for the rest of the test)."""
    def do() -> None:
        root = ship_test_edition(tmp_path / "release")
        monkeypatch.setattr(form_definitions, "forms_root", lambda: root)
        reload_definitions()
        assert current_edition() == "2099"

    yield do
    monkeypatch.undo()
    reload_definitions()


def pdf_text(dataset) -> str:
    data, _result = render_document(dataset)
    document = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def seed_document(changes: dict | None = None) -> dict:
    document = read_document(SEED004)
    document["values"] = [*document["values"], *[
        {"form": form, "row": row, "column": column, "value": value} for (form, row, column), value in (changes or {}).items()]]
    return document


def test_every_way_a_dataset_comes_about_records_its_editions(any_store, tmp_path):
    from app.domain.records import UnitInfo

    made_with = current_editions(any_store.code_tables(2023))
    assert made_with == {"forms": "2023", "rules": "2023", "indicators": "2023",
                         "codes": {"economic": "2023", "function": "2023"}}
    any_store.create_unit(UnitInfo(code="901", name="测试单位"))
    any_store.create_dataset("901", 2023)
    assert any_store.open_dataset("901", 2023).editions == made_with
    imported = import_document(any_store, read_document(SEED004))  # an old file without editions: 2023
    assert imported.editions == made_with
    document = export_document(imported)
    assert document["editions"] == made_with
    # Excel: exported and read back, made with today's definitions
    from app.exchange.excel import export_workbook, source_from_dataset
    from app.exchange.excel.importer import import_workbook, read_workbook

    path = export_workbook(source_from_dataset(imported), tmp_path / "seed.xlsx")
    plan = read_workbook(any_store, path)
    assert plan.document["editions"] == made_with
    again = import_workbook(any_store, plan, replace=True)
    assert again.editions == made_with
    # the roll-over
    from app.exchange.year_cycle import new_year

    new_year(any_store, "359", 2023, 2024)
    assert any_store.open_dataset("359", 2024).editions == current_editions(any_store.code_tables(2024))


def test_the_package_carries_the_editions(store, seed_dataset, tmp_path, monkeypatch):
    from app.exchange import signing
    from app.exchange.package import _dataset_document, export_package, open_package

    monkeypatch.setenv(signing.KEY_DIR_ENV, str(tmp_path / "keys"))
    result = export_package(seed_dataset, tmp_path / "seed.bdp")
    package = open_package(result.path)
    assert package.manifest["editions"]["dataset"] == seed_dataset.editions
    assert _dataset_document(package)["editions"] == seed_dataset.editions


def test_a_file_of_an_unknown_or_newer_edition_is_refused_in_chinese(any_store):
    document = read_document(SEED004)
    for edition, words in (("2100", "较新版本的 BudgetDesk 制作的"), ("2023-试行", "本程序不认识的版本")):
        with pytest.raises(InputError, match=words) as raised:
            import_document(any_store, {**document, "editions": {"forms": edition}})
        assert f"{edition} 版表样" in str(raised.value) and "未导入任何数据" in str(raised.value)
    assert any_store.list_datasets() == []


def test_a_new_edition_migrates_the_stored_cells_audited(any_store, ship):
    dataset = import_document(any_store, seed_document({RESEARCH: "1.25"}))
    before = dataset.entered_values()
    ship()
    assert form_by_id("three_public_expenses").column_keys() == ["total", "general_budget", "government_fund"]
    report = migrate_store(any_store)
    assert report.refused == [] and len(report.migrated) == 1 and "2023 版 → 2099 版，迁移 1 个单元格" in report.migrated[0]
    dataset = any_store.open_dataset("359", 2023)
    assert dataset_edition(dataset) == "2099" and dataset.editions["rules"] == "2023"
    after = dataset.entered_values()
    assert after[ACADEMIC] == Decimal("1.25") and RESEARCH not in after
    assert {key: value for key, value in after.items() if key != ACADEMIC} == {
        key: value for key, value in before.items() if key != RESEARCH}
    assert dataset.value("three_public_expenses", "abroad", "total") == Decimal("1.25")
    entries = history(any_store, "359", 2023, source="版本迁移")
    assert {entry.place for entry in entries} >= {"表样版本"} and len({entry.batch for entry in entries}) == 1
    assert [entry.new for entry in entries if entry.place == "表样版本"] == ["2099 版（迁移 1 个单元格）"]
    assert migrate_store(any_store).migrated == []  # done once


def test_a_dropped_column_holding_a_value_is_refused_and_listed(any_store, ship, capsys):
    import_document(any_store, seed_document({STATE_CAPITAL: "2.00", RESEARCH: "1.25"}))
    ship()
    report = migrate_store(any_store)
    assert report.migrated == [] and len(report.refused) == 1
    assert "three_public_expenses/reception/state_capital" in report.refused[0] and "未作任何迁移" in report.refused[0]
    dataset = any_store.open_dataset("359", 2023)
    assert dataset_edition(dataset) == "2023"
    assert dataset.entered_values()[STATE_CAPITAL] == Decimal("2.00") and RESEARCH in dataset.entered_values()
    assert history(any_store, "359", 2023, source="版本迁移") == []


def test_migrate_command_lists_and_refuses(tmp_path, ship, capsys):
    from app.cli.main import main

    db = str(tmp_path / "cli.sqlite3")
    store = Store(db)
    import_document(store, seed_document({STATE_CAPITAL: "2.00"}))
    store.close()
    assert main(["--db", db, "editions"]) == 0
    assert "359\t2023\t表样 2023 版" in capsys.readouterr().out
    ship()
    assert main(["--db", db, "editions", "--migrate"]) == 1
    assert "three_public_expenses/reception/state_capital" in capsys.readouterr().err


def test_a_submitted_past_year_prints_as_it_was_submitted_after_a_new_edition(any_store, ship):
    dataset = import_document(any_store, seed_document({RESEARCH: "1.25"}))
    explain_all_findings(dataset)
    dataset.set_status("submitted")
    draft = import_document(any_store, {**seed_document({RESEARCH: "1.25"}), "year": 2025})
    printed_then = pdf_text(any_store.open_dataset("359", 2023))
    assert "其中：教学科研人员因公出国（境）费" in printed_then and "国有资本经营预算财政拨款" in printed_then
    exported_then = export_document(any_store.open_dataset("359", 2023))

    ship()
    report = migrate_store(any_store)
    assert len(report.kept) == 1 and "已上报，保留 2023 版" in report.kept[0]
    assert len(report.migrated) == 1  # the 2025 draft moves to the new edition
    past = any_store.open_dataset("359", 2023)
    assert dataset_edition(past) == "2023" and past.entered_values()[RESEARCH] == Decimal("1.25")
    assert pdf_text(past) == printed_then  # page by page, word by word
    # the new edition really is in force: the draft prints with it
    printed_now = pdf_text(any_store.open_dataset("359", draft.year))
    assert "其中：学术交流因公出国（境）费" in printed_now and "其中：教学科研人员因公出国（境）费" not in printed_now
    # a submitted file of the old edition imported now keeps its edition and prints the same
    other = Store.scratch()
    try:
        kept = import_document(other, exported_then)
        assert kept.status == "submitted" and dataset_edition(kept) == "2023"
        assert pdf_text(kept) == printed_then
    finally:
        other.close()


def test_a_draft_file_of_the_old_edition_is_migrated_on_import_or_refused(any_store, ship):
    old = seed_document({RESEARCH: "1.25"})
    old_with_state_capital = seed_document({STATE_CAPITAL: "2.00"})
    ship()
    with pytest.raises(InputError, match="three_public_expenses/reception/state_capital"):
        import_document(any_store, old_with_state_capital)
    assert any_store.list_datasets() == []
    dataset = import_document(any_store, old)
    assert dataset_edition(dataset) == "2099" and dataset.entered_values()[ACADEMIC] == Decimal("1.25")


def test_migration_0006_moves_the_recorded_form_edition_into_the_column(tmp_path):
    from db.engine import make_engine, run_alembic

    path = tmp_path / "before.sqlite3"
    engine = make_engine(str(path))
    run_alembic(engine, "upgrade", "0005_selfeval")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO unit (id, code, name, nature, rank, funding_form, competent_department, "
                                "head, finance_head, preparer, phone) VALUES (1, '359', '融媒体中心', '', '', '', '', "
                                "'', '', '', '')"))
        for dataset_id, year in ((1, 2023), (2, 2024)):
            connection.execute(text("INSERT INTO dataset (id, unit_id, year, money_unit, status, version, token) "
                                    "VALUES (:id, 1, :year, '万元', 'draft', 0, :token)"),
                               {"id": dataset_id, "year": year, "token": f"t{dataset_id}"})
        connection.execute(text("INSERT INTO dataset_note (dataset_id, key, text) VALUES (2, 'edition:forms', '2023')"))
    engine.dispose()
    store = Store(str(path))
    try:
        assert store.open_dataset("359", 2023).editions == {"forms": "2023"}  # made before editions: the first
        assert store.open_dataset("359", 2024).editions == {"forms": "2023"}
        assert store.open_dataset("359", 2024).notes("edition:") == {}
    finally:
        store.close()


def test_the_window_moves_a_draft_to_the_new_edition_when_it_opens_it(window, store, ship, monkeypatch):
    window.dataset.set_cell(*RESEARCH, "1.25")
    ship()
    window.open_dataset("359", 2023)
    assert dataset_edition(window.dataset) == "2099"
    assert store.open_dataset("359", 2023).entered_values()[ACADEMIC] == Decimal("1.25")
    assert "2023 版表样迁移到 2099 版" in window.statusBar().currentMessage()
    assert window.form_tabs["three_public_expenses"].form.column_keys()[-1] == "government_fund"


def test_the_window_names_the_cells_that_stop_a_migration(window, store, ship, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    window.dataset.set_cell(*STATE_CAPITAL, "2.00")
    ship()
    window.open_dataset("359", 2023)
    assert warnings and "three_public_expenses/reception/state_capital" in warnings[0]
    assert dataset_edition(store.open_dataset("359", 2023)) == "2023"


def test_the_window_leaves_a_submitted_year_on_its_edition_and_says_so(window, store, ship):
    window.dataset.set_cell(*RESEARCH, "1.25")
    explain_all_findings(window.dataset)
    window.dataset.set_status("submitted")
    ship()
    window.open_dataset("359", 2023)
    assert dataset_edition(store.open_dataset("359", 2023)) == "2023"
    assert "按 2023 版表样上报，打印时按上报时的版本" in window.statusBar().currentMessage()
    assert history(store, "359", 2023, source="版本迁移") == []
