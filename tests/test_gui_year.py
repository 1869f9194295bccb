"""新建下一年度 in the window: asks, rolls the open year over and opens the new one."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app.domain import prior


def test_new_year_action_opens_the_next_year(qtbot, window, store, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: shown.append(text))
    action = window.findChild(type(window.print_action), "new_year")
    assert action is not None and action.text() == "新建下一年度…"
    action.trigger()
    qtbot.waitUntil(lambda: window.year_job.outcome is not None, timeout=60000)  # a job (ui.common.jobs.run_job)
    assert window.dataset.year == 2024
    assert shown and "已建立 2024 年度" in shown[0]
    assert prior.typed_prior(window.dataset)["project"] == prior.figures_of(store.open_dataset("359", 2023))["project"]
    assert window.chooser.findData("359|2024") >= 0


def test_new_year_action_refuses_an_existing_year(qtbot, window, store, monkeypatch):
    store.create_dataset("359", 2024)
    warnings = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    window.findChild(type(window.print_action), "new_year").trigger()
    qtbot.waitUntil(lambda: window.year_job.outcome is not None, timeout=60000)
    assert warnings and "已存在" in warnings[0]
    assert window.dataset.year == 2023


def test_profile_dialog_saves_through_the_core_and_refuses_bad_amounts(qtbot, window, monkeypatch):
    from decimal import Decimal

    from app.domain import profile
    from app.projects import narrative
    from ui.editor.profile_dialog import ProfileDialog

    dataset = window.dataset
    dialog = ProfileDialog(dataset, window)
    qtbot.addWidget(dialog)
    assert dialog.texts["duties"].toPlainText().startswith("融媒体中心主要职责如下：")
    assert dialog.amounts["basic"].text() == "650.84"
    dialog.texts["institutions"].setPlainText("办公室、新闻部、技术部")
    dialog.amounts["basic"].setText("700")
    dialog.reasons["basic"].setText("主要为人员调整")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    dialog.amounts["project"].setText("三百")
    assert not dialog.save()
    assert warnings and prior.typed_prior(dataset)["basic"] == Decimal("650.84")  # nothing written
    assert profile.profile(dataset)["institutions"] == ""
    dialog.amounts["project"].setText("367.45")
    assert dialog.save()
    assert profile.profile(dataset)["institutions"] == "办公室、新闻部、技术部"
    texts = narrative.generate_texts(dataset)
    assert "内设机构：办公室、新闻部、技术部" in texts["organization"]
    assert "基本支出增加72.32万元，主要为人员调整" in texts["change"]


def test_profile_action_is_in_the_window(window):
    action = window.findChild(type(window.print_action), "edit_profile")
    assert action is not None and action.text() == "单位情况与上年数…"
