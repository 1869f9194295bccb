"""Printing the project part: 项目支出绩效目标表, 批复表, the 汇总表 of seed 002, 部门整体绩效目标,
政府采购预算表 and 固定资产占用情况表, in the whole document and on their own (read back with pypdfium2)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest

from app.base.errors import NotFoundError
from app.cli.main import main
from app.domain.records import UnitInfo
from app.printing import build_document
from app.printing.grid import GridRow, Run, RunTable, paragraph
from app.printing.projects import EXTRA_SECTIONS
from app.projects import Indicator, Project, ProjectBook
from tests.conftest import SEED004
from tests.test_printing import Pdf, _squash

UNIT_LINE = "359秦皇岛经济技术开发区融媒体中心"
INDICATOR_HEADER = "一级指标二级指标三级指标绩效指标描述指标值指标值确定依据"


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    from app.exchange.interchange import import_file
    from app.store.service import Store

    folder = tmp_path_factory.mktemp("projects")
    store = Store(str(folder / "seed.sqlite3"))
    dataset = import_file(store, SEED004)
    yield store, dataset, folder
    store.close()


@pytest.fixture(scope="module")
def whole(seed_store):
    _store, dataset, folder = seed_store
    result = build_document(dataset, folder / "whole.pdf", cover=True, printed_on=date(2023, 1, 15))
    return Pdf(folder / "whole.pdf"), result


def _between(text: str, start: str, end: str | None) -> str:
    head = text.index(start)
    return text[head:text.index(end, head) if end else len(text)]


# ---- inside the whole document ----------------------------------------------------------------

def test_statement_numbering_and_contents(whole):
    pdf, result = whole
    everything = "".join(pdf.flat)
    headings = ["四、财政拨款“三公”经费预算情况及增减变化原因", "五、预算绩效信息", "六、政府采购预算情况",
                "七、国有资产信息", "八、名词解释", "九、其他需要说明的事项"]
    positions = [everything.index(heading, everything.index("情况说明按照")) for heading in headings]
    assert positions == sorted(positions)
    contents = pdf.pages[1]
    for key, heading in (("performance", "五、预算绩效信息"), ("procurement", "六、政府采购预算情况"),
                         ("assets", "七、国有资产信息"), ("glossary", "八、名词解释")):
        page = result.page_of[f"narrative:{key}"]
        assert re.search(re.escape(heading) + r"\s*\.+\s*" + str(page) + r"\b", contents), heading
        assert heading in pdf.page(page)


def test_overall_targets_as_seed_004_words_them(whole):
    pdf, result = whole
    text = pdf.running_text(result.page_of["narrative:performance"])
    part = _between(text, "第一部分部门整体绩效目标", "第二部分专项资金绩效目标")
    assert "（一）总体绩效目标加强与各类媒体平台的深度合作" in part
    assert "一、外宣传活动的策划、组织与实施1、绩效目标：举办外宣活动场次绩效指标：活动场次指标值：≥1次" in part
    assert "三、与各类媒体合作提升宣传效果" in part and "指标值：≥1600篇" in part
    assert "（三）工作保障措施一、完善制度建设进一步落实《融媒体中心内控制度》" in text
    assert "七、加强宣传培训调研等" in text and "八、其他第二部分专项资金绩效目标无第三部分预算项目绩效目标" in text
    assert "第三部分预算项目绩效目标1、报刊机构合作宣传费绩效目标表" in text


def test_each_project_table_holds_its_own_indicators(whole, seed_store):
    pdf, result = whole
    _store, dataset, _folder = seed_store
    projects = ProjectBook(dataset).list_projects()
    assert len(projects) == 21
    first = result.page_of["narrative:performance"]
    text = pdf.running_text(first, result.page_of["narrative:procurement"] - 1)
    captions = [f"{number}、{_squash(project.name)}绩效目标表" for number, project in enumerate(projects, start=1)]
    for number, project in enumerate(projects):
        table = _between(text, captions[number], captions[number + 1] if number + 1 < len(projects) else None)
        assert table.count(INDICATOR_HEADER) >= 1
        assert "绩效目标" + _squash(project.annual_goal)[:20] in table
        for indicator in project.indicators:
            assert _squash(indicator.name) in table, (project.name, indicator.name)
            assert _squash(indicator.display_value) in table, (project.name, indicator.display_value)
    first_table = _between(text, captions[0], captions[1])
    assert "发布报道数量在各级报刊媒体上刊发开发区新闻报道数量≥500篇实际工作需要" in first_table
    assert "成本控制数报刊机构合作宣传费项目预算控制数≤72万元预算金额" in first_table
    # 一级/二级 merged: 产出指标 printed once for its five rows, 时效指标 once for its two.
    assert first_table.count("产出指标") == 1 and first_table.count("时效指标") == 1


def test_procurement_and_assets_in_the_statement(whole):
    pdf, result = whole
    fixture = json.loads(SEED004.read_text(encoding="utf-8"))
    total = sum((Decimal(value) for row in fixture["procurement"] for value in row["funding"].values()), Decimal("0"))
    reserved = sum((Decimal(row.get("sme_reserved", "0")) for row in fixture["procurement"]), Decimal("0"))
    page = result.page_of["narrative:procurement"]
    assert f"2023年，秦皇岛经济技术开发区融媒体中心安排政府采购预算{total:.2f}万元。具体内容见下表。" in pdf.page(page)
    assert "部门政府采购预算" in pdf.page(page) and UNIT_LINE in pdf.page(page)
    assert pdf.has_row(page, "合计", f"{total:.2f}", f"{reserved:.2f}")
    assert pdf.has_row(page, "秦皇岛经济技术开发区融媒体中心（本级）小计", f"{total:.2f}")
    assert pdf.has_row(page, "新闻服务", "C06010000", "72.00", "60.00")
    size = pdf.document[page - 1].get_size()
    assert size[0] > size[1]  # the 16-column table prints landscape
    assets = result.page_of["narrative:assets"]
    text = pdf.page(assets)
    assert "上年末固定资产金额为808.10万元（详见下表）。本年度拟购置固定资产总额为35.00万元，已按要求列入政府采购预算" in text
    assert "部门固定资产占用情况表" in text and "截止时间：2022-12-31" in text
    assert pdf.has_row(assets, "资产总额", "808.10")
    assert pdf.has_row(assets, "4、其他固定资产", "549", "584.74")
    assert pdf.document[assets - 1].get_size()[0] < pdf.document[assets - 1].get_size()[1]


# ---- on their own ---------------------------------------------------------------------------------

def test_one_project_prints_its_table_and_approval(seed_store, tmp_path):
    _store, dataset, _folder = seed_store
    book = ProjectBook(dataset)
    project = next(p for p in book.list_projects() if p.name == "广播电视机构宣传费")
    other = next(p for p in book.list_projects() if p.name == "报刊机构合作宣传费")
    result = build_document(dataset, tmp_path / "one.pdf", projects=[project.id])
    pdf = Pdf(tmp_path / "one.pdf")
    assert result.pages == len(pdf.pages) == 2
    everything = "".join(pdf.flat)
    assert _squash(other.name) not in everything
    targets, approval = pdf.page(1), pdf.page(2)
    assert "项目支出绩效目标表" in targets and UNIT_LINE in targets and "项目名称广播电视机构宣传费" in targets
    assert INDICATOR_HEADER in targets and "≥180次" in targets
    assert "项目支出绩效目标批复表" in approval and "（2023年度）" in approval
    assert "项目名称广播电视机构宣传费" in approval and "年度指标值(带计量单位)" in approval
    for block in ("预算单位签字", "主管部门审核签字", "财政部门审核签字", "项目负责人：", "财务审核人：",
                  "业务审核：", "归口科室审核人：", "归口科室负责人："):
        assert block in approval, block
    assert approval.count("年月日") == 6
    assert "第1页共2页" in targets and "第2页共2页" in approval
    with pytest.raises(NotFoundError):
        build_document(dataset, tmp_path / "bad.pdf", projects=[999999])
    assert not (tmp_path / "bad.pdf").exists()


def test_approval_merges_levels_and_notes(store, tmp_path):
    store.create_unit(UnitInfo(code="905", name="区影视产业发展中心", preparer="黄靖", phone="86612877"))
    store.create_dataset("905", 2021)
    dataset = store.open_dataset("905", 2021)
    book = ProjectBook(dataset)
    indicators = [Indicator("1", "11", "举办专家智库纳新仪式", comparator="", value="1", unit="次", note="新区影视行业专家库"),
                  Indicator("1", "11", "组织影视产业培训班", comparator="", value="6", unit="课时", note="新区影视行业专家库"),
                  Indicator("1", "14", "专家纳新会议及培训班经费", comparator="", value="20", unit="万元", note="新区影视行业专家库"),
                  Indicator("1", "11", "举办集中签约、项目对接会", comparator="≥", value="2", unit="次", note="招商引资"),
                  Indicator("3", "31", "受培训企业满意度", comparator="≥", value="95", unit="%", note="新区影视行业专家库")]
    book.add_project(Project("影视产业发展资金", amount=Decimal("242.50"), local_fiscal=Decimal("242.50"),
                             higher_level=Decimal("0"), other_funds=Decimal("0"), attribute="recurring",
                             period_start=date(2021, 1, 1), period_end=date(2021, 12, 31),
                             competent_department="区影视产业发展中心", annual_goal="①吸纳5名专家进入新区影视专家智库。",
                             indicators=indicators))
    build_document(dataset, tmp_path / "approval.pdf", forms=["project_approval"])
    text = Pdf(tmp_path / "approval.pdf").page(1)
    assert "预算单位：区影视产业发展中心" in text and "填表人：黄靖" in text and "联系方式：86612877" in text
    assert "项目属性经常性项目项目实施周期2021.1.1-2021.12.31" in text
    assert "其中：本级财政242.5上级资金0其他资金0" in text  # as entered, the 批复表's setting
    assert "年度目标：①吸纳5名专家进入新区影视专家智库。" in text
    assert text.count("新区影视行业专家库") == 2  # two runs of the same 备注, each merged once
    assert text.count("产出指标") == 1 and text.count("数量指标") == 2  # 11 is cut by 14, then runs again


def test_summary_groups_projects_by_user_unit(seed_store, tmp_path):
    store, _dataset, _folder = seed_store
    store.create_unit(UnitInfo(code="906", name="区委宣传部"))
    store.create_dataset("906", 2023)
    dataset = store.open_dataset("906", 2023)
    book = ProjectBook(dataset)
    rows = [("理论学习经费", "", "210.00", "210.00", None), ("报刊征订", "", "98.00", "98.00", None),
            ("新媒体技术开发经费", "区融媒体中心", "143.00", "100.00", "43.00"),
            ("互联网舆情工作经费", "区互联网舆情信息中心", "96.00", "96.00", None),
            ("设备购置", "区融媒体中心", "25.00", "25.00", None)]
    for name, user, amount, fiscal, other in rows:
        book.add_project(Project(name, amount=Decimal(amount), fiscal_appropriation=Decimal(fiscal),
                                 other_funds=Decimal(other) if other else None, implementing_unit=user,
                                 annual_goal=f"{name}的年度目标。", indicators=[
                                     Indicator("1", "11", f"{name}数量", comparator="≥", value="10", unit="次",
                                               period_value="每季度开展"),
                                     Indicator("2", "22", "社会效益", comparator="定性", value="明显提升")]))
    build_document(dataset, tmp_path / "summary.pdf", forms=["project_targets_summary"])
    pdf = Pdf(tmp_path / "summary.pdf")
    assert pdf.document[0].get_size()[0] > pdf.document[0].get_size()[1]
    text = "".join(pdf.flat)
    assert "项目支出绩效目标表（含转移支付项目）部门名称：区委宣传部（部门）单位：万元" in text  # seed 002
    assert "项目名称（资金使用单位）总计财政拨款财政专户拨款其他资金绩效目标绩效指标" in text
    assert pdf.has_row(1, "合计", "572.00", "529.00", "43.00")
    assert pdf.has_row(1, "区委宣传部", "308.00", "308.00")
    assert pdf.has_row(1, "区融媒体中心", "168.00", "125.00", "43.00")
    assert pdf.has_row(1, "区互联网舆情信息中心", "96.00")
    order = [text.index(name) for name in ("理论学习经费", "报刊征订", "区融媒体中心", "新媒体技术开发经费", "设备购置",
                                          "区互联网舆情信息中心", "互联网舆情工作经费")]
    assert order == sorted(order)
    assert "1、1-产出指标；11-数量指标；理论学习经费数量；实施周期指标值：每季度开展；年度指标值：≥10次。" in text
    assert "2、2-效益指标；22-社会效益；社会效益；实施周期指标值：明显提升；年度指标值：明显提升。" in text


def test_overall_procurement_and_assets_forms(seed_store, tmp_path):
    _store, dataset, _folder = seed_store
    result = build_document(dataset, tmp_path / "three.pdf", forms=["assets", "overall_targets", "procurement",
                                                                    "three_public_expenses"])
    pdf = Pdf(tmp_path / "three.pdf")
    keys = sorted(result.page_of, key=result.page_of.get)
    assert keys == ["form:three_public_expenses", "overall_targets", "procurement", "assets"]
    overall = pdf.page(result.page_of["overall_targets"])
    assert "部门整体绩效目标" in overall and UNIT_LINE in overall and "总体绩效目标加强与各类媒体平台" in overall
    assert "分项绩效目标绩效目标绩效指标指标值" in overall
    assert overall.count("外宣传活动的策划、组织与实施") == 1  # merged over its four indicators
    procurement = result.page_of["procurement"]
    assert "政府采购预算表" in pdf.page(procurement) and "注：同一采购目录序号的物品" in pdf.page(procurement)
    assert pdf.has_row(procurement, "合计", "268.08", "128.08")
    assert pdf.has_row(result.page_of["assets"], "资产总额", "808.10")


def test_a_department_without_projects(store, tmp_path):
    store.create_unit(UnitInfo(code="907", name="无项目单位"))
    store.create_dataset("907", 2023)
    dataset = store.open_dataset("907", 2023)
    build_document(dataset, tmp_path / "none.pdf", forms=list(EXTRA_SECTIONS))
    text = "".join(Pdf(tmp_path / "none.pdf").flat)
    assert "注：本部门无项目支出绩效目标，空表列示。" in text
    assert "注：本部门无政府采购预算，空表列示。" in text and "（未填写分项绩效目标）" in text
    build_document(dataset, tmp_path / "whole.pdf")
    text = "".join(Pdf(tmp_path / "whole.pdf").flat)
    assert "2023年，无项目单位未安排政府采购预算。" in text and "无项目单位（含所属单位）未填报固定资产占用情况。" in text
    assert "2023年本部门未安排项目支出，无项目绩效目标。" in text


# ---- long tables ------------------------------------------------------------------------------------

def _long_project(number: int = 30) -> Project:
    levels = [("1", "11")] * 12 + [("1", "12")] * 6 + [("1", "13")] * 3 + [("1", "14")] * 2 + [("2", "22")] * 4 + [("3", "31")] * 3
    return Project("长指标测试项目", amount=Decimal("88.00"), annual_goal="测试跨页的项目：" + "完成年度工作任务，" * 12,
                   indicators=[Indicator(l1, l2, f"第{index}项指标", "对这一项指标的较长说明，" * 6 + f"编号{index}",
                                         "≥", str(100 + index), "篇", "年初工作计划")
                               for index, (l1, l2) in enumerate(levels[:number], start=1)])


def test_thirty_indicators_span_pages_with_the_header_on_each(seed_store, tmp_path):
    _store, dataset, _folder = seed_store
    book = ProjectBook(dataset)
    change = book.add_project(_long_project())
    try:
        project_id = change.after.project_id
        result = build_document(dataset, tmp_path / "long.pdf", forms=["project_targets"], projects=[project_id])
        pdf = Pdf(tmp_path / "long.pdf")
        assert result.pages == len(pdf.pages) >= 2
        for number, text in enumerate(pdf.flat, start=1):
            assert UNIT_LINE in text and "项目名称长指标测试项目" in text and INDICATOR_HEADER in text, number
            assert f"第{number}页共{result.pages}页" in text
        assert pdf.flat[0].count("绩效目标测试跨页的项目") == 1 and "绩效目标测试跨页的项目" not in pdf.flat[1]
        everything = "".join(pdf.flat)
        for index in range(1, 31):  # every row once: none lost or duplicated at a page break
            assert len(re.findall(rf"第{index}项指标对这一", everything)) == 1, index
            assert everything.count(f"≥{100 + index}篇") == 1
        # The 一级 cell cut by the page break is printed again at the top of the next page.
        assert "产出指标" in pdf.flat[1] or "效益指标" in pdf.flat[1]

        # The same project inside the 情况说明 and the 批复表 break the same way.
        build_document(dataset, tmp_path / "whole.pdf")
        approval = build_document(dataset, tmp_path / "approval.pdf", forms=["project_approval"], projects=[project_id])
        approval_pdf = Pdf(tmp_path / "approval.pdf")
        assert approval.pages >= 2
        assert "项目名称：长指标测试项目（续）" in approval_pdf.flat[1]
        assert "财政部门审核签字" in approval_pdf.flat[-1]
    finally:
        book.delete_project(change.after.project_id)


def test_a_row_taller_than_a_page_is_divided_not_lost(styles_and_ctx):
    styles, _ctx = styles_and_ctx
    import io

    from reportlab.platypus import SimpleDocTemplate

    huge = "很长的指标描述。" * 900
    body = [GridRow(["", paragraph("短", styles.cell), paragraph(huge, styles.cell)]),
            GridRow(["", paragraph("下一行", styles.cell), paragraph("结束", styles.cell)])]
    table = RunTable([60, 100, 300], [GridRow([paragraph(t, styles.cell_center) for t in ("一级", "名称", "描述")])],
                     body, [Run(0, 0, 2, paragraph("产出指标", styles.cell_center))], [("GRID", (0, 0), (-1, -1), 0.5, "black")],
                     padding=(3, 3, 2.5, 2.5), leading=11.5, page_height=700)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([table])
    import pypdfium2 as pdfium

    pages = [_squash(page.get_textpage().get_text_range()) for page in pdfium.PdfDocument(buffer.getvalue())]
    assert len(pages) >= 2
    assert all(text.startswith("一级名称描述") for text in pages)
    assert "".join(pages).count("很长的指标描述。") == 900
    assert "下一行结束" in pages[-1]


@pytest.fixture
def styles_and_ctx():
    from app.printing.fonts import print_fonts
    from app.printing.styles import Styles

    fonts = print_fonts()
    return Styles(fonts), fonts


# ---- command line -------------------------------------------------------------------------------------

def test_cli_project_and_section_ids(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    assert main(["--db", db, "import-json", str(SEED004)]) == 0
    out = tmp_path / "project.pdf"
    base = ["--db", db, "print", "--unit", "359", "--year", "2023"]
    assert main([*base, "--out", str(out), "--project", "服务外包专项资金"]) == 0
    pdf = Pdf(out)
    everything = "".join(pdf.flat)
    assert len(pdf.pages) == 2 and "服务外包专项资金" in everything
    assert "报刊机构合作宣传费" not in everything and "部门预算收支总表" not in everything
    assert "项目支出绩效目标批复表" in pdf.page(2)
    capsys.readouterr()

    out = tmp_path / "approval.pdf"
    assert main([*base, "--out", str(out), "--project", "服务外包专项资金", "--forms", "project_approval"]) == 0
    assert len(Pdf(out).pages) == 1 and "项目支出绩效目标批复表" in Pdf(out).page(1)
    out = tmp_path / "sections.pdf"
    assert main([*base, "--out", str(out), "--forms", "procurement,assets"]) == 0
    assert "政府采购预算表" in Pdf(out).page(1) and "部门固定资产占用情况表" in Pdf(out).page(2)
    capsys.readouterr()

    bad = tmp_path / "bad.pdf"
    assert main([*base, "--out", str(bad), "--project", "没有这个项目"]) == 2
    err = capsys.readouterr().err
    assert "没有名为“没有这个项目”的项目" in err
    assert main([*base, "--out", str(bad), "--project", "外包"]) == 2
    assert "服务外包专项资金" in capsys.readouterr().err  # the close names are suggested
    assert main([*base, "--out", str(bad), "--forms", "procurement,nope"]) == 2
    assert re.search(r"[\u4e00-\u9fff]", capsys.readouterr().err)
    assert not bad.exists()

    with pytest.raises(SystemExit):
        main(["print", "--help"])
    help_text = capsys.readouterr().out
    for section_id, title in EXTRA_SECTIONS.items():  # the help is written out in app/cli/printing.py: kept in step
        assert re.search(rf"{section_id}\s+{re.escape(title)}", help_text), section_id
    assert "--project" in help_text
