"""新建下一年度 in the window: asks, rolls the open year over and opens the new one."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app import prior


def test_new_year_action_opens_the_next_year(window, store, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: shown.append(text))
    action = window.findChild(type(window.print_action), "new_year")
    assert action is not None and action.text() == "新建下一年度…"
    action.trigger()
    assert window.dataset.year == 2024
    assert shown and "已建立 2024 年度" in shown[0]
    assert prior.typed_prior(window.dataset)["project"] == prior.figures_of(store.open_dataset("359", 2023))["project"]
    assert window.chooser.findData("359|2024") >= 0


def test_new_year_action_refuses_an_existing_year(window, store, monkeypatch):
    store.create_dataset("359", 2024)
    warnings = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    window.findChild(type(window.print_action), "new_year").trigger()
    assert warnings and "已存在" in warnings[0]
    assert window.dataset.year == 2023
