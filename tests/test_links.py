"""resources/links.json: every link names real forms and columns; applying one through the core."""

from decimal import Decimal

from app.domain.cells import CellChange
from app.domain.links import all_links, link_by_id, planned
from app.store.editing import DatasetEditing


def test_links_are_data_over_real_forms_and_columns():
    links = all_links()
    assert {link.id for link in links} == {"general_budget_from_expenditure", "income_fiscal_from_fiscal_expenditure"}
    assert link_by_id("general_budget_from_expenditure").sources == {"expenditure_summary"}


def test_seed_is_already_in_step_and_a_new_row_is_carried_and_followed(seed_dataset):
    for link in all_links():
        assert planned(seed_dataset, link) == ([], [])
    seed_dataset.add_row("expenditure_summary", "2130101")
    seed_dataset.set_cell("expenditure_summary", "2130101", "project", "4")
    link = link_by_id("general_budget_from_expenditure")
    rows, changes = planned(seed_dataset, link)
    assert rows == ["2130101"] and [(c.row, c.column, c.value) for c in changes] == [("2130101", "project", Decimal("4.00"))]
    editing = DatasetEditing(seed_dataset)
    added, cells = editing.carry_rows(link)
    assert added.changes.structure == {"general_budget_expenditure"}
    editing.write_cells(cells)
    assert seed_dataset.value("general_budget_expenditure", "2130101", "project") == Decimal("4.00")
    editing.follow(link, True)
    result = editing.write_cells([CellChange("expenditure_summary", "2130101", "project", Decimal("6"))])
    written = result.written[1:]  # after the cell asked for: what the followed link carried
    assert [(c.form, c.value) for c in written] == [("general_budget_expenditure", Decimal("6.00"))]
