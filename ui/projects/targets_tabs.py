"""部门整体绩效目标, 政府采购预算表 and 部门固定资产占用情况表 tabs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.base.money import exact_text, format_amount
from app.projects import (
    ASSET_ROWS,
    PROCUREMENT_FUNDS,
    AssetLine,
    ProcurementItem,
    catalogue_name,
    procurement_catalogue,
)
from ui.common.record_table import ChoiceDelegate, FieldColumn, RecordTableModel, TypingTableView, button_bar
from ui.common.style import set_role
from ui.editor.controller import DatasetController
from ui.projects.indicator_editor import IndicatorEditor
from ui.projects.projects_tab import CommittingTextEdit


class OverallTargetsTab(QWidget):
    def __init__(self, controller: DatasetController, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("tab_overall_targets")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("总体绩效目标：", self))
        self.goal = CommittingTextEdit(self)
        self.goal.setObjectName("overall_goal")
        self.goal.setFixedHeight(110)
        self.goal.left.connect(self.save_goal)
        layout.addWidget(self.goal)
        self.message = QLabel(self)
        set_role(self.message, "error")
        layout.addWidget(self.message)
        box = QGroupBox("分项绩效目标与指标（备注栏填写分项名称）", self)
        box_layout = QVBoxLayout(box)
        self.indicators = IndicatorEditor(controller, lambda: list(controller.book.overall_targets().indicators),
                                          self._store_indicators, box)
        box_layout.addWidget(self.indicators)
        layout.addWidget(box, 1)
        controller.book_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.goal.setPlainText(self.controller.book.overall_targets().goal)
        self.goal.setReadOnly(not self.controller.dataset.editable)
        self.indicators.reload()

    def _store_indicators(self, indicators):
        targets = self.controller.book.overall_targets()
        return self.controller.book.set_overall_targets(replace(targets, indicators=list(indicators)))

    def save_goal(self) -> bool:
        targets = self.controller.book.overall_targets()
        text = self.goal.toPlainText().strip()
        if text == targets.goal:
            return True
        try:
            change = self.controller.book.set_overall_targets(replace(targets, goal=text))
        except BudgetDeskError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText("")
        self.controller.record(change)
        return True


class CatalogueDelegate(ChoiceDelegate):
    """The 政府采购目录 column completes over the shipped catalogue (code or name)."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt naming
        editor = super().createEditor(parent, option, index)
        if self.model.columns[index.column()].key == "catalogue_code" and isinstance(editor, QLineEdit):
            entries = [f"{code} {item.name}" for code, item in sorted(procurement_catalogue().items.items())]
            completer = QCompleter(QStringListModel(entries, editor), editor)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            editor.setCompleter(completer)
        return editor

    def setModelData(self, editor, model, index) -> None:  # noqa: N802
        if self.model.columns[index.column()].key == "catalogue_code" and isinstance(editor, QLineEdit):
            model.setData(index, editor.text().split(" ")[0])
            return
        super().setModelData(editor, model, index)


class ProcurementTab(QWidget):
    def __init__(self, controller: DatasetController, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("tab_procurement")
        layout = QVBoxLayout(self)
        title = QLabel("政府采购预算表", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(title, "title")
        layout.addWidget(title)
        unit = controller.dataset.money_unit

        def project_choices(_record):
            return [(None, "（未选择）")] + [(pid, name) for pid, name, _amount in controller.book.project_choices()]

        def project_amount(record):
            amounts = {pid: amount for pid, _name, amount in controller.book.project_choices()}
            return format_amount(amounts.get(record.project_id), grouping=True)

        columns = [
            FieldColumn("project_id", "政府采购项目来源", "choice", 200, project_choices),
            FieldColumn("project_amount", "预算资金", "computed", 90, display=project_amount),
            FieldColumn("item_name", "采购物品名称", "text", 180),
            FieldColumn("catalogue_code", "政府采购目录序号", "text", 200,
                        display=lambda r: r.catalogue_code and f"{r.catalogue_code} {catalogue_name(r.catalogue_code) or ''}"),
            FieldColumn("measure_unit", "计量单位", "text", 70),
            FieldColumn("quantity", "数量", "quantity", 70),
            FieldColumn("unit_price", "单价", "money", 90),
            *[FieldColumn(key, label, "money", 150 if len(label) > 7 else 110) for key, label in PROCUREMENT_FUNDS],
            FieldColumn("total", "合计", "computed", 100, display=lambda r: format_amount(r.total, grouping=True)),
            FieldColumn("sme_reserved", "预留中小微企业份额", "money", 120),
        ]
        self.model = RecordTableModel(columns, self._save_row, self)
        self.table = TypingTableView(self)
        self.table.setObjectName("procurement")
        self.table.setModel(self.model)
        self.table.setItemDelegate(CatalogueDelegate(self.model, self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        for number, column in enumerate(columns):
            self.table.setColumnWidth(number, column.width)
        layout.addWidget(self.table, 1)
        self.totals = QLabel(self)
        self.totals.setObjectName("procurement_totals")
        self.totals.setWordWrap(True)
        layout.addWidget(self.totals)
        tools, self.message = button_bar(self, [("新增采购明细", "add_purchase", self.add_purchase),
                                                ("删除", "delete_purchase", self.delete_current),
                                                ("上移", "purchase_up", lambda: self.move(-1)),
                                                ("下移", "purchase_down", lambda: self.move(1))],
                                         "procurement_message")
        layout.addLayout(tools)
        layout.addWidget(QLabel(f"金额单位：{unit}。合计、小计由系统计算。", self))
        controller.book_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        book = self.controller.book
        self.model.read_only = not self.controller.dataset.editable
        self.model.set_records(book.list_procurement())
        totals = book.procurement_totals()
        lines = [f"合计：{format_amount(totals.total, grouping=True) or '0.00'}，"
                 f"其中预留中小微企业份额 {format_amount(totals.sme_reserved, grouping=True) or '0.00'}"]
        for label, subtotal in book.procurement_subtotals():
            lines.append(f"{label} 小计：{format_amount(subtotal.total, grouping=True) or '0.00'}")
        self.totals.setText("；".join(lines))

    def _write(self, action: Callable[[], object]) -> bool:
        try:
            change = action()
        except BudgetDeskError as exc:
            self.message.setText(str(exc))
            self.refresh()
            return False
        self.message.setText("")
        self.controller.record(change)
        return True

    def _save_row(self, row: int, record: ProcurementItem) -> bool:
        return self._write(lambda: self.controller.book.update_procurement(record.id, record))

    def add_purchase(self, *, item: ProcurementItem | None = None) -> bool:
        choices = self.controller.book.project_choices()
        item = item or ProcurementItem(project_id=choices[0][0] if choices else None, item_name="（请填写采购物品名称）",
                                       catalogue_code="C")
        return self._write(lambda: self.controller.book.add_procurement(item))

    def delete_current(self, *, confirm: Callable[[str], bool] | None = None) -> bool:
        row = self.table.currentIndex().row()
        if row < 0:
            return False
        item = self.model.records[row]
        ask = confirm or (lambda text: QMessageBox.question(self, "删除采购明细", text) == QMessageBox.StandardButton.Yes)
        if not ask(f"确定删除采购明细“{item.item_name}”吗？（可用 Ctrl+Z 撤销）"):
            return False
        return self._write(lambda: self.controller.book.delete_procurement(item.id))

    def move(self, step: int) -> None:
        row = self.table.currentIndex().row()
        if row < 0 or not 0 <= row + step < self.model.rowCount():
            return
        item = self.model.records[row]
        if self._write(lambda: self.controller.book.move_procurement(item.id, row + step)):
            self.table.setCurrentIndex(self.model.index(row + step, 0))


class AssetsTab(QWidget):
    """部门固定资产占用情况表: fixed rows with 数量 and 价值; 资产总额 computed."""

    def __init__(self, controller: DatasetController, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("tab_assets")
        layout = QVBoxLayout(self)
        title = QLabel("部门固定资产占用情况表", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(title, "title")
        layout.addWidget(title)
        form = QFormLayout()
        self.as_of = QLineEdit(self)
        self.as_of.setObjectName("assets_as_of")
        self.as_of.setPlaceholderText("例如 2022-12-31")
        self.as_of.editingFinished.connect(lambda: self.save(as_of=self.as_of.text().strip() or None))
        form.addRow("截止时间：", self.as_of)
        self.planned = QLineEdit(self)
        self.planned.setObjectName("assets_planned")
        self.planned.editingFinished.connect(lambda: self.save(planned_purchases=self.planned.text().strip() or None))
        form.addRow(f"本年度拟购置固定资产总额（{controller.dataset.money_unit}）：", self.planned)
        layout.addLayout(form)
        self.table = QTableWidget(len(ASSET_ROWS) + 1, 2, self)
        self.table.setObjectName("assets")
        self.table.setHorizontalHeaderLabels(["数量", f"价值（{controller.dataset.money_unit}）"])
        self.table.setVerticalHeaderLabels(["资产总额", *[label for _key, label, _whole in ASSET_ROWS]])
        self.table.verticalHeader().setMinimumWidth(220)
        self.table.setColumnWidth(0, 140)
        self.table.setColumnWidth(1, 160)
        self.table.setItemDelegate(QStyledItemDelegate(self.table))
        self.table.itemChanged.connect(self._cell_changed)
        layout.addWidget(self.table, 1)
        self.message = QLabel(self)
        self.message.setObjectName("assets_message")
        set_role(self.message, "error")
        layout.addWidget(self.message)
        controller.book_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        table = self.controller.book.assets()
        self.table.blockSignals(True)
        editable = self.controller.dataset.editable
        total = QTableWidgetItem(format_amount(table.total_value, grouping=True))
        total.setFlags(Qt.ItemFlag.ItemIsEnabled)
        total.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItem(0, 1, total)
        blank = QTableWidgetItem("")
        blank.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.table.setItem(0, 0, blank)
        for row, (key, _label, _whole) in enumerate(ASSET_ROWS, start=1):
            line = table.line(key)
            for column, value in enumerate((line.quantity, line.value)):
                text = "" if value is None else (exact_text(value) if column == 1 else format(value, "f"))
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                item.setFlags(flags | Qt.ItemFlag.ItemIsEditable if editable else flags)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.as_of.setText(table.as_of.isoformat() if table.as_of else "")
        self.planned.setText(exact_text(table.planned_purchases))

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        row, column = item.row(), item.column()
        if row == 0:
            return
        key = ASSET_ROWS[row - 1][0]
        table = self.controller.book.assets()
        line = table.line(key)
        text = item.text().strip() or None
        new_line = AssetLine(quantity=text, value=line.value) if column == 0 else AssetLine(quantity=line.quantity, value=text)
        self.save(lines={**table.lines, key: new_line})

    def save(self, **changes) -> bool:
        table = self.controller.book.assets()
        try:
            change = self.controller.book.set_assets(replace(table, **changes))
        except BudgetDeskError as exc:
            self.message.setText(str(exc))
            self.refresh()
            return False
        self.message.setText("")
        self.controller.record(change)
        return True
