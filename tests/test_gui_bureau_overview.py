"""The 财政局 window's 单位概览 list at 40 units (issue 29): sort by any column (amounts as numbers), the filter
bar (text, 状态, 部门, 有错误/有提示/未上报) with its count in the status bar, 刷新 picking up another user's
change (SQLite and PostgreSQL), the selection kept across sorts and refreshes, and a refresh that updates
rows (dataChanged / rowsInserted) rather than resetting the model. Behaviour, not time: the bench
(``python -m bench bureau``) times it; the heartbeat helper is checked here to see a blocked event loop."""

from __future__ import annotations

import shutil
import time
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from app.bureau import intake, standing
from app.domain.cells import CellChange
from app.exchange.package import reader
from app.store.service import Store
from bench import bureau as bureau_bench
from bench.heartbeat import Heartbeat, run_until
from tests.conftest import PG_URL, _drop_all, _make_store

UNITS = 40
YEAR = 2023
SUBMITTED = frozenset({0, 3, 11, 12, 20, 25})  # the rest are sent as 编制中, with 错误 (few kinds to explain)
DRAFTS = frozenset(number for number in range(UNITS + 1) if number not in SUBMITTED)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """40 imported units (codes 500–539; 510–519, 520–529, 530–539 are 部门 with 所属单位) and one more
    unit's package, its key registered, in ``one_more``: built once, copied for each test."""
    root = tmp_path_factory.mktemp("overview")
    store, _extra = bureau_bench.build(root, UNITS, drafts=DRAFTS)
    # one 编制中 unit with a five-digit 总计: as text "26,…" would sort before "8,…"
    store.open_dataset("501", YEAR).apply_changes([CellChange("expenditure_summary", "2070699", "basic",
                                                              Decimal("25000"))])
    store.close()
    return root


@pytest.fixture
def officer(qtbot, built, tmp_path):
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    shutil.copy(built / "bureau.sqlite3", tmp_path / "bureau.sqlite3")
    store = Store(str(tmp_path / "bureau.sqlite3"))
    window = BureauWindow(store, YEAR)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.table.rowCount() == UNITS, timeout=30000)
    yield window
    window.close()
    store.close()


def _column(window, column: int) -> list[str]:
    return [window.table.item(row, column).text() for row in range(window.table.rowCount())]


def _click_header(qtbot, window, column: int) -> None:
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def _click_row(qtbot, window, line: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    table = window.table
    table.scrollTo(table.model().index(line, 0))
    rect = table.visualRect(table.model().index(line, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _amounts(texts: list[str]) -> list[Decimal]:
    return [Decimal(text.replace(",", "")) for text in texts]


def test_sorting_by_a_header_orders_amounts_and_counts_as_numbers(qtbot, officer):
    window = officer
    assert _column(window, 0) == sorted(_column(window, 0))  # as read: by unit code
    _click_header(qtbot, window, 8)  # 总计
    first = _amounts(_column(window, 8))
    assert first in (sorted(first), sorted(first, reverse=True)) and len(set(first)) > 3
    as_text = _column(window, 8)
    assert as_text not in (sorted(as_text), sorted(as_text, reverse=True))  # as text "26,…" comes before "8,…"
    _click_header(qtbot, window, 8)  # the other way
    assert _amounts(_column(window, 8)) == list(reversed(first))
    _click_header(qtbot, window, 5)  # 错误: counts as numbers
    counts = [int(text) for text in _column(window, 5) if text]
    assert counts in (sorted(counts), sorted(counts, reverse=True)) and max(counts) > 0
    _click_header(qtbot, window, 1)  # 单位名称
    names = _column(window, 1)
    assert names in (sorted(names), sorted(names, reverse=True))


def test_the_filter_bar_narrows_the_list_and_the_status_bar_counts(qtbot, officer):
    window = officer
    panel = window.overview_panel
    truth = standing.overview(window.store, YEAR)
    panel.text_filter.insert("测试单位01")  # as an input method commits Chinese text
    assert _column(window, 1) == [f"测试单位{number:03d}" for number in range(10, 20)]
    assert f"显示 10 / 共 {UNITS} 个单位" in window.summary.text()
    panel.text_filter.clear()
    qtbot.keyClicks(panel.text_filter, "512")  # a code
    assert _column(window, 0) == ["512"]
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert window.table.rowCount() == UNITS and "显示" not in window.summary.text()

    panel.status_filter.setCurrentIndex(panel.status_filter.findText("已上报"))
    assert sorted(_column(window, 0)) == sorted(str(500 + number) for number in SUBMITTED)
    assert set(_column(window, 3)) == {"已上报"}
    panel.status_filter.setCurrentIndex(0)

    panel.department_filter.setCurrentIndex(panel.department_filter.findData("520"))
    assert _column(window, 0) == [str(code) for code in range(520, 530)]  # the 部门's 本级 and its 所属单位
    panel.problem_filter.setCurrentIndex(panel.problem_filter.findText("未上报"))  # both filters at once
    unsent = [str(500 + number) for number in range(21, 30) if number not in SUBMITTED]
    assert _column(window, 0) == unsent
    assert f"显示 {len(unsent)} / 共 {UNITS} 个单位" in window.summary.text()
    panel.department_filter.setCurrentIndex(0)

    for title, wanted in (("有错误", lambda row: bool(row.errors)), ("有提示", lambda row: bool(row.warnings)),
                          ("未上报", lambda row: row.status != "submitted")):
        panel.problem_filter.setCurrentIndex(panel.problem_filter.findText(title))
        expected = [row.unit_code for row in truth if wanted(row)]
        assert expected and (len(expected) < UNITS or title == "有提示")  # every generated unit has 提示
        assert _column(window, 0) == expected, title
        assert f"显示 {len(expected)} / 共 {UNITS} 个单位" in window.summary.text()


def _spy(model) -> dict[str, list]:
    seen: dict[str, list] = {"reset": [], "changed": [], "inserted": [], "removed": []}
    model.modelReset.connect(lambda: seen["reset"].append(1))
    model.dataChanged.connect(lambda first, last, _roles=(): seen["changed"].append((first.row(), last.row())))
    model.rowsInserted.connect(lambda _parent, first, last: seen["inserted"].append((first, last)))
    model.rowsRemoved.connect(lambda _parent, first, last: seen["removed"].append((first, last)))
    return seen


def _selected(window) -> set[str]:
    return set(window.selected_codes())


def test_refresh_after_an_import_and_a_return_updates_rows_and_keeps_the_selection(qtbot, officer, built):
    window = officer
    _click_header(qtbot, window, 8)  # sorted by 总计
    _click_row(qtbot, window, 2)
    _click_row(qtbot, window, 7, Qt.KeyboardModifier.ControlModifier)
    chosen, current = _selected(window), window.table.current_overview_row().unit_code
    assert len(chosen) == 2
    seen = _spy(window.overview_panel.model)
    window.import_folder(str(built / "one_more"))
    qtbot.waitUntil(lambda: window.table.rowCount() == UNITS + 1, timeout=120000)
    assert seen["reset"] == [] and seen["inserted"] == [(UNITS, UNITS)]  # the new unit 540, after 539
    assert _selected(window) == chosen and window.table.current_overview_row().unit_code == current
    amounts = _amounts(_column(window, 8))
    assert amounts in (sorted(amounts), sorted(amounts, reverse=True))  # the new row sorted in

    submitted = next(row for row in window.rows if row.status == "submitted" and row.unit_code not in chosen)
    _click_row(qtbot, window, _column(window, 0).index(submitted.unit_code), Qt.KeyboardModifier.ControlModifier)
    chosen = _selected(window)
    assert len(chosen) == 3 and window.table.current_overview_row().unit_code == submitted.unit_code
    seen["changed"].clear()
    window.return_unit(reason="请核对基本支出", out="")
    source_line = [row.unit_code for row in window.rows].index(submitted.unit_code)
    assert seen["reset"] == [] and (source_line, source_line) in seen["changed"]
    line = _column(window, 0).index(submitted.unit_code)
    assert window.table.item(line, 3).text() == "已退回" and window.table.item(line, 12).text() == "请核对基本支出"
    assert _selected(window) == chosen and window.table.current_overview_row().unit_code == submitted.unit_code


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_refresh_button_shows_another_users_change(qtbot, built, tmp_path, kind):
    """Another 财政局 user (another Store on the same database) returns a unit; 刷新 shows it, the sort,
    the filter and the selection stay."""
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    if kind == "sqlite":
        shutil.copy(built / "bureau.sqlite3", tmp_path / "bureau.sqlite3")
        store = Store(str(tmp_path / "bureau.sqlite3"))
        count = UNITS
    else:
        store = _make_store("postgres", tmp_path, "overview")
        _drop_all(store)  # whatever an interrupted run left
        store.close()
        store = Store(PG_URL)
        files = sorted((built / "packages").glob("*.bdp"))[:8]  # 500 … 507
        keys = [reader.open_package(path).fingerprint for path in files]
        result = intake.import_packages(store, str(built / "packages"), only=files, trust_fingerprints=keys)
        assert not result.failed
        count = len(files)
    other = Store(PG_URL) if kind == "postgres" else Store(str(tmp_path / "bureau.sqlite3"))
    window = BureauWindow(store, YEAR)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.table.rowCount() == count, timeout=30000)
        _click_header(qtbot, window, 1)  # by name
        _click_header(qtbot, window, 1)  # descending
        window.overview_panel.status_filter.setCurrentIndex(window.overview_panel.status_filter.findText("已上报"))
        shown = window.table.rowCount()
        assert shown >= 2
        _click_row(qtbot, window, 0)
        _click_row(qtbot, window, shown - 1, Qt.KeyboardModifier.ControlModifier)
        chosen, current = _selected(window), window.table.current_overview_row().unit_code
        names_before = _column(window, 1)
        target = window.table.overview_row(0).unit_code
        standing.return_dataset(other, target, YEAR, "另一位同事退回")
        assert window.table.item(0, 3).text() == "已上报"  # not seen until 刷新
        seen = _spy(window.overview_panel.model)
        qtbot.mouseClick(window.overview_panel.refresh_button, Qt.MouseButton.LeftButton)
        assert seen["reset"] == [] and len(seen["changed"]) == 1
        # the returned unit leaves the 已上报 filter; the other selected unit stays selected and current
        assert target not in _column(window, 0) and _column(window, 1) == [n for n in names_before if n != names_before[0]]
        assert _selected(window) == chosen - {target} and window.table.current_overview_row().unit_code == current
        window.overview_panel.status_filter.setCurrentIndex(0)
        line = _column(window, 0).index(target)
        assert window.table.item(line, 3).text() == "已退回" and window.table.item(line, 12).text() == "另一位同事退回"
        assert _selected(window) == chosen - {target} and window.table.current_overview_row().unit_code == current
    finally:
        window.close()
        other.close()
        if kind == "postgres":
            _drop_all(store)
        store.close()


def test_the_heartbeat_sees_a_blocked_event_loop(qtbot):
    heartbeat = Heartbeat(interval_ms=10).start()
    run_until(lambda: time.sleep(0.3), lambda: True)
    assert heartbeat.stop() >= 0.25 and heartbeat.ticks > 1
    done_at = time.perf_counter() + 0.1
    quiet = Heartbeat(interval_ms=10).start()
    run_until(lambda: None, lambda: time.perf_counter() > done_at)  # the loop runs meanwhile
    quiet.stop()
    assert quiet.ticks >= 3
