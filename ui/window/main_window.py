"""Main window: choose 单位 and 预算年度, then one tab per official form."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDateTime, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSpinBox,
    QToolBar,
    QWidget,
)

from app.base.errors import BudgetDeskError, StaleDataError
from app.base.textcheck import check_code
from app.domain.forms import editor_order
from app.domain.records import UNIT_FIELDS, UnitInfo
from app.store.service import BudgetDataset, Store
from ui.common import help_dialog
from ui.common.error_dialog import show_error
from ui.common.feedback import FeedbackLine
from ui.common.scrolling_tabs import LazyPages, ScrollingTabWidget, fit_on_screen
from ui.common.style import APP_STYLE, set_role
from ui.common.support_actions import add_support_actions
from ui.editor.comments_panel import install_comments
from ui.editor.controller import DatasetController
from ui.editor.findings import FindingsDock
from ui.editor.form_editor import FormTab
from ui.editor.history_dialog import HistoryDialog
from ui.editor.narrative_tab import NarrativeTab
from ui.editor.unit_tab import UnitTab
from ui.projects.projects_tab import ProjectsTab
from ui.projects.selfeval_tabs import add_selfeval_tabs
from ui.projects.targets_tabs import AssetsTab, OverallTargetsTab, ProcurementTab
from ui.window import submit_confirm
from ui.window.backup_actions import add_backup_actions
from ui.window.edition_actions import bring_to_current_edition
from ui.window.excel_actions import add_excel_actions
from ui.window.package_actions import add_package_actions
from ui.window.prior_actions import add_view_actions
from ui.window.welcome import WelcomePage, open_sample
from ui.window.year_actions import add_year_actions

RECENT_LIMIT = 8


class NewDatasetDialog(QDialog):
    """Create a 单位 (with its cover information) and a budget year for it."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("新建单位预算")
        self.setMinimumWidth(560)  # long unit and 主管部门 names stay readable
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}
        for key, label in UNIT_FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(f"unit_{key}")
            edit.setMinimumWidth(380)
            self.edits[key] = edit
            layout.addRow(f"{label}{'*' if key in ('code', 'name') else ''}：", edit)
        self.year = QSpinBox(self)
        self.year.setObjectName("year")
        self.year.setRange(2000, 2100)
        # The year after the newest dataset held (a unit's next budget), else the coming budget year.
        years = [info.year for info in store.list_datasets()]
        self.year.setValue(max(years) + 1 if years else date.today().year + 1)
        layout.addRow("预算年度*：", self.year)
        self.money_unit = QComboBox(self)
        self.money_unit.addItems(["万元", "元"])
        layout.addRow("金额单位：", self.money_unit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)
        self.created: tuple[str, int] | None = None

    def accept(self) -> None:
        info = UnitInfo(**{key: edit.text().strip() for key, edit in self.edits.items()})
        try:
            info.code = check_code(info.code, "单位编码")  # full-width ３５９ is the existing unit 359
            existing = {unit.code for unit in self.store.list_units()}
            if info.code not in existing:
                self.store.create_unit(info)
            self.store.create_dataset(info.code, self.year.value(), self.money_unit.currentText())
        except BudgetDeskError as exc:
            QMessageBox.warning(self, "无法新建", str(exc))
            return
        self.created = (info.code, self.year.value())
        super().accept()


class MainWindow(QMainWindow):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.dataset: BudgetDataset | None = None
        self.controller: DatasetController | None = None
        self.saved_at = ""
        self.settings = QSettings()
        self.setStyleSheet(APP_STYLE)  # every shared look (ui/common/style.py), for all the tabs and panels

        toolbar = QToolBar("数据", self)
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        toolbar.addWidget(QLabel(" 单位/年度：", self))
        self.chooser = QComboBox(self)
        self.chooser.setObjectName("dataset_chooser")
        self.chooser.setMinimumWidth(360)
        self.chooser.activated.connect(self._chooser_activated)
        toolbar.addWidget(self.chooser)
        new_action = toolbar.addAction("新建单位预算…")
        new_action.triggered.connect(self.new_dataset)
        toolbar.addSeparator()
        self.undo_action = toolbar.addAction("撤销")
        self.undo_action.setObjectName("undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = toolbar.addAction("恢复")
        self.redo_action.setObjectName("redo")
        redo_keys = [QKeySequence("Ctrl+Y")] + QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        self.redo_action.setShortcuts(list({key.toString(): key for key in redo_keys}.values()))
        self.redo_action.triggered.connect(self.redo)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setEnabled(False)
        toolbar.addSeparator()
        self.submit_action = toolbar.addAction("标记为已上报")
        self.submit_action.setObjectName("submit")
        self.submit_action.triggered.connect(self.toggle_submitted)
        self.history_action = toolbar.addAction("修改记录")
        self.history_action.setObjectName("history")
        self.history_action.triggered.connect(lambda: self.show_history())
        self.history_action.setEnabled(False)  # until a dataset is open
        self.submit_action.setEnabled(False)  # until a dataset is open
        self.new_action = new_action
        self._install_print_actions(toolbar)

        self.findings_dock = FindingsDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.findings_dock)
        self.findings_dock.go_to_cell.connect(self.go_to_cell)
        self.findings_dock.go_to_section.connect(self.go_to_section)
        self.resizeDocks([self.findings_dock], [240], Qt.Orientation.Vertical)  # drag its edge to resize
        self.feedback = FeedbackLine(self)  # refusals that need no decision (ui/common/feedback.py)
        self.statusBar().addWidget(self.feedback, 1)
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("check_counts")
        self.statusBar().addPermanentWidget(self.counts_label)
        self._build_menus()
        # What the other modules offer, in the menus a clerk looks in: 文件 (Excel, year, backups) and 上报.
        self.file_menu.addSeparator()
        add_excel_actions(self.file_menu, self)
        add_year_actions(self.file_menu, self)
        add_backup_actions(self, self.file_menu)
        self.file_menu.removeAction(self.quit_action)  # 退出 stays last
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.submit_menu = QMenu("上报(&S)", self.menuBar())
        self.submit_menu.setObjectName("submit_menu")
        self.menuBar().insertMenu(self.help_menu.menuAction(), self.submit_menu)
        add_package_actions(self.submit_menu, self)
        self.view_menu = add_view_actions(self)  # 视图 → 显示上年数 (ui/window/prior_actions.py)
        install_comments(self)  # 批注 dock and 上报 → 导入退回文件 (ui/editor/comments_panel.py)
        self.view_menu.addSeparator()  # a closed panel comes back from 视图 too, not only from 审核
        self.view_menu.addAction(self.findings_dock.toggleViewAction())
        self.view_menu.addAction(self.comments_dock.toggleViewAction())

        self.tabs = ScrollingTabWidget(self)  # pages scroll: the window fits a 1366×768 screen
        self.tabs.setObjectName("form_tabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.placeholder = WelcomePage(self)  # first run: 新建 / 示例数据 / 数据包 / Excel
        self.tabs.addTab(self.placeholder, "开始")

        self.resize(1200, 760)
        geometry = self.settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        fit_on_screen(self)  # 1200×760 does not fit a 1366×768 laptop with its title bar and panel
        state = self.settings.value("main/state")
        if state is not None:
            self.restoreState(state)
        self.refresh_chooser()
        last = self.settings.value("main/last_dataset")
        if last and "|" in str(last):
            code, year = str(last).split("|", 1)
            try:
                self.open_dataset(code, int(year))
            except (BudgetDeskError, ValueError):
                pass
        self._update_title()

    def _install_print_actions(self, toolbar: QToolBar) -> None:
        """打印预览… (Ctrl+P) and 设置… on the toolbar; keeps a 情况说明 tab in step with 已上报."""

        def narrative_tabs() -> list[NarrativeTab]:
            # Only the open dataset's tabs: tabs.clear() in open_dataset leaves the old widgets alive.
            tabs = getattr(self, "tabs", None)
            if tabs is None:
                return []
            pages = [tabs.built_widget(i) for i in range(tabs.count())]  # a tab never shown has no edit to save
            return [page for page in pages if isinstance(page, NarrativeTab)]

        def open_print_dialog() -> None:
            if self.controller is None:
                return
            self._commit_open_editor()
            for tab in narrative_tabs():
                tab.commit()  # the text still in the box prints too
            # deferred: pypdfium2 and QtPrintSupport load when 打印预览 is first opened, not at start-up
            from ui.printing.dialog import PrintDialog

            dialog = PrintDialog(self.controller, self)
            dialog.exec()
            dialog.deleteLater()

        def save_narrative_edits() -> None:
            for tab in narrative_tabs():
                tab.commit()

        def refresh_narrative_tabs() -> None:
            for tab in narrative_tabs():
                tab.refresh()

        toolbar.addSeparator()
        self.print_action = toolbar.addAction("打印预览…")
        self.print_action.setObjectName("print_preview")
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.print_action.setToolTip("预览所选表格或整套文件，打印或导出 PDF（Ctrl+P）")
        self.print_action.triggered.connect(open_print_dialog)
        self.print_action.setEnabled(self.dataset is not None)
        # open_dataset always refills the chooser, so its change is the moment a dataset has opened
        self.chooser.currentIndexChanged.connect(lambda _index: self.print_action.setEnabled(self.dataset is not None))
        settings_action = toolbar.addAction("设置…")
        settings_action.setObjectName("settings")

        def open_settings() -> None:
            # deferred: the settings page names the print font (reportlab), not needed for the first paint
            from ui.printing.settings import show_settings

            show_settings(self.store, self)

        settings_action.triggered.connect(open_settings)
        self.settings_action = settings_action
        # A 情况说明 edit still in its box when 标记为已上报 is clicked is saved before the status
        # changes (pressed comes before triggered); afterwards the tab turns read-only, or editable again.
        toolbar.widgetForAction(self.submit_action).pressed.connect(save_narrative_edits)
        self.submit_action.triggered.connect(refresh_narrative_tabs)

    def _build_menus(self) -> None:
        """文件 / 编辑 / 审核 / 打印 / 帮助. Other modules add their actions to ``file_menu``,
        ``edit_menu``, ``check_menu``, ``print_menu`` and ``help_menu`` (keep each addition in its own
        module and call it from one line here)."""
        bar = self.menuBar()
        bar.setObjectName("menu_bar")
        self.file_menu = bar.addMenu("文件(&F)")
        self.file_menu.setObjectName("file_menu")
        self.file_menu.addAction(self.new_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.quit_action = self.file_menu.addAction("退出")
        self.quit_action.setObjectName("quit")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.close)

        self.edit_menu = bar.addMenu("编辑(&E)")
        self.edit_menu.setObjectName("edit_menu")
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        self.edit_menu.addSeparator()
        self.find_action = self.edit_menu.addAction("查找行…")
        self.find_action.setObjectName("find_row")
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.find_action.triggered.connect(self.find_row)

        self.check_menu = bar.addMenu("审核(&C)")
        self.check_menu.setObjectName("check_menu")
        findings_action = self.findings_dock.toggleViewAction()
        findings_action.setText("审核结果")
        self.check_menu.addAction(findings_action)
        self.check_menu.addSeparator()
        self.check_menu.addAction(self.submit_action)

        self.print_menu = bar.addMenu("打印(&P)")
        self.print_menu.setObjectName("print_menu")
        self.print_menu.addAction(self.print_action)

        self.help_menu = bar.addMenu("帮助(&H)")
        self.help_menu.setObjectName("help_menu")
        self.help_action = self.help_menu.addAction("使用帮助")
        self.help_action.setObjectName("help")
        self.help_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.help_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.help_action.triggered.connect(lambda: help_dialog.show_help(self))
        # 打开示例数据 is on the welcome page only until a dataset is open; the menu keeps it reachable.
        self.sample_action = self.help_menu.addAction("打开示例数据")
        self.sample_action.setObjectName("open_sample")
        self.sample_action.triggered.connect(lambda: open_sample(self))
        self.help_menu.addSeparator()
        add_support_actions(self.help_menu, self)  # 打开日志文件夹, 自检 (ui/common/support_actions.py)
        self.help_menu.addSeparator()
        self.about_action = self.help_menu.addAction("关于")
        self.about_action.setObjectName("about")
        self.about_action.triggered.connect(lambda: help_dialog.show_about(self, self.store))

    def find_row(self) -> None:
        """Ctrl+F: the open table's row finder (code or name), where typing an existing row goes to it."""
        tab = self.tabs.currentWidget()
        finder = getattr(tab, "code_input", None)
        if finder is None:
            self.feedback.show_text("当前表没有可查找的科目行。")
            return
        finder.setFocus(Qt.FocusReason.ShortcutFocusReason)
        finder.selectAll()

    # ---- datasets ------------------------------------------------------------------------
    def recent(self) -> list[str]:
        value = self.settings.value("main/recent") or []
        return [value] if isinstance(value, str) else list(value)

    def refresh_chooser(self) -> None:
        self.chooser.clear()
        recent = self.recent()
        datasets = sorted(self.store.list_datasets(),
                          key=lambda d: (recent.index(f"{d.unit_code}|{d.year}") if f"{d.unit_code}|{d.year}" in recent
                                         else RECENT_LIMIT, d.unit_code, -d.year))
        for info in datasets:
            self.chooser.addItem(f"{info.unit_code} {info.unit_name} · {info.year}年 · {info.status_name}",
                                 f"{info.unit_code}|{info.year}")
        if self.dataset is not None:
            index = self.chooser.findData(f"{self.dataset.unit_code}|{self.dataset.year}")
            self.chooser.setCurrentIndex(index)
        else:
            self.chooser.setCurrentIndex(-1)

    def _chooser_activated(self, index: int) -> None:
        data = self.chooser.itemData(index)
        if data:
            code, year = str(data).split("|", 1)
            self.open_dataset(code, int(year))

    def new_dataset(self) -> None:
        dialog = NewDatasetDialog(self.store, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.created:
            self.open_dataset(*dialog.created)

    def open_dataset(self, unit_code: str, year: int) -> None:
        self.dataset = self.store.open_dataset(unit_code, year)
        bring_to_current_edition(self, self.dataset)  # a draft of an older form edition moves first
        key = f"{unit_code}|{year}"
        self.settings.setValue("main/last_dataset", key)
        self.settings.setValue("main/recent", [key] + [k for k in self.recent() if k != key][: RECENT_LIMIT - 1])
        if self.controller is not None:
            self.controller.deleteLater()
        self.controller = DatasetController(self.dataset, self)
        self.controller.saved.connect(self._on_saved)
        self.controller.refusal.connect(self._write_refused)
        self.controller.ask_retry = self._ask_retry_write
        self.controller.reloaded.connect(self._reloaded)
        self.controller.status_changed.connect(self._status_changed)
        self.controller.findings_changed.connect(self._update_counts)
        self.controller.notice.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.findings_dock.attach(self.controller)
        self.comments_dock.attach(self.controller)
        self.controller.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.controller.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.submit_action.setEnabled(True)
        self.history_action.setEnabled(True)
        self.submit_action.setText("撤销上报" if self.dataset.status == "submitted" else "标记为已上报")
        self.tabs.clear()
        # Each tab is built when first shown (or asked for, as ``form_tabs[id]`` / ``projects_tab``): the
        # first paint builds one tab, not sixteen. A tab built late reads the controller's state then.
        controller, window = self.controller, self
        self.form_tabs = LazyPages()  # form id → FormTab
        for form in editor_order():
            self.form_tabs.add(self.tabs, form.id, form.short_title,
                               lambda form=form: FormTab(controller, form, window), f"tab_{form.id}")
        self.pages = LazyPages()  # the other tabs, by the key their attribute is named after (projects_tab …)
        for key, label, page, name in (
                ("projects", "项目绩效目标", ProjectsTab, "tab_projects"),
                ("overall", "整体绩效目标", OverallTargetsTab, "tab_overall_targets"),
                ("procurement", "政府采购", ProcurementTab, "tab_procurement"),
                ("assets", "固定资产", AssetsTab, "tab_assets")):
            self.pages.add(self.tabs, key, label, lambda page=page: page(controller, window), name)
        add_selfeval_tabs(self, self.controller)
        self.pages.add(self.tabs, "narrative", "情况说明", lambda: NarrativeTab(controller, window), "tab_narrative")
        self.pages.add(self.tabs, "unit", "单位信息", lambda: UnitTab(controller, window), "tab_unit")
        self.saved_at = ""
        self.refresh_chooser()
        self._update_counts()
        self._update_title()

    def _page(self, key: str):
        try:
            return self.pages[key]
        except (AttributeError, KeyError):  # no dataset open yet: as an attribute never set
            raise AttributeError(f"{key}_tab") from None

    projects_tab = property(lambda self: self._page("projects"))
    overall_tab = property(lambda self: self._page("overall"))
    procurement_tab = property(lambda self: self._page("procurement"))
    assets_tab = property(lambda self: self._page("assets"))
    self_evaluation_tab = property(lambda self: self._page("self_evaluation"))
    department_self_evaluation_tab = property(lambda self: self._page("department_self_evaluation"))
    narrative_tab = property(lambda self: self._page("narrative"))
    unit_tab = property(lambda self: self._page("unit"))

    def _update_counts(self) -> None:
        if self.controller is None:
            self.counts_label.setText("")
            return
        errors, warnings = self.controller.counts()
        self.counts_label.setText(f"错误 {errors}　提示 {warnings}")
        set_role(self.counts_label, "counts-error" if errors else "counts")

    def go_to_cell(self, form_id: str, row: str, column: str) -> None:
        if form_id == "projects":
            self.tabs.setCurrentWidget(self.projects_tab)
            self.projects_tab.select_project(row)
            return
        if form_id in ("self_evaluation", "department_self_evaluation"):
            self.tabs.setCurrentWidget(getattr(self, f"{form_id}_tab"))
            return
        if form_id in ("procurement", "assets", "overall_targets"):
            self.tabs.setCurrentWidget(self._page({"overall_targets": "overall"}.get(form_id, form_id)))
            return
        tab = getattr(self, "form_tabs", {}).get(form_id)
        if tab is None:
            return
        self.tabs.setCurrentWidget(tab)
        index = tab.model.locate(row, column)
        if index is not None:
            tab.table.setCurrentIndex(index)
            tab.table.scrollTo(index)
            tab.table.setFocus()

    def go_to_section(self, key: str) -> None:
        """A finding of the 情况说明 (N rules): its tab, at that section."""
        narrative_tab = getattr(self, "narrative_tab", None)
        if narrative_tab is None:
            return
        self.tabs.setCurrentWidget(narrative_tab)
        narrative_tab.show_section(key)

    def show_history(self, cell: tuple[str, str, str] | None = None) -> None:
        """修改记录 of the open dataset, or of one cell (the cell's context menu)."""
        if self.dataset is None:
            return
        HistoryDialog(self.dataset, self, cell=cell).exec()

    def _ask_retry_write(self, exc: Exception) -> bool:
        """The database was busy (or the server dropped) while a cell was written: the fault dialog
        with 重试; the typed value is kept and written again when the clerk chooses 重试."""
        return show_error(self, exc, retry=True)

    def _write_refused(self, message: str) -> None:
        """A write the core refused (已上报, changed in another window, read-only): a dialog, never a
        traceback (the status bar has it too, from the controller's notice)."""
        QMessageBox.warning(self, "修改未保存", message)

    def _reloaded(self) -> None:
        for tab in self.form_tabs.built():  # a tab built later reads the reloaded data then
            tab.model.rebuild()
        self._update_title()

    def ask_withdraw_reason(self) -> str | None:
        text, accepted = QInputDialog.getText(self, "撤销上报", "撤销上报的原因（记入修改记录）：")
        return text.strip() if accepted and text.strip() else None

    def toggle_submitted(self, *, report=None, reason: str | None = None) -> bool:
        """Mark 已上报 (refused while 错误 remain or 提示 lack a 说明), or withdraw it with a reason."""
        if self.dataset is None:
            return False
        report = report or (lambda title, text: QMessageBox.warning(self, title, text))
        target = "draft" if self.dataset.status == "submitted" else "submitted"
        if target == "draft" and reason is None:
            reason = self.ask_withdraw_reason()
            if reason is None:
                return False
        if target == "submitted":
            self._commit_open_editor()
            if not submit_confirm.ready_and_confirmed(self, self.dataset, packaged=False, report=report):
                return False
        try:
            self.controller.set_status(target, reason=reason)  # the window follows from its status_changed
        except BudgetDeskError as exc:
            report("不能标记为已上报" if target == "submitted" else "不能撤销上报", str(exc))
            if isinstance(exc, StaleDataError):
                self.controller.reload()
            return False
        return True

    def _status_changed(self, status: str) -> None:
        """已上报 makes every table read-only (编制中 editable again): the door's Changes said so."""
        for tab in self.form_tabs.built():
            tab.model.rebuild()
        self.submit_action.setText("撤销上报" if status == "submitted" else "标记为已上报")
        self.refresh_chooser()
        self._update_title()

    def undo(self) -> None:
        if self.controller is not None:
            self._commit_open_editor()
            self._step(undo=True)

    def redo(self) -> None:
        if self.controller is not None:
            self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        """One undo or redo, said in the status bar (what, and where in the form's words), with the
        tab it touched brought forward; a refused step is dropped and the controller says why."""
        stack = self.controller.undo_stack
        if not (stack.canUndo() if undo else stack.canRedo()):
            return
        command = stack.command(stack.index() - 1 if undo else stack.index())
        text, place = command.text(), getattr(command, "place", None)
        where = self.controller.describe(place)
        count = stack.count()
        stack.undo() if undo else stack.redo()
        if stack.count() < count:
            return  # refused: the step is gone and the notice is in the status bar
        verb = "已撤销" if undo else "已恢复"
        self.statusBar().showMessage(f"{verb}：{text}" + (f"（{where}）" if where else ""), 15000)
        if place:
            self.go_to_cell(*place)

    def _commit_open_editor(self) -> None:
        tab = self.tabs.currentWidget()
        if isinstance(tab, FormTab) and tab.table.state() == tab.table.State.EditingState:
            tab.table.setFocus()

    def _on_saved(self) -> None:
        self.saved_at = QDateTime.currentDateTime().toString("HH:mm:ss")
        for tab in self.form_tabs.built() if hasattr(self, "form_tabs") else ():
            tab.refresh_unit_line()
        self._update_title()

    def _update_title(self) -> None:
        if self.dataset is None:
            self.setWindowTitle("BudgetDesk 部门预算填报")
            return
        info = self.dataset.info
        saved = f"已保存 {self.saved_at}" if self.saved_at else "已保存"
        self.setWindowTitle(f"{info.unit_code} {info.unit_name} · {info.year}年 · {info.status_name} · {saved}"
                            " — BudgetDesk 部门预算填报")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        super().closeEvent(event)
