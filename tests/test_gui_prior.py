"""视图 → 显示上年数: 上年 and 增减 beside every amount, read-only, with the column mapping intact."""

from decimal import Decimal

from PySide6.QtCore import QSettings, Qt

from app.domain.prior import change_label, change_of, prior_cells
from tests.test_gui_editor import find_cell, shown, tab, type_into
from ui.editor.grid_model import PRIOR_SETTING


def _previous_year(store) -> None:
    store.create_dataset("359", 2022)
    previous = store.open_dataset("359", 2022)
    previous.set_cell("expenditure_summary", "2070699", "basic", "500.00")
    previous.set_cell("expenditure_summary", "2070699", "project", "367.45")
    previous.set_cell("three_public_expenses", "reception", "general_budget", "0.46")


def column_titled(model, row_key, column_key, kind):
    """The 上年 / 增减 index beside one amount cell."""
    for column, grid_column in enumerate(model.grid_columns):
        if grid_column.kind == kind and grid_column.column_key == column_key:
            line = find_cell_line(model, row_key)
            return model.index(line, column)
    raise AssertionError(f"no {kind} column for {column_key}")


def find_cell_line(model, row_key):
    return next(line for line in range(model.rowCount()) if model.row_key_at(line) == row_key)


def test_change_is_exact_and_blank_without_last_year():
    assert change_of(Decimal("582.20"), Decimal("500.00")) == (Decimal("82.20"), Decimal("16.4"))
    assert change_label(Decimal("582.20"), Decimal("500.00")) == "+82.20（+16.4%）"
    assert change_label(Decimal("400"), Decimal("500.00")) == "-100.00（-20.0%）"
    assert change_label(Decimal("5"), Decimal("0")) == "+5.00（新增）"
    assert change_label(Decimal("5"), Decimal("5")) == "0.00"
    assert change_label(Decimal("5"), None) == ""
    # a half is rounded up, as a clerk rounds (not to the even digit): 0.25% → 0.3%, 0.35% → 0.4%
    assert change_of(Decimal("100.25"), Decimal("100.00"))[1] == Decimal("0.3")
    assert change_of(Decimal("100.35"), Decimal("100.00"))[1] == Decimal("0.4")


def test_prior_cells_from_the_database_else_typed(store, seed_dataset):
    # seed 004 carries typed 上年数 for the narrative's quantities (no 2022 dataset yet)
    typed = prior_cells(seed_dataset, "expenditure_summary")
    assert typed[("total", "basic")] == Decimal("650.84")
    assert ("2070699", "basic") not in typed
    _previous_year(store)
    cells = prior_cells(seed_dataset, "expenditure_summary")
    assert cells[("2070699", "basic")] == Decimal("500.00")
    assert cells[("total", "basic")] == Decimal("500.00")
    assert ("2080502", "basic") not in cells  # a row absent last year: no value


def test_toggle_shows_prior_and_change_and_keeps_editing_mapped(qtbot, window, store):
    _previous_year(store)
    action = window.show_prior_action
    assert window.findChild(type(window.menuBar()), "menu_bar").findChild(type(window.file_menu), "view_menu")
    expenditure = tab(window, "expenditure_summary")
    model = expenditure.model
    columns_off = model.columnCount()
    assert not any(model.is_auxiliary(c) for c in range(columns_off))

    action.trigger()
    assert QSettings().value(PRIOR_SETTING) in (True, "true")
    amounts = sum(1 for column in model.grid_columns if column.kind == "amount")
    assert model.columnCount() == columns_off + 2 * amounts
    # headers: the amount, then 上年, then 增减 (under the same group titles)
    basic = find_cell(expenditure, "2070699", "basic").column()
    assert model.headerData(basic + 1, Qt.Orientation.Horizontal) == "上年"
    assert model.headerData(basic + 2, Qt.Orientation.Horizontal) == "增减"
    assert model.grid_columns[basic + 1].header[:-1] == model.grid_columns[basic].header[:-1]
    prior = column_titled(model, "2070699", "basic", "prior")
    change = column_titled(model, "2070699", "basic", "change")
    assert prior.data() == "500.00"
    assert change.data() == "+82.20（+16.4%）"
    assert not model.flags(prior) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(change) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(prior, "1") is False
    # a row absent last year shows blank
    assert column_titled(model, "2080502", "basic", "prior").data() == ""
    assert column_titled(model, "2080502", "basic", "change").data() == ""

    # typing a new amount writes the right cell and moves 增减
    type_into(qtbot, expenditure, "2070699", "basic", "600")
    assert shown(expenditure, "2070699", "basic") == "600.00"
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "basic") == Decimal("600.00")
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "project") is not None
    assert column_titled(model, "2070699", "basic", "change").data() == "+100.00（+20.0%）"
    assert column_titled(model, "2070699", "basic", "prior").data() == "500.00"

    # Tab steps from amount to amount, over 上年 / 增减
    table = expenditure.table
    table.setFocus()
    table.setCurrentIndex(find_cell(expenditure, "2070699", "basic"))
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert model.cell_key(table.currentIndex()) == ("2070699", "project")
    qtbot.keyClick(table, Qt.Key.Key_Backtab)
    assert model.cell_key(table.currentIndex()) == ("2070699", "basic")

    # copy leaves 上年 / 增减 out; the block pastes into the same cells it came from
    table.selectionModel().clearSelection()
    table.setCurrentIndex(find_cell(expenditure, "2070699", "basic"))
    table.selectionModel().select(
        model.index(table.currentIndex().row(), find_cell(expenditure, "2070699", "project").column()),
        table.selectionModel().SelectionFlag.Select)
    copied = table.copy_selection()
    assert copied.split("\t") == ["600.00", model.data(find_cell(expenditure, "2070699", "project"),
                                                       Qt.ItemDataRole.EditRole)]
    table.selectionModel().clearSelection()
    table.setCurrentIndex(find_cell(expenditure, "2070699", "basic"))
    table.paste("610\t370")
    dataset = store.open_dataset("359", 2023)
    assert dataset.value("expenditure_summary", "2070699", "basic") == Decimal("610.00")
    assert dataset.value("expenditure_summary", "2070699", "project") == Decimal("370.00")
    assert column_titled(model, "2070699", "project", "change").data() == "+2.55（+0.7%）"

    # the other tables follow the same switch (two-sided table too), data-driven
    summary = tab(window, "income_expenditure_summary")
    assert any(summary.model.is_auxiliary(c) for c in range(summary.model.columnCount()))
    three = tab(window, "three_public_expenses")
    assert column_titled(three.model, "reception", "general_budget", "prior").data() == "0.46"

    # off: the columns are gone and editing still addresses the right cell
    action.trigger()
    assert model.columnCount() == columns_off
    assert QSettings().value(PRIOR_SETTING) in (False, "false")
    type_into(qtbot, expenditure, "2070699", "basic", "620")
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "basic") == Decimal("620.00")
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "project") == Decimal("370.00")


def test_setting_is_remembered_for_the_next_window(qtbot, window, store):
    window.show_prior_action.trigger()
    from ui.window.main_window import MainWindow

    second = MainWindow(store)
    qtbot.addWidget(second)
    second.open_dataset("359", 2023)
    assert second.show_prior_action.isChecked()
    model = second.form_tabs["expenditure_summary"].model
    assert any(model.is_auxiliary(c) for c in range(model.columnCount()))
    # typed 上年数 (seed 004, no 2022 dataset): shown where the form has them, blank elsewhere
    total = find_cell(second.form_tabs["expenditure_summary"], "total", "basic")
    assert model.index(total.row(), total.column() + 1).data() == "650.84"
    leaf = find_cell(second.form_tabs["expenditure_summary"], "2070699", "basic")
    assert model.index(leaf.row(), leaf.column() + 1).data() == ""
