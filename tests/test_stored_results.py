"""进度 and 筛查 from stored results (issue 29, item 4): each dataset's 审核 counts and quantities are kept in
``dataset_summary`` and worked out again only when the dataset, last year's dataset or the definitions
changed — on SQLite and, when BUDGETDESK_TEST_POSTGRES_URL names a scratch database, PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from sqlalchemy import func, select

from app.bureau import stored
from app.bureau.dashboard import dashboard
from app.bureau.screening import load_config, screen
from db import models
from tests.conftest import explain_all_findings
from tests.test_screening import build_department, build_mixed

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


def count_opened(store, monkeypatch) -> list[tuple[str, int]]:
    """Every dataset the store opens from now on (unit, year)."""
    opened: list[tuple[str, int]] = []
    real = store.open_dataset

    def counting(unit_code: str, year: int):
        opened.append((unit_code, year))
        return real(unit_code, year)

    monkeypatch.setattr(store, "open_dataset", counting)
    return opened


def _figures(board) -> list:
    return [(u.unit_code, u.state, u.errors, u.warnings, u.unexplained, [t.form for t in u.empty_tables])
            for u in board.units]


def _summaries(store, kind: str) -> int:
    with store.Session() as session:
        return session.scalar(select(func.count()).select_from(models.DatasetSummary)
                              .where(models.DatasetSummary.kind == kind))


def test_a_second_dashboard_reads_what_the_first_kept(bureau, tmp_path, monkeypatch):
    build_mixed(bureau, tmp_path)
    # 700 and 800 came as packages: their 审核 ran on receipt and was kept then.
    assert _summaries(bureau, stored.AUDIT) == 2 and _summaries(bureau, stored.MEASURES) == 2
    opened = count_opened(bureau, monkeypatch)
    first = dashboard(bureau, 2023)
    assert (first.stored.held, first.stored.computed, first.stored.reused) == (4, 2, 2)
    assert sorted(code for code, year in opened if year == 2023) == ["701", "702"]  # imported as documents
    assert _summaries(bureau, stored.AUDIT) == 4
    opened.clear()
    second = dashboard(bureau, 2023)
    assert opened == [] and (second.stored.computed, second.stored.reused) == (0, 4)
    assert _figures(second) == _figures(first)  # the same figures, read as kept
    assert [u.unexplained for u in second.units if u.unit_code == "702"] == [30]


def test_an_edit_through_the_door_makes_that_result_stale(bureau, tmp_path, monkeypatch):
    build_mixed(bureau, tmp_path)
    dashboard(bureau, 2023)
    explain_all_findings(bureau.open_dataset("702", 2023), complete_amounts=False)  # 说明 for 702's 30 提示
    opened = count_opened(bureau, monkeypatch)
    board = dashboard(bureau, 2023)
    assert [code for code, year in opened if year == 2023] == ["702"]  # only the changed dataset again
    assert (board.stored.computed, board.stored.reused) == (1, 3)
    assert {u.unit_code: u.unexplained for u in board.units}["702"] == 0
    assert board.total.with_warnings == 0


def test_a_changed_definition_makes_every_result_stale(bureau, tmp_path, monkeypatch):
    build_mixed(bureau, tmp_path)
    dashboard(bureau, 2023)
    copy = tmp_path / "resources"
    shutil.copytree(stored.resource("forms").parent, copy)
    rules = sorted((copy / "rules").glob("*.json"))[0]
    data = json.loads(rules.read_text(encoding="utf-8"))
    rules.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")  # same rules, another file
    monkeypatch.setattr(stored, "resource", lambda *parts: copy.joinpath(*parts))
    again = dashboard(bureau, 2023)
    assert (again.stored.computed, again.stored.reused) == (4, 0)
    assert dashboard(bureau, 2023).stored.computed == 0  # and kept for the new definitions


def test_screening_keeps_quantities_and_follows_last_year(bureau, monkeypatch):
    build_department(bureau)
    first = screen(bureau, 2023)
    assert (first.stored.computed, first.stored.reused) == (5, 0)
    opened = count_opened(bureau, monkeypatch)
    second = screen(bureau, 2023)
    assert opened == [] and second.stored.computed == 0
    assert [o.to_dict() for o in second.outliers] == [o.to_dict() for o in first.outliers]
    assert {u.unit_code: u.prior_source for u in second.units}["503"] == "dataset"
    # 503's last year changes: its growth is worked out again, nobody else's.
    last_year = bureau.open_dataset("503", 2022)
    last_year.set_cell("three_public_expenses", "reception", "general_budget", "1")
    third = screen(bureau, 2023)
    assert (third.stored.computed, third.stored.reused) == (1, 4)
    assert [code for code, year in opened if year == 2023] == ["503"]
    # Thresholds are applied to the kept figures each time: a looser one lists fewer, with nothing reopened.
    config = load_config()
    looser = dataclasses.replace(config, max_increase=config.max_increase * 100,
                                 deviation_points=config.deviation_points * 100)
    opened.clear()
    fewer = screen(bureau, 2023, config=looser)
    assert opened == [] and len(fewer.outliers) < len(third.outliers) and fewer.outliers == []
    # Asking for another quantity does work them out again.
    wider = type(config)((*config.growth_quantities, "income_total"), config.max_increase, config.max_decrease,
                         config.shares, config.deviation_points, config.mad_multiplier, config.min_peers)
    assert "income_total" not in config.growth_quantities
    assert screen(bureau, 2023, config=wider).stored.computed == 5


def test_a_received_package_is_kept_with_the_figures_a_check_would_give(bureau, tmp_path):
    from app.bureau import intake
    from tests.test_package import make_package
    from tests.test_screening import unit_document

    intake.import_package(bureau, make_package(tmp_path / "900.bdp", unit_document("900", "收到局", status="submitted")))
    intake.import_package(bureau, make_package(tmp_path / "901.bdp", unit_document("901", "草稿局", scale=2)))
    kept = dashboard(bureau, 2023)
    assert kept.stored.computed == 0 and screen(bureau, 2023).stored.computed == 0
    with bureau.write() as session:  # forget them: worked out afresh, the same figures
        session.query(models.DatasetSummary).delete()
    fresh = dashboard(bureau, 2023)
    assert fresh.stored.computed == 2 and _figures(fresh) == _figures(kept)
    assert [u.unexplained for u in fresh.units] == [0, 28]  # the draft's 提示 are not explained


def test_a_deleted_dataset_takes_its_results_with_it(bureau, tmp_path):
    build_mixed(bureau, tmp_path)
    dashboard(bureau, 2023)
    assert _summaries(bureau, stored.AUDIT) == 4
    bureau.delete_dataset("702", 2023)  # 702 is 编制中: it may be deleted
    assert _summaries(bureau, stored.AUDIT) == 3
    board = dashboard(bureau, 2023)
    assert board.stored.held == 3 and board.stored.computed == 0


def test_a_read_only_database_still_shows_the_dashboard(store, tmp_path):
    from app.store.service import Store

    build_mixed(store, tmp_path)
    path = store.path
    store.close()
    reader = Store(str(path), read_only=True)
    try:
        board = dashboard(reader, 2023)  # worked out, not kept: nothing may be written
        assert board.stored.computed == 2 and board.total.held == 4  # 701 and 702; 700 and 800 kept on receipt
        assert _summaries(reader, stored.AUDIT) == 2
        assert dashboard(reader, 2023).stored.computed == 2
    finally:
        reader.close()
