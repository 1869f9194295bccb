"""The 财政局 window's 进度 and 筛查 tabs, driven through the real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from tests.test_screening import build_department, build_mixed

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


def _cell(table, row: int, column: int) -> str:
    """A cell's shown text, read through the table's model (a QTableWidget's or the 筛查 tab's own)."""
    return table.model().index(row, column).data()


def _texts(table, column: int) -> list[str]:
    return [_cell(table, row, column) for row in range(table.model().rowCount())]


def test_progress_tab_counts_and_chart(qtbot, store, tmp_path, bureau_window):
    from ui.bureau.dashboard_view import SEGMENTS

    build_mixed(store, tmp_path)
    window = bureau_window()
    assert [window.bureau_tabs.tabText(i) for i in range(3)] == ["单位概览", "进度", "筛查"]
    view = window.progress_view
    window.bureau_tabs.setCurrentWidget(view)  # showing the tab works the dashboard out
    qtbot.waitUntil(lambda: view.board is not None, timeout=120000)
    assert _texts(view.counts, 1) == ["进度局", "另一局", "合计"]
    # 应报 已上报 已退回 未上报 审核通过 有未说明提示 有空表
    assert [view.counts.item(0, c).text() for c in range(2, 9)] == ["4", "1", "1", "2", "3", "1", "3"]
    assert [view.counts.item(2, c).text() for c in range(2, 9)] == ["5", "2", "1", "2", "4", "1", "4"]
    assert "应报 5 个单位，已上报 2 个，已退回 1 个，未上报 2 个" in view.heading.text()
    assert _texts(view.units, 3) == ["已上报", "已退回", "未上报", "未上报", "已上报"]
    assert "注：本表无数据，空表列示。" in view.units.item(2, 6).text() and view.units.item(1, 7).text() == "三公经费说明不全"
    assert view.units.item(3, 6).text() == "（未收到数据）"
    # The chart: one bar per 部门, painted without error, in the segment colours.
    chart = view.chart
    assert [row.name for row in chart.rows] == ["进度局", "另一局"]
    image = chart.grab().toImage()
    assert chart.painted >= 1
    colours = {image.pixelColor(x, y).rgb() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    assert all(colour.rgb() in colours for _key, _title, colour in SEGMENTS)
    # 刷新 after a change: a new unit known to the bureau is one more 应报, 未上报.
    from app.domain.records import UnitInfo

    store.create_unit(UnitInfo("704", "进度局四所", parent_code="700"))
    first = view.board
    qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.board is not first, timeout=120000)
    assert [view.counts.item(0, c).text() for c in (2, 5)] == ["5", "3"] and view.counts.item(2, 2).text() == "6"


def test_screening_tab_lists_the_planted_outliers_and_prints(qtbot, store, tmp_path, bureau_window):
    build_department(store)
    window = bureau_window()
    view = window.screening_view
    window.bureau_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.result is not None, timeout=120000)
    assert sorted(set(_texts(view.outliers, 0))) == ["502", "503"] and view.outliers.model().rowCount() == 5
    row = _texts(view.outliers, 3).index("“三公”经费占支出合计比例")
    assert _cell(view.outliers, row, 0) == "502" and "中位数 0.8%" in _cell(view.outliers, row, 5)
    assert "+80.0%" in _texts(view.outliers, 6)
    assert _texts(view.units, 3)[0] == "无上年数" and _cell(view.units, 0, 4) == "无上年数"
    assert "需跟进 5 项" in view.summary.text()
    # All units as peers: 600 now has a median.
    view.peers.setCurrentIndex(view.peers.findData("all"))
    first = view.result
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not first, timeout=120000)
    assert view.result.peers == "all" and "（同组不足）" not in _cell(view.units, 4, 8)
    target = tmp_path / "screen.pdf"
    view.print_pdf(str(target))
    qtbot.waitUntil(lambda: view.job.outcome is not None, timeout=120000)
    assert target.read_bytes().startswith(b"%PDF") and "已打印到" in view.file_status.text()


def test_a_bad_threshold_file_is_a_message_not_a_traceback(qtbot, store, tmp_path, bureau_window, monkeypatch):
    from app.bureau import screening

    bad = tmp_path / "screening.json"
    bad.write_text("{", encoding="utf-8")
    monkeypatch.setattr(screening, "default_config_path", lambda: bad)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    build_department(store)
    window = bureau_window()
    view = window.screening_view
    window.bureau_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: bool(shown), timeout=120000)
    assert "不是有效的 JSON" in shown[0] and view.result is None and "未能筛查" in view.summary.text()
