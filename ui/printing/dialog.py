"""打印预览: choose what to print, see the pages exactly as they will print, print them or save the PDF.

The preview shows the PDF that ``app.printing`` produces (``ui.printing.preview``), so what the clerk
sees is what the printer and the exported file get. Rendering runs in a worker thread
(``ui.common.jobs``) with a progress bar and 取消 beside the zoom controls, so the window keeps painting
while a large department's 300 projects are laid out; ticking something else stops the render
under way. 导出 PDF writes the bytes the preview already holds when the choices and the stored
dataset version are unchanged, and renders (in a worker, with a progress dialog) only otherwise.
打印 rasterises those same pages in a worker (``ui.printing.raster``) onto the printer chosen in the
system print dialog, and the PDF is written whole or not at all (``ui.printing.output``). The dialog
remembers its choices per dataset (``ui.printing.choices.PrintMemory``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.base.errors import BudgetDeskError, Cancelled
from app.base.progress import Progress
from app.exchange.signing import existing_fingerprint
from app.printing import PrintResult, font_status, render_document
from app.printing.document import printable_items
from app.projects import ProjectBook
from ui.common.jobs import Job, run_job
from ui.common.pdf_file import export_message, write_pdf
from ui.common.style import ERROR_STYLE
from ui.editor.controller import DatasetController
from ui.printing.choices import (
    FORM_PREFIX,
    PROJECT_PREFIX,
    WHOLE_DOCUMENT,
    PrintChoice,
    PrintMemory,
    safe_file_name,
)
from ui.printing.output import ask_page_range, remembered_printer
from ui.printing.preview import PREVIEW_ZOOMS, PdfPages, PreviewArea
from ui.printing.raster import load_image_plugins_here, paint_pages
from ui.printing.settings import settings_text, show_settings

# Checking several forms one after another re-renders once, after the last click.
PREVIEW_DELAY_MS = 250


@dataclass
class Rendered:
    """A finished render: the PDF bytes, what they were rendered from, and (for the preview) the open pages."""

    key: str  # options and stored data version (see PrintDialog.render_key)
    options: str  # the options alone (what is ticked), as text
    data: bytes
    result: PrintResult
    pages: PdfPages | None = None


def stored_version(dataset) -> int | None:
    """The dataset's version as stored now (bumped by every write, by any process); None if it is gone."""
    return dataset.stored_version()


class PrintDialog(QDialog):
    def __init__(self, controller: DatasetController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = QSettings()
        dataset = controller.dataset
        self.memory = PrintMemory(dataset.unit_code, dataset.year, self.settings)
        self.setObjectName("print_dialog")
        self.setWindowTitle(f"打印预览 — {dataset.unit.code} {dataset.unit.name} · {dataset.year}年")
        self.choices: dict[str, PrintChoice] = {}
        self._groups: set[str] = set()
        self.pages: PdfPages | None = None
        self.result: PrintResult | None = None
        self.rendered: Rendered | None = None  # the last finished render, reused by 导出 PDF
        self.shown: Rendered | None = None  # the render whose pages the preview shows
        self._preview_message = False  # the message line holds a preview error (cleared by the next render)
        self.preview_job: Job | None = None
        self.export_job: Job | None = None
        self.print_job: Job | None = None
        self._printer: QPrinter | None = None
        self._pending_refresh = False
        self._closing = False
        self._edits = 0  # saves seen while open (part of the render key, with the stored version)
        controller.saved.connect(self._data_saved)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._choices_panel())
        splitter.addWidget(self._preview_panel())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([290, 990])

        self.font_label = QLabel(self)
        self.font_label.setObjectName("font_status")
        self.font_label.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("print_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.print_button = QPushButton("打印…", self)
        self.print_button.setObjectName("print_button")
        self.print_button.clicked.connect(self.print_pages)
        self.export_button = QPushButton("导出 PDF…", self)
        self.export_button.setObjectName("export_button")
        self.export_button.clicked.connect(self.export_pdf)
        close_button = QPushButton("关闭", self)
        close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.font_label, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        # the set signed on paper: its cover carries the signatures and the package key's fingerprint
        self._add_choice(PrintChoice(WHOLE_DOCUMENT, "整套文件（封面、目录、全部表格、情况说明）",
                                     lambda: {"cover": True}, True))
        self._add_header("单张表格（可多选）")
        for form_id, title in printable_items():
            self._add_choice(PrintChoice(FORM_PREFIX + form_id, title, None, False, form_id))
        # One project: its 项目支出绩效目标表 and 批复表, printed alone (for the project's own file).
        for project_id, name, _amount in ProjectBook(dataset).project_choices():
            self.add_choice(f"{PROJECT_PREFIX}{project_id}", f"项目：{name}",
                            lambda project_id=project_id: {"projects": [project_id]}, group="单个项目（绩效目标表和批复表）")
        self._restore_choices()
        self.choice_list.itemChanged.connect(self._choice_changed)
        self.cover_box.toggled.connect(self._cover_toggled)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(PREVIEW_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh_preview)

        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.print_button,
                       self.export_button, close_button, self.preview_cancel_button):
            button.setAutoDefault(False)  # Enter in the list must not print or zoom

        geometry = self.settings.value("print/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            screen = (parent.screen() if parent is not None else QApplication.primaryScreen()).availableGeometry()
            # 1366×768 laptops are common in county offices: never open taller than the screen
            self.resize(min(1280, round(screen.width() * 0.92)), min(880, round(screen.height() * 0.92)))
        self._show_font(None)
        self.refresh_preview()
        self.choice_list.setFocus()

    # ---- layout ----------------------------------------------------------------------------
    def _choices_panel(self) -> QWidget:
        panel = QWidget(self)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("打印内容", panel)
        heading.setStyleSheet("font-weight: bold;")
        layout.addWidget(heading)
        self.choice_list = QListWidget(panel)
        self.choice_list.setObjectName("print_choices")
        self.choice_list.setWordWrap(True)
        layout.addWidget(self.choice_list, 1)
        self.cover_box = QCheckBox("单张表格和单个项目也印封面", panel)
        self.cover_box.setObjectName("print_cover")
        self.cover_box.setToolTip("整套文件总是带封面和目录")
        layout.addWidget(self.cover_box)
        hint = QLabel("整套文件按官方顺序打印；单张表格可同时勾选多张，按官方顺序排列。", panel)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #52606d;")
        layout.addWidget(hint)
        return panel

    def _preview_panel(self) -> QWidget:
        panel = QWidget(self)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.page_count_label = QLabel(panel)
        self.page_count_label.setObjectName("page_count")
        bar.addWidget(self.page_count_label)
        self.preview_progress = QProgressBar(panel)
        self.preview_progress.setObjectName("preview_progress")
        self.preview_progress.setTextVisible(False)
        self.preview_progress.setMaximumWidth(220)
        self.preview_progress.hide()
        bar.addWidget(self.preview_progress)
        self.preview_cancel_button = QPushButton("取消", panel)
        self.preview_cancel_button.setObjectName("preview_cancel")
        self.preview_cancel_button.clicked.connect(self._preview_button_clicked)
        self.preview_cancel_button.hide()
        bar.addWidget(self.preview_cancel_button)
        bar.addStretch(1)
        bar.addWidget(QLabel("缩放：", panel))
        self.zoom_out_button = QPushButton("－", panel)
        self.zoom_out_button.setObjectName("zoom_out")
        self.zoom_out_button.setToolTip("缩小")
        self.zoom_out_button.clicked.connect(lambda: self.step_zoom(-1))
        self.zoom_label = QLabel(panel)
        self.zoom_label.setObjectName("zoom_label")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = QPushButton("＋", panel)
        self.zoom_in_button.setObjectName("zoom_in")
        self.zoom_in_button.setToolTip("放大")
        self.zoom_in_button.clicked.connect(lambda: self.step_zoom(1))
        for button in (self.zoom_out_button, self.zoom_in_button):
            button.setFixedWidth(36)
        self.fit_button = QPushButton("适合宽度", panel)
        self.fit_button.setObjectName("fit_width")
        self.fit_button.setCheckable(True)
        self.fit_button.clicked.connect(self.fit_width)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        bar.addWidget(self.fit_button)
        layout.addLayout(bar)
        self.preview = PreviewArea(panel)
        self.preview.zoom_changed.connect(lambda _zoom: self._update_zoom_controls())
        layout.addWidget(self.preview, 1)
        return panel

    # ---- choices ---------------------------------------------------------------------------
    def add_choice(self, key: str, title: str, options_factory: Callable[[], dict], *, group: str) -> None:
        """Add something that prints on its own (e.g. one project) under the heading ``group``.

        ``options_factory()`` returns the ``build_document`` keyword arguments for it.
        """
        if group not in self._groups:
            self._add_header(group)
        self._add_choice(PrintChoice(key, title, options_factory, True))

    def _add_header(self, text: str) -> None:
        self._groups.add(text)
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        font = item.font()
        font.setWeight(QFont.Weight.DemiBold)
        item.setFont(font)
        item.setForeground(QColor("#52606d"))
        self.choice_list.addItem(item)

    def _add_choice(self, choice: PrintChoice) -> None:
        self.choices[choice.key] = choice
        item = QListWidgetItem(choice.title)
        item.setData(Qt.ItemDataRole.UserRole, choice.key)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        self.choice_list.addItem(item)

    def choice_item(self, key: str) -> QListWidgetItem:
        for row in range(self.choice_list.count()):
            item = self.choice_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                return item
        raise KeyError(key)

    def checked_choices(self) -> list[PrintChoice]:
        keys = [self.choice_list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.choice_list.count())
                if self.choice_list.item(row).checkState() == Qt.CheckState.Checked]
        return [self.choices[key] for key in keys if key in self.choices]

    def _choice_changed(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        if key not in self.choices:
            return
        if item.checkState() == Qt.CheckState.Checked:
            # something printing alone clears every other tick; a form clears the things printing alone
            exclusive = self.choices[key].exclusive
            self.choice_list.blockSignals(True)
            try:
                for other in self.checked_choices():
                    if other.key != key and (exclusive or other.exclusive):
                        self.choice_item(other.key).setCheckState(Qt.CheckState.Unchecked)
            finally:
                self.choice_list.blockSignals(False)
            self.choice_list.viewport().update()
        self.memory.set_ticked([choice.key for choice in self.checked_choices()])
        self._cancel_preview()  # what is being rendered is no longer wanted
        self._update_controls()
        self._refresh_timer.start()

    def _cover_toggled(self, checked: bool) -> None:
        self.memory.set_cover(checked)
        self._cancel_preview()
        self._refresh_timer.start()

    def _restore_choices(self) -> None:
        """Tick what was ticked when this dataset's print dialog was last used (else 整套文件)."""
        remembered = [key for key in (self.memory.ticked() or []) if key in self.choices]
        # exclusive lines print alone: of an inconsistent memory keep the first one only
        alone = next((key for key in remembered if self.choices[key].exclusive), None)
        keys = [alone] if alone is not None else remembered
        for key in keys or [WHOLE_DOCUMENT]:
            self.choice_item(key).setCheckState(Qt.CheckState.Checked)
        self.cover_box.setChecked(self.memory.cover())

    def selected_options(self) -> dict | None:
        """The build_document keyword arguments for what is ticked, or None when nothing is."""
        checked = self.checked_choices()
        if not checked:
            return None
        alone = next((choice for choice in checked if choice.exclusive), None)
        if alone is not None:
            options = alone.options_factory()
        else:
            options = {"forms": [choice.form_id for choice in checked]}
        if self.cover_box.isChecked() and (alone is None or alone.key != WHOLE_DOCUMENT):
            options = {**options, "cover": True}
        return options

    def default_file_name(self) -> str:
        dataset = self.controller.dataset
        checked = self.checked_choices()
        if not checked or checked[0].key == WHOLE_DOCUMENT:
            what = "部门预算"
        elif len(checked) == 1:
            what = checked[0].title.removeprefix("项目：")
            if checked[0].key.startswith(PROJECT_PREFIX):
                what += "绩效目标表"
        else:
            what = "部门预算公开表"
        return safe_file_name(f"{dataset.unit.code}_{dataset.unit.name}_{dataset.year}年{what}") + ".pdf"

    # ---- rendering -------------------------------------------------------------------------
    def _data_saved(self) -> None:
        self._edits += 1

    @staticmethod
    def options_text(options: dict | None) -> str:
        return json.dumps(options, sort_keys=True, default=str, ensure_ascii=False)

    def render_key(self, options: dict) -> str:
        """What a render depends on: the options and the data as stored now (any process's writes)."""
        version = stored_version(self.controller.dataset)
        return json.dumps([self.options_text(options), version, self._edits], ensure_ascii=False)

    def _render_work(self, options: dict, key: str, *, with_pages: bool) -> Callable[[Progress], Rendered]:
        """The work for a worker thread: render from a snapshot of the dataset opened in that thread
        (the window's own dataset object is never touched off the GUI thread)."""
        dataset = self.controller.dataset
        store, unit_code, year = dataset.store, dataset.unit_code, dataset.year
        options_text = self.options_text(options)

        def work(progress: Progress) -> Rendered:
            progress.step(0, 0, "正在读取数据……")
            snapshot = store.open_dataset(unit_code, year)
            # the unit's key once it has one (the first 上报 makes it): on the cover and the 批复表
            data, result = render_document(snapshot, progress=progress, fingerprint=existing_fingerprint(unit_code),
                                           **options)
            rendered = Rendered(key, options_text, data, result)
            if with_pages:
                progress.step(result.pages, result.pages, "正在准备预览……")
                rendered.pages = PdfPages(data)
            return rendered

        return work

    def refresh_preview(self) -> None:
        """Render what is ticked now, in a worker (also called by the delayed timer after clicks)."""
        self._refresh_timer.stop()
        if self._closing:
            return
        if self._busy(self.print_job) or self._busy(self.export_job):
            self._refresh_timer.start()  # the pages are in use; look again in a moment
            return
        if self._busy(self.preview_job):
            self.preview_job.cancel()  # the new render starts once the old one has stopped
            self._pending_refresh = True
            return
        if self._preview_message:
            self._show_error("")
        options = self.selected_options()
        if options is None:
            self._hide_pages()
            self.preview.show_message("请在左侧勾选要打印的内容。")
            self._update_controls()
            return
        key = self.render_key(options)
        if self.rendered is not None and self.rendered.key == key:
            self._show_rendered(self.rendered)  # ticked back to what was rendered last: no new render
            return
        self._hide_pages()
        self.preview.show_message("正在生成打印预览……")
        self.page_count_label.setText("正在生成……")
        self.preview_progress.setRange(0, 0)
        self.preview_job = run_job(self, "打印预览", self._render_work(options, key, with_pages=True),
                                   self._preview_done, on_error=self._preview_failed, show_dialog=False)
        self.preview_job.progressed.connect(self._preview_progressed)
        self.preview_job.finished.connect(self._preview_finished)
        self._update_controls()

    def _preview_progressed(self, done: int, total: int, text: str) -> None:
        self.preview_progress.setRange(0, max(total, 0))
        self.preview_progress.setValue(min(done, total) if total > 0 else 0)
        if text and self.pages is None:
            self.preview.message.setText(text)

    def _preview_done(self, rendered: Rendered) -> None:
        if self._closing:
            rendered.pages.close()
            return
        self._remember(rendered)
        if self._pending_refresh:
            rendered.pages.close()  # the choice changed meanwhile; the next render follows
            rendered.pages = None
            return
        self._show_rendered(rendered)

    def _preview_failed(self, exc: BaseException) -> None:
        if self._closing or self._pending_refresh:
            return
        self._hide_pages()
        if isinstance(exc, Cancelled):
            self.preview.show_message("已取消打印预览。可点击“重新生成”，或勾选其他内容。")
        elif isinstance(exc, BudgetDeskError):
            self.preview.show_message("无法生成打印预览。")
            self._show_error(str(exc))
            self._preview_message = True
        else:
            self.preview.show_message("无法生成打印预览。")
            sys.excepthook(type(exc), exc, exc.__traceback__)

    def _preview_finished(self) -> None:
        self.preview_job = None
        if self._pending_refresh and not self._closing:
            self._pending_refresh = False
            self.refresh_preview()
        else:
            self._update_controls()

    def _preview_button_clicked(self) -> None:
        """The button beside the progress bar: 取消 while rendering, 重新生成 after a 取消."""
        if self._busy(self.preview_job):
            self._cancel_preview()
        else:
            self.refresh_preview()

    def _cancel_preview(self) -> None:
        if self._busy(self.preview_job):
            self.preview_job.cancel()

    def _remember(self, rendered: Rendered) -> None:
        """Keep ``rendered`` as the last render (its bytes serve 导出 PDF)."""
        old, self.rendered = self.rendered, rendered
        self._release(old)

    def _show_rendered(self, rendered: Rendered) -> None:
        if rendered.pages is None:
            rendered.pages = PdfPages(rendered.data)
        old, self.shown = self.shown, rendered
        self.pages = rendered.pages
        self.result = rendered.result
        self.preview.set_pages(self.pages)  # the old page widgets are gone before their pages close
        self._release(old)
        self._show_font(rendered.result)
        self._update_controls()

    def _hide_pages(self) -> None:
        self.preview.show_message("")
        old, self.shown = self.shown, None
        self.pages = None
        self.result = None
        self._release(old)

    def _release(self, rendered: Rendered | None) -> None:
        """Close the pages of a render that is neither shown nor the last one (its PDFium handles)."""
        if rendered is None or rendered is self.shown or rendered is self.rendered or rendered.pages is None:
            return
        rendered.pages.close()
        rendered.pages = None

    @staticmethod
    def _busy(job: Job | None) -> bool:
        return job is not None and job.running

    def page_count(self) -> int:
        return len(self.pages) if self.pages is not None else 0

    def _update_controls(self) -> None:
        rendering = self._busy(self.preview_job)
        count = self.page_count()
        self.page_count_label.setText("正在生成……" if rendering else (f"共 {count} 页" if count else ""))
        self.preview_progress.setVisible(rendering)
        cancelled = (not rendering and self.pages is None and self.checked_choices()
                     and self.preview.message is not None and self.preview.message.text().startswith("已取消"))
        self.preview_cancel_button.setText("取消" if rendering else "重新生成")
        self.preview_cancel_button.setToolTip("停止生成预览" if rendering else "按所勾选的内容重新生成预览")
        self.preview_cancel_button.setVisible(bool(rendering or cancelled))
        busy = self._busy(self.print_job) or self._busy(self.export_job)
        # 打印 prints the pages shown: only while they are what is ticked (not in the moment after a click)
        current = self.shown is not None and self.shown.options == self.options_text(self.selected_options())
        self.print_button.setEnabled(bool(count) and current and not rendering and not busy)
        self.export_button.setEnabled(bool(self.checked_choices()) and not busy)
        self.cover_box.setEnabled(self.checked_choices()[:1] != [self.choices[WHOLE_DOCUMENT]])
        self._update_zoom_controls()

    # ---- zoom ------------------------------------------------------------------------------
    def step_zoom(self, direction: int) -> None:
        """Next zoom step up (+1) or down (-1) from wherever the zoom is now (适合宽度 is between steps)."""
        zoom = self.preview.zoom
        steps = [step for step in PREVIEW_ZOOMS if (step > zoom + 0.001 if direction > 0 else step < zoom - 0.001)]
        if not steps:
            return
        self.preview.fit_width = False
        self.preview.set_zoom(steps[0] if direction > 0 else steps[-1])
        self._update_zoom_controls()

    def fit_width(self) -> None:
        self.preview.use_fit_width()
        self._update_zoom_controls()

    def _update_zoom_controls(self) -> None:
        zoom = self.preview.zoom
        self.zoom_label.setText(f"{round(zoom * 100)}%")
        has_pages = self.pages is not None
        self.zoom_out_button.setEnabled(has_pages and zoom > PREVIEW_ZOOMS[0] + 0.001)
        self.zoom_in_button.setEnabled(has_pages and zoom < PREVIEW_ZOOMS[-1] - 0.001)
        self.fit_button.setEnabled(has_pages)
        self.fit_button.setChecked(self.preview.fit_width)

    def _show_font(self, result: PrintResult | None) -> None:
        if result is not None:
            text = result.fonts.description
        else:
            text = font_status()  # a damaged installation's missing font is said here, not raised
        self.font_label.setText(f"打印字体：{text}")
        self.font_label.setStyleSheet("color: #52606d;")

    def _show_error(self, text: str) -> None:
        self._preview_message = False
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_done(self, text: str) -> None:
        self.message.setStyleSheet("color: #1e7b34;")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ---- print -----------------------------------------------------------------------------
    def print_pages(self) -> bool:
        """打印…: the system print dialog, then every chosen page as an image on its own sheet (in a worker)."""
        if self.pages is None or self._busy(self.preview_job) or self._busy(self.print_job):
            return False
        dataset = self.controller.dataset
        printer = remembered_printer(f"{dataset.unit.name} {dataset.year}年部门预算", self.memory)
        indices = ask_page_range(printer, len(self.pages), self.memory, self)
        if indices is None:
            return False
        pages = self.pages
        self._printer = printer  # alive until the job is over
        self._show_error("")

        def printed(count: int) -> None:
            if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
                self._show_done(f"已打印 {count} 页到文件 {printer.outputFileName()}。")
            else:
                self._show_done(f"已发送 {count} 页到打印机 {printer.printerName()}。")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                self._show_error("已取消打印。")
            elif isinstance(exc, OSError | BudgetDeskError):
                self._show_error(f"打印失败：{exc}")
            else:
                sys.excepthook(type(exc), exc, exc.__traceback__)

        load_image_plugins_here()  # before the worker paints: see its note (a deadlock otherwise)
        self.print_job = run_job(self, "打印", lambda progress: paint_pages(printer, pages, indices, progress),
                                 printed, on_error=failed)
        self.print_job.finished.connect(self._print_finished)
        self._update_controls()
        return True

    def _print_finished(self) -> None:
        self.print_job = None
        self._printer = None
        self._update_controls()

    def paint_pages(self, printer: QPrinter, indices: range) -> int:
        """Paint the preview's pages onto ``printer`` here and now (see ``ui.printing.raster.paint_pages``)."""
        return paint_pages(printer, self.pages, indices)

    # ---- export ----------------------------------------------------------------------------
    def export_pdf(self) -> Job | None:
        """导出 PDF…: the chosen content written to a file the clerk picks, in a worker; nothing is left on
        failure or 取消. The preview's bytes are written when they are still current (no second render)."""
        options = self.selected_options()
        if options is None or self._busy(self.export_job) or self._busy(self.print_job):
            return None
        folder = self.memory.folder()
        chosen, _filter = QFileDialog.getSaveFileName(self, "导出 PDF", str(folder / self.default_file_name()),
                                                      "PDF 文件 (*.pdf)")
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        key = self.render_key(options)
        reuse = self.rendered if self.rendered is not None and self.rendered.key == key else None
        render = None if reuse is not None else self._render_work(options, key, with_pages=False)

        def work(progress: Progress) -> Rendered:
            rendered = reuse if reuse is not None else render(progress)
            progress.final_step(1, 1, f"正在写入 {target.name}……")  # the last chance to 取消: nothing written yet
            write_pdf(target, rendered.data)
            return rendered

        def done(rendered: Rendered) -> None:
            self.memory.set_folder(target.parent)
            self._show_done(f"已导出 PDF：{target}")
            if rendered is not reuse and not self._closing:
                self._remember(rendered)  # a later export of the same content writes these bytes
                if rendered.options == self.options_text(self.selected_options()):
                    self._show_rendered(rendered)  # the data had changed: the preview shows it as exported

        def failed(exc: BaseException) -> None:
            if isinstance(exc, BudgetDeskError | OSError):
                self._show_error(export_message(target, exc))
            else:
                sys.excepthook(type(exc), exc, exc.__traceback__)

        self._show_error("")
        self.export_job = run_job(self, "导出 PDF", work, done, on_error=failed)
        self.export_job.finished.connect(self._export_finished)
        self._update_controls()
        return self.export_job

    def _export_finished(self) -> None:
        self.export_job = None
        self._update_controls()

    # ---- closing ---------------------------------------------------------------------------
    def done(self, result: int) -> None:
        self._closing = True
        self._refresh_timer.stop()  # a tick just before closing must not render into a closed dialog
        for job in (self.preview_job, self.export_job, self.print_job):
            if self._busy(job):
                job.stop()  # stopped before the pages it may use are closed
        self.settings.setValue("print/geometry", self.saveGeometry())
        self._hide_pages()
        rendered, self.rendered = self.rendered, None
        self._release(rendered)
        super().done(result)


__all__ = ["FORM_PREFIX", "PROJECT_PREFIX", "WHOLE_DOCUMENT", "PrintChoice", "PrintDialog", "Rendered", "safe_file_name",
           "settings_text", "show_settings", "stored_version", "write_pdf"]
