"""The 财政局's resubmission dialog, driven through the real widgets: the difference as a tree, one table
ticked, 合并所选 — and only that table changes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.bureau import intake, standing
from app.exchange import signing
from app.exchange.package import reader, writer
from tests.test_package import make_package
from tests.test_resubmission import EXPECTED, held_document, newer_document

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


@pytest.fixture
def boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda *args, kind=kind: shown.append((kind, args[1], args[2])))
    return shown


def _values(store, form: str) -> dict:
    return {key: str(value) for key, value in store.open_dataset("359", 2023).entered_values().items() if key[0] == form}


def _open_dialog(qtbot, store, tmp_path, newer_doc):
    from ui.bureau.window import BureauWindow

    intake.import_package(store, make_package(tmp_path / "a.bdp", held_document()))
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    window.show()
    window.import_file(str(make_package(tmp_path / "b.bdp", newer_doc)))
    qtbot.waitUntil(lambda: getattr(window, "resubmission_dialog", None) is not None
                    and window.resubmission_dialog.isVisible(), timeout=120000)
    return window, window.resubmission_dialog


def test_tick_one_table_and_merge_only_that(qtbot, store, tmp_path, boxes):
    window, dialog = _open_dialog(qtbot, store, tmp_path, newer_document())
    before_expenditure = _values(store, "expenditure_summary")
    tree = dialog.tree
    tops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert [item.data(0, Qt.ItemDataRole.UserRole) for item in tops] == list(EXPECTED)
    assert tops[0].text(0) == "部门预算支出总表（5 处不同）" and tops[0].childCount() == 5
    cell = tops[0].child(2)
    assert [cell.text(0), cell.text(1), cell.text(2)] == ["2070699 其他新闻出版电影支出 / 基本支出", "582.20", "600.00"]
    assert dialog.replace_button.isEnabled() and not dialog.merge_button.isEnabled()  # nothing ticked yet

    three_public = tops[1]
    tree.setFocus()
    tree.setCurrentItem(three_public)
    qtbot.keyClick(tree.viewport(), Qt.Key.Key_Space)  # tick it, as a clerk does with the keyboard
    assert three_public.checkState(0) == Qt.CheckState.Checked
    assert dialog.checked_parts() == ["three_public_expenses"] and dialog.merge_button.isEnabled()
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(kind == "information" for kind, _title, _text in boxes), timeout=120000)
    kind, title, text = boxes[-1]
    assert title == "已导入" and "合并（只取所选部分）" in text and "重新审核" in text

    assert _values(store, "three_public_expenses")[("three_public_expenses", "reception", "general_budget")] == "0.50"
    assert _values(store, "expenditure_summary") == before_expenditure  # not ticked: as held
    document = store.open_dataset("359", 2023)
    from app.exchange.interchange import export_document

    exported = export_document(document)
    assert exported["projects"][0]["amount"] == "72.00" and "explanations" not in exported
    from app.store.audit import history

    merged = [record for record in history(store, "359", 2023) if record.source == "合并"]
    assert {record.form for record in merged} == {"", "three_public_expenses"}
    assert "《部门预算财政拨款“三公”经费支出表》" in merged[0].new


def test_cancel_changes_nothing_and_older_package_needs_confirming(qtbot, store, tmp_path, boxes):
    window, dialog = _open_dialog(qtbot, store, tmp_path, newer_document())
    before = _values(store, "expenditure_summary")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and _values(store, "expenditure_summary") == before
    assert not dialog.force.isVisibleTo(dialog)  # not an older package: nothing to confirm
    assert len(standing.overview(store, 2023)) == 1 and not boxes


def test_submitted_or_older_packages_are_not_offered_blindly(qtbot, store, tmp_path):
    from datetime import datetime

    from app.bureau import resubmission
    from tests.test_package import FAKE_PDF
    from ui.bureau.resubmission_dialog import ResubmissionDialog

    first = make_package(tmp_path / "a.bdp", held_document(status="submitted"))
    intake.import_package(store, first)
    preview = resubmission.preview_resubmission(store, make_package(tmp_path / "b.bdp", newer_document()))
    dialog = ResubmissionDialog(preview)
    qtbot.addWidget(dialog)
    dialog.set_checked("notes")
    assert "须先" in dialog.refusal.toPlainText() and "退回" in dialog.refusal.toPlainText()  # before 覆盖 is pressed
    assert dialog.refusal.isVisibleTo(dialog) and not dialog.replace_button.isEnabled()
    assert not dialog.merge_button.isEnabled()

    standing.return_dataset(store, "359", 2023, "请更正")
    created = datetime.fromisoformat(reader.open_package(first).manifest["created"].removesuffix("Z"))
    older = tmp_path / "older.bdp"
    writer.write_package(older, document=newer_document(), audit={"unit": "359", "year": 2023, "changes": []},
                      findings={"errors": 0, "warnings": 0, "findings": []}, pdf=FAKE_PDF,
                      key=signing.unit_key("359"), created=created.replace(year=created.year - 1))
    dialog = ResubmissionDialog(resubmission.preview_resubmission(store, older))
    qtbot.addWidget(dialog)
    assert "早于已接收的数据包" in dialog.warning.text() and dialog.force.isVisibleTo(dialog)
    assert not dialog.replace_button.isEnabled()
    qtbot.mouseClick(dialog.force, Qt.MouseButton.LeftButton)
    assert dialog.force.isChecked() and dialog.replace_button.isEnabled()
    qtbot.mouseClick(dialog.replace_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == ("replace", [])
