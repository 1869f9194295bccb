"""The new-dataset dialog treats unit codes as the core does: full-width digits are the same unit,
invisible characters are refused with a dialog naming the field."""

from PySide6.QtWidgets import QMessageBox

from app.domain.records import UnitInfo
from ui.window.main_window import NewDatasetDialog


def test_full_width_code_adds_a_year_to_the_existing_unit(qtbot, store):
    store.create_unit(UnitInfo(code="501", name="区档案馆"))
    store.create_dataset("501", 2025)
    dialog = NewDatasetDialog(store)
    qtbot.addWidget(dialog)
    dialog.edits["code"].setText("５０１")
    dialog.edits["name"].setText("区档案馆")
    dialog.year.setValue(2026)
    dialog.accept()
    assert dialog.created == ("501", 2026)
    assert [unit.code for unit in store.list_units()] == ["501"]
    assert [(d.unit_code, d.year) for d in store.list_datasets()] == [("501", 2025), ("501", 2026)]


def test_invisible_characters_in_the_code_are_refused_with_a_dialog(qtbot, store, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *args: warnings.append((title, text)))
    dialog = NewDatasetDialog(store)
    qtbot.addWidget(dialog)
    dialog.edits["code"].setText("\u202e953")
    dialog.edits["name"].setText("区档案馆")
    dialog.accept()
    assert dialog.created is None
    assert warnings and warnings[0][0] == "无法新建" and "从右至左覆盖符" in warnings[0][1]
    dialog.edits["code"].setText("502")
    dialog.edits["name"].setText("区档案馆\x00")
    dialog.accept()
    assert "单位名称" in warnings[1][1] and "空字符 NUL" in warnings[1][1]
    assert store.list_units() == [] and store.list_datasets() == []
