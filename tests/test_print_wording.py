"""Each form's own wording and layout as published (issue 25, items 3 and 4): the PDF text read back.

* seed 000 (批复表): 附件1, short 二级 names, amounts as entered (242.5, 0);
* seed 002 (汇总表): thousands separators (8,777.20, 1,509.60), plain below 1,000;
* seed 003 (部门整体支出绩效自评表): 附件2, no 年度/单位 line, 年初设定目标 and 全年完成情况 one cell each,
  divided only at a page end, labels never broken inside a word.
"""

from __future__ import annotations

import re
from datetime import UTC
from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from app.base.jsondoc import read_document
from app.domain.records import UnitInfo
from app.exchange.interchange import import_document
from app.printing import fonts
from app.printing.document import build_document
from app.printing.form_style import FormStyle, form_style, styled_forms
from app.printing.styles import Styles
from app.printing.wrapping import LabelCell, label_words
from app.projects import ProjectBook
from app.projects.levels import local_levels
from app.store.service import Store
from tests.conftest import FIXTURES
from tests.fixtures import seed000, seed002
from tests.test_printing import Pdf


@pytest.fixture()
def memory_store():
    store = Store("sqlite://")
    yield store
    store.close()


def _raw_lines(path) -> list[list[str]]:
    """Each page's printed lines, as the PDF's text layer breaks them."""
    document = pdfium.PdfDocument(str(path))
    try:
        return [[line.strip() for line in re.split(r"\r?\n", page.get_textpage().get_text_range())]
                for page in document]
    finally:
        document.close()


# ---- seed 000: 项目支出绩效目标批复表 ------------------------------------------------------------------

@pytest.fixture()
def seed000_pdf(memory_store, tmp_path):
    unit = seed000.UNIT
    memory_store.create_unit(UnitInfo(code=unit["code"], name=unit["name"], preparer=unit["preparer"],
                                      phone=unit["phone"]))
    memory_store.create_dataset(unit["code"], 2021)
    dataset = memory_store.open_dataset(unit["code"], 2021)
    ProjectBook(dataset).add_project(seed000.build_project())
    path = tmp_path / "seed000.pdf"
    build_document(dataset, path, forms=["project_approval"])
    return path


def test_seed000_prints_its_own_wording_and_numbers(seed000_pdf):
    assert local_levels() == []  # 社会公众 is in the shipped framework
    pdf = Pdf(seed000_pdf)
    text = pdf.running_text()
    assert text.startswith("附件1项目支出绩效目标批复表（2021年度）")
    assert "资金合计（万元）242.5其中：本级财政242.5上级资金0其他资金0" in text
    assert "242.50" not in text and "0.00" not in text
    # 二级 as the form prints them: short names after the 一级 that says the kind
    assert "效益指标经济效益吸引限上影视企业" in text
    assert "社会效益吸引影视企业、项目" in text
    assert "满意度指标服务对象受培训企业满意度" in text and "社会公众社会公众对东方影都宣传的满意度" in text
    for full in ("经济效益指标", "社会效益指标", "服务对象满意度指标", "社会公众满意度指标"):
        assert full not in text, full
    assert "数量指标" in text and "成本指标" in text  # the 产出 二级 keep their names, as published
    assert "三级绩效指标(指标内容)年度指标值(带计量单位)备注" in text
    lines = [line for page in _raw_lines(seed000_pdf) for line in page]
    assert "附件1" in lines  # a line of its own above the title


def test_short_names_are_only_the_approval_forms_choice(seed_dataset, tmp_path):
    """The 项目支出绩效目标表 of the same project keeps the full 二级 names (the editor does too)."""
    from app.projects import level_name, level_print_name

    assert level_name("31") == "服务对象满意度指标" and level_print_name("31", short=True) == "服务对象"
    assert level_print_name("11", short=True) == "数量指标"  # no short name given: the name
    path = tmp_path / "targets.pdf"
    build_document(seed_dataset, path, forms=["project_targets"])
    text = Pdf(path).running_text()
    assert "服务对象满意度指标" in text and "附件" not in text


# ---- seed 002: 项目支出绩效目标表（含转移支付项目） ------------------------------------------------------

def test_seed002_summary_groups_thousands_as_published(memory_store, tmp_path):
    dataset = seed002.build(memory_store)
    assert seed002.TOTAL == Decimal("8777.20")
    path = tmp_path / "seed002.pdf"
    build_document(dataset, path, forms=["project_targets_summary"])
    pdf = Pdf(path)
    text = pdf.running_text()
    assert "合计8,777.208,777.20" in text
    assert "宣传业务经费1,509.601,509.60" in text and "融媒体中心基本运营经费1,234.141,234.14" in text
    assert "理论学习经费210.00210.00" in text  # under 1,000: as before
    assert "8777.20" not in text and "1509.60" not in text
    assert pdf.has_row(1, "宣传业务经费", "1,509.60")


# ---- seed 003: 部门整体支出绩效自评表 -------------------------------------------------------------------

@pytest.fixture()
def seed003_pdf(memory_store, tmp_path):
    dataset = import_document(memory_store, read_document(FIXTURES / "seed003_2020.json"))
    path = tmp_path / "seed003.pdf"
    result = build_document(dataset, path, forms=["department_self_evaluation"])
    return path, result.pages


def test_seed003_top_is_as_published(seed003_pdf):
    path, _pages = seed003_pdf
    text = Pdf(path).running_text()
    assert text.startswith("附件22020年部门整体支出绩效自评表部门（单位）名称浏阳市文化产业园管理委员会")
    assert "2020年度" not in text and "单位：万元" not in text


def test_seed003_goals_and_results_are_one_cell_each_divided_at_the_page_end(seed003_pdf):
    path, pages = seed003_pdf
    pdf = Pdf(path)
    text = pdf.running_text()
    # One cell each: all five 年初设定目标 paragraphs come before the first 全年完成情况 paragraph
    # (paired rows would print 一是 … beside 2020年，… and 五是 … far below it).
    first_result = text.index("2020年，文化产业园管委会继续深化")
    assert text.index("五是探索飞地招商和品牌输出新模式") < first_result
    assert text.index("一是拓展“文化+科技”新融合") < text.index("五是探索飞地招商") < first_result
    # Divided where page 1 ends, not pushed whole to page 2: it starts on page 1 and continues after it.
    assert pages == 2
    assert "2020年，文化产业园管委会继续深化" in pdf.page(1) and "一是拓展“文化+科技”新融合" in pdf.page(1)
    assert "年度总体目标（续）" in pdf.page(2) and "4家企业入选长沙市创新创意产品名录" in pdf.page(2)


def test_seed003_labels_and_headers_never_break_inside_a_word(seed003_pdf):
    path, _pages = seed003_pdf
    lines = [line for page in _raw_lines(path) for line in page]
    for bad in ("整体支出规", "模", "自评得", "分", "年度总体目", "标", "投入管理指", "个"):
        assert bad not in lines, bad
    for good in ("整体支出", "规模", "自评", "得分", "投入管理", "指标"):
        assert good in lines, good


@pytest.mark.parametrize("width", [30, 40, 52, 66, 84])
@pytest.mark.parametrize("text", ["整体支出|规模", "自评|得分", "偏差及|原因分析", "年度总体|目标", "投入管理指标",
                                  "可持续影响指标（8）", "部门结转结余资金管理（4）", "部门（单位）|名称"])
def test_label_cells_leave_no_character_alone(text, width):
    style = Styles(fonts.print_fonts()).cell_center
    cell = LabelCell(text, style)
    cell.wrap(width, 1000)
    lines = [line for _extra, line in cell._lines]
    assert "".join(lines) == text.replace("|", "")
    if len(lines) > 1:
        assert all(len(line) > 1 for line in lines), lines
    words = label_words(text)
    if all(len(word) <= 4 for word in words) and width >= 52:
        # short words in a cell that holds one: the breaks fall between the words
        ends = set()
        position = 0
        for word in words:
            position += len(word)
            ends.add(position)
        position = 0
        for line in lines[:-1]:
            position += len(line)
            assert position in ends, lines


# ---- the settings themselves ------------------------------------------------------------------

def test_amounts_as_each_form_prints_them():
    entered, grouped, plain = form_style("project_approval"), form_style("project_targets_summary"), form_style("x")
    assert entered.amount(Decimal("242.50")) == "242.5" and entered.amount(Decimal("0.00")) == "0"
    assert entered.amount(Decimal("240")) == "240" and entered.amount(None) == ""
    # exact money (to the 分 of 元): rounded once to 0.01 of the unit like every printed figure
    assert entered.amount(Decimal("80.653")) == "80.65" and entered.amount(Decimal("0.005")) == "0.01"
    assert grouped.amount(Decimal("8777.2")) == "8,777.20" and grouped.amount(Decimal("999.5")) == "999.50"
    assert plain.amount(Decimal("8777.2")) == "8777.20"
    assert FormStyle("y", grouping=True, as_entered=True).amount(Decimal("1509.60")) == "1,509.6"
    assert {"project_approval", "project_targets_summary", "department_self_evaluation"} <= set(styled_forms())
    assert form_style("project_approval").attachment == "附件1"
    assert form_style("department_self_evaluation").attachment == "附件2"
    assert not form_style("department_self_evaluation").unit_line and form_style("x").unit_line


def test_a_database_that_added_32_itself_prints_the_short_name(tmp_path):
    """Before the edition shipped 32, bureaus imported it locally; such a database keeps working and the
    批复表 still prints 社会公众."""
    from datetime import datetime

    from app.projects import indicator_levels
    from app.projects.levels import load_local_levels
    from db import models

    store = Store(str(tmp_path / "old.sqlite3"))
    try:
        with store.write() as session:
            session.add(models.IndicatorLevel(code="32", name="社会公众满意度指标", parent="3",
                                              added_at=datetime(2024, 1, 1, tzinfo=UTC)))
        assert [item.code for item in load_local_levels(store)] == ["32"]
        assert indicator_levels()["32"].short_name == "社会公众"
        assert form_style("project_approval").level2("32") == "社会公众"
    finally:
        store.close()


def test_fields_matching_counts_only_whole_printed_fields(seed000_pdf):
    """The measure the issue's table is re-made with (``python -m devtools.seed_fields``)."""
    from devtools.seed_fields import Printed, fields_matching, pdf_text

    printed = Printed(pdf_text(seed000_pdf))
    published = ["附件1", "项目支出绩效目标批复表", "242.5", "0", "经济效益", "社会公众", "一级", "绩效指标",
                 "吸纳专家进入新区影视专家智", "库"]
    assert fields_matching(published, printed) == (len(published), len(published), [])
    matched, total, missing = fields_matching(["242.50", "0.00", "经济效益指标", "附件2"], printed)
    assert (matched, total) == (0, 4) and missing == ["242.50", "0.00", "经济效益指标", "附件2"]


@pytest.mark.parametrize("divisible", [False, True])
def test_a_divisible_row_is_divided_at_the_page_end_and_another_moves_whole(divisible):
    from app.printing.grid import GridRow, RunTable, paragraph
    from app.printing.styles import CELL_LEADING, CELL_PADDING

    style = Styles(fonts.print_fonts()).cell
    long_text = "年初设定目标的一段文字，" * 40  # some twenty lines in 120 pt: less than a page
    rows = [GridRow([paragraph("第一行", style), ""]),
            GridRow([paragraph(long_text, style), paragraph("全年完成情况", style)], divisible=divisible)]
    table = RunTable([120.0, 120.0], [], rows, [], [], padding=CELL_PADDING, leading=CELL_LEADING, page_height=700)
    _width, height = table.wrap(240, 10_000)
    assert height < 700
    parts = table.split(240, height / 2)  # the long row does not fit below the first one
    assert len(parts) == 2
    first_rows = len(parts[0].body)
    if divisible:  # begun here, below the first row, and continued on the next page
        assert first_rows == 2 and parts[0].wrap(240, height / 2)[1] <= height / 2 + 1e-6
        assert len(parts[1].body) == 1 and parts[1].body[0].divisible
    else:  # never divided: it moves whole to the next page
        assert first_rows == 1 and len(parts[1].body) == 1


def test_every_form_takes_its_number_format_from_the_data(seed_dataset, tmp_path, monkeypatch):
    """The budget tables (seed 004) print plain by default; a form given grouping in print_styles.json
    prints 1,206.65 — no code change."""
    from app.printing import form_style as settings

    plain = tmp_path / "plain.pdf"
    build_document(seed_dataset, plain, forms=["income_expenditure_summary"])
    assert "1206.65" in Pdf(plain).running_text() and "1,206.65" not in Pdf(plain).running_text()
    table = settings._table()
    monkeypatch.setattr(settings, "_table", lambda: {**table, "income_expenditure_summary":
                                                     {**table[""], "grouping": True}})
    grouped = tmp_path / "grouped.pdf"
    build_document(seed_dataset, grouped, forms=["income_expenditure_summary"])
    assert "1,206.65" in Pdf(grouped).running_text()
