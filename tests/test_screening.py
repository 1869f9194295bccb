"""财政局 screening (growth against last year, shares against the peers' median) and the completeness
dashboard, on SQLite and — when BUDGETDESK_TEST_POSTGRES_URL names a scratch database — PostgreSQL.

The hierarchy: 部门 500 with three 所属单位 501–503 (seed 004 with changed codes and scaled figures),
and a unit 600 without a parent. Planted: 502's “三公” share far above the median; 503's totals 80 %
above its previous year's dataset.
"""

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from app.base.errors import InputError
from app.bureau.screening import ScreeningConfigError, default_config_path, load_config, median, screen
from tests.conftest import SEED004, explain_all_findings, run
from tests.test_font_embedding import assert_all_embedded, needs_pdffonts
from tests.test_package import _ready_for_submission, make_package

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)




def unit_document(code: str, name: str, *, scale: int = 1, year: int = 2023, parent: str | None = None,
                  prior: bool = True, status: str = "draft") -> dict:
    """Seed 004 as another unit: every figure (and its typed 上年数) times ``scale``."""
    document = json.loads(SEED004.read_text(encoding="utf-8"))
    document["unit"].update(code=code, name=name)
    document["unit"].pop("parent_code", None)
    if parent:
        document["unit"]["parent_code"] = parent
    document["year"], document["status"] = year, status
    for item in document["values"]:
        item["value"] = str(Decimal(item["value"]) * scale)
    if prior:
        document["prior"] = {key: str(Decimal(value) * scale) for key, value in document["prior"].items()}
    else:
        document.pop("prior", None)
        document.pop("reasons", None)
    if status == "submitted":
        alone = {**document, "unit": {k: v for k, v in document["unit"].items() if k != "parent_code"}}
        document.update(_ready_for_submission(alone))  # worked out in a scratch store without the 部门
    return document


def build_department(store) -> dict[str, Decimal]:
    """500 (no 上年数), 501 (typed 上年数), 502 (三公 planted), 503 (last year held, +80 %), 600 (alone)."""
    from app.exchange.interchange import import_document

    import_document(store, unit_document("500", "测试局", scale=1, prior=False), backup=False)
    import_document(store, unit_document("501", "测试局一所", scale=2, parent="500"), backup=False)
    planted = import_document(store, unit_document("502", "测试局二所", scale=3, parent="500", prior=False),
                              backup=False)
    planted.set_cell("three_public_expenses", "reception", "general_budget", "600")
    import_document(store, unit_document("503", "测试局三所", scale=5, year=2022, parent="500"), backup=False)
    import_document(store, unit_document("503", "测试局三所", scale=9, parent="500", prior=False), backup=False)
    import_document(store, unit_document("600", "独立单位", scale=1), backup=False)
    seed = store.open_dataset("600", 2023)
    return {name: seed.value(form, row, column) for name, (form, row, column) in {
        "total": ("expenditure_summary", "total", "total"),
        "three": ("three_public_expenses", "total", "total")}.items()}


def test_planted_outliers_found_and_the_others_not_listed(bureau, capsys):
    figures = build_department(bureau)
    result = screen(bureau, 2023, peers="parent")
    assert [u.unit_code for u in result.units] == ["500", "501", "502", "503", "600"]
    found = {(o.unit_code, o.measure) for o in result.outliers}
    assert found == {("502", "three_public_share"), ("503", "expenditure_total"), ("503", "basic"),
                     ("503", "project"), ("503", "three_public_total")}
    units = {u.unit_code: u for u in result.units}
    # 上年数: last year's dataset for 503, typed for 501 and 600, none for 500 and 502.
    assert [units[c].prior_source for c in ("500", "501", "502", "503", "600")] == ["", "typed", "", "dataset", "typed"]
    assert units["500"].growth == {} and units["500"].prior_source_name == "无上年数"
    growth = next(o for o in result.outliers if o.measure == "expenditure_total")
    assert growth.value == figures["total"] * 9 and growth.reference == figures["total"] * 5
    assert growth.deviation == Fraction(4, 5) and growth.deviation_text == "+80.0%"
    assert "增长" in growth.note and "上年数据" in growth.note
    # The share: exact Decimal arithmetic, the median of the 部门's four units.
    share = next(o for o in result.outliers if o.measure == "three_public_share")
    usual = Fraction(figures["three"]) / Fraction(figures["total"])
    assert share.reference == usual
    assert share.value == Fraction(Decimal("600") + Decimal("8.88") * 3) / Fraction(figures["total"] * 3)
    assert share.deviation == share.value - usual and "高于同一主管部门 4 个单位的中位数" in share.note
    assert units["501"].medians["three_public_share"] == usual and units["501"].peer_counts["three_public_share"] == 4
    # 600 is its own 部门: one unit, fewer than the minimum of 3 peers, so not compared.
    assert units["600"].medians["three_public_share"] is None
    # All units as peers: 600 compared too, still only 502 off.
    result_all = screen(bureau, 2023, peers="all")
    assert {u.unit_code: u.medians["three_public_share"] for u in result_all.units}["600"] == usual
    assert {(o.unit_code, o.measure) for o in result_all.outliers if o.kind == "share"} == {("502", "three_public_share")}
    assert result_all.to_dict()["outliers"][0]["unit"] in {"502", "503"}


def test_thresholds_are_data(bureau, tmp_path):
    build_department(bureau)
    data = json.loads(default_config_path().read_text(encoding="utf-8"))
    data["growth"]["max_increase_percent"] = "90"
    data["shares"]["deviation_points"] = "20"
    path = tmp_path / "loose.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = screen(bureau, 2023, config=load_config(path))
    assert result.outliers == []
    data["shares"]["deviation_points"] = "1"
    data["shares"]["mad_multiplier"] = None
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    # Growth of 80 % is within 90 %; the 三公 share is 16.6 points off, within 20 but beyond 1.
    assert {(o.unit_code, o.measure) for o in screen(bureau, 2023, config=load_config(path)).outliers} == {
        ("502", "three_public_share")}


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("growth"), "缺少 growth"),
    (lambda d: d["growth"].update(quantities=["no_such_total"]), "“no_such_total”不是命名数量"),
    (lambda d: d["growth"].update(max_increase_percent="三十"), "不是数字"),
    (lambda d: d["growth"].update(max_decrease_percent="-5"), "应为不小于 0 的数"),
    (lambda d: d["shares"]["items"][0].update(denominator="nothing"), "denominator 的“nothing”不是命名数量"),
    (lambda d: d["shares"].update(min_peers=1), "min_peers 应为不小于 2 的整数"),
    (lambda d: d.update(peers="neighbours"), "peers 应为 parent"),
    (lambda d: d["shares"].update(deviation_points=10.5), "应为数字（写成字符串"),
])
def test_bad_threshold_file_is_refused_with_its_reason(tmp_path, edit, message):
    data = json.loads(default_config_path().read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScreeningConfigError, match=message):
        load_config(path)


def test_median_and_the_mad_rule(bureau):
    assert median([Decimal(3), Decimal(1), Decimal(2)]) == 2 and median([Decimal(1), Decimal(4)]) == Decimal("2.5")
    from dataclasses import replace

    build_department(bureau)
    config = load_config()
    # A MAD multiplier so large that nothing in a widely spread group stands out … here the group is
    # uniform (MAD 0), so 502 is still flagged; without the points threshold every tiny difference would be.
    assert {(o.unit_code, o.measure) for o in screen(bureau, 2023, config=replace(config, mad_multiplier=Decimal(1000)))
            .outliers if o.kind == "share"} == {("502", "three_public_share")}


def test_unreadable_threshold_files(tmp_path):
    with pytest.raises(ScreeningConfigError, match="找不到筛查阈值文件"):
        load_config(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"growth": ', encoding="utf-8")
    with pytest.raises(ScreeningConfigError, match="不是有效的 JSON"):
        load_config(broken)
    broken.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ScreeningConfigError, match="应为一个 JSON 对象"):
        load_config(broken)
    assert issubclass(ScreeningConfigError, InputError)


def test_cli_screen_text_json_pdf_and_bad_input(store, tmp_path, capsys, db_path):
    build_department(store)
    db = str(db_path)
    code, out, err = run(capsys, "--db", db, "screen", "--year", "2023")
    assert code == 0 and "503\t测试局三所" in out and "+80.0%" in out and "502\t测试局二所" in out
    assert "500 测试局：无上年数" in err and "需跟进 5 项" in err
    code, out, _err = run(capsys, "--db", db, "screen", "--year", "2023", "--peers", "all", "--json")
    data = json.loads(out)
    assert code == 0 and data["peers"] == "all" and len(data["units"]) == 5 and len(data["outliers"]) == 5
    assert data["units"][0]["prior_source_name"] == "无上年数"
    pdf = tmp_path / "screen.pdf"
    code, _out, err = run(capsys, "--db", db, "screen", "--year", "2023", "--pdf", str(pdf))
    assert code == 0 and pdf.read_bytes().startswith(b"%PDF") and "已打印筛查结果" in err
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    code, out, err = run(capsys, "--db", db, "screen", "--year", "2023", "--thresholds", str(bad))
    assert code == 2 and "不是有效的 JSON" in err and "Traceback" not in err and out == ""
    code, _out, err = run(capsys, "--db", db, "screen", "--year", "2023", "--peers", "cousins")
    assert code == 2 and "无效" in err


def test_pdf_holds_the_outliers(store, tmp_path):
    import pypdfium2 as pdfium

    from app.bureau.screening import print_screening

    build_department(store)
    target = tmp_path / "screen.pdf"
    pages = print_screening(screen(store, 2023), target)
    document = pdfium.PdfDocument(str(target))
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert pages >= 1 and "部门预算筛查结果" in text and "测试局二所" in text and "+80.0%" in text



@needs_pdffonts
def test_screening_pdf_embeds_every_font(store, tmp_path):
    from app.bureau.screening import print_screening

    build_department(store)
    print_screening(screen(store, 2023), tmp_path / "screen.pdf")
    assert_all_embedded(tmp_path / "screen.pdf")  # no Helvetica from the table cells' default font

# ---- the dashboard ------------------------------------------------------------------------------
def build_mixed(store, tmp_path) -> None:
    """700 部门 submitted; 701 submitted then returned; 702 draft held (not submitted), 三公 table emptied;
    703 known but nothing held; 800 (own 部门) submitted."""
    from app.bureau import intake, standing
    from app.domain.records import UnitInfo
    from app.exchange.interchange import import_document

    intake.import_package(store, make_package(tmp_path / "700.bdp", unit_document("700", "进度局", status="submitted")))
    # A 所属单位's 已上报 package cannot be imported yet (the import's scratch check lacks its 部门), so 701
    # is marked 已上报 here and then returned, which records its 退回 the same way.
    returned = import_document(store, unit_document("701", "进度局一所", scale=2, parent="700"), backup=False)
    explain_all_findings(returned)
    returned.set_status("submitted")
    standing.return_dataset(store, "701", 2023, "三公经费说明不全")
    draft = import_document(store, unit_document("702", "进度局二所", parent="700"), backup=False)
    draft.set_cell("three_public_expenses", "reception", "general_budget", None)
    draft.set_cell("three_public_expenses", "vehicle_operation", "general_budget", None)
    store.create_unit(UnitInfo("703", "进度局三所", parent_code="700"))
    intake.import_package(store, make_package(tmp_path / "800.bdp", unit_document("800", "另一局", status="submitted")))


def test_dashboard_counts_for_a_mixed_situation(bureau, tmp_path):
    from app.bureau.dashboard import dashboard

    build_mixed(bureau, tmp_path)
    board = dashboard(bureau, 2023)
    units = {u.unit_code: u for u in board.units}
    assert [u.unit_code for u in board.units] == ["700", "701", "702", "703", "800"]
    assert {c: u.state for c, u in units.items()} == {"700": "submitted", "701": "returned", "702": "not_submitted",
                                                      "703": "not_submitted", "800": "submitted"}
    assert units["701"].return_reason == "三公经费说明不全"
    assert units["703"].has_dataset is False and units["703"].errors is None and units["703"].empty_tables == []
    # 已上报 packages carry a 说明 for every 提示; the draft 702 has seed 004's 28 plus T09 and T10 from its emptied
    # 三公 table (N03 on those figures waits until they are entered again).
    assert [units[c].unexplained for c in ("700", "701", "702", "800")] == [0, 0, 30, 0]
    assert all(units[c].errors == 0 for c in ("700", "701", "702", "800"))
    # Seed 004 prints two tables empty (政府性基金, 国有资本经营); 702 also its 三公 table.
    assert [t.form for t in units["700"].empty_tables] == ["government_fund_expenditure", "state_capital_expenditure"]
    assert units["700"].empty_tables[0].note == "注：无政府性基金预算财政拨款预算，空表列示。"
    assert len(units["702"].empty_tables) == 3 and units["702"].empty_tables[-1].note == "注：本表无数据，空表列示。"
    department, alone = board.departments
    assert (department.code, department.name) == ("700", "进度局") and (alone.code, alone.name) == ("800", "另一局")
    counts = ("expected", "submitted", "returned", "not_submitted", "held", "passed", "with_warnings", "unexplained",
              "with_empty", "empty_tables")
    assert [getattr(department, key) for key in counts] == [4, 1, 1, 2, 3, 3, 1, 30, 3, 7]
    assert [getattr(alone, key) for key in counts] == [1, 1, 0, 0, 1, 1, 0, 0, 1, 2]
    assert [getattr(board.total, key) for key in counts] == [5, 2, 1, 2, 4, 4, 1, 30, 4, 9]
    # A new package after the 退回 makes 701 submitted again.
    json_data = board.to_dict()
    assert json_data["total"]["returned"] == 1 and json_data["units"][1]["return_reason"] == "三公经费说明不全"


def test_cli_dashboard(store, tmp_path, capsys, db_path):
    build_mixed(store, tmp_path)
    code, out, err = run(capsys, "--db", str(db_path), "dashboard", "--year", "2023")
    assert code == 0 and "700\t进度局\t4\t1\t1\t2\t3\t1\t3" in out and "\t合计\t5\t2\t1\t2\t4\t1\t4" in out
    assert "701\t进度局一所\t进度局\t已退回" in out and "三公经费说明不全" in out
    assert "“三公”经费" in out and "注：本表无数据，空表列示。" in out
    assert "应报 5 个单位，已上报 2 个，已退回 1 个，未上报 2 个" in err
    code, out, _err = run(capsys, "--db", str(db_path), "dashboard", "--year", "2023", "--json")
    assert code == 0 and json.loads(out)["total"]["expected"] == 5
    code, _out, err = run(capsys, "--db", str(db_path), "dashboard", "--year", "99")
    assert code == 2 and "预算年度" in err


def test_screen_and_dashboard_have_help(capsys):
    from app.cli.main import main

    for command, words in (("screen", ["--peers", "--pdf", "--thresholds", "中位数"]), ("dashboard", ["--json", "已退回"])):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        out = capsys.readouterr().out
        assert exit_info.value.code == 0 and all(word in out for word in words)


def test_a_package_sent_as_draft_is_not_counted_as_submitted(bureau, seed_dataset, tmp_path):
    """A clerk may send a 编制中 package for a look; the dashboard agrees with the tree: 未上报."""
    from app.bureau import intake
    from app.bureau.dashboard import dashboard
    from app.bureau.hierarchy import tree
    from app.exchange.package import writer

    draft = writer.export_package(seed_dataset, tmp_path / "draft.bdp")
    assert draft.status == "draft"
    intake.import_package(bureau, draft.path)
    unit = {u.unit_code: u for u in dashboard(bureau, 2023).units}["359"]
    assert unit.state == "not_submitted"
    assert [node.status_name for node in tree(bureau, 2023) if node.code == "359"] == ["编制中（未上报）"]
