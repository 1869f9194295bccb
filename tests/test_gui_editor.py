"""The table editors driven through the real widgets: typing, paste, undo, bad input, reopening."""

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.domain.forms import editor_order
from tests.qt_helpers import type_text
from ui.window.main_window import MainWindow, NewDatasetDialog


def tab(window, form_id):
    widget = window.form_tabs[form_id]
    window.tabs.setCurrentWidget(widget)
    return widget


def find_cell(tab_widget, row_key, column_key):
    model = tab_widget.model
    for line in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(line, column)
            if model.cell_key(index) == (row_key, column_key):
                return index
    raise AssertionError(f"no cell {row_key}/{column_key}")


def shown(tab_widget, row_key, column_key):
    return find_cell(tab_widget, row_key, column_key).data()


def type_into(qtbot, tab_widget, row_key, column_key, text, key=Qt.Key.Key_Return):
    table = tab_widget.table
    table.setFocus()
    table.setCurrentIndex(find_cell(tab_widget, row_key, column_key))
    type_text(qtbot, table, text[0])  # AnyKeyPressed opens the editor with the first key
    editor = QApplication.focusWidget()
    type_text(qtbot, editor, text[1:])
    qtbot.keyClick(editor, key)
    QApplication.processEvents()  # the delegate commits through a queued call, as in real use


def test_tabs_follow_the_official_editing_order(window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == [form.short_title for form in editor_order()] + ["项目绩效目标", "整体绩效目标", "政府采购",
                                                                      "固定资产", "项目绩效自评", "部门整体自评",
                                                                      "情况说明", "单位信息"]
    assert titles[:5] == ["收入总表", "支出总表", "收支总表", "基本支出表", "“三公”经费表"]
    assert "359 秦皇岛经济技术开发区融媒体中心 · 2023年 · 编制中 · 已保存" in window.windowTitle()


def test_typing_a_leaf_updates_parent_total_and_derived_summary(qtbot, window, store):
    expenditure = tab(window, "expenditure_summary")
    assert shown(expenditure, "207", "basic") == "582.20"
    type_into(qtbot, expenditure, "2070699", "basic", "600")
    assert shown(expenditure, "2070699", "basic") == "600.00"
    assert shown(expenditure, "207", "basic") == "600.00"
    assert shown(expenditure, "total", "basic") == "790.12"
    assert shown(expenditure, "total", "total") == "1,224.45"
    # Enter moved the cursor down one row
    assert expenditure.table.currentIndex().row() == find_cell(expenditure, "2070699", "basic").row() + 1
    summary = tab(window, "income_expenditure_summary")
    assert shown(summary, "exp_207", "amount") == "1,034.33"
    assert shown(summary, "expenditure_total", "amount") == "1,224.45"
    assert shown(summary, "income_grand_total", "amount") == "1,206.65"  # income side not typed yet
    # durable at once: a second connection sees it
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "basic") == Decimal("600.00")
    assert "已保存 " in window.windowTitle()


def test_accepts_grouped_full_width_and_unit_suffix(qtbot, window):
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "abroad_other", "general_budget", "１,２00.5万元")
    assert shown(three, "abroad_other", "general_budget") == "1,200.50"
    assert shown(three, "total", "total") == "1,209.81"


def test_bad_input_is_refused_inline_and_nothing_is_saved(qtbot, window, store):
    expenditure = tab(window, "expenditure_summary")
    type_into(qtbot, expenditure, "2070699", "basic", "12a")
    assert "不是有效的金额" in window.feedback.text()
    assert shown(expenditure, "2070699", "basic") == "582.20"  # the typo is not kept as text
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert window.feedback.text() == ""
    type_into(qtbot, expenditure, "2070699", "basic", "1.2345678")
    assert "小数超过 6 位" in window.feedback.text()
    assert shown(expenditure, "2070699", "basic") == "582.20"
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "basic") == Decimal("582.20")


def test_computed_cells_are_read_only(window):
    expenditure = tab(window, "expenditure_summary")
    model = expenditure.model
    assert not model.flags(find_cell(expenditure, "207", "basic")) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(find_cell(expenditure, "2070699", "total")) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(find_cell(expenditure, "2070699", "basic")) & Qt.ItemFlag.ItemIsEditable
    empty = find_cell(expenditure, "2070699", "operating")
    assert empty.data() == ""  # blank, not 0.00


def test_paste_a_block_then_undo_and_redo(qtbot, window, store):
    basic = tab(window, "general_budget_basic_expenditure")
    table = basic.table
    table.setFocus()
    table.setCurrentIndex(find_cell(basic, "30101", "personnel"))
    QGuiApplication.clipboard().setText("100\t1\n200\t2\n300\t3\n")
    qtbot.keyClick(table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert shown(basic, "30101", "personnel") == "100.00"
    assert shown(basic, "30103", "public") == "3.00"
    assert shown(basic, "total", "total") == "978.29"
    reopened = store.open_dataset("359", 2023)
    assert reopened.value("general_budget_basic_expenditure", "30102", "public") == Decimal("2.00")

    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown(basic, "30101", "personnel") == "350.01"
    assert shown(basic, "30103", "public") == ""
    assert shown(basic, "total", "total") == "772.32"
    assert store.open_dataset("359", 2023).value("general_budget_basic_expenditure", "30102", "public") is None
    qtbot.keyClick(table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert shown(basic, "total", "total") == "978.29"


def test_paste_skips_computed_cells_and_refuses_bad_blocks(qtbot, window):
    basic = tab(window, "general_budget_basic_expenditure")
    table = basic.table
    table.setFocus()
    table.setCurrentIndex(find_cell(basic, "301", "total"))  # 301 row is computed, 30101 below is entered
    table.paste("5\t5\t5\n6\t6\t6")
    assert "跳过" in window.feedback.text()
    assert shown(basic, "30101", "personnel") == "6.00"
    table.setCurrentIndex(find_cell(basic, "30101", "personnel"))
    table.paste("7\nabc")
    assert "粘贴未执行" in window.feedback.text()
    assert shown(basic, "30101", "personnel") == "6.00"


def test_copy_delete_and_undo_across_tabs(qtbot, window):
    three = tab(window, "three_public_expenses")
    table = three.table
    table.setFocus()
    start = find_cell(three, "vehicle_operation", "general_budget")
    end = find_cell(three, "reception", "general_budget")
    table.setCurrentIndex(start)
    table.selectionModel().select(
        __import__("PySide6.QtCore", fromlist=["QItemSelection"]).QItemSelection(start, end),
        __import__("PySide6.QtCore", fromlist=["QItemSelectionModel"]).QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert table.copy_selection() == "8.88\n0.43"
    assert QGuiApplication.clipboard().text() == "8.88\n0.43"
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert shown(three, "total", "total") == ""
    expenditure = tab(window, "expenditure_summary")
    type_into(qtbot, expenditure, "2080502", "basic", "50")
    window.undo()  # the typed value
    assert shown(expenditure, "2080502", "basic") == "46.32"
    window.undo()  # the Delete on the other tab, in one step
    assert shown(three, "total", "total") == "9.31"


def test_add_rows_by_code_or_name_and_remove_with_confirmation(qtbot, window, store):
    income = tab(window, "income_summary")
    type_text(qtbot, income.code_input, "其他新闻出版电影")
    income.add_row_from_input()
    assert "多个" in window.feedback.text() or "找不到" not in window.feedback.text()
    income.code_input.clear()
    type_text(qtbot, income.code_input, "2010101")
    qtbot.keyClick(income.code_input, Qt.Key.Key_Return)
    keys = [income.model.row_key_at(i) for i in range(income.model.rowCount())]
    assert keys[:4] == ["total", "201", "20101", "2010101"]
    type_into(qtbot, income, "2010101", "fiscal_appropriation", "10")
    assert shown(income, "201", "fiscal_appropriation") == "10.00"
    assert shown(income, "total", "total") == "1,216.65"
    income.table.setCurrentIndex(find_cell(income, "201", "total"))
    asked = []
    assert not income.remove_current_row(confirm=lambda text: asked.append(text) or False)
    assert "确定删除" in asked[0]
    assert shown(income, "total", "total") == "1,216.65"
    assert income.remove_current_row(confirm=lambda text: True)
    assert "201" not in [income.model.row_key_at(i) for i in range(income.model.rowCount())]
    assert shown(income, "total", "total") == "1,206.65"
    window.undo()
    assert shown(income, "2010101", "fiscal_appropriation") == "10.00"


def test_unknown_code_is_refused(qtbot, window):
    income = tab(window, "income_summary")
    type_text(qtbot, income.code_input, "9999999")
    income.add_row_from_input()
    assert "找不到科目" in window.feedback.text()


def test_values_survive_closing_and_reopening(qtbot, window, store, db_path):
    from app.store.service import Store

    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "vehicle_purchase", "general_budget", "25")
    window.close()
    reopened = Store(str(db_path))
    second = MainWindow(reopened)
    qtbot.addWidget(second)
    assert second.dataset is not None and second.dataset.unit_code == "359"  # last dataset remembered
    assert shown(second.form_tabs["three_public_expenses"], "vehicle", "total") == "33.88"
    reopened.close()


def test_unit_tab_saves_cover_fields(qtbot, window, store):
    unit_tab = window.unit_tab
    window.tabs.setCurrentWidget(unit_tab)
    edit = unit_tab.edits["head"]
    edit.setFocus()
    type_text(qtbot, edit, "张三")
    edit.editingFinished.emit()
    assert store.get_unit("359").head == "张三"
    unit_tab.edits["name"].setText("")
    unit_tab.save_field("name")
    assert "单位名称" in unit_tab.message.text()
    assert store.get_unit("359").name == "秦皇岛经济技术开发区融媒体中心"


def test_new_dataset_dialog_creates_unit_and_year(qtbot, store, tmp_path):
    dialog = NewDatasetDialog(store)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.edits["code"], "501")
    type_text(qtbot, dialog.edits["name"], "区档案馆")
    dialog.year.setValue(2025)
    dialog.accept()
    assert dialog.created == ("501", 2025)
    assert store.get_unit("501").name == "区档案馆"
    assert [d.year for d in store.list_datasets()] == [2025]


def test_tab_moves_right_f2_edits_in_place_and_arrows_move(qtbot, window):
    basic = tab(window, "general_budget_basic_expenditure")
    type_into(qtbot, basic, "30201", "personnel", "1", key=Qt.Key.Key_Tab)
    table = basic.table
    assert basic.model.cell_key(table.currentIndex()) == ("30201", "public")
    assert shown(basic, "30201", "personnel") == "1.00"
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor.objectName() == "cell_editor" and editor.text() == "2.50"
    qtbot.keyClick(editor, Qt.Key.Key_End)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # F2 edits in place: 2.50 -> 2.5 -> 2.55
    type_text(qtbot, editor, "5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert shown(basic, "30201", "public") == "2.55"
    assert basic.model.cell_key(table.currentIndex()) == ("30202", "public")
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert basic.model.cell_key(table.currentIndex()) == ("30201", "public")
