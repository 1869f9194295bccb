"""上报 in the clerk's window (issue 24 items 1, 9, 10): nothing unreconciled gets out, the 审核 comes before
the file is asked for, a confirmation shows what goes, and the printed cover is where the message says."""

from __future__ import annotations

import re
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox

from app.base.money import format_amount
from app.domain.quantities import value
from app.exchange import signing
from app.projects import ProjectBook
from tests.conftest import explain_all_findings
from ui.window.submit_confirm import SubmitConfirmDialog

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


@pytest.fixture
def boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda *args, kind=kind: shown.append((kind, args[1], args[2])))
    return shown


@pytest.fixture
def save_dialogs(monkeypatch, tmp_path, submission_confirmations):
    """QFileDialog.getSaveFileName answered with a file on the stick; each call records how many
    confirmations had been shown by then (the file is asked for only after the clerk confirmed)."""
    asked = []

    def save_as(_parent, caption, _suggested, file_filter):
        asked.append({"caption": caption, "confirmations_before": len(submission_confirmations)})
        return str(tmp_path / "usb" / "359.bdp"), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    return asked


def menu_action(window, name):
    return next(action for menu in window.menuBar().findChildren(QMenu) for action in menu.actions()
                if action.objectName() == name)


def unreconciled(dataset) -> None:
    """Issue 24's budget: 项目支出 434.33, one project at 80.00, a second without an amount, every 提示 (P02
    “尚有 354.33 万元未落实到项目” too) with its 说明."""
    explain_all_findings(dataset)
    book = ProjectBook(dataset)
    first, second, *others = [project_id for project_id, _name, _amount in book.project_choices()]
    for project_id in others:
        book.delete_project(project_id)
    book.update_project_fields(first, amount=Decimal("80.00"))
    book.update_project_fields(second, amount=None)
    explain_all_findings(dataset, complete_amounts=False)


def test_unreconciled_projects_are_refused_by_the_toolbar_and_the_menu_before_any_file_is_asked(
        qtbot, window, boxes, save_dialogs, submission_confirmations, tmp_path):
    unreconciled(window.dataset)
    window.controller.reload()
    window.submit_action.trigger()  # 标记为已上报
    [(kind, title, text)] = boxes
    assert kind == "warning" and title == "不能上报" and "[错误] P02" in text and "354.33" in text
    assert window.dataset.status == "draft" and submission_confirmations == []

    menu_action(window, "package_submit").trigger()  # 上报（生成签名数据包）…
    assert len(boxes) == 2 and "[错误] P02" in boxes[1][2]
    assert save_dialogs == []  # refused before the clerk was asked where to save (item 9)
    assert submission_confirmations == [] and not (tmp_path / "usb").exists()
    assert window.store.open_dataset("359", 2023).status == "draft"


def test_the_menu_asks_for_the_file_only_after_the_check_and_the_confirmation(qtbot, window, boxes, save_dialogs,
                                                                            submission_confirmations, tmp_path):
    explain_all_findings(window.dataset)
    window.controller.reload()
    menu_action(window, "package_submit").trigger()
    job = window.package_job
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=120000)
    assert job.outcome == "done", job.error
    assert save_dialogs == [{"caption": "上报：保存数据包", "confirmations_before": 1}]
    assert (tmp_path / "usb" / "359.bdp").is_file() and window.dataset.status == "submitted"
    [(kind, title, text)] = boxes
    assert title == "已上报" and job.result.fingerprint in text
    # item 10: the message says where the fingerprint is printed, and it is there
    assert "数据包所附 PDF 的封面" in text and "整套文件封面" in text
    cover = _page_texts(_packaged_pdf(job.result.path), 1)[0]
    assert job.result.fingerprint.replace("-", "") in cover.replace("-", "")


def _packaged_pdf(path) -> bytes:
    import zipfile

    from app.exchange.package import spec

    with zipfile.ZipFile(path) as archive:
        return archive.read(spec.PDF)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_texts(data: bytes, count: int) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [_squash(document[number].get_textpage().get_text_range()) for number in range(count)]
    finally:
        document.close()


def answer_confirmation(qtbot, button: str, seen: list) -> None:
    """Answer 上报's modal confirmation as a clerk does, once it is up: read it, click ``button``."""
    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SubmitConfirmDialog):
            QTimer.singleShot(50, answer)
            return
        seen.append({key: label.text() for key, label in dialog.fields.items()} | {"title": dialog.windowTitle()})
        target = dialog.confirm_button if button == "confirm" else dialog.cancel_button
        seen[-1]["default_is_cancel"] = dialog.cancel_button.isDefault() and not dialog.confirm_button.isDefault()
        target.click()

    QTimer.singleShot(0, answer)


@pytest.mark.confirm_submission
def test_the_confirmation_shows_unit_year_total_counts_and_fingerprint_and_cancel_changes_nothing(
        qtbot, window, boxes):
    explain_all_findings(window.dataset)
    window.controller.reload()
    seen: list = []
    answer_confirmation(qtbot, "cancel", seen)
    assert not window.toggle_submitted()
    assert window.dataset.status == "draft" and boxes == []
    [shown] = seen
    total = format_amount(value(window.dataset, "expenditure_total"))
    assert shown["title"] == "确认上报" and shown["default_is_cancel"]
    assert shown["unit"] == "359 秦皇岛经济技术开发区融媒体中心" and shown["year"] == "2023 年"
    assert shown["total"] == f"{total} 万元" and total != "0.00"
    assert shown["findings"] == "错误 0 条，提示 43 条（均已填写说明）"
    assert "尚无签名密钥" in shown["fingerprint"]  # no key yet: none is made just to be shown

    key = signing.unit_key("359")
    answer_confirmation(qtbot, "confirm", seen)
    assert window.toggle_submitted()
    assert seen[1]["fingerprint"] == signing.fingerprint(signing.public_raw(key.public_key()))
    assert window.dataset.status == "submitted" and window.submit_action.text() == "撤销上报"


def test_the_whole_set_prints_its_cover_with_the_key_fingerprint(qtbot, window):
    from ui.printing.dialog import WHOLE_DOCUMENT, PrintDialog

    key = signing.unit_key("359")
    fingerprint = signing.fingerprint(signing.public_raw(key.public_key()))
    dialog = PrintDialog(window.controller, window)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog._refresh_timer.isActive() and dialog.preview_job is None, timeout=60000)
    try:
        assert [choice.key for choice in dialog.checked_choices()] == [WHOLE_DOCUMENT]
        assert dialog.choice_list.item(0).text().startswith("整套文件（封面、目录")
        first, second = _page_texts(dialog.rendered.data, 2)
        assert "2023年部门预算信息公开" in first and fingerprint.replace("-", "") in first.replace("-", "")
        assert "目录" not in first and "目录" in second
    finally:
        dialog.reject()
