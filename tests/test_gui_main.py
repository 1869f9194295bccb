"""The main window: choose a dataset, see a tab per form generated from the definitions."""

from PySide6.QtCore import QSettings

from app.forms import all_forms
from tests.qt_helpers import type_text
from ui.main_window import MainWindow, NewDatasetDialog


def _isolated_settings(tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))


def test_choosing_a_dataset_opens_a_tab_per_form(qtbot, store, seed_dataset, tmp_path):
    _isolated_settings(tmp_path)
    window = MainWindow(store)
    qtbot.addWidget(window)
    assert window.chooser.count() == 1
    window._chooser_activated(0)
    assert window.tabs.count() == len(all_forms())
    assert "秦皇岛经济技术开发区融媒体中心" in window.windowTitle() and "2023" in window.windowTitle()
    table = window.tabs.widget(2).table
    model = table.model()
    assert model.index(0, 1).data() == "合计"
    assert model.index(0, 2).data() == "1,206.65"


def test_new_dataset_dialog_creates_unit_and_year(qtbot, store, tmp_path):
    _isolated_settings(tmp_path)
    dialog = NewDatasetDialog(store)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.edits["code"], "501")
    type_text(qtbot, dialog.edits["name"], "区档案馆")
    dialog.year.setValue(2025)
    dialog.accept()
    assert dialog.created == ("501", 2025)
    assert store.get_unit("501").name == "区档案馆"
    assert [d.year for d in store.list_datasets()] == [2025]
