"""The 绩效指标 grid of a project or of the 部门整体绩效目标, grouped under 一级/二级 as printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.projects import (
    ALL_COMPARATORS,
    QUALITATIVE,
    Change,
    Indicator,
    arrange_indicators,
    indicator_levels,
    level2_codes,
    level_name,
    settled_comparator,
    split_indicator_value,
)
from ui.common.record_table import ChoiceDelegate, FieldColumn, RecordTableModel, TypingTableView, button_bar
from ui.common.style import set_role
from ui.editor.controller import DatasetController

LEVEL1_CODES = ("1", "2", "3")


def _level1_choices(_record) -> list[tuple[str, str]]:
    return [(code, level_name(code)) for code in LEVEL1_CODES]


def _level2_choices(record) -> list[tuple[str, str]]:
    return [(code, level_name(code)) for code in level2_codes(record.level1)]


def _comparator_choices(_record) -> list[tuple[str, str]]:
    return [("", "（无）")] + [(sign, sign) for sign in ALL_COMPARATORS]


INDICATOR_COLUMNS = [
    FieldColumn("level1", "一级指标", "choice", 90, _level1_choices, group_repeats=True),
    FieldColumn("level2", "二级指标", "choice", 110, _level2_choices, group_repeats=True),
    FieldColumn("name", "三级指标", "text", 200),
    FieldColumn("description", "指标描述", "text", 220),
    FieldColumn("comparator", "比较", "choice", 60, _comparator_choices),
    FieldColumn("value", "年度指标值", "text", 90),
    FieldColumn("unit", "计量单位", "text", 70),
    FieldColumn("period_value", "实施周期指标值", "text", 100),
    FieldColumn("basis", "指标值确定依据", "text", 160),
    FieldColumn("note", "备注", "text", 120),
]


class IndicatorEditor(QWidget):
    """``load`` reads the current list; ``store`` writes a whole new list and returns its Change."""

    def __init__(self, controller: DatasetController, load: Callable[[], list[Indicator]],
                 store: Callable[[list[Indicator]], Change], parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.load = load
        self.store = store
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("添加指标：", self))
        self.level2 = QComboBox(self)
        self.level2.setObjectName("new_level2")
        levels = indicator_levels()
        for level1 in LEVEL1_CODES:
            for code in level2_codes(level1):
                self.level2.addItem(f"{levels[level1].name} / {levels[code].name}", code)
        self.level2.currentIndexChanged.connect(self._refresh_suggestions)
        bar.addWidget(self.level2)
        self.name = QLineEdit(self)
        self.name.setObjectName("new_indicator_name")
        self.name.setPlaceholderText("三级指标名称（可从指标库选择）")
        self.suggestions = QStringListModel(self)
        completer = QCompleter(self.suggestions, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name.setCompleter(completer)
        # Enter with the suggestion list open picks the suggestion (the completer's activated adds
        # it, once); Enter in the box alone adds what was typed.
        completer.activated.connect(self._picked)
        self.name.returnPressed.connect(self._return_pressed)
        bar.addWidget(self.name, 1)
        add = QPushButton("添加", self)
        add.setObjectName("add_indicator")
        # clicked(bool) would fill add_indicator's name with False: the button adds what was typed
        add.clicked.connect(lambda: self.add_indicator())
        bar.addWidget(add)
        layout.addLayout(bar)

        self.model = RecordTableModel(INDICATOR_COLUMNS, self._save_row, self)
        self.table = TypingTableView(self)
        self.table.setObjectName("indicators")
        self.table.setModel(self.model)
        self.table.setItemDelegate(ChoiceDelegate(self.model, self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        for number, column in enumerate(INDICATOR_COLUMNS):
            self.table.setColumnWidth(number, column.width)
        layout.addWidget(self.table, 1)

        tools, self.message = button_bar(self, [("上移", "indicator_up", lambda: self.move(-1)),
                                                ("下移", "indicator_down", lambda: self.move(1)),
                                                ("删除指标", "delete_indicator", self.delete_current),
                                                ("按一级、二级整理", "arrange_indicators", self.arrange)],
                                         "indicator_message")
        layout.addLayout(tools)
        self.model.message.connect(self._show)
        self._refresh_suggestions()
        self.reload()

    # ---- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        self.model.read_only = not self.controller.dataset.editable
        self.model.set_records(self.load())

    def _refresh_suggestions(self) -> None:
        code = self.level2.currentData()
        entries = self.controller.book.suggest_indicators(code) if code else []
        self.suggestions.setStringList([entry.name for entry in entries])

    def _show(self, text: str, role: str = "error") -> None:
        set_role(self.message, role)
        self.message.setText(text)

    def _write(self, indicators: list[Indicator]) -> bool:
        try:
            change = self.store(indicators)
        except BudgetDeskError as exc:
            self._show(str(exc))
            return False
        self.message.setText("")
        self.controller.record(change)
        return True

    def _save_row(self, row: int, record: Indicator) -> bool:
        old = self.model.records[row]
        if record.level1 != old.level1:  # a 二级 never belongs to another 一级
            record = replace(record, level2=level2_codes(record.level1)[0])
        if record.value != old.value and record.value:
            # Clerks type the value as printed (≥500篇, 100%, 比上年提升): split it into its parts.
            comparator, value, unit = split_indicator_value(record.value)
            if comparator or unit or (record.comparator in ("", QUALITATIVE) and comparator == QUALITATIVE):
                # words carry no unit of their own: a 定性 value keeps none from the figure it replaced
                record = replace(record, comparator=comparator or record.comparator, value=value,
                                 unit="" if comparator == QUALITATIVE else unit or record.unit)
        if record.comparator != old.comparator and record.comparator not in ("", QUALITATIVE) and not record.value:
            self._show("请先在“年度指标值”中填写数值（可直接输入 ≥500篇 这样的完整指标值）。")
            return False
        settled = settled_comparator(record.comparator, record.value)
        note = ""
        if settled != record.comparator:  # the core stores words without a comparator as 定性; say so
            record = replace(record, comparator=settled)
            note = f"指标值“{record.value}”是文字，已按“定性”保存（比较符留空只用于 100% 这样的数字）。"
        indicators = list(self.model.records)
        indicators[row] = record
        if not self._write(indicators):
            return False
        if note:  # what was done, not a refusal: shown muted
            self._show(note, "muted")
        return True

    def _picked(self, text: str) -> None:
        if self.add_indicator(text):
            # The completer writes the picked name back into the box after this signal; empty it
            # afterwards, or the next Enter would add the same indicator again.
            QTimer.singleShot(0, self.name.clear)

    def _return_pressed(self) -> None:
        popup = self.name.completer().popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            return  # the completer takes this Enter and reports the pick through activated
        popup.hide()
        if self.name.text().strip():
            self.add_indicator()

    # ---- commands --------------------------------------------------------------------------
    def add_indicator(self, name: str | None = None) -> bool:
        name = (name if name is not None else self.name.text()).strip()
        if not name:
            self._show("请填写三级指标名称。")
            return False
        level2 = self.level2.currentData()
        level1 = indicator_levels()[level2].parent
        template = next((entry for entry in self.controller.book.suggest_indicators(level2) if entry.name == name), None)
        # The library's comparator needs a value first (≥ without a number is refused), so only the unit.
        indicator = Indicator(level1=level1, level2=level2, name=name, unit=template.unit if template else "")
        indicators = list(self.model.records)
        # Keep the printed grouping: after its 二级, else after its 一级, else before later 一级 groups.
        same_level2 = [i for i, other in enumerate(indicators) if other.level2 == level2]
        same_level1 = [i for i, other in enumerate(indicators) if other.level1 == level1]
        later = [i for i, other in enumerate(indicators) if other.level1 > level1]
        if same_level2:
            position = same_level2[-1] + 1
        elif same_level1:
            position = same_level1[-1] + 1
        elif later:
            position = later[0]
        else:
            position = len(indicators)
        indicators.insert(position, indicator)
        if self._write(indicators):
            self.name.clear()
            self.table.setCurrentIndex(self.model.index(position, 3))
            return True
        return False

    def move(self, step: int) -> None:
        row = self.table.currentIndex().row()
        target = row + step
        if row < 0 or not 0 <= target < self.model.rowCount():
            return
        indicators = list(self.model.records)
        indicators[row], indicators[target] = indicators[target], indicators[row]
        if self._write(indicators):
            self.table.setCurrentIndex(self.model.index(target, max(self.table.currentIndex().column(), 0)))

    def delete_current(self, *, confirm: Callable[[str], bool] | None = None) -> bool:
        row = self.table.currentIndex().row()
        if row < 0:
            return False
        indicator = self.model.records[row]
        ask = confirm or (lambda text: QMessageBox.question(self, "删除指标", text) == QMessageBox.StandardButton.Yes)
        if not ask(f"确定删除指标“{indicator.name}”吗？（可用 Ctrl+Z 撤销）"):
            return False
        indicators = list(self.model.records)
        del indicators[row]
        return self._write(indicators)

    def arrange(self) -> None:
        arranged = arrange_indicators(self.model.records)
        if arranged != self.model.records:
            self._write(arranged)
