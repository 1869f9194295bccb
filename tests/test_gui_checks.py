"""Live checks in the GUI: the findings dock follows typing, points at cells, takes explanations."""

from PySide6.QtCore import Qt

from tests.test_gui_editor import find_cell, tab, type_into
from ui.grid_model import ERROR_BACKGROUND


def test_typing_updates_findings_counts_and_cell_marks(qtbot, window):
    dock = window.findings_dock
    assert dock.tree.topLevelItemCount() == 0
    assert window.counts_label.text() == "错误 0　提示 0"
    basic = tab(window, "general_budget_basic_expenditure")
    type_into(qtbot, basic, "30201", "personnel", "1")
    assert window.counts_label.text().startswith("错误 2")  # T06 totals differ, T08 wrong column
    rules = [dock.tree.topLevelItem(i).text(1) for i in range(dock.tree.topLevelItemCount())]
    assert set(rules) == {"T06", "T08"}
    marked = find_cell(basic, "30201", "personnel").data(Qt.ItemDataRole.BackgroundRole)
    assert marked.color() == ERROR_BACKGROUND
    assert "属于公用经费" in find_cell(basic, "30201", "personnel").data(Qt.ItemDataRole.ToolTipRole)

    # clicking the T06 finding opens the other table at the cell
    item = next(dock.tree.topLevelItem(i) for i in range(dock.tree.topLevelItemCount())
                if dock.tree.topLevelItem(i).text(1) == "T06")
    dock.tree.itemClicked.emit(item, 0)
    current = window.tabs.currentWidget()
    assert current.form.id == "general_budget_expenditure"
    assert current.model.cell_key(current.table.currentIndex()) == ("total", "basic")

    window.undo()
    assert window.counts_label.text() == "错误 0　提示 0"
    assert dock.tree.topLevelItemCount() == 0


def test_warning_explanation_and_submission(qtbot, window, store):
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "reception", "general_budget", "0.50")
    assert window.counts_label.text() == "错误 0　提示 1"
    reports = []
    assert not window.toggle_submitted(report=lambda title, text: reports.append(text))
    assert "T09" in reports[0] and "缺少说明" in reports[0]
    dock = window.findings_dock
    dock.tree.setCurrentItem(dock.tree.topLevelItem(0))
    assert dock.explain_selected(text="含项目支出中的公务接待费 0.07 万元。")
    assert dock.tree.topLevelItem(0).text(4) == "含项目支出中的公务接待费 0.07 万元。"
    assert window.toggle_submitted(report=lambda title, text: reports.append(text))
    assert "已上报" in window.windowTitle()
    assert not three.model.flags(find_cell(three, "reception", "general_budget")) & Qt.ItemFlag.ItemIsEditable
    assert store.open_dataset("359", 2023).status == "submitted"
