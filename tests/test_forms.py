from app.domain.codes import default_shipped_table
from app.domain.forms import all_forms, chinese_ordinal, form_by_id

OFFICIAL_TITLES = [
    "部门预算收支总表",
    "部门预算收入总表",
    "部门预算支出总表",
    "部门预算财政拨款收支总表",
    "部门预算一般公共预算财政拨款支出表",
    "部门预算一般公共预算财政拨款基本支出表",
    "部门预算政府基金预算财政拨款支出表",  # as the published document words it (seed 004)
    "部门预算国有资本经营预算财政拨款支出表",
    "部门预算财政拨款“三公”经费支出表",
]


def test_forms_in_official_order():
    assert [form.title for form in all_forms()] == OFFICIAL_TITLES
    assert [form.number for form in all_forms()] == list(range(1, 10))


def test_every_sum_references_existing_columns_and_rows():
    function_codes = default_shipped_table("function", 2023)
    for form in all_forms():
        keys = set(form.column_keys())
        for column in form.columns:
            assert set(column.sum_of) <= keys, form.id
        if form.row_kind == "fixed":
            rows = form.fixed_rows(function_codes)
            row_keys = {row.key for row in rows}
            assert len(row_keys) == len(rows), f"duplicate row keys in {form.id}"
            for row in rows:
                assert set(row.sum_of) <= row_keys, (form.id, row.key)
                assert set(row.cells) <= keys, (form.id, row.key)


def test_income_expenditure_summary_lists_every_class_with_ordinals():
    rows = form_by_id("income_expenditure_summary").fixed_rows(default_shipped_table("function", 2023))
    expenditure = [row for row in rows if row.side == "expenditure" and row.band == "body"]
    assert expenditure[0].title == "一、一般公共服务支出"
    assert expenditure[6].title == "七、文化旅游体育与传媒支出"
    assert expenditure[-1].title.endswith("、人行科目")
    assert chinese_ordinal(10) == "十" and chinese_ordinal(21) == "二十一" and chinese_ordinal(30) == "三十"
