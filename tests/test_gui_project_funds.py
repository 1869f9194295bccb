"""The project editor fills 本级财政 with the amount (unit funded only by 一般公共预算) and says what is missing."""

from decimal import Decimal

from app.projects import ProjectBook
from tests.qt_helpers import type_text


def enter(qtbot, tab, key, text):
    edit = tab.edits[key]
    edit.setFocus()
    edit.clear()
    type_text(qtbot, edit, text)
    edit.editingFinished.emit()


def test_amount_defaults_local_fiscal_visibly_and_undo_restores(qtbot, window, store):
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.add_project(name="档案数字化项目")
    assert tab.fund_message.text() == ""  # nothing to ask before an amount
    enter(qtbot, tab, "amount", "30")
    assert tab.edits["local_fiscal"].text() == "30.00"
    assert tab.edits["fiscal_appropriation"].text() == "30.00"
    assert not tab.edits["local_fiscal"].isReadOnly()
    assert tab.fund_message.text() == ""
    assert "本级财政" in window.statusBar().currentMessage()
    stored = next(p for p in ProjectBook(store.open_dataset("359", 2023)).list_projects() if p.name == "档案数字化项目")
    assert stored.local_fiscal == Decimal("30.00")
    # the clerk changes the breakdown: told at once that it does not add up
    enter(qtbot, tab, "local_fiscal", "20")
    assert "不一致" in tab.fund_message.text()
    enter(qtbot, tab, "higher_level", "10")
    enter(qtbot, tab, "fiscal_appropriation", "")
    assert tab.fund_message.text() == ""
    window.undo()  # 财政拨款 back
    window.undo()  # 上级资金 gone: 20 ≠ 30 again
    assert "不一致" in tab.fund_message.text()
    window.undo()  # 本级财政 back to the default
    window.undo()  # the amount and its default breakdown, in one step
    assert tab.edits["amount"].text() == "" and tab.edits["local_fiscal"].text() == ""


def test_other_income_asks_for_the_breakdown(qtbot, window, store):
    window.dataset.set_cell("income_summary", "2070699", "public_institution", "10.00")
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.add_project(name="档案数字化项目")
    enter(qtbot, tab, "amount", "30")
    assert tab.edits["local_fiscal"].text() == ""
    assert tab.fund_message.text().startswith("请填写资金来源")
    enter(qtbot, tab, "local_fiscal", "30")
    assert tab.fund_message.text() == ""
