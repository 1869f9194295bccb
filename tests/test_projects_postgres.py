"""Projects, their undo and the 0001 → 0002 migration on PostgreSQL (a bureau's shared server).

Runs when BUDGETDESK_TEST_POSTGRES_URL names a scratch database (``.ci/run`` sets one up when it
can install PostgreSQL); skipped otherwise. Every table is dropped before and after each test.
"""

import os

import pytest
from sqlalchemy import text

from tests.conftest import SEED004

URL = os.environ.get("BUDGETDESK_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="BUDGETDESK_TEST_POSTGRES_URL not set")


def _drop_everything(engine) -> None:
    """Every table of the scratch database, whatever revision made it (a list by name missed new tables)."""
    with engine.begin() as connection:
        tables = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
        for (table,) in list(tables):
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))


@pytest.fixture
def pg_engine():
    from db.engine import make_engine

    engine = make_engine(URL)
    _drop_everything(engine)
    yield engine
    _drop_everything(engine)
    engine.dispose()


def test_0001_database_upgrades_on_postgres(pg_engine):
    from app.projects import ProjectBook
    from app.store.service import Store
    from db.engine import run_alembic

    run_alembic(pg_engine, "upgrade", "0001")
    with pg_engine.begin() as connection:
        connection.execute(text("INSERT INTO unit (code, name, nature, rank, funding_form, competent_department, head, "
                                "finance_head, preparer, phone) VALUES ('359', '融媒体中心', '', '', '', '', '', '', '', '')"))
        connection.execute(text("INSERT INTO dataset (unit_id, year, money_unit, status) "
                                "SELECT id, 2023, '万元', 'draft' FROM unit"))
        for name in ("报刊机构合作宣传费", "报刊机构合作宣传费"):
            connection.execute(text("INSERT INTO project (dataset_id, position, name, code, hundredths, details) "
                                    "SELECT id, 0, :name, '', 7200, '{}' FROM dataset"), {"name": name})
        connection.execute(text("INSERT INTO indicator (project_id, position, level1, level2, name, description, "
                                "comparator, value, unit, basis) SELECT MIN(id), 0, '1', '11', '发布报道数量', '', '≥', "
                                "'500', '篇', '' FROM project"))
    store = Store(URL)
    projects = ProjectBook(store.open_dataset("359", 2023)).list_projects()
    assert [p.name for p in projects][0] == "报刊机构合作宣传费"
    assert projects[1].name.startswith("报刊机构合作宣传费（")
    assert [(i.name, i.value) for i in projects[0].indicators] == [("发布报道数量", "500")]
    store.close()


def test_delete_and_undo_keep_ids_on_postgres(pg_engine):
    from app.exchange.interchange import import_file
    from app.projects import Project, ProjectBook
    from app.store.service import Store

    store = Store(URL)
    book = ProjectBook(import_file(store, SEED004))
    projects, purchases = book.list_projects(), book.list_procurement()
    change = book.delete_project(projects[0].id)
    book.restore(change.before)
    assert book.list_projects() == projects and book.list_procurement() == purchases
    # The sequence still hands out fresh ids after rows were put back with their old ones.
    added = book.add_project(Project("新项目"))
    assert added.after.project_id not in {p.id for p in projects}
    store.close()


def test_0012_keeps_every_figure_of_an_old_database_on_postgres(pg_engine):
    from app.store.service import Store
    from tests.test_migrations import figures_survive_0012

    figures_survive_0012(lambda: Store(URL), pg_engine)
