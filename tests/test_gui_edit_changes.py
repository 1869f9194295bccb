"""A cell edit as the door reports it (issue 23): the core writes, carries followed links and re-runs the
checks; the window refreshes the tables, rows and check panel its ``Changes`` name, and nothing else."""

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.checks import rules
from app.domain.links import link_by_id
from tests.test_gui_editor import find_cell, tab, type_into

GENERAL_LINK = "general_budget_from_expenditure"
INCOME_LINK = "income_fiscal_from_fiscal_expenditure"


def add_row_by_typing(qtbot, form_tab, code):
    form_tab.code_input.setFocus()
    form_tab.code_input.clear()
    qtbot.keyClicks(form_tab.code_input, code)
    qtbot.keyClick(form_tab.code_input, Qt.Key.Key_Return)
    QApplication.processEvents()


class Watch:
    """What the views were told: model resets per form, the forms whose figures changed, rule runs."""

    def __init__(self, window, monkeypatch):
        self.resets: dict[str, int] = {}
        self.values: list[set] = []
        self.runs: list[str] = []
        for form_id, form_tab in window.form_tabs.items():
            form_tab.model.modelReset.connect(lambda form_id=form_id: self._reset(form_id))
        window.controller.values_changed.connect(lambda forms: self.values.append(set(forms)))
        evaluate = rules.evaluate_rule

        def counted(rule, dataset):
            self.runs.append(rule.id)
            return evaluate(rule, dataset)

        monkeypatch.setattr(rules, "evaluate_rule", counted)

    def _reset(self, form_id):
        self.resets[form_id] = self.resets.get(form_id, 0) + 1

    def clear(self):
        self.resets, self.values, self.runs = {}, [], []


def rules_reading_cells(cells):
    return {rule.id for form, _row, column in cells for rule in rules.rules_reading(form, column)}


def test_typing_carries_linked_figures_into_the_open_tables_and_the_check_panel(qtbot, window, monkeypatch):
    controller = window.controller
    general = tab(window, "general_budget_expenditure")
    general.follow_boxes[GENERAL_LINK].setChecked(True)  # 保持跟随, as the clerk ticks it
    income = tab(window, "income_summary")
    income.follow_boxes[INCOME_LINK].setChecked(True)
    expenditure = tab(window, "expenditure_summary")
    add_row_by_typing(qtbot, expenditure, "2130101")
    counts_before = window.counts_label.text()
    watch = Watch(window, monkeypatch)

    type_into(qtbot, expenditure, "2130101", "basic", "7")

    result = controller.last_result
    changes = result.changes
    # the door's Changes: the typed cell, the figure the first link carried and the one the second carried on
    assert changes.cells == {("expenditure_summary", "2130101", "basic"),
                             ("general_budget_expenditure", "2130101", "basic"),
                             ("income_summary", "2130101", "fiscal_appropriation")}
    assert changes.structure == {"general_budget_expenditure", "income_summary"}  # the row appeared there
    # the open tables show the carried figures in the new rows
    assert find_cell(tab(window, "general_budget_expenditure"), "2130101", "basic").data() == "7.00"
    assert find_cell(tab(window, "income_summary"), "2130101", "fiscal_appropriation").data() == "7.00"
    # only the tables whose rows changed were rebuilt; every table was told which figures moved, once
    assert watch.resets == {"general_budget_expenditure": 1, "income_summary": 1}
    assert watch.values == [{"expenditure_summary", "general_budget_expenditure", "income_summary"}]
    # exactly the rules reading what was written (or the forms whose rows changed) ran, each once
    assert result.rechecked == set(watch.runs) and len(watch.runs) == len(set(watch.runs))
    assert rules_reading_cells(changes.cells) <= result.rechecked
    assert not set(watch.runs) - rules_reading_cells(
        changes.cells | {(form, "", column.key) for form in changes.structure
                         for column in window.dataset.workbook.view(form).form.columns})
    # the check panel follows: the expenditure is now larger than the income, and says so
    assert window.counts_label.text() != counts_before and window.counts_label.text().startswith("错误 ")
    errors = {finding.rule for finding in controller.findings() if finding.severity == "error"}
    assert errors and errors <= result.rechecked
    listed = {window.findings_dock.tree.topLevelItem(i).text(1)
              for i in range(window.findings_dock.tree.topLevelItemCount())}
    assert errors <= listed
    assert window.dataset.value("income_summary", "2130101", "fiscal_appropriation") == Decimal("7.00")


def test_an_edit_refreshes_only_what_it_changed(qtbot, window, monkeypatch):
    controller = window.controller
    three = tab(window, "three_public_expenses")
    watch = Watch(window, monkeypatch)

    type_into(qtbot, three, "reception", "general_budget", "0.50")

    changes = controller.last_result.changes
    assert changes.cells == {("three_public_expenses", "reception", "general_budget")} and not changes.structure
    assert watch.resets == {}  # no table rebuilt: no rows changed anywhere
    assert watch.values == [{"three_public_expenses"}]
    assert set(watch.runs) == rules_reading_cells(changes.cells) == controller.last_result.rechecked
    assert len(watch.runs) == len(set(watch.runs))  # each once, not every rule
    assert len(watch.runs) < len(rules.all_rules())

    # a row added: that table alone is rebuilt, and the rules reading that form run
    expenditure = tab(window, "expenditure_summary")
    watch.clear()
    add_row_by_typing(qtbot, expenditure, "2130101")
    assert controller.last_result.changes.structure == {"expenditure_summary"}
    assert watch.resets == {"expenditure_summary": 1}
    assert set(watch.runs) == controller.last_result.rechecked


def test_a_write_that_finds_the_view_behind_reloads_it(qtbot, window, store):
    other = store.open_dataset("359", 2023)  # another window or process
    other.set_cell("three_public_expenses", "vehicle_operation", "general_budget", "8.00")
    three = tab(window, "three_public_expenses")
    assert find_cell(three, "vehicle_operation", "general_budget").data() != "8.00"  # this view is behind

    type_into(qtbot, three, "reception", "general_budget", "0.50")

    assert window.controller.last_result.changes.external
    qtbot.waitUntil(lambda: find_cell(tab(window, "three_public_expenses"), "vehicle_operation",
                                      "general_budget").data() == "8.00")
    assert find_cell(tab(window, "three_public_expenses"), "reception", "general_budget").data() == "0.50"


def test_a_followed_link_that_no_longer_holds_is_skipped_and_the_edit_still_lands(qtbot, window):
    general = tab(window, "general_budget_expenditure")
    general.follow_boxes[GENERAL_LINK].setChecked(True)  # followed while the unit had only 一般公共预算 money
    assert [link.id for link in window.controller.followed_links] == [GENERAL_LINK]
    fund = tab(window, "government_fund_expenditure")
    add_row_by_typing(qtbot, fund, "2130101")
    type_into(qtbot, fund, "2130101", "basic", "3")  # now it has 基金 money: the link no longer holds
    carried_before = find_cell(tab(window, "general_budget_expenditure"), "2070699", "basic").data()

    expenditure = tab(window, "expenditure_summary")
    type_into(qtbot, expenditure, "2070699", "basic", "600")

    changes = window.controller.last_result.changes
    assert changes.cells == {("expenditure_summary", "2070699", "basic")}  # nothing carried
    assert find_cell(expenditure, "2070699", "basic").data() == "600.00"
    assert find_cell(tab(window, "general_budget_expenditure"), "2070699", "basic").data() == carried_before
    assert link_by_id(GENERAL_LINK).target == "general_budget_expenditure"
    assert window.counts_label.text().startswith("错误 ") and not window.counts_label.text().startswith("错误 0")


def test_a_note_and_a_status_change_reach_the_window_through_changes(qtbot, window, monkeypatch):
    """说明 and 上报 are door writes like a cell: the window hears of them from their Changes (the notes
    written, the new status), runs no rule for a 说明, and starts the undo history afresh on 上报."""
    from tests.conftest import explain_all_findings

    controller = window.controller
    watch = Watch(window, monkeypatch)
    notes, statuses = [], []
    controller.notes_changed.connect(lambda keys: notes.append(set(keys)))
    controller.status_changed.connect(statuses.append)
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "reception", "general_budget", "0.50")  # a 提示 more (T09), and an undo step
    assert controller.undo_stack.count() == 1
    dock = window.findings_dock
    index = next(i for i in range(dock.tree.topLevelItemCount()) if dock.tree.topLevelItem(i).text(1) == "T09")
    dock.tree.setCurrentItem(dock.tree.topLevelItem(index))
    watch.clear()
    assert dock.explain_selected(text="含项目支出中的公务接待费 0.07 万元。")
    assert notes == [{"explanation:T09"}]  # what the door wrote, as its Changes name it
    assert controller.last_result.changes.notes == {"explanation:T09"}
    assert watch.runs == [] and watch.resets == {}  # a 说明 re-runs no rule and resets no table
    assert dock.tree.topLevelItem(index).text(4) == "含项目支出中的公务接待费 0.07 万元。"
    explain_all_findings(window.dataset)
    assert window.toggle_submitted()
    assert statuses == ["submitted"] and controller.last_result.changes.status == "submitted"
    assert controller.undo_stack.count() == 0  # an undo would write across the 上报
    assert "已上报" in window.windowTitle() and window.submit_action.text() == "撤销上报"
    assert not three.model.flags(find_cell(three, "reception", "general_budget")) & Qt.ItemFlag.ItemIsEditable
    assert window.toggle_submitted(reason="补充资料")
    assert statuses == ["submitted", "draft"] and window.submit_action.text() == "标记为已上报"
    assert three.model.flags(find_cell(three, "reception", "general_budget")) & Qt.ItemFlag.ItemIsEditable
