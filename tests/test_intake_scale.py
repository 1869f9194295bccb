"""The bureau's intake at scale (issue 26 item 3): what makes 500 packages cheap, each kept all-or-nothing."""

import re

import pytest
from sqlalchemy import event

from app.bureau import intake
from app.exchange import signing
from app.exchange.interchange import import_document
from app.store.service import Store
from tests.test_package import make_package, seed_document

pytestmark = pytest.mark.usefixtures("key_dir")


def _inserts(store, run) -> dict[str, int]:
    """How many INSERT statements each table got while ``run`` ran (an executemany counts once)."""
    counted: dict[str, int] = {}

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        found = re.match(r"\s*INSERT INTO (\w+)", statement)
        if found:
            counted[found.group(1)] = counted.get(found.group(1), 0) + 1

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return counted


def test_projects_indicators_and_procurement_go_in_as_lists(tmp_path):
    store = Store(str(tmp_path / "db.sqlite3"))
    document = seed_document()
    projects = len(document["projects"])
    indicators = sum(len(project.get("indicators", [])) for project in document["projects"])
    assert projects > 10 and indicators > 30 and document.get("procurement")
    counted = _inserts(store, lambda: import_document(store, document, backup=False))
    assert (counted["project"], counted["indicator"], counted["procurement_item"]) == (1, 1, 1)
    dataset = store.open_dataset("359", 2023)
    from app.exchange.interchange import export_document

    exported = export_document(dataset)
    assert [p["name"] for p in exported["projects"]] == [p["name"] for p in document["projects"]]
    assert sum(len(p.get("indicators", [])) for p in exported["projects"]) == indicators
    assert [(item["project"], item["item_name"]) for item in exported["procurement"]] == \
        [(item["project"], item["item_name"]) for item in document["procurement"]]
    store.close()


def test_a_folder_normalises_the_confirmed_fingerprints_once(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(3):
        document = seed_document(code=f"60{number}", name=f"单位{number}")
        make_package(folder / f"60{number}.bdp", document)
    fingerprints = [signing.fingerprint(signing.unit_key(f"60{n}").public_key().public_bytes_raw()) for n in range(3)]
    fingerprints += [f"{n:04X}-0000-0000-0000" for n in range(20)]  # a long list typed for other units
    calls = []
    normalize = signing.normalize_fingerprint
    monkeypatch.setattr(signing, "normalize_fingerprint", lambda text: calls.append(text) or normalize(text))
    store = Store(str(tmp_path / "bureau.sqlite3"))
    result = intake.import_packages(store, folder, trust_fingerprints=fingerprints)
    assert len(result.imported) == 3 and not result.failed
    assert len(calls) == len(fingerprints)  # not once per fingerprint per package and check
    store.close()


def test_scratch_databases_are_copies_of_one_schema_each_its_own(monkeypatch):
    from sqlalchemy import text

    from db.models import Base

    Store.scratch().close()  # the schema is built at most once per process

    def no_create_all(*_args, **_kwargs):
        raise AssertionError("the scratch schema was built again")

    monkeypatch.setattr(Base.metadata, "create_all", no_create_all)
    first, second = Store.scratch(), Store.scratch()
    try:
        import_document(first, seed_document(), backup=False)
        assert first.open_dataset("359", 2023).unit.code == "359"
        with second.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM dataset")).scalar() == 0
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        first.close()
        second.close()


def test_a_check_run_reads_the_notes_once_and_sees_a_later_note(tmp_path):
    from app.checks.rules import check_dataset, set_explanation

    store = Store(str(tmp_path / "db.sqlite3"))
    dataset = import_document(store, seed_document(), backup=False)
    reads = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        if "FROM dataset_note" in statement:
            reads.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    findings = check_dataset(dataset)
    event.remove(store.engine, "before_cursor_execute", count)
    assert len(reads) == 1
    warning = next(finding for finding in findings if finding.severity == "warning" and not finding.explanation)
    set_explanation(dataset, warning.key, "已核实。")  # written after the run: the next run sees it
    assert next(f for f in check_dataset(dataset) if f.key == warning.key).explanation == "已核实。"
    store.close()


def test_a_submitted_document_is_validated_once_and_still_refused_with_an_open_finding(tmp_path, monkeypatch):
    from app.exchange import interchange

    document = seed_document(status="submitted")
    unexplained = {**seed_document(code="360", name="另一单位", status="submitted"), "explanations": []}
    calls = []
    validate = interchange.validate_document
    monkeypatch.setattr(interchange, "validate_document", lambda *args: calls.append(1) or validate(*args))
    store = Store(str(tmp_path / "db.sqlite3"))
    assert import_document(store, document, backup=False).status == "submitted"
    assert len(calls) == 1  # not once more for the scratch check
    with pytest.raises(interchange.UnresolvedFindingsError, match="缺少说明"):
        import_document(store, unexplained, backup=False)
    with pytest.raises(Exception, match="找不到|不存在|没有"):
        store.open_dataset("360", 2023)
    store.close()
