"""Issue 16: ``new-year`` is all or nothing — the next year's document is built read-only and imported
in ONE transaction, audited as the one event 新建年度; a failure midway leaves no 2024 dataset, rows,
projects, notes or audit rows. SQLite and, when BUDGETDESK_TEST_POSTGRES_URL is set, PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import selfeval
from app.base.errors import Cancelled, NotFoundError
from app.base.jsondoc import read_document
from app.base.progress import Progress
from app.exchange.interchange import import_document
from app.exchange.year_cycle import NEW_YEAR, new_year
from app.projects import ProjectBook
from app.store.audit import history
from db import models
from tests.conftest import SEED004
from tests.test_editions_shipping import any_store  # noqa: F401  (the SQLite/PostgreSQL fixture)

CONTENT = (models.Dataset, models.CellValue, models.FormRow, models.Project, models.Indicator, models.DatasetNote,
           models.AuditEntry)


def counts(store) -> dict[str, int]:
    with store.Session() as session:
        return {table.__tablename__: session.scalar(select(func.count()).select_from(table)) for table in CONTENT}


class PowerCut(RuntimeError):
    pass


def _cut(*_args, **_kwargs):
    raise PowerCut("模拟故障")


@pytest.mark.parametrize("where", ["after_projects", "at_the_audit"])
def test_a_failure_midway_leaves_nothing(any_store, monkeypatch, where):  # noqa: F811
    import_document(any_store, read_document(SEED004))
    before = counts(any_store)
    if where == "after_projects":  # rows, cells and projects are in the transaction already
        monkeypatch.setattr(selfeval, "write_content", _cut)
    else:  # the very last statement of the transaction
        monkeypatch.setattr("app.store.service._AuditBatch.write", _cut)
    with pytest.raises(PowerCut):
        new_year(any_store, "359", 2023, 2024)
    monkeypatch.undo()
    assert counts(any_store) == before
    with pytest.raises(NotFoundError):
        any_store.open_dataset("359", 2024)
    assert history(any_store, "359", 2024) == []
    new_year(any_store, "359", 2023, 2024)  # and it works once the fault is gone
    assert ProjectBook(any_store.open_dataset("359", 2024)).list_projects()


def test_cancel_before_writing_leaves_nothing(any_store):  # noqa: F811
    import_document(any_store, read_document(SEED004))
    before = counts(any_store)
    progress = None

    def cancel_while_building(_done, _total, text):
        if text == "整理新年度的内容":
            progress.cancel()  # the dialog's 取消 pressed while the document is built

    progress = Progress(cancel_while_building)
    with pytest.raises(Cancelled):
        new_year(any_store, "359", 2023, 2024, progress)
    assert counts(any_store) == before


def test_the_roll_over_is_audited_as_one_event(any_store):  # noqa: F811
    source = import_document(any_store, read_document(SEED004))
    result = new_year(any_store, "359", 2023, 2024)
    entries = history(any_store, "359", 2024)
    assert entries and {entry.source for entry in entries} == {NEW_YEAR}
    assert len({entry.batch for entry in entries}) == 1
    headline = [entry for entry in entries if entry.place == NEW_YEAR]
    assert len(headline) == 1 and f"{len(result.projects)} 个项目" in headline[0].new
    assert "表样 2023 版" in headline[0].new
    # the content as before: rows, projects without amounts, the unit profile and 上年数
    dataset = any_store.open_dataset("359", 2024)
    assert not dataset.entered_values() and result.rows == sum(map(len, dataset.workbook.present_rows.values()))
    assert [project.name for project in ProjectBook(dataset).list_projects()] == result.projects
    assert all(project.amount is None for project in ProjectBook(dataset).list_projects())
    assert dataset.money_unit == source.money_unit and dataset.status == "draft"
