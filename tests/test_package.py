"""The USB data package (.bdp): export, signature, every refusal of import, the bureau's 汇总.

Every test runs on SQLite and, when BUDGETDESK_TEST_POSTGRES_URL names a scratch database, on
PostgreSQL too. Packages for the refusal tests are made with ``write_package`` and a small stand-in
PDF (printing is tested by the one real export); the refusals are checked to leave the database
exactly as it was.
"""

import base64
import json
import os
import struct
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.base.errors import ConflictError, InputError
from app.bureau import intake, receipt, standing
from app.exchange import signing
from app.exchange.package import reader, spec, trust, writer
from tests.conftest import SEED004, explain_all_findings

PG_URL = os.environ.get("BUDGETDESK_TEST_POSTGRES_URL")
FAKE_PDF = b"%PDF-1.4\n% stand-in for the printed document\n%%EOF\n"


pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


def seed_document(code="359", name="秦皇岛经济技术开发区融媒体中心", year=2023, scale=1, parent=None, status="draft"):
    document = json.loads(SEED004.read_text(encoding="utf-8"))
    document["unit"]["code"], document["unit"]["name"], document["year"] = code, name, year
    document["status"] = status
    if parent:
        document["unit"]["parent_code"] = parent
    else:
        document["unit"].pop("parent_code", None)
    if scale != 1:
        for item in document["values"]:
            item["value"] = str(Decimal(item["value"]) * scale)
    if status == "submitted":  # a file may say 已上报 only when every project has its amount (issue 24)
        document.update(_ready_for_submission(document))  # and every 提示 its 说明 (issue 11)
    return document


def _ready_for_submission(document: dict) -> dict:
    """The projects with every amount and the 说明 of every 提示, as a clerk gives them before 上报."""
    from app.exchange.interchange import export_document, import_document
    from app.store.service import Store

    scratch = Store.scratch()
    try:
        dataset = import_document(scratch, {**document, "status": "draft"}, backup=False)
        explain_all_findings(dataset)
        exported = export_document(dataset)
        return {"projects": exported["projects"], "explanations": exported["explanations"]}
    finally:
        scratch.close()


def make_package(path: Path, document: dict, key=None, **overrides) -> Path:
    key = key or signing.unit_key(document["unit"]["code"])
    writer.write_package(path, document=document, audit={"unit": document["unit"]["code"], "year": document["year"],
                                                       "changes": []},
                      findings={"errors": 0, "warnings": 0, "findings": []}, pdf=FAKE_PDF, key=key, **overrides)
    return path


def rezip(source: Path, target: Path, edit) -> Path:
    """Copy a package member by member, letting ``edit(name, data)`` return [(name, data), …] for each."""
    with zipfile.ZipFile(source) as archive:
        items = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items:
            for new_name, new_data in edit(name, data):
                out.writestr(new_name, new_data)
    return target


def snapshot(store) -> dict:
    """Everything an import may touch, to show a refusal changed nothing."""
    from sqlalchemy import func, select

    from db import models

    with store.Session() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in (models.Unit, models.Dataset, models.CellValue, models.DatasetNote, models.TrustedKey,
                                models.ReceivedPackage, models.AuditEntry)}
    return {"counts": counts, "datasets": [(d.unit_code, d.year, d.status) for d in store.list_datasets()],
            "keys": [(k.unit_code, k.fingerprint, k.status) for k in trust.trusted_keys(store)]}


# ---- export, submit, round trip ------------------------------------------------------------------
def test_export_submit_import_round_trip_identical(store, bureau, tmp_path, key_dir):
    from app.exchange.interchange import export_document, import_file

    dataset = import_file(store, SEED004)
    explain_all_findings(dataset)
    target = tmp_path / spec.default_file_name("359", dataset.unit.name, 2023)
    assert target.name == "359_秦皇岛经济技术开发区融媒体中心_2023_部门预算.bdp"
    result = writer.export_package(dataset, target, submit=True)
    assert result.status == "submitted" and store.open_dataset("359", 2023).status == "submitted"
    key_file = next(key_dir.iterdir())
    if os.name == "posix":
        assert key_file.stat().st_mode & 0o077 == 0  # the private key is the user's alone

    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == sorted(spec.ALL_MEMBERS)
        manifest = json.loads(archive.read(spec.MANIFEST))
        pdf = archive.read(spec.PDF)
        audit = json.loads(archive.read(spec.AUDIT))
    assert manifest["format_version"] == 1 and manifest["unit"]["code"] == "359" and manifest["status"] == "submitted"
    assert {m["name"] for m in manifest["members"]} == set(spec.CONTENT_MEMBERS)
    assert manifest["editions"]["codes"] == {"function": "2023", "economic": "2023"}
    assert set(audit) == {"unit", "year", "changes"}
    # The printed cover shows the key's fingerprint (the paper vouches for the file).
    import pypdfium2

    cover = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert result.fingerprint.replace("-", "") in cover.replace("-", "").replace(" ", "")

    outcome = intake.import_package(bureau, target)
    assert outcome.first_trust and outcome.fingerprint == result.fingerprint and outcome.status == "submitted"
    assert outcome.errors == 0 and outcome.warnings == 43
    original = export_document(store.open_dataset("359", 2023))
    received = export_document(bureau.open_dataset("359", 2023))
    assert received == original
    assert [k.fingerprint for k in trust.trusted_keys(bureau, "359")] == [result.fingerprint]


def test_submit_refused_while_warnings_lack_explanations(seed_dataset, tmp_path):
    target = tmp_path / "x.bdp"
    with pytest.raises(ConflictError, match="缺少说明"):
        writer.export_package(seed_dataset, target, submit=True)
    assert not target.exists() and not list(tmp_path.glob("*.bdp*"))
    assert seed_dataset.store.open_dataset("359", 2023).status == "draft"


def test_submit_refused_while_an_error_remains(seed_dataset, tmp_path):
    explain_all_findings(seed_dataset)
    seed_dataset.set_cell("general_budget_basic_expenditure", "30201", "public", "1.00")  # tables no longer agree
    with pytest.raises(ConflictError, match=r"\[错误\]"):
        writer.export_package(seed_dataset, tmp_path / "x.bdp", submit=True)
    assert not (tmp_path / "x.bdp").exists()
    assert seed_dataset.store.open_dataset("359", 2023).status == "draft"
    # Without --submit the package is made (a draft hand-in for a look), status unchanged.
    result = writer.export_package(seed_dataset, tmp_path / "x.bdp")
    assert result.status == "draft" and result.errors >= 1


def test_cli_export_package_submit_refused_exit_1(db_path, seed_dataset, tmp_path, capsys):
    from app.cli.main import main

    code = main(["--db", str(db_path), "export-package", "--unit", "359", "--year", "2023",
                 "--out", str(tmp_path), "--submit"])
    assert code == 1
    assert "不能上报" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.bdp"))


# ---- refusals -------------------------------------------------------------------------------------
@pytest.fixture
def good_package(tmp_path):
    return make_package(tmp_path / "good.bdp", seed_document())


def _assert_refused(store, path, match, exc=InputError, **options):
    before = snapshot(store)
    with pytest.raises(exc, match=match):
        intake.import_package(store, path, **options)
    assert snapshot(store) == before


def test_flipped_byte_refused(bureau, good_package, tmp_path):
    raw = bytearray(good_package.read_bytes())
    with zipfile.ZipFile(good_package) as archive:
        info = archive.getinfo(spec.PDF)  # stored, so the byte lands in the member's data as such
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 10
    raw[offset] ^= 0x01
    flipped = tmp_path / "flipped.bdp"
    flipped.write_bytes(bytes(raw))
    _assert_refused(bureau, flipped, "已损坏|校验值不符")
    # A changed amount, re-zipped cleanly (valid CRCs) but not re-signed: the checksum refuses it.
    def edit(name, data):
        if name != spec.DATASET:
            return [(name, data)]
        document = json.loads(data)
        document["values"][0]["value"] = "9999.00"
        return [(name, json.dumps(document, ensure_ascii=False, indent=2).encode() + b"\n")]
    _assert_refused(bureau, rezip(good_package, tmp_path / "edited.bdp", edit), "校验值不符")
    # A manifest changed to match the edit: the signature refuses it.
    def edit_manifest(name, data):
        return [(name, data.replace(b'"year": 2023', b'"year": 2024') if name == spec.MANIFEST else data)]
    _assert_refused(bureau, rezip(good_package, tmp_path / "manifest.bdp", edit_manifest), "签名无效")


def test_truncated_and_not_a_zip_refused(bureau, good_package, tmp_path):
    raw = good_package.read_bytes()
    for size in (len(raw) // 2, len(raw) - 30, 10):
        cut = tmp_path / f"cut{size}.bdp"
        cut.write_bytes(raw[:size])
        _assert_refused(bureau, cut, "不是有效的数据包|不完整|已损坏")
    (tmp_path / "cut0.bdp").touch()
    _assert_refused(bureau, tmp_path / "cut0.bdp", "是空文件，不是数据包")  # the bounded reader's words
    text = tmp_path / "text.bdp"
    text.write_text("这不是数据包", encoding="utf-8")
    _assert_refused(bureau, text, "不是有效的数据包")


def test_zip_slip_absolute_duplicate_and_unexpected_members_refused(bureau, good_package, tmp_path):
    for bad in ("../evil.json", "/etc/passwd", "dir/dataset.json", "C:/evil.json", "..\\evil.json"):
        path = rezip(good_package, tmp_path / "slip.bdp",
                     lambda name, data, bad=bad: [(name, data)] + ([(bad, b"{}")] if name == spec.PDF else []))
        _assert_refused(bureau, path, "越出数据包的路径或绝对路径")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name we write on purpose
        path = rezip(good_package, tmp_path / "dup.bdp",
                     lambda name, data: [(name, data)] + ([(name, data)] if name == spec.DATASET else []))
    _assert_refused(bureau, path, "重复的成员")
    path = rezip(good_package, tmp_path / "extra.bdp",
                 lambda name, data: [(name, data)] + ([("extra.txt", b"x")] if name == spec.PDF else []))
    _assert_refused(bureau, path, "不应有的成员")
    path = rezip(good_package, tmp_path / "missing.bdp", lambda name, data: [] if name == spec.SIGNATURE else [(name, data)])
    _assert_refused(bureau, path, "缺少")


def test_zip_bomb_refused(bureau, tmp_path, monkeypatch):
    # A member far over its bound that deflates to almost nothing.
    document = seed_document()
    document["padding"] = " " * (3 * 1024 * 1024)
    bomb = make_package(tmp_path / "bomb.bdp", document)
    assert bomb.stat().st_size < 200 * 1024
    monkeypatch.setitem(spec.MAX_MEMBER_BYTES, spec.DATASET, 1024 * 1024)
    _assert_refused(bureau, bomb, "超过允许的大小")
    # The same with its declared size forged small in the central directory: stopped while inflating.
    raw = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo(spec.DATASET)
    name = spec.DATASET.encode()
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        if raw[central + 46:central + 46 + len(name)] == name:
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    assert struct.unpack("<I", raw[central + 24:central + 28])[0] == info.file_size
    raw[central + 24:central + 28] = struct.pack("<I", 1000)
    forged = tmp_path / "forged.bdp"
    forged.write_bytes(bytes(raw))
    _assert_refused(bureau, forged, "压缩炸弹|已损坏|校验值不符")
    # And a total over the bound.
    monkeypatch.setitem(spec.MAX_MEMBER_BYTES, spec.DATASET, 64 * 1024 * 1024)
    monkeypatch.setattr(reader, "MAX_TOTAL_BYTES", 2 * 1024 * 1024)
    _assert_refused(bureau, bomb, "总大小超过")


def _signed_zip(path: Path, manifest: dict, members: dict[str, bytes], key) -> Path:
    manifest_bytes = json.dumps(manifest, ensure_ascii=False).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(spec.MANIFEST, manifest_bytes)
        archive.writestr(spec.SIGNATURE, json.dumps(signing.sign(key, manifest_bytes)))
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _members_of(path: Path) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(spec.MANIFEST))
        return manifest, {name: archive.read(name) for name in spec.CONTENT_MEMBERS}


def test_newer_format_refused_and_older_format_migrated(bureau, good_package, tmp_path, monkeypatch):
    key = signing.unit_key("359")
    manifest, members = _members_of(good_package)
    newer_version = spec.PACKAGE_FORMAT_VERSION + 1
    newer = _signed_zip(tmp_path / "newer.bdp", {**manifest, "format_version": newer_version, "program_version": "9.0"},
                        members, key)
    _assert_refused(bureau, newer, f"格式版本为 {newer_version}.*请升级")
    older = _signed_zip(tmp_path / "older.bdp", {**manifest, "format_version": 0}, members, key)
    _assert_refused(bureau, older, "过旧")

    def from_zero(old_manifest, old_members):
        return {**old_manifest, "format_version": 1}, old_members

    monkeypatch.setitem(reader.MIGRATIONS, 0, from_zero)
    outcome = intake.import_package(bureau, older)
    assert outcome.unit_code == "359"


def test_wrong_key_refused_and_reissue_is_explicit_and_audited(bureau, tmp_path):
    from sqlalchemy import select

    from db import models

    first = intake.import_package(bureau, make_package(tmp_path / "a.bdp", seed_document()))
    assert first.first_trust
    thief = Ed25519PrivateKey.generate()
    forged = make_package(tmp_path / "b.bdp", seed_document(scale=2), key=thief)
    _assert_refused(bureau, forged, "签名密钥.*不一致", exc=ConflictError, replace=True)
    # The clerk lost the key; the bureau registers the new one typed from the signed paper, with a reason.
    new_fingerprint = signing.fingerprint(signing.public_raw(thief.public_key()))
    with pytest.raises(ConflictError, match="已登记密钥"):
        trust.trust_key(bureau, "359", new_fingerprint)
    with pytest.raises(InputError, match="原因"):
        trust.trust_key(bureau, "359", new_fingerprint, replace=True)
    trust.trust_key(bureau, "359", new_fingerprint.lower().replace("-", " "), replace=True, reason="原电脑损坏")
    keys = trust.trusted_keys(bureau, "359")
    assert [(k.fingerprint, k.status) for k in keys] == [(first.fingerprint, "revoked"), (new_fingerprint, "active")]
    assert keys[0].revoked_reason == "原电脑损坏"
    with bureau.Session() as session:
        audit = session.scalars(select(models.AuditEntry).where(models.AuditEntry.source == "密钥")).all()
        assert [(a.old, a.new) for a in audit] == [(first.fingerprint, f"{new_fingerprint}（原电脑损坏）")]
    outcome = intake.import_package(bureau, forged, replace=True)
    assert not outcome.first_trust and outcome.replaced
    # …and the old key is now refused.
    _assert_refused(bureau, make_package(tmp_path / "c.bdp", seed_document()), "不一致", exc=ConflictError, replace=True)


def test_typed_fingerprint_trusted_before_first_package(bureau, tmp_path):
    signing.unit_key("359")
    trust.trust_key(bureau, "359", "0000-0000-0000-0000")
    _assert_refused(bureau, make_package(tmp_path / "a.bdp", seed_document()), "不一致", exc=ConflictError)
    with pytest.raises(InputError, match="格式不对"):
        trust.trust_key(bureau, "360", "not-a-fingerprint")


def test_other_unit_or_year_than_expected_refused(bureau, good_package):
    _assert_refused(bureau, good_package, "不是预期的单位 360", exc=ConflictError, expected_unit="360")
    _assert_refused(bureau, good_package, "不是预期的 2024 年度", exc=ConflictError, expected_year=2024)
    assert intake.import_package(bureau, good_package, expected_unit="359", expected_year=2023).unit_code == "359"


def test_existing_dataset_shows_differences_and_needs_replace(bureau, tmp_path):
    from app.exchange.interchange import export_document

    intake.import_package(bureau, make_package(tmp_path / "a.bdp", seed_document()))
    changed = seed_document()
    changed["values"][0]["value"] = "1.23"
    referenced = {item["project"] for item in changed["procurement"]}
    dropped = next(project["name"] for project in changed["projects"] if project["name"] not in referenced)
    changed["projects"] = [project for project in changed["projects"] if project["name"] != dropped]
    changed["explanations"] = [{"finding": "P02", "text": "项目金额正在核定。"}]
    newer = make_package(tmp_path / "b.bdp", changed)
    with pytest.raises(ConflictError) as refused:
        intake.import_package(bureau, newer)
    text = str(refused.value)
    assert "单元格：1 处不同" in text and "→ 1.23" in text and f"删除项目：“{dropped}”" in text and "说明 P02" in text
    asked = []
    outcome = intake.import_package(bureau, newer, confirm=lambda diff: asked.append(diff) or True)
    assert asked and outcome.replaced and len(outcome.diff.cells) == 1
    assert export_document(bureau.open_dataset("359", 2023))["values"][0]["value"] == "1.23"


def test_invalid_content_refused_after_signature(bureau, tmp_path):
    document = seed_document()
    document["values"][0]["value"] = "-5.001"
    _assert_refused(bureau, make_package(tmp_path / "bad.bdp", document), "未导入任何数据")


# ---- the bureau -----------------------------------------------------------------------------------
def _three_units(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [make_package(folder / f"{code}.bdp", seed_document(code=code, name=f"测试单位{code}", scale=scale,
                                                               parent=None, status="submitted"))
            for code, scale in (("101", 1), ("102", 2), ("103", 3))]


def test_import_directory_skips_the_bad_package(bureau, tmp_path, capsys):
    from app.cli.main import main

    folder = tmp_path / "usb"
    paths = _three_units(folder)
    raw = paths[1].read_bytes()
    paths[1].write_bytes(raw[: len(raw) // 2])
    (folder / "readme.txt").write_text("not a package", encoding="utf-8")
    steps = []
    from app.base.progress import Progress

    result = intake.import_packages(bureau, folder, progress=Progress(lambda done, total, text: steps.append((done, total))))
    assert [o.unit_code for o in result.imported] == ["101", "103"]
    assert [name for name, _reason in result.failed] == ["102.bdp"] and "不完整" in result.failed[0][1]
    assert steps[0] == (0, 3) and steps[-1] == (3, 3)
    rows = {row.unit_code: row for row in standing.overview(bureau, 2023)}
    assert set(rows) == {"101", "103"} and rows["103"].total == Decimal("1206.65") * 3
    assert rows["101"].status == "submitted" and rows["101"].warnings == 43 and rows["101"].fingerprint
    if bureau.engine.url.get_backend_name() == "sqlite":
        code = main(["--db", bureau.engine.url.database, "import-packages", str(folder), "--replace"])
        err = capsys.readouterr().err
        # The two imported datasets are 已上报: a resubmission cannot replace them until the bureau 退回s them.
        assert code == 1 and "未导入 102.bdp" in err and "成功 0 个，未导入 3 个" in err and "导入数据包 3/3" in err
        assert err.count("已上报，不能被导入的数据覆盖") == 2


def test_return_with_reason_back_to_draft(bureau, tmp_path):
    from sqlalchemy import select

    from db import models

    intake.import_package(bureau, make_package(tmp_path / "a.bdp", seed_document(status="submitted")))
    with pytest.raises(InputError, match="原因"):
        standing.return_dataset(bureau, "359", 2023, "  ")
    standing.return_dataset(bureau, "359", 2023, "项目金额未填全")
    assert bureau.open_dataset("359", 2023).status == "draft"
    row = standing.overview(bureau, 2023)[0]
    assert row.status_name == "已退回" and row.returned == "项目金额未填全"
    with pytest.raises(ConflictError, match="不是已上报"):
        standing.return_dataset(bureau, "359", 2023, "再退一次")
    with bureau.Session() as session:
        assert session.scalars(select(models.AuditEntry.new).where(models.AuditEntry.unit_code == "359")).all()


def test_consolidation_of_three_units_is_the_cell_by_cell_sum(bureau, tmp_path):
    from app.bureau.consolidate import consolidate, consolidation_json
    from app.domain.forms import all_forms
    from app.exchange.interchange import import_document

    import_document(bureau, seed_document(code="35", name="部门本级", scale=1))
    import_document(bureau, seed_document(code="3501", name="所属单位甲", scale=2, parent="35"))
    other = seed_document(code="3502", name="所属单位乙", scale=3, parent="35")
    # This unit enters 2070699 one level down, so the 汇总 has a 项 beside another unit's direct 款-free rows.
    import_document(bureau, other)
    units = [bureau.open_dataset(code, 2023) for code in ("35", "3501", "3502")]
    total = consolidate(bureau, 2023)
    assert [u.code for u in total.units] == ["35", "3501", "3502"]
    for form in all_forms():
        view = total.view(form.id)
        unit_views = [unit.view(form.id) for unit in units]
        keys = set(view.values)
        for unit_view in unit_views:
            assert set(unit_view.values) <= keys
        for key in keys:
            expected = [v.values.get(key) for v in unit_views if v.values.get(key) is not None]
            assert view.values[key] == (sum(expected, Decimal(0)) if expected else None), (form.id, key)
    assert total.value("expenditure_summary", "total", "total") == Decimal("1206.65") * 6
    by_parent = consolidate(bureau, 2023, parent="35")
    assert len(by_parent.units) == 3
    two = consolidate(bureau, 2023, units=["3501", "3502"])
    assert two.value("expenditure_summary", "total", "total") == Decimal("1206.65") * 5
    data = consolidation_json(two)
    assert [u["code"] for u in data["units"]] == ["3501", "3502"]
    assert data["forms"]["expenditure_summary"][0]["values"]["total"] == str(Decimal("1206.65") * 5)
    from app.base.errors import NotFoundError

    with pytest.raises(NotFoundError, match="9999"):
        consolidate(bureau, 2023, units=["9999"])


def test_consolidation_keeps_a_direct_amount_beside_another_units_children(bureau):
    from app.bureau.consolidate import consolidate
    from app.exchange.interchange import import_document

    a = seed_document(code="201", name="甲")
    a["values"] = [{"form": "expenditure_summary", "row": "20701", "column": "basic", "value": "10.00"}]
    for part in ("projects", "procurement", "overall_targets", "assets", "explanations", "narrative", "rows"):
        a.pop(part, None)
    b = json.loads(json.dumps(a))
    b["unit"]["code"], b["unit"]["name"] = "202", "乙"
    b["values"] = [{"form": "expenditure_summary", "row": "2070101", "column": "basic", "value": "5.00"}]
    import_document(bureau, a)
    import_document(bureau, b)
    total = consolidate(bureau, 2023)
    assert total.value("expenditure_summary", "20701", "basic") == Decimal("15.00")
    assert total.value("expenditure_summary", "total", "total") == Decimal("15.00")
    assert total.direct_parent_rows == [("expenditure_summary", "20701")]


def test_consolidate_cli_json_and_pdf(db_path, store, tmp_path, capsys):
    from app.cli.main import main
    from app.exchange.interchange import import_document

    import_document(store, seed_document(code="101", name="甲"))
    import_document(store, seed_document(code="102", name="乙", scale=2))
    assert main(["--db", str(db_path), "consolidate", "--year", "2023", "--units", "101,102", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["forms"]["expenditure_summary"][0]["values"]["total"] == "3619.95"
    assert main(["--db", str(db_path), "consolidate", "--year", "2023", "--pdf", str(tmp_path / "sum.pdf")]) == 0
    assert (tmp_path / "sum.pdf").read_bytes().startswith(b"%PDF")
    assert main(["--db", str(db_path), "consolidate", "--year", "2023"]) == 2


def test_cli_import_package_overview_return_trust(db_path, store, tmp_path, capsys):
    from app.cli.main import main

    path = make_package(tmp_path / "a.bdp", seed_document(status="submitted"))
    db = ["--db", str(db_path)]
    assert main([*db, "import-package", str(path), "--unit", "360"]) == 1
    assert "不是预期的单位" in capsys.readouterr().err
    assert main([*db, "import-package", str(path), "--year", "2023"]) == 0
    assert "首次接收" in capsys.readouterr().err
    assert main([*db, "import-package", str(path)]) == 1
    err = capsys.readouterr().err
    assert "没有差异" in err and "单元格：相同" not in err and "表,表" not in err
    assert main([*db, "overview", "--year", "2023", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["units"][0]
    assert row["status"] == "submitted" and row["total"] == "1206.65" and row["basic"] == "772.32"
    assert main([*db, "return", "--unit", "359", "--year", "2023", "--reason", "请补充说明"]) == 0
    capsys.readouterr()
    assert main([*db, "overview", "--year", "2023"]) == 0
    assert "已退回" in capsys.readouterr().out
    assert main([*db, "trust", "--unit", "359"]) == 0
    assert "首次接收" in capsys.readouterr().out


def test_every_package_command_has_help(capsys):
    from app.cli.main import main

    for command in ("export-package", "import-package", "import-packages", "overview", "return", "trust", "consolidate"):
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0
        assert "用法" in capsys.readouterr().out


def test_signature_helpers():
    key = Ed25519PrivateKey.generate()
    block = signing.sign(key, b"manifest")
    assert signing.verify(block, b"manifest") == signing.public_raw(key.public_key())
    with pytest.raises(InputError):
        signing.verify(block, b"manifest!")
    with pytest.raises(InputError):
        signing.verify({**block, "public_key": base64.b64encode(b"x" * 32).decode()}, b"manifest")
    assert len(block["fingerprint"]) == 19 and block["fingerprint"].count("-") == 3
    assert signing.normalize_fingerprint(block["fingerprint"].lower().replace("-", "")) == block["fingerprint"]


def _second_store(bureau, tmp_path):
    """Another member of staff: a second connection pool on the same database."""
    from app.store.service import Store

    url = bureau.engine.url
    return Store(url.render_as_string(hide_password=False) if url.get_backend_name() != "sqlite" else url.database)


def test_two_staff_importing_at_once(bureau, tmp_path):
    import threading


    other = _second_store(bureau, tmp_path)
    try:
        folder = tmp_path / "usb"
        paths = _three_units(folder)
        paths.append(make_package(folder / "104.bdp", seed_document(code="104", name="测试单位104")))
        # Two differently-signed first packages of one new unit, taken in by both at the same moment.
        rival_a = make_package(tmp_path / "rival_a.bdp", seed_document(code="200", name="争议单位"),
                               key=Ed25519PrivateKey.generate())
        rival_b = make_package(tmp_path / "rival_b.bdp", seed_document(code="200", name="争议单位", scale=2),
                               key=Ed25519PrivateKey.generate())
        barrier = threading.Barrier(2)
        outcomes: dict[str, list] = {"a": [], "b": []}

        def work(store, name, mine, rival):
            barrier.wait()
            for path in [*mine, rival]:
                try:
                    outcomes[name].append(intake.import_package(store, path))
                except Exception as exc:  # noqa: BLE001 - collected and judged below
                    outcomes[name].append(exc)

        threads = [threading.Thread(target=work, args=(bureau, "a", paths[:2], rival_a)),
                   threading.Thread(target=work, args=(other, "b", paths[2:], rival_b))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results = outcomes["a"] + outcomes["b"]
        from app.base.errors import ConflictError

        refusals = [r for r in results if isinstance(r, Exception)]
        assert len(refusals) == 1 and isinstance(refusals[0], ConflictError | InputError), results
        winners = [r for r in results if isinstance(r, receipt.ImportOutcome) and r.unit_code == "200"]
        assert len(winners) == 1
        rows = {row.unit_code: row for row in standing.overview(bureau, 2023)}
        assert set(rows) == {"101", "102", "103", "104", "200"}
        keys = [k for k in trust.trusted_keys(bureau, "200") if k.status == "active"]
        assert [k.fingerprint for k in keys] == [winners[0].fingerprint]
        expected = Decimal("1206.65") * (1 if winners[0].fingerprint == reader.open_package(rival_a).fingerprint else 2)
        assert rows["200"].total == expected
    finally:
        other.close()


def test_cli_export_package_submit_into_a_folder(db_path, seed_dataset, tmp_path, capsys):
    from app.cli.main import main

    explain_all_findings(seed_dataset)
    usb = tmp_path / "usb"
    usb.mkdir()
    assert main(["--db", str(db_path), "export-package", "--unit", "359", "--year", "2023",
                 "--out", str(usb), "--submit"]) == 0
    err = capsys.readouterr().err
    assert "已上报" in err and "签名密钥指纹" in err and "已为本单位生成签名密钥" in err
    assert [p.name for p in usb.iterdir()] == ["359_秦皇岛经济技术开发区融媒体中心_2023_部门预算.bdp"]
    assert seed_dataset.store.open_dataset("359", 2023).status == "submitted"
    assert main(["--db", str(db_path), "export-package", "--unit", "359", "--year", "2023",
                 "--out", str(tmp_path / "x.zip")]) == 2  # a package is a .bdp
    assert ".bdp" in capsys.readouterr().err


def test_a_double_clicked_package_opens_the_gui_import(monkeypatch):
    import ui.app
    from app.cli.main import main

    opened = []
    monkeypatch.setattr(ui.app, "run_gui", lambda db=None, **options: opened.append((db, options)) or 0)
    assert main(["E:/359_单位_2023_部门预算.bdp"]) == 0
    assert main(["gui", "--bureau"]) == 0
    assert [(db, options["bureau"], options["open_file"]) for db, options in opened] == [
        (None, False, "E:/359_单位_2023_部门预算.bdp"), (None, True, None)]


def test_folder_import_takes_a_department_after_its_units_file_names(bureau, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    make_package(folder / "a_所属单位.bdp", seed_document(code="3501", name="所属单位甲", parent="35"))
    make_package(folder / "b_部门.bdp", seed_document(code="35", name="部门本级"))
    make_package(folder / "c_孤儿.bdp", seed_document(code="4101", name="无上级", parent="41"))
    result = intake.import_packages(bureau, folder)
    assert sorted(o.unit_code for o in result.imported) == ["35", "3501"]
    assert result.failed == [("c_孤儿.bdp", "上级单位“41”不存在，请先建立或导入上级单位。")]
    assert [row.parent_code for row in standing.overview(bureau, 2023)] == [None, "35"]
    # The orphan's first-receipt key claim was released with its refused import.
    assert trust.trusted_keys(bureau, "4101") == []


def test_cancelled_folder_import_writes_nothing_more(bureau, tmp_path):
    from app.base.progress import Progress

    paths = _three_units(tmp_path / "usb")
    progress = Progress()
    progress.cancel()
    result = intake.import_packages(bureau, paths[0].parent, progress=progress)
    assert result.cancelled and result.imported == [] and bureau.list_datasets() == []
    seen = []

    def cancel_during_second(done, total, text):  # 取消 pressed while the second package is read
        seen.append(done)
        if done == 1:
            progress_two.cancel()

    progress_two = Progress(cancel_during_second)
    result = intake.import_packages(bureau, paths[0].parent, progress=progress_two)
    assert result.cancelled and [o.unit_code for o in result.imported] == ["101", "102"]
    assert [d.unit_code for d in bureau.list_datasets()] == ["101", "102"] and seen == [0, 1]


def test_consolidation_exports_to_excel_with_live_totals(bureau, tmp_path, capsys):
    """汇总 → Excel through the same exporter as a unit's workbook: the sum of three units, cell by cell."""
    import openpyxl

    from app.cli.main import main

    _three_units(tmp_path / "usb")
    intake.import_packages(bureau, tmp_path / "usb")
    if bureau.engine.url.get_backend_name() != "sqlite":
        pytest.skip("the CLI test runs on the SQLite file")
    out = tmp_path / "汇总.xlsx"
    assert main(["--db", bureau.engine.url.database, "consolidate", "--year", "2023", "--out", str(out)]) == 0
    workbook = openpyxl.load_workbook(out)
    texts = [str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
             if cell.value is not None]
    assert "6600.00" not in texts  # amounts are numbers, not text
    numbers = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
               if isinstance(cell.value, int | float | Decimal)]
    assert Decimal("0.43") * 6 in {Decimal(str(value)) for value in numbers}  # 公务接待费 0.43 × (1+2+3)
