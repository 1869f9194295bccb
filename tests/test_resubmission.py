"""Resubmission (issue 18, part 3): a newer package of a unit and year against the one held — the
difference of known cells, projects, indicators, 说明 and 绩效自评; 覆盖 and 合并 with their audit; every
received package kept and extractable; refusals that change nothing.

Every core test runs on SQLite and, when BUDGETDESK_TEST_POSTGRES_URL names a scratch database, on
PostgreSQL too (the fixture pattern of tests/test_package.py).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

import pytest

from app.base.errors import ConflictError, InputError
from app.bureau import intake, resubmission, standing
from app.exchange import document_diff, document_parts, signing
from app.exchange.package import reader, writer
from tests.conftest import FIXTURES, dump, run
from tests.test_package import (
    FAKE_PDF,
    _ready_for_submission,
    make_package,
    seed_document,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)




SELF_EVALUATION = json.loads((FIXTURES / "seed001_2020.json").read_text(encoding="utf-8"))["self_evaluation"]


def held_document(**options) -> dict:
    """Seed 004 with one 项目绩效自评 row (from seed 001), as the unit first sent it."""
    document = seed_document(**options)
    document["self_evaluation"] = {"projects": [copy.deepcopy(SELF_EVALUATION["projects"][0])]}
    if document["status"] == "submitted":  # every 提示 of exactly this content has its 说明
        document.update(_ready_for_submission(document))
    return document


def _cell(document: dict, form: str, row: str, column: str) -> dict:
    return next(item for item in document["values"] if (item["form"], item["row"], item["column"]) == (form, row, column))


def newer_document(**options) -> dict:
    """The unit's corrected package: known cells, a row, a project, indicators, 说明, 情况说明, 上年数, 自评."""
    document = held_document(**options)
    _cell(document, "expenditure_summary", "2070699", "basic")["value"] = "600.00"
    document["values"].remove(_cell(document, "expenditure_summary", "2210201", "basic"))
    document["values"].append({"form": "expenditure_summary", "row": "2130101", "column": "basic", "value": "5.00"})
    _cell(document, "three_public_expenses", "reception", "general_budget")["value"] = "0.50"
    project = document["projects"][0]
    project["amount"] = "80.00"
    project["indicators"][0]["value"] = "600"
    project["indicators"] = [item for item in project["indicators"] if item["name"] != "受益群众满意度"]
    project["indicators"].append({"level1": "1", "level2": "11", "name": "转载数量", "description": "被转载的报道数量",
                                  "comparator": "≥", "value": "50", "unit": "篇", "basis": "实际工作需要"})
    document["projects"] = [item for item in document["projects"] if item["name"] != "作协办刊费用"]
    document["projects"].append({"name": "新媒体推广费", "amount": "10.00",
                                 "indicators": [copy.deepcopy(project["indicators"][0])]})
    document["explanations"] = [{"finding": "T09", "text": "含项目支出中的公务接待费 0.07 万元。"}]
    document["narrative"] = [{"section": "other", "text": "本部门无其他需要说明的事项。",
                              "based_on": "本部门无其他需要说明的事项。"}]
    document["prior"]["basic"] = "660.00"
    document["self_evaluation"]["projects"][0]["actual_total"] = "7.50"
    if document["status"] == "submitted":
        document.update(_ready_for_submission(document))
    return document


EXPECTED = {
    "expenditure_summary": [
        "新增 行 2130101 行政运行",
        "删除 行 2210201 住房公积金",
        "2070699 其他新闻出版电影支出 / 基本支出：582.20 → 600.00",
        "2130101 行政运行 / 基本支出：（空） → 5.00",
        "2210201 住房公积金 / 基本支出：34.91 → （空）",
    ],
    "three_public_expenses": ["三、公务接待费 / 资金性质—一般公共预算财政拨款：0.43 → 0.50"],
    "projects": [
        "项目“报刊机构合作宣传费” / 本年度预算安排数：72.00 → 80.00",
        "项目“报刊机构合作宣传费” / 绩效指标“发布报道数量” / 指标值：≥500篇 → ≥600篇",
        "删除 项目“报刊机构合作宣传费” / 绩效指标“受益群众满意度”（原为 ≥90%）",
        "新增 项目“报刊机构合作宣传费” / 绩效指标“转载数量”：≥50篇",
        "删除 项目“作协办刊费用”（原为 金额未填，9 个绩效指标）",
        "新增 项目“新媒体推广费”：金额 10.00，1 个绩效指标",
    ],
    "notes": [
        "新增 提示 T09 的说明：含项目支出中的公务接待费 0.07 万元。",
        "新增 情况说明“其他需要说明的事项”：本部门无其他需要说明的事项。",
    ],
    "profile": ["上年数“基本支出”：650.84 → 660.00"],
    "self_evaluation": ["项目绩效自评表 / 办公设备购置 / 实际支出金额合计：7.78 → 7.50"],
}


def _receive(store, tmp_path: Path, document: dict, name: str = "a.bdp") -> Path:
    path = make_package(tmp_path / name, document)
    intake.import_package(store, path)
    return path


def _exported(store) -> dict:
    from app.exchange.interchange import export_document

    return export_document(store.open_dataset("359", 2023))


def _values(document: dict, form: str | None = None) -> dict:
    return {(v["form"], v["row"], v["column"]): v["value"] for v in document["values"] if form in (None, v["form"])}


def _audit(store, source: str) -> list:
    from app.store.audit import history

    return [record for record in history(store, "359", 2023) if record.source == source]


# ---- the difference ------------------------------------------------------------------------------
def test_diff_of_known_cells_projects_indicators_notes_and_self_evaluation(bureau, tmp_path):
    _receive(bureau, tmp_path, held_document())
    newer = make_package(tmp_path / "b.bdp", newer_document())
    before = snapshot(bureau)
    preview = resubmission.preview_resubmission(bureau, newer)
    assert {part.key: [line.text() for line in part.lines] for part in preview.diff.parts} == EXPECTED
    assert [part.key for part in preview.diff.parts] == list(EXPECTED)  # tables in official order, then parts
    assert preview.diff.count == 16 and preview.diff.money_unit is None and not preview.older
    cell = preview.diff.part("expenditure_summary").lines[2]
    assert (cell.change, cell.row, cell.column, cell.old, cell.new) == ("changed", "2070699", "basic", "582.20", "600.00")
    indicator = preview.diff.part("projects").lines[1]
    assert (indicator.place, indicator.item, indicator.row, indicator.column) == (
        "项目“报刊机构合作宣传费” / 绩效指标“发布报道数量”", "指标值", "报刊机构合作宣传费", "发布报道数量")
    data = json.loads(json.dumps(preview.to_dict(), ensure_ascii=False))  # JSON-able for the CLI and the bureau
    assert data["diff"]["parts"][0]["lines"][2]["text"] == EXPECTED["expenditure_summary"][2]
    assert data["held_package"]["file_name"] == "a.bdp" and data["held_package"]["kept"]
    assert snapshot(bureau) == before  # a preview writes nothing


def test_identical_package_has_no_difference(bureau, tmp_path):
    path = _receive(bureau, tmp_path, held_document())
    preview = resubmission.preview_resubmission(bureau, path)
    assert preview.diff.is_empty() and preview.same
    assert preview.diff.lines() == ["数据包与现有数据相同，没有差异。"]


def test_diff_of_procurement_overall_assets_unit_and_money_unit():
    held = seed_document()
    new = copy.deepcopy(held)
    new["procurement"][0]["quantity"] = "2"
    new["overall_targets"]["goal"] = "新的总体目标"
    new["overall_targets"]["indicators"][0]["value"] = "2"
    new["assets"]["rows"]["vehicles"]["value"] = "60.00"
    new["unit"]["phone"] = "0335-1234567"
    new["projects"][0]["amount"] = "72"  # the same amount, written differently: no difference
    new["projects"][1]["code"] = "001"  # a code is text: "001" is not "1"
    new["money_unit"] = "元"
    diff = document_diff.diff_documents(held, new)
    assert diff.money_unit == ("万元", "元") and diff.lines()[0] == "金额单位：万元 → 元（只能覆盖，不能合并）"
    assert {part.key: [line.text() for line in part.lines] for part in diff.parts} == {
        "projects": ["项目“报纸、广播、电视、客户端稿酬” / 项目编码：（空） → 001",
                     "政府采购“报刊机构合作宣传费：新闻服务” / 数量：1 → 2"],
        "overall": [f"部门整体绩效目标 / 总体绩效目标：{held['overall_targets']['goal']} → 新的总体目标",
                    "部门整体绩效目标 / 绩效指标“活动场次” / 指标值：≥1次 → ≥2次"],
        "assets": ["2、车辆（台、辆） / 价值：52.17 → 60.00"],
        "unit": ["单位信息 / 联系电话：（空） → 0335-1234567"],
    }
    merged = document_parts.merge_documents(held, new, ["assets", "unit"])
    assert merged["assets"] == new["assets"] and merged["unit"]["phone"] == "0335-1234567"
    assert merged["procurement"] == held["procurement"] and merged["money_unit"] == "万元"


def test_parse_parts_accepts_ids_titles_and_chinese_names():
    assert document_parts.parse_parts("notes,支出总表,projects，expenditure_summary") == ["expenditure_summary", "projects", "notes"]
    assert document_parts.parse_parts(["部门预算财政拨款“三公”经费支出表", "说明"]) == ["three_public_expenses", "notes"]
    with pytest.raises(InputError, match="没有名为“支出表X、foo”的表或部分"):
        document_parts.parse_parts("支出表X,foo")
    with pytest.raises(InputError, match="请给出要合并的表"):
        document_parts.parse_parts(" , ")


# ---- 覆盖 ----------------------------------------------------------------------------------------
def test_replace_takes_everything_audited_as_resubmission_and_keeps_the_earlier_package(bureau, tmp_path):
    first = _receive(bureau, tmp_path, held_document())
    newer = make_package(tmp_path / "b.bdp", newer_document())
    outcome = resubmission.resubmit(bureau, newer)
    assert outcome.mode == "replace" and outcome.parts == list(EXPECTED) and outcome.status == "draft"
    document = _exported(bureau)
    assert _values(document) == _values(newer_document())
    assert [p["name"] for p in document["projects"]] == [p["name"] for p in newer_document()["projects"]]
    assert document["self_evaluation"]["projects"][0]["actual_total"] == "7.50"

    audit = _audit(bureau, "重新上报")
    head = audit[0]
    assert head.place == "数据导入" and "（替换原有数据）" in head.new and "版；重新上报：以数据包 b.bdp" in head.new and "覆盖全部数据" in head.new
    places = {(record.place, record.old, record.new) for record in audit}
    assert ("支出总表 / 2070699 其他新闻出版电影支出 / 基本支出", "582.20", "600.00") in places
    assert ("支出总表 / 2210201 住房公积金 / 基本支出", "34.91", None) in places

    history = resubmission.package_history(bureau, "359", 2023)
    assert [item.file_name for item in history] == ["a.bdp", "b.bdp"]
    assert all(item.size is not None for item in history)
    out = resubmission.extract_package(bureau, history[0].id, tmp_path / "out" / "earlier.bdp")
    assert out.read_bytes() == first.read_bytes()
    assert reader.open_package(out).sha256 == history[0].sha256  # still a valid, signed package


def test_plain_replacing_import_is_audited_as_resubmission_too(bureau, tmp_path):
    _receive(bureau, tmp_path, held_document())
    intake.import_package(bureau, make_package(tmp_path / "b.bdp", newer_document()), replace=True)
    assert _audit(bureau, "重新上报")[0].new.endswith("覆盖全部数据")
    assert len(resubmission.package_history(bureau, "359", 2023)) == 2


# ---- 合并 ----------------------------------------------------------------------------------------
def test_merge_takes_only_the_chosen_tables_and_rechecks(bureau, tmp_path):
    _receive(bureau, tmp_path, held_document())
    newer = make_package(tmp_path / "b.bdp", newer_document())
    outcome = resubmission.resubmit(bureau, newer, merge=["notes", "expenditure_summary"])
    assert outcome.mode == "merge" and outcome.parts == ["expenditure_summary", "notes"]
    document, held, new = _exported(bureau), held_document(), newer_document()
    assert _values(document, "expenditure_summary") == _values(new, "expenditure_summary")
    for form in ("three_public_expenses", "income_summary", "income_expenditure_summary"):
        assert _values(document, form) == _values(held, form)
    assert [p["name"] for p in document["projects"]] == [p["name"] for p in held["projects"]]
    assert document["projects"][0]["amount"] == "72.00"
    assert document["explanations"] == new["explanations"] and document["narrative"] == new["narrative"]
    assert document["prior"]["basic"] == "650.84"
    assert document["self_evaluation"]["projects"][0]["actual_total"] == "7.78"

    audit = _audit(bureau, "合并")
    assert audit[0].place == "数据导入"
    assert "合并：自数据包 b.bdp" in audit[0].new and "取 《部门预算支出总表》、说明与情况说明" in audit[0].new
    assert {(r.place, r.old, r.new) for r in audit if r.form == "expenditure_summary"} == {
        ("支出总表 / 2070699 其他新闻出版电影支出 / 基本支出", "582.20", "600.00"),
        ("支出总表 / 2130101 行政运行 / 基本支出", None, "5.00"),
        ("支出总表 / 2210201 住房公积金 / 基本支出", "34.91", None),
    }
    assert not [r for r in audit if r.form in ("project", "three_public_expenses")]  # nothing else was taken
    # Only one table of the 收支 moved: 审核 now finds the totals apart, and says so.
    errors = {finding["rule"] for finding in outcome.findings if finding["severity"] == "error"}
    assert outcome.errors == len([f for f in outcome.findings if f["severity"] == "error"]) > 0
    assert "T01" in errors and outcome.status == "draft"
    assert [item.file_name for item in resubmission.package_history(bureau, "359", 2023)] == ["a.bdp", "b.bdp"]


def test_merge_of_a_submitted_package_stays_submitted_only_when_it_passes(bureau, tmp_path):
    _receive(bureau, tmp_path, held_document(status="submitted"))
    standing.return_dataset(bureau, "359", 2023, "请修改支出总表")
    assert bureau.open_dataset("359", 2023).status == "draft"

    changed_note = held_document(status="submitted")
    changed_note["explanations"][0]["text"] = "已与单位核实，属实。"
    changed_note["values"][0]["value"] = "1.00"  # also a cell, which is not taken
    outcome = resubmission.resubmit(bureau, make_package(tmp_path / "b.bdp", changed_note), merge=["notes"])
    assert outcome.status == "submitted" and outcome.note == "" and outcome.errors == 0
    assert _exported(bureau)["explanations"][0]["text"] == "已与单位核实，属实。"
    assert _values(_exported(bureau))[("income_summary", "2070699", "fiscal_appropriation")] == "1016.53"

    third = make_package(tmp_path / "c.bdp", newer_document(status="submitted"))
    before = snapshot(bureau)
    with pytest.raises(ConflictError, match="已上报.*请先退回"):  # the bureau 退回s before anything replaces it
        resubmission.resubmit(bureau, third, merge=["expenditure_summary"])
    assert snapshot(bureau) == before
    standing.return_dataset(bureau, "359", 2023, "支出总表仍需修改")
    outcome = resubmission.resubmit(bureau, third, merge=["expenditure_summary"])
    assert outcome.status == "draft" and "已设为编制中" in outcome.note and outcome.errors > 0


# ---- refusals: nothing changes ---------------------------------------------------------------------
def test_refusals_change_nothing(bureau, tmp_path):
    first = _receive(bureau, tmp_path, held_document())
    created = datetime.fromisoformat(reader.open_package(first).manifest["created"].removesuffix("Z"))
    newer = make_package(tmp_path / "b.bdp", newer_document())
    older = tmp_path / "older.bdp"
    document = newer_document()
    writer.write_package(older, document=document, audit={"unit": "359", "year": 2023, "changes": []},
                      findings={"errors": 0, "warnings": 0, "findings": []}, pdf=FAKE_PDF,
                      key=signing.unit_key("359"), created=created.replace(year=created.year - 1))
    yuan = held_document()
    yuan["money_unit"] = "元"
    in_yuan = make_package(tmp_path / "yuan.bdp", yuan)
    before = snapshot(bureau)
    with pytest.raises(InputError, match="没有名为“foo”的表或部分"):
        resubmission.resubmit(bureau, newer, merge=["expenditure_summary", "foo"])
    with pytest.raises(InputError, match="“固定资产占用情况”与现有数据没有差异"):
        resubmission.resubmit(bureau, newer, merge=["assets"])
    with pytest.raises(ConflictError, match="早于已接收的数据包“a.bdp”.*--force"):
        resubmission.resubmit(bureau, older)
    with pytest.raises(ConflictError, match="早于已接收的数据包"):
        intake.import_package(bureau, older, replace=True)
    with pytest.raises(ConflictError, match="金额单位是万元，数据包是元，不能按表合并"):
        resubmission.resubmit(bureau, in_yuan, merge=["expenditure_summary"])
    preview = resubmission.preview_resubmission(bureau, newer)
    bureau.open_dataset("359", 2023).set_cell("expenditure_summary", "2070699", "basic", "590.00")
    changed = snapshot(bureau)
    with pytest.raises(ConflictError, match="核对数据包之后，现有数据已被修改"):
        resubmission.resubmit(bureau, newer, merge=["expenditure_summary"], preview=preview)
    assert snapshot(bureau) == changed and changed["counts"]["received_package"] == before["counts"]["received_package"]
    assert resubmission.preview_resubmission(bureau, older).older
    outcome = resubmission.resubmit(bureau, older, force=True)
    assert outcome.mode == "replace" and _values(_exported(bureau)) == _values(document)


def test_extract_refuses_unknown_or_damaged_copies(bureau, tmp_path):
    from sqlalchemy import update

    from app.base.errors import NotFoundError
    from db import models

    _receive(bureau, tmp_path, held_document())
    (item,) = resubmission.package_history(bureau, "359", 2023)
    with pytest.raises(NotFoundError, match="没有编号为 9999 的接收记录"):
        resubmission.extract_package(bureau, 9999, tmp_path / "x.bdp")
    with bureau.Session.begin() as session:
        session.execute(update(models.PackageFile).values(data=b"not the package"))
    with pytest.raises(ConflictError, match="校验值不符"):
        resubmission.extract_package(bureau, item.id, tmp_path / "x.bdp")
    assert not (tmp_path / "x.bdp").exists()


# ---- the command line (SQLite file) -----------------------------------------------------------------
def test_cli_diff_merge_replace_packages(tmp_path, capsys):
    db = str(tmp_path / "bureau.sqlite3")
    first = make_package(tmp_path / "a.bdp", held_document())
    newer = make_package(tmp_path / "b.bdp", newer_document())
    assert run(capsys, "--db", db, "import-package", str(first))[0] == 0
    untouched = dump(Path(db))

    code, out, _err = run(capsys, "--db", db, "import-package", str(newer), "--diff")
    assert code == 0 and "【部门预算支出总表】5 处不同（expenditure_summary）" in out
    assert "  2070699 其他新闻出版电影支出 / 基本支出：582.20 → 600.00" in out and "已接收：a.bdp" in out
    code, out, _err = run(capsys, "--db", db, "import-package", str(newer), "--diff", "--json")
    data = json.loads(out)
    assert code == 0 and [part["part"] for part in data["diff"]["parts"]] == list(EXPECTED)
    for args, words in ((["--merge", "expenditure_summary,foo"], "没有名为“foo”的表或部分"),
                        (["--merge", "notes", "--replace"], "只能选一个"),
                        (["--json"], "--json 须与"),
                        (["--merge", "assets"], "没有差异")):
        code, _out, err = run(capsys, "--db", db, "import-package", str(newer), *args)
        assert code == 2 and words in err, (args, err)
    assert dump(Path(db)) == untouched

    code, out, err = run(capsys, "--db", db, "import-package", str(newer), "--merge", "支出总表", "--json")
    assert code == 0 and "合并（取 expenditure_summary）" in err and "[错误] T01" in err
    assert json.loads(out)["mode"] == "merge"
    code, _out, err = run(capsys, "--db", db, "import-package", str(newer), "--replace")
    assert code == 0 and "重新上报，覆盖原有数据" in err

    code, out, err = run(capsys, "--db", db, "packages", "--unit", "359", "--year", "2023")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("编号") and len(lines) == 4 and "共接收 3 个数据包" in err
    first_id = lines[1].split("\t")[0]
    code, out, _err = run(capsys, "--db", db, "packages", "--unit", "359", "--year", "2023", "--json")
    assert [item["file_name"] for item in json.loads(out)["packages"]] == ["a.bdp", "b.bdp", "b.bdp"]
    code, _out, err = run(capsys, "--db", db, "packages", "--unit", "359", "--year", "2023", "--extract", first_id,
                          "--out", str(tmp_path / "back") + "/")
    assert code == 0 and (tmp_path / "back" / "a.bdp").read_bytes() == first.read_bytes()
    code, _out, err = run(capsys, "--db", db, "packages", "--unit", "359", "--year", "2023", "--extract", "99",
                          "--out", str(tmp_path))
    assert code == 2 and "没有编号为 99 的接收记录" in err


def test_cli_help_describes_resubmission(capsys):
    from app.cli.main import main

    for command in ("import-package", "packages"):
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0
        text = capsys.readouterr().out
        assert "用法" in text
    assert "--extract" in text
    with pytest.raises(SystemExit):
        main(["import-package", "--help"])
    text = capsys.readouterr().out
    assert "--diff" in text and "--merge" in text and "--force" in text and "合并" in text


def test_merge_of_basic_info_takes_the_roster_only_and_the_diff_names_its_rows(bureau, tmp_path):
    held = held_document()
    held["basic_info"] = {"staff": [{"category": "在职行政", "basic_pay": "5000.00"}], "vehicles": []}
    _receive(bureau, tmp_path, held)
    newer = newer_document()
    newer["basic_info"] = {"staff": [{"category": "在职行政", "basic_pay": "5200.00"},
                                     {"category": "退休", "basic_pay": "4000.00"}],
                           "vehicles": [{"purpose": "一般公务用车", "in_establishment": True}]}
    parts = {part.key: part for part in document_diff.diff_documents(held, newer).parts}
    lines = [(line.change, line.place) for line in parts["basic_info"].lines]
    assert lines == [("changed", "基础信息 / 人员 / 第 1 行"), ("added", "基础信息 / 人员 / 第 2 行"),
                     ("added", "基础信息 / 车辆 / 第 1 行")]
    assert document_parts.parse_parts("人员") == ["basic_info"]
    outcome = resubmission.resubmit(bureau, make_package(tmp_path / "b.bdp", newer), merge=["basic_info"])
    assert outcome.parts == ["basic_info"]
    document = _exported(bureau)
    assert document["basic_info"]["staff"][0]["basic_pay"] == "5200.00" and len(document["basic_info"]["vehicles"]) == 1
    assert _values(document, "expenditure_summary") == _values(held, "expenditure_summary")  # nothing else taken
