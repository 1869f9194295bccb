"""汇总表 (seed 002): a project's 绩效指标 is one cell, divided between pages only when taller than a page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app.domain.records import UnitInfo
from app.printing import build_document
from app.printing.grid import GridRow, RunTable, paragraph
from app.printing.styles import SMALL_LEADING
from app.printing.targets import indicator_sentence
from app.projects import Indicator, Project, ProjectBook
from tests.test_printing import Pdf

HEADER = "项目名称（资金使用单位）总计财政拨款财政专户拨款其他资金绩效目标绩效指标"


def indicators(prefix: str, count: int) -> list[Indicator]:
    return [Indicator("1", "11", f"第{n}项{prefix}数量指标名称", comparator="≥", value=str(n), unit="件",
                      period_value=f"累计{n * 3}件") for n in range(1, count + 1)]


@pytest.fixture
def department(store):
    store.create_unit(UnitInfo(code="906", name="区委宣传部"))
    store.create_dataset("906", 2023)
    return store.open_dataset("906", 2023)


def add(book, name, amount, found):
    book.add_project(Project(name, amount=Decimal(amount), fiscal_appropriation=Decimal(amount),
                             annual_goal=f"{name}的年度目标。", indicators=found))


def cell_text(pdf: Pdf, name: str) -> str:
    """The indicator text as printed, page after page: headers, footers and （续） marks taken out."""
    pages = []
    for page in pdf.flat:
        body = page[page.index(HEADER) + len(HEADER):] if HEADER in page else page
        pages.append(re.sub(r"第\d+页共\d+页", "", body.replace(f"{name}（续）", "")))
    return "".join(pages)


def test_a_cell_taller_than_a_page_continues_on_the_next_pages(department, tmp_path):
    book = ProjectBook(department)
    add(book, "理论学习经费", "210", indicators("学习", 1))
    big = indicators("宣传品制作", 150)
    add(book, "大型宣传项目", "500", big)
    add(book, "报刊征订", "98", [Indicator("2", "22", "社会效益", comparator="定性", value="明显提升")])
    result = build_document(department, tmp_path / "tall.pdf", forms=["project_targets_summary"])
    pdf = Pdf(tmp_path / "tall.pdf")
    assert result.pages == len(pdf.flat) >= 4
    # it starts on the first page, under the project before it (no half-empty first page)
    assert indicator_sentence(1, big[0]) in pdf.page(1)
    # every page it continues on repeats the column header and names the project with （续）; the
    # amounts and the goal are not printed twice
    for page in pdf.flat[1:]:
        assert HEADER in page and "大型宣传项目（续）" in page
        assert "500.00" not in page and "大型宣传项目的年度目标" not in page
    assert pdf.flat[0].count("500.00") == 2  # 总计 and 财政拨款 once, besides the totals (808.00)
    # all 150 indicators, in order, nothing lost at a page break
    text = cell_text(pdf, "大型宣传项目")
    sentences = "".join(indicator_sentence(n, ind) for n, ind in enumerate(big, start=1))
    assert sentences in text
    # the project after it follows on the last page, in one cell
    assert "报刊征订" in pdf.flat[-1] and "报刊征订（续）" not in "".join(pdf.flat)


def test_cells_that_fit_a_page_stay_whole(department, tmp_path):
    book = ProjectBook(department)
    lists = {name: indicators(name, 24) for name in ("甲项目", "乙项目", "丙项目", "丁项目")}
    for name, found in lists.items():
        add(book, name, "10", found)
    build_document(department, tmp_path / "whole.pdf", forms=["project_targets_summary"])
    pdf = Pdf(tmp_path / "whole.pdf")
    assert len(pdf.flat) > 1  # the four do not fit one page …
    everything = "".join(pdf.flat)
    assert "（续）" not in everything
    for name, found in lists.items():  # … but each cell is printed whole on one page
        sentences = "".join(indicator_sentence(n, ind) for n, ind in enumerate(found, start=1))
        assert sum(sentences in page for page in pdf.flat) == 1, name


def test_run_table_divides_a_row_with_empty_cells(store):
    """A row taller than a page whose other cells are empty (blank amounts) is still divided."""
    from reportlab.lib.styles import ParagraphStyle

    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=SMALL_LEADING)
    long = paragraph(" ".join(f"word{n}" for n in range(3000)), style)
    row = GridRow([paragraph("name", style), paragraph("", style), long], continued={0: paragraph("name (cont.)", style)})
    table = RunTable([60, 40, 200], [GridRow(["a", "b", "c"])], [GridRow(["x", "", "y"]), row], [], [],
                     padding=(2, 2, 2, 2), leading=SMALL_LEADING, page_height=300)
    parts = table.split(300, 200)
    assert len(parts) == 2
    first, rest = parts
    assert len(first.body) == 2 and first.body[1].cells[0] is row.cells[0]  # begun on this page
    assert rest.body[0].cells[0].getPlainText() == "name (cont.)" and rest.body[0].cells[1] == ""
    assert first.wrap(300, 200)[1] <= 200 + 1e-6
