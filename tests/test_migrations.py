"""Schema migrations: a database made at revision 0001 opens with today's code (0002 and on)."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from db.engine import head_revision, make_engine, run_alembic
from db.models import Base


def _alembic(engine, action: str, revision: str) -> None:
    run_alembic(engine, action, revision)


def _database_at_0001(path: Path) -> None:
    """A 0001 database with data, written with plain SQL as the 0001 code would have."""
    engine = make_engine(str(path))
    _alembic(engine, "upgrade", "0001")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO unit (id, code, name, nature, rank, funding_form, competent_department, "
                                "head, finance_head, preparer, phone) VALUES "
                                "(1, '359', '秦皇岛经济技术开发区融媒体中心', '事业', '', '', '', '', '', '', '')"))
        connection.execute(text("INSERT INTO dataset (id, unit_id, year, money_unit, status) "
                                "VALUES (1, 1, 2023, '万元', 'draft')"))
        connection.execute(text("INSERT INTO cell_value VALUES (1, 'three_public_expenses', 'reception', "
                                "'general_budget', 43)"))
        for project_id, name in ((1, '报刊机构合作宣传费'), (2, '报刊机构合作宣传费'), (3, '网络专线服务')):
            connection.execute(text("INSERT INTO project (id, dataset_id, position, name, code, hundredths, details) "
                                    "VALUES (:id, 1, :id, :name, '', 7200, '{}')"), {"id": project_id, "name": name})
        connection.execute(text("INSERT INTO indicator (id, project_id, position, level1, level2, name, description, "
                                "comparator, value, unit, basis) VALUES "
                                "(1, 1, 0, '1', '11', '发布报道数量', '', '≥', '500', '篇', '实际工作需要')"))
    engine.dispose()


def test_a_0001_database_upgrades_and_keeps_its_data(tmp_path):
    from app.projects import ProjectBook
    from app.store.service import Store

    path = tmp_path / "old.sqlite3"
    _database_at_0001(path)
    store = Store(str(path))  # migrates to head on open
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert {"overall_target", "overall_indicator", "procurement_item", "asset_table", "asset_row"} <= tables
    dataset = store.open_dataset("359", 2023)
    assert str(dataset.value("three_public_expenses", "reception", "general_budget")) == "0.43"
    projects = ProjectBook(dataset).list_projects()
    # Project names are unique per dataset from 0002 on: the younger duplicate got its id appended.
    assert [p.name for p in projects] == ["报刊机构合作宣传费", "报刊机构合作宣传费（2）", "网络专线服务"]
    first = projects[0]
    assert str(first.amount) == "72.00" and first.manager == "" and first.period_start is None
    assert [(i.name, i.comparator, i.value, i.unit, i.note) for i in first.indicators] == [
        ("发布报道数量", "≥", "500", "篇", "")]
    store.close()


def test_models_and_migrations_agree(tmp_path):
    engine = make_engine(str(tmp_path / "head.sqlite3"))
    _alembic(engine, "upgrade", "head")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_0001_and_back(tmp_path):
    path = tmp_path / "round.sqlite3"
    _database_at_0001(path)
    engine = make_engine(str(path))
    _alembic(engine, "upgrade", "head")
    _alembic(engine, "downgrade", "0001")
    assert "procurement_item" not in inspect(engine).get_table_names()
    _alembic(engine, "upgrade", "head")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM project")).scalar() == 3
        assert connection.execute(text("SELECT COUNT(*) FROM indicator")).scalar() == 1
        # Foreign keys are back on for the pooled connection after migrating.
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


VERSIONS = Path(__file__).resolve().parent.parent / "db" / "migrations" / "versions"


def test_the_migration_files_are_named_and_sorted_as_they_chain():
    from db.engine import _revision_graph

    graph = _revision_graph()
    chain, revision = [], head_revision()
    while revision is not None:  # walk from the head down to the first migration
        chain.append(revision)
        revision = graph[revision]
    chain.reverse()
    files = sorted(path.stem for path in VERSIONS.glob("0*.py"))
    assert len(files) == len(chain)
    for name, revision in zip(files, chain, strict=True):  # sorting the names gives the chain
        assert name == revision or name.startswith(revision + "_"), (name, revision)  # named by its revision
    assert [int(name[:4]) for name in files] == list(range(1, len(files) + 1))  # numbered without gaps


def _database_stamped_with_a_former_id(tmp_path, former: str, upgrade_to: str) -> Path:
    path = tmp_path / "before-the-rename.sqlite3"
    engine = make_engine(str(path))
    _alembic(engine, "upgrade", upgrade_to)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :former"), {"former": former})
    engine.dispose()
    return path


def test_a_database_stamped_before_the_rename_opens_and_is_restamped(tmp_path):
    from app.store.service import Store
    from db.engine import FORMER_REVISION_IDS, stored_revision

    assert FORMER_REVISION_IDS["0008_indicator_level"] == "0010_indicator_level"
    # a user's database of the release before 0011: re-stamped, then upgraded to the head
    path = _database_stamped_with_a_former_id(tmp_path, "0008_indicator_level", "0010_indicator_level")
    store = Store(str(path))
    assert stored_revision(store.engine) == head_revision()
    assert "dataset_summary" in inspect(store.engine).get_table_names()
    store.close()
    older = _database_stamped_with_a_former_id(tmp_path / "older", "0006_editions", "0007_editions")
    store = Store(str(older))  # re-stamped, then upgraded through 0008 … to the head
    assert stored_revision(store.engine) == head_revision()
    assert "applied_return" in inspect(store.engine).get_table_names()
    store.close()


def test_a_read_only_database_stamped_before_the_rename_is_known_as_older_not_newer(tmp_path):
    import pytest

    from app.base.faults import ReadOnlyDatabaseError
    from app.store.service import Store
    from db.engine import stored_revision

    path = _database_stamped_with_a_former_id(tmp_path, "0008_indicator_level", "0010_indicator_level")
    with pytest.raises(ReadOnlyDatabaseError, match="结构版本（0010_indicator_level）较旧"):
        Store(str(path), read_only=True)  # known under today's id: older (0011 came since), not unknown
    engine = make_engine(str(path))
    assert stored_revision(engine) == "0008_indicator_level"  # read-only: nothing written
    engine.dispose()


# ---- 0012: integer hundredths of the money unit become integer millionths (exact to the 分) --------------
SEEDS = ("seed004_2023.json", "seed001_2020.json", "seed003_2020.json")  # cells, projects, 采购, 资产, 绩效自评


def figures_survive_0012(open_store, engine) -> None:
    """Seeds written at head, taken down to 0011 (the old hundredths), opened again: every figure the same."""
    from app.exchange.interchange import dumps, export_document, import_file

    fixtures = Path(__file__).parent / "fixtures"
    store = open_store()
    datasets = [import_file(store, fixtures / name) for name in SEEDS]
    before = {(d.unit.code, d.year): dumps(export_document(d)) for d in datasets}
    store.close()

    run_alembic(engine, "downgrade", "0011_dataset_summary")
    with engine.connect() as connection:  # what a database of the old code holds: hundredths
        assert connection.execute(text(
            "SELECT hundredths FROM cell_value WHERE form = 'expenditure_summary' AND row_key = '2070699' "
            "AND column_key = 'basic'")).scalar() == 58220
        assert connection.execute(text("SELECT MAX(hundredths) FROM project")).scalar() % 1 == 0
        project_total = connection.execute(text("SELECT SUM(hundredths) FROM project")).scalar()
        budgets = connection.execute(text("SELECT COUNT(*) FROM project_self_evaluation "
                                          "WHERE budget_hundredths IS NOT NULL")).scalar()
        fiscal = connection.execute(text("SELECT fiscal_budget_hundredths FROM department_self_evaluation")).scalar()
        assert project_total and budgets and fiscal
    engine.dispose()

    store = open_store()  # upgrades to head on open
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        assert connection.execute(text("SELECT SUM(millionths) FROM project")).scalar() == project_total * 10_000
        assert connection.execute(text(
            "SELECT fiscal_budget_millionths FROM department_self_evaluation")).scalar() == fiscal * 10_000
    after = {key: dumps(export_document(store.open_dataset(*key))) for key in before}
    store.close()
    assert after == before


def test_0012_keeps_every_figure_of_an_old_database(tmp_path):
    from app.store.service import Store

    path = tmp_path / "old.sqlite3"
    figures_survive_0012(lambda: Store(str(path)), make_engine(str(path)))
