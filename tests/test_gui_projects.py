"""The project editor, 整体绩效目标, 政府采购 and 固定资产 tabs driven through their widgets."""

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from app.projects import ProjectBook
from tests.qt_helpers import type_text


def level2_index(editor, code):
    return editor.level2.findData(code)


def add_indicator(qtbot, editor, level2, name):
    editor.level2.setCurrentIndex(level2_index(editor, level2))
    editor.name.clear()
    type_text(qtbot, editor.name, name)
    qtbot.keyClick(editor.name, Qt.Key.Key_Return)


def test_add_project_with_indicators_under_each_level_reorder_delete_undo(qtbot, window, store):
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.list.count() == 21
    assert tab.add_project(name="档案数字化项目")
    assert tab.list.count() == 22 and tab.project.name == "档案数字化项目"
    editor = tab.indicators
    add_indicator(qtbot, editor, "11", "数字化档案数量")
    add_indicator(qtbot, editor, "31", "服务对象满意度")
    add_indicator(qtbot, editor, "22", "查档便利程度")
    add_indicator(qtbot, editor, "14", "成本控制数")
    levels = [(i.level1, i.level2) for i in editor.model.records]
    assert levels == [("1", "11"), ("1", "14"), ("2", "22"), ("3", "31")]  # grouped under their 一级/二级
    # the printed-table look: the 一级 name shows only where the group starts
    assert editor.model.index(0, 0).data() == "产出指标" and editor.model.index(1, 0).data() == ""
    book = ProjectBook(store.open_dataset("359", 2023))
    stored = next(p for p in book.list_projects() if p.name == "档案数字化项目")
    assert [i.name for i in stored.indicators] == ["数字化档案数量", "成本控制数", "查档便利程度", "服务对象满意度"]

    editor.table.setCurrentIndex(editor.model.index(1, 2))
    editor.move(-1)
    assert [i.name for i in editor.model.records][:2] == ["成本控制数", "数字化档案数量"]
    editor.table.setCurrentIndex(editor.model.index(0, 2))
    asked = []
    assert not editor.delete_current(confirm=lambda text: asked.append(text) or False)
    assert "成本控制数" in asked[0] and len(editor.model.records) == 4
    assert editor.delete_current(confirm=lambda text: True)
    assert [i.name for i in editor.model.records] == ["数字化档案数量", "查档便利程度", "服务对象满意度"]
    window.undo()
    assert len(tab.indicators.model.records) == 4
    window.undo()  # the move
    assert [i.name for i in tab.indicators.model.records][:2] == ["数字化档案数量", "成本控制数"]

    assert tab.delete_project(confirm=lambda text: True)
    assert tab.list.count() == 21
    window.undo()
    assert tab.list.count() == 22
    assert len(ProjectBook(store.open_dataset("359", 2023)).list_projects()) == 22


def test_indicator_cells_edit_with_choices_and_refuse_bad_values(qtbot, window, store):
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.add_project(name="测试项目")
    editor = tab.indicators
    add_indicator(qtbot, editor, "11", "刊发数量")
    model = editor.model
    value_column = next(i for i, c in enumerate(model.columns) if c.key == "value")
    comparator_column = next(i for i, c in enumerate(model.columns) if c.key == "comparator")
    assert not model.setData(model.index(0, comparator_column), "≥")  # no value yet
    assert "请先" in editor.message.text()
    assert model.setData(model.index(0, value_column), "≥500篇")  # typed as printed
    stored = model.records[0]
    assert (stored.comparator, stored.value, stored.unit) == ("≥", "500", "篇")
    assert model.setData(model.index(0, value_column), "比上年提升")  # words make it a 定性 indicator
    assert (model.records[0].comparator, model.records[0].value) == ("定性", "比上年提升")
    assert model.setData(model.index(0, value_column), "≥500篇")
    assert model.setData(model.index(0, comparator_column), "=")
    assert not model.setData(model.index(0, comparator_column), "大约")  # not a comparator: refused
    assert "比较符" in editor.message.text()
    assert model.setData(model.index(0, 0), "2")  # moving it to 效益 resets its 二级 under 效益
    assert (model.records[0].level1, model.records[0].level2) == ("2", "21")
    book = ProjectBook(store.open_dataset("359", 2023))
    stored = next(p for p in book.list_projects() if p.name == "测试项目").indicators[0]
    assert (stored.level2, stored.comparator, stored.value, stored.unit) == ("21", "=", "500", "篇")


def test_project_fields_autosave_and_bad_amount_is_refused(qtbot, window, store):
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    tab.select_project("服务外包专项资金")
    edit = tab.edits["manager"]
    edit.setText("")
    type_text(qtbot, edit, "李四")
    edit.editingFinished.emit()
    project = next(p for p in ProjectBook(store.open_dataset("359", 2023)).list_projects() if p.name == "服务外包专项资金")
    assert project.manager == "李四"
    amount = tab.edits["amount"]
    amount.setText("12.3456789")
    amount.editingFinished.emit()
    assert "小数" in tab.message.text()
    assert amount.text() == "48.00"
    amount.setText("50")
    amount.editingFinished.emit()
    assert "50.00" in tab.list.currentItem().text()
    window.undo()
    assert "48.00" in tab.list.currentItem().text()


def test_copy_indicators_to_another_project(qtbot, window, store):
    tab = window.projects_tab
    tab.select_project("报刊机构合作宣传费")
    source_count = len(tab.project.indicators)
    assert tab.copy_indicators(target_name="慢直播系统建设费", confirm=lambda text: True)
    book = ProjectBook(store.open_dataset("359", 2023))
    target = next(p for p in book.list_projects() if p.name == "慢直播系统建设费")
    assert len(target.indicators) == source_count


def test_overall_goal_procurement_and_assets(qtbot, window, store):
    overall = window.overall_tab
    window.tabs.setCurrentWidget(overall)
    overall.goal.setPlainText("新的总体目标")
    assert overall.save_goal()
    book = ProjectBook(store.open_dataset("359", 2023))
    assert book.overall_targets().goal == "新的总体目标"

    procurement = window.procurement_tab
    window.tabs.setCurrentWidget(procurement)
    rows = procurement.model.rowCount()
    assert procurement.add_purchase()
    assert procurement.model.rowCount() == rows + 1
    model = procurement.model
    row = rows
    name_column = next(i for i, c in enumerate(model.columns) if c.key == "item_name")
    fund_column = next(i for i, c in enumerate(model.columns) if c.key == "general_budget")
    total_column = next(i for i, c in enumerate(model.columns) if c.key == "total")
    assert model.setData(model.index(row, name_column), "档案扫描服务")
    assert model.setData(model.index(row, fund_column), "3.5")
    assert model.index(row, total_column).data() == "3.50"
    assert not model.setData(model.index(row, fund_column), "-1")
    assert "负数" in procurement.message.text()
    assert ProjectBook(store.open_dataset("359", 2023)).list_procurement()[-1].general_budget == Decimal("3.50")
    assert "合计" in procurement.totals.text()

    assets = window.assets_tab
    window.tabs.setCurrentWidget(assets)
    old = ProjectBook(store.open_dataset("359", 2023)).assets()
    old_equipment = old.line("equipment").value or Decimal(0)
    assets.table.item(4, 1).setText("12.5")  # 单价 20 万元以上设备 价值
    new = ProjectBook(store.open_dataset("359", 2023)).assets()
    assert new.line("equipment").value == Decimal("12.50")
    assert new.total_value == (old.total_value or Decimal(0)) - old_equipment + Decimal("12.50")
    assert assets.table.item(0, 1).text() == f"{new.total_value:,.2f}"
    assets.table.item(3, 0).setText("2.5")  # 车辆 must be whole
    assert assets.message.text()
    QApplication.processEvents()


def test_the_add_button_adds_the_typed_indicator(qtbot, window, store):
    """Clicked with the mouse, 添加 adds what was typed (it used to crash: clicked(bool) filled the name)."""
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.add_project(name="按钮添加指标项目")
    editor = tab.indicators
    editor.level2.setCurrentIndex(level2_index(editor, "11"))
    type_text(qtbot, editor.name, "点击添加的指标")
    qtbot.mouseClick(editor.findChild(QPushButton, "add_indicator"), Qt.MouseButton.LeftButton)
    assert [i.name for i in editor.model.records] == ["点击添加的指标"]
    stored = next(p for p in ProjectBook(store.open_dataset("359", 2023)).list_projects() if p.name == "按钮添加指标项目")
    assert [i.name for i in stored.indicators] == ["点击添加的指标"]
