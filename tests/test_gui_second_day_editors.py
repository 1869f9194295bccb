"""Issue 24 (a clerk's second day), items 4, 11, 12, 13 and 14: driven through the real widgets."""

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from ui.window.main_window import MainWindow


@pytest.fixture
def first_run(qtbot, store, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    return window


# ---- item 14: 新增项目 fits a project's name; 打开示例数据 is in the 帮助 menu ------------------------
def test_new_project_dialog_fits_a_long_project_name(qtbot, window):
    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    name = "秦皇岛经济技术开发区融媒体中心全媒体传播体系建设项目"
    seen = {}

    def answer():
        dialog = QApplication.activeModalWidget()  # whatever opened, so that a failure cannot hang
        seen["dialog"] = dialog.objectName()
        seen["width"] = dialog.width()
        seen["needed"] = dialog.fontMetrics().horizontalAdvance(name)
        dialog.setTextValue(name)
        dialog.accept()

    QTimer.singleShot(0, answer)
    qtbot.mouseClick(tab.findChild(QPushButton, "add_project"), Qt.MouseButton.LeftButton)
    assert seen["dialog"] == "new_project_dialog"
    assert seen["width"] >= seen["needed"] > 200  # the whole name shows, not a 200-px box
    assert tab.project.name == name


def test_open_sample_is_in_the_help_menu(qtbot, first_run, store):
    action = first_run.sample_action
    assert action in first_run.help_menu.actions() and action.text() == "打开示例数据"
    action.trigger()
    assert (first_run.dataset.unit_code, first_run.dataset.year) == ("359", 2023)
    action.trigger()  # from an open dataset: opens the same sample, no second import
    assert [(info.unit_code, info.year) for info in store.list_datasets()] == [("359", 2023)]


# ---- item 13: the years a window opens on follow the data held --------------------------------
def test_bureau_window_opens_on_the_year_that_has_data(qtbot, store, seed_dataset):
    from ui.bureau.window import BureauWindow

    for asked in (None, 2025):  # 2025: the clerk's window was on a year the bureau holds nothing for
        bureau = BureauWindow(store, asked)
        qtbot.addWidget(bureau)
        assert bureau.year.value() == 2023
        assert [row.unit_code for row in bureau.rows] == ["359"]
    bureau.year.setValue(2025)
    assert "其他有数据的年度：2023" in bureau.summary.text()


def test_new_dataset_defaults_to_the_year_after_the_newest_held(qtbot, window):
    seen = {}

    def answer():
        dialog = QApplication.activeModalWidget()
        seen["year"] = dialog.year.value()
        dialog.reject()

    QTimer.singleShot(0, answer)
    window.new_action.trigger()
    assert seen["year"] == 2024  # seed 004 holds 2023


# ---- item 12: 功能分类科目 takes a code of the classification, nothing typed is dropped silently --------
def test_function_code_with_text_after_it_is_refused_in_chinese(qtbot, window, store, caplog):
    from app.projects import ProjectBook
    from tests.qt_helpers import type_text

    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.add_project(name="科目项目")
    edit = tab.edits["function_code"]

    def stored():
        book = ProjectBook(store.open_dataset("359", 2023))
        return next(p for p in book.list_projects() if p.name == "科目项目").function_code

    edit.setFocus()
    type_text(qtbot, edit, "2070699 其他新闻出版电影支出354.33")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored() == ""
    assert "只能填一个科目编码" in tab.message.text() and "354.33" in tab.message.text()
    assert any("function_code refused" in record.getMessage() for record in caplog.records)
    edit.clear()
    type_text(qtbot, edit, "9999999")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored() == "" and "不在支出功能分类科目" in tab.message.text()
    edit.clear()
    type_text(qtbot, edit, "2070699 其他新闻出版电影支出")  # as the drop-down shows it
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored() == "2070699" and tab.message.text() == ""


# ---- item 11: a new year is quiet until figures are typed -------------------------------------
def test_new_year_shows_no_change_and_no_n03_until_a_figure_is_entered(qtbot, window, store, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.test_gui_editor import tab, type_into
    from tests.test_gui_prior import column_titled

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kwargs: None)
    window.findChild(type(window.print_action), "new_year").trigger()
    qtbot.waitUntil(lambda: window.year_job.outcome is not None, timeout=60000)
    assert window.dataset.year == 2024

    def n03():
        return [finding for finding in window.controller.findings() if finding.rule == "N03"]

    assert n03() == []  # nothing typed yet: no change to explain
    window.show_prior_action.trigger()
    expenditure = tab(window, "expenditure_summary")
    model = expenditure.model
    assert column_titled(model, "total", "basic", "prior").data() == "772.32"  # 2023 in the database
    assert column_titled(model, "total", "basic", "change").data() == ""  # not −100 %
    assert column_titled(model, "2070699", "basic", "change").data() == ""

    type_into(qtbot, expenditure, "2070699", "basic", "100")
    assert column_titled(model, "total", "basic", "change").data().endswith("%）")
    assert column_titled(model, "total", "basic", "change").data().startswith("-")
    assert sorted(finding.anchor for finding in n03()) == ["basic", "expenditure_total"]  # only figures entered


# ---- item 4: the 比较 drop-down shows the saved sign, and no stray key changes it ------------------
def test_comparator_cell_shows_the_saved_sign_and_a_stray_down_key_changes_nothing(qtbot, window, store):
    from PySide6.QtWidgets import QComboBox

    from app.projects import ProjectBook
    from tests.test_gui_clerk_day import click_cell, indicator_editor_with_value

    tab, editor = indicator_editor_with_value(qtbot, window)
    model, table = editor.model, editor.table
    comparator = next(i for i, c in enumerate(model.columns) if c.key == "comparator")
    assert model.setData(model.index(0, comparator), "≥")

    def stored():
        book = ProjectBook(store.open_dataset("359", 2023))
        return next(p for p in book.list_projects() if p.name == "鼠标项目").indicators[0].comparator

    # a closed cell: Down moves (or stays), it never edits
    table.setFocus()
    table.setCurrentIndex(model.index(0, comparator))
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert stored() == "≥" and model.index(0, comparator).data() == "≥"

    click_cell(qtbot, table, model.index(0, comparator), double=True)
    combo = table.findChild(QComboBox, "choice_comparator")
    assert combo is not None and combo.currentText() == "≥"  # the saved sign, not （无）
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # opens the list for a deliberate pick, does not step to ≤
    assert combo.currentText() == "≥"
    combo.hidePopup()
    click_cell(qtbot, table, model.index(0, 2))  # leaving the cell commits what the drop-down shows
    assert stored() == "≥" and model.index(0, comparator).data() == "≥"


def test_a_saved_choice_the_list_does_not_offer_is_shown_as_it_is(qtbot):
    from dataclasses import dataclass

    from ui.common.record_table import ChoiceDelegate, FieldColumn, RecordTableModel, TypingTableView

    @dataclass(frozen=True)
    class Row:
        sign: str

    column = FieldColumn("sign", "比较", "choice", 60, lambda _r: [("", "（无）"), ("≥", "≥"), ("≤", "≤")])
    model = RecordTableModel([column], lambda _row, _record: True)
    model.set_records([Row("≈")])  # e.g. written by an older version
    table = TypingTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.setItemDelegate(ChoiceDelegate(model, table))
    table.show()
    table.edit(model.index(0, 0))
    combo = table.indexWidget(model.index(0, 0))
    assert combo.currentText() == "≈" and combo.currentData() == "≈"


@pytest.mark.usefixtures("key_dir")
def test_bureau_shows_the_year_of_a_package_just_imported(qtbot, store, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.test_package import make_package, seed_document
    from ui.bureau.window import BureauWindow

    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kwargs: QMessageBox.StandardButton.Ok)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    bureau = BureauWindow(store, 2025)  # nothing held yet: the year asked for
    qtbot.addWidget(bureau)
    assert bureau.year.value() == 2025
    bureau.import_file(str(make_package(tmp_path / "a.bdp", seed_document())), ask=lambda _preview: True)
    qtbot.waitUntil(lambda: bureau.table.rowCount() == 1, timeout=120000)
    assert bureau.year.value() == 2023 and bureau.table.item(0, 0).text() == "359"
