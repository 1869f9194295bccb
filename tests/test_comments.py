"""批注 that travel: the bureau comments a received budget, returns it with a signed 退回 file, the
clerk answers, the next package carries the answers back. The bureau side runs on SQLite and, when
BUDGETDESK_TEST_POSTGRES_URL names a scratch database, on PostgreSQL (the ``bureau`` fixture)."""

import base64
import json
import zipfile

import pytest
from sqlalchemy import func, select

from app.base.errors import ConflictError, InputError, NotFoundError
from app.bureau import comments as cm
from app.bureau import intake, standing
from app.exchange import comment_document, signing
from app.exchange.package import spec, writer
from db import models
from tests.conftest import explain_all_findings, run
from tests.test_package import make_package, seed_document, snapshot

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)




CELL = ("general_budget_basic_expenditure", "30101", "personnel")
PROJECT = "报刊机构合作宣传费"


def _comment_snapshot(store) -> dict:
    with store.Session() as session:
        rows = [(r.uuid, r.status, r.answer, r.text) for r in session.scalars(
            select(models.CellComment).order_by(models.CellComment.id))]
        audit = session.scalar(select(func.count()).select_from(models.AuditEntry))
    return {"base": snapshot(store), "comments": rows, "audit": audit}


@pytest.fixture
def submitted_to_bureau(store, seed_dataset, bureau, tmp_path):
    """The clerk submits seed 004 (359/2023); the bureau imports the package."""
    explain_all_findings(seed_dataset)
    first = writer.export_package(seed_dataset, tmp_path / "first.bdp", submit=True)
    assert not zipfile.ZipFile(first.path).namelist().count(spec.COMMENTS)  # nothing to carry yet
    intake.import_package(bureau, first.path)
    return first


def _bureau_comments_and_return(bureau, tmp_path, first):
    cell = cm.add_comment(bureau, "359", 2023, kind="cell", form=CELL[0], row=CELL[1], column=CELL[2],
                          text="工资福利支出比上年增长过快，请核实。", follow_up=True)
    project = cm.add_comment(bureau, "359", 2023, kind="project", project=PROJECT, text="请补充项目立项依据。")
    indicator = cm.add_comment(bureau, "359", 2023, kind="indicator", project=PROJECT, indicator="发布报道数量",
                               text="指标值偏低。", side="主管部门")
    finding = cm.add_comment(bureau, "359", 2023, kind="finding", finding="S09:报刊机构合作宣传费", text="说明太简略。")
    cm.resolve_comment(bureau, finding.uuid)  # resolved before the 退回: it does not travel
    written = cm.write_return(bureau, "359", 2023, "工资福利支出需核实", tmp_path / "359_2023_退回.bdr")
    standing.return_dataset(bureau, "359", 2023, "工资福利支出需核实")
    assert written.comments == 3 and written.package_sha256 == first.sha256
    return cell, project, indicator


@pytest.mark.parametrize("via", ["import_package", "resubmission"])
def test_comment_goes_out_with_a_return_and_comes_back_answered(store, seed_dataset, bureau, tmp_path,
                                                                submitted_to_bureau, via):
    cell, project, indicator = _bureau_comments_and_return(bureau, tmp_path, submitted_to_bureau)
    assert bureau.open_dataset("359", 2023).status == "draft"

    # The clerk imports the 退回 file: back to 编制中 through the door, comments stored, bureau key remembered.
    assert store.open_dataset("359", 2023).status == "submitted"
    outcome = cm.import_return(store, tmp_path / "359_2023_退回.bdr", expected_unit="359", expected_year=2023)
    assert outcome.first_trust and outcome.status_changed and outcome.merge.added == 3
    assert outcome.package_sha256 == submitted_to_bureau.sha256
    assert store.open_dataset("359", 2023).status == "draft"
    assert cm.bureau_fingerprint(store) == outcome.fingerprint
    received = {c.uuid: c for c in comment_document.list_comments(store, "359", 2023)}
    assert set(received) == {cell.uuid, project.uuid, indicator.uuid}
    assert received[cell.uuid].cell == CELL and received[cell.uuid].follow_up
    assert received[indicator.uuid].side == "主管部门" and received[project.uuid].project == PROJECT
    from app.store.audit import history

    status_rows = [r for r in history(store, "359", 2023, source="状态")]
    assert "退回：工资福利支出需核实" in status_rows[-1].new
    assert any(r.source == "批注" and "导入退回文件" in r.place for r in history(store, "359", 2023))

    # Importing the same file again is refused in words and changes nothing (issue 22: no replay).
    before = _comment_snapshot(store)
    with pytest.raises(ConflictError, match="导入过"):
        cm.import_return(store, tmp_path / "359_2023_退回.bdr")
    assert _comment_snapshot(store) == before

    # The clerk fixes the cell and answers; one is left open.
    dataset = store.open_dataset("359", 2023)
    dataset.set_cell(*CELL, "340.01")
    dataset.set_cell("general_budget_basic_expenditure", "30102", "personnel", "32.52")  # totals stay in step
    cm.answer_comment(store, cell.uuid[:8], "已按人员变动核减。", fixed=True)
    cm.answer_comment(store, project.uuid, "立项依据见情况说明第三部分。")
    cell_history = history(store, "359", 2023, form=CELL[0], row=CELL[1], column=CELL[2])
    assert [r.source for r in cell_history][-2:] == ["录入", "批注"]  # the cell's 修改记录 shows the answer

    explain_all_findings(dataset)
    second = writer.export_package(dataset, tmp_path / "second.bdp", submit=True)
    with zipfile.ZipFile(second.path) as archive:
        carried = json.loads(archive.read(spec.COMMENTS))
        manifest = json.loads(archive.read(spec.MANIFEST))
    assert {m["name"] for m in manifest["members"]} == {*spec.CONTENT_MEMBERS, spec.COMMENTS}
    assert {c["uuid"]: c["status"] for c in carried["comments"]} == {
        cell.uuid: "answered", project.uuid: "answered", indicator.uuid: "open"}

    # The bureau imports it: the answers land on its comments (matched by uuid).
    if via == "import_package":
        result = intake.import_package(bureau, second.path, replace=True)
    else:  # the resubmission dialog's 覆盖全部 (app.bureau.resubmission): the answers travel the same way
        from app.bureau.resubmission import resubmit

        result = resubmit(bureau, second.path)
        assert result.mode == "replace"
    assert result.answers.answered == 2 and result.answers.added == 0
    at_bureau = {c.uuid: c for c in comment_document.list_comments(bureau, "359", 2023)}
    assert at_bureau[cell.uuid].status == "answered" and at_bureau[cell.uuid].fixed
    assert at_bureau[cell.uuid].answer == "已按人员变动核减。"
    assert at_bureau[project.uuid].answer == "立项依据见情况说明第三部分。"
    assert at_bureau[indicator.uuid].status == "open"
    assert [c.status for c in comment_document.list_comments(bureau, "359", 2023, status="resolved")] == ["resolved"]
    assert str(bureau.open_dataset("359", 2023).value(*CELL)) == "340.01"
    cm.resolve_comment(bureau, cell.uuid)
    assert len(comment_document.list_comments(bureau, "359", 2023, open_only=True)) == 2


def test_return_file_for_another_unit_or_year_is_refused(store, seed_dataset, bureau, tmp_path):
    from app.exchange.interchange import import_document

    import_document(bureau, seed_document(code="360", name="另一单位"), backup=False)
    cm.add_comment(bureau, "360", 2023, kind="project", project=PROJECT, text="请补充。")
    other = cm.write_return(bureau, "360", 2023, "请修改", tmp_path / "360_2023_退回.bdr").path
    import_document(bureau, seed_document(), backup=False)
    mine = cm.write_return(bureau, "359", 2023, "请修改", tmp_path / "359_2023_退回.bdr").path
    before = _comment_snapshot(store)
    with pytest.raises(ConflictError, match="本机没有这份预算"):
        cm.import_return(store, other)
    with pytest.raises(ConflictError, match="不是本单位 359"):
        cm.import_return(store, other, expected_unit="359", expected_year=2023)
    with pytest.raises(ConflictError, match="不是当前的 2024 年度"):
        cm.import_return(store, mine, expected_unit="359", expected_year=2024)
    assert _comment_snapshot(store) == before


def test_tampered_or_broken_return_file_is_refused(store, seed_dataset, bureau, tmp_path):
    from app.exchange.interchange import import_document

    import_document(bureau, seed_document(), backup=False)
    cm.add_comment(bureau, "359", 2023, kind="cell", form=CELL[0], row=CELL[1], column=CELL[2], text="请核实。")
    good = cm.write_return(bureau, "359", 2023, "请修改", tmp_path / "good.bdr").path
    document = json.loads(good.read_text(encoding="utf-8"))
    payload = json.loads(base64.b64decode(document["payload"]))
    payload["comments"][0]["text"] = "改过的批注"
    document["payload"] = base64.b64encode(json.dumps(payload, ensure_ascii=False).encode()).decode()
    tampered = tmp_path / "tampered.bdr"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    garbage = tmp_path / "garbage.bdr"
    garbage.write_bytes(b"PK\x03\x04 not json at all")
    before = _comment_snapshot(store)
    with pytest.raises(InputError, match="签名无效"):
        cm.import_return(store, tampered)
    with pytest.raises(InputError, match="不是有效的退回文件"):
        cm.import_return(store, garbage)
    with pytest.raises(InputError, match="找不到退回文件"):
        cm.import_return(store, tmp_path / "missing.bdr")
    assert _comment_snapshot(store) == before


def test_a_changed_bureau_key_is_refused_unless_confirmed(store, seed_dataset, bureau, tmp_path, key_dir):
    from app.exchange.interchange import import_document

    import_document(bureau, seed_document(), backup=False)
    first = cm.import_return(store, cm.write_return(bureau, "359", 2023, "第一次", tmp_path / "a.bdr").path)
    (key_dir / f"{signing.BUREAU_KEY_ID}.ed25519.pem").unlink()  # the bureau's key is re-made
    second = cm.write_return(bureau, "359", 2023, "第二次", tmp_path / "b.bdr")
    assert second.fingerprint != first.fingerprint
    before = _comment_snapshot(store)
    with pytest.raises(ConflictError, match="与本机记住的财政局密钥"):
        cm.import_return(store, second.path)
    assert _comment_snapshot(store) == before and cm.bureau_fingerprint(store) == first.fingerprint
    cm.import_return(store, second.path, accept_new_key=True)
    assert cm.bureau_fingerprint(store) == second.fingerprint


def test_comment_api_refusals_and_submitted_budget(store, seed_dataset):
    from app.checks.rules import check_dataset

    explain_all_findings(seed_dataset)
    seed_dataset.set_status("submitted")
    # A 已上报 budget can be commented (comments are not budget content).
    comment = cm.add_comment(store, "359", 2023, kind="cell", form=CELL[0], row=CELL[1], column=CELL[2], text="好")
    assert store.open_dataset("359", 2023).status == "submitted" and comment.author
    with pytest.raises(NotFoundError):
        cm.add_comment(store, "999", 2023, kind="project", project=PROJECT, text="x")
    with pytest.raises(InputError, match="不能为空"):
        cm.add_comment(store, "359", 2023, kind="project", project=PROJECT, text="  ")
    with pytest.raises(InputError, match="没有行"):
        cm.add_comment(store, "359", 2023, kind="cell", form=CELL[0], row="99999", column=CELL[2], text="x")
    with pytest.raises(InputError):
        cm.add_comment(store, "359", 2023, kind="cell", form=CELL[0], row=CELL[1], column="nope", text="x")
    with pytest.raises(InputError, match="无效"):
        cm.add_comment(store, "359", 2023, kind="thing", text="x")
    with pytest.raises(InputError, match="须给出项目名称"):
        cm.add_comment(store, "359", 2023, kind="project", text="x")
    key = check_dataset(seed_dataset)[0].key
    on_finding = cm.add_comment(store, "359", 2023, kind="finding", finding=key, text="请说明。")
    assert on_finding.finding_key == key
    with pytest.raises(NotFoundError):
        cm.answer_comment(store, "00000000", "x")
    cm.resolve_comment(store, comment.uuid)
    with pytest.raises(ConflictError, match="已解决"):
        cm.answer_comment(store, comment.uuid, "x")
    cm.resolve_comment(store, comment.uuid, reopen=True)
    assert cm.answer_comment(store, comment.uuid, fixed=True).answer == "已修改。"


def test_older_package_without_comments_still_reads_and_bad_comments_member_refused(bureau, tmp_path):
    path = make_package(tmp_path / "old.bdp", seed_document())
    assert intake.import_package(bureau, path).answers is None
    document = seed_document()
    bad = tmp_path / "bad.bdp"
    writer.write_package(bad, document=document, audit={"unit": "359", "year": 2023, "changes": []},
                      findings={"errors": 0, "warnings": 0, "findings": []}, pdf=b"%PDF-1.4\n%%EOF\n",
                      key=signing.unit_key("359"),
                      comments={"format": comment_document.COMMENTS_FORMAT, "unit": "359", "year": 2023,
                                "comments": [{"uuid": "not-a-uuid", "target": {"kind": "cell"}}]})
    before = snapshot(bureau)
    with pytest.raises(InputError, match="批注有误"):
        intake.import_package(bureau, bad, replace=True)
    assert snapshot(bureau) == before


def test_cli_comment_add_list_answer_resolve_and_return_file(seeded_db, tmp_path, capsys, key_dir):
    db = str(seeded_db)
    code, out, err = run(capsys, "--db", db, "comment", "add", "--unit", "359", "--year", "2023", "--form", CELL[0],
                         "--row", CELL[1], "--column", CELL[2], "--text", "请核实", "--follow-up", "--json")
    assert code == 0, err
    added = json.loads(out)
    assert added["target"] == {"kind": "cell", "form": CELL[0], "row": CELL[1], "column": CELL[2]}
    assert added["follow_up"] and added["status"] == "open"
    code, out, _err = run(capsys, "--db", db, "comment", "list", "--unit", "359", "--year", "2023")
    assert code == 0 and added["uuid"][:8] in out and "需跟进" in out
    # return --out refuses a budget that is not 已上报 (nothing written)
    code, _out, err = run(capsys, "--db", db, "return", "--unit", "359", "--year", "2023", "--reason", "x",
                          "--out", str(tmp_path / "r.bdr"))
    assert code == 1 and "不是已上报" in err and not (tmp_path / "r.bdr").exists()
    code, out, err = run(capsys, "--db", db, "comment", "answer", added["uuid"][:8], "--text", "已核实", "--json")
    assert code == 0 and json.loads(out)["status"] == "answered"
    code, out, _err = run(capsys, "--db", db, "comment", "resolve", added["uuid"], "--json")
    assert code == 0 and json.loads(out)["status"] == "resolved"
    code, out, _err = run(capsys, "--db", db, "comment", "list", "--unit", "359", "--year", "2023", "--open", "--json")
    assert json.loads(out)["comments"] == []
    code, _out, err = run(capsys, "--db", db, "comment", "add", "--unit", "359", "--year", "2023", "--kind", "project",
                          "--text", "x")
    assert code == 2 and "项目名称" in err
    code, _out, err = run(capsys, "--db", db, "import-return", str(tmp_path / "none.bdr"))
    assert code == 2 and "找不到退回文件" in err
    for args in (["comment", "--help"], ["comment", "add", "--help"], ["import-return", "--help"]):
        with pytest.raises(SystemExit):
            run(capsys, *args)


def test_cli_return_out_then_import_return_on_the_clerks_copy(seeded_db, tmp_path, capsys):
    import shutil

    from app.store.service import Store

    store = Store(str(seeded_db))
    dataset = store.open_dataset("359", 2023)
    explain_all_findings(dataset)
    dataset.set_status("submitted")
    store.close()
    clerk = tmp_path / "clerk.sqlite3"
    shutil.copy(seeded_db, clerk)  # the clerk's machine holds the same submitted budget
    db = str(seeded_db)
    assert run(capsys, "--db", db, "comment", "add", "--unit", "359", "--year", "2023", "--kind", "indicator",
               "--project", PROJECT, "--indicator", "发布报道数量", "--text", "指标值偏低")[0] == 0
    out = tmp_path / "359_2023_退回.bdr"
    code, _out, err = run(capsys, "--db", db, "return", "--unit", "359", "--year", "2023", "--reason", "指标需调整",
                          "--out", str(out))
    assert code == 0 and "批注 1 条" in err and out.exists()
    code, _out, err = run(capsys, "--db", str(clerk), "import-return", str(out), "--unit", "360")
    assert code == 1 and "不是本单位 360" in err
    code, printed, err = run(capsys, "--db", str(clerk), "import-return", str(out), "--unit", "359", "--year", "2023",
                             "--json")
    assert code == 0, err
    result = json.loads(printed)
    assert result["status_changed"] and result["added"] == 1 and result["first_trust"]
    code, printed, _err = run(capsys, "--db", str(clerk), "comment", "list", "--unit", "359", "--year", "2023", "--json")
    [comment] = json.loads(printed)["comments"]
    assert comment["target"] == {"kind": "indicator", "project": PROJECT, "indicator": "发布报道数量"}
    code, printed, _err = run(capsys, "--db", str(clerk), "units")
    assert "编制中" in printed
    # The clerk answers and hands in again; the bureau's import-package reports the answer.
    code, _out, err = run(capsys, "--db", str(clerk), "comment", "answer", comment["uuid"], "--text", "已调高指标值")
    assert code == 0, err
    again = tmp_path / "again.bdp"
    assert run(capsys, "--db", str(clerk), "export-package", "--unit", "359", "--year", "2023", "--out", str(again),
               "--submit")[0] == 0
    code, _out, err = run(capsys, "--db", db, "import-package", str(again), "--replace")
    assert code == 0 and "收到单位对批注的回复 1 条" in err and "已调高指标值" in err
