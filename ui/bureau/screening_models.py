"""The 筛查 tab's two tables as Qt model/view: the outliers to follow up and every unit's measures.

``set_result`` is one model reset; each row's display text is worked out once, as plain strings, the first
time the view paints or measures that row. Filling 1,700 outliers and 500 units as ``QTableWidgetItem``s,
with columns sized to every row's contents, held the window for up to a second at 500 units.
Column widths are fixed from the headings and a sample of rows; rows are one line high, except that a short
list of outliers (``ROWS_SIZED_TO_TEXT``) has its rows grown to the wrapped 跟进 text.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.bureau.screening import Outlier, ScreeningResult, UnitMeasures, percent_text
from app.domain.quantities import quantity_def
from ui.common.style import ERROR_QCOLOR

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
OUTLIER_HEADERS = ["单位编码", "单位名称", "部门", "指标", "本年", "上年/中位数", "偏离", "阈值", "跟进"]
OUTLIER_RIGHT_ALIGNED = frozenset({4, 5, 6})  # 本年, 上年/中位数, 偏离
DEVIATION_COLUMN, NOTE_COLUMN = 6, 8
UNIT_FIXED_HEADERS = ["单位编码", "单位名称", "部门", "上年数来源"]  # then one column per measure, right-aligned
# Up to this many outliers each row grows to its wrapped 跟进 text (measuring a few hundred rows is quick);
# beyond, rows keep one line and the full text is the cell's tooltip.
ROWS_SIZED_TO_TEXT = 200
SAMPLE_ROWS = 60  # rows measured to size the columns
# the roles as plain ints, looked up once: data() is asked ~7 roles for every cell painted
DISPLAY, ALIGNMENT = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND, TOOLTIP = int(Qt.ItemDataRole.ForegroundRole), int(Qt.ItemDataRole.ToolTipRole)
WIDEST_COLUMN = 360


def outlier_texts(outlier: Outlier) -> tuple[str, ...]:
    return (outlier.unit_code, outlier.unit_name, outlier.department_name, outlier.title, outlier.value_text,
            outlier.reference_text, outlier.deviation_text, outlier.threshold, outlier.note)


def unit_headers(result: ScreeningResult) -> list[str]:
    config = result.config
    return (UNIT_FIXED_HEADERS + [f"{quantity_def(name).title}增长" for name in config.growth_quantities]
            + [f"{share.title}（中位数）" for share in config.shares])


def unit_texts(unit: UnitMeasures, result: ScreeningResult) -> tuple[str, ...]:
    texts = [unit.unit_code, unit.unit_name, unit.department_name, unit.prior_source_name]
    for name in result.config.growth_quantities:
        if name not in unit.prior:
            texts.append("无上年数")
        elif unit.growth.get(name) is None:
            texts.append("上年为0")
        else:
            texts.append(percent_text(unit.growth[name], signed=True))
    for share in result.config.shares:
        mine, middle = unit.shares.get(share.name), unit.medians.get(share.name)
        texts.append(("—" if mine is None else percent_text(mine))
                     + (f"（{percent_text(middle)}）" if middle is not None else "（同组不足）"))
    return tuple(texts)


class _ResultModel(QAbstractTableModel):
    """Rows of text, each row's worked out the first time it is asked for (painted, measured) and kept until
    the next result: showing 500 units costs only the rows in sight. Which cells are red and which
    right-aligned is said by the subclass."""

    def __init__(self, headers: list[str], parent=None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list = []  # the result's outliers or units
        self._texts: list[tuple[str, ...] | None] = []
        self._error_brush = QBrush(ERROR_QCOLOR)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        role = int(role)
        if role == DISPLAY:
            return self.texts(index.row())[index.column()]
        if role == ALIGNMENT:
            return RIGHT if self.right_aligned(index.column()) else None
        if role == FOREGROUND:
            return self._error_brush if self.flagged(index.row(), index.column()) else None
        if role == TOOLTIP:
            return self.tooltip(index.row(), index.column())
        return None

    def right_aligned(self, column: int) -> bool:
        raise NotImplementedError

    def flagged(self, row: int, column: int) -> bool:
        raise NotImplementedError

    def tooltip(self, row: int, column: int) -> str | None:
        return None

    def texts(self, row: int) -> tuple[str, ...]:
        texts = self._texts[row]
        if texts is None:
            texts = self._texts[row] = self.make_texts(self.rows[row])
        return texts

    def make_texts(self, shown) -> tuple[str, ...]:
        raise NotImplementedError

    def _reset(self, headers: list[str], rows: list) -> None:
        self.beginResetModel()
        self.headers, self.rows, self._texts = headers, list(rows), [None] * len(rows)
        self.endResetModel()


class OutlierModel(_ResultModel):
    """The outliers to follow up: 偏离 in red, the amounts right-aligned, the 跟进 text also as tooltip."""

    def __init__(self, parent=None) -> None:
        super().__init__(OUTLIER_HEADERS, parent)

    def set_result(self, result: ScreeningResult) -> None:
        self._reset(list(OUTLIER_HEADERS), result.outliers)

    def make_texts(self, shown: Outlier) -> tuple[str, ...]:
        return outlier_texts(shown)

    def right_aligned(self, column: int) -> bool:
        return column in OUTLIER_RIGHT_ALIGNED

    def flagged(self, row: int, column: int) -> bool:
        return column == DEVIATION_COLUMN

    def tooltip(self, row: int, column: int) -> str | None:
        return self.rows[row].note if column == NOTE_COLUMN else None


class UnitMeasuresModel(_ResultModel):
    """Every unit's growth and shares (with the peers' median); a measure listed as an outlier in red."""

    def __init__(self, parent=None) -> None:
        super().__init__(["单位"], parent)
        self.result: ScreeningResult | None = None
        self.measures: list[str] = []  # the measure shown in each column after the fixed ones
        self.outlying: frozenset[tuple[str, str]] = frozenset()  # (unit code, measure) listed as outliers

    def set_result(self, result: ScreeningResult) -> None:
        config = result.config
        self.measures = [*config.growth_quantities, *(share.name for share in config.shares)]
        self.outlying = frozenset((o.unit_code, o.measure) for o in result.outliers)
        self.result = result
        self._reset(unit_headers(result), result.units)

    def make_texts(self, shown: UnitMeasures) -> tuple[str, ...]:
        assert self.result is not None  # rows exist only once a result is set
        return unit_texts(shown, self.result)

    def right_aligned(self, column: int) -> bool:
        return column >= len(UNIT_FIXED_HEADERS)

    def flagged(self, row: int, column: int) -> bool:
        fixed = len(UNIT_FIXED_HEADERS)
        return column >= fixed and (self.rows[row].unit_code, self.measures[column - fixed]) in self.outlying


class ScreeningTable(QTableView):
    """A read-only view over a result model: one-line rows of one height, columns sized from a sample."""

    def __init__(self, name: str, model: _ResultModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        # no height measured per row: Fixed stops the header asking the delegate; resizeRowsToContents still may
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.grown_rows: list[int] = []  # rows made taller than one line (a model reset keeps their heights)

    def result_model(self) -> _ResultModel:
        model = self.model()
        assert isinstance(model, _ResultModel)
        return model

    def size_columns(self) -> None:
        """Widths from the headings and the first rows (never every row's contents)."""
        model, header = self.result_model(), self.horizontalHeader()
        metrics, heading_metrics = self.fontMetrics(), header.fontMetrics()
        sample = [model.texts(row) for row in range(min(SAMPLE_ROWS, model.rowCount()))]
        for column, title in enumerate(model.headers[:-1]):  # the last column takes the width left
            widest = max([heading_metrics.horizontalAdvance(title) + 28]
                         + [metrics.horizontalAdvance(texts[column]) + 16 for texts in sample])
            header.resizeSection(column, min(widest, WIDEST_COLUMN))

    def fit_rows(self, to_text: bool) -> None:
        """Rows grown to their wrapped last column (a short list), or all one line, the rest eliding (a long one).
        The heights are measured from the last column's text alone: ``resizeRowsToContents`` asks every cell
        of every row and took a quarter of a second for 150 outliers."""
        self.setWordWrap(to_text)
        model, header = self.result_model(), self.verticalHeader()
        one_line = header.defaultSectionSize()
        for row in self.grown_rows:
            if row < header.count():
                header.resizeSection(row, one_line)
        self.grown_rows = []
        if not to_text:
            return
        last = model.columnCount() - 1
        width = max(self.columnWidth(last) - 8, 40)
        metrics, flags = self.fontMetrics(), int(Qt.TextFlag.TextWordWrap)
        for row in range(model.rowCount()):
            height = metrics.boundingRect(0, 0, width, 10_000, flags, model.texts(row)[last]).height() + 8
            if height > one_line:
                header.resizeSection(row, height)
                self.grown_rows.append(row)


__all__ = ["OutlierModel", "ROWS_SIZED_TO_TEXT", "ScreeningTable", "UnitMeasuresModel"]
