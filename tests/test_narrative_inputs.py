"""Named quantities, the unit profile, 上年数 and reasons, N01/N03, the year roll-over and the cover."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from app.base.errors import ConflictError, InputError
from app.checks.rules import check_dataset, set_explanation
from app.cli.main import main
from app.domain import prior, profile
from app.domain.quantities import QuantityDefinitionError, load_quantities, prior_names, quantities
from app.exchange.interchange import export_document, import_document
from app.exchange.year_cycle import new_year
from app.printing import build_document
from app.projects import ProjectBook, narrative
from tests.conftest import SEED004


def _text(path) -> str:
    document = pdfium.PdfDocument(str(path))
    return "".join(page.get_textpage().get_text_range() for page in document).replace("\r\n", "").replace(" ", "")


# ---- named quantities -----------------------------------------------------------------------

def test_shipped_quantities_name_existing_cells():
    found = quantities()
    assert {"expenditure_total", "basic", "project", "operating_costs", "three_public_reception"} <= set(found)
    assert prior_names()[:3] == ["expenditure_total", "basic", "project"]


@pytest.mark.parametrize("entry, words", [
    ({"form": "three_public_expenses", "row": "reception_renamed", "column": "total"}, "reception_renamed"),
    ({"form": "general_budget_basic_expenditure", "row": "total", "column": "public_costs"}, "public_costs"),
    ({"form": "no_such_form", "row": "total", "column": "total"}, "no_such_form"),
])
def test_a_renamed_key_fails_loudly_at_load(tmp_path, entry, words):
    path = tmp_path / "quantities.json"
    path.write_text(json.dumps({"quantities": {"broken": entry}}), encoding="utf-8")
    with pytest.raises(QuantityDefinitionError, match=words):
        load_quantities(path)


def test_the_narrative_names_no_form_keys():
    source = (narrative.__file__)
    text = open(source, encoding="utf-8").read()
    for key in ('"three_public_expenses"', '"general_budget_basic_expenditure"', '"income_grand_total"', '"public"'):
        assert key not in text, key


# ---- unit profile and placeholders ------------------------------------------------------------

def test_placeholders_give_a_hint_until_the_profile_is_written(store):
    from app.domain.records import UnitInfo

    store.create_unit(UnitInfo(code="501", name="测试局"))
    store.create_dataset("501", 2023)
    dataset = store.open_dataset("501", 2023)
    hints = {f.anchor for f in check_dataset(dataset) if f.rule == "N01"}
    assert hints == {"organization", "change", "three_public", "performance"}
    profile.set_profile(dataset, "duties", "负责全区测试工作。")
    profile.set_profile(dataset, "safeguards", "一、完善制度建设\n严格执行内控制度。")
    for name in prior_names():
        prior.set_prior(dataset, name, "0")
    assert not [f for f in check_dataset(dataset) if f.rule == "N01"]
    texts = narrative.generate_texts(dataset)
    assert "部门职责：\n负责全区测试工作。" in texts["organization"]
    assert "（三）工作保障措施\n一、完善制度建设\n严格执行内控制度。\n第二部分 专项资金绩效目标\n无" in texts["performance"]


def test_profile_refusals(seed_dataset):
    with pytest.raises(InputError, match="没有“mission”一项"):
        profile.set_profile(seed_dataset, "mission", "x")
    with pytest.raises(InputError, match="第 2 行"):
        profile.set_profile(seed_dataset, "glossary", "基本支出：指人员和公用支出。\n没有冒号的一行")
    with pytest.raises(InputError, match="没有上年数"):
        prior.set_prior(seed_dataset, "operating_costs", "1")
    with pytest.raises(InputError):
        prior.set_prior(seed_dataset, "basic", "十二万")
    assert profile.profile(seed_dataset)["glossary"] == ""


def test_glossary_defaults_to_the_seed_wording_and_can_be_rewritten(seed_dataset):
    entries = dict(profile.default_glossary())
    assert entries["一般公共预算拨款收入"] == "指区级财政当年拨付的资金。"
    assert entries["上缴上级支出"] == "指下级单位上缴上级的支出。"
    assert entries["机关运行费"].startswith("是指各部门的公用经费")
    assert list(entries)[6] == "“三公”经费" and len(entries) == 10
    profile.set_profile(seed_dataset, "glossary", "1、基本支出：指人员支出和公用支出。\n2、项目支出：指专项支出。")
    assert narrative.generate_texts(seed_dataset)["glossary"] == "1、基本支出：指人员支出和公用支出。\n2、项目支出：指专项支出。"


# ---- 上年数, reasons and N03 -----------------------------------------------------------------------

def test_typed_prior_and_reasons_write_the_seed_sentences(store):
    from app.exchange.interchange import import_file

    document = json.loads(SEED004.read_text(encoding="utf-8"))
    for key in ("prior", "reasons"):
        document.pop(key)
    dataset = import_document(store, document)
    assert "（请填写2022年预算数" in narrative.generate_texts(dataset)["change"]
    for name, amount in (("expenditure_total", "1018.29"), ("basic", "650.84"), ("project", "367.45"),
                         ("three_public_total", "9.34"), ("three_public_vehicle_operation", "8.88"),
                         ("three_public_reception", "0.46")):
        prior.set_prior(dataset, name, amount)
    prior.set_reason(dataset, "basic", "主要为人员经费增加")
    prior.set_reason(dataset, "project", "主要为项目增加")
    prior.set_reason(dataset, "three_public_reception", "按厉行节约的原则，压缩“三公经费”支出")
    texts = narrative.generate_texts(dataset)
    assert texts["change"] == ("2023年预算收支安排1206.65万元，较2022年预算增加188.36万元，其中：基本支出增加121.48万元，"
                               "主要为人员经费增加；项目支出增加66.88万元，主要为项目增加。")
    assert "2022年“三公”经费预算为9.34万元" in texts["three_public"]
    assert "公务接待费按厉行节约的原则，压缩“三公经费”支出，比上年度减少0.03万元。" in texts["three_public"]
    assert import_file  # the same figures also come from a 2022 dataset: test_printing.test_comparison_…


def test_a_large_change_asks_for_a_reason_and_the_reason_prints(seed_dataset):
    assert not [f for f in check_dataset(seed_dataset) if f.rule == "N03"]  # seed: every change below 30%
    prior.set_prior(seed_dataset, "project", "200")  # 200 → 434.33: +117%
    prior.set_reason(seed_dataset, "project", None)
    findings = [f for f in check_dataset(seed_dataset) if f.rule == "N03"]
    assert [f.anchor for f in findings] == ["project"]
    assert "增长117.2%" in findings[0].message and "超过 30%" in findings[0].message
    set_explanation(seed_dataset, "N03:project", "新增智能云广播二期建设。")
    assert "项目支出增加234.33万元，新增智能云广播二期建设。" in narrative.generate_texts(seed_dataset)["change"]
    prior.set_reason(seed_dataset, "project", "主要为项目增加")  # the clerk's own reason wins
    assert "项目支出增加234.33万元，主要为项目增加。" in narrative.generate_texts(seed_dataset)["change"]


def test_profile_prior_and_reasons_travel_in_the_data_file(store, seed_dataset):
    document = export_document(seed_dataset)
    assert document["profile"]["duties"].startswith("融媒体中心主要职责如下：")
    assert document["prior"]["basic"] == "650.84"
    assert document["reasons"]["project"] == "主要为项目增加"
    document["prior"]["operating_costs"] = "1"
    document["reasons"]["nonsense"] = "x"
    with pytest.raises(InputError, match="operating_costs.*没有上年数|没有上年数"):
        import_document(store, document, replace=True)
    assert prior.typed_prior(store.open_dataset("359", 2023))["basic"] == Decimal("650.84")


# ---- new year ------------------------------------------------------------------------------------

def test_new_year_carries_unit_rows_projects_and_prior(store, seed_dataset):
    book = ProjectBook(seed_dataset)
    first = book.list_projects()[0]
    result = new_year(store, "359", 2023, 2024)
    nxt = store.open_dataset("359", 2024)
    assert profile.profile(nxt)["duties"] == profile.profile(seed_dataset)["duties"]
    assert "2070699" in nxt.workbook.present_rows["expenditure_summary"]
    assert not nxt.entered_values()  # amounts cleared
    projects = ProjectBook(nxt).list_projects()
    assert len(projects) == len(result.projects) and projects[0].name == first.name
    assert projects[0].amount is None and projects[0].fiscal_appropriation is None
    assert [i.name for i in projects[0].indicators] == [i.name for i in first.indicators]
    assert prior.typed_prior(nxt)["basic"] == Decimal("772.32")
    texts = narrative.generate_texts(nxt)
    assert "较2023年预算减少1206.65万元" in texts["change"]
    with pytest.raises(ConflictError, match="已存在"):
        new_year(store, "359", 2023, 2024)
    with pytest.raises(InputError):
        new_year(store, "359", 2023, 2023)


def test_new_year_command(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    assert main(["--db", db, "import-json", str(SEED004)]) == 0
    assert main(["--db", db, "new-year", "--unit", "359", "--from", "2023", "--to", "2024"]) == 0
    assert "已建立 2024 年度" in capsys.readouterr().err
    assert main(["--db", db, "new-year", "--unit", "359", "--from", "2023", "--to", "2024"]) == 1
    assert main(["--db", db, "prior", "--unit", "359", "--year", "2024"]) == 0
    assert "basic\t基本支出\t772.32" in capsys.readouterr().out
    assert main(["--db", db, "profile", "--unit", "359", "--year", "2024", "other_matters", "无。"]) == 0


# ---- cover ---------------------------------------------------------------------------------------

def test_cover_is_off_for_the_published_document_and_dated_when_asked(seed_dataset, tmp_path):
    plain = tmp_path / "public.pdf"
    build_document(seed_dataset, plain, printed_on=date(2023, 1, 15))
    assert "填报日期" not in _text(plain)
    signed = tmp_path / "internal.pdf"
    build_document(seed_dataset, signed, cover=True, printed_on=date(2023, 1, 15))
    assert "填报日期：2023年1月15日" in _text(signed)


# ---- 批复表 fund rows and date blanks ----------------------------------------------------------------

def test_approval_prints_0_in_empty_fund_rows_and_wide_date_blanks(seed_dataset, tmp_path):
    from app.printing.targets import DATE_BLANKS
    from app.projects import Indicator, Project

    book = ProjectBook(seed_dataset)
    book.add_project(Project(name="影视产业发展资金", amount=Decimal("242.5"), local_fiscal=Decimal("242.5"),
                             function_code="2070699", attribute="recurring", period_start=date(2023, 1, 1),
                             period_end=date(2023, 12, 31), annual_goal="吸纳5名专家进入新区影视专家智库。",
                             indicators=[Indicator("1", "11", "专家人数", "", "≥", "5", "名", "", note="专家智库")]))
    project = [p for p in book.list_projects() if p.name == "影视产业发展资金"][0]
    out = tmp_path / "approval.pdf"
    build_document(seed_dataset, out, forms=["project_approval"], projects=[project.id])
    text = _text(out)
    # as entered (the 批复表's setting): 242.5 and 0, not 242.50 and 0.00
    assert "其中：本级财政242.5" in text and "上级资金0其他资金0" in text and "242.50" not in text
    assert DATE_BLANKS.count("\u3000") == 9
    page = pdfium.PdfDocument(str(out))[0].get_textpage().get_text_range()
    assert "年\u3000\u3000\u3000月" in page or "年   月" in page or "年      月" in page


# ---- the indicator framework with local additions; seed 000 entered as published --------------------

def test_seed000_project_enters_as_published_with_no_local_levels(store, tmp_path):
    """The framework ships 32 社会公众满意度指标 (issue 25): seed 000 enters with no side file and no
    local additions, and its 批复表 prints the short 二级 names, 242.5 and 0 as published, under 附件1."""
    from app.domain.records import UnitInfo
    from app.projects import indicator_levels, resolve_level2
    from app.projects.levels import local_levels
    from tests.fixtures import seed000

    assert local_levels() == []
    assert resolve_level2("社会公众", "3") == "32" and indicator_levels()["32"].name == "社会公众满意度指标"
    project = seed000.build_project()
    assert len(project.indicators) == 44
    assert [i.level2 for i in project.indicators].count("32") == 1
    store.create_unit(UnitInfo(code=seed000.UNIT["code"], name=seed000.UNIT["name"],
                               preparer=seed000.UNIT["preparer"], phone=seed000.UNIT["phone"]))
    store.create_dataset("905", 2021)
    dataset = store.open_dataset("905", 2021)
    book = ProjectBook(dataset)
    book.add_project(project)
    stored = book.list_projects()[0]
    assert len(stored.indicators) == 44 and stored.local_fiscal == Decimal("242.5")
    out = tmp_path / "seed000.pdf"
    build_document(dataset, out, forms=["project_approval"])
    text = _text(out)
    assert "其中：本级财政242.5" in text and "上级资金0" in text and "其他资金0" in text
    assert "242.50" not in text and "0.00" not in text
    assert "社会公众对东方影都宣传的满意度" in text
    for note in ("新区影视行业专家库", "招商引资", "建设新区影视外景地空镜头库", "影视服务平台建设", "影视文化活动经费",
                 "宣传推介"):
        assert note in text, note
    assert local_levels() == []


def test_local_levels_refuse_renaming_the_edition_and_orphans(store):
    from app.projects.levels import import_local_levels

    with pytest.raises(InputError, match="31 已是“服务对象满意度指标”"):
        import_local_levels(store, [("31", "社会公众满意度指标", "3")])
    with pytest.raises(InputError, match="上级 9 不是一级指标"):
        import_local_levels(store, [("91", "某某指标", "9")])
    with pytest.raises(InputError, match="没有任何指标"):
        import_local_levels(store, [])


def test_indicator_levels_command(capsys, tmp_path):
    from app.projects import indicator_levels

    path = tmp_path / "levels.csv"
    path.write_text("编码,名称,上级\n39,群众满意度指标,3\n", encoding="utf-8")
    db = ["--db", str(tmp_path / "levels.sqlite3")]
    assert main([*db, "indicator-levels", "import", str(path)]) == 0
    assert main([*db, "indicator-levels", "show"]) == 0
    assert "39\t群众满意度指标（本地）" in capsys.readouterr().out
    path.write_text("31,别的名字,3\n", encoding="utf-8")
    assert main([*db, "indicator-levels", "import", str(path)]) == 2
    assert "39" in indicator_levels()  # a refused import changes nothing
    assert main(["--db", str(tmp_path / "other.sqlite3"), "indicator-levels", "show"]) == 0
    assert "群众满意度指标" not in capsys.readouterr().out  # --db decides where the additions live


def test_projects_without_a_breakdown_print_the_default_and_get_a_hint(seed_dataset, tmp_path):
    """Seed 004's unit is funded by 一般公共预算 only: 本级财政 = 财政拨款 = the amount (seed 002 prints
    财政拨款 = 总计), and P17 asks the clerk to confirm."""
    hint = [f for f in check_dataset(seed_dataset) if f.rule == "P17"]
    assert len(hint) == 1 and "报刊机构合作宣传费" in hint[0].message
    book = ProjectBook(seed_dataset)
    project = next(p for p in book.list_projects() if p.name == "报刊机构合作宣传费")
    assert project.fiscal_appropriation is None and project.local_fiscal is None
    out = tmp_path / "approval.pdf"
    build_document(seed_dataset, out, forms=["project_approval"], projects=[project.id])
    text = _text(out)
    assert "其中：本级财政72上级资金0其他资金0" in text  # the 批复表 prints amounts as entered
    summary = tmp_path / "summary.pdf"
    build_document(seed_dataset, summary, forms=["project_targets_summary"])
    text = _text(summary)
    assert "部门名称：秦皇岛经济技术开发区融媒体中心（部门）" in text
    assert "报刊机构合作宣传费72.0072.00" in text
    assert "实施周期指标值：≥500篇；年度指标值：≥500篇" in text


def test_overview_charts_are_a_print_option(seed_dataset, tmp_path):
    from app.printing.charts import chart_parts

    assert [caption for caption, _parts in chart_parts(seed_dataset)] == ["收入结构", "支出结构", "基本支出结构"]
    assert dict(chart_parts(seed_dataset)[1][1]) == {"基本支出": Decimal("772.32"), "项目支出": Decimal("434.33")}
    plain, drawn = tmp_path / "plain.pdf", tmp_path / "charts.pdf"
    build_document(seed_dataset, plain, forms=["three_public_expenses"], statement=True)
    build_document(seed_dataset, drawn, forms=["three_public_expenses"], statement=True, charts=True)
    assert "收入结构" not in _text(plain)
    text = _text(drawn)
    assert "收入结构" in text and "基本支出772.32万元" in text and "公用经费36.59万元" in text
