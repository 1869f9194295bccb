"""The 绩效自评 tabs driven like a clerk: prefill from the targets, type into the wide table and the
department form, see 执行率 and 总分 follow, bad input refused in words, undo."""

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import selfeval
from app.base.jsondoc import read_document
from app.exchange.interchange import import_document
from tests.conftest import FIXTURES
from tests.test_gui_editor import type_text


def type_into_view(qtbot, view, row, column, text):
    view.setFocus()
    view.setCurrentIndex(view.model().index(row, column))
    type_text(qtbot, view, text[0])
    editor = QApplication.focusWidget()
    type_text(qtbot, editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def type_into_widget(qtbot, table, row, column, text):
    table.setFocus()
    table.setCurrentCell(row, column)
    type_text(qtbot, table, text[0])
    editor = QApplication.focusWidget()
    type_text(qtbot, editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_project_tab_prefill_type_and_undo(qtbot, window, store):
    tab = window.self_evaluation_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.model.rowCount() == 0
    qtbot.mouseClick(tab.prefill_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 21  # every project of seed 004
    first = tab.model.rows[0]
    budget = first.budget
    # the frozen view shows only 项目名称; the wide view everything else, under the grouped header
    assert not tab.frozen.isColumnHidden(0) and tab.table.isColumnHidden(0)
    assert tab.model.grid_columns[tab.column_of("content:quantity")].header == ("产出目标", "数量指标", "年度指标内容")
    actual = tab.column_of("actual_total")
    type_into_view(qtbot, tab.table, 0, actual, "1.00")
    stored = selfeval.SelfEvaluationBook(store.open_dataset("359", 2023)).projects()[0]
    assert stored.actual_total == Decimal("1.00")
    rate = tab.model.index(0, tab.column_of("rate")).data()
    assert rate == selfeval.format_rate(selfeval.execution_rate(Decimal("1.00"), budget))
    # a word where an amount belongs: refused in Chinese, nothing written
    type_into_view(qtbot, tab.table, 0, actual, "很多")
    assert "不是有效的金额" in tab.message.text()
    assert tab.model.index(0, actual).data() == "1.00"
    type_into_view(qtbot, tab.table, 0, tab.column_of("result:quantity"), "已完成")
    assert tab.model.rows[0].results["quantity"] == "已完成"
    window.undo()
    assert "quantity" not in tab.model.rows[0].results
    window.undo()
    assert tab.model.rows[0].actual_total is None


def test_department_tab_shows_seed003_and_follows_typing(qtbot, window, store):
    dataset = import_document(store, read_document(FIXTURES / "seed003_2020.json"))
    window.open_dataset(dataset.unit_code, dataset.year)
    assert window.controller.dataset.unit_code == "LY003"
    tab = window.department_self_evaluation_tab
    window.tabs.setCurrentWidget(tab)
    assert [tab.scale.item(row, 2).text() for row in range(4)] == ["312.97%", "", "105.37%", "848.63%"]
    assert "权重 100" in tab.total.text() and "自评得分 93" in tab.total.text()
    type_into_widget(qtbot, tab.scale, 2, 1, "115.15")  # 基本支出 executed exactly as budgeted
    assert tab.scale.item(2, 2).text() == "100.00%"
    row = next(r for r in range(tab.scores.rowCount()) if tab.scores.item(r, 2).text() == "经济效益指标")
    type_into_widget(qtbot, tab.scores, row, 7, "9")
    assert "自评得分 94" in tab.total.text()
    type_into_widget(qtbot, tab.scores, row, 7, "12")  # above its weight: stored, and S04 reports it
    assert any(f.rule == "S04" for f in window.controller.findings())
    type_into_widget(qtbot, tab.scores, row, 7, "九分")
    assert "不是有效的分值" in tab.message.text()


def test_rows_added_and_removed_in_both_tabs(qtbot, window, store):
    tab = window.self_evaluation_tab
    window.tabs.setCurrentWidget(tab)
    type_text(qtbot, tab.new_name, "上年结转项目")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert [row.project_name for row in tab.model.rows] == ["上年结转项目"]
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)  # no name typed
    assert "项目名称不能为空" in tab.message.text()
    tab.table.setCurrentIndex(tab.model.index(0, 1))
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 0

    department = window.department_self_evaluation_tab
    window.tabs.setCurrentWidget(department)
    qtbot.mouseClick(department.prefill_button, Qt.MouseButton.LeftButton)
    assert department.scores.rowCount() == 17 and "权重 100" in department.total.text()
    department.scores.setCurrentCell(9, 4)  # 产出指标 / 质量指标
    qtbot.mouseClick(department.add_item_button, Qt.MouseButton.LeftButton)
    assert department.scores.rowCount() == 18 and department.scores.item(10, 2).text() == "新二级指标"
    type_into_widget(qtbot, department.scores, 10, 2, "服务指标")
    assert selfeval.SelfEvaluationBook(window.controller.dataset).department().groups[1].items[2].name == "服务指标"
    assert not any(f.rule == "S05" for f in window.controller.findings())  # no weight yet: still 25 of 25
    type_into_widget(qtbot, department.scores, 10, 3, "2")
    s05 = [f for f in window.controller.findings() if f.rule == "S05"]
    assert [f.anchor for f in s05] == ["产出指标"] and "为 27 分，应为 25 分" in s05[0].message
    department.scores.setCurrentCell(10, 4)
    qtbot.mouseClick(department.remove_item_button, Qt.MouseButton.LeftButton)
    assert department.scores.rowCount() == 17


def test_the_stated_rate_is_typed_beside_the_computed_one_and_a_mismatch_is_a_tip(qtbot, window, store):
    dataset = import_document(store, read_document(FIXTURES / "seed001_2020.json"))
    window.open_dataset(dataset.unit_code, dataset.year)
    tab = window.self_evaluation_tab
    window.tabs.setCurrentWidget(tab)
    stated, computed = tab.column_of("stated_rate"), tab.column_of("rate")
    assert computed == stated + 1  # side by side under 预算支出执行率
    assert tab.model.grid_columns[stated].header == ("预算支出执行率", "填报")
    row = next(r for r, item in enumerate(tab.model.rows) if item.project_name == "其他一般管理事务")
    assert tab.model.index(row, stated).data() == "99%" and tab.model.index(row, computed).data() == "99.24%"
    assert not any(f.rule == "S01" for f in window.controller.findings())  # 99% is 99.24 % at whole percents
    type_into_view(qtbot, tab.table, row, stated, "98%")
    assert selfeval.SelfEvaluationBook(window.controller.dataset).project("其他一般管理事务").stated_rate == "98%"
    assert tab.model.index(row, computed).data() == "99.24%"
    tips = [f for f in window.controller.findings() if f.rule == "S01"]
    assert [(f.anchor, f.severity) for f in tips] == [("其他一般管理事务", "warning")]
    type_into_view(qtbot, tab.table, row, stated, "九十九")  # not a percentage: refused, nothing written
    assert "应写成百分数" in tab.message.text()
    assert tab.model.index(row, stated).data() == "98%"
