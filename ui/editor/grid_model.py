"""Table models generated from a form definition: grid forms and two-sided forms.

The models know nothing of particular forms: rows, columns, header groups, which cells are
entered and which computed all come from ``app.domain.forms`` via the dataset's ``FormView``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from app.base.errors import BudgetDeskError
from app.base.money import exact_text, format_amount
from app.domain.cells import CellChange
from app.domain.compute import FormView, RowInfo
from app.domain.forms import FormDef
from app.domain.layout import column_title_path, header_levels, two_sided_lines
from app.domain.prior import change_label, prior_cells
from ui.common.style import TEXT_QCOLOR
from ui.editor.comment_marks import COMMENT_ROLE, comment_index, state_of, tooltip_text
from ui.editor.controller import DatasetController

COMPUTED_BACKGROUND = QColor("#eef1f5")
ERROR_BACKGROUND = QColor("#fde2e1")
WARNING_BACKGROUND = QColor("#fff4d6")
ENTERED_BACKGROUND = QColor("#ffffff")
TOTAL_BACKGROUND = QColor("#e3e8ef")
LABEL_FOREGROUND = TEXT_QCOLOR
PRIOR_BACKGROUND = QColor("#e6e6e6")  # 上年 / 增减 beside the amounts: shaded, read-only, never printed
PRIOR_FOREGROUND = QColor("#5f6b7a")
PRIOR_SETTING = "view/show_prior"  # 视图 → 显示上年数, remembered across sessions
PRIOR_KINDS = ("prior", "change")
PRIOR_TITLES = {"prior": "上年", "change": "增减"}


def show_prior_setting() -> bool:
    return str(QSettings().value(PRIOR_SETTING, "false")).lower() in ("true", "1")


def with_prior_columns(columns: list[GridColumn]) -> list[GridColumn]:
    """Each amount column followed by its 上年 and 增减 columns (same group titles, leaf title replaced),
    read from the columns the form definition gave: no form needs code of its own."""
    result = []
    for column in columns:
        result.append(column)
        if column.kind != "amount":
            continue
        leaf = max((i for i, title in enumerate(column.header) if title is not None), default=0)
        for kind in PRIOR_KINDS:
            header = column.header[:leaf] + (PRIOR_TITLES[kind],) + column.header[leaf + 1:]
            result.append(GridColumn(kind, header, column.column_key, column.side))
    return result


@dataclass(frozen=True)
class GridColumn:
    kind: str  # "code" | "label" | "amount"
    header: tuple[str | None, ...]
    column_key: str | None = None
    side: str | None = None


class CellGridModel(QAbstractTableModel):
    """Common behaviour; subclasses lay out ``lines`` (display rows) and ``grid_columns``."""

    message = Signal(str)

    def __init__(self, controller: DatasetController, form: FormDef, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.form = form
        self._view: FormView | None = None
        self.active = False  # set by the tab while it is shown
        self.grid_columns: list[GridColumn] = []
        self.frozen_columns = 0
        self.show_prior = show_prior_setting()
        self._prior: dict[tuple[str, str], Decimal] | None = None
        self.rebuild()
        controller.values_changed.connect(self._on_values_changed)
        controller.structure_changed.connect(self._on_structure_changed)
        controller.findings_changed.connect(self._on_findings_changed)
        self.comments = comment_index(controller)  # 批注: corner marks and tooltips (ui.editor.comment_marks)
        self.comments.changed.connect(self._on_comments_changed)

    # ---- layout supplied by subclasses --------------------------------------------------------
    def layout_rows(self) -> None:
        raise NotImplementedError

    def row_info(self, line: int, column: GridColumn) -> RowInfo | None:
        raise NotImplementedError

    # ---- refresh ---------------------------------------------------------------------------
    @property
    def view(self) -> FormView:
        if self._view is None:
            self._view = self.controller.dataset.view(self.form.id)
        return self._view

    def rebuild(self) -> None:
        self.beginResetModel()
        self._view = None
        self._prior = None
        self.layout_rows()
        if self.show_prior:
            self.grid_columns = with_prior_columns(self.grid_columns)
        self._keys: dict[tuple[int, int], tuple[str, str] | None] = {}
        self._positions_cache: dict[tuple[int, int], tuple[str, str]] | None = None
        self.endResetModel()

    def _on_values_changed(self, _forms: set) -> None:
        # Derived tables read other tables, so any change may move any figure. A shown table
        # recomputes now and repaints only the cells whose figure changed; a hidden one waits.
        old = self._view
        self._view = None
        if not (self.rowCount() and self.columnCount()):
            return
        if not self.active or old is None:
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
            return
        new = self.view
        changed = {key for key, value in new.values.items() if old.values.get(key) != value}
        if not changed:
            return
        for position, key in self._positions().items():
            if key in changed:
                index = self.index(*position)
                self.dataChanged.emit(index, index)
        if self.show_prior:  # 增减 follows the amount beside it
            for line in range(self.rowCount()):
                for column, grid_column in enumerate(self.grid_columns):
                    if grid_column.kind == "change" and self.prior_key(self.index(line, column)) in changed:
                        index = self.index(line, column)
                        self.dataChanged.emit(index, index)

    # ---- 上年数 beside the amounts (视图 → 显示上年数) --------------------------------------------
    def set_show_prior(self, on: bool) -> None:
        if on != self.show_prior:
            self.show_prior = on
            self.rebuild()

    def is_auxiliary(self, column: int) -> bool:
        """A 上年 / 增减 column: shown beside the amounts, never edited, copied, pasted into or printed."""
        return 0 <= column < len(self.grid_columns) and self.grid_columns[column].kind in PRIOR_KINDS

    @property
    def prior(self) -> dict[tuple[str, str], Decimal]:
        if self._prior is None:
            self._prior = prior_cells(self.controller.dataset, self.form.id) if self.show_prior else {}
        return self._prior

    def prior_key(self, index: QModelIndex) -> tuple[str, str] | None:
        """The amount cell a 上年 / 增减 cell belongs to."""
        column = self.grid_columns[index.column()]
        if column.kind not in PRIOR_KINDS:
            return None
        row = self.row_info(index.row(), column)
        return None if row is None else (row.key, column.column_key)

    def prior_text(self, index: QModelIndex) -> str:
        key = self.prior_key(index)
        if key is None:
            return ""
        before = self.prior.get(key)
        if self.grid_columns[index.column()].kind == "prior":
            return format_amount(before, grouping=True)
        return change_label(self.view.values.get(key), before)

    def _on_findings_changed(self) -> None:
        flagged = set(self.controller.flags_for(self.form.id)) | getattr(self, "_last_flagged", set())
        self._last_flagged = set(self.controller.flags_for(self.form.id))
        if not flagged:
            return
        for position, key in self._positions().items():
            if key in flagged:
                index = self.index(*position)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.BackgroundRole])

    def _on_comments_changed(self) -> None:
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                  [COMMENT_ROLE, Qt.ItemDataRole.ToolTipRole])

    def cell_comments(self, index: QModelIndex) -> list:
        key = self.cell_key(index)
        return [] if key is None else self.comments.for_cell(self.form.id, *key)

    def locate(self, row_key: str, column_key: str) -> QModelIndex | None:
        for position, key in self._positions().items():
            if key == (row_key, column_key):
                return self.index(*position)
        return None

    def _positions(self) -> dict[tuple[int, int], tuple[str, str]]:
        if self._positions_cache is None:
            self._positions_cache = {}
            for line in range(self.rowCount()):
                for column in range(self.columnCount()):
                    key = self.cell_key(self.index(line, column))
                    if key is not None:
                        self._positions_cache[(line, column)] = key
        return self._positions_cache

    def _on_structure_changed(self, form_id: str) -> None:
        if form_id == self.form.id:
            self.rebuild()

    # ---- cells -----------------------------------------------------------------------------
    def header_levels(self) -> int:
        return max((len(column.header) for column in self.grid_columns), default=1)

    def cell_key(self, index: QModelIndex) -> tuple[str, str] | None:
        position = (index.row(), index.column())
        if position in self._keys:  # painting asks many times per cell: remember the mapping
            return self._keys[position]
        column = self.grid_columns[index.column()]
        row = None if column.kind != "amount" else self.row_info(index.row(), column)
        key = None if row is None else (row.key, column.column_key)
        self._keys[position] = key
        return key

    def is_entered(self, index: QModelIndex) -> bool:
        key = self.cell_key(index)
        return key is not None and key in self.view.entered

    def value(self, index: QModelIndex) -> Decimal | None:
        key = self.cell_key(index)
        return None if key is None else self.view.values.get(key)

    def label(self, index: QModelIndex) -> str:
        column = self.grid_columns[index.column()]
        row = self.row_info(index.row(), column)
        if row is None:
            return ""
        if column.kind == "code":
            return row.code or ""
        indent = "　" * (max(row.level - 1, 0) + row.indent)
        return indent + row.title

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.grid_columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole
                and self.is_auxiliary(section)):
            column = self.grid_columns[section]
            return f"{self.form.column(column.column_key).title} {PRIOR_TITLES[column.kind]}"
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return next((title for title in reversed(self.grid_columns[section].header) if title), "")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def _is_total_like(self, index: QModelIndex) -> bool:
        row = self.row_info(index.row(), self.grid_columns[index.column()])
        return row is not None and (row.is_total or row.level == 1 or row.band == "footer")

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self.grid_columns[index.column()]
        if column.kind in PRIOR_KINDS:
            return self._prior_data(index, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if column.kind == "amount":
                return format_amount(self.value(index), grouping=True)
            return self.label(index)
        if role == Qt.ItemDataRole.EditRole:  # the in-cell editor starts from the exact figure, not the rounded one
            return exact_text(self.value(index)) if column.kind == "amount" else self.label(index)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind == "amount":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            flag = self.controller.flags_for(self.form.id).get(self.cell_key(index)) if column.kind == "amount" else None
            if flag:
                return QBrush(ERROR_BACKGROUND if flag == "error" else WARNING_BACKGROUND)
            if column.kind == "amount" and self.cell_key(index) is not None:
                return QBrush(ENTERED_BACKGROUND if self.is_entered(index) else COMPUTED_BACKGROUND)
            return QBrush(TOTAL_BACKGROUND if self._is_total_like(index) else COMPUTED_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and self._is_total_like(index):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column.kind == "amount" and self.cell_key(index):
            messages = [f.message for f in self.controller.findings()
                        if any(c.form == self.form.id and (c.row, c.column) == self.cell_key(index) for c in f.cells)]
            base = "录入单元格" if self.is_entered(index) else "由系统计算，不能直接录入"
            value = self.value(index)
            exact = [] if value is None else [f"精确值：{exact_text(value)} {self.controller.dataset.money_unit}"]
            noted = self.cell_comments(index)
            return "\n".join([base, *exact, *messages] + ([tooltip_text(noted)] if noted else []))
        if role == COMMENT_ROLE:
            return state_of(self.cell_comments(index)) if column.kind == "amount" else ""
        return None

    def _prior_data(self, index: QModelIndex, role):
        if role == Qt.ItemDataRole.DisplayRole:
            return self.prior_text(index)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(PRIOR_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(PRIOR_FOREGROUND)
        if role == Qt.ItemDataRole.ToolTipRole and self.prior_key(index) is not None:
            column = self.grid_columns[index.column()]
            title = self.form.column(column.column_key).title
            year = self.controller.dataset.year - 1
            return (f"{title}：{year} 年数（只供对照，不能修改，不打印）" if column.kind == "prior"
                    else f"{title}：比 {year} 年增减（金额和百分比）")
        return None

    def locked_reason(self) -> str:
        """Why no cell of this table can be written now (已上报, a read-only database); "" when they can."""
        dataset = self.controller.dataset
        if dataset.editable:
            return ""
        if dataset.status == "submitted":
            return f"《{self.form.short_title}》已上报，不能修改；如需修改，请先撤销上报（须填写原因）。"
        return "数据库以只读方式打开，不能修改。"

    def refusal(self, index: QModelIndex) -> str:
        """Why an amount cell cannot be typed into, in the clerk's words; "" when it can (and for the
        code and name columns, where typing looks a row up as before)."""
        if not index.isValid():
            return ""
        kind = self.grid_columns[index.column()].kind
        if kind in PRIOR_KINDS:
            return "这一栏是上年数，只供对照，不能录入。"
        if kind != "amount":
            return ""
        locked = self.locked_reason()
        if locked:
            return locked
        if self.cell_key(index) is None:
            return "这一格是空白格，不能录入。"
        if not self.is_entered(index):
            return "这一格由系统计算（合计或来自其他表），不能直接录入；请在它的明细行或来源表中录入。"
        return ""

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_entered(index) and self.controller.dataset.editable:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    # ---- editing ---------------------------------------------------------------------------
    def prepare(self, index: QModelIndex, text: str) -> CellChange:
        """Validate what was typed into a cell; raises BudgetDeskError with a Chinese message."""
        row_key, column_key = self.cell_key(index)
        return self.controller.dataset.prepare_change(self.form.id, row_key, column_key, text)

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not self.is_entered(index):
            return False
        try:
            change = self.prepare(index, str(value))
        except BudgetDeskError as exc:
            self.message.emit(str(exc))
            return False
        if change.value == self.value(index):
            return True
        row = self.row_info(index.row(), self.grid_columns[index.column()])
        if not self.controller.set_cells([change], f"录入 {row.code or row.title}"):
            return False  # refused by the core (已上报, changed elsewhere): the controller said why
        self.message.emit("")
        return True


class GridFormModel(CellGridModel):
    """Code-keyed forms (功能分类 / 经济分类 rows) and fixed-row forms such as the 三公 table."""

    def layout_rows(self) -> None:
        form = self.form
        levels = header_levels(form)
        header = form.row_header
        group = header.get("group")
        label_columns: list[GridColumn] = []
        if form.code_kind:
            label_columns.append(GridColumn("code", self._pad((group, header.get("code", "科目编码")) if group
                                                             else (header.get("code", "科目编码"),), levels)))
            label_columns.append(GridColumn("label", self._pad((group, header.get("name", "科目名称")) if group
                                                              else (header.get("name", "科目名称"),), levels)))
        else:
            label_columns.append(GridColumn("label", self._pad((header.get("name", "项目"),), levels)))
        amount_columns = [GridColumn("amount", tuple(column_title_path(column, levels)), column.key)
                          for column in form.columns]
        self.grid_columns = label_columns + amount_columns
        self.frozen_columns = len(label_columns)
        self.lines = list(self.controller.dataset.view(form.id).rows)

    @staticmethod
    def _pad(path: tuple, levels: int) -> tuple:
        return tuple(path) + (None,) * (levels - len(path))

    def row_info(self, line: int, column: GridColumn) -> RowInfo | None:
        return self.lines[line]

    def row_key_at(self, line: int) -> str:
        return self.lines[line].key


class TwoSidedFormModel(CellGridModel):
    """收支总表 and 财政拨款收支总表: income on the left, expenditure on the right, as printed."""

    def layout_rows(self) -> None:
        form = self.form
        columns: list[GridColumn] = []
        for side in ("income", "expenditure"):
            side_title = form.sides.get(side, side)
            columns.append(GridColumn("label", (side_title, "项目"), side=side))
            for column in form.columns_for_side(side):
                columns.append(GridColumn("amount", (side_title, column.title), column.key, side))
        self.grid_columns = columns
        self.frozen_columns = 0
        self.lines = two_sided_lines(self.controller.dataset.view(form.id).rows)

    def row_info(self, line: int, column: GridColumn) -> RowInfo | None:
        pair = self.lines[line]
        return pair.income if column.side == "income" else pair.expenditure


def model_for(controller: DatasetController, form: FormDef, parent=None) -> CellGridModel:
    if form.layout == "two_sided":
        return TwoSidedFormModel(controller, form, parent)
    return GridFormModel(controller, form, parent)
