"""Editable tables over lists of records (indicators, purchases): columns described as data.

Each edit builds a new record with the typed text and hands it to a ``save`` callback, which goes
through ``ProjectBook`` (validation with Chinese messages, one transaction, an undo step). A refused
edit changes nothing and its message is shown under the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
)

from app.base.money import exact_text, format_amount
from ui.common.style import set_role

COMPUTED = QColor("#eef1f5")


@dataclass(frozen=True)
class FieldColumn:
    key: str
    title: str
    kind: str = "text"  # text | money | quantity | choice | computed
    width: int = 110
    choices: Callable[[object], list[tuple[str, str]]] | None = None  # record → [(value, label)]
    display: Callable[[object], str] | None = None  # computed or custom display text
    group_repeats: bool = False  # show the value only where it changes (一级/二级 like the printed table)


class RecordTableModel(QAbstractTableModel):
    message = Signal(str)

    def __init__(self, columns: list[FieldColumn], save: Callable[[int, object], bool], parent=None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.save = save
        self.records: list = []
        self.read_only = False

    def set_records(self, records: list) -> None:
        records = list(records)
        if len(records) == len(self.records) and records:
            # Same shape: repaint instead of a reset, which would tear down an open editor in the
            # middle of its own commit ("commitData called with an editor that does not belong …").
            self.records = records
            self.dataChanged.emit(self.index(0, 0), self.index(len(records) - 1, len(self.columns) - 1))
            return
        self.beginResetModel()
        self.records = records
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.columns[section].title if orientation == Qt.Orientation.Horizontal else str(section + 1)

    def _text(self, record, column: FieldColumn) -> str:
        if column.display is not None:
            return column.display(record)
        value = getattr(record, column.key)
        if value is None:
            return ""
        if column.kind == "money":
            return format_amount(value, grouping=True)
        if column.kind == "choice" and column.choices is not None:
            return dict(column.choices(record)).get(value, str(value))
        if isinstance(value, Decimal):
            return format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return str(value)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        record = self.records[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._text(record, column)
            if column.group_repeats and index.row() > 0:
                above = self.records[index.row() - 1]
                same_group = all(getattr(above, c.key) == getattr(record, c.key)
                                 for c in self.columns[: index.column() + 1] if c.group_repeats)
                if same_group:
                    return ""
            return text
        if role == Qt.ItemDataRole.EditRole:
            value = getattr(record, column.key, None)
            if column.kind == "choice":
                return value
            if column.kind == "money":  # the editor starts from the exact figure, not the rounded one
                return exact_text(value) if column.display is None else self._text(record, column).replace(",", "")
            return self._text(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.kind == "money" and column.display is None and getattr(record, column.key, None) is not None:
                return f"精确值：{exact_text(getattr(record, column.key))}"
            return self._text(record, column) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in ("money", "quantity", "computed"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and column.kind == "computed":
            return QBrush(COMPUTED)
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.read_only and self.columns[index.column()].kind != "computed":
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        column = self.columns[index.column()]
        record = self.records[index.row()]
        new_value = value if column.kind == "choice" else str(value).strip()
        if column.kind in ("money", "quantity") and new_value == "":
            new_value = None
        if getattr(record, column.key) == new_value:
            return True
        return self.save(index.row(), replace(record, **{column.key: new_value}))


class ChoiceCombo(QComboBox):
    """The drop-down of a choice cell. Arrow keys and the wheel open the list instead of stepping the
    value: a closed drop-down that changed under a stray Down key (≥ became ≤) was saved unseen."""

    STEP_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Home,
                 Qt.Key.Key_End)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() in self.STEP_KEYS and not self.view().isVisible():
            self.showPopup()
            event.accept()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event) -> None:  # noqa: N802
        event.ignore()  # scrolling the table over an open cell must not change its value


class ChoiceDelegate(QStyledItemDelegate):
    """A drop-down for choice columns; the choices may depend on the row (二级 under its 一级)."""

    def __init__(self, model: RecordTableModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt naming
        column = self.model.columns[index.column()]
        if column.kind != "choice":
            return super().createEditor(parent, option, index)
        combo = ChoiceCombo(parent)
        combo.setObjectName(f"choice_{column.key}")
        for value, label in column.choices(self.model.records[index.row()]):
            combo.addItem(label, value)
        # A choice made with the mouse is final at once: commit and close right away, so clicking
        # another cell afterwards cannot lose it.
        combo.activated.connect(lambda _index, combo=combo: self._commit_choice(combo))
        return combo

    def _commit_choice(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor, index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            saved = index.data(Qt.ItemDataRole.EditRole)
            position = editor.findData(saved)
            if position < 0 and saved not in (None, ""):
                # A saved value the list does not offer is shown as it is, never as the first choice.
                editor.addItem(str(saved), saved)
                position = editor.count() - 1
            blocked = editor.blockSignals(True)  # showing the saved value is no pick
            editor.setCurrentIndex(max(position, 0))
            editor.blockSignals(blocked)
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
            return
        super().setModelData(editor, model, index)


def button_bar(parent, buttons, message_name: str | None = None) -> tuple[QHBoxLayout, QLabel | None]:
    """The row of buttons under a record table (上移/下移/删除 …), then the table's message on the right.
    ``buttons``: [(label, object name, handler)]. Returns the layout and the message label."""
    bar = QHBoxLayout()
    for label, name, handler in buttons:
        button = QPushButton(label, parent)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False, handler=handler: handler())
        bar.addWidget(button)
    bar.addStretch(1)
    message = None
    if message_name is not None:
        message = QLabel(parent)
        message.setObjectName(message_name)
        set_role(message, "error")
        bar.addWidget(message)
    return bar, message


def start_editing_with(view: QAbstractItemView, text: str) -> bool:
    """Typed text (an input method's commit, or a key carrying Chinese) onto a selected cell that is
    not being edited opens its editor with that text, as ASCII keys already do."""
    index = view.currentIndex()
    if not text or view.state() == QAbstractItemView.State.EditingState or not index.isValid():
        return False
    if not index.flags() & Qt.ItemFlag.ItemIsEditable or not view.edit(index, QAbstractItemView.EditTrigger.AnyKeyPressed, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, "")):
        return False
    editor = view.indexWidget(index)
    if isinstance(editor, QLineEdit):
        editor.setText(text)
        editor.setFocus()
        # Qt keeps focus on the view while an input method composes; hand it over once this event is done.
        QTimer.singleShot(0, editor, editor.setFocus)
        return True
    return editor is not None


class TypingTableView(QTableView):
    """A table whose selected cell starts editing with Chinese typed through an input method."""

    def inputMethodEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if start_editing_with(self, event.commitString()):
            event.accept()
            return
        super().inputMethodEvent(event)

    def start_with_typed_text(self, event) -> bool:
        """A key that carries Chinese (some input methods send it as a key press) starts editing."""
        text = event.text()
        return bool(text and not text.isascii() and text.isprintable() and start_editing_with(self, text))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if self.start_with_typed_text(event):
            return
        super().keyPressEvent(event)
