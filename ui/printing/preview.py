"""The preview's pages: a rendered PDF held open with pypdfium2, and the scroll area that shows it.

Qt's PDF module is not in the PySide6-Essentials wheels, so pages are rasterised with pypdfium2,
lazily: a page is rasterised when Qt paints it (scrolled into view) and a few are kept.

PDFium must never be called from two threads at once (not even for different documents); every
call goes through ``PDFIUM_LOCK``. The print job rasterises in a worker thread while the window may
repaint: a page whose turn it is not yet is painted blank and repainted a moment later, so the GUI
thread never waits for the printer's rasterising.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import pypdfium2 as pdfium
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

PREVIEW_ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
# Pages rasterised for the screen that are kept; scrolling back re-renders the others (a page takes
# a few milliseconds, a cached page at 200 % several megabytes).
PREVIEW_CACHE_PAGES = 12
PAGE_GAP = 14
# A page that could not be rasterised at once (the print job holds PDFium) is tried again after this.
RETRY_PAINT_MS = 60
PDFIUM_LOCK = threading.Lock()


class PdfPages:
    """A rendered PDF held open for preview and printing; pypdfium2 keeps native handles, so close it."""

    def __init__(self, data: bytes) -> None:
        self.data = data  # pdfium reads from this buffer for the document's whole life
        self.sizes: list[tuple[float, float]] = []  # points, per page
        self._document: pdfium.PdfDocument | None = None
        with PDFIUM_LOCK:
            self._document = pdfium.PdfDocument(data)
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

    def image(self, index: int, scale: float, *, wait: bool = True) -> QImage | None:
        """Page ``index`` (from 0) at ``scale`` pixels per point, white background.

        With ``wait=False`` it returns None at once when another thread is using PDFium.
        """
        if not PDFIUM_LOCK.acquire(blocking=wait):
            return None
        try:
            if self._document is None:
                return None
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
        finally:
            PDFIUM_LOCK.release()

    def close(self) -> None:
        with PDFIUM_LOCK:
            if self._document is not None:
                self._document.close()
                self._document = None


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
        elif self.preview.pages is not None:
            QTimer.singleShot(RETRY_PAINT_MS, self, self.update)  # PDFium busy printing: try again soon
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
            image = self.pages.image(index, self.zoom * device_ratio, wait=False)
            if image is None:
                return None
            image.setDevicePixelRatio(device_ratio)
            self._cache[key] = image
            while len(self._cache) > PREVIEW_CACHE_PAGES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return image
