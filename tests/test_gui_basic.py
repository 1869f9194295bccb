"""The 人员 / 车辆 tabs and the 基本支出测算 tab, driven through the real widgets of the clerk's window."""

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.basic.book import BasicInfoBook
from app.basic.records import BasicInfo, StaffMember, Vehicle

NINE = [StaffMember("在职行政", name=f"职工{i}", basic_pay=Decimal("5000")) for i in range(9)]


def _type_into(qtbot, table, row: int, column: int, text: str) -> None:
    """A cell edit as the table's editor commits it (QTest types ASCII only, so Chinese is committed whole)."""
    table.setCurrentCell(row, column)
    table.item(row, column).setText(text)
    QApplication.processEvents()


def _estimate_rows(tab) -> dict[str, list[str]]:
    table = tab.table
    return {table.item(row, 0).text(): [table.item(row, c).text() for c in range(table.columnCount())]
            for row in range(table.rowCount())}


def test_a_person_typed_in_the_staff_tab_is_stored_and_the_estimate_follows(qtbot, window, store):
    dataset = window.dataset
    BasicInfoBook(dataset).replace(BasicInfo(NINE, [Vehicle("一般公务用车")]))
    window.tabs.setCurrentWidget(window.staff_tab)
    table = window.staff_tab.table
    assert table.rowCount() == 9 and window.staff_tab.count_label.text() == "共 9 人"
    qtbot.mouseClick(window.staff_tab.add_button, Qt.MouseButton.LeftButton)
    _type_into(qtbot, table, 9, 0, "新职工")
    assert len(BasicInfoBook(dataset).content().staff) == 9  # no 类别 yet: kept on screen, not written
    _type_into(qtbot, table, 9, 1, "在职行政")
    _type_into(qtbot, table, 9, 4, "5000")
    staff = BasicInfoBook(dataset).content().staff
    assert len(staff) == 10 and staff[9] == StaffMember("在职行政", name="新职工", basic_pay=Decimal("5000.00"))

    window.tabs.setCurrentWidget(window.estimate_tab)
    rows = _estimate_rows(window.estimate_tab)
    assert rows["30101"][3] == "60.00" and rows["30101"][4] == "350.01"  # 测算 beside the typed figure
    assert rows["30101"][6] == "在职行政基本工资：10 人 × 5,000 元 × 12 月"
    assert rows["30231"][3] == "2.00"
    assert "示例，请以财政局文件为准" in window.estimate_tab.source_label.text()
    assert any(f.rule == "B01" and f.anchor == "30101" for f in window.controller.findings())  # the 提示


def test_a_bad_pay_cell_is_refused_and_nothing_changes(qtbot, window, store):
    dataset = window.dataset
    BasicInfoBook(dataset).replace(BasicInfo(NINE[:2], []))
    window.tabs.setCurrentWidget(window.staff_tab)
    _type_into(qtbot, window.staff_tab.table, 0, 4, "五千")
    assert BasicInfoBook(dataset).content().staff == NINE[:2]
    assert window.staff_tab.table.item(0, 4).text() == "5000.00"  # the stored figure shown again
    assert "人员未保存：第 1 行：基本工资" in window.feedback.text()


def test_bring_in_writes_the_estimate_as_one_undo_step_and_follow_keeps_it(qtbot, window, store):
    dataset = window.dataset
    BasicInfoBook(dataset).replace(BasicInfo(NINE + NINE[:1], [Vehicle("一般公务用车"), Vehicle("一般公务用车")]))
    window.tabs.setCurrentWidget(window.estimate_tab)
    tab = window.estimate_tab
    qtbot.mouseClick(tab.bring_button, Qt.MouseButton.LeftButton)
    assert dataset.value("general_budget_basic_expenditure", "30101", "personnel") == Decimal("60.00")
    assert dataset.value("three_public_expenses", "vehicle_operation", "general_budget") == Decimal("4.00")
    assert _estimate_rows(tab)["30101"][5] == "0.00"
    assert not [f for f in window.controller.findings() if f.rule == "B01"]
    window.controller.undo_stack.undo()
    assert dataset.value("general_budget_basic_expenditure", "30101", "personnel") == Decimal("350.01")

    tab.follow_box.click()  # 保持跟随: brought in now, and again after every roster change
    assert dataset.value("general_budget_basic_expenditure", "30101", "personnel") == Decimal("60.00")
    window.tabs.setCurrentWidget(window.staff_tab)
    qtbot.mouseClick(window.staff_tab.add_button, Qt.MouseButton.LeftButton)
    _type_into(qtbot, window.staff_tab.table, 10, 1, "在职行政")
    _type_into(qtbot, window.staff_tab.table, 10, 4, "6000")
    qtbot.waitUntil(lambda: dataset.value("general_budget_basic_expenditure", "30101", "personnel")
                    == Decimal("67.20"), timeout=10000)
    window.controller.undo_stack.undo()  # the 带入 that followed
    window.controller.undo_stack.undo()  # the pay typed: 保持跟随 brings the 测算 of the roster before it in again
    qtbot.waitUntil(lambda: dataset.value("general_budget_basic_expenditure", "30101", "personnel")
                    == Decimal("60.00"), timeout=10000)
    assert BasicInfoBook(dataset).content().staff[10].basic_pay == Decimal("0.00")


def test_a_submitted_dataset_shows_the_roster_read_only(qtbot, window, store):
    from tests.conftest import explain_all_findings

    dataset = window.dataset
    BasicInfoBook(dataset).replace(BasicInfo(NINE[:2], [Vehicle("一般公务用车")]))
    explain_all_findings(dataset)
    window.controller.set_status("submitted")
    window.tabs.setCurrentWidget(window.staff_tab)
    tab = window.staff_tab
    assert not tab.add_button.isEnabled() and not tab.remove_button.isEnabled()
    assert tab.table.editTriggers() == tab.table.EditTrigger.NoEditTriggers
    window.tabs.setCurrentWidget(window.estimate_tab)
    assert not window.estimate_tab.bring_button.isEnabled() and not window.estimate_tab.follow_box.isEnabled()


def test_a_roster_edit_is_one_undo_step(qtbot, window, store):
    dataset = window.dataset
    BasicInfoBook(dataset).replace(BasicInfo(NINE[:2], []))
    window.tabs.setCurrentWidget(window.staff_tab)
    _type_into(qtbot, window.staff_tab.table, 1, 4, "6000")
    assert BasicInfoBook(dataset).content().staff[1].basic_pay == Decimal("6000.00")
    window.controller.undo_stack.undo()
    assert BasicInfoBook(dataset).content().staff == NINE[:2]
    assert window.staff_tab.table.item(1, 4).text() == "5000.00"
    window.controller.undo_stack.redo()
    assert BasicInfoBook(dataset).content().staff[1].basic_pay == Decimal("6000.00")


def test_import_from_excel_in_the_tab_and_a_bad_sheet_is_refused_naming_the_cell(qtbot, window, store, monkeypatch,
                                                                                tmp_path):
    import openpyxl
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    for path, pay in ((good, 5000), (bad, "五千")):
        book = openpyxl.Workbook()
        book.active.append(["姓名", "人员类别", "基本工资"])
        book.active.append(["王五", "在职参公", pay])
        book.save(path)
    window.tabs.setCurrentWidget(window.staff_tab)
    tab = window.staff_tab
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (str(good), ""))
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    assert BasicInfoBook(window.dataset).content().staff == [
        StaffMember("在职参公", name="王五", basic_pay=Decimal("5000.00"))]
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text() == "王五"
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (str(bad), ""))
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    assert shown and "第 2 行第 C 列（基本工资（元/月））" in shown[0] and "未导入" in shown[0]
    assert len(BasicInfoBook(window.dataset).content().staff) == 1  # nothing written
    window.controller.undo_stack.undo()  # the import was one step
    assert BasicInfoBook(window.dataset).content().staff == []
