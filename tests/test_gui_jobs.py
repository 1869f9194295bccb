"""The one job helper (ui.common.jobs.run_job): its progress box is gone before any result, refusal or error
is shown, and stays gone while that message is open (issue 24: the 上报…… box covered the result)."""

from __future__ import annotations

import sys
import time

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from app.base.errors import BudgetDeskError
from ui.common.jobs import SHOW_AFTER_MS, run_job

# A message box stays open at least this long in these tests: longer than the progress box's
# show-after delay, so a box that would pop up late over the message is caught.
MESSAGE_OPEN_MS = SHOW_AFTER_MS * 3


def visible_progress_boxes() -> list[QProgressDialog]:
    return [widget for widget in QApplication.topLevelWidgets()
            if isinstance(widget, QProgressDialog) and widget.isVisible()]


@pytest.fixture
def messages(qtbot, monkeypatch):
    """Every message box and error dialog, with the progress boxes visible when it appeared and while it
    stayed open (a nested event loop, as the real modal box runs)."""
    shown = []

    def record(kind, text):
        at_open = visible_progress_boxes()
        qtbot.wait(MESSAGE_OPEN_MS)
        shown.append({"kind": kind, "text": text, "at_open": at_open, "while_open": visible_progress_boxes()})

    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda _parent, _title, text, *_a, kind=kind: record(kind, text))
    monkeypatch.setattr(sys, "excepthook", lambda _type, exc, _tb: record("error", str(exc)))
    return shown


def short_work(outcome):
    """Work that reports a first step (which arms the progress box's show-after timer) and ends quickly."""
    def work(progress):
        progress.step(0, 0, "核对……")
        time.sleep(0.05)
        if outcome == "refusal":
            raise BudgetDeskError("数据包已损坏，不能导入。")
        if outcome == "failure":
            raise RuntimeError("磁盘出错")
        return "完成"
    return work


@pytest.mark.parametrize("outcome, kind, text", [
    ("success", "information", "完成"),
    ("refusal", "warning", "数据包已损坏，不能导入。"),
    ("failure", "error", "磁盘出错"),
])
def test_no_progress_box_while_the_outcome_is_shown(qtbot, window, messages, outcome, kind, text):
    def done(result):
        QMessageBox.information(window, "上报", result)

    job = run_job(window, "上报", short_work(outcome), done)
    qtbot.waitUntil(lambda: len(messages) > 0, timeout=30000)
    assert job.outcome == {"success": "done", "refusal": "failed", "failure": "failed"}[outcome]
    [message] = messages
    assert (message["kind"], message["text"]) == (kind, text)
    assert message["at_open"] == [] and message["while_open"] == []
    qtbot.wait(MESSAGE_OPEN_MS)
    assert visible_progress_boxes() == []


def test_a_long_job_shows_its_box_and_closes_it_before_the_result(qtbot, window, messages):
    def work(progress):
        for done in range(40):
            progress.step(done, 40, f"第 {done + 1} 项")
            time.sleep(0.025)
        raise BudgetDeskError("不能上报：有错误未修正。")

    seen_running = []
    job = run_job(window, "上报", work)
    job.progressed.connect(lambda *_: seen_running.append(bool(visible_progress_boxes())))
    qtbot.waitUntil(lambda: len(messages) > 0, timeout=30000)
    assert any(seen_running)  # the box was up while the work ran
    assert messages[0]["at_open"] == [] and messages[0]["while_open"] == []


def test_a_damaged_package_is_refused_with_no_progress_box_left(qtbot, window, messages, tmp_path):
    from ui.window.package_actions import import_package_gui

    damaged = tmp_path / "坏的.bdp"
    damaged.write_bytes(b"PK\x03\x04 not a real package")
    job = import_package_gui(window, str(damaged))
    qtbot.waitUntil(lambda: len(messages) > 0, timeout=30000)
    assert job.outcome == "failed"
    assert messages[0]["kind"] == "warning"
    assert messages[0]["at_open"] == [] and messages[0]["while_open"] == []


@pytest.mark.usefixtures("key_dir")
def test_submit_refused_then_done_shows_each_message_with_no_progress_box(qtbot, window, messages, tmp_path):
    """Issue 24: after 上报 the “上报……” box covered the result, whose 确定 did nothing."""
    from tests.conftest import explain_all_findings
    from ui.window.package_actions import export_package_gui

    target = tmp_path / "359.bdp"
    assert export_package_gui(window, submit=True, path=str(target)) is None  # refused by the 审核 before any job
    assert len(messages) == 1 and messages[0]["kind"] == "warning" and "不能上报" in messages[0]["text"]
    explain_all_findings(window.dataset)
    job = export_package_gui(window, submit=True, path=str(target))
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=120000)
    assert job.outcome == "done" and messages[1]["kind"] == "information" and "签名密钥指纹" in messages[1]["text"]
    for message in messages:
        assert message["at_open"] == [] and message["while_open"] == []


@pytest.fixture
def bureau(qtbot, store, tmp_path):
    from PySide6.QtCore import QSettings

    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    opened = BureauWindow(store, 2023)
    qtbot.addWidget(opened)
    opened.show()
    return opened


@pytest.mark.confirm_keys
@pytest.mark.usefixtures("key_dir")
def test_the_bureau_import_asks_about_a_new_key_with_no_progress_box(qtbot, bureau, monkeypatch, tmp_path):
    """After a folder import the 核对密钥指纹 question follows the result: the progress box is gone by then."""
    from tests.test_package import make_package, seed_document

    folder = tmp_path / "usb"
    folder.mkdir()
    make_package(folder / "101.bdp", seed_document(code="101", name="测试单位101"))
    asked = []

    def question(_parent, title, _text, *_args):
        at_open = visible_progress_boxes()
        qtbot.wait(MESSAGE_OPEN_MS)
        asked.append((title, at_open, visible_progress_boxes()))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    bureau.import_folder(str(folder))
    qtbot.waitUntil(lambda: len(asked) > 0, timeout=60000)
    assert asked == [("核对密钥指纹", [], [])]
    qtbot.waitUntil(lambda: bureau.job.outcome is not None, timeout=60000)
    assert visible_progress_boxes() == []
