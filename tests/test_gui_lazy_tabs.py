"""The main window builds a tab when it is first shown: the first paint builds one of seventeen, and a tab
built late edits, totals and checks exactly as one built at once."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.test_gui_checks import SEED_WARNINGS, listed_rules
from tests.test_gui_editor import find_cell, shown, type_into
from ui.editor.form_editor import FormTab
from ui.editor.grid_model import ERROR_BACKGROUND
from ui.editor.narrative_tab import NarrativeTab
from ui.projects.projects_tab import ProjectsTab
from ui.projects.selfeval_tabs import ProjectSelfEvaluationTab


def built_pages(window) -> list:
    return [page for i in range(window.tabs.count()) if (page := window.tabs.built_widget(i)) is not None]


def index_of_title(window, title: str) -> int:
    return next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == title)


def test_only_the_shown_tab_is_built_until_another_is_shown(qtbot, window):
    QApplication.processEvents()  # the first paint
    assert window.tabs.count() == 17  # 9 forms, 8 list and text pages
    assert window.tabs.currentIndex() == 0
    assert [page.objectName() for page in built_pages(window)] == ["tab_income_summary"]
    assert len(window.findChildren(FormTab)) == 1  # the other 16 pages do not exist at all
    assert not window.findChildren(ProjectsTab) and not window.findChildren(NarrativeTab)
    assert window.counts_label.text() == f"错误 0　提示 {SEED_WARNINGS}"  # the 审核 summary is there already
    assert len(listed_rules(window.findings_dock)) == SEED_WARNINGS

    window.tabs.setCurrentIndex(index_of_title(window, "项目绩效目标"))  # the clerk clicks the tab
    QApplication.processEvents()
    assert len(window.findChildren(ProjectsTab)) == 1
    assert window.tabs.currentWidget() is window.projects_tab  # the attribute is the page built on show
    assert window.projects_tab.list.count() > 0  # and it shows the dataset's projects
    assert len(built_pages(window)) == 2
    assert not window.findChildren(ProjectSelfEvaluationTab)

    window.tabs.setCurrentIndex(index_of_title(window, "项目绩效自评"))
    QApplication.processEvents()
    assert len(window.findChildren(ProjectSelfEvaluationTab)) == 1
    assert len(built_pages(window)) == 3


def test_a_tab_built_late_updates_totals_and_the_check_panel(qtbot, window):
    dock = window.findings_dock
    seed_rules = listed_rules(dock)
    basic_index = index_of_title(window, "基本支出表")
    assert window.tabs.built_widget(basic_index) is None
    window.tabs.setCurrentIndex(basic_index)  # shown for the first time, after the dataset opened
    basic = window.tabs.currentWidget()
    assert isinstance(basic, FormTab) and basic.form.id == "general_budget_basic_expenditure"
    before = shown(basic, "total", "personnel")
    type_into(qtbot, basic, "30201", "personnel", "1")
    assert shown(basic, "30201", "personnel") == "1.00"
    assert shown(basic, "total", "personnel") != before  # its own total follows
    assert window.counts_label.text() == f"错误 2　提示 {SEED_WARNINGS}"  # T06 and T08, as before
    assert sorted(listed_rules(dock)) == sorted(seed_rules + ["T06", "T08"])

    # a finding on a table not built yet builds it and goes to the cell
    item = next(dock.tree.topLevelItem(i) for i in range(dock.tree.topLevelItemCount())
                if dock.tree.topLevelItem(i).text(1) == "T06")
    expenditure_index = index_of_title(window, "一般公共预算支出表")
    assert window.tabs.built_widget(expenditure_index) is None
    dock.tree.itemClicked.emit(item, 0)
    current = window.tabs.currentWidget()
    assert window.tabs.currentIndex() == expenditure_index
    assert current.form.id == "general_budget_expenditure"
    assert current.model.cell_key(current.table.currentIndex()) == ("total", "basic")
    # built after the finding, it marks the cell all the same (the flags are read from the controller)
    assert find_cell(current, "total", "basic").data(Qt.ItemDataRole.BackgroundRole).color() == ERROR_BACKGROUND

    window.undo()
    assert window.counts_label.text() == f"错误 0　提示 {SEED_WARNINGS}"
    assert shown(basic, "30201", "personnel") in ("", "0.00")


def test_reopening_a_dataset_builds_only_its_first_tab_again(qtbot, window):
    window.tabs.setCurrentIndex(index_of_title(window, "情况说明"))
    QApplication.processEvents()
    assert len(built_pages(window)) == 2
    window.open_dataset("359", 2023)  # the chooser: the same dataset opened again
    QApplication.processEvents()
    assert [page.objectName() for page in built_pages(window)] == ["tab_income_summary"]
