"""Issue 24 items 5-8: the 审核 panel names places in the form's words and every finding jumps to its place
(N rules to their 情况说明 section); refusals that need no decision are said in one feedback line, gone at
the next action; the 提示 count follows the 说明; a paste says what it really wrote and skipped, per cell."""

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.domain.records import UnitInfo
from tests.conftest import explain_all_findings
from tests.test_gui_clerk_day import click_cell
from tests.test_gui_editor import find_cell, shown, tab, type_into
from ui.editor.history_dialog import HistoryDialog

INTERNAL_KEY = re.compile(r"[a-z_]{4,}")  # organization, three_public, performance …


def findings_rows(dock) -> list[tuple[str, str, str]]:
    """(rule, 问题, 位置) of every row of the panel."""
    return [(dock.tree.topLevelItem(i).text(1), dock.tree.topLevelItem(i).text(2), dock.tree.topLevelItem(i).text(3))
            for i in range(dock.tree.topLevelItemCount())]


def item_of(dock, rule: str, place_part: str):
    for i in range(dock.tree.topLevelItemCount()):
        item = dock.tree.topLevelItem(i)
        if item.text(1) == rule and place_part in item.text(3):
            return item
    raise AssertionError(f"no {rule} at {place_part}: {findings_rows(dock)}")


def double_click(qtbot, tree, item) -> None:
    tree.scrollToItem(item)
    QApplication.processEvents()
    rect = tree.visualItemRect(item)
    assert tree.viewport().rect().contains(rect.center()), "the finding's row is not on screen"
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double click starts
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # with a press
    QApplication.processEvents()


def open_new_unit(window, store):
    """A unit with nothing written yet: its 情况说明 still has placeholders (N01 per section)."""
    store.create_unit(UnitInfo(code="901", name="测试新单位"))
    store.create_dataset("901", 2023)
    window.open_dataset("901", 2023)


def test_places_in_the_forms_words_and_n_findings_open_their_section(qtbot, window, store):
    open_new_unit(window, store)
    dock = window.findings_dock
    rows = findings_rows(dock)
    n01 = [row for row in rows if row[0] == "N01"]
    assert len(n01) >= 4
    for _rule, _message, place in rows:
        assert not INTERNAL_KEY.search(place), place  # never organization / three_public / performance
    assert any(place == "情况说明 / 预算绩效信息" for _r, _m, place in n01)
    assert any(place == "情况说明 / 部门职责及机构设置情况" for _r, _m, place in n01)

    # double-clicking an N01 提示 opens the 情况说明 at that section
    window.tabs.setCurrentIndex(0)
    double_click(qtbot, dock.tree, item_of(dock, "N01", "预算绩效信息"))
    assert window.tabs.currentWidget() is window.narrative_tab
    assert window.narrative_tab.current_key() == "performance"
    assert "预算绩效信息" in window.narrative_tab.title_label.text()
    double_click(qtbot, dock.tree, item_of(dock, "N01", "部门职责"))
    assert window.narrative_tab.current_key() == "organization"

    # 修改记录 names the 说明 by the section, not by N01:performance
    dock.tree.setCurrentItem(item_of(dock, "N01", "预算绩效信息"))
    assert dock.explain_selected(text="绩效目标随项目一并公开。")
    dialog = HistoryDialog(window.dataset, window)
    qtbot.addWidget(dialog)
    places = [dialog.table.item(line, 4).text() for line in range(dialog.table.rowCount())]
    assert "审核说明 N01 / 情况说明 / 预算绩效信息" in places
    assert not any("N01:" in place or "performance" in place for place in places)


def test_table_findings_jump_to_their_cell(qtbot, window):
    dock = window.findings_dock
    basic = tab(window, "general_budget_basic_expenditure")
    basic.table.setCurrentIndex(find_cell(basic, "30201", "personnel"))
    basic.table.setFocus()
    qtbot.keyClicks(basic.table, "1")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    QApplication.processEvents()
    window.tabs.setCurrentIndex(0)
    double_click(qtbot, dock.tree, item_of(dock, "T08", "30201 办公费"))
    current = window.tabs.currentWidget()
    assert current is basic and basic.model.cell_key(basic.table.currentIndex()) == ("30201", "personnel")


def test_typing_into_computed_or_submitted_cells_says_why_until_the_next_action(qtbot, window, store):
    feedback = window.feedback
    summary = tab(window, "income_expenditure_summary")  # 收支总表: every figure computed
    index = find_cell(summary, "expenditure_total", "amount")
    before = shown(summary, "expenditure_total", "amount")
    summary.table.setFocus()
    summary.table.setCurrentIndex(index)
    qtbot.keyClicks(summary.table, "5")
    assert feedback.isVisible() and "由系统计算" in feedback.text()
    assert summary.table.state() != summary.table.State.EditingState
    assert shown(summary, "expenditure_total", "amount") == before
    # gone at the next action: a click on another tab
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    assert not feedback.isVisible() and feedback.text() == ""

    explain_all_findings(window.dataset)
    window.controller.recheck()
    assert window.toggle_submitted(report=lambda title, text: (_ for _ in ()).throw(AssertionError(text)))
    expenditure = tab(window, "expenditure_summary")
    expenditure.table.setFocus()
    expenditure.table.setCurrentIndex(find_cell(expenditure, "2070699", "basic"))
    qtbot.keyClicks(expenditure.table, "7")
    assert "已上报" in feedback.text() and "撤销上报" in feedback.text()
    qtbot.keyClick(expenditure.table, Qt.Key.Key_Delete)  # also said, not a dialog
    assert "已上报" in feedback.text()
    expenditure.table.paste("1\n2")
    assert feedback.text().startswith("粘贴未执行") and "已上报" in feedback.text()
    assert shown(expenditure, "2070699", "basic") == "582.20"
    assert store.open_dataset("359", 2023).status == "submitted"
    qtbot.keyClick(expenditure.table, Qt.Key.Key_Down)  # the next action clears it
    assert feedback.text() == ""


def test_explain_with_nothing_selected_says_so(qtbot, window):
    dock = window.findings_dock
    dock.tree.setCurrentItem(None)
    dock.tree.clearSelection()
    qtbot.mouseClick(dock.explain_button, Qt.MouseButton.LeftButton)
    assert "请先在审核结果中选中一条提示" in window.feedback.text()
    assert window.feedback.isVisible()


def test_warning_count_follows_the_explanations(qtbot, window):
    dock = window.findings_dock
    warnings = sum(1 for rule, _m, _p in findings_rows(dock))  # seed 004: 提示 only
    assert dock.summary.text() == f"错误 0 条（上报前必须修正），提示 {warnings} 条（其中 {warnings} 条需填写说明）。"
    for done in range(1, 3):
        dock.tree.setCurrentItem(dock.tree.topLevelItem(done - 1))
        assert dock.explain_selected(text="已核实。")
        assert dock.summary.text() == (f"错误 0 条（上报前必须修正），提示 {warnings} 条"
                                       f"（其中 {warnings - done} 条需填写说明）。")
    explain_all_findings(window.dataset, complete_amounts=False)  # the same 提示, each with its 说明
    window.controller.recheck()
    assert dock.summary.text() == f"错误 0 条（上报前必须修正），提示 {warnings} 条（均已填写说明）。"


def test_paste_reports_what_was_written_and_skipped_per_cell(qtbot, window, store):
    basic = tab(window, "general_budget_basic_expenditure")
    model, table = basic.model, basic.table
    start = find_cell(basic, "301", "personnel")  # 301 is a computed 类 row; its 款 rows below are entered
    column = start.column()
    lines = [start.row() + offset for offset in range(12)]
    entered = [line for line in lines if model.is_entered(model.index(line, column))]
    computed = [line for line in lines if not model.is_entered(model.index(line, column))]
    assert entered and computed  # the block really covers both kinds of row
    before = dict(store.open_dataset("359", 2023).workbook.values)
    table.setFocus()
    table.setCurrentIndex(start)
    table.paste("\n".join(str(9000 + n) for n in range(12)))
    assert window.feedback.text() == (f"已粘贴 {len(entered)} 个单元格；跳过 {len(computed)} 个由系统计算的单元格。")
    after = store.open_dataset("359", 2023).workbook.values
    written = [key for key in after if key[0] == "general_budget_basic_expenditure" and after[key] != before.get(key)
               and model.is_entered(model.locate(key[1], key[2]))]
    assert len(written) == len(entered)
    # the message stays in the status bar, not under the table, and goes at the next click (a tab switch)
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    assert window.feedback.text() == "" and not window.feedback.isVisible()

    # off the bottom of the table: counted, not silently dropped; equal figures are not "written"
    window.tabs.setCurrentWidget(basic)
    last = model.rowCount() - 1
    table.setCurrentIndex(model.index(last, column))
    click_cell(qtbot, table, model.index(last, column))
    table.paste("1\n2\n3")
    assert "已粘贴 " in window.feedback.text() and "2 个超出表格范围" in window.feedback.text()
    table.setCurrentIndex(start)
    table.paste("\n".join(str(9000 + n) for n in range(12)))  # the same block again: nothing changes
    assert window.feedback.text().startswith(f"已粘贴 0 个单元格（另有 {len(entered)} 个与原值相同，未改）")


def test_n03_findings_name_the_figure_and_open_their_section(qtbot, window, store):
    from app.exchange.year_cycle import new_year

    new_year(store, "359", 2023, 2024)  # 上年数 known; N03 waits for this year's figures to be entered
    window.open_dataset("359", 2024)
    type_into(qtbot, tab(window, "three_public_expenses"), "reception", "general_budget", "0.30")  # 0.43 last year
    dock = window.findings_dock
    n03 = [row for row in findings_rows(dock) if row[0] == "N03"]
    assert n03
    for _rule, _message, place in n03:
        assert place.startswith(("情况说明 / 比上年增减情况（", "情况说明 / 财政拨款“三公”经费预算情况及增减变化原因（"))
        assert not INTERNAL_KEY.search(place), place
    three_public = item_of(dock, "N03", "“三公”经费表 /")
    double_click(qtbot, dock.tree, three_public)
    assert window.tabs.currentWidget() is window.narrative_tab
    assert window.narrative_tab.current_key() == "three_public"
    dock.tree.setCurrentItem(three_public)
    assert dock.explain_selected(text="接待任务减少。")
    dialog = HistoryDialog(window.dataset, window)
    qtbot.addWidget(dialog)
    places = [dialog.table.item(line, 4).text() for line in range(dialog.table.rowCount())]
    assert any(place.startswith("审核说明 N03 / 情况说明 / 财政拨款“三公”经费预算情况及增减变化原因 / ") for place in places)
