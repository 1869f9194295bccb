"""A project's fund breakdown at entry: 本级财政 = amount for a unit funded only by 一般公共预算."""

from decimal import Decimal

import pytest

from app.base.errors import InputError
from app.checks.rules import check_dataset
from app.projects import Project, ProjectBook
from app.projects.funds import amount_changes, fund_status, funded_by_general_budget_only, set_amount
from app.store.audit import history

D = Decimal


def project_named(book, name):
    return next(p for p in book.list_projects() if p.name == name)


def p17_names(dataset):
    """The projects the P17 提示 (no fund breakdown) points at."""
    return [cell.row for f in check_dataset(dataset) if f.rule == "P17" for cell in f.cells]


def test_seed_unit_is_funded_only_by_general_budget(seed_dataset):
    assert funded_by_general_budget_only(seed_dataset)


def test_amount_fills_local_fiscal_and_follows_until_the_clerk_changes_it(store, seed_dataset):
    book = ProjectBook(seed_dataset)
    change = book.add_project(Project(name="档案数字化项目"))
    project_id = change.after.project_id
    assert fund_status(book.get_project(project_id), "万元") == ""  # no amount: nothing to ask yet
    set_amount(book, project_id, "30")
    project = book.get_project(project_id)
    assert (project.amount, project.local_fiscal, project.fiscal_appropriation) == (D("30.00"),) * 3
    assert project.higher_level is None and project.other_funds is None
    assert fund_status(project, "万元") == ""
    # audited through the door: the amount and both fund rows, each as its own entry
    entries = {(r.column, r.new) for r in history(store, "359", 2023) if r.row == "项目“档案数字化项目”"}
    assert {("本年度预算安排数", "30.00"), ("本级财政", "30.00"), ("财政拨款", "30.00")} <= entries
    # a new amount moves the default with it
    set_amount(book, project_id, "32.5")
    project = book.get_project(project_id)
    assert (project.local_fiscal, project.fiscal_appropriation) == (D("32.50"), D("32.50"))
    # the clerk's own breakdown is never touched
    book.update_project_fields(project_id, local_fiscal=D("20"), higher_level=D("12.50"))
    set_amount(book, project_id, "40")
    project = book.get_project(project_id)
    assert (project.local_fiscal, project.higher_level) == (D("20.00"), D("12.50"))
    assert "不一致" in fund_status(project, "万元")
    assert any(f.rule == "P05" and "档案数字化项目" in f.message for f in check_dataset(seed_dataset))
    # clearing the amount of a default breakdown clears the default rows too
    other = book.add_project(Project(name="临时项目")).after.project_id
    set_amount(book, other, "5")
    set_amount(book, other, "")
    project = book.get_project(other)
    assert (project.amount, project.local_fiscal, project.fiscal_appropriation) == (None, None, None)


def test_bad_amount_changes_nothing(seed_dataset):
    book = ProjectBook(seed_dataset)
    project_id = book.add_project(Project(name="档案数字化项目")).after.project_id
    version = seed_dataset.stored_version()
    with pytest.raises(InputError, match="小数"):
        set_amount(book, project_id, "12.3456789")
    with pytest.raises(InputError):
        set_amount(book, project_id, "十二元")
    assert seed_dataset.stored_version() == version
    assert book.get_project(project_id).local_fiscal is None


def test_other_income_asks_the_clerk_and_p17_while_missing(store, seed_dataset):
    seed_dataset.set_cell("income_summary", "2070699", "public_institution", "10.00")  # 事业收入: not only 一般公共预算
    assert not funded_by_general_budget_only(seed_dataset)
    book = ProjectBook(seed_dataset)
    project_id = book.add_project(Project(name="档案数字化项目")).after.project_id
    changes = amount_changes(seed_dataset, book.get_project(project_id), "30")
    assert changes == {"amount": D("30.00")}
    set_amount(book, project_id, "30")
    project = book.get_project(project_id)
    assert project.local_fiscal is None and project.fiscal_appropriation is None
    assert fund_status(project, "万元").startswith("请填写资金来源")
    assert "档案数字化项目" in p17_names(seed_dataset)
    book.update_project_fields(project_id, local_fiscal=D("20"), other_funds=D("10"))
    assert fund_status(book.get_project(project_id), "万元") == ""
    assert "档案数字化项目" not in p17_names(seed_dataset)
