"""The spreadsheet-like view: frozen code/name columns, Excel keys, copy and paste of blocks."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QStyledItemDelegate, QTableView

from app.base.errors import BudgetDeskError
from app.domain.cells import CellChange
from ui.common.feedback import say
from ui.common.record_table import TypingTableView
from ui.editor.comment_marks import COMMENT_ROLE, paint_corner
from ui.editor.grid_model import CellGridModel
from ui.editor.header import GroupedHeaderView

AMOUNT_WIDTH = 120


def paste_note(written: int, unchanged: int, computed: int, outside: int) -> str:
    """What a paste did, per cell of the block: written, already equal, skipped and why."""
    note = f"已粘贴 {written} 个单元格"
    if unchanged:
        note += f"（另有 {unchanged} 个与原值相同，未改）"
    skipped = [part for count, part in ((computed, f"{computed} 个由系统计算的单元格"),
                                        (outside, f"{outside} 个超出表格范围")) if count]
    return note + ("；跳过 " + "、".join(skipped) + "。" if skipped else "。")


class AmountDelegate(QStyledItemDelegate):
    """Checks the typed text when the editor closes on Enter/Tab: a typo is not kept as text — the cell
    shows its stored value again and the message says why (it goes away on Escape or the next good edit)."""

    def __init__(self, view: GridTableView) -> None:
        super().__init__(view)
        self.view = view

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt naming
        editor = super().createEditor(parent, option, index)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setObjectName("cell_editor")
        return editor

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        state = index.data(COMMENT_ROLE)
        if state:  # 批注: a corner mark, its text in the tooltip (ui.editor.comment_marks)
            paint_corner(painter, option.rect, state)

    def eventFilter(self, editor, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() in (
            Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab
        ):
            model: CellGridModel = self.view.model()
            index = self.view.currentIndex()
            try:
                model.prepare(index, editor.text())
            except BudgetDeskError as exc:
                model.message.emit(str(exc))
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
                return True  # the stored value stays; nothing was written
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.view.model().message.emit("")
        return super().eventFilter(editor, event)


class GridTableView(TypingTableView):
    def __init__(self, model: CellGridModel, parent=None) -> None:
        super().__init__(parent)
        self.setHorizontalHeader(GroupedHeaderView(self))
        self.setModel(model)
        self.setItemDelegate(AmountDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

        self.frozen = QTableView(self)
        self.frozen.setObjectName("frozen_columns")
        self.frozen.setHorizontalHeader(GroupedHeaderView(self.frozen))
        self.frozen.setModel(model)
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.verticalHeader().hide()
        self.frozen.verticalHeader().setDefaultSectionSize(self.verticalHeader().defaultSectionSize())
        self.frozen.setSelectionModel(self.selectionModel())
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setStyleSheet("QTableView { border: none; border-right: 2px solid #9aa5b1; }")
        self.frozen.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.viewport().stackUnder(self.frozen)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        model.modelReset.connect(self._apply_layout)
        self._apply_layout()

    # ---- layout ----------------------------------------------------------------------------
    def grid_model(self) -> CellGridModel:
        return self.model()

    def _apply_layout(self) -> None:
        model = self.grid_model()
        header_height = self.horizontalHeader().sizeHint().height()
        for header in (self.horizontalHeader(), self.frozen.horizontalHeader()):
            header.setFixedHeight(header_height)
        for column, grid_column in enumerate(model.grid_columns):
            if grid_column.kind == "code":
                width = 90
            elif grid_column.kind == "label":
                width = 300
            elif grid_column.kind == "change":
                width = AMOUNT_WIDTH + 30  # amount and percentage
            else:
                width = AMOUNT_WIDTH if model.frozen_columns else AMOUNT_WIDTH + 40
            self.setColumnWidth(column, width)
            self.frozen.setColumnWidth(column, width)
            self.frozen.setColumnHidden(column, column >= model.frozen_columns)
        self.frozen.setVisible(model.frozen_columns > 0)
        self._update_frozen_geometry()

    def _section_resized(self, logical: int, _old: int, new: int) -> None:
        if logical < self.grid_model().frozen_columns:
            self.frozen.setColumnWidth(logical, new)
            self._update_frozen_geometry()

    def _frozen_width(self) -> int:
        return sum(self.columnWidth(column) for column in range(self.grid_model().frozen_columns))

    def _update_frozen_geometry(self) -> None:
        self.frozen.setGeometry(self.frameWidth(), self.frameWidth(), self._frozen_width(),
                                self.viewport().height() + self.horizontalHeader().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._update_frozen_geometry()

    def moveCursor(self, action, modifiers):  # noqa: N802
        current = super().moveCursor(action, modifiers)
        frozen = self._frozen_width()
        if (action == QAbstractItemView.CursorAction.MoveLeft and current.column() >= self.grid_model().frozen_columns
                and self.visualRect(current).topLeft().x() < frozen):
            new_value = self.horizontalScrollBar().value() + self.visualRect(current).topLeft().x() - frozen
            self.horizontalScrollBar().setValue(new_value)
        return current

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: N802
        if index.column() < self.grid_model().frozen_columns:
            return
        super().scrollTo(index, hint)
        hidden_by_frozen = self._frozen_width() - self.visualRect(index).left()
        if hidden_by_frozen > 0:  # the cell slid under the frozen code/name columns
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - hidden_by_frozen)

    # ---- keys ------------------------------------------------------------------------------
    def move_current(self, rows: int, columns: int) -> None:
        current = self.currentIndex()
        if not current.isValid():
            return
        model = self.grid_model()
        row = min(max(current.row() + rows, 0), model.rowCount() - 1)
        column = current.column()
        if columns:  # Tab / Shift+Tab step over the 上年 / 增减 columns, from amount to amount
            step = 1 if columns > 0 else -1
            for _ in range(abs(columns)):
                candidate = column + step
                while model.is_auxiliary(candidate):
                    candidate += step
                if 0 <= candidate < model.columnCount():
                    column = candidate
        self.setCurrentIndex(model.index(row, column))

    def closeEditor(self, editor, hint) -> None:  # noqa: N802
        # Excel: Enter commits and moves down, Tab commits and moves right; neither opens the next editor.
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.move_current(1, 0)
        elif hint == QAbstractItemDelegate.EndEditHint.EditNextItem:
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.move_current(0, 1)
        elif hint == QAbstractItemDelegate.EndEditHint.EditPreviousItem:
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.move_current(0, -1)
        else:
            super().closeEditor(editor, hint)

    def refuse_typing(self, text: str) -> bool:
        """Typed text on a cell that cannot take it (computed, 已上报, a name): say why, keep nothing."""
        if not text or not text.isprintable() or self.state() == QAbstractItemView.State.EditingState:
            return False
        reason = self.grid_model().refusal(self.currentIndex())
        if reason:
            say(self, reason)
        return bool(reason)

    def inputMethodEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if self.refuse_typing(event.commitString()):
            event.accept()
            return
        super().inputMethodEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().mouseDoubleClickEvent(event)
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and self.state() != QAbstractItemView.State.EditingState:
            reason = self.grid_model().refusal(index)
            if reason:
                say(self, reason)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        if plain and self.refuse_typing(event.text()):
            return
        if self.start_with_typed_text(event):
            return
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() == Qt.Key.Key_Escape:
                self.grid_model().message.emit("")
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_selection()
                return
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear_selection()
                return
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.move_current(-1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1, 0)
                return
            if event.key() == Qt.Key.Key_Tab:
                self.move_current(0, 1)
                return
            if event.key() == Qt.Key.Key_Backtab:
                self.move_current(0, -1)
                return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802
        return False  # Tab stays inside the table, as in a spreadsheet

    # ---- clipboard -------------------------------------------------------------------------
    def _selection_bounds(self) -> tuple[int, int, int, int] | None:
        indexes = self.selectionModel().selectedIndexes() or ([self.currentIndex()] if self.currentIndex().isValid() else [])
        if not indexes:
            return None
        rows = [index.row() for index in indexes]
        columns = [index.column() for index in indexes]
        return min(rows), min(columns), max(rows), max(columns)

    def copy_selection(self) -> str:
        bounds = self._selection_bounds()
        if bounds is None:
            return ""
        top, left, bottom, right = bounds
        model = self.grid_model()
        lines = []
        columns = [column for column in range(left, right + 1) if not model.is_auxiliary(column)]
        for row in range(top, bottom + 1):
            cells = []
            for column in columns:  # 上年 / 增减 are for looking, not copying: a block pastes back alike
                index = model.index(row, column)
                cells.append(str(model.data(index, Qt.ItemDataRole.EditRole) or "").strip())
            lines.append("\t".join(cells))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        return text

    def paste(self, text: str | None = None) -> None:
        """Paste a tab-separated block at the current cell; what was written and what was skipped is
        counted per cell and said in the feedback line."""
        model = self.grid_model()
        text = QGuiApplication.clipboard().text() if text is None else text
        if not text.strip():
            return
        bounds = self._selection_bounds()
        if bounds is None:
            return
        if model.locked_reason():
            say(self, "粘贴未执行：" + model.locked_reason())
            return
        top, left = bounds[0], bounds[1]
        current = self.currentIndex()
        if current.isValid() and not self.selectionModel().isSelected(current):
            top, left = current.row(), current.column()
        # The block's columns land on the form's own columns only: 上年 / 增减 shown between them are stepped
        # over, so a block pastes into the same cells whether 显示上年数 is on or off.
        targets = [column for column in range(left, model.columnCount()) if not model.is_auxiliary(column)]
        block = [line.split("\t") for line in text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")]
        changes: list[CellChange] = []
        unchanged = computed = outside = 0  # cells of the block, each counted once
        for row_offset, cells in enumerate(block):
            for column_offset, cell_text in enumerate(cells):
                row = top + row_offset
                filled = bool(cell_text.strip())
                if row >= model.rowCount() or column_offset >= len(targets):
                    outside += filled
                    continue
                index = model.index(row, targets[column_offset])
                if not model.is_entered(index):
                    computed += filled
                    continue
                try:
                    change = model.prepare(index, cell_text)
                except BudgetDeskError as exc:
                    say(self, f"粘贴未执行：第 {row_offset + 1} 行第 {column_offset + 1} 列，{exc}")
                    return
                if change.value == model.value(index):
                    unchanged += filled
                    continue
                changes.append(change)
        if not model.controller.set_cells(changes, f"粘贴 {len(changes)} 个单元格", "粘贴"):
            return
        rows = len(block)
        columns = max(len(cells) for cells in block)
        bottom = min(top + rows, model.rowCount()) - 1
        right = targets[min(columns, len(targets)) - 1] if targets else left
        self.selectionModel().select(QItemSelection(model.index(top, left), model.index(bottom, right)),
                                     QItemSelectionModel.SelectionFlag.ClearAndSelect)
        say(self, paste_note(len(changes), unchanged, computed, outside), refusal=bool(computed or outside))

    def clear_selection(self) -> None:
        model = self.grid_model()
        indexes = self.selectionModel().selectedIndexes() or [self.currentIndex()]
        if model.locked_reason() or not any(model.is_entered(index) for index in indexes):
            say(self, model.locked_reason() or "所选单元格由系统计算或是名称，没有可清除的录入数。")
            return
        changes = []
        for index in indexes:
            if index.isValid() and model.is_entered(index) and model.value(index) is not None:
                row_key, column_key = model.cell_key(index)
                changes.append(CellChange(model.form.id, row_key, column_key, None))
        model.controller.set_cells(changes, f"清除 {len(changes)} 个单元格")
