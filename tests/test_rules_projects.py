"""Project, target-quality, 政府采购 and 固定资产 rules (resources/rules/projects.json, app/checks/lists.py):
every rule passes on a clean dataset and fails on one made to break it; seed 004 gives no 错误 and shows
its real target defects as 提示."""

import json
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.base.errors import ConflictError
from app.checks.lists import read_projects, year_mentions
from app.checks.rules import Checker, all_rules, check_dataset, rules_reading, set_explanation
from app.cli.main import main
from app.domain.records import UnitInfo
from app.projects import (
    AssetLine,
    AssetTable,
    Indicator,
    OverallTargets,
    ProcurementItem,
    Project,
    ProjectBook,
)
from tests.conftest import SEED004, complete_project_amounts, explain_all_findings

D = Decimal
PROJECT_RULES = sorted(rule.id for rule in all_rules() if rule.id.startswith("P"))


def found(dataset, rule_id=None):
    findings = [finding for finding in check_dataset(dataset) if finding.rule.startswith("P")]
    return [finding for finding in findings if rule_id is None or finding.rule == rule_id]


def indicators(tag: str, cost: str = "60", cost_unit: str = "万元") -> list[Indicator]:
    """A complete set: 产出 (数量, 质量, 时效, 成本), 效益 and 满意度; ``tag`` keeps sets apart."""
    return [
        Indicator("1", "11", f"{tag}报道数量", "2023 年度刊发报道数量", "≥", "500", "篇"),
        Indicator("1", "12", f"{tag}合格率", comparator="", value="100", unit="%"),
        Indicator("1", "13", f"{tag}时效", comparator="≤", value="7", unit="日"),
        Indicator("1", "14", "成本控制数", f"{tag}项目预算控制数", "≤", cost, cost_unit),
        Indicator("2", "22", f"{tag}公众知晓率", comparator="定性", value="比上年提升"),
        Indicator("3", "31", "受益群众满意度", comparator="≥", value="90", unit="%"),
    ]


@pytest.fixture
def clean(store):
    """Two projects (60 + 40 = 项目支出 100) with complete, distinct targets, a purchase within its
    project, consistent assets and an 整体绩效目标 for 2023: no P rule fires."""
    store.create_unit(UnitInfo("901", "测试局"))
    store.create_dataset("901", 2023)
    dataset = store.open_dataset("901", 2023)
    dataset.set_cell("expenditure_summary", "2070699", "project", "100")
    book = ProjectBook(dataset)
    book.add_project(Project("宣传项目", amount=D("60.00"), fiscal_appropriation=D("60.00"), annual_goal="2023 年度完成宣传报道 500 篇",
                             period_goal="2022—2024 年持续宣传", indicators=indicators("宣传")))
    book.add_project(Project("维护项目", amount=D("40.00"), fiscal_appropriation=D("40.00"), annual_goal="保障设备正常运转",
                             period_start=date(2023, 1, 1), period_end=date(2025, 12, 31),
                             period_goal="到 2025 年完成全部设备更新", indicators=indicators("维护", "400000", "元")))
    book.add_procurement(ProcurementItem(project_of(book, "宣传项目"), "新闻服务", "C06010000",
                                         general_budget=D("50.00"), sme_reserved=D("50.00")))
    book.set_assets(AssetTable(date(2022, 12, 31), {"buildings": AssetLine(D(500), D("300.00")),
                                                    "office_buildings": AssetLine(D(200), D("120.00"))}))
    book.set_overall_targets(OverallTargets("2023 年继续扩大宣传。", [
        Indicator("", "", "活动场次", "举办外宣活动场次", "≥", "1", "次", note="外宣活动")]))
    return book


def project_of(book: ProjectBook, name: str) -> int:
    return next(project_id for project_id, project_name, _amount in book.project_choices() if project_name == name)


def edit(book: ProjectBook, name: str, **changes) -> None:
    book.update_project_fields(project_of(book, name), **changes)


def set_indicators(book: ProjectBook, name: str, change) -> None:
    project_id = project_of(book, name)
    book.set_indicators(project_id, change(book.get_project(project_id).indicators))


def no_level(level: str):
    return lambda items: [item for item in items if level not in (item.level1, item.level2)]


def with_indicator(index: int, **changes):
    return lambda items: [replace(item, **changes) if number == index else item for number, item in enumerate(items)]


# rule → (how to break the clean dataset, the anchor of the finding it must produce)
BREAKERS = {
    "P01": (lambda book: book.dataset.set_cell("expenditure_summary", "2070699", "project", "120"), ""),
    "P02": (lambda book: book.add_project(Project("新项目", indicators=indicators("新"))), ""),
    "P04": (lambda book: book.add_procurement(ProcurementItem(project_of(book, "维护项目"), "设备维修", "C05000000",
                                                              general_budget=D("45.00"))), "维护项目"),
    "P05": (lambda book: edit(book, "宣传项目", fiscal_appropriation=D("50.00")), "宣传项目"),
    "P06": (lambda book: book.add_procurement(ProcurementItem(project_of(book, "维护项目"), "设备维修", "C05000000",
                                                              general_budget=D("5.00"), sme_reserved=D("6.00"))),
            "维护项目/设备维修"),
    "P07": (lambda book: book.set_assets(AssetTable(lines={"buildings": AssetLine(D(100), D("300.00")),
                                                           "office_buildings": AssetLine(D(200), D("120.00"))})),
            "office_buildings/quantity"),
    "P10": (lambda book: set_indicators(book, "维护项目", no_level("3")), "维护项目"),
    "P11": (lambda book: set_indicators(book, "维护项目", no_level("11")), "维护项目"),
    "P12": (lambda book: set_indicators(book, "维护项目", with_indicator(2, unit="")), "维护项目/维护时效"),
    "P13": (lambda book: set_indicators(book, "宣传项目", with_indicator(3, value="30")), "宣传项目"),
    "P14": (lambda book: book.copy_indicators(project_of(book, "宣传项目"), project_of(book, "维护项目")),
            "维护项目|宣传项目"),
    "P15": (lambda book: edit(book, "维护项目", annual_goal="1.2022 年度预计维修设备 20 台"), "维护项目"),
    "P16": (lambda book: book.set_overall_targets(OverallTargets("2022年继续扩大宣传。")), "部门整体绩效目标"),
    "P17": (lambda book: edit(book, "维护项目", fiscal_appropriation=None), ""),
}


def test_every_project_rule_has_a_breaking_case():
    assert set(PROJECT_RULES) == set(BREAKERS)
    for rule in all_rules():
        if rule.id.startswith("P"):
            assert rule.check and not rule.assertion
            assert rule.reads == ({("expenditure_summary", "project")} if rule.id in ("P01", "P02") else set())


def test_clean_dataset_passes_every_project_rule(clean):
    assert found(clean.dataset) == []


@pytest.mark.parametrize("rule_id", sorted(BREAKERS))
def test_rule_fails_on_a_broken_dataset(clean, rule_id):
    breaker, anchor = BREAKERS[rule_id]
    breaker(clean)
    findings = found(clean.dataset, rule_id)
    assert [finding.anchor for finding in findings] == [anchor]
    finding = findings[0]
    rule = next(rule for rule in all_rules() if rule.id == rule_id)
    assert finding.severity == rule.severity
    assert finding.cells, "a finding must point somewhere"
    assert "{" not in finding.message, finding.message
    if anchor and rule_id not in ("P06", "P07", "P16"):
        assert finding.cells[0].form == "projects" and finding.cells[0].row == anchor.split("/")[0].split("|")[0]


def test_severities():
    errors = {rule.id for rule in all_rules() if rule.id.startswith("P") and rule.severity == "error"}
    assert errors == {"P01", "P04", "P05", "P06", "P07"}


# ---- Σ project amounts ----------------------------------------------------------------------------
def test_project_total_is_an_error_only_when_every_amount_is_known(clean):
    dataset = clean.dataset
    clean.add_project(Project("新项目", indicators=indicators("新")))
    pending = found(dataset, "P02")[0]
    assert "1 个项目（“新项目”）未填写预算金额" in pending.message and "100.00" in pending.message
    assert [(cell.form, cell.row, cell.column) for cell in pending.cells] == [
        ("expenditure_summary", "total", "project"), ("projects", "新项目", "amount")]
    assert not found(dataset, "P01")
    dataset.set_cell("expenditure_summary", "2070699", "project", "130")
    assert "尚有 30.00 万元" in found(dataset, "P02")[0].message
    edit(clean, "新项目", amount=D("20.00"))  # all known now: 120 ≠ 130
    total = found(dataset, "P01")[0]
    assert "120.00" in total.message and "130.00" in total.message and "相差 10.00" in total.message
    assert not found(dataset, "P02")
    edit(clean, "新项目", amount=D("30.00"))
    assert not found(dataset, "P01")


def test_known_amounts_already_above_project_expenditure_are_an_error(clean):
    clean.add_project(Project("新项目", indicators=indicators("新")))
    clean.dataset.set_cell("expenditure_summary", "2070699", "project", "90")
    total = found(clean.dataset, "P01")[0]
    assert total.severity == "error" and "已超过" in total.message and "多出 10.00" in total.message
    assert not found(clean.dataset, "P02")


def test_no_projects_against_project_expenditure(store):
    store.create_unit(UnitInfo("902", "空局"))
    store.create_dataset("902", 2023)
    dataset = store.open_dataset("902", 2023)
    assert found(dataset) == []
    dataset.set_cell("expenditure_summary", "2070699", "project", "5")
    assert [finding.rule for finding in found(dataset)] == ["P01"]


# ---- consistency problems of app.projects ---------------------------------------------------------------
def test_every_consistency_problem_is_a_finding(clean):
    edit(clean, "宣传项目", fiscal_appropriation=D("50.00"), other_funds=D("70.00"), period_total=D("10.00"),
         period_start=date(2023, 6, 1), period_end=date(2023, 1, 1))
    clean.add_procurement(ProcurementItem(project_of(clean, "维护项目"), "设备维修", "C05000000",
                                          general_budget=D("45.00"), sme_reserved=D("46.00")))
    clean.set_assets(AssetTable(lines={"buildings": AssetLine(D(100), D("100.00")),
                                       "office_buildings": AssetLine(D(200), D("120.00"))}))
    problems = clean.consistency_problems()
    assert len(problems) == 8
    findings = found(clean.dataset)
    for _anchor, message in problems:
        text = message.split("：", 1)[-1]
        if "政府采购金额合计" in message:
            assert any(f.rule == "P04" and f.anchor == "维护项目" for f in findings)
        else:
            assert any(text in f.message and f.severity == "error" for f in findings), message
    assert {f.cells[0].column for f in findings if f.rule == "P05"} == {"amount", "other_funds", "period_total",
                                                                        "period_end"}
    assert [f.anchor for f in findings if f.rule == "P07"] == ["office_buildings/quantity", "office_buildings/value"]


def test_procurement_findings_name_the_purchase(clean):
    BREAKERS["P04"][0](clean)
    over = found(clean.dataset, "P04")[0]
    assert [(c.form, c.row, c.column) for c in over.cells] == [("projects", "维护项目", "amount"),
                                                               ("procurement", "设备维修", "total")]
    assert "45.00" in over.message and "40.00" in over.message and "多出 5.00" in over.message


# ---- target quality -----------------------------------------------------------------------------
def test_missing_levels_are_named(clean):
    set_indicators(clean, "维护项目", lambda items: [item for item in items if item.level1 == "1"
                                                   and item.level2 != "14"])
    assert "缺少效益指标、满意度指标" in found(clean.dataset, "P10")[0].message
    assert "没有成本指标" in found(clean.dataset, "P11")[0].message
    clean.update_project(project_of(clean, "维护项目"), replace(clean.get_project(project_of(clean, "维护项目")),
                                                              indicators=[]))
    assert "缺少产出指标、效益指标、满意度指标" in found(clean.dataset, "P10")[0].message


def test_quantitative_values(clean):
    set_indicators(clean, "维护项目", with_indicator(4, value="95%"))  # a figure typed as 定性 words
    qualitative = found(clean.dataset, "P12")
    assert [f.anchor for f in qualitative] == ["维护项目/维护公众知晓率"] and "按定性指标填写" in qualitative[0].message
    set_indicators(clean, "维护项目", with_indicator(4, value="比上年提升"))
    assert not found(clean.dataset, "P12")
    set_indicators(clean, "维护项目", with_indicator(1, unit=""))  # bare figure without a unit
    assert "缺少计量单位" in found(clean.dataset, "P12")[0].message


def test_a_time_limit_in_words_entered_as_qualitative_is_not_a_figure(clean):
    # Seed 002's 文化工作经费: 户外音乐季活动时间 “1个季度内” is words, not the number 1 in a unit “个季度内”.
    set_indicators(clean, "维护项目", with_indicator(4, value="1个季度内"))
    assert not found(clean.dataset, "P12")
    set_indicators(clean, "维护项目", with_indicator(4, value="30日前"))
    assert not found(clean.dataset, "P12")
    set_indicators(clean, "维护项目", with_indicator(4, value="12期"))  # a figure and its unit: still P12
    assert "是数字却按定性指标填写" in found(clean.dataset, "P12")[0].message


def test_bare_figures_need_a_comparator_when_the_rule_says_so(clean):
    rule = next(rule for rule in all_rules() if rule.id == "P12")
    strict = replace(rule, params={"bare_figure_is_exact": False})
    checker = Checker(clean.dataset, [strict])
    findings = checker.run_all()
    assert {f.anchor for f in findings} == {"宣传项目/宣传合格率", "维护项目/维护合格率"}
    assert all("缺少比较符" in f.message for f in findings)


@pytest.mark.parametrize("value, unit, fires", [
    ("60", "万元", False), ("48", "万元", False), ("47.99", "万元", True), ("60.01", "万元", True),
    ("600000", "元", False), ("479999", "元", True), ("4800000", "元", True), ("5", "元/次", False),
])
def test_cost_indicator_against_the_amount(clean, value, unit, fires):
    set_indicators(clean, "宣传项目", with_indicator(3, value=value, unit=unit))
    assert bool(found(clean.dataset, "P13")) is fires


def test_cost_indicators_of_parts_add_up(clean):
    set_indicators(clean, "宣传项目", lambda items: [*with_indicator(3, value="30")(items),
                                                  Indicator("1", "14", "设备成本", comparator="≤", value="25",
                                                            unit="万元")])
    assert not found(clean.dataset, "P13")  # 30 + 25 = 55 ≥ 80% of 60
    set_indicators(clean, "宣传项目", with_indicator(6, value="15"))
    assert "合计 45.00 万元，不到预算金额的 80%" in found(clean.dataset, "P13")[0].message


def test_cost_check_needs_an_amount_and_uses_the_rule_params(clean):
    set_indicators(clean, "宣传项目", with_indicator(3, value="40"))  # 40 / 60 = 67%
    assert found(clean.dataset, "P13")
    rule = next(rule for rule in all_rules() if rule.id == "P13")
    lenient = replace(rule, params={"min_share": "0.5", "max_share": "1"})
    assert Checker(clean.dataset, [lenient]).run_all() == []
    edit(clean, "宣传项目", amount=None)
    assert not found(clean.dataset, "P13")


def test_identical_sets_compare_normalized_rows_once_per_pair(clean):
    clean.copy_indicators(project_of(clean, "宣传项目"), project_of(clean, "维护项目"))
    set_indicators(clean, "维护项目", lambda items: list(reversed([
        replace(item, name=item.name.replace("报道数量", "报道 数量"), description="另写的描述") for item in items])))
    same = found(clean.dataset, "P14")
    assert [f.anchor for f in same] == ["维护项目|宣传项目"]
    assert "6 条绩效指标与项目“宣传项目”完全相同" in same[0].message
    clean.add_project(Project("第三个项目", amount=D("1.00"), indicators=indicators("宣传", cost="60")))
    assert [f.anchor for f in found(clean.dataset, "P14")] == ["维护项目|宣传项目", "第三个项目|宣传项目"]
    set_indicators(clean, "维护项目", with_indicator(0, value="501"))
    assert [f.anchor for f in found(clean.dataset, "P14")] == ["第三个项目|宣传项目"]


def test_year_mentions():
    assert year_mentions("1.2022 年度预计制作宣传片", {2023}) == ["2022 年度"]
    assert year_mentions("2023年度计划；2023 年 12 月 31 日前完成", {2023}) == []
    assert year_mentions("支付 2021 年签订的合同尾款", {2023}) == ["2021 年"]
    assert year_mentions("２０２２年", {2023}) == ["2022年"]
    assert year_mentions("2022—2024 年持续建设", {2023}) == []
    assert year_mentions("2022年1月至2024年12月", {2023}) == []
    assert year_mentions("2019-2021年累计", {2023}) == ["2019-2021年"]
    assert year_mentions("刊发 2000 篇，点击 2022 次", {2023}) == []  # no 年: not a year
    assert year_mentions("比上年提升", {2023}) == []


def test_year_check_reads_goals_and_indicators(clean):
    set_indicators(clean, "宣传项目", with_indicator(0, description="2024 年刊发报道数量"))
    edit(clean, "宣传项目", annual_goal="2022 年度完成宣传报道")
    finding = found(clean.dataset, "P15")[0]
    assert "“2022 年度”、“2024 年”" in finding.message
    assert "年度绩效目标、指标“宣传报道数量”的指标描述" in finding.message
    assert [c.column for c in finding.cells] == ["annual_goal", "宣传报道数量"]
    edit(clean, "维护项目", period_goal="到 2026 年完成全部设备更新")  # beyond the 实施周期 2023–2025
    assert {f.anchor for f in found(clean.dataset, "P15")} == {"宣传项目", "维护项目"}


# ---- seed 004 -------------------------------------------------------------------------------------
SEED_WARNINGS = {
    "P02": [""],
    "P12": ["新闻业务编审、采编信息服务费/新闻业务编审、采编信息完成数量"],  # ≥ 1200 without a unit
    "P13": ["广播电视机构宣传费", "智能云广播“二期”建设费"],
    "P14": ["智能云广播“二期”建设费|媒资数据库安全防护费"],
    "P15": ["宣传片更新制作费", "宣传品设计制作费", "招商片宣传制作费（结转）"],
    "P17": [""],  # four projects without a fund breakdown
}
# S09 (app/checks/selfeval.py): 19 of the 21 projects write “比上年提升” with no baseline as an indicator value.
VAGUE_PROJECTS = 19


def test_seed004_has_no_errors_and_its_target_defects_are_warnings(seed_dataset):
    findings = check_dataset(seed_dataset)
    assert not [f for f in findings if f.severity == "error"]
    by_rule: dict[str, list[str]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding.anchor)
    assert len(by_rule.pop("S09")) == VAGUE_PROJECTS
    assert by_rule == SEED_WARNINGS
    messages = {f.anchor: f.message for f in findings if f.rule in ("P13", "P14", "P15")}
    assert "≤7万元" in messages["智能云广播“二期”建设费"] and "68.08 万元" in messages["智能云广播“二期”建设费"]
    assert "≤50万元" in messages["广播电视机构宣传费"] and "80.00 万元" in messages["广播电视机构宣传费"]
    assert "“2022 年度”" in messages["宣传片更新制作费"] and "“2022 年度”" in messages["宣传品设计制作费"]
    assert "与项目“媒资数据库安全防护费”完全相同，年度绩效目标也相同" in messages[
        "智能云广播“二期”建设费|媒资数据库安全防护费"]
    pending = next(f for f in findings if f.rule == "P02")
    assert "已填写金额的 4 个项目合计 268.08 万元" in pending.message and "434.33" in pending.message
    # Only 4 of the 21 projects print an amount: one 提示 points at the other 17, not 17 提示.
    assert pending.message.startswith("17 个项目（“报纸、广播、电视、客户端稿酬”、") and "”等）" in pending.message
    unfilled = [cell.row for cell in pending.cells if cell.form == "projects"]
    assert len(unfilled) == 17 and "作协人员工资费用" in unfilled and "广播电视机构宣传费" not in unfilled


def test_fast_project_read_equals_the_project_book(seed_dataset):
    book = ProjectBook(seed_dataset)
    edit(book, "作协人员工资费用", amount=D("10.18"), fiscal_appropriation=D("10.18"), period_start=date(2023, 1, 1),
         period_end=date(2023, 12, 31), period_goal="保障作协运转", code="X-1")
    assert read_projects(seed_dataset) == book.list_projects()


def test_check_cli_json_rows_name_projects_and_purchases(capsys, tmp_path):
    db = str(tmp_path / "check.sqlite3")
    assert main(["--db", db, "import-json", str(SEED004)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "check", "--unit", "359", "--year", "2023", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    cost = next(f for f in report["findings"] if f["key"] == "P13:广播电视机构宣传费")
    assert cost["severity"] == "warning"
    assert cost["cells"][0] == {"form": "projects", "row": "广播电视机构宣传费", "column": "amount"}
    assert {"form": "projects", "row": "广播电视机构宣传费", "column": "成本控制数"} in cost["cells"]
    copied = next(f for f in report["findings"] if f["rule"] == "P14")
    assert copied["cells"][0]["row"] == "智能云广播“二期”建设费"

    from app.store.service import Store

    store = Store(db)
    book = ProjectBook(store.open_dataset("359", 2023))
    book.add_procurement(ProcurementItem(project_of(book, "服务外包专项资金"), "加急服务", "C99000000",
                                         general_budget=D("1.00"), sme_reserved=D("2.00")))
    store.close()
    assert main(["--db", db, "check", "--unit", "359", "--year", "2023", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    errors = {f["rule"]: f for f in report["findings"] if f["severity"] == "error"}
    assert set(errors) == {"P04", "P06"}
    assert errors["P04"]["cells"][0]["row"] == "服务外包专项资金"
    assert {"form": "procurement", "row": "加急服务", "column": "total"} in errors["P04"]["cells"]
    assert errors["P06"]["cells"] == [{"form": "procurement", "row": "加急服务", "column": "sme_reserved"}]


# ---- incremental checks, explanations, submission ---------------------------------------------------------
def test_cell_edits_rerun_only_the_list_rules_that_read_the_cell():
    assert {r.id for r in rules_reading("expenditure_summary", "project") if r.id.startswith("P")} == {"P01", "P02"}
    assert {r.id for r in rules_reading("general_budget_expenditure", "project") if r.id.startswith("P")} == set()
    assert not [r for r in rules_reading("expenditure_summary", "basic") if r.id.startswith("P")]
    assert not [r for r in rules_reading("general_budget_basic_expenditure", "public") if r.id.startswith("P")]


def test_incremental_checks_match_a_full_run(seed_dataset):
    book = ProjectBook(seed_dataset)
    checker = Checker(seed_dataset)
    checker.run_all()
    rng = random.Random(7)
    names = [name for _id, name, _amount in book.project_choices()]
    for step in range(30):
        if step % 3:
            value = rng.choice([None, "434.33", "300", "120.55"])
            seed_dataset.set_cell("expenditure_summary", "2070699", "project", value)
            assert {"P01", "P02"} <= checker.after_edit([("expenditure_summary", "2070699", "project")])
        else:
            edit(book, rng.choice(names), amount=rng.choice([None, D("5.00"), D("20.00")]))
            checker.after_list_change()
        full = Checker(seed_dataset)
        full.run_all()
        assert [f.to_dict() for f in checker.findings()] == [f.to_dict() for f in full.findings()]


def test_explanations_stick_to_their_finding_across_reruns(seed_dataset):
    book = ProjectBook(seed_dataset)
    checker = Checker(seed_dataset)
    cost = next(f for f in checker.run_all() if f.key == "P13:广播电视机构宣传费")
    set_explanation(seed_dataset, cost.key, "另有 30 万元为上年结转，成本控制数只含本年新增部分。")
    book.move_project(project_of(book, "广播电视机构宣传费"), 0)
    edit(book, "报刊机构合作宣传费", amount=D("70.00"))
    checker.after_list_change()
    explained = {f.key: f.explanation for f in checker.findings() if f.explanation}
    assert explained == {"P13:广播电视机构宣传费": "另有 30 万元为上年结转，成本控制数只含本年新增部分。"}
    assert next(f for f in check_dataset(seed_dataset) if f.key == cost.key).explanation.startswith("另有 30 万元")


def test_submission_is_blocked_by_an_unexplained_project_warning(seed_dataset):
    complete_project_amounts(seed_dataset)
    for finding in check_dataset(seed_dataset):
        if finding.key != "P14:智能云广播“二期”建设费|媒资数据库安全防护费":
            set_explanation(seed_dataset, finding.key, "已核实。")
    with pytest.raises(ConflictError) as refused:
        seed_dataset.set_status("submitted")
    assert "P14" in str(refused.value) and "缺少说明" in str(refused.value) and "还有 1 条" in str(refused.value)
    set_explanation(seed_dataset, "P14:智能云广播“二期”建设费|媒资数据库安全防护费", "两个项目同属宣传活动，指标相同。")
    seed_dataset.set_status("submitted")
    assert seed_dataset.status == "submitted"


def _issue24_projects(dataset) -> None:
    """Issue 24's budget: 项目支出 434.33, one project at 80.00, a second without an amount (and no others)."""
    book = ProjectBook(dataset)
    first, second, *others = [project_id for project_id, _name, _amount in book.project_choices()]
    for project_id in others:
        book.delete_project(project_id)
    book.update_project_fields(first, amount=Decimal("80.00"))
    book.update_project_fields(second, amount=None)


def test_a_project_without_an_amount_is_an_error_at_submission_whatever_its_explanation(seed_dataset, db_path,
                                                                                     tmp_path, capsys, key_dir):
    """Issue 24 item 1: P02 stays a 提示 while drafting; at 上报 it is an 错误 (a 说明 does not clear it), so
    the core (set_status), the package export and the command line all refuse."""
    from app.checks.rules import submission_blockers, submission_findings
    from app.exchange.package.writer import export_package

    explain_all_findings(seed_dataset)
    _issue24_projects(seed_dataset)
    explain_all_findings(seed_dataset, complete_amounts=False)  # every 提示 explained, P02's too ("尚有 354.33 万元未落实到项目")
    [drafting] = [finding for finding in check_dataset(seed_dataset) if finding.rule == "P02"]
    assert drafting.severity == "warning" and drafting.explanation and "354.33" in drafting.message
    assert not [finding for finding in check_dataset(seed_dataset) if finding.rule == "P01"]
    [at_submission] = [finding for finding in submission_findings(seed_dataset) if finding.rule == "P02"]
    assert at_submission.severity == "error"
    assert [finding.rule for finding in submission_blockers(seed_dataset)] == ["P02"]

    with pytest.raises(ConflictError) as refused:
        seed_dataset.set_status("submitted")
    assert "[错误] P02" in str(refused.value) and "354.33" in str(refused.value)
    with pytest.raises(ConflictError):
        export_package(seed_dataset, tmp_path / "359.bdp", submit=True)
    assert not list(tmp_path.glob("*.bdp"))
    assert main(["--db", str(db_path), "status", "submitted", "--unit", "359", "--year", "2023"]) == 1
    assert "[错误] P02" in capsys.readouterr().err
    assert main(["--db", str(db_path), "export-package", "--unit", "359", "--year", "2023",
                 "--out", str(tmp_path), "--submit"]) == 1
    assert "不能上报" in capsys.readouterr().err and not list(tmp_path.glob("*.bdp"))
    assert seed_dataset.store.open_dataset("359", 2023).status == "draft"

    # the amounts made whole and matching 《支出总表》项目支出 (434.33): it may go
    second = [project_id for project_id, _name, amount in ProjectBook(seed_dataset).project_choices() if amount is None]
    ProjectBook(seed_dataset).update_project_fields(second[0], amount=Decimal("354.33"))
    explain_all_findings(seed_dataset, complete_amounts=False)
    seed_dataset.set_status("submitted")
    assert seed_dataset.status == "submitted"


def test_projects_summing_to_another_figure_are_an_error_while_drafting_and_at_submission(seed_dataset):
    explain_all_findings(seed_dataset)
    _issue24_projects(seed_dataset)
    second = [project_id for project_id, _name, amount in ProjectBook(seed_dataset).project_choices() if amount is None]
    ProjectBook(seed_dataset).update_project_fields(second[0], amount=Decimal("300.00"))
    explain_all_findings(seed_dataset, complete_amounts=False)
    [p01] = [finding for finding in check_dataset(seed_dataset) if finding.rule == "P01"]
    assert p01.severity == "error" and "54.33" in p01.message
    with pytest.raises(ConflictError) as refused:
        seed_dataset.set_status("submitted")
    assert "[错误] P01" in str(refused.value)
