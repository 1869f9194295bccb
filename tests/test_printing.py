"""Printing: the seed-004 document read back from the PDF (pypdfium2), long tables, fonts, 情况说明 edits."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from app.base.errors import ConflictError, InputError, NotFoundError
from app.cli.main import main
from app.domain.cells import CellChange
from app.domain.codes import default_shipped_table
from app.domain.forms import all_forms
from app.domain.records import UnitInfo
from app.printing import build_document, fonts
from app.projects import narrative
from tests.conftest import SEED004, explain_all_findings, run

UNIT_LINE = "359秦皇岛经济技术开发区融媒体中心"
WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class Pdf:
    """Text of a printed PDF, page by page, as a reader would get it."""

    def __init__(self, path) -> None:
        self.document = pdfium.PdfDocument(str(path))
        self.pages = [page.get_textpage().get_text_range() for page in self.document]
        self.flat = [_squash(text) for text in self.pages]

    def page(self, number: int) -> str:
        return self.flat[number - 1]

    def running_text(self, first_page: int = 1, last_page: int | None = None) -> str:
        """Pages ``first_page``..``last_page`` as one text, without the 第 x 页 共 y 页 footers, so a
        check on flowing text does not depend on where a page happens to break."""
        return re.sub(r"第\d+页共\d+页", "", "".join(self.flat[first_page - 1:last_page]))

    def rows(self, number: int, label: str) -> list[str]:
        """The text of every printed line (full page width) on which ``label`` appears."""
        page = self.document[number - 1]
        textpage = page.get_textpage()
        width, _height = page.get_size()
        searcher = textpage.search(label, match_case=True)
        bands = []
        while (found := searcher.get_next()) is not None:
            # loose: the font's line box, not the glyph's (一 is a flat stroke)
            _left, bottom, _right, top = textpage.get_charbox(found[0], loose=True)
            bands.append(textpage.get_text_bounded(0, bottom, width, top))
        return bands

    def has_row(self, number: int, label: str, *amounts: str) -> bool:
        return any(all(amount in row.split() for amount in amounts) for row in self.rows(number, label))


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    from app.exchange.interchange import import_file
    from app.store.service import Store

    folder = tmp_path_factory.mktemp("print")
    store = Store(str(folder / "seed.sqlite3"))
    dataset = import_file(store, SEED004)
    result = build_document(dataset, folder / "seed004.pdf", cover=True, printed_on=date(2023, 1, 15))
    yield Pdf(folder / "seed004.pdf"), result
    store.close()


@pytest.fixture
def no_cjk_font(monkeypatch):
    """A machine with no Chinese TrueType font (CI before fonts-wqy-zenhei is installed)."""
    monkeypatch.setattr(fonts, "body_candidates", lambda: [])
    monkeypatch.setattr(fonts, "heading_candidates", lambda: [])
    monkeypatch.setattr(fonts, "fc_match_candidate", lambda: None)
    fonts.reset()
    yield
    fonts.reset()


# ---- the seed-004 document -----------------------------------------------------------------

def test_every_title_cover_and_contents(seed_pdf):
    pdf, result = seed_pdf
    everything = "".join(pdf.flat)
    for form in all_forms():
        assert _squash(form.title) in pdf.page(result.page_of[f"form:{form.id}"])
    assert "2023年部门预算信息公开" in pdf.page(1)
    assert "单位负责人：" in pdf.page(1) and "填报日期：2023年1月15日" in pdf.page(1)
    assert "2023年部门预算信息公开目录" in pdf.page(2)
    assert "秦皇岛经济技术开发区融媒体中心2023年部门预算信息公开情况说明" in everything
    # The 目录 prints the pages where the tables really are.
    contents = pdf.pages[1]
    for form in all_forms():
        page = result.page_of[f"form:{form.id}"]
        assert re.search(re.escape(form.title) + r"\s*\.+\s*" + str(page) + r"\b", contents), form.title
    assert result.page_of["form:income_expenditure_summary"] == 3


def test_page_footer_and_unit_line_on_every_table_page(seed_pdf):
    pdf, result = seed_pdf
    total = len(pdf.pages)
    assert result.pages == total
    assert f"第1页共{total}页" not in pdf.page(1)  # the cover carries no number, but counts
    for number in range(2, total + 1):
        assert f"第{number}页共{total}页" in pdf.page(number)
    first_table, statement = result.page_of["form:income_expenditure_summary"], result.page_of["narrative"]
    for number in range(first_table, statement):
        text = pdf.page(number)
        assert UNIT_LINE in text and "预算年度：2023" in text and "单位：万元" in text, number
        assert "栏次" in text and "序号" in text, number


def test_seed_figures_in_the_right_rows(seed_pdf):
    pdf, result = seed_pdf
    page = result.page_of

    summary = page["form:income_expenditure_summary"]
    assert pdf.has_row(summary, "一、一般公共预算拨款收入", "1206.65")
    assert pdf.has_row(summary, "七、文化旅游体育与传媒支出", "1016.53")
    assert pdf.has_row(summary, "收入总计", "1206.65")
    expenditure = page["form:expenditure_summary"]
    assert pdf.has_row(expenditure, "合计", "1206.65", "772.32", "434.33")
    assert pdf.has_row(expenditure, "2070699", "1016.53", "582.20", "434.33")
    assert pdf.has_row(expenditure, "2210201", "34.91")
    basic = page["form:general_budget_basic_expenditure"]
    assert pdf.has_row(basic, "合计", "772.32", "735.73", "36.59")
    assert pdf.has_row(basic, "30217", "0.43")
    assert pdf.has_row(basic, "30231", "8.88")
    three = page["form:three_public_expenses"]
    assert pdf.has_row(three, "“三公”经费小计", "9.31")
    assert pdf.has_row(three, "公务用车运行维护费", "8.88")
    assert pdf.has_row(three, "三、公务接待费", "0.43")
    # Blank, not 0.00, where there is no amount.
    for number in range(page["form:income_expenditure_summary"], page["narrative"]):
        assert not re.search(r"(?<![\d.])0\.00", pdf.pages[number - 1]), number


def test_amounts_are_right_aligned(seed_pdf):
    pdf, result = seed_pdf
    page = pdf.document[result.page_of["form:general_budget_basic_expenditure"] - 1]
    textpage = page.get_textpage()

    def right_edge(text: str) -> float:
        index, count = textpage.search(text, match_case=True).get_next()
        return textpage.get_charbox(index + count - 1)[2]

    # 合计 column: 772.32 (合计 row) and 691.28 (301) and 9.00 (30109) end at the same x.
    edges = [right_edge(text) for text in ("772.32", "691.28", "350.01")]
    assert max(edges) - min(edges) < 0.6


def test_empty_tables_print_their_note(seed_pdf):
    pdf, result = seed_pdf
    fund = pdf.page(result.page_of["form:government_fund_expenditure"])
    capital = pdf.page(result.page_of["form:state_capital_expenditure"])
    assert "注：无政府性基金预算财政拨款预算，空表列示。" in fund
    assert "注：无国有资本经营预算财政拨款预算，空表列示。" in capital
    assert "功能分类科目" in fund and "栏次12345" in fund


def test_statement_generated_from_the_data(seed_pdf):
    pdf, result = seed_pdf
    text = pdf.running_text(result.page_of["narrative"])
    assert "2023年预算收入1206.65万元，其中：一般公共预算拨款收入1206.65万元。" in text
    assert "2023年支出预算1206.65万元，其中基本支出772.32万元，包括人员经费和日常公用经费；" in text
    assert "项目支出434.33万元，全部为文化旅游体育与传媒支出。" in text
    assert "2023年机关运行经费共计安排36.59万元，为商品和服务支出。" in text
    for item in ("办公费2.50万元", "印刷费0.75万元", "邮电费2.50万元", "差旅费2.00万元", "维修（护）费0.25万元",
                 "培训费3.10万元", "公务接待费0.43万元", "劳务费6.50万元", "工会经费4.13万元", "福利费2.92万元",
                 "公务用车运行维护费8.88万元", "其他商品和服务支出2.63万元"):
        assert item in text, item
    assert "2023年“三公”经费预算为9.31万元" in text
    assert "名词解释" in text and "其他需要说明的事项" in text
    # no 2022 dataset in this store: the 上年数 typed with the fixture (from the published text) serve
    assert ("3、比上年增减情况2023年预算收支安排1206.65万元，较2022年预算增加188.36万元，其中：基本支出增加121.48万元，"
            "主要为人员经费增加；项目支出增加66.88万元，主要为项目增加。") in text
    assert "2022年“三公”经费预算为9.34万元" in text
    assert "公务接待费按厉行节约的原则，压缩“三公经费”支出，比上年度减少0.03万元。" in text
    assert "（请" not in text  # no placeholder left: 部门职责 and 工作保障措施 come from the unit profile
    assert "部门职责：融媒体中心主要职责如下：（一）贯彻执行党和国家有关新闻宣传" in text
    assert "1、一般公共预算拨款收入：指区级财政当年拨付的资金。" in text
    assert "8、机关运行费：是指各部门的公用经费" in text


def test_metadata_records_the_font(seed_pdf):
    pdf, result = seed_pdf
    meta = pdf.document.get_metadata_dict()
    assert result.fonts.metadata_text in meta["Keywords"]
    assert meta["Author"] == "秦皇岛经济技术开发区融媒体中心"
    assert "2023年部门预算信息公开" in meta["Title"]


# ---- layout ---------------------------------------------------------------------------------

def test_long_table_spans_pages_with_header_on_each(store, tmp_path):
    store.create_unit(UnitInfo(code="901", name="长表测试单位"))
    store.create_dataset("901", 2023)
    dataset = store.open_dataset("901", 2023)
    function = default_shipped_table("function", 2023)
    leaves = [code for code in function.items if not function.children.get(code)][:120]
    dataset.apply_changes([CellChange("expenditure_summary", leaf, "basic", Decimal(index) + Decimal("0.25"))
                           for index, leaf in enumerate(leaves, start=1)])
    result = build_document(dataset, tmp_path / "long.pdf", forms=["expenditure_summary"])
    pdf = Pdf(tmp_path / "long.pdf")
    assert result.pages == len(pdf.pages) >= 3
    for number, text in enumerate(pdf.flat, start=1):
        assert "901长表测试单位" in text and "预算年度：2023" in text
        assert "功能分类科目" in text and "科目编码" in text and "上解上级支出" in text and "对附属单位" in text
        assert "栏次12345678" in text
        assert f"第{number}页共{result.pages}页" in text
    assert sum(text.count("部门预算支出总表") for text in pdf.flat) == 1  # the title once, on page 1
    everything = "\n".join(pdf.pages)
    for leaf in leaves:  # every row printed once: none lost or split at a page break
        assert len(re.findall(rf"(?m)^\d+ {leaf} ", everything)) == 1, leaf


def test_header_spans_follow_the_form_definition():
    from app.domain.forms import form_by_id
    from app.printing.tables import header_cells, print_columns

    columns = print_columns(form_by_id("income_summary"))
    depth, cells = header_cells(columns)
    spans = {cell.title: (cell.column, cell.level, cell.last_column, cell.last_level) for cell in cells}
    assert depth == 2
    assert spans["序号"] == (0, 0, 0, 1)  # spans down
    assert spans["功能分类科目"] == (1, 0, 2, 0)  # over 科目编码 and 科目名称
    assert spans["合计"] == (3, 0, 3, 1)
    assert spans["本年收入"] == (4, 0, 11, 0)  # over 小计 … 其他收入
    assert spans["上年结转"] == (12, 0, 12, 1)
    two_sided = print_columns(form_by_id("fiscal_income_expenditure_summary"))
    _depth, cells = header_cells(two_sided)
    sides = {cell.title: (cell.column, cell.last_column) for cell in cells if cell.level == 0}
    assert sides["收入"] == (1, 2) and sides["支出"] == (3, 7)


def test_a_dataset_without_data_prints(store, tmp_path):
    store.create_unit(UnitInfo(code="902", name="空白单位 & 测试"))
    store.create_dataset("902", 2024)
    result = build_document(store.open_dataset("902", 2024), tmp_path / "empty.pdf")
    pdf = Pdf(tmp_path / "empty.pdf")
    everything = "".join(pdf.flat)
    assert result.pages == len(pdf.pages)
    assert "902空白单位&测试" in everything
    assert "注：无一般公共预算财政拨款预算，空表列示。" in everything
    assert "2024年本部门无预算收入。" in everything and "2024年本部门未安排机关运行经费。" in everything


def test_forms_option_prints_only_those_tables_in_official_order(seed_dataset, tmp_path):
    result = build_document(seed_dataset, tmp_path / "two.pdf", forms=["three_public_expenses", "income_summary"])
    pdf = Pdf(tmp_path / "two.pdf")
    assert result.pages == 2
    assert "部门预算收入总表" in pdf.page(1) and "“三公”经费支出表" in pdf.page(2)
    assert "第1页共2页" in pdf.page(1)
    # 收入总表 is landscape, the 三公 table portrait.
    assert pdf.document[0].get_size()[0] > pdf.document[0].get_size()[1]
    assert pdf.document[1].get_size()[0] < pdf.document[1].get_size()[1]
    with pytest.raises(NotFoundError):
        build_document(seed_dataset, tmp_path / "bad.pdf", forms=["nope"])
    with pytest.raises(InputError):
        build_document(seed_dataset, tmp_path / "bad.pdf", forms=[])
    assert not (tmp_path / "bad.pdf").exists()


# ---- fonts ----------------------------------------------------------------------------------

def test_shipped_font_when_no_cjk_font_is_found(no_cjk_font, seed_dataset, tmp_path):
    assert fonts.font_status() == "AR PL UMing CN（程序自带字体，嵌入子集）"
    result = build_document(seed_dataset, tmp_path / "shipped.pdf", forms=["three_public_expenses"])
    assert result.fonts.body.shipped and result.fonts.body.path == fonts.shipped_font_path()
    raw = (tmp_path / "shipped.pdf").read_bytes()
    assert b"/FontFile2" in raw and b"STSong" not in raw and b"Helvetica" not in raw
    pdf = Pdf(tmp_path / "shipped.pdf")
    keywords = pdf.document.get_metadata_dict()["Keywords"]
    assert "字体：AR PL UMing CN（程序自带，嵌入子集）" in keywords and "未嵌入" not in keywords
    assert "部门预算财政拨款“三公”经费支出表" in pdf.page(1) and UNIT_LINE in pdf.page(1)
    assert pdf.has_row(1, "“三公”经费小计", "9.31")


def test_unusable_font_files_are_skipped(no_cjk_font, monkeypatch, tmp_path):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    monkeypatch.setattr(fonts, "body_candidates", lambda: [fonts.FontCandidate(broken),
                                                           fonts.FontCandidate(tmp_path / "missing.ttc")])
    fonts.reset()
    assert fonts.print_fonts().body.shipped


def test_a_missing_shipped_font_refuses_to_print(no_cjk_font, monkeypatch, seed_dataset, tmp_path, capsys):
    """A damaged installation: no PDF with a font it does not carry, a Chinese message instead."""
    monkeypatch.setattr(fonts, "shipped_font_path", lambda: tmp_path / "gone" / "uming.ttc")
    fonts.reset()
    with pytest.raises(fonts.MissingFontError, match="程序自带的字体文件.*缺失或已损坏"):
        build_document(seed_dataset, tmp_path / "none.pdf", forms=["three_public_expenses"])
    assert not (tmp_path / "none.pdf").exists()
    assert "缺失或已损坏" in fonts.font_status()  # the settings dialog says it instead of failing


def test_the_cli_says_so_without_a_traceback(no_cjk_font, monkeypatch, seeded_db, tmp_path, capsys):
    monkeypatch.setattr(fonts, "shipped_font_path", lambda: tmp_path / "gone" / "uming.ttc")
    fonts.reset()
    code, _out, err = run(capsys, "--db", str(seeded_db), "print", "--unit", "359", "--year", "2023",
                          "--out", str(tmp_path / "none.pdf"))
    assert code != 0 and "找不到可嵌入的中文字体" in err and "请重新安装" in err and "Traceback" not in err
    assert not (tmp_path / "none.pdf").exists()


@pytest.mark.skipif(not __import__("os").path.exists(WQY), reason="WenQuanYi Zen Hei is not installed")
def test_installed_truetype_font_is_embedded_as_subset(seed_dataset, tmp_path):
    fonts.reset()
    chosen = fonts.print_fonts()
    assert chosen.body.family == "WenQuanYi Zen Hei" and not chosen.body.shipped
    build_document(seed_dataset, tmp_path / "embedded.pdf", forms=["three_public_expenses"])
    raw = (tmp_path / "embedded.pdf").read_bytes()
    assert b"/FontFile2" in raw  # TrueType outlines inside the file
    assert len(raw) < 200_000  # a subset, not the 10 MB font


# ---- 情况说明 edits ----------------------------------------------------------------------------

def _previous_year(store) -> None:
    store.create_dataset("359", 2022)
    previous = store.open_dataset("359", 2022)
    previous.set_cell("expenditure_summary", "2070699", "basic", "650.84")
    previous.set_cell("expenditure_summary", "2070699", "project", "367.45")
    previous.set_cell("three_public_expenses", "vehicle_operation", "general_budget", "8.88")
    previous.set_cell("three_public_expenses", "reception", "general_budget", "0.46")


def test_comparison_with_the_previous_year(store, seed_dataset):
    _previous_year(store)
    texts = narrative.generate_texts(seed_dataset)
    assert texts["change"] == ("2023年预算收支安排1206.65万元，较2022年预算增加188.36万元，其中："
                               "基本支出增加121.48万元，主要为人员经费增加；项目支出增加66.88万元，主要为项目增加。")
    three = texts["three_public"]
    assert "2022年“三公”经费预算为9.34万元" in three
    assert ("因公出国（境）费、公务用车购置费、公务用车运行维护费与上年度持平。"
            "公务接待费按厉行节约的原则，压缩“三公经费”支出，比上年度减少0.03万元。") in three
    assert three.endswith("“三公”经费总额比上年度减少0.03万元。")
    assert [s.key for s in narrative.sections(seed_dataset)][:6] == [
        "preface", "organization", "overview", "income", "expenditure", "change"]
    store.create_dataset("359", 2021)
    bare = store.open_dataset("359", 2021)  # no 2020 data and no 上年数 typed: the section asks for them
    assert "（请填写2020年预算数" in narrative.generate_texts(bare)["change"]


def test_edits_are_stored_and_never_overwritten_silently(store, seed_dataset, db_path, tmp_path):
    from app.store.service import Store

    assert narrative.save_text(seed_dataset, "other", "本部门2023年无其他需要说明的事项。\r\n") is True
    edited = "本部门2023年“三公”经费预算为9.31万元，严格控制公务接待。"
    narrative.save_text(seed_dataset, "three_public", edited)
    # Same wording as generated: nothing stored, the section keeps following the data.
    generated_income = narrative.generate_texts(seed_dataset)["income"]
    assert narrative.save_text(seed_dataset, "income", generated_income) is False

    reopened_store = Store(str(db_path))
    reopened = reopened_store.open_dataset("359", 2023)
    by_key = {s.key: s for s in narrative.sections(reopened)}
    assert by_key["other"].text == "本部门2023年无其他需要说明的事项。" and by_key["other"].edited
    assert by_key["three_public"].text == edited and not by_key["three_public"].outdated
    assert not by_key["income"].edited
    reopened_store.close()

    seed_dataset.set_cell("three_public_expenses", "reception", "general_budget", "0.50")
    by_key = {s.key: s for s in narrative.sections(seed_dataset)}
    assert by_key["three_public"].text == edited  # the clerk's text stays ...
    assert by_key["three_public"].outdated  # ... flagged: the data moved on
    assert "9.38万元" in by_key["three_public"].generated
    pending = {change.key: change for change in narrative.preview_regeneration(seed_dataset)}
    assert set(pending) == {"other", "three_public"}
    assert pending["three_public"].data_changed and not pending["other"].data_changed
    assert any("9.38万元" in line for line in pending["three_public"].diff if line.startswith("+"))
    assert narrative.sections(seed_dataset)[-1].text == "本部门2023年无其他需要说明的事项。"  # preview changed nothing

    build_document(seed_dataset, tmp_path / "edited.pdf")
    printed = "".join(Pdf(tmp_path / "edited.pdf").flat)
    assert _squash(edited) in printed and "本部门2023年无其他需要说明的事项。" in printed

    assert narrative.apply_regeneration(seed_dataset, ["three_public"]) == ["three_public"]
    by_key = {s.key: s for s in narrative.sections(seed_dataset)}
    assert not by_key["three_public"].edited and "9.38万元" in by_key["three_public"].text
    assert by_key["other"].edited  # not named, not touched


def test_narrative_refusals(seed_dataset):
    with pytest.raises(InputError):
        narrative.save_text(seed_dataset, "no_such_section", "x")
    explain_all_findings(seed_dataset)
    seed_dataset.set_status("submitted")
    stale = seed_dataset.store.open_dataset("359", 2023)
    stale.status = "draft"  # what a view believes does not matter: the door reads the database
    with pytest.raises(ConflictError):
        narrative.save_text(stale, "other", "改动")
    with pytest.raises(ConflictError):
        narrative.save_text(seed_dataset, "other", "改动")


# ---- command line ---------------------------------------------------------------------------

def test_cli_print(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    assert main(["--db", db, "import-json", str(SEED004)]) == 0
    out = tmp_path / "all.pdf"
    assert main(["--db", db, "print", "--unit", "359", "--year", "2023", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "已打印到" in capsys.readouterr().err
    out = tmp_path / "some.pdf"
    assert main(["--db", db, "print", "--unit", "359", "--year", "2023", "--out", str(out),
                 "--forms", "three_public_expenses, general_budget_expenditure"]) == 0
    assert len(pdfium.PdfDocument(str(out))) == 2
    capsys.readouterr()
    for bad in (["--forms", "three_public_expenses,nope"], ["--forms", " , "], ["--unit", "999"], ["--year", "2022"]):
        args = {"--unit": "359", "--year": "2023", "--out": str(tmp_path / "bad.pdf")}
        extra = []
        for index in range(0, len(bad), 2):
            if bad[index] in args:
                args[bad[index]] = bad[index + 1]
            else:
                extra += bad[index:index + 2]
        argv = ["--db", db, "print"] + [item for pair in args.items() for item in pair] + extra
        assert main(argv) == 2, bad
        err = capsys.readouterr().err
        assert re.search(r"[\u4e00-\u9fff]", err), err
        assert not (tmp_path / "bad.pdf").exists()
