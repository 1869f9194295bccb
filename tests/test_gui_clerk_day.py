"""A clerk's day without friction (issue 12): each step driven through the real widgets."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox

from app.projects import ProjectBook
from tests.qt_helpers import type_text


def click_cell(qtbot, table, index, double=False):
    table.scrollTo(index)
    rect = table.visualRect(index)
    action = qtbot.mouseDClick if double else qtbot.mouseClick
    if double:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    action(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QApplication.processEvents()


def indicator_editor_with_value(qtbot, window):
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.add_project(name="鼠标项目")
    editor = tab.indicators
    editor.level2.setCurrentIndex(editor.level2.findData("11"))
    type_text(qtbot, editor.name, "刊发数量")
    qtbot.keyClick(editor.name, Qt.Key.Key_Return)
    model = editor.model
    value_column = next(i for i, c in enumerate(model.columns) if c.key == "value")
    assert model.setData(model.index(0, value_column), "500篇")
    window.activateWindow()  # the suggestion popup took the activation away; a clerk's click brings it back
    QApplication.processEvents()
    return tab, editor


def test_comparator_chosen_with_the_mouse_is_kept(qtbot, window, store, qtlog):
    tab, editor = indicator_editor_with_value(qtbot, window)
    model, table = editor.model, editor.table
    comparator_column = next(i for i, c in enumerate(model.columns) if c.key == "comparator")
    click_cell(qtbot, table, model.index(0, comparator_column), double=True)
    combo = table.findChild(QComboBox, "choice_comparator")
    assert combo is not None and combo.isVisible()
    combo.showPopup()
    popup = combo.view()
    row = combo.findText("≥")
    rect = popup.visualRect(popup.model().index(row, 0))
    qtbot.mouseMove(popup.viewport(), rect.center())  # hovering makes ≥ the popup's current item
    assert popup.currentIndex().row() == row
    # The offscreen platform does not deliver a popup's mouse release; the popup's own way of taking
    # the hovered item (the same itemSelected → activated path as the release) is its Enter key.
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    QApplication.processEvents()

    def stored():
        book = ProjectBook(store.open_dataset("359", 2023))
        return next(p for p in book.list_projects() if p.name == "鼠标项目").indicators[0].comparator

    # the pick is final at once: saved and the drop-down closed, whatever the clerk clicks next
    assert stored() == "≥" and model.records[0].comparator == "≥"
    assert table.state() != table.State.EditingState
    click_cell(qtbot, table, model.index(0, 2))  # another cell
    assert model.index(0, comparator_column).data() == "≥" and stored() == "≥"
    assert not [record for record in qtlog.records if "does not belong to this view" in record.message]


def amount_tab(window, form_id):
    tab = window.form_tabs[form_id]
    window.tabs.setCurrentWidget(tab)
    return tab


def cell(tab, row_key, column_key):
    index = tab.model.locate(row_key, column_key)
    assert index is not None
    return index


def test_invalid_amount_reverts_and_the_cell_reopens_with_the_stored_value(qtbot, window, store):
    tab = amount_tab(window, "expenditure_summary")
    table = tab.table
    index = cell(tab, "2070699", "basic")
    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClicks(table, "a")  # AnyKeyPressed opens the editor with the first key
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "bc")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert index.data() == "582.20"  # back to the stored value, not "abc"
    assert table.state() != table.State.EditingState
    assert "不是有效的金额" in window.feedback.text() and window.feedback.isVisible()
    qtbot.keyClick(table, Qt.Key.Key_Escape)
    assert window.feedback.text() == "" and not window.feedback.isVisible()
    # clicking opens the editor on the stored value, all of it selected: typing replaces it
    click_cell(qtbot, table, index, double=True)
    editor = QApplication.focusWidget()
    assert editor.objectName() == "cell_editor"
    assert editor.text() == "582.20" and editor.selectedText() == "582.20"
    qtbot.keyClicks(editor, "-5")
    assert editor.text() == "-5"
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    QApplication.processEvents()
    qtbot.keyClick(table, Qt.Key.Key_Delete)  # Delete on the selected cell clears it
    assert index.data() == ""
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "basic") is None


def test_a_library_indicator_picked_with_enter_is_added_once(qtbot, window):
    tab, editor = indicator_editor_with_value(qtbot, window)
    before = len(editor.model.records)
    editor.level2.setCurrentIndex(editor.level2.findData("11"))
    completer = editor.name.completer()
    type_text(qtbot, editor.name, "数量")
    completer.complete()
    popup = completer.popup()
    assert popup.isVisible() and popup.model().rowCount() > 0
    popup.setCurrentIndex(popup.model().index(0, 0))
    picked = popup.model().index(0, 0).data()
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # takes the suggestion (and the line edit sees Enter)
    QApplication.processEvents()
    qtbot.keyClick(editor.name, Qt.Key.Key_Return)  # a second Enter on the now empty box adds nothing
    QApplication.processEvents()
    names = [i.name for i in editor.model.records]
    assert len(names) == before + 1 and names.count(picked) == 1


def test_added_economic_row_puts_the_cursor_in_its_classification_column(qtbot, window):
    tab = amount_tab(window, "general_budget_basic_expenditure")
    assert "30201 或 办公费" in tab.code_input.placeholderText()
    assert "2080505" in amount_tab(window, "expenditure_summary").code_input.placeholderText()
    tab = amount_tab(window, "general_budget_basic_expenditure")
    qtbot.mouseClick(tab.code_input, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.code_input, "30201")
    qtbot.keyClick(tab.code_input, Qt.Key.Key_Return)
    current = tab.table.currentIndex()
    assert tab.model.row_key_at(current.row()) == "30201"
    assert tab.model.grid_columns[current.column()].column_key == "public"  # 公用经费, not 人员经费


def commit_chinese(widget, text):
    """What an input method does when the clerk picks a word: a commit string, no key press."""
    from PySide6.QtGui import QInputMethodEvent

    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()


def test_chinese_typed_onto_a_selected_cell_starts_editing_with_it(qtbot, window):
    tab, editor = indicator_editor_with_value(qtbot, window)
    model, table = editor.model, editor.table
    description = next(i for i, c in enumerate(model.columns) if c.key == "description")
    click_cell(qtbot, table, model.index(0, description))
    assert table.state() != table.State.EditingState
    commit_chinese(table, "全年刊发")
    cell_editor = QApplication.focusWidget()
    assert table.state() == table.State.EditingState
    assert cell_editor.text() == "全年刊发"
    commit_chinese(cell_editor, "稿件")
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert model.records[0].description == "全年刊发稿件"
    # a key press carrying Chinese text (some input methods send these) starts editing too
    note = next(i for i, c in enumerate(model.columns) if c.key == "note")
    click_cell(qtbot, table, model.index(0, note))
    type_text(qtbot, table, "备")
    cell_editor = QApplication.focusWidget()
    type_text(qtbot, cell_editor, "注")
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert model.records[0].note == "备注"
    # and in an amount grid
    grid = amount_tab(window, "expenditure_summary")
    grid.table.setFocus()
    grid.table.setCurrentIndex(cell(grid, "2070699", "basic"))
    commit_chinese(grid.table, "１２")
    assert QApplication.focusWidget().text() == "１２"


def test_menu_bar_with_standard_shortcuts(qtbot, window, monkeypatch):
    menus = [action.text() for action in window.menuBar().actions()]
    assert [text.split("(")[0] for text in menus] == ["文件", "编辑", "视图", "审核", "打印", "上报", "帮助"]
    shortcuts = {action.objectName(): action.shortcut().toString()
                 for menu in (window.file_menu, window.edit_menu, window.check_menu, window.print_menu, window.help_menu)
                 for action in menu.actions() if action.objectName()}
    assert shortcuts["quit"] == "Ctrl+Q" and shortcuts["print_preview"] == "Ctrl+P"
    assert shortcuts["undo"] == "Ctrl+Z" and "Ctrl+Y" in window.redo_action.shortcuts()[0].toString()
    assert shortcuts["find_row"] == "Ctrl+F" and shortcuts["help"] == "F1"
    # F1 opens 使用帮助; Ctrl+F puts the cursor in the row finder; typing a row's code goes to it
    shown = []
    monkeypatch.setattr("ui.common.help_dialog.show_help", lambda parent: shown.append("使用帮助"))
    tab = amount_tab(window, "expenditure_summary")
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_F1)
    assert shown == ["使用帮助"]
    qtbot.keyClick(tab.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is tab.code_input
    qtbot.keyClicks(tab.code_input, "2070699")
    qtbot.keyClick(tab.code_input, Qt.Key.Key_Return)
    assert tab.model.row_key_at(tab.table.currentIndex().row()) == "2070699"
    # Ctrl+Q closes the window
    qtbot.keyClick(tab.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_submit_is_disabled_without_a_dataset_and_new_dataset_dialog_fits(qtbot, store):
    from datetime import date

    from PySide6.QtWidgets import QLineEdit

    from ui.window.main_window import MainWindow, NewDatasetDialog

    empty = MainWindow(store)
    qtbot.addWidget(empty)
    empty.show()
    if empty.dataset is None:
        assert not empty.submit_action.isEnabled()
    dialog = NewDatasetDialog(store, empty)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.year.value() == date.today().year + 1
    long_name = "秦皇岛经济技术开发区融媒体中心（秦皇岛经济技术开发区新闻中心）"
    name = dialog.findChild(QLineEdit, "unit_name")
    name.setText(long_name)
    assert name.width() >= name.fontMetrics().horizontalAdvance(long_name)


def test_qt_dialogs_speak_chinese(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox

    from ui.app import make_application

    make_application()
    box = QMessageBox(QMessageBox.Icon.Question, "标题", "正文",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
                      | QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(box)
    texts = {box.button(b).text().replace("&", "").split("(")[0] for b in (
        QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No)}
    assert texts == {"确定", "取消", "是", "否"}
    dialog = QFileDialog(None, "导出")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert any("文件名" in text for text in labels) and any("查看" in text or "类型" in text for text in labels), labels
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "").startswith("取消")


def type_amount(qtbot, tab, row_key, column_key, text):
    table = tab.table
    table.setFocus()
    table.setCurrentIndex(cell(tab, row_key, column_key))
    qtbot.keyClicks(table, text[0])
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_undo_says_what_and_where_and_shows_that_tab(qtbot, window):
    expenditure = amount_tab(window, "expenditure_summary")
    type_amount(qtbot, expenditure, "2070699", "basic", "600")
    tab, editor = indicator_editor_with_value(qtbot, window)  # 项目 tab: a project and an indicator
    expenditure = amount_tab(window, "expenditure_summary")
    qtbot.keyClick(expenditure.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.projects_tab  # never silently in another tab
    message = window.statusBar().currentMessage()
    assert message.startswith("已撤销：修改项目“鼠标项目”的绩效指标") and "项目绩效目标 / 鼠标项目" in message
    window.undo()  # the indicator
    window.undo()  # the new project
    window.undo()  # the typed amount: back on 支出总表, at the cell
    assert window.tabs.currentWidget() is expenditure
    message = window.statusBar().currentMessage()
    assert message.startswith("已撤销：录入 2070699") and "支出总表 / 2070699" in message and "基本支出" in message
    assert expenditure.model.cell_key(expenditure.table.currentIndex()) == ("2070699", "basic")
    assert cell(expenditure, "2070699", "basic").data() == "582.20"
    amount_tab(window, "three_public_expenses")
    window.redo()
    assert window.tabs.currentWidget() is expenditure
    assert window.statusBar().currentMessage().startswith("已恢复：录入 2070699")
    assert cell(expenditure, "2070699", "basic").data() == "600.00"


def test_status_change_clears_undo_and_refused_writes_leave_no_step(qtbot, window, store, monkeypatch):
    from app.base.errors import LockedError, StaleDataError
    from tests.conftest import explain_all_findings

    expenditure = amount_tab(window, "expenditure_summary")
    type_amount(qtbot, expenditure, "2070699", "basic", "600")
    type_amount(qtbot, expenditure, "2070699", "basic", "582.2")  # and back, so the tables agree
    stack = window.controller.undo_stack
    assert stack.count() == 2
    explain_all_findings(window.dataset)
    window.controller.recheck()
    assert window.toggle_submitted()
    assert not stack.canUndo() and not window.undo_action.isEnabled()
    window.undo()  # nothing to undo: no traceback, nothing changed
    assert cell(expenditure, "2070699", "basic").data() == "582.20"
    assert window.toggle_submitted(reason="补充资料")  # back to 编制中 (撤销上报 needs a reason)
    type_amount(qtbot, expenditure, "2070699", "basic", "600")
    dialogs: list[str] = []  # a refusal is also said in a dialog, not only the status bar
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: dialogs.append(text))

    # a write the core refuses (another window submitted it) leaves no step and says why
    def locked(*_args, **_kwargs):
        raise LockedError("2023 年度预算已上报，不能修改。")

    monkeypatch.setattr(window.dataset, "apply_changes", locked)
    assert stack.count() == 1
    type_amount(qtbot, expenditure, "2070699", "basic", "700")
    assert stack.count() == 1
    assert "已上报" in window.statusBar().currentMessage() and "已上报" in dialogs[-1]
    assert cell(expenditure, "2070699", "basic").data() == "600.00"
    monkeypatch.setattr(window.dataset, "apply_changes", type(window.dataset).apply_changes.__get__(window.dataset))

    # undo of a cell another window changed meanwhile: refused, dropped from the stack, views reloaded
    type_amount(qtbot, expenditure, "2070699", "basic", "650")
    other = store.open_dataset("359", 2023)
    other.set_cell("expenditure_summary", "2070699", "basic", "777")
    reloaded = []
    monkeypatch.setattr(window.dataset, "reload", lambda real=window.dataset.reload: (reloaded.append(1), real())[1])

    def stale(*_args, **_kwargs):
        raise StaleDataError("支出总表 2070699 基本支出 已被其他窗口改为 777.00，未写入。")

    monkeypatch.setattr(window.dataset, "apply_changes", stale)
    count = stack.count()
    window.undo()
    assert stack.count() == count - 1 and not stack.canRedo()
    assert "其他窗口" in window.statusBar().currentMessage() and reloaded
    assert cell(expenditure, "2070699", "basic").data() == "777.00"  # the view shows what is stored now


def test_findings_panel_is_tall_wraps_long_rows_and_double_click_jumps(qtbot, window):
    window.resize(1200, 800)
    QApplication.processEvents()
    tree = window.findings_dock.tree
    assert tree.topLevelItemCount() >= 5
    row_height = tree.fontMetrics().height() + 4
    assert tree.viewport().height() > 4 * row_height  # more than the 4 rows it used to show
    longest = max((tree.topLevelItem(i) for i in range(tree.topLevelItemCount())), key=lambda item: len(item.text(2)))
    rect = tree.visualItemRect(longest)
    assert tree.fontMetrics().horizontalAdvance(longest.text(2)) > tree.columnWidth(2)  # would not fit one line
    assert rect.height() >= 2 * tree.fontMetrics().height()  # so it wraps instead of "…"
    # double-click jumps to the cell, as before
    finding_item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                        if tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole).cells[0].form == "expenditure_summary")
    tree.scrollToItem(finding_item)
    QApplication.processEvents()
    jumps = []
    window.findings_dock.go_to_cell.connect(lambda *place: jumps.append(place))
    amount_tab(window, "three_public_expenses")
    center = tree.visualItemRect(finding_item).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)  # a double-click starts with a click
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert tree.currentItem() is finding_item and jumps
    assert window.tabs.currentWidget() is window.form_tabs["expenditure_summary"]


def test_period_accepts_months_and_says_errors_next_to_the_fields(qtbot, window, store):
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    tab.select_project("服务外包专项资金")
    start, end = tab.edits["period_start"], tab.edits["period_end"]
    for edit, text in ((start, "2023-01"), (end, "2023-12")):
        edit.setFocus()
        edit.clear()
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    project = next(p for p in ProjectBook(store.open_dataset("359", 2023)).list_projects() if p.name == "服务外包专项资金")
    assert (project.period_start.isoformat(), project.period_end.isoformat()) == ("2023-01-01", "2023-12-31")
    assert (start.text(), end.text()) == ("2023-01-01", "2023-12-31")
    end.setFocus()
    end.clear()
    qtbot.keyClicks(end, "2023-13")
    qtbot.keyClick(end, Qt.Key.Key_Return)
    assert "不是有效的日期" in tab.period_message.text() and tab.message.text() == ""
    assert start.text() == "2023-01-01" and end.text() == "2023-12-31"  # the other field is not wiped
    start.setFocus()
    start.clear()
    type_text(qtbot, start, "2023年2月")
    qtbot.keyClick(start, Qt.Key.Key_Return)
    assert start.text() == "2023-02-01" and tab.period_message.text() == ""


def test_printed_period_never_breaks_inside_a_date():
    from datetime import date

    from reportlab.lib.styles import ParagraphStyle

    from app.printing.targets import PeriodParagraph
    from app.projects import Project

    project = Project(name="x", period_start=date(2023, 1, 1), period_end=date(2023, 12, 31))
    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11, wordWrap="CJK")
    cell = PeriodParagraph(project, style)
    assert cell.wrap(200, 100)[1] == style.leading and cell.shown == "2023.1.1-2023.12.31"
    # too narrow for one line: two lines, broken after the dash (not "2023.12." / "31")
    assert cell.wrap(60, 100)[1] == 2 * style.leading and cell.shown == "2023.1.1-<br/>2023.12.31"
    assert cell.wrap(200, 100)[1] == style.leading


def test_cover_date_is_settable_and_a_blank_project_department_prints_the_units(qtbot, window, store, tmp_path):
    from dataclasses import replace
    from datetime import date

    from app.domain.cover import cover_date
    from app.printing.document import build_document
    from tests.test_printing import Pdf

    unit_tab = window.unit_tab
    window.tabs.setCurrentWidget(unit_tab)
    edit = unit_tab.filled_on
    assert edit.text() == "" and "打印当天" in edit.placeholderText()
    edit.setFocus()
    type_text(qtbot, edit, "2023年1月20日")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == "2023-01-20"
    dataset = store.open_dataset("359", 2023)
    assert cover_date(dataset) == date(2023, 1, 20)
    edit.setFocus()
    edit.clear()
    qtbot.keyClicks(edit, "2023-02-30")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "不是有效的日期" in unit_tab.message.text() and edit.text() == "2023-01-20"

    dataset.update_unit(replace(dataset.unit, competent_department="秦皇岛经济技术开发区管理委员会"))
    result = build_document(dataset, tmp_path / "cover.pdf", forms=["project_approval"], cover=True)
    pdf = Pdf(tmp_path / "cover.pdf")
    assert "填报日期：2023年1月20日" in pdf.page(1)
    approval = "".join(pdf.flat[1:])
    assert "主管部门秦皇岛经济技术开发区管理委员会" in approval
    assert result.pages > 1


def add_row_by_typing(qtbot, tab, code):
    tab.code_input.setFocus()
    tab.code_input.clear()
    qtbot.keyClicks(tab.code_input, code)
    qtbot.keyClick(tab.code_input, Qt.Key.Key_Return)


def test_bring_in_copies_rows_once_and_follows_the_source(qtbot, window, store):
    from app.domain.links import NOTE_PREFIX

    expenditure = amount_tab(window, "expenditure_summary")
    add_row_by_typing(qtbot, expenditure, "2130101")
    type_amount(qtbot, expenditure, "2130101", "basic", "10")
    type_amount(qtbot, expenditure, "2130101", "project", "5")
    general = amount_tab(window, "general_budget_expenditure")
    assert general.model.locate("2130101", "basic") is None  # not typed a second time
    button = general.link_buttons["general_budget_from_expenditure"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert cell(general, "2130101", "basic").data() == "10.00"
    assert cell(general, "2130101", "project").data() == "5.00"
    assert "已带入 2 个单元格" in window.feedback.text()
    # 收入总表's 财政拨款 follows the three 财政拨款 expenditure tables
    income = amount_tab(window, "income_summary")
    qtbot.mouseClick(income.link_buttons["income_fiscal_from_fiscal_expenditure"], Qt.MouseButton.LeftButton)
    assert cell(income, "2130101", "fiscal_appropriation").data() == "15.00"
    # one undo step takes the 收入总表 carry-over back
    window.undo()
    assert cell(income, "2130101", "fiscal_appropriation").data() == ""
    window.redo()

    # 保持跟随: a later change in 支出总表 reaches both tables, and the choice is kept with the dataset
    general = amount_tab(window, "general_budget_expenditure")
    box = general.follow_boxes["general_budget_from_expenditure"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on the tick box
    assert box.isChecked()
    income = amount_tab(window, "income_summary")
    income.follow_boxes["income_fiscal_from_fiscal_expenditure"].setChecked(True)
    notes = store.open_dataset("359", 2023).notes(NOTE_PREFIX)
    assert notes == {"link:general_budget_expenditure": "general_budget_from_expenditure",
                     "link:income_summary": "income_fiscal_from_fiscal_expenditure"}
    expenditure = amount_tab(window, "expenditure_summary")
    type_amount(qtbot, expenditure, "2130101", "basic", "12")
    general = amount_tab(window, "general_budget_expenditure")
    assert cell(general, "2130101", "basic").data() == "12.00"
    income = amount_tab(window, "income_summary")
    assert cell(income, "2130101", "fiscal_appropriation").data() == "17.00"
    reopened = store.open_dataset("359", 2023)
    assert str(reopened.value("general_budget_expenditure", "2130101", "basic")) == "12.00"
    # undo of the source edit brings the followers back too
    window.undo()
    assert cell(amount_tab(window, "general_budget_expenditure"), "2130101", "basic").data() == "10.00"
    assert cell(amount_tab(window, "income_summary"), "2130101", "fiscal_appropriation").data() == "15.00"
    # the checks stay: nothing about them is switched off
    assert window.controller.checker is not None


def test_bring_in_is_refused_when_the_unit_has_other_fiscal_money(qtbot, window):
    fund = amount_tab(window, "government_fund_expenditure")
    add_row_by_typing(qtbot, fund, "2130101")
    type_amount(qtbot, fund, "2130101", "basic", "3")
    general = amount_tab(window, "general_budget_expenditure")
    before = {key: value for key, value in window.dataset.workbook.values.items() if key[0] == general.form.id}
    qtbot.mouseClick(general.link_buttons["general_budget_from_expenditure"], Qt.MouseButton.LeftButton)
    assert "政府基金" in window.feedback.text()
    assert {key: value for key, value in window.dataset.workbook.values.items() if key[0] == general.form.id} == before
    box = general.follow_boxes["general_budget_from_expenditure"]
    box.setChecked(True)
    assert not box.isChecked()


def test_one_place_for_styles_toolbars_and_narrative_numbering(window):
    from pathlib import Path

    from app.projects import narrative
    from ui.editor.narrative_tab import numbered_headings

    ui_dir = Path(__file__).resolve().parent.parent / "ui"
    for path in ui_dir.glob("*.py"):
        if path.name in ("style.py", "print_dialog.py"):  # the print dialog is being split separately
            continue
        assert "#b42318" not in path.read_text(encoding="utf-8"), path.name
    # message labels take their look from the window's one style sheet
    assert window.feedback.property("role") == "error"
    assert window.projects_tab.indicators.message.property("role") == "error"
    assert window.procurement_tab.message.property("role") == "error"
    # the editor numbers the 情况说明 exactly as the printed document does
    sections = narrative.sections(window.dataset)
    printed = narrative.numbered_headings(sections)
    shown = numbered_headings(sections)
    assert all(shown[key] == heading for key, heading in printed.items())
    assert any(heading.startswith("一、") for heading in printed.values())
