"""The 筛查 tab's tables are views over two models filled once per result (issue 29: no freeze at 500 units)."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView, QTableWidget, QTableWidgetItem

from tests.test_gui_screening import bureau_window  # noqa: F401 - the fixture
from tests.test_screening import build_department

pytestmark = pytest.mark.usefixtures("key_dir")

FOREGROUND, TOOLTIP, ALIGNMENT = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole,
                                  Qt.ItemDataRole.TextAlignmentRole)


def _blown_up(result, outliers: int):
    """The result with its outliers copied (new unit codes) to ``outliers`` rows."""
    rows = [dataclasses.replace(o, unit_code=f"{o.unit_code}{n:04d}")
            for n in range(outliers // len(result.outliers) + 1) for o in result.outliers]
    return dataclasses.replace(result, outliers=rows[:outliers])


def test_screening_result_is_shown_through_models_filled_once(qtbot, store, bureau_window, monkeypatch):  # noqa: F811
    from ui.bureau.screening_models import ROWS_SIZED_TO_TEXT, OutlierModel, UnitMeasuresModel
    from ui.common.style import ERROR_QCOLOR

    build_department(store)
    window = bureau_window()
    view = window.screening_view
    window.bureau_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.result is not None, timeout=120000)
    result = view.result
    outliers, units = (view.findChild(QTableView, name) for name in ("screening_outliers", "screening_units"))
    assert outliers is view.outliers and units is view.units
    assert not isinstance(outliers, QTableWidget) and not isinstance(units, QTableWidget)
    assert isinstance(outliers.model(), OutlierModel) and isinstance(units.model(), UnitMeasuresModel)
    assert outliers.model().rowCount() == len(result.outliers) == 5
    assert units.model().rowCount() == len(result.units) == 5
    assert outliers.horizontalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive

    # 偏离 red and right-aligned, the 跟进 text as its cell's tooltip
    first = outliers.model().index(0, 6)
    assert first.data() == result.outliers[0].deviation_text and first.data(FOREGROUND).color() == ERROR_QCOLOR
    assert first.data(ALIGNMENT) & Qt.AlignmentFlag.AlignRight
    assert outliers.model().index(0, 8).data(TOOLTIP) == result.outliers[0].note
    assert outliers.model().index(0, 0).data(FOREGROUND) is None
    # the unit measure listed as an outlier red, the same measure of a unit not listed not
    codes = [units.model().index(row, 0).data() for row in range(units.model().rowCount())]
    headings = [units.model().headerData(c, Qt.Orientation.Horizontal) for c in range(units.model().columnCount())]
    share = next(c for c, title in enumerate(headings) if title.startswith("“三公”经费占支出合计比例"))
    assert units.model().index(codes.index("502"), share).data(FOREGROUND).color() == ERROR_QCOLOR
    assert units.model().index(codes.index("501"), share).data(FOREGROUND) is None

    # a short list: rows grown to the wrapped 跟进 text in a narrow window
    window.resize(900, 700)
    view.show_result(result)
    note_width = outliers.fontMetrics().horizontalAdvance(result.outliers[0].note)
    assert note_width > outliers.columnWidth(8) and outliers.wordWrap()
    assert outliers.rowHeight(0) > outliers.verticalHeader().defaultSectionSize()

    # a second result resets each model once; no item is made for any cell
    resets = {"outliers": 0, "units": 0}
    outliers.model().modelReset.connect(lambda: resets.__setitem__("outliers", resets["outliers"] + 1))
    units.model().modelReset.connect(lambda: resets.__setitem__("units", resets["units"] + 1))
    made = []
    real_init = QTableWidgetItem.__init__
    monkeypatch.setattr(QTableWidgetItem, "__init__", lambda self, *a: (made.append(a), real_init(self, *a))[1])
    long_list = _blown_up(result, ROWS_SIZED_TO_TEXT + 1)
    view.show_result(long_list)
    assert resets == {"outliers": 1, "units": 1} and made == []
    assert outliers.model().rowCount() == ROWS_SIZED_TO_TEXT + 1 and not outliers.wordWrap()
    one_line = outliers.verticalHeader().defaultSectionSize()
    assert {outliers.rowHeight(row) for row in range(outliers.model().rowCount())} == {one_line}
    assert outliers.model().index(ROWS_SIZED_TO_TEXT, 0).data() == long_list.outliers[-1].unit_code
    assert view.findChildren(QTableWidget) == []
