"""One tab per form: title and unit line as on paper, the table, row tools, inline messages."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError
from app.domain.codes import KIND_NAMES
from app.domain.forms import FormDef
from app.domain.links import links_into
from ui.common.feedback import say
from ui.common.style import set_role
from ui.editor.controller import DatasetController
from ui.editor.grid_model import model_for
from ui.editor.history_dialog import HistoryDialog
from ui.editor.table_view import GridTableView

# The row finder's example, in the words of the form's code kind.
FINDER_EXAMPLES = {"function": "2080505 或 养老", "economic": "30201 或 办公费"}


class FormTab(QWidget):
    def __init__(self, controller: DatasetController, form: FormDef, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.form = form
        self.setObjectName(f"tab_{form.id}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        title = QLabel(form.title, self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(title, "title")
        layout.addWidget(title)
        dataset = controller.dataset
        self.unit_line = QLabel(self)
        self.unit_line.setObjectName("unit_line")
        layout.addWidget(self.unit_line)
        self.refresh_unit_line()

        if form.code_kind:
            layout.addLayout(self._row_tools(dataset.codes[form.code_kind]))
        self.link_buttons: dict[str, QPushButton] = {}
        self.follow_boxes: dict[str, QCheckBox] = {}
        for link in links_into(form.id):
            layout.addLayout(self._link_tools(link))
        self.model = model_for(controller, form, self)
        self.table = GridTableView(self.model, self)
        self.table.setObjectName(f"table_{form.id}")
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        layout.addWidget(self.table, 1)
        # typos, refusals and paste counts go to the window's feedback line (ui/common/feedback.py),
        # not a label under this table: it is gone at the next action, whichever tab that is on
        self.model.message.connect(self.show_message)
        first_entered = next((self.model.index(r, c) for r in range(self.model.rowCount())
                              for c in range(self.model.columnCount()) if self.model.is_entered(self.model.index(r, c))),
                             None)
        if first_entered is not None:
            self.table.setCurrentIndex(first_entered)
        self._shown_once = False

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt naming
        self.model.active = False
        super().hideEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        self.model.active = True
        super().showEvent(event)
        if not self._shown_once:  # open at the top of the form, as on paper
            self._shown_once = True
            self.table.scrollToTop()
            self.table.horizontalScrollBar().setValue(0)

    def cell_menu(self, index) -> QMenu:
        """The right-click menu of a cell: 修改记录… (its audit trail)."""
        key = self.model.cell_key(index) if index.isValid() else None
        menu = QMenu(self)
        history = menu.addAction("修改记录…")
        history.setObjectName("cell_history")
        history.setEnabled(key is not None)
        if key is not None:
            history.triggered.connect(lambda: self.show_cell_history(*key))
        return menu

    def _context_menu(self, position) -> None:
        self.cell_menu(self.table.indexAt(position)).exec(self.table.viewport().mapToGlobal(position))

    def show_cell_history(self, row_key: str, column_key: str) -> None:
        HistoryDialog(self.controller.dataset, self, cell=(self.form.id, row_key, column_key)).exec()

    def refresh_unit_line(self) -> None:
        dataset = self.controller.dataset
        self.unit_line.setText(f"{dataset.unit.code} {dataset.unit.name}　　　预算年度：{dataset.year}　　　"
                               f"单位：{dataset.money_unit}")

    def _row_tools(self, codes) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.addWidget(QLabel(f"增加{KIND_NAMES[codes.kind]}：", self))
        self.code_input = QLineEdit(self)
        self.code_input.setObjectName("code_input")
        example = FINDER_EXAMPLES.get(codes.kind)
        self.code_input.setPlaceholderText("输入编码或名称的一部分" + (f"，例如 {example}" if example else ""))
        self.code_input.setMinimumWidth(320)
        entries = [f"{item.code} {item.name}" for item in codes.items.values()]
        completer = QCompleter(QStringListModel(entries, self), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(15)
        self.code_input.setCompleter(completer)
        self.code_input.returnPressed.connect(self.add_row_from_input)
        completer.activated.connect(lambda _text: self.add_row_from_input())
        bar.addWidget(self.code_input)
        add_button = QPushButton("增加行", self)
        add_button.clicked.connect(self.add_row_from_input)
        bar.addWidget(add_button)
        remove_button = QPushButton("删除当前行", self)
        remove_button.setObjectName("remove_row")
        remove_button.clicked.connect(self.remove_current_row)
        bar.addWidget(remove_button)
        bar.addStretch(1)
        return bar

    def _link_tools(self, link) -> QHBoxLayout:
        """一键带入 from the tables this one follows (resources/links.json), and 保持跟随."""
        bar = QHBoxLayout()
        button = QPushButton(f"一键带入：{link.label}", self)
        button.setObjectName(f"bring_in_{link.id}")
        button.setToolTip(link.hint)
        button.clicked.connect(lambda _checked=False, link=link: self.bring_in(link))
        bar.addWidget(button)
        follow = QCheckBox("保持跟随（来源表修改后自动更新本表）", self)
        follow.setObjectName(f"follow_{link.id}")
        follow.setToolTip(link.hint)
        follow.setChecked(any(other.id == link.id for other in self.controller.followed_links))
        follow.toggled.connect(lambda on, link=link: self.set_following(link, on))
        bar.addWidget(follow)
        bar.addStretch(1)
        self.link_buttons[link.id] = button
        self.follow_boxes[link.id] = follow
        return bar

    def bring_in(self, link) -> bool:
        try:
            count = self.controller.bring_in(link)
        except BudgetDeskError as exc:
            self.show_message(str(exc))
            return False
        say(self, f"已带入 {count} 个单元格（{link.label}）。" if count else "数字已一致，无需带入。", refusal=False)
        return True

    def set_following(self, link, follow: bool) -> None:
        try:
            self.controller.set_following(link, follow)
        except BudgetDeskError as exc:
            self.show_message(str(exc))
            box = self.follow_boxes[link.id]
            box.blockSignals(True)
            box.setChecked(not follow)
            box.blockSignals(False)

    def show_message(self, text: str, *, refusal: bool = True) -> None:
        """In the window's feedback line; "" clears it."""
        say(self, text, refusal=refusal)

    def add_row_from_input(self) -> None:
        text = self.code_input.text().strip()
        if not text:
            return
        table = self.controller.dataset.codes[self.form.code_kind]
        code = text.split()[0]
        if code not in table:
            matches = table.search(text, limit=2)
            if len(matches) == 1:
                code = matches[0].code
            else:
                self.show_message(f"找不到科目“{text}”，请从提示列表中选择。" if not matches
                                  else f"“{text}”对应多个科目，请从提示列表中选择一个。")
                return
        try:
            self.controller.add_row(self.form.id, code)
        except BudgetDeskError as exc:
            self.show_message(str(exc))
            return
        self.code_input.clear()
        self.select_row(code)
        self.show_message("")

    def select_row(self, key: str) -> None:
        for line in range(self.model.rowCount()):
            if self.model.row_key_at(line) == key:
                entered = [c for c in range(self.model.columnCount()) if self.model.is_entered(self.model.index(line, c))]
                # The column the code's classification names (30201 办公费 → 公用经费), else the first entered one.
                item = self.controller.dataset.codes[self.form.code_kind].items.get(key) if self.form.code_kind else None
                attribute = getattr(item, "attribute", None)
                column = next((c for c in entered if self.model.grid_columns[c].column_key == attribute),
                              entered[0] if entered else self.model.frozen_columns)
                self.table.setCurrentIndex(self.model.index(line, column))
                self.table.setFocus()
                return

    def remove_current_row(self, *, confirm=None) -> bool:
        index = self.table.currentIndex()
        if not index.isValid():
            return False
        code = self.model.row_key_at(index.row())
        if code == "total":
            self.show_message("合计行不能删除。")
            return False
        dataset = self.controller.dataset
        if dataset.row_has_values(self.form.id, code):
            ask = confirm or (lambda text: QMessageBox.question(self, "删除科目", text)
                              == QMessageBox.StandardButton.Yes)
            name = dataset.codes[self.form.code_kind].items.get(code)
            if not ask(f"科目 {code} {name.name if name else ''} 及其下级科目已录入金额，确定删除吗？（可用 Ctrl+Z 撤销）"):
                return False
        try:
            self.controller.remove_row(self.form.id, code)
        except BudgetDeskError as exc:
            self.show_message(str(exc))
            return False
        return True
