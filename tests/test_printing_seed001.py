"""Seed 001 (the 2020 项目绩效自评表 of 深圳市龙岗区文化产业促进中心) printed and read back: every published
field of the seven projects at its place, 执行率 as the form states it, no unit code line, figures
and header words never broken across lines, columns weighted by what they hold (A3)."""

import re

import pypdfium2 as pdfium
import pytest

from app import selfeval
from app.base.jsondoc import read_document
from app.exchange.interchange import import_document
from app.printing.document import build_document
from app.printing.fonts import print_fonts
from app.printing.selfeval import project_table
from app.printing.selfeval_layout import HEADER_WORDS, header_pieces
from app.printing.styles import WIDE, PrintContext, Styles, frame_width
from app.store.service import Store
from devtools.seed001_fields import measure, normal, published
from tests.conftest import FIXTURES

# A figure as the seed writes it: comparator, digits, decimals, percent, one measure word (≥95%, 35人).
FIGURE = re.compile(r"[≥≤]?\d+(?:\.\d+)?%?[人次条个件篇场家]?")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    store = Store("sqlite://")
    dataset = import_document(store, read_document(FIXTURES / "seed001_2020.json"))
    path = tmp_path_factory.mktemp("seed001") / "seed001.pdf"
    build_document(dataset, path, forms=["self_evaluation"])
    document = pdfium.PdfDocument(str(path))
    pages = [page.get_textpage().get_text_range() for page in document]
    projects = selfeval.SelfEvaluationBook(dataset).projects()
    document.close()
    store.close()
    return pages, projects


def test_every_published_field_of_the_seven_projects_prints_at_its_place(printed, capsys):
    pages, _projects = printed
    source = published()
    assert len(source.rows) == 7
    result = measure(pages, source)
    with capsys.disabled():
        print(f"\nseed 001: {result.line()}")
    # Only amounts the seed writes with fewer decimals (91, 1200, 517.5) or more (80.653) than the
    # form prints differ, and those equal at the printed two decimals.
    assert result.differing == []
    assert result.matching + len(result.rounded) == result.total
    assert {seed for seed, _shown in result.rounded} <= {"91", "80.653", "1200", "517.5"}


def test_the_rate_prints_as_the_form_states_it(printed):
    pages, _projects = printed
    text = normal("".join(pages))
    # 其他一般管理事务: 76.12 ÷ 76.70 = 99.24 %, the form states 99 %
    assert "76.7076.1276.1299%保障全年文化产业宣传工作需要" in text
    assert "99.24%" not in text
    assert "7.787.787.78100%保证" in text  # 办公设备购置: 100 %, not 100.00 %
    assert "1199.961199.96100.00%促进" in text  # 区经济与科技发展专项资金 states 100.00 %
    # row numbers as published, 1..7 in the seed's order
    for number, name in enumerate(["办公设备购置", "文博会", "大芬双年展", "其他一般管理事务", "文化产业管理",
                                   "区经济与科技发展专项资金", "区人才发展专项"], start=1):
        assert re.search(rf"{number}(?:深圳市龙岗区文化产业促进中心)?{name}", text), name


def test_no_unit_code_line_where_the_seed_has_none(printed):
    pages, _projects = printed
    text = normal("".join(pages))
    assert "LG001" not in text and "年度:2020" not in text
    assert text.count("单位:万元") == len(pages)  # the seed's own line, on every page


def test_no_line_break_inside_a_figure(printed):
    pages, projects = printed
    figures = {match.group(0) for item in projects
               for text in (item.initial_goal, item.overall_result, *item.contents.values(), *item.results.values())
               for match in FIGURE.finditer(text) if len(match.group(0)) > 1}
    assert {"≥95%", "35人", "≥90%", "236篇"} <= figures
    for page in pages:
        joined, breaks = "", set()
        for line in page.split("\r\n"):
            breaks.add(len(joined))
            joined += re.sub(r"\s+", "", line)
        for figure in figures:
            for found in re.finditer(re.escape(figure), joined):
                inside = [at for at in breaks if found.start() < at < found.end()]
                assert not inside, f"{figure} broken across lines"


def test_header_cells_break_only_between_words(printed):
    pages, _projects = printed
    for page in pages:
        # from the unit line down to the first row's 序号 (a line holding only a number)
        header = page[page.index("单位：万元") + len("单位：万元"):]
        header = header[:re.search(r"\r\n\d+\r\n", header).start()]
        for piece in header.split():
            assert len(piece) > 1, f"a header line holds the single character {piece}"
            assert all(word in HEADER_WORDS for word in header_pieces(piece)), f"{piece} breaks inside a word"


def test_columns_are_weighted_and_empty_kinds_narrowed(printed):
    _pages, projects = printed
    store = Store("sqlite://")
    try:
        dataset = import_document(store, read_document(FIXTURES / "seed001_2020.json"))
        fonts = print_fonts()
        ctx = PrintContext(dataset.unit, dataset.year, dataset.money_unit, fonts)
        table = project_table(projects, ctx, Styles(fonts))
    finally:
        store.close()
    widths = table.widths
    assert abs(sum(widths) - frame_width(WIDE)) < 0.5
    keys = [kind.key for kind in selfeval.kinds()]
    first_kind = 11

    def kind_widths(key):
        column = first_kind + 2 * keys.index(key)
        return widths[column], widths[column + 1]

    cost = kind_widths("cost")  # no project fills 成本指标
    for key in ("quantity", "social", "ecological", "satisfaction"):
        assert max(cost) < min(kind_widths(key)), key
    # not equal shares: the long texts (大芬双年展's 社会效益 完成情况) get more room than short ones
    assert kind_widths("social")[1] > 1.5 * kind_widths("timeliness")[1]
    assert widths[10] > 1.5 * widths[8]  # 绩效目标整体完成情况 (long texts) against 预算支出执行率 (100.00%)
