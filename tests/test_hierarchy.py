"""Level by level (issue 18 part 1): a 主管部门 with three 所属单位 hands one department package to the
财政局, which verifies every unit's own signature, imports all or nothing, sees the tree and 退回s.

The bureau's database is SQLite and, when BUDGETDESK_TEST_POSTGRES_URL is set, PostgreSQL (the
``bureau`` fixture of test_package); the 主管部门's own database is a SQLite file beside it, and one
test runs the 主管部门's side on PostgreSQL. Unit datasets are seed 004 with changed codes and names.
"""

import json
import zipfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from app.base.errors import ConflictError, InputError
from app.bureau import hierarchy, intake, standing
from app.exchange import signing
from app.exchange.package import reader, spec, trust
from tests.conftest import _make_store
from tests.test_package import _signed_zip, make_package, seed_document, snapshot

pytestmark = pytest.mark.usefixtures("key_dir")  # bureau (SQLite and PostgreSQL) and key_dir: tests/conftest.py

DEPT, DEPT_NAME = "801", "某县教育局"
UNITS = [("801001", "某县第一中学"), ("801002", "某县第二中学"), ("801003", "某县实验小学")]
YEAR = 2023


@cache
def _ready(scale: int) -> str:
    ready = seed_document(status="submitted", scale=scale)
    return json.dumps({"projects": ready["projects"], "explanations": ready["explanations"]}, ensure_ascii=False)


def unit_document(code, name, parent=DEPT, scale=1):
    """Seed 004 as a unit's 已上报 data (every project's amount and the 说明 of its 提示 computed once per
    scale: not per code)."""
    document = seed_document(code, name, YEAR, parent=parent, scale=scale)
    document["status"] = "submitted"
    document.update(json.loads(_ready(scale)))
    return document


def build_department(store, folder: Path, *, units=UNITS) -> dict[str, Path]:
    """The 主管部门's database: its own 已上报 data, and each 所属单位's package received as the bureau would."""
    from app.exchange.interchange import import_document

    import_document(store, unit_document(DEPT, DEPT_NAME, parent=None), backup=False)
    files = {}
    for number, (code, name) in enumerate(units, start=1):
        files[code] = make_package(folder / f"{code}.bdp", unit_document(code, name, scale=number + 1))
        intake.import_package(store, files[code], backup=False)
    return files


@pytest.fixture
def department(tmp_path):
    store = _make_store("sqlite", tmp_path, "department")
    files = build_department(store, tmp_path)
    yield store, files
    store.close()


@pytest.fixture
def department_package(department, tmp_path):
    store, files = department
    target = tmp_path / "out" / hierarchy.default_file_name(DEPT, DEPT_NAME, YEAR)
    result = hierarchy.export_department_package(store, DEPT, YEAR, target, submit=True)
    return result, files


def test_department_package_holds_originals_and_the_consolidation(department_package):
    result, files = department_package
    assert result.path.name == "801_某县教育局_2023_部门预算_含所属单位.bdp"
    assert result.units == UNITS and result.status == "submitted"
    with zipfile.ZipFile(result.path) as archive:
        manifest = json.loads(archive.read(spec.MANIFEST))
        embedded = {name: archive.read(name) for name in archive.namelist() if name.startswith("unit-")}
        consolidation = json.loads(archive.read(spec.CONSOLIDATION))
    assert manifest["format_version"] == 2 and manifest["kind"] == "department"
    assert [item["code"] for item in manifest["units"]] == [code for code, _name in UNITS]
    # Each 所属单位's package is embedded byte for byte: its own signature still verifies at the bureau.
    for item in manifest["units"]:
        assert embedded[item["member"]] == files[item["code"]].read_bytes()
    assert [unit["code"] for unit in consolidation["units"]] == [DEPT, *(code for code, _n in UNITS)]
    total = next(row for row in consolidation["forms"]["expenditure_summary"] if row["key"] == "total")
    single = next(row for row in seed_document()["values"] if row["form"] == "expenditure_summary")
    assert single  # the seed has a 支出总表
    # 本级 ×1 and the units ×2, ×3, ×4 of the seed: the 汇总 is ten seeds.
    from app.exchange.interchange import import_document
    from app.store.service import Store

    scratch = Store.scratch()
    try:
        seed_total = import_document(scratch, seed_document(), backup=False).value("expenditure_summary", "total", "total")
    finally:
        scratch.close()
    assert Decimal(total["values"]["total"]) == seed_total * 10


def test_unit_package_is_still_version_1(tmp_path):
    path = make_package(tmp_path / "u.bdp", seed_document())
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(spec.MANIFEST))
    assert manifest["format_version"] == 1 and "kind" not in manifest  # earlier programs read it as before
    assert reader.open_package(path).kind == "unit"  # migrated 1 → 2 on reading


def test_bureau_imports_the_department_level_by_level(bureau, department_package):
    from sqlalchemy import func, select

    from db import models

    result, files = department_package
    outcome = intake.import_package(bureau, result.path)
    assert (outcome.unit_code, outcome.first_trust, outcome.warnings_text) == (DEPT, True, [])
    assert [(unit.unit_code, unit.status, unit.errors, unit.first_trust) for unit in outcome.units] == [
        (code, "submitted", 0, True) for code, _name in UNITS]
    # Parent links, each node's receipt with its original bytes, each unit's key trusted.
    assert {unit.code: unit.parent_code for unit in bureau.list_units()} == {
        DEPT: None, **{code: DEPT for code, _name in UNITS}}
    with bureau.Session() as session:
        received = {row.unit_code: row for row in session.scalars(select(models.ReceivedPackage))}
        stored = dict(session.execute(select(models.ReceivedPackage.unit_code, models.PackageFile.data)
                                      .join(models.PackageFile)).all())
        assert session.scalar(select(func.count()).select_from(models.PackageFile)) == 4
    assert set(received) == {DEPT, *(code for code, _n in UNITS)}
    assert received["801002"].file_name == f"{result.path.name} / 801002"
    assert received["801002"].fingerprint == reader.open_package(files["801002"]).fingerprint
    assert bytes(stored["801002"]) == files["801002"].read_bytes()
    assert bytes(stored[DEPT]) == result.path.read_bytes()
    assert {key.unit_code for key in trust.trusted_keys(bureau)} == {DEPT, *(code for code, _n in UNITS)}

    nodes = hierarchy.tree(bureau, YEAR)
    assert [(node.code, node.role) for node in nodes] == [(DEPT, "department")]
    children = nodes[0].children
    assert [(child.code, child.role) for child in children] == [(DEPT, "own"), *((code, "unit") for code, _n in UNITS)]
    assert {child.status for child in children} == {"warnings"}  # received, 提示 explained
    assert nodes[0].status_name == "有提示" and nodes[0].summary == "共 4：有提示 4"
    assert nodes[0].total == (sum(child.row.total for child in children), "万元")
    from app.base.money import format_amount

    assert hierarchy.tree_json(nodes, YEAR)["nodes"][0]["total"] == format_amount(nodes[0].total[0])

    # The same file again: refused without replace (and nothing written); with replace it goes in again.
    before = snapshot(bureau)
    with pytest.raises(ConflictError, match="已存在"):
        intake.import_package(bureau, result.path)
    assert snapshot(bureau) == before


def _rebuild(source: Path, target: Path, key, *, member_edit=None, consolidation_edit=None) -> Path:
    """A department package re-signed by the 部门 after an embedded member or the 汇总 was changed."""
    with zipfile.ZipFile(source) as archive:
        manifest = json.loads(archive.read(spec.MANIFEST))
        members = {name: archive.read(name) for name in archive.namelist() if name not in (spec.MANIFEST, spec.SIGNATURE)}
    if member_edit is not None:
        name, data = member_edit
        members[name] = data
        for item in manifest["units"]:
            if item["member"] == name:
                item["sha256"] = spec.digest(data)
    if consolidation_edit is not None:
        members[spec.CONSOLIDATION] = consolidation_edit(members[spec.CONSOLIDATION])
    manifest["members"] = [{"name": name, "sha256": spec.digest(data), "size": len(data)} for name, data in members.items()]
    return _signed_zip(target, manifest, members, key)


def test_bad_embedded_package_refuses_the_whole_file(bureau, department_package, tmp_path):
    result, files = department_package
    dept_key = signing.unit_key(DEPT)
    before = snapshot(bureau)

    # 1. An embedded package whose dataset was changed after the unit signed it (checksum no longer matches).
    with zipfile.ZipFile(files["801002"]) as archive:
        items = {name: archive.read(name) for name in archive.namelist()}
    items[spec.DATASET] = items[spec.DATASET].replace(b'"value": "', b'"value": "9', 1)
    tampered = tmp_path / "tampered.bdp"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in items.items():
            archive.writestr(name, data)
    bad = _rebuild(result.path, tmp_path / "bad1.bdp", dept_key, member_edit=("unit-002.bdp", tampered.read_bytes()))
    with pytest.raises(InputError, match="(?s)所属单位 801002 的数据包未通过核对.*校验值不符"):
        intake.import_package(bureau, bad)
    assert snapshot(bureau) == before

    # 2. An embedded package signed by another key than the one the bureau trusts for the unit.
    trust.trust_key(bureau, "801003", signing.fingerprint(signing.public_raw(signing.unit_key("801003").public_key())))
    before = snapshot(bureau)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = make_package(tmp_path / "forged.bdp", unit_document("801003", UNITS[2][1], scale=4), key=Ed25519PrivateKey.generate())
    bad = _rebuild(result.path, tmp_path / "bad2.bdp", dept_key, member_edit=("unit-003.bdp", forged.read_bytes()))
    with pytest.raises(ConflictError, match="(?s)801003.*签名密钥.*不一致"):
        intake.import_package(bureau, bad)
    assert snapshot(bureau) == before

    # 3. A unit of another year.
    other_year = seed_document("801001", UNITS[0][1], 2024, parent=DEPT)
    bad = _rebuild(result.path, tmp_path / "bad3.bdp", dept_key,
                   member_edit=("unit-001.bdp", make_package(tmp_path / "y.bdp", other_year).read_bytes()))
    with pytest.raises(ConflictError, match="2024 年度的，不是部门的 2023"):
        intake.import_package(bureau, bad)
    assert snapshot(bureau) == before

    # 4. A unit whose data fails only when written (a value the form refuses): the 部门 and the units
    #    before it were already written in the transaction, and all of it is rolled back.
    broken = unit_document("801003", UNITS[2][1], scale=4)
    broken["status"] = "draft"
    broken["values"].append({"form": "expenditure_summary", "row": "total", "column": "total", "value": "1"})
    bad = _rebuild(result.path, tmp_path / "bad4.bdp", dept_key,
                   member_edit=("unit-003.bdp", make_package(tmp_path / "b.bdp", broken).read_bytes()))
    with pytest.raises(InputError, match="部门数据包“bad4.bdp”未导入（数据库未作任何改动）"):
        intake.import_package(bureau, bad)
    assert snapshot(bureau) == before


def test_consolidation_that_differs_is_reported(bureau, department_package, tmp_path):
    result, _files = department_package

    def edit(data: bytes) -> bytes:
        consolidation = json.loads(data)
        row = next(row for row in consolidation["forms"]["expenditure_summary"] if row["key"] == "total")
        row["values"]["total"] = str(Decimal(row["values"]["total"]) + 1)
        return json.dumps(consolidation, ensure_ascii=False).encode()

    bad = _rebuild(result.path, tmp_path / "sum.bdp", signing.unit_key(DEPT), consolidation_edit=edit)
    outcome = intake.import_package(bureau, bad)
    assert len(outcome.warnings_text) == 1 and "有 1 处不同" in outcome.warnings_text[0]
    assert "expenditure_summary / total / total" in outcome.warnings_text[0]


def test_department_refuses_units_not_ready(tmp_path):
    from app.exchange.interchange import import_document

    store = _make_store("sqlite", tmp_path, "department")
    try:
        files = build_department(store, tmp_path, units=UNITS[:2])
        import_document(store, {**unit_document(*UNITS[2]), "status": "draft"}, backup=False)  # typed, never received
        standing.return_dataset(store, "801002", YEAR, "项目支出测算依据不足")
        target = tmp_path / "dept.bdp"
        with pytest.raises(ConflictError) as refused:
            hierarchy.export_department_package(store, DEPT, YEAR, target)
        text = str(refused.value)
        assert "801002 某县第二中学：已退回（项目支出测算依据不足）" in text
        assert "801003 某县实验小学：未收到 2023 年度数据包" in text
        assert "801001" not in text and not target.exists() and not list(tmp_path.glob(".dept*"))
        # A unit changed at the 部门 after it was received is refused too.
        intake.import_package(store, files["801002"], replace=True, backup=False)  # received again
        store.delete_dataset("801003", YEAR)  # the typed copy goes; the unit's package comes in
        intake.import_package(store, make_package(tmp_path / "801003.bdp", unit_document(*UNITS[2])), backup=False)
        dataset = store.open_dataset("801001", YEAR)
        dataset.set_status("draft", reason="部门代改")
        (form, row, column), value = next(iter(dataset.entered_values().items()))
        dataset.set_cell(form, row, column, str(value + 1))
        with pytest.raises(ConflictError, match="801001 某县第一中学：本部门收到后数据有改动"):
            hierarchy.export_department_package(store, DEPT, YEAR, target)
        assert not target.exists()
    finally:
        store.close()


def test_return_one_unit_then_the_whole_department(bureau, department_package):
    from sqlalchemy import select

    from db import models

    result, _files = department_package
    intake.import_package(bureau, result.path)
    standing.return_dataset(bureau, "801002", YEAR, "三公经费超标")
    node = hierarchy.tree(bureau, YEAR)[0]
    assert {child.code: child.status_name for child in node.children}["801002"] == "已退回"
    assert node.status_name == "已退回" and node.summary == "共 4：已退回 1，有提示 3"

    with pytest.raises(InputError, match="原因"):
        hierarchy.return_department(bureau, DEPT, YEAR, "  ")
    returned = hierarchy.return_department(bureau, DEPT, YEAR, "部门整体压减 5%")
    assert returned == [DEPT, "801001", "801003"]  # 801002 was returned already
    assert {d.unit_code: d.status for d in bureau.list_datasets()} == {code: "draft" for code in (DEPT, "801001", "801002", "801003")}
    node = hierarchy.tree(bureau, YEAR)[0]
    assert node.status == "returned" and {child.status for child in node.children} == {"returned"}
    assert {child.code: child.row.returned for child in node.children}[DEPT] == "部门整体压减 5%"
    with bureau.Session() as session:
        places = [(row.unit_code, row.place, row.new) for row in session.scalars(
            select(models.AuditEntry).where(models.AuditEntry.source.in_(["退回", "状态"])).order_by(models.AuditEntry.id))]
    assert (DEPT, f"整体退回部门 {DEPT}（3 个单位：801、801001、801003）", "部门整体压减 5%") in places
    assert sum(1 for _code, place, new in places if place == "预算状态" and "部门整体压减" in (new or "")) == 3
    with pytest.raises(ConflictError, match="都不是已上报状态"):
        hierarchy.return_department(bureau, DEPT, YEAR, "再退一次")
    with pytest.raises(ConflictError, match="没有所属单位"):
        hierarchy.return_department(bureau, "801001", YEAR, "不是部门")


def test_tree_shows_units_not_received(bureau, tmp_path):
    from app.exchange.interchange import import_document
    from app.store.service import UnitInfo

    import_document(bureau, unit_document(DEPT, DEPT_NAME, parent=None), backup=False)
    bureau.create_unit(UnitInfo(code="801009", name="某县幼儿园", parent_code=DEPT))
    intake.import_package(bureau, make_package(tmp_path / "a.bdp", unit_document(*UNITS[0])), backup=False)
    nodes = {node.code: node for node in hierarchy.tree(bureau, YEAR)}
    statuses = {child.code: child.status_name for child in nodes[DEPT].children}
    assert statuses == {DEPT: "未收到", "801001": "有提示", "801009": "未收到"}  # the 本级 was typed, not received
    assert nodes[DEPT].status_name == "未收到"
    data = hierarchy.tree_json(list(nodes.values()), YEAR)
    assert data["nodes"][0]["children"][1]["total"] and data["nodes"][0]["summary"] == "共 3：未收到 2，有提示 1"


def test_department_side_on_postgres(tmp_path):
    """The 主管部门's own database on PostgreSQL (package_file's bytes, the 汇总), the bureau on SQLite."""
    from tests.conftest import PG_URL, _drop_all

    if not PG_URL:
        pytest.skip("BUDGETDESK_TEST_POSTGRES_URL not set")
    store = _make_store("postgres", tmp_path, "department")
    bureau_store = _make_store("sqlite", tmp_path, "bureau")
    try:
        files = build_department(store, tmp_path)
        result = hierarchy.export_department_package(store, DEPT, YEAR, tmp_path / "d.bdp", submit=True)
        with zipfile.ZipFile(result.path) as archive:
            assert archive.read("unit-003.bdp") == files["801003"].read_bytes()
        outcome = intake.import_package(bureau_store, result.path)
        assert len(outcome.units) == 3 and outcome.warnings_text == []
        assert hierarchy.return_department(store, DEPT, YEAR, "退回重报") == [DEPT, *(code for code, _n in UNITS)]
    finally:
        _drop_all(store)
        store.close()
        bureau_store.close()


def test_import_folder_takes_a_department_package(bureau, department_package, tmp_path):
    result, _files = department_package
    batch = intake.import_packages(bureau, result.path.parent, year=YEAR)
    assert batch.failed == [] and [outcome.unit_code for outcome in batch.imported] == [DEPT]
    assert len(batch.imported[0].units) == 3



def test_cli_department_package_tree_and_return(tmp_path, capsys):
    from tests.conftest import dump, run

    department_db, bureau_db = tmp_path / "dept.sqlite3", tmp_path / "bureau.sqlite3"
    store = _make_store("sqlite", tmp_path, "dept")
    try:
        build_department(store, tmp_path)
    finally:
        store.close()
    # Not a .bdp name, and a unit without 所属单位: refused, nothing written.
    code, _out, err = run(capsys, "--db", str(department_db), "export-package", "--unit", DEPT, "--year", "2023",
                          "--with-units", "--out", str(tmp_path / "d.zip"))
    assert code == 2 and ".bdp" in err
    code, _out, err = run(capsys, "--db", str(department_db), "export-package", "--unit", "801001", "--year", "2023",
                          "--with-units", "--out", str(tmp_path / "u.bdp"))
    assert code == 1 and "没有所属单位" in err and not (tmp_path / "u.bdp").exists()
    out_dir = tmp_path / "upward"
    out_dir.mkdir()
    code, _out, err = run(capsys, "--db", str(department_db), "export-package", "--unit", DEPT, "--year", "2023",
                          "--with-units", "--submit", "--out", str(out_dir))
    assert code == 0 and "本级和 3 个所属单位" in err
    package = out_dir / hierarchy.default_file_name(DEPT, DEPT_NAME, YEAR)

    code, _out, err = run(capsys, "--db", str(bureau_db), "import-package", str(package))
    assert code == 0 and err.count("所属单位 已导入：") == 3 and "注意" not in err
    code, out, _err = run(capsys, "--db", str(bureau_db), "bureau-tree", "--year", "2023", "--json")
    data = json.loads(out)
    assert [child["code"] for child in data["nodes"][0]["children"]] == [DEPT, "801001", "801002", "801003"]
    assert data["nodes"][0]["status_name"] == "有提示"

    before = dump(bureau_db)
    code, _out, err = run(capsys, "--db", str(bureau_db), "return", "--unit", DEPT, "--year", "2023",
                          "--with-units", "--reason", "")
    assert code == 2 and "原因" in err and dump(bureau_db) == before
    code, _out, err = run(capsys, "--db", str(bureau_db), "return", "--unit", DEPT, "--year", "2023",
                          "--with-units", "--reason", "人员经费测算有误")
    assert code == 0 and "801、801001、801002、801003" in err
    code, out, _err = run(capsys, "--db", str(bureau_db), "bureau-tree", "--year", "2023")
    lines = out.splitlines()
    assert lines[0].startswith("[部门] 801 某县教育局\t已退回\t共 4：已退回 4")
    assert lines[2].startswith("  801001 某县第一中学\t已退回") and lines[2].endswith("退回原因：人员经费测算有误")


def test_a_department_package_is_never_merged_table_by_table(bureau, department_package, capsys):
    """The resubmission diff/合并 is for one unit's package; a department package comes in whole
    (``--replace`` re-imports it whole), and the refusal says so and changes nothing."""
    from app.bureau.resubmission import preview_resubmission

    result, _files = department_package
    before = snapshot(bureau)
    with pytest.raises(InputError, match="部门数据包.*只能整体导入"):
        preview_resubmission(bureau, result.path)
    assert snapshot(bureau) == before
    intake.import_package(bureau, result.path)
    hierarchy.return_department(bureau, DEPT, YEAR, "请重新报送")  # a 已上报 部门 is never overwritten
    outcome = intake.import_package(bureau, result.path, replace=True)
    assert outcome.replaced and len(outcome.units) == 3
