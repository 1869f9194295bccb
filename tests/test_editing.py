"""app.store.editing: one edit written through the door, followed links carried, exactly the affected
rules run again — and the live findings always equal a full 审核 of what is stored."""

from decimal import Decimal

from app.checks.rules import Checker, rules_reading
from app.domain.cells import CellChange
from app.domain.links import link_by_id
from app.store.audit import history
from app.store.editing import DatasetEditing, cells_read


def full_check(store, dataset):
    """A 审核 of the stored dataset from scratch, as another process would see it."""
    fresh = store.open_dataset(dataset.unit_code, dataset.year)
    return sorted((f.rule, f.severity, f.message) for f in Checker(fresh).run_all())


def live(editing):
    return sorted((f.rule, f.severity, f.message) for f in editing.checker.findings())


def test_an_edit_returns_the_doors_changes_with_the_linked_figures_and_the_rules_run(store, seed_dataset):
    editing = DatasetEditing(seed_dataset)
    editing.follow(link_by_id("general_budget_from_expenditure"), True)
    editing.follow(link_by_id("income_fiscal_from_fiscal_expenditure"), True)
    added = editing.add_row("expenditure_summary", "2130101")
    assert added.changes.structure == {"expenditure_summary"} and not added.changes.cells

    result = editing.write_cells([CellChange("expenditure_summary", "2130101", "project", Decimal("4"))])

    assert result.changes.cells == {("expenditure_summary", "2130101", "project"),
                                    ("general_budget_expenditure", "2130101", "project"),
                                    ("income_summary", "2130101", "fiscal_appropriation")}
    assert result.changes.structure == {"general_budget_expenditure", "income_summary"}
    assert [(c.form, c.value) for c in result.written] == [
        ("expenditure_summary", Decimal("4")), ("general_budget_expenditure", Decimal("4.00")),
        ("income_summary", Decimal("4.00"))]
    expected = {rule.id for form, _row, column in cells_read(result.changes) for rule in rules_reading(form, column)}
    assert result.rechecked == expected
    assert {rule.id for form, _row, column in result.changes.cells for rule in rules_reading(form, column)} <= expected
    assert live(editing) == full_check(store, seed_dataset)
    # durable at once, each linked figure in the trail
    reopened = store.open_dataset("359", 2023)
    assert reopened.value("income_summary", "2130101", "fiscal_appropriation") == Decimal("4.00")
    trail = history(store, "359", 2023, form="general_budget_expenditure", row="2130101")
    assert [(entry.column, entry.new) for entry in trail if entry.column] == [("project", "4.00")]


def test_removing_and_restoring_a_row_keeps_the_live_checks_equal_to_a_full_run(store, seed_dataset):
    editing = DatasetEditing(seed_dataset)
    editing.add_row("expenditure_summary", "2130101")
    editing.write_cells([CellChange("expenditure_summary", "2130101", "basic", Decimal("9"))])
    assert live(editing) == full_check(store, seed_dataset)
    rows, values = seed_dataset.row_snapshot("expenditure_summary", "2130101")

    removed = editing.remove_row("expenditure_summary", "2130101")
    assert removed.changes.structure == {"expenditure_summary"}
    assert ("expenditure_summary", "2130101", "basic") in removed.changes.cells
    assert live(editing) == full_check(store, seed_dataset)

    restored = editing.restore_rows("expenditure_summary", rows, values)
    assert restored.changes.structure == {"expenditure_summary"}
    assert live(editing) == full_check(store, seed_dataset)


def test_a_link_that_no_longer_holds_is_skipped_and_the_checks_say_so(store, seed_dataset):
    editing = DatasetEditing(seed_dataset)
    editing.follow(link_by_id("general_budget_from_expenditure"), True)
    editing.add_row("government_fund_expenditure", "2130101")
    editing.write_cells([CellChange("government_fund_expenditure", "2130101", "basic", Decimal("3"))])
    before = seed_dataset.value("general_budget_expenditure", "2070699", "basic")

    result = editing.write_cells([CellChange("expenditure_summary", "2070699", "basic", Decimal("600"))])

    assert result.changes.cells == {("expenditure_summary", "2070699", "basic")}  # nothing carried
    assert seed_dataset.value("general_budget_expenditure", "2070699", "basic") == before
    assert any(f.severity == "error" for f in editing.checker.findings())
    assert live(editing) == full_check(store, seed_dataset)
