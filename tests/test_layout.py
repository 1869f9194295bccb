from app.domain.forms import form_by_id
from app.domain.layout import column_title_path, header_levels, two_sided_lines


def test_two_sided_lines_match_the_printed_seed(seed_dataset):
    lines = two_sided_lines(seed_dataset.view("income_expenditure_summary").rows)
    assert len(lines) == 34
    assert lines[0].income.title == "一、一般公共预算拨款收入"
    assert lines[0].expenditure.title == "一、一般公共服务支出"
    assert lines[9].income is None and lines[9].expenditure.title == "十、卫生健康支出"
    assert (lines[31].income.title, lines[31].expenditure.title) == ("本年收入合计", "本年支出合计")
    assert (lines[33].income.title, lines[33].expenditure.title) == ("收入总计", "支出总计")
    fiscal = two_sided_lines(seed_dataset.view("fiscal_income_expenditure_summary").rows)
    assert len(fiscal) == 37
    assert fiscal[33].income.title == "一、一般公共预算拨款" and fiscal[33].expenditure is None
    assert (fiscal[36].income.title, fiscal[36].expenditure.title) == ("收入总计", "支出总计")


def test_header_paths():
    form = form_by_id("income_summary")
    assert header_levels(form) == 2
    assert column_title_path(form.column("total"), 2) == ["合计", None]
    assert column_title_path(form.column("operating"), 2) == ["本年收入", "经营收入"]
