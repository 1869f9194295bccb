"""A bureau's local 一级/二级 indicator levels live in the database (issue 22, item 7): migrated once from the
old side file, imported through the audited store write (never "replaced with nothing"), and carried in
packages so that the bureau reads the same framework as the unit that used them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.base.errors import InputError
from app.projects import ProjectBook, indicator_levels
from app.projects.levels import (
    LOCAL_LEVELS_ENV,
    import_local_levels,
    level_name,
    load_local_levels,
    local_levels,
)
from app.store.service import Store
from db import models
from tests.conftest import SEED004, run

pytestmark = pytest.mark.usefixtures("key_dir")


def _stored_levels(store) -> list[tuple[str, str, str | None]]:
    with store.Session() as session:
        return [(row.code, row.name, row.parent) for row in
                session.scalars(select(models.IndicatorLevel).order_by(models.IndicatorLevel.id))]


def _level_audit(store) -> list[tuple[str, str | None, str | None]]:
    with store.Session() as session:
        return [(row.place, row.old, row.new) for row in
                session.scalars(select(models.AuditEntry).where(models.AuditEntry.source == "指标体系"))]


def test_side_file_is_migrated_once_into_the_opened_database(tmp_path, monkeypatch):
    side = tmp_path / "indicator_levels_local.json"
    side.write_text(json.dumps({"kind": "indicator_levels", "edition": "local",
                                "items": [["4", "本地一级指标", None], ["41", "本地二级指标", "4"]]},
                               ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv(LOCAL_LEVELS_ENV, str(side))
    store = Store(str(tmp_path / "first.sqlite3"))
    try:
        assert _stored_levels(store) == [("4", "本地一级指标", None), ("41", "本地二级指标", "4")]
        assert indicator_levels()["41"].parent == "4"
        audit = _level_audit(store)
        assert len(audit) == 2 and all("迁移" in (new or "") for _place, _old, new in audit)
    finally:
        store.close()
    assert not side.exists() and side.with_name(side.name + ".migrated").exists()  # no longer read
    other = Store(str(tmp_path / "second.sqlite3"))
    try:
        assert _stored_levels(other) == [] and "41" not in indicator_levels()
    finally:
        other.close()


def test_import_refuses_an_empty_list_and_changes_nothing(tmp_path, capsys):
    db = ["--db", str(tmp_path / "levels.sqlite3")]
    good = tmp_path / "levels.csv"
    good.write_text("编码,名称,上级\n39,群众满意度指标,3\n", encoding="utf-8")
    assert run(capsys, *db, "indicator-levels", "import", str(good))[0] == 0
    for name, content in (("empty.json", "[]"), ("items.json", '{"items": []}'), ("header.csv", "编码,名称,上级\n")):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        code, _out, err = run(capsys, *db, "indicator-levels", "import", str(path))
        assert code == 2 and "没有任何指标" in err and "Traceback" not in err, err
    store = Store(db[1])
    try:
        assert _stored_levels(store) == [("39", "群众满意度指标", "3")]
        with pytest.raises(InputError, match="没有任何指标"):
            import_local_levels(store, [])
        assert _stored_levels(store) == [("39", "群众满意度指标", "3")]
    finally:
        store.close()


def test_levels_import_is_audited_and_a_rename_records_the_old_name(store):
    import_local_levels(store, [("39", "群众满意度指标", "3")], note="导入 a.csv")
    import_local_levels(store, [("39", "公众满意度指标", "3"), ("33", "其他满意度指标", "3")])
    audit = _level_audit(store)
    assert audit[0] == ("指标体系 / 二级指标 39", None, "39 群众满意度指标（属 3）（导入 a.csv）")
    assert ("指标体系 / 二级指标 39", "39 群众满意度指标（属 3）", "39 公众满意度指标（属 3）") in audit
    assert ("指标体系 / 二级指标 33", None, "33 其他满意度指标（属 3）") in audit and len(audit) == 3
    assert [item.code for item in local_levels()] == ["39", "33"]


def test_a_package_carries_its_local_level_to_a_bureau_that_lacked_it(bureau, tmp_path):
    from app.bureau.intake import import_package
    from app.exchange.interchange import import_document
    from app.exchange.package.writer import export_package

    clerk = Store(str(tmp_path / "clerk.sqlite3"))
    try:
        import_local_levels(clerk, [("39", "群众满意度指标", "3")])
        document = json.loads(SEED004.read_text(encoding="utf-8"))
        document["projects"][0]["indicators"][-1].update(level1="3", level2="39", name="社会公众满意度")
        dataset = import_document(clerk, document, backup=False)
        package = export_package(dataset, tmp_path / "seed004.bdp").path
    finally:
        clerk.close()
    load_local_levels(bureau)  # the bureau's program, on its own database
    assert "39" not in indicator_levels() and _stored_levels(bureau) == []
    import_package(bureau, package)
    assert _stored_levels(bureau) == [("39", "群众满意度指标", "3")]
    assert indicator_levels()["39"].name == "群众满意度指标"
    audit = _level_audit(bureau)
    assert len(audit) == 1 and "随数据文件带入" in audit[0][2]
    project = ProjectBook(bureau.open_dataset(document["unit"]["code"], 2023)).list_projects()[0]
    indicator = project.indicators[-1]
    assert indicator.level2 == "39" and level_name(indicator.level2) == "群众满意度指标"


def test_a_package_may_not_rename_the_bureaus_own_level(bureau, tmp_path):
    from app.exchange.interchange import import_document

    import_local_levels(bureau, [("39", "本局的满意度指标", "3")])
    document = json.loads(SEED004.read_text(encoding="utf-8"))
    document["projects"][0]["indicators"][-1].update(level1="3", level2="39")
    document["indicator_levels"] = [["39", "别处的满意度指标", "3"]]
    with pytest.raises(InputError, match="本机的 39 是“本局的满意度指标”"):
        import_document(bureau, document, backup=False)
    assert _stored_levels(bureau) == [("39", "本局的满意度指标", "3")] and bureau.list_datasets() == []


def test_migration_chain_holds_the_levels_table(tmp_path):
    from db.engine import known_revisions

    assert "0010_indicator_level" in known_revisions()
    assert Path(__file__).parent.parent.joinpath("db/migrations/versions/0010_indicator_level.py").is_file()


def test_a_merged_resubmission_keeps_the_levels_its_parts_use():
    from app.exchange.document_parts import merge_documents

    held = json.loads(SEED004.read_text(encoding="utf-8"))
    package = json.loads(SEED004.read_text(encoding="utf-8"))
    package["indicator_levels"] = [["39", "群众满意度指标", "3"]]
    merged = merge_documents(held, package, ["projects"])
    assert merged["indicator_levels"] == [["39", "群众满意度指标", "3"]]
    assert "indicator_levels" not in merge_documents(held, held, ["projects"])


def test_a_document_from_before_32_shipped_imports_without_a_local_copy(store):
    """Files written when 32 社会公众满意度指标 was a local addition carry it; the edition now holds it, so
    nothing is added locally and the indicator reads the shipped item (short name included)."""
    from app.exchange.interchange import import_document

    document = json.loads(SEED004.read_text(encoding="utf-8"))
    document["projects"][0]["indicators"][-1].update(level1="3", level2="32", name="社会公众满意度")
    document["indicator_levels"] = [["32", "社会公众满意度指标", "3"]]
    dataset = import_document(store, document, backup=False)
    assert _stored_levels(store) == [] and local_levels() == []
    indicator = ProjectBook(dataset).list_projects()[0].indicators[-1]
    assert indicator.level2 == "32" and indicator_levels()["32"].short_name == "社会公众"
