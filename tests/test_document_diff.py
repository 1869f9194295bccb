"""One diff model (issue 23): a plain package import shows the brief ``summary`` of the same
``DocumentDiff`` that the resubmission dialog and ``import-package --diff`` show in full."""

import copy

from app.domain.forms import form_by_id
from app.exchange.document_diff import diff_documents
from tests.test_resubmission import EXPECTED, held_document, newer_document


def test_the_summary_of_a_plain_import_is_read_off_the_parts():
    diff = diff_documents(held_document(), newer_document())
    assert [part.key for part in diff.parts] == list(EXPECTED)  # the full model, as the resubmission shows it
    summary = diff.summary()
    # the four cells of the two tables, in the form's words (no code tables given: rows by their codes)
    expenditure, three_public = form_by_id("expenditure_summary").title, form_by_id("three_public_expenses").title
    assert summary[:5] == [
        "单元格：4 处不同",
        f"  《{expenditure}》2070699 / 基本支出：582.20 → 600.00",
        f"  《{expenditure}》2130101 / 基本支出：（空） → 5.00",
        f"  《{expenditure}》2210201 / 基本支出：34.91 → （空）",
        f"  《{three_public}》reception / 资金性质—一般公共预算财政拨款：0.43 → 0.50",
    ]
    assert summary[5:] == [
        "新增项目：“新媒体推广费”",
        "删除项目：“作协办刊费用”",
        "修改项目：“报刊机构合作宣传费”",
        "说明/情况说明：说明 T09、情况说明 其他需要说明的事项",
        "增加的科目行：不同",
        "单位情况、上年数与增减原因：不同",
        "绩效自评：不同",
    ]
    assert [(line.row, line.column) for line in diff.cells] == [
        ("2070699", "basic"), ("2130101", "basic"), ("2210201", "basic"), ("reception", "general_budget")]


def test_the_summary_limits_the_cells_it_lists():
    diff = diff_documents(held_document(), newer_document())
    summary = diff.summary(limit=1)
    assert summary[0] == "单元格：4 处不同" and summary[2] == "  ……另有 3 处"


def test_same_documents_differ_in_nothing_and_a_unit_only_change_can_be_left_out():
    held = held_document()
    assert diff_documents(held, copy.deepcopy(held)).summary() == ["数据包与现有数据相同，没有差异。"]
    moved = copy.deepcopy(held)
    moved["unit"]["parent_code"] = "801"  # what a 主管部门 sets on receipt
    diff = diff_documents(held, moved)
    assert not diff.is_empty() and [part.key for part in diff.parts] == ["unit"]
    assert diff.summary() == ["单位信息：不同"]
    assert diff.without("unit").is_empty()


def test_a_different_money_unit_is_named_in_the_summary():
    held = held_document()
    other = copy.deepcopy(held)
    other["money_unit"] = "元"
    assert diff_documents(held, other).summary()[-1] == "金额单位：不同"
