"""The 财政局 window's 进度 and 筛查 from stored results (issue 29, item 4), driven through the real widgets:
a second visit opens no dataset, an edit is picked up, the heading counts with the time left and comes
back after 取消, and the chart scrolls so the window fits 1280×680 on every tab."""

from __future__ import annotations

import re
import threading

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QPushButton

from tests.conftest import explain_all_findings
from tests.test_gui_screening import _texts
from tests.test_gui_window_size import FIT_HEIGHT, FIT_WIDTH, inside
from tests.test_screening import build_department, build_mixed
from tests.test_stored_results import count_opened

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


@pytest.fixture
def bureau_window(qtbot, store, tmp_path):
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))

    def make():
        window = BureauWindow(store, 2023)
        qtbot.addWidget(window)
        window.show()
        return window
    return make


def _show_progress(qtbot, window):
    view = window.progress_view
    before = view.board
    window.bureau_tabs.setCurrentWidget(view)  # showing the tab works the dashboard out
    qtbot.waitUntil(lambda: view.board is not before and view.board is not None, timeout=120000)
    return view.board


def test_a_second_visit_to_progress_and_screening_opens_no_dataset(qtbot, store, tmp_path, bureau_window, monkeypatch):
    build_mixed(store, tmp_path)
    window = bureau_window()
    first = _show_progress(qtbot, window)
    assert first.stored.computed == 2  # 701 and 702; the packages of 700 and 800 were kept on receipt
    heading = window.progress_view.heading.text()
    window.bureau_tabs.setCurrentIndex(0)
    opened = count_opened(store, monkeypatch)
    second = _show_progress(qtbot, window)
    assert opened == [] and (second.stored.computed, second.stored.reused) == (0, 4)
    assert window.progress_view.heading.text() == heading  # the same figures
    view = window.screening_view
    window.bureau_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.result is not None, timeout=120000)
    assert view.result.stored.computed == 2 and "需跟进" in view.summary.text()
    opened.clear()
    shown = view.result
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not shown, timeout=120000)
    assert opened == [] and view.result.stored.reused == 4


def test_an_edit_is_worked_out_again_on_refresh(qtbot, store, tmp_path, bureau_window, monkeypatch):
    build_mixed(store, tmp_path)
    window = bureau_window()
    _show_progress(qtbot, window)
    view = window.progress_view
    row = _texts(view.units, 0).index("702")
    assert view.units.item(row, 5).text() == "30"
    explain_all_findings(store.open_dataset("702", 2023), complete_amounts=False)  # the clerk explains every 提示
    opened = count_opened(store, monkeypatch)
    board = view.board
    qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.board is not board, timeout=120000)
    assert [code for code, year in opened if year == 2023] == ["702"]
    assert view.units.item(_texts(view.units, 0).index("702"), 5).text() == "0"
    assert "有未说明提示 0 个" in view.heading.text()


@pytest.fixture
def gate(monkeypatch):
    """Each dataset's 审核 waits until the test lets it through (so the test can look and press 取消)."""
    from app.bureau import dashboard as dashboard_module

    real = dashboard_module.audit_summary
    permits = threading.Semaphore(0)

    def gated(dataset):
        permits.acquire(timeout=60)
        return real(dataset)

    monkeypatch.setattr(dashboard_module, "audit_summary", gated)
    yield permits
    permits.release(100)  # never leave a worker waiting


def _cancel(qtbot, job) -> None:
    qtbot.waitUntil(lambda: job.dialog is not None and job.dialog.isVisible(), timeout=20000)
    button = next(b for b in job.dialog.findChildren(QPushButton) if b.text() == "取消")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_heading_counts_with_time_left_and_cancel_puts_it_back(qtbot, store, tmp_path, bureau_window, gate):
    build_mixed(store, tmp_path)
    window = bureau_window()
    view = window.progress_view
    window.bureau_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: "正在统计 0/2" in view.heading.text(), timeout=60000)
    gate.release()  # the first dataset is worked out
    qtbot.waitUntil(lambda: "正在统计 1/2，约剩" in view.heading.text(), timeout=60000)
    assert re.search(r"2023 年度上报进度：正在统计 1/2，约剩 \d+ (秒|分钟)$", view.heading.text())
    job = view.job
    _cancel(qtbot, job)
    gate.release(100)
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=60000)
    assert job.outcome == "cancelled" and view.board is None
    assert view.heading.text() == "2023 年度上报进度：未统计（点“刷新”统计）"
    # Counted in full, then a 刷新 cancelled: the heading goes back to those figures, not “正在统计……”.
    qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.board is not None, timeout=120000)
    counted = view.heading.text()
    assert counted.startswith("2023 年度：应报 5 个单位")
    explain_all_findings(store.open_dataset("702", 2023), complete_amounts=False)  # one stale result
    while gate.acquire(blocking=False):  # take back the permits left over
        pass
    qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "正在统计 0/1" in view.heading.text(), timeout=60000)
    job = view.job
    _cancel(qtbot, job)
    gate.release(100)
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=60000)
    assert view.heading.text() == counted


def test_screening_heading_comes_back_after_cancel(qtbot, store, bureau_window, monkeypatch):
    from app.bureau import screening

    build_department(store)
    real = screening.measures_summary
    permits = threading.Semaphore(0)

    def gated(*args):
        permits.acquire(timeout=60)
        return real(*args)

    monkeypatch.setattr(screening, "measures_summary", gated)
    window = bureau_window()
    view = window.screening_view
    try:
        window.bureau_tabs.setCurrentWidget(view)
        qtbot.waitUntil(lambda: "正在筛查 0/5" in view.summary.text(), timeout=60000)
        job = view.job
        _cancel(qtbot, job)
    finally:
        permits.release(100)
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=60000)
    assert job.outcome == "cancelled" and view.result is None
    assert view.summary.text() == "2023 年度：未筛查（点“筛查”开始）"


def test_the_chart_scrolls_and_the_window_fits_1280_by_680_on_every_tab(qtbot, store, bureau_window):
    from app.domain.records import UnitInfo

    for number in range(40):  # 40 部门: a chart of 40 bars is taller than the screen
        store.create_unit(UnitInfo(f"{900 + number}", f"第{number + 1}局"))
    window = bureau_window()
    for dock in window.findChildren(QDockWidget):
        dock.show()
    board = _show_progress(qtbot, window)
    assert len(board.departments) == 40
    view = window.progress_view
    assert view.chart.minimumSizeHint().height() > FIT_HEIGHT or view.chart.minimumHeight() > FIT_HEIGHT
    screening = window.screening_view
    for index in range(window.bureau_tabs.count()):
        window.bureau_tabs.setCurrentIndex(index)
        if window.bureau_tabs.currentWidget() is screening:
            qtbot.waitUntil(lambda: screening.result is not None, timeout=120000)
        qtbot.wait(50)
        hint = window.minimumSizeHint()
        assert hint.width() <= FIT_WIDTH and hint.height() <= FIT_HEIGHT, (window.bureau_tabs.tabText(index), hint)
    window.bureau_tabs.setCurrentWidget(view)
    window.resize(FIT_WIDTH, FIT_HEIGHT)
    qtbot.waitUntil(lambda: window.size().height() <= FIT_HEIGHT, timeout=5000)
    qtbot.wait(50)
    assert view.chart_scroll.verticalScrollBar().maximum() > 0  # the bars scroll inside their pane
    assert inside(window, window.statusBar()) and inside(window, view.refresh_button)
