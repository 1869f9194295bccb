"""Long work off the GUI thread (打印预览, 导出 PDF, 打印, 导入), 取消, reuse of the rendered bytes, and what
the print dialog remembers per dataset — driven through the real widgets.

No assertion here depends on how long anything takes: where a test needs the work to be "still running",
the work waits on an event that only the test (or the GUI thread's timer) sets.
"""

from __future__ import annotations

import gc
import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QPushButton
from sqlalchemy import update

from app.base.errors import Cancelled
from app.base.progress import Progress
from app.domain.records import UnitInfo
from app.exchange.interchange import dumps, export_document
from db import models
from tests.test_gui_print import (
    THREE_PUBLIC_TITLE,
    checked_keys,
    pdf_text,
    toggle_choice,
    wait_for_jobs,
    wait_for_preview,
)
from ui.common import jobs as jobs_module
from ui.common.file_dialogs import documents_folder
from ui.printing import dialog as print_dialog_module
from ui.printing.choices import FORM_PREFIX, WHOLE_DOCUMENT
from ui.printing.dialog import PrintDialog
from ui.window import import_actions

GATE_TIMEOUT_S = 60  # only ever reached when the test fails


@pytest.fixture
def real_render():
    return print_dialog_module.render_document


@pytest.fixture
def render_calls(monkeypatch, real_render):
    """Count the renders the dialog starts (in whatever thread they run)."""
    calls = []

    def counting(dataset, **options):
        calls.append(options)
        return real_render(dataset, **options)

    monkeypatch.setattr(print_dialog_module, "render_document", counting)
    return calls


@pytest.fixture
def gated_render(monkeypatch, real_render):
    """A render that reports once, then waits for ``gate`` before doing the real work."""
    gate = threading.Event()

    def gated(dataset, *, progress=None, **options):
        progress.step(0, 0, "等待测试放行……")
        assert gate.wait(GATE_TIMEOUT_S), "the test never opened the gate"
        return real_render(dataset, progress=progress, **options)

    monkeypatch.setattr(print_dialog_module, "render_document", gated)
    return gate


def open_dialog(qtbot, window, *, wait=True):
    dialog = PrintDialog(window.controller, window)
    dialog.show()
    if wait:
        wait_for_preview(qtbot, dialog)
    return dialog


def progress_dialog_cancel_button(qtbot, job):
    qtbot.waitUntil(lambda: job.dialog is not None and job.dialog.isVisible(), timeout=GATE_TIMEOUT_S * 1000)
    return job.dialog.findChild(QPushButton)


def other_dataset(store, code="360", year=2023):
    store.create_unit(UnitInfo(code=code, name="开发区文化馆"))
    store.create_dataset(code, year)


# ---- the window keeps running while the preview renders ----------------------------------------------

def test_preview_renders_in_a_worker_while_the_event_loop_keeps_running(qtbot, window, monkeypatch, real_render):
    in_main_thread = []
    ticked = threading.Event()

    def render_after_three_ticks(dataset, *, progress=None, **options):
        in_main_thread.append(threading.current_thread() is threading.main_thread())
        progress.step(0, 0, "测试")
        # Only the GUI thread's timer can open this gate: if rendering blocked the event loop, it never would.
        assert ticked.wait(GATE_TIMEOUT_S), "the GUI thread's timer did not run while the preview rendered"
        return real_render(dataset, progress=progress, **options)

    monkeypatch.setattr(print_dialog_module, "render_document", render_after_three_ticks)
    ticks = []
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(1) or (len(ticks) >= 3 and ticked.set()))
    timer.start()
    dialog = open_dialog(qtbot, window, wait=False)
    try:
        assert dialog.preview_job is not None and dialog.preview_job.running  # the dialog opened at once
        assert dialog.page_count() == 0 and not dialog.print_button.isEnabled()
        assert dialog.page_count_label.text() == "正在生成……"
        qtbot.waitUntil(lambda: dialog.preview_progress.isVisible() and dialog.preview_cancel_button.isVisible())
        wait_for_preview(qtbot, dialog)
        timer.stop()
        assert in_main_thread == [False]
        assert len(ticks) >= 3
        assert dialog.page_count() == dialog.result.pages > 0
        assert not dialog.preview_progress.isVisible() and not dialog.preview_cancel_button.isVisible()
        assert dialog.print_button.isEnabled()
    finally:
        dialog.reject()


def test_rendering_reports_progress_per_section_and_page_and_stops_at_cancel(seed_dataset):
    from app.printing import render_document

    reports = []
    render_document(seed_dataset, forms=["income_summary", "three_public_expenses"],
                    progress=Progress(lambda done, total, text: reports.append((done, total, text))))
    texts = [text for _done, _total, text in reports]
    assert "正在整理内容：第 1 部分，共 2 部分" in texts
    assert any(text.startswith("正在生成：第 1 页") for text in texts)
    assert reports[-1][:2] == (2, 2)  # the written pass knows the page count

    progress = Progress(lambda done, total, text: progress.cancel() if text.startswith("正在生成") else None)
    with pytest.raises(Cancelled):
        render_document(seed_dataset, progress=progress)


def test_final_step_ends_cancelling():
    progress = Progress()
    progress.final_step(1, 2, "正在写入")
    progress.cancel()
    progress.step(2, 2)  # no Cancelled: past the point of no return the work completes
    assert not progress.cancelled


# ---- 取消 ---------------------------------------------------------------------------------------------

def test_cancel_preview_and_export_leave_nothing(qtbot, window, tmp_path, monkeypatch, gated_render):
    monkeypatch.setattr(jobs_module, "SHOW_AFTER_MS", 0)
    exports = tmp_path / "exports"
    exports.mkdir()
    dialog = open_dialog(qtbot, window, wait=False)
    try:
        qtbot.waitUntil(lambda: dialog.preview_cancel_button.isVisible())
        assert dialog.preview_cancel_button.text() == "取消"
        qtbot.mouseClick(dialog.preview_cancel_button, Qt.MouseButton.LeftButton)
        gated_render.set()
        wait_for_preview(qtbot, dialog)
        assert dialog.page_count() == 0 and dialog.rendered is None
        assert dialog.preview.message.text().startswith("已取消打印预览")
        assert dialog.preview_cancel_button.isVisible() and dialog.preview_cancel_button.text() == "重新生成"
        assert not dialog.print_button.isEnabled() and dialog.export_button.isEnabled()

        # nothing rendered to reuse: 导出 PDF renders in a worker with a progress dialog; 取消 there
        gated_render.clear()
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(exports / "预算.pdf"), ""))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        job = dialog.export_job
        assert job is not None and job.running
        qtbot.mouseClick(progress_dialog_cancel_button(qtbot, job), Qt.MouseButton.LeftButton)
        gated_render.set()
        wait_for_jobs(qtbot, dialog)
        assert job.outcome == "cancelled"
        assert list(exports.iterdir()) == []  # no PDF and no temporary file
        assert dialog.message.text() == "已取消导出，没有写入文件。"

        qtbot.mouseClick(dialog.preview_cancel_button, Qt.MouseButton.LeftButton)  # 重新生成
        wait_for_preview(qtbot, dialog)
        assert dialog.page_count() > 0 and not dialog.preview_cancel_button.isVisible()
    finally:
        gated_render.set()
        dialog.reject()


def test_ticking_something_else_stops_the_render_under_way(qtbot, window, monkeypatch, gated_render):
    dialog = open_dialog(qtbot, window, wait=False)
    try:
        first = dialog.preview_job
        toggle_choice(qtbot, dialog, FORM_PREFIX + "three_public_expenses")
        assert first.worker.progress.cancelled  # the whole document is no longer wanted
        gated_render.set()
        wait_for_preview(qtbot, dialog)
        assert first.outcome == "cancelled"
        assert dialog.page_count() == dialog.result.pages == 1
    finally:
        gated_render.set()
        dialog.reject()


def test_closing_the_dialog_stops_the_render(qtbot, window, gated_render):
    usual = gc.get_threshold()
    dialog = open_dialog(qtbot, window, wait=False)
    job = dialog.preview_job
    assert gc.get_threshold()[2] == jobs_module.DEFERRED_FULL_GC_THRESHOLD  # no full GC stalls the window
    gated_render.set()
    dialog.reject()
    assert job.worker.isFinished()  # waited for: nothing runs on after the dialog is gone
    assert gc.get_threshold() == usual


def test_cancel_print_stops_between_pages(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs_module, "SHOW_AFTER_MS", 0)
    dialog = open_dialog(qtbot, window)
    out = tmp_path / "printed.pdf"
    gate = threading.Event()
    real_image = dialog.pages.image

    def slow_image(index, scale, *, wait=True):
        if threading.current_thread() is not threading.main_thread():
            assert gate.wait(GATE_TIMEOUT_S)
        return real_image(index, scale, wait=wait)

    monkeypatch.setattr(dialog.pages, "image", slow_image)

    def accept(print_dialog):
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    try:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        job = dialog.print_job
        qtbot.mouseClick(progress_dialog_cancel_button(qtbot, job), Qt.MouseButton.LeftButton)
        gate.set()
        wait_for_jobs(qtbot, dialog)
        assert job.outcome == "cancelled"
        assert dialog.message.text() == "已取消打印。"
        assert dialog.print_button.isEnabled()
    finally:
        gate.set()
        dialog.reject()


# ---- the rendered bytes are reused --------------------------------------------------------------------

def test_export_after_preview_writes_the_previewed_bytes_without_rendering_again(qtbot, window, store, tmp_path,
                                                                                 monkeypatch, render_calls):
    dialog = open_dialog(qtbot, window)
    try:
        assert len(render_calls) == 1
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "整套.pdf"), ""))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        wait_for_jobs(qtbot, dialog)
        assert len(render_calls) == 1  # no second render
        assert (tmp_path / "整套.pdf").read_bytes() == dialog.rendered.data

        toggle_choice(qtbot, dialog, FORM_PREFIX + "three_public_expenses")
        assert not dialog.print_button.isEnabled()  # the pages shown are no longer what is ticked
        wait_for_preview(qtbot, dialog)
        assert len(render_calls) == 2 and dialog.print_button.isEnabled()
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "三公.pdf"), ""))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        wait_for_jobs(qtbot, dialog)
        assert len(render_calls) == 2
        assert (tmp_path / "三公.pdf").read_bytes() == dialog.rendered.data

        # another process changes the dataset (its stored version moves): the bytes are stale, export renders
        with store.Session.begin() as session:
            session.execute(update(models.Dataset).where(models.Dataset.id == window.dataset.dataset_id)
                            .values(version=models.Dataset.version + 1))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "新三公.pdf"), ""))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        wait_for_jobs(qtbot, dialog)
        assert len(render_calls) == 3
        assert THREE_PUBLIC_TITLE in pdf_text(tmp_path / "新三公.pdf")
        # … and that render now serves the next export
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "再导出.pdf"), ""))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        wait_for_jobs(qtbot, dialog)
        assert len(render_calls) == 3
    finally:
        dialog.reject()


def test_ticking_back_to_what_was_rendered_last_shows_it_without_rendering(qtbot, window, render_calls):
    dialog = open_dialog(qtbot, window)
    try:
        toggle_choice(qtbot, dialog, WHOLE_DOCUMENT)  # nothing ticked
        wait_for_preview(qtbot, dialog)
        assert dialog.page_count() == 0
        toggle_choice(qtbot, dialog, WHOLE_DOCUMENT)
        wait_for_preview(qtbot, dialog)
        assert len(render_calls) == 1 and dialog.page_count() == dialog.rendered.result.pages
    finally:
        dialog.reject()


# ---- remembered per dataset -----------------------------------------------------------------------------

def test_choices_are_remembered_per_dataset(qtbot, window, store, tmp_path, monkeypatch):
    dialog = open_dialog(qtbot, window)
    toggle_choice(qtbot, dialog, FORM_PREFIX + "income_summary")
    toggle_choice(qtbot, dialog, FORM_PREFIX + "three_public_expenses")
    qtbot.mouseClick(dialog.cover_box, Qt.MouseButton.LeftButton)
    assert dialog.selected_options() == {"forms": ["income_summary", "three_public_expenses"], "cover": True}
    wait_for_preview(qtbot, dialog)

    def print_on_a3(print_dialog):
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "a3.pdf"))
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A3))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", print_on_a3)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    dialog.reject()

    other_dataset(store)
    window.open_dataset("360", 2023)
    fresh = open_dialog(qtbot, window)
    assert checked_keys(fresh) == [WHOLE_DOCUMENT] and not fresh.cover_box.isChecked()
    assert not fresh.cover_box.isEnabled()  # the whole document always has its cover
    fresh.reject()

    window.open_dataset("359", 2023)
    again = open_dialog(qtbot, window)
    try:
        assert checked_keys(again) == [FORM_PREFIX + "income_summary", FORM_PREFIX + "three_public_expenses"]
        assert again.cover_box.isChecked()
        assert again.result.pages == 3  # cover + the two tables
        seen = {}

        def look(print_dialog):
            seen["paper"] = print_dialog.printer().pageLayout().pageSize().id()
            return QDialog.DialogCode.Rejected

        monkeypatch.setattr(QPrintDialog, "exec", look)
        qtbot.mouseClick(again.print_button, Qt.MouseButton.LeftButton)
        assert seen["paper"] == QPageSize.PageSizeId.A3
    finally:
        again.reject()


def test_export_dialog_opens_in_documents_then_in_the_last_folder(qtbot, window, store, tmp_path, monkeypatch):
    asked = []
    exports = tmp_path / "导出"
    exports.mkdir()

    def save_as(parent, caption, start, file_filter):
        asked.append(Path(start))
        return str(exports / Path(start).name), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    dialog = open_dialog(qtbot, window)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    dialog.reject()
    assert asked[0].parent == documents_folder()
    assert asked[0].parent != Path.cwd()
    assert asked[0].name == "359_秦皇岛经济技术开发区融媒体中心_2023年部门预算.pdf"

    dialog = open_dialog(qtbot, window)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    dialog.reject()
    assert asked[1].parent == exports.resolve()

    exports.rename(tmp_path / "已删除")  # a remembered folder that is gone: back to Documents
    dialog = open_dialog(qtbot, window)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: asked.append(Path(args[2])) or ("", ""))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    dialog.reject()
    assert asked[2].parent == documents_folder()


# ---- 导入数据文件 ---------------------------------------------------------------------------------------

def data_file(tmp_path, dataset, file_name="数据.json", **unit_changes) -> Path:
    document = export_document(dataset)
    document["unit"].update(unit_changes)
    path = tmp_path / "incoming" / file_name
    path.parent.mkdir(exist_ok=True)
    path.write_text(dumps(document), encoding="utf-8")
    return path


def wait_for_import(qtbot, window):
    qtbot.waitUntil(lambda: window.import_job.outcome is not None, timeout=GATE_TIMEOUT_S * 1000)


def test_import_runs_in_a_worker_and_opens_the_imported_dataset(qtbot, window, store, tmp_path, monkeypatch):
    path = data_file(tmp_path, window.dataset, code="361", name="开发区图书馆")
    threads = []
    real_import = import_actions.import_document

    def importing(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real_import(*args, **kwargs)

    monkeypatch.setattr(import_actions, "import_document", importing)
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda parent, caption, start, file_filter: asked.append(Path(start)) or (str(path), ""))
    import_actions.import_data_file(window)
    wait_for_import(qtbot, window)
    assert threads == [False]
    assert window.dataset.unit_code == "361" and window.dataset.unit.name == "开发区图书馆"
    assert window.chooser.findData("361|2023") >= 0
    assert "已导入 361 2023 年度预算" in window.statusBar().currentMessage()
    assert asked[0] == documents_folder()

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda parent, caption, start, file_filter: asked.append(Path(start)) or ("", ""))
    import_actions.import_data_file(window)
    assert asked[1] == path.parent.resolve()  # the folder of the last import


def test_import_over_an_existing_dataset_asks_first(qtbot, window, store, tmp_path, monkeypatch):
    path = data_file(tmp_path, window.dataset, file_name="替换.json")
    window.controller.set_cells([window.dataset.prepare_change("expenditure_summary", "2070699", "basic", "600")],
                                "测试")
    answers = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: answers.append(args[2]) or
                        QMessageBox.StandardButton.No)
    import_actions.import_data_file(window, path)
    wait_for_import(qtbot, window)
    assert "已存在" in answers[0] and "替换" in answers[0]
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "basic") == 600
    assert window.statusBar().currentMessage() == "未导入：已保留现有数据。"

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    import_actions.import_data_file(window, path)
    wait_for_import(qtbot, window)
    assert window.import_job.outcome == "done"
    assert store.open_dataset("359", 2023).value("expenditure_summary", "2070699", "basic") != 600
    assert window.dataset.value("expenditure_summary", "2070699", "basic") != 600  # the window reopened it


def test_import_of_a_bad_file_says_why_and_changes_nothing(qtbot, window, store, tmp_path, monkeypatch):
    bad = tmp_path / "坏文件.json"
    bad.write_text("{ 这不是 JSON", encoding="utf-8")
    before = store.list_datasets()
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kwargs: warnings.append(args[2]))
    import_actions.import_data_file(window, bad)
    wait_for_import(qtbot, window)
    assert len(warnings) == 1 and "不是有效的 JSON" in warnings[0]
    assert store.list_datasets() == before

    broken = data_file(tmp_path, window.dataset, file_name="坏金额.json", code="362")
    document = json.loads(broken.read_text(encoding="utf-8"))
    document["values"][0]["value"] = "12.3456789"
    broken.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    import_actions.import_data_file(window, broken)
    wait_for_import(qtbot, window)
    assert "未导入任何数据" in warnings[1]
    assert store.list_datasets() == before


def test_cancelled_import_imports_nothing(qtbot, window, store, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs_module, "SHOW_AFTER_MS", 0)
    path = data_file(tmp_path, window.dataset, code="363", name="开发区档案馆")
    gate = threading.Event()
    real_read = import_actions.read_document

    def slow_read(file):
        assert gate.wait(GATE_TIMEOUT_S)
        return real_read(file)

    monkeypatch.setattr(import_actions, "read_document", slow_read)
    before = store.list_datasets()
    job = import_actions.import_data_file(window, path)
    try:
        qtbot.mouseClick(progress_dialog_cancel_button(qtbot, job), Qt.MouseButton.LeftButton)
    finally:
        gate.set()
    wait_for_import(qtbot, window)
    assert window.import_job is job and job.outcome == "cancelled"
    assert store.list_datasets() == before
    assert window.statusBar().currentMessage() == "已取消导入，未做任何修改。"


# ---- the Qt binding's emit leak ---------------------------------------------------------------------------

def test_many_progress_reports_leave_the_reference_count_of_true_alone(qtbot, monkeypatch):
    """PySide6 6.12.0 drops a reference of True on every emit; a long job reporting page by page would
    end the process (bool_dealloc). The pinned binding must not (see tests/test_qt_binding.py)."""
    import sys

    from ui.common.jobs import run_job

    monkeypatch.setattr(jobs_module, "REPORT_INTERVAL_S", 0)  # every step reaches the GUI thread
    seen = []

    def work(progress):
        for done in range(1500):
            progress.step(done, 1500, "")
        return "完成"

    before = sys.getrefcount(True)
    job = run_job(None, "测试", work, show_dialog=False)
    job.progressed.connect(lambda done, total, text: seen.append(done))
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=GATE_TIMEOUT_S * 1000)
    assert job.outcome == "done" and job.result == "完成" and seen
    assert sys.getrefcount(True) >= before - 50  # on 6.12.0: about 3,000 fewer
