"""上报 from the clerk's window and the 财政局 window, driven through the real widgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu, QMessageBox

from tests.conftest import explain_all_findings
from tests.test_package import make_package, seed_document

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


@pytest.fixture
def boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda *args, kind=kind: shown.append((kind, args[1], args[2])))
    return shown


def _wait(qtbot, job):
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=120000)


def test_submit_menu_refused_then_submitted(qtbot, window, tmp_path, boxes):
    actions = {action.objectName(): action for menu in window.menuBar().findChildren(QMenu) for action in menu.actions()}
    assert {"package_submit", "package_export", "package_import", "bureau_mode"} <= set(actions)
    from ui.window.package_actions import export_package_gui

    target = tmp_path / "usb" / "359.bdp"
    assert export_package_gui(window, submit=True, path=str(target)) is None  # refused before any work starts
    assert boxes[-1][0] == "warning" and "不能上报" in boxes[-1][2]
    assert not target.exists() and window.dataset.status == "draft"

    explain_all_findings(window.dataset)
    _wait(qtbot, export_package_gui(window, submit=True, path=str(target)))
    assert boxes[-1][0] == "information" and "签名密钥指纹" in boxes[-1][2]
    assert target.exists() and window.dataset.status == "submitted"
    assert "已上报" in window.windowTitle()


def test_bureau_folder_import_with_a_refused_package_overview_return_consolidate(qtbot, store, tmp_path, boxes):
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    folder = tmp_path / "usb"
    folder.mkdir()
    for code, scale in (("101", 1), ("102", 2)):
        make_package(folder / f"{code}.bdp", seed_document(code=code, name=f"测试单位{code}", scale=scale,
                                                         status="submitted"))
    bad = make_package(folder / "103.bdp", seed_document(code="103", name="测试单位103"))
    bad.write_bytes(bad.read_bytes()[:-100])

    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    window.show()
    assert window.table.rowCount() == 0
    window.import_folder(str(folder))
    _wait(qtbot, window.job)
    assert window.table.rowCount() == 2
    assert [window.table.item(r, 0).text() for r in range(2)] == ["101", "102"]
    assert window.table.item(1, 8).text() == "2,413.30" and window.table.item(0, 3).text() == "已上报"
    assert "成功 2 个。1 个数据包未导入：文件损坏 1" in window.folder_import.heading.text()
    assert "不完整" in window.folder_import.refusal_item("103.bdp").text(2)

    window.table.selectRow(0)
    dialog = window.view_unit()
    assert dialog.view.tabs.count() == 9
    dialog.close()

    window.return_unit(reason="请补充项目金额")
    assert window.table.item(0, 3).text() == "已退回" and window.table.item(0, 12).text() == "请补充项目金额"

    window.consolidate(("all", None))
    _wait(qtbot, window.job)
    tabs = window.consolidation_dialog.view.tabs
    expenditure = next(tabs.widget(i) for i in range(tabs.count()) if tabs.tabText(i) == "支出总表")
    assert expenditure.item(0, 1).text() == "合计"
    assert expenditure.item(0, 2).text() == f"{Decimal('1206.65') * 3:,}"
    window.consolidation_dialog.close()


def test_single_package_import_asks_before_replacing(qtbot, store, tmp_path, boxes):
    from ui.bureau.window import BureauWindow

    path = make_package(tmp_path / "a.bdp", seed_document())
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    asked = []
    window.import_file(str(path), ask=lambda preview: asked.append(preview) or True)
    qtbot.waitUntil(lambda: window.table.rowCount() == 1, timeout=120000)
    assert asked[0].first_trust and asked[0].diff is None
    changed = seed_document()
    changed["values"][0]["value"] = "1.00"
    newer = make_package(tmp_path / "b.bdp", changed)
    window.import_file(str(newer), ask=lambda preview: asked.append(preview) or False)
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=120000)
    assert [(part.key, len(part.lines)) for part in asked[1].diff.parts] == [("income_summary", 1)]
    assert store.open_dataset("359", 2023).entered_values() != {}
    assert all(kind != "warning" for kind, _t, _x in boxes)


def test_refused_single_package_is_a_chinese_message(qtbot, store, tmp_path, boxes):
    from ui.bureau.window import BureauWindow

    path = make_package(tmp_path / "a.bdp", seed_document())
    path.write_bytes(path.read_bytes()[:2000])
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    window.import_file(str(path), ask=lambda preview: pytest.fail("a damaged package is never offered for import"))
    qtbot.waitUntil(lambda: bool(boxes), timeout=120000)
    assert boxes[0][0] == "warning" and "不完整" in boxes[0][2]
    assert window.table.rowCount() == 0 and store.list_datasets() == []


def test_bureau_registers_a_new_key_typed_from_paper(qtbot, store, tmp_path, boxes):
    from app.bureau import intake
    from app.exchange.package import trust
    from tests.qt_helpers import type_text
    from ui.bureau.window import BureauWindow

    outcome = intake.import_package(store, make_package(tmp_path / "a.bdp", seed_document()))
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    window.table.selectRow(0)
    dialog = window.trust()
    assert dialog.unit.text() == "359" and outcome.fingerprint in dialog.history.text()
    type_text(qtbot, dialog.fingerprint, "0123 4567 89ab cdef")
    dialog.accept()
    assert boxes[-1][0] == "warning" and "已登记密钥" in boxes[-1][2]  # re-issue must be explicit
    assert "更换已登记的密钥" in boxes[-1][2] and "--" not in boxes[-1][2]  # the dialog's words (issue 29)
    dialog.replace.setChecked(True)
    dialog.accept()
    assert "原因" in boxes[-1][2] and "--reason" not in boxes[-1][2]
    type_text(qtbot, dialog.reason, "原电脑损坏，密钥丢失")
    dialog.accept()
    assert not dialog.isVisible()
    assert window.table.item(0, 7).text() == "0123-4567-89AB-CDEF"
    assert [k.status for k in trust.trusted_keys(store, "359")] == ["revoked", "active"]


def test_clerk_window_imports_only_its_own_unit(qtbot, window, tmp_path, boxes):
    from ui.window.package_actions import import_package_gui

    other = make_package(tmp_path / "other.bdp", seed_document(code="360", name="别的单位"))
    job = import_package_gui(window, str(other), ask=lambda preview: pytest.fail("never offered"))
    qtbot.waitUntil(lambda: bool(boxes), timeout=120000)
    assert job.outcome == "failed"
    assert "不是预期的单位 359" in boxes[0][2] and "财政局：接收与汇总" in boxes[0][2]
