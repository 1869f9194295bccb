"""打印预览: choose what to print, see the pages exactly as they will print, print them or save the PDF.

The preview shows the PDF that ``app.printing`` produces, rasterised with pypdfium2 (Qt's PDF
module is not in the PySide6-Essentials wheels), so what the clerk sees is what the printer and the
exported file get. Printing paints those same pages as images at printer resolution onto a QPrinter,
one PDF page per sheet.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, QSettings, QSize, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QTransform
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL

from app.errors import BudgetDeskError
from app.printing import PrintResult, build_document, font_status, print_fonts, render_document
from app.printing.document import printable_items
from app.projects import ProjectBook
from ui.controller import DatasetController

WHOLE_DOCUMENT = "whole"
FORM_PREFIX = "form:"
PROJECT_PREFIX = "project:"
PREVIEW_ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
# Pages rasterised for the screen that are kept; scrolling back re-renders the others (a page takes
# a few milliseconds, a cached page at 200 % several megabytes).
PREVIEW_CACHE_PAGES = 12
# Raster resolution sent to the printer. A 1200 dpi A4 page would be a >500 MB image; 300 dpi already
# prints table rules and 9 pt text as sharply as the office printers can put them on paper.
PRINT_DPI_LIMIT = 300
POINTS_PER_INCH = 72
# Checking several forms one after another re-renders once, after the last click.
PREVIEW_DELAY_MS = 250
PAGE_GAP = 14
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\r\n\t]')


@contextmanager
def wait_cursor() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


@dataclass(frozen=True)
class PrintChoice:
    """One line of the 打印内容 list.

    ``exclusive`` choices (the whole document, one project) print alone; form choices combine with
    each other. ``options_factory`` returns the keyword arguments for ``build_document`` /
    ``render_document``; it is called at render time, so it always sees the current data.
    """

    key: str
    title: str
    options_factory: Callable[[], dict] | None
    exclusive: bool
    form_id: str | None = None


class PdfPages:
    """A rendered PDF held open for preview and printing; pypdfium2 keeps native handles, so close it."""

    def __init__(self, data: bytes) -> None:
        self._data = data  # pdfium reads from this buffer for the document's whole life
        self._document = pdfium.PdfDocument(data)
        self.sizes: list[tuple[float, float]] = []  # points, per page
        for index in range(len(self._document)):
            page = self._document[index]
            try:
                self.sizes.append(page.get_size())
            finally:
                page.close()

    def __len__(self) -> int:
        return len(self.sizes)

    def is_landscape(self, index: int) -> bool:
        width, height = self.sizes[index]
        return width > height

    def image(self, index: int, scale: float) -> QImage:
        """Page ``index`` (from 0) at ``scale`` pixels per point, white background."""
        page = self._document[index]
        try:
            bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
        finally:
            page.close()
        try:
            # copy(): the QImage must own its pixels, the bitmap buffer is freed below
            return QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                          QImage.Format.Format_RGBX8888).copy()
        finally:
            bitmap.close()

    def close(self) -> None:
        self._document.close()


class _PageWidget(QWidget):
    """One page in the preview, rasterised only when Qt paints it (i.e. when it is scrolled into view)."""

    def __init__(self, preview: PreviewArea, index: int) -> None:
        super().__init__()
        self.preview = preview
        self.index = index
        self.setObjectName(f"preview_page_{index + 1}")

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt naming
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        image = self.preview.page_image(self.index, self.devicePixelRatioF())
        if image is not None:
            painter.drawImage(self.rect(), image)
        painter.setPen(QColor("#9aa5b1"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()


class PreviewArea(QScrollArea):
    """The pages one below the other on a grey desk (100 % = 1 point per pixel).

    It opens at 适合宽度: the widest page (a landscape table) just fits, and keeps fitting as the
    dialog is resized, until the clerk picks a zoom step.
    """

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        # a scroll bar appearing with the second page would change the width that fits
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.pages: PdfPages | None = None
        self.zoom = 1.0
        self.fit_width = True
        self.page_widgets: list[_PageWidget] = []
        self._cache: OrderedDict[tuple[int, float, float], QImage] = OrderedDict()
        self._desk: QWidget | None = None
        self.message: QLabel | None = None
        self.show_message("")

    def _new_desk(self) -> QVBoxLayout:
        self._desk = QWidget()
        self._desk.setObjectName("preview_desk")
        self._desk.setStyleSheet("#preview_desk { background: #d5d9de; }")
        layout = QVBoxLayout(self._desk)
        layout.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        layout.setSpacing(PAGE_GAP)
        return layout

    def show_message(self, text: str) -> None:
        """No pages: a sentence in the middle of the desk instead (nothing chosen, or an error)."""
        self.pages = None
        self.page_widgets = []
        self._cache.clear()
        layout = self._new_desk()
        self.message = QLabel(text, self._desk)
        self.message.setObjectName("preview_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #3e4c59; font-size: 14px; padding: 24px;")
        layout.addWidget(self.message, 1)
        self.setWidget(self._desk)

    def set_pages(self, pages: PdfPages) -> None:
        self.pages = pages
        self._cache.clear()
        layout = self._new_desk()
        self.page_widgets = []
        for index in range(len(pages)):
            widget = _PageWidget(self, index)
            self.page_widgets.append(widget)
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        if self.fit_width:
            self.zoom = self.fitting_zoom()
        self._apply_sizes()
        self.setWidget(self._desk)

    def fitting_zoom(self) -> float:
        if not self.pages:
            return self.zoom
        widest = max(width for width, _height in self.pages.sizes)
        available = self.viewport().width() - 2 * PAGE_GAP
        return max(PREVIEW_ZOOMS[0], min(PREVIEW_ZOOMS[-1], available / widest))

    def use_fit_width(self) -> None:
        self.fit_width = True
        self.set_zoom(self.fitting_zoom())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        if self.fit_width and self.pages:
            self.set_zoom(self.fitting_zoom())

    def set_zoom(self, zoom: float) -> None:
        if zoom == self.zoom or self.pages is None:
            self.zoom = zoom
            return
        # keep the same spot of the document in view
        bar = self.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self.zoom = zoom
        self._cache.clear()
        self._apply_sizes()
        self._desk.adjustSize()
        bar.setValue(round(fraction * bar.maximum()))
        self.zoom_changed.emit(zoom)

    def _apply_sizes(self) -> None:
        if self.pages is None:
            return
        for widget, (width, height) in zip(self.page_widgets, self.pages.sizes, strict=True):
            widget.setFixedSize(QSize(round(width * self.zoom), round(height * self.zoom)))

    def page_image(self, index: int, device_ratio: float) -> QImage | None:
        if self.pages is None:
            return None
        key = (index, self.zoom, device_ratio)
        image = self._cache.get(key)
        if image is None:
            image = self.pages.image(index, self.zoom * device_ratio)
            image.setDevicePixelRatio(device_ratio)
            self._cache[key] = image
            while len(self._cache) > PREVIEW_CACHE_PAGES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return image


def safe_file_name(text: str) -> str:
    """A file name Windows and Linux both accept (unit names may contain “/” or quotes)."""
    return _UNSAFE_FILE_CHARS.sub("_", text).strip(" .") or "部门预算"


def settings_text(store) -> str:
    """What 设置… shows: the print font in use and where the data lives (never the password)."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        location = f"本机 SQLite 数据库文件：{url.database or '（内存）'}"
    else:
        # rebuilt without the password (URL.set treats None as "keep")
        safe = URL.create(url.drivername, url.username, None, url.host, url.port, url.database, url.query)
        location = f"数据库服务器：{safe.render_as_string(hide_password=False)}"
    fonts = print_fonts()
    advice = ("" if fonts.body.embedded else
              "\n\n未找到可嵌入的中文字体，打印文件依赖阅读器自带字体。建议安装宋体、黑体或文泉驿正黑。")
    return (f"打印字体：{font_status()}{advice}\n\n"
            f"如需使用其他字体，可设置环境变量 BUDGETDESK_PRINT_FONT 为字体文件路径后重新启动。\n\n"
            f"{location}")


def show_settings(store, parent: QWidget | None = None) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "设置", settings_text(store), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("settings_dialog")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


class PrintDialog(QDialog):
    def __init__(self, controller: DatasetController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = QSettings()
        dataset = controller.dataset
        self.setObjectName("print_dialog")
        self.setWindowTitle(f"打印预览 — {dataset.unit.code} {dataset.unit.name} · {dataset.year}年")
        self.choices: dict[str, PrintChoice] = {}
        self._groups: set[str] = set()
        self.pages: PdfPages | None = None
        self.result: PrintResult | None = None

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

        self._add_choice(PrintChoice(WHOLE_DOCUMENT, "整套文件（封面、目录、全部表格、情况说明）", dict, True))
        self._add_header("单张表格（可多选）")
        for form_id, title in printable_items():
            self._add_choice(PrintChoice(FORM_PREFIX + form_id, title, None, False, form_id))
        # One project: its 项目支出绩效目标表 and 批复表, printed alone (for the project's own file).
        for project_id, name, _amount in ProjectBook(dataset).project_choices():
            self.add_choice(f"{PROJECT_PREFIX}{project_id}", f"项目：{name}",
                            lambda project_id=project_id: {"projects": [project_id]}, group="单个项目（绩效目标表和批复表）")
        self.choice_item(WHOLE_DOCUMENT).setCheckState(Qt.CheckState.Checked)
        self.choice_list.itemChanged.connect(self._choice_changed)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(PREVIEW_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh_preview)

        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.print_button,
                       self.export_button, close_button):
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
        self._refresh_timer.start()

    def selected_options(self) -> dict | None:
        """The build_document keyword arguments for what is ticked, or None when nothing is."""
        checked = self.checked_choices()
        if not checked:
            return None
        alone = next((choice for choice in checked if choice.exclusive), None)
        if alone is not None:
            return alone.options_factory()
        return {"forms": [choice.form_id for choice in checked]}

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

    # ---- preview ---------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Render what is ticked now (also called by the delayed timer after clicks)."""
        self._refresh_timer.stop()
        self._close_pages()
        self.result = None
        self._show_error("")
        options = self.selected_options()
        if options is None:
            self.preview.show_message("请在左侧勾选要打印的内容。")
        else:
            try:
                with wait_cursor():
                    data, result = render_document(self.controller.dataset, **options)
                    self.pages = PdfPages(data)
            except BudgetDeskError as exc:
                self.preview.show_message("无法生成打印预览。")
                self._show_error(str(exc))
            else:
                self.result = result
                self.preview.set_pages(self.pages)
                self._show_font(result)
        count = len(self.pages) if self.pages is not None else 0
        self.page_count_label.setText(f"共 {count} 页" if count else "")
        self.print_button.setEnabled(bool(count))
        self.export_button.setEnabled(bool(count))
        self._update_zoom_controls()

    def page_count(self) -> int:
        return len(self.pages) if self.pages is not None else 0

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
        fonts = result.fonts if result is not None else print_fonts()
        self.font_label.setText(f"打印字体：{fonts.description}")
        # a font the PDF does not carry prints differently on every reader: worth the clerk's attention
        self.font_label.setStyleSheet("color: #52606d;" if fonts.body.embedded else "color: #b54708;")

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #b42318;")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_done(self, text: str) -> None:
        self.message.setStyleSheet("color: #1e7b34;")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ---- print -----------------------------------------------------------------------------
    def print_pages(self) -> bool:
        """打印…: the system print dialog, then every chosen page as an image on its own sheet."""
        if self.pages is None:
            return False
        dataset = self.controller.dataset
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"{dataset.unit.name} {dataset.year}年部门预算")
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        dialog.setMinMax(1, len(self.pages))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        first, last = 1, len(self.pages)
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = printer.fromPage(), min(printer.toPage() or last, last)
        try:
            with wait_cursor():
                printed = self.paint_pages(printer, range(first - 1, last))
        except OSError as exc:
            self._show_error(f"打印失败：{exc}")
            return False
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
            self._show_done(f"已打印 {printed} 页到文件 {printer.outputFileName()}。")
        else:
            self._show_done(f"已发送 {printed} 页到打印机 {printer.printerName()}。")
        return True

    def paint_pages(self, printer: QPrinter, indices: range) -> int:
        """Paint pages (indices from 0) onto ``printer``, each page's orientation kept; returns the count."""
        pages = self.pages
        printer.setFullPage(True)  # the PDF pages carry their own margins
        scale = min(printer.resolution(), PRINT_DPI_LIMIT) / POINTS_PER_INCH
        painter = QPainter()
        try:
            for number, index in enumerate(indices):
                wanted = (QPageLayout.Orientation.Landscape if pages.is_landscape(index)
                          else QPageLayout.Orientation.Portrait)
                # Not every driver can change orientation within a job; then the page is turned instead.
                turned = not printer.setPageOrientation(wanted)
                if number == 0:
                    if not painter.begin(printer):
                        raise OSError("打印机不可用或正被占用，请检查打印机后重试。")
                    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                elif not printer.newPage():
                    raise OSError("打印机拒绝了新的一页，打印已中断。")
                sheet = printer.pageLayout().fullRectPixels(printer.resolution())
                # the painter keeps the first sheet's geometry unless told the new one
                painter.setViewport(sheet)
                painter.setWindow(sheet)
                image = pages.image(index, scale)
                if turned and (image.width() > image.height()) != (sheet.width() > sheet.height()):
                    image = image.transformed(QTransform().rotate(90))
                # drawn into a rectangle, so the printer (or Qt's PDF engine) scales: the image stays 300 dpi
                size = image.size().scaled(sheet.size(), Qt.AspectRatioMode.KeepAspectRatio)
                target = QRect(sheet.x() + (sheet.width() - size.width()) // 2,
                               sheet.y() + (sheet.height() - size.height()) // 2, size.width(), size.height())
                painter.drawImage(target, image)
        finally:
            if painter.isActive():
                painter.end()
        return len(indices)

    # ---- export ----------------------------------------------------------------------------
    def export_pdf(self) -> Path | None:
        """导出 PDF…: the same document written to a file the clerk picks; nothing is left on failure."""
        options = self.selected_options()
        if options is None:
            return None
        folder = str(self.settings.value("print/export_dir", "")) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _filter = QFileDialog.getSaveFileName(self, "导出 PDF", str(Path(folder) / self.default_file_name()),
                                                      "PDF 文件 (*.pdf)")
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            with wait_cursor():
                self._write_pdf(target, options)
        except BudgetDeskError as exc:
            self._show_error(f"没有导出：{exc}")
            return None
        except PermissionError:
            self._show_error(f"没有导出：不能写入 {target}。该文件可能正在其他程序中打开，或没有写入该文件夹的权限。")
            return None
        except OSError as exc:
            self._show_error(f"没有导出：写入 {target} 失败（{exc.strerror or exc}）。")
            return None
        self.settings.setValue("print/export_dir", str(target.parent))
        self._show_done(f"已导出 PDF：{target}")
        return target

    def _write_pdf(self, target: Path, options: dict) -> None:
        # Built beside the target and renamed at the end, so a failure never leaves a half-written
        # PDF in place of the clerk's earlier export.
        handle, temporary = tempfile.mkstemp(prefix=".budgetdesk-", suffix=".pdf.part", dir=target.parent)
        os.close(handle)
        try:
            build_document(self.controller.dataset, Path(temporary), **options)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # ---- closing ---------------------------------------------------------------------------
    def _close_pages(self) -> None:
        if self.pages is not None:
            self.pages.close()
            self.pages = None

    def done(self, result: int) -> None:
        self._refresh_timer.stop()  # a tick just before closing must not render into a closed dialog
        self.settings.setValue("print/geometry", self.saveGeometry())
        self.preview.show_message("")
        self._close_pages()
        super().done(result)
