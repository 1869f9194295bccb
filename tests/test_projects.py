"""Projects and performance targets, 部门整体绩效目标, 政府采购预算 and 固定资产 (app/projects.py)."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from app.base.errors import ConflictError, InputError, NotFoundError
from app.domain.records import UnitInfo
from app.projects import (
    AssetLine,
    AssetTable,
    Indicator,
    OverallTargets,
    ProcurementItem,
    Project,
    ProjectBook,
    arrange_indicators,
    group_indicators,
    normalize_catalogue_code,
    parse_indicator_table,
    split_indicator_value,
)
from db import models
from tests.conftest import explain_all_findings

D = Decimal
BOOK_TABLES = (models.Project, models.Indicator, models.OverallTarget, models.OverallIndicator,
               models.ProcurementItem, models.AssetTable, models.AssetRow)


def dump(store) -> dict:
    """Every row of the tables this module writes, to prove a refused call changed nothing."""
    with store.Session() as session:
        return {model.__tablename__: sorted(
            tuple(getattr(row, column.key) for column in model.__table__.columns)
            for row in session.scalars(select(model))) for model in BOOK_TABLES}


def refused(book, call, message: str) -> None:
    before = dump(book.dataset.store)
    with pytest.raises(InputError) as error:
        call()
    assert message in str(error.value)
    assert dump(book.dataset.store) == before


@pytest.fixture
def book(seed_dataset) -> ProjectBook:
    return ProjectBook(seed_dataset)


@pytest.fixture
def empty_book(store) -> ProjectBook:
    store.create_unit(UnitInfo("901", "测试局"))
    store.create_dataset("901", 2023)
    return ProjectBook(store.open_dataset("901", 2023))


def indicator(level1="1", level2="11", name="发布报道数量", comparator="≥", value="500", unit="篇", **more):
    return Indicator(level1, level2, name, comparator=comparator, value=value, unit=unit, **more)


def project(name="测试项目", **fields) -> Project:
    fields.setdefault("indicators", [indicator()])
    return Project(name, **fields)


# ---- seed 004, as published ---------------------------------------------------------------------

SEED_INDICATOR_COUNTS = [9, 8, 8, 8, 8, 7, 8, 8, 8, 8, 8, 8, 9, 8, 8, 8, 9, 8, 9, 9, 8]


def test_seed_has_its_21_projects_in_printed_order(book):
    projects = book.list_projects()
    assert len(projects) == 21
    assert projects[0].name == "报刊机构合作宣传费"
    assert projects[17].name == "智能云广播“二期”建设费"
    assert projects[20].name == "作协人员工资费用"
    assert [len(p.indicators) for p in projects] == SEED_INDICATOR_COUNTS
    assert projects[0].annual_goal.startswith("1.在各级报刊媒体上刊发开发区新闻报道数量 500 篇 2.保障发行文章")
    for p in projects:  # every published table has 产出, 效益 and 满意度 indicators
        assert {ind.level1 for ind in p.indicators} == {"1", "2", "3"}


def test_seed_prints_amounts_of_only_four_projects_and_they_do_not_make_434_33(book, seed_dataset):
    # The 项目支出 total is 434.33 (支出总表), but the 21 绩效目标表 print no amount; only the
    # 政府采购预算表 prints 预算资金 for the four projects it buys for.
    amounts = {p.name: p.amount for p in book.list_projects() if p.amount is not None}
    assert amounts == {"报刊机构合作宣传费": D("72.00"), "服务外包专项资金": D("48.00"),
                       "广播电视机构宣传费": D("80.00"), "智能云广播“二期”建设费": D("68.08")}
    assert book.projects_total() == D("268.08")
    assert seed_dataset.value("expenditure_summary", "total", "project") == D("434.33")
    # Nor do the 成本指标 (预算控制数) add up to it.
    costs = [D(ind.value) for p in book.list_projects() for ind in p.indicators if ind.level2 == "14"]
    assert len(costs) == 21 and sum(costs) == D("338.60")


def test_seed_indicators_transcribed(book):
    projects = {p.name: p for p in book.list_projects()}
    first = projects["报刊机构合作宣传费"].indicators
    assert first[0] == Indicator("1", "11", "发布报道数量", "在各级报刊媒体上刊发开发区新闻报道数量", "≥", "500", "篇",
                                 "实际工作需要")
    assert first[0].display_value == "≥500篇"
    assert (first[1].comparator, first[1].value, first[1].unit) == ("", "100", "%")  # printed bare: 100%
    assert (first[4].level2, first[4].comparator, first[4].value, first[4].unit) == ("14", "≤", "72", "万元")
    assert (first[5].level1, first[5].level2, first[5].comparator, first[5].value) == ("2", "24", "定性", "比上年提升")
    assert [ind.level2 for ind in first] == ["11", "12", "13", "13", "14", "24", "22", "21", "31"]
    assert first[8].display_value == "≥90%"
    position = projects["网络媒体宣传费"].indicators[1]
    assert (position.name, position.comparator, position.value) == ("刊发位置", "定性", "在突出位置推送报道")
    editing = projects["新闻业务编审、采编信息服务费"].indicators[0]
    assert (editing.comparator, editing.value, editing.unit) == ("≥", "1200", "")
    network = projects["网络专线服务"].indicators
    assert (network[2].value, network[2].unit) == ("60", "毫秒")
    assert network[7].level2 == "23" and network[7].value == "比上年下降"
    # A row the PDF split over two pages is one indicator.
    split = projects["作协办刊费用"].indicators[6]
    assert split.name == "通过发放稿费形象,增加群众参与积极性,吸收优秀作品，提升宣传品质"
    assert split.basis == "稿费发放单"
    assert projects["智能云广播系统物联网卡费"].indicators[5].value == "0.7"


def test_seed_overall_targets(book):
    overall = book.overall_targets()
    assert overall.goal.startswith("加强与各类媒体平台的深度合作")
    assert "加快新闻业务深化改革步伐" in overall.goal
    assert overall.goal.endswith("为新闻宣传工作提供良好保障。")
    assert len(overall.indicators) == 23
    assert overall.indicators[0] == Indicator("", "", "活动场次", "举办外宣活动场次", "≥", "1", "次", "",
                                              note="外宣传活动的策划、组织与实施")
    programmes = overall.indicators[6]
    assert (programmes.name, programmes.comparator, programmes.value, programmes.unit) == ("保障节目期数", "=", "365", "期")
    assert [ind.note for ind in overall.indicators].count("与各类媒体合作提升宣传效果") == 5
    assert overall.indicators[-1].note == "部门整体产出效果"


def test_seed_procurement_totals(book):
    items = book.list_procurement()
    assert [(i.item_name, i.catalogue_code, i.total) for i in items] == [
        ("新闻服务", "C06010000", D("60.00")), ("其他文化、体育、娱乐服务", "C06990000", D("12.00")),
        ("其他服务", "C99000000", D("48.00")), ("电视服务", "C06020200", D("80.00")),
        ("广播电视传输服务", "C06020500", D("68.08")),
    ]
    assert items[2].measure_unit == "次" and items[2].quantity == D("1") and items[2].unit_price == D("48.00")
    totals = book.procurement_totals()
    assert totals.total == D("268.08")
    assert totals.funds["general_budget"] == D("268.08") and totals.funds["government_fund"] is None
    assert totals.sme_reserved == D("128.08")
    [(label, subtotal)] = book.procurement_subtotals()
    assert label == "秦皇岛经济技术开发区融媒体中心（本级）"
    assert subtotal == totals
    names = {pid: name for pid, name, _amount in book.project_choices()}
    by_project = {names[pid]: total for pid, total in book.procurement_by_project().items()}
    assert by_project == {"报刊机构合作宣传费": D("72.00"), "服务外包专项资金": D("48.00"),
                          "广播电视机构宣传费": D("80.00"), "智能云广播“二期”建设费": D("68.08")}


def test_seed_asset_table(book):
    assets = book.assets()
    assert assets.as_of == date(2022, 12, 31)
    assert assets.line("vehicles") == AssetLine(D("3"), D("52.17"))
    assert assets.line("equipment") == AssetLine(D("3"), D("171.19"))
    assert assets.line("other") == AssetLine(D("549"), D("584.74"))
    assert assets.line("buildings") == AssetLine()
    assert assets.total_value == D("808.10")
    assert assets.planned_purchases == D("35.00")


# ---- projects: add, update, reorder, delete, undo ------------------------------------------------


def test_add_project_with_every_field_and_reopen(empty_book, store, db_path):
    full = Project(
        "影视产业发展资金", code="P2023-01", amount="242.50", local_fiscal="242.5", higher_level="0", other_funds="0",
        period_total="500", executed_before="100", function_code="2070699", attribute="经常性项目",
        period_start="2021.1.1", period_end="2021-12-31", competent_department="区影视产业发展中心",
        implementing_unit="区影视产业发展中心", manager="黄靖", period_goal="三年目标", annual_goal="年度目标：①吸纳5名专家",
        indicators=[
            Indicator("产出指标", "数量指标", "举办专家智库纳新仪式", comparator="", value="1", unit="次", note="新区影视行业专家库"),
            Indicator("满意度指标", "服务对象", "受培训企业满意度", comparator="≥", value="95", unit="%",
                      period_value="≥95%"),
        ],
    )
    change = empty_book.add_project(full)
    saved = empty_book.get_project(change.after.project_id)
    assert saved.amount == D("242.50") and saved.local_fiscal == D("242.50") and saved.higher_level == D("0.00")
    assert saved.attribute == "recurring" and saved.attribute_name == "经常性项目"
    assert (saved.period_start, saved.period_end) == (date(2021, 1, 1), date(2021, 12, 31))
    assert [(i.level1, i.level2) for i in saved.indicators] == [("1", "11"), ("3", "31")]
    assert saved.indicators[0].note == "新区影视行业专家库" and saved.indicators[1].period_value == "≥95%"
    store.close()
    from app.store.service import Store

    reopened = ProjectBook(Store(str(db_path)).open_dataset("901", 2023))
    assert reopened.list_projects() == [saved]


def test_level_names_map_to_codes(empty_book):
    names = [("产出指标", "数量指标"), ("产出", "质量"), ("1-产出指标", "13-时效指标"), ("1", "成本指标"),
             ("效益指标", "经济效益"), ("2", "22-社会效益"), ("效益", "生态效益指标"), ("2", "可持续影响"),
             ("满意度指标", "服务对象满意度指标"), ("3", "服务对象")]
    change = empty_book.add_project(project(indicators=[indicator(l1, l2) for l1, l2 in names]))
    saved = empty_book.get_project(change.after.project_id)
    assert [(i.level1, i.level2) for i in saved.indicators] == [
        ("1", "11"), ("1", "12"), ("1", "13"), ("1", "14"), ("2", "21"), ("2", "22"), ("2", "23"), ("2", "24"),
        ("3", "31"), ("3", "31")]


def test_update_some_fields_keeps_the_indicators(book):
    target = book.list_projects()[2]
    change = book.update_project_fields(target.id, manager="王五", period_start="2023-01-01", period_end="2023-12-31")
    saved = book.get_project(target.id)
    assert saved.manager == "王五" and saved.period_end == date(2023, 12, 31)
    assert saved.indicators == target.indicators and saved.amount == D("48.00")
    book.restore(change.before)
    assert book.get_project(target.id) == target
    with pytest.raises(TypeError):
        book.update_project_fields(target.id, indicators=[])


def test_update_and_undo(book):
    before = book.list_projects()
    target = before[1]
    edited = Project(**{**target.__dict__, "manager": "张三", "amount": D("6.00"), "fiscal_appropriation": "6"})
    change = book.update_project(target.id, edited)
    assert change.description == "修改项目“报纸、广播、电视、客户端稿酬”"
    after = book.get_project(target.id)
    assert after.manager == "张三" and after.fiscal_appropriation == D("6.00")
    book.restore(change.before)
    assert book.list_projects() == before
    book.restore(change.after)
    assert book.get_project(target.id) == after


def test_add_at_position_then_undo_and_redo(book):
    before = book.list_projects()
    change = book.add_project(project("新增宣传项目"), position=2)
    names = [p.name for p in book.list_projects()]
    assert names[2] == "新增宣传项目" and len(names) == 22
    book.restore(change.before)
    assert book.list_projects() == before
    book.restore(change.after)
    assert [p.name for p in book.list_projects()] == names
    assert book.get_project(change.after.project_id).name == "新增宣传项目"


def test_move_project_and_undo(book):
    before = book.list_projects()
    change = book.move_project(before[5].id, 0)
    assert [p.name for p in book.list_projects()][:2] == ["慢直播系统建设费", "报刊机构合作宣传费"]
    book.move_project(before[0].id, 99)  # beyond the end: last
    assert book.list_projects()[-1].name == "报刊机构合作宣传费"
    book.restore(change.before)
    assert book.list_projects() == before


def test_delete_project_takes_its_procurement_and_undo_restores_both(book):
    projects = book.list_projects()
    purchases = book.list_procurement()
    change = book.delete_project(projects[0].id)
    assert change.description == "删除项目“报刊机构合作宣传费”"
    assert len(book.list_projects()) == 20
    assert [i.item_name for i in book.list_procurement()] == ["其他服务", "电视服务", "广播电视传输服务"]
    assert book.procurement_totals().total == D("196.08")
    book.restore(change.before)
    assert book.list_projects() == projects
    assert book.list_procurement() == purchases  # same ids, same order
    book.restore(change.after)
    assert len(book.list_projects()) == 20 and len(book.list_procurement()) == 3


def test_delete_unknown_project(book):
    with pytest.raises(NotFoundError, match="该项目不存在"):
        book.delete_project(99999)


def test_copy_indicators_replace_append_and_undo(book):
    projects = book.list_projects()
    source, target = projects[0], projects[1]
    change = book.copy_indicators(source.id, target.id)
    assert change.description == "把项目“报刊机构合作宣传费”的绩效指标复制到“报纸、广播、电视、客户端稿酬”"
    assert book.get_project(target.id).indicators == source.indicators
    assert book.get_project(source.id).indicators == source.indicators
    book.restore(change.before)
    assert book.list_projects() == projects
    change = book.copy_indicators(source.id, target.id, append=True)
    assert book.get_project(target.id).indicators == target.indicators + source.indicators
    book.restore(change.before)
    assert book.get_project(target.id).indicators == target.indicators
    refused(book, lambda: book.copy_indicators(source.id, source.id), "不能把项目的绩效指标复制给它自己")


def test_set_indicators_and_undo(book):
    target = book.list_projects()[3]
    change = book.set_indicators(target.id, [indicator(), indicator("效益指标", "社会效益指标", "公众知晓率", "定性", "比上年提升", "")])
    saved = book.get_project(target.id).indicators
    assert [(i.level2, i.comparator, i.value) for i in saved] == [("11", "≥", "500"), ("22", "定性", "比上年提升")]
    book.restore(change.before)
    assert book.get_project(target.id) == target


def test_every_mutation_is_one_transaction(book):
    commits = []
    event.listen(book.dataset.store.engine, "commit", lambda _connection: commits.append(1))
    projects = book.list_projects()
    calls = [
        lambda: book.add_project(project("一次提交的项目")),
        lambda: book.update_project(projects[2].id, Project(**{**projects[2].__dict__, "manager": "李四"})),
        lambda: book.set_indicators(projects[2].id, [indicator()]),
        lambda: book.copy_indicators(projects[0].id, projects[2].id),
        lambda: book.move_project(projects[2].id, 0),
        lambda: book.delete_project(projects[0].id),
        lambda: book.set_overall_targets(OverallTargets("目标", [])),
        lambda: book.set_assets(AssetTable(date(2023, 12, 31), {"vehicles": AssetLine(2, "10")})),
        lambda: book.add_procurement(ProcurementItem(projects[4].id, "电视服务", "C06020200", general_budget="1")),
    ]
    for call in calls:
        commits.clear()
        change = call()
        assert len(commits) == 1
        commits.clear()
        book.restore(change.before)
        assert len(commits) == 1


def test_submitted_dataset_refuses_edits(book):
    explain_all_findings(book.dataset)
    book.dataset.set_status("submitted")
    with pytest.raises(ConflictError, match="已上报"):
        book.add_project(project("迟到的项目"))
    with pytest.raises(ConflictError, match="已上报"):
        book.set_assets(AssetTable())


# ---- refusals: Chinese message, nothing written ---------------------------------------------------


@pytest.mark.parametrize(("indicators", "message"), [
    ([indicator(level1="9")], "一级指标“9”无效，应为 1 产出指标、2 效益指标或 3 满意度指标。"),
    ([indicator(level2="19")], "二级指标“19”无效，产出指标下应为 11 数量指标、12 质量指标、13 时效指标、14 成本指标。"),
    ([indicator(level1="2", level2="11")], "二级指标“数量指标”（11）不属于一级指标“效益指标”（2）。"),
    ([indicator(level1="满意度指标", level2="社会效益")], "二级指标“社会效益指标”（22）不属于一级指标“满意度指标”（3）。"),
    ([indicator(level1="3", level2="社会公众")], "二级指标“社会公众”无效，满意度指标下应为 31 服务对象满意度指标。"),
    ([indicator(level1="", level2="")], "缺少一级指标"),
    ([indicator(level2="")], "缺少二级指标"),
    ([indicator(name=" ")], "第 1 条绩效指标：三级指标名称不能为空。"),
    ([indicator(), indicator(comparator="≈")], "第 2 条绩效指标（发布报道数量）：比较符“≈”无效，只能是 ≥、≤、=、>、< 或 定性。"),
    ([indicator(comparator="≥", value="")], "比较符为“≥”时必须填写指标值。"),
    ([indicator(comparator="≤", value="很多")], "指标值“很多”不是数字；比较符为“≤”时指标值应为数字"),
    ([indicator(comparator="定性", value="")], "定性指标必须填写指标值（例如：比上年提升）。"),
    ([indicator(unit="个" * 33)], "计量单位过长：最多 32 个字"),
])
def test_indicator_refusals(book, indicators, message):
    target = book.list_projects()[0]
    refused(book, lambda: book.set_indicators(target.id, indicators), message)
    refused(book, lambda: book.add_project(project("新项目", indicators=indicators)), message)


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": "  "}, "项目名称不能为空。"),
    ({"name": "报刊机构合作宣传费"}, "项目名称“报刊机构合作宣传费”已存在，同一预算中的项目名称不能重复。"),
    ({"amount": "-1"}, "项目金额：金额不能为负数（录入的是 -1）。"),
    ({"amount": "1.2345678"}, "项目金额：金额“1.2345678”的小数超过 6 位"),
    ({"amount": "一百"}, "项目金额：“一百”不是有效的金额"),
    ({"amount": "10", "fiscal_appropriation": "-2"}, "财政拨款：金额不能为负数"),
    ({"period_start": "2023-02-30"}, "实施周期开始日期“2023-02-30”不是有效的日期"),
    ({"function_code": "2070698"}, "功能分类科目“2070698”不在支出功能分类科目（2023版）中。"),
    ({"function_code": "20706"}, "项目的功能分类科目应填到项级（7 位编码），“20706 新闻出版电影”是款级科目。"),
    ({"attribute": "长期"}, "项目属性“长期”无效，只能是经常性项目、一次性项目或延续性项目。"),
    ({"manager": "名" * 51}, "项目负责人过长：最多 50 个字"),
])
def test_project_refusals(book, fields, message):
    fields = {"name": "新项目", **fields}
    refused(book, lambda: book.add_project(project(**fields)), message)
    target = book.list_projects()[1]
    if fields["name"] != "报刊机构合作宣传费":
        refused(book, lambda: book.update_project(target.id, project(**fields)), message)


def test_project_code_must_be_unique(empty_book):
    empty_book.add_project(project("甲", code="P1"))
    refused(empty_book, lambda: empty_book.add_project(project("乙", code="P1")), "项目编码“P1”已被项目“甲”使用。")


@pytest.mark.parametrize(("fields", "message"), [
    ({"project_id": None}, "请选择政府采购项目来源（项目）。"),
    ({"project_id": 99999}, "政府采购项目来源的项目不存在（可能已被删除），请重新选择。"),
    ({"item_name": ""}, "采购物品名称不能为空。"),
    ({"catalogue_code": ""}, "政府采购目录序号不能为空。"),
    ({"catalogue_code": "D0601"}, "政府采购目录序号“D0601”格式不对"),
    ({"quantity": "-1"}, "数量不能为负数（录入的是 -1）。"),
    ({"quantity": "两台"}, "数量“两台”不是有效的数字。"),
    ({"unit_price": "1.0050001"}, "单价：金额“1.0050001”的小数超过 6 位"),
    ({"general_budget": "-3"}, "一般公共预算拨款：金额不能为负数"),
])
def test_procurement_refusals(book, fields, message):
    first = book.list_procurement()[0]
    item = ProcurementItem(**{**ProcurementItem(first.project_id, "新闻服务", "C06010000").__dict__, **fields})
    refused(book, lambda: book.add_procurement(item), message)
    refused(book, lambda: book.update_procurement(first.id, item), message)


@pytest.mark.parametrize(("table", "message"), [
    (AssetTable(lines={"vehicles": AssetLine("2.5", "10")}), "2、车辆（台、辆）的数量应为整数（录入的是 2.5）。"),
    (AssetTable(lines={"other": AssetLine("-1", None)}), "4、其他固定资产的数量不能为负数"),
    (AssetTable(lines={"equipment": AssetLine(1, "-5")}), "3、单价在 20 万元以上的设备的价值：金额不能为负数"),
    (AssetTable(lines={"land": AssetLine(1, 1)}), "部门固定资产占用情况表没有“land”这一行。"),
    (AssetTable(as_of="2022-13-01"), "截止时间“2022-13-01”不是有效的日期"),
])
def test_asset_refusals(book, table, message):
    refused(book, lambda: book.set_assets(table), message)


def test_overall_target_refusals(book):
    refused(book, lambda: book.set_overall_targets(OverallTargets("目标", [indicator(level1="", level2="", comparator="≥", value="")])),
            "比较符为“≥”时必须填写指标值。")
    refused(book, lambda: book.set_overall_targets(OverallTargets("目标", [indicator(level1="1", level2="")])),
            "填写了一级指标时也要填写二级指标。")


def test_fields_that_disagree_are_reported_not_refused(empty_book):
    assert empty_book.consistency_problems() == []
    book = empty_book
    ids = [book.add_project(project(name, **fields)).after.project_id for name, fields in [
        ("甲", {"local_fiscal": "5"}),
        ("乙", {"amount": "10", "fiscal_appropriation": "6", "other_funds": "3"}),
        ("丙", {"amount": "10", "local_fiscal": "8", "higher_level": "3"}),
        ("丁", {"amount": "10", "other_funds": "11"}),
        ("戊", {"amount": "60", "period_total": "100", "executed_before": "50"}),
        ("己", {"period_start": "2023-12-31", "period_end": "2023-01-01"}),
    ]]
    item = book.add_procurement(ProcurementItem(ids[1], "电视服务", "C06020200", general_budget="10",
                                                sme_reserved="12")).after.item_id
    book.add_procurement(ProcurementItem(ids[1], "新闻服务", "C06010000", general_budget="0.01"))
    book.set_assets(AssetTable(lines={"buildings": AssetLine("100", "50"), "office_buildings": AssetLine("120", "60")}))
    assert book.consistency_problems() == [
        (f"project:{ids[0]}", "项目“甲”：已填写资金来源，但没有填写项目金额（本年度预算安排数）。"),
        (f"project:{ids[1]}", "项目“乙”：资金来源合计 9.00 万元（财政拨款 + 财政专户拨款 + 其他资金）与项目金额 10.00 万元 不一致。"),
        (f"project:{ids[2]}", "项目“丙”：资金来源合计 11.00 万元（本级财政 + 上级资金 + 其他资金）与项目金额 10.00 万元 不一致。"),
        (f"project:{ids[3]}", "项目“丁”：其他资金 11.00 万元 大于项目金额 10.00 万元。"),
        (f"project:{ids[4]}", "项目“戊”：实施期资金总额 100.00 万元 小于以前年度累计执行数 50.00 万元 与本年度预算安排数 60.00 万元 之和。"),
        (f"project:{ids[5]}", "项目“己”：实施周期的结束日期 2023-01-01 早于开始日期 2023-12-31。"),
        (f"procurement:{item}", "政府采购“电视服务”：预留中小微企业份额 12.00 万元 大于政府采购金额合计 10.00 万元。"),
        (f"project:{ids[1]}", "项目“乙”的政府采购金额合计 10.01 万元 大于项目预算 10.00 万元。"),
        ("assets", "其中：办公用房（平方米）的数量 120 大于1、房屋（平方米）的数量 100。"),
        ("assets", "其中：办公用房（平方米）的价值 60.00 大于1、房屋（平方米）的价值 50.00。"),
    ]


def test_seed_is_consistent(book):
    assert book.consistency_problems() == []


# ---- 政府采购, 固定资产, 整体目标: edits and undo ---------------------------------------------------


def test_procurement_add_update_move_delete_and_undo(book):
    items = book.list_procurement()
    projects = book.list_projects()
    change = book.add_procurement(ProcurementItem(projects[1].id, "稿酬服务", "c9900", "项", "2", "1.50", general_budget="3",
                                                  unit_funds="1", sme_reserved="4"), position=0)
    added = book.list_procurement()[0]
    assert (added.catalogue_code, added.quantity, added.total) == ("C99000000", D("2"), D("4.00"))
    assert book.procurement_totals().total == D("272.08")
    assert book.procurement_totals().funds["unit_funds"] == D("1.00")
    book.restore(change.before)
    assert book.list_procurement() == items
    moved = book.move_procurement(items[4].id, 0)
    assert book.list_procurement()[0].item_name == "广播电视传输服务"
    book.restore(moved.before)
    updated = book.update_procurement(items[3].id, ProcurementItem(**{**items[3].__dict__, "general_budget": D("70")}))
    assert book.procurement_totals().total == D("258.08")
    book.restore(updated.before)
    deleted = book.delete_procurement(items[1].id)
    assert deleted.description == "删除政府采购“其他文化、体育、娱乐服务”"
    assert len(book.list_procurement()) == 4
    book.restore(deleted.before)
    assert book.list_procurement() == items


def test_procurement_subtotals_per_implementing_unit(empty_book):
    own = empty_book.add_project(project("本级项目", amount="10")).after.project_id
    school = empty_book.add_project(project("学校项目", amount="20", implementing_unit="第一中学")).after.project_id
    empty_book.add_procurement(ProcurementItem(own, "电视服务", "C06020200", general_budget="4"))
    empty_book.add_procurement(ProcurementItem(school, "其他服务", "C99000000", general_budget="5", special_account="1"))
    empty_book.add_procurement(ProcurementItem(own, "新闻服务", "C06010000", general_budget="2.5"))
    subtotals = [(label, totals.total, totals.funds["special_account"]) for label, totals in empty_book.procurement_subtotals()]
    assert subtotals == [("测试局（本级）", D("6.50"), None), ("第一中学", D("6.00"), D("1.00"))]
    assert empty_book.procurement_totals().total == D("12.50")


def test_assets_set_and_undo(book):
    before = book.assets()
    change = book.set_assets(AssetTable("2023-12-31", {"buildings": AssetLine("1,200.5", "300"),
                                                      "office_buildings": AssetLine("800", "200"),
                                                      "vehicles": AssetLine(2, "40.00")}, "12"))
    after = book.assets()
    assert after.as_of == date(2023, 12, 31) and after.line("buildings").quantity == D("1200.5")
    assert after.total_value == D("340.00")  # 办公用房 is part of 房屋, not added again
    book.restore(change.before)
    assert book.assets() == before
    cleared = book.set_assets(AssetTable())
    assert book.assets() == AssetTable() and book.assets().total_value is None
    book.restore(cleared.before)
    assert book.assets() == before


def test_overall_targets_set_and_undo(book):
    before = book.overall_targets()
    change = book.set_overall_targets(OverallTargets(" 新目标 ", [indicator("产出指标", "数量指标", note="分项一")]))
    assert book.overall_targets() == OverallTargets("新目标", [Indicator("1", "11", "发布报道数量", "", "≥", "500", "篇",
                                                                       note="分项一")])
    book.restore(change.before)
    assert book.overall_targets() == before


# ---- helpers the GUI uses -------------------------------------------------------------------------


def test_split_indicator_value():
    assert split_indicator_value("≥ 500 篇") == ("≥", "500", "篇")
    assert split_indicator_value("≤ 72 万元") == ("≤", "72", "万元")
    assert split_indicator_value("100%") == ("", "100", "%")
    assert split_indicator_value(">=3次") == ("≥", "3", "次")
    assert split_indicator_value("≥ 10 兆/秒") == ("≥", "10", "兆/秒")
    assert split_indicator_value("比上年提升") == ("定性", "比上年提升", "")
    assert split_indicator_value("2021年12月31日前") == ("定性", "2021年12月31日前", "")
    assert split_indicator_value("") == ("", "", "")


def test_parse_pasted_indicator_table():
    text = ("一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\t指标值确定依据\n"
            "产出指标\t数量指标\t发布报道数量\t在各级报刊媒体上刊发开发区新闻报道数量\t≥ 500 篇\t实际工作需要\n"
            "\t时效指标\t热点新闻报道时效\t热点新闻报道时效\t≤ 7 日\t合同及实际刊发情况\n"
            "效益指标\t可持续影响指标\t提高政府公信力\t提高政府公信力\t比上年提升\t年初工作安排\n"
            "满意度指标\t服务对象满意度指标\t受益群众满意度\t购买或取得报刊的读者反馈情况\t≥ 90%\t问卷调查\n")
    rows = parse_indicator_table(text)
    assert [(r.level1, r.level2, r.name, r.comparator, r.value, r.unit) for r in rows] == [
        ("1", "11", "发布报道数量", "≥", "500", "篇"), ("1", "13", "热点新闻报道时效", "≤", "7", "日"),
        ("2", "24", "提高政府公信力", "定性", "比上年提升", ""), ("3", "31", "受益群众满意度", "≥", "90", "%")]
    with pytest.raises(InputError, match="第 2 行：二级指标“满意度”"):
        parse_indicator_table("产出指标\t数量指标\tA\t\t1\t\n\t满意度\tB\t\t2\t")


def test_suggest_indicators(book):
    quantity = [entry.name for entry in book.suggest_indicators("11")]
    assert "发布报道数量" in quantity and "举办专家智库纳新仪式" in quantity  # seeds 004 and 000
    cost = book.suggest_indicators("14")[0]
    assert (cost.name, cost.comparator, cost.unit) == ("成本控制数", "≤", "万元")
    assert [entry.name for entry in book.suggest_indicators("31", "读者")] == []
    assert "受益群众满意度" in [entry.name for entry in book.suggest_indicators("31", "群众")]
    # Indicators the clerk made up in this dataset are offered too.
    book.set_indicators(book.list_projects()[0].id, [indicator(name="自编数量指标")])
    assert "自编数量指标" in [entry.name for entry in book.suggest_indicators("11", "自编")]


def test_catalogue_code_forms():
    assert normalize_catalogue_code(" c0601 ") == "C06010000"
    assert normalize_catalogue_code("C06020500") == "C06020500"
    assert normalize_catalogue_code("A") == "A"
    with pytest.raises(InputError, match="格式不对"):
        normalize_catalogue_code("C060")


def test_indicator_groups_follow_the_printed_merged_cells(book):
    first = book.list_projects()[0].indicators
    level1, level2 = group_indicators(first)
    assert [(g.code, g.start, g.count) for g in level1] == [("1", 0, 5), ("2", 5, 3), ("3", 8, 1)]
    assert [(g.code, g.count) for g in level2] == [("11", 1), ("12", 1), ("13", 2), ("14", 1), ("24", 1), ("22", 1),
                                                   ("21", 1), ("31", 1)]
    assert group_indicators([]) == ([], [])


def test_arrange_gathers_rows_under_their_levels(book):
    first = book.list_projects()[0].indicators
    assert arrange_indicators(first) == first  # a published table is already arranged
    added = [*first, indicator("2", "22", "新增社会效益"), indicator("1", "11", "新增数量")]
    arranged = arrange_indicators(added)
    assert [i.name for i in arranged][:2] == ["发布报道数量", "新增数量"]
    assert [i.level2 for i in arranged] == ["11", "11", "12", "13", "13", "14", "24", "22", "22", "21", "31"]
