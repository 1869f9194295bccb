from decimal import Decimal

import pytest

from app.base.errors import ConflictError, InputError, NotFoundError
from app.domain.records import UnitInfo
from tests.conftest import explain_all_findings


@pytest.fixture
def dataset(store):
    store.create_unit(UnitInfo(code="101", name="测试局", nature="行政"))
    store.create_dataset("101", 2024)
    return store.open_dataset("101", 2024)


def test_entering_a_leaf_updates_parents_and_totals(dataset):
    dataset.set_cell("expenditure_summary", "2010101", "basic", "12.5")
    dataset.set_cell("expenditure_summary", "2010102", "project", "1,000")
    assert dataset.value("expenditure_summary", "20101", "total") == Decimal("1012.50")
    assert dataset.value("expenditure_summary", "201", "basic") == Decimal("12.50")
    assert dataset.value("expenditure_summary", "total", "total") == Decimal("1012.50")
    assert dataset.value("income_expenditure_summary", "exp_201", "amount") == Decimal("1012.50")
    rows = [row.key for row in dataset.view("expenditure_summary").rows]
    assert rows == ["total", "201", "20101", "2010101", "2010102"]


@pytest.mark.parametrize(
    ("form", "row", "column", "value", "message"),
    [
        ("expenditure_summary", "total", "basic", "1", "合计行由系统计算"),
        ("expenditure_summary", "2010101", "total", "1", "由系统计算"),
        ("expenditure_summary", "2010101", "basic", "abc", "不是有效的金额"),
        ("expenditure_summary", "2010101", "basic", "1.0000001", "小数超过 6 位"),
        ("expenditure_summary", "2010101", "basic", "-3", "负数"),
        ("expenditure_summary", "9999999", "basic", "1", "不在"),
        ("three_public_expenses", "abroad", "general_budget", "1", "由系统计算"),
        ("income_expenditure_summary", "exp_201", "amount", "1", "由系统计算"),
    ],
)
def test_bad_cell_input_is_refused_and_changes_nothing(dataset, store, form, row, column, value, message):
    dataset.set_cell("expenditure_summary", "2010101", "basic", "5")
    before = dataset.entered_values()
    with pytest.raises(InputError, match=message):
        dataset.set_cell(form, row, column, value)
    assert dataset.entered_values() == before
    assert store.open_dataset("101", 2024).entered_values() == before


def test_unknown_form_or_column(dataset):
    with pytest.raises(NotFoundError, match="没有表样"):
        dataset.set_cell("nope", "x", "y", "1")
    with pytest.raises(NotFoundError, match="没有“nope”这一栏"):
        dataset.set_cell("expenditure_summary", "2010101", "nope", "1")


def test_parent_with_value_blocks_children_and_vice_versa(dataset):
    dataset.set_cell("general_budget_basic_expenditure", "302", "public", "3")
    with pytest.raises(InputError, match="上级科目 302"):
        dataset.set_cell("general_budget_basic_expenditure", "30201", "public", "1")
    with pytest.raises(InputError, match="上级科目 302"):
        dataset.add_row("general_budget_basic_expenditure", "30201")
    dataset.clear_cell("general_budget_basic_expenditure", "302", "public")
    dataset.set_cell("general_budget_basic_expenditure", "30201", "public", "1")
    with pytest.raises(InputError, match="有下级科目"):
        dataset.set_cell("general_budget_basic_expenditure", "302", "public", "3")


def test_rows_can_be_added_and_removed(dataset, store):
    dataset.add_row("expenditure_summary", "2080505")
    assert [row.key for row in dataset.view("expenditure_summary").rows] == ["total", "208", "20805", "2080505"]
    dataset.set_cell("expenditure_summary", "2080505", "basic", "2")
    dataset.remove_row("expenditure_summary", "208")
    assert [row.key for row in store.open_dataset("101", 2024).view("expenditure_summary").rows] == ["total"]


def test_unit_and_dataset_errors(store):
    with pytest.raises(InputError, match="单位名称"):
        store.create_unit(UnitInfo(code="1", name=" "))
    store.create_unit(UnitInfo(code="1", name="部门"))
    store.create_unit(UnitInfo(code="1001", name="所属单位", parent_code="1"))
    assert store.get_unit("1001").parent_code == "1"
    with pytest.raises(ConflictError):
        store.create_unit(UnitInfo(code="1", name="again"))
    with pytest.raises(NotFoundError, match="上级单位"):
        store.create_unit(UnitInfo(code="2", name="x", parent_code="404"))
    with pytest.raises(InputError, match="预算年度"):
        store.create_dataset("1", 20244)
    with pytest.raises(InputError, match="金额单位"):
        store.create_dataset("1", 2024, "千元")
    store.create_dataset("1", 2024, "元")
    with pytest.raises(ConflictError):
        store.create_dataset("1", 2024)
    with pytest.raises(NotFoundError, match="没有 2030 年度"):
        store.open_dataset("1", 2030)


def test_submitted_dataset_is_read_only(dataset):
    explain_all_findings(dataset)  # an empty year has 提示 too (N01: 部门职责 and 上年数 not filled in)
    dataset.set_status("submitted")
    with pytest.raises(ConflictError, match="已上报"):
        dataset.set_cell("expenditure_summary", "2010101", "basic", "1")


def test_partial_cache_invalidation_matches_a_fresh_computation(seed_dataset):
    import random

    from app.domain.compute import Workbook
    from app.domain.forms import all_forms

    rng = random.Random(7)
    cells = [("expenditure_summary", "2070699", "basic"), ("expenditure_summary", "2101103", "project"),
             ("general_budget_expenditure", "2080505", "basic"), ("income_summary", "2210201", "other"),
             ("general_budget_basic_expenditure", "30217", "public"), ("three_public_expenses", "reception", "general_budget")]
    for _ in range(40):
        form, row, column = rng.choice(cells)
        for other in all_forms():  # read everything so that stale cached figures would show
            seed_dataset.view(other.id)
        seed_dataset.set_cell(form, row, column, None if rng.random() < 0.2 else str(rng.randint(0, 99999) / 100))
        fresh = Workbook(seed_dataset.codes, seed_dataset.workbook.values, seed_dataset.workbook.present_rows)
        for other in all_forms():
            assert seed_dataset.view(other.id).values == fresh.view(other.id).values, other.id
