"""打印…: the preview's PDF pages painted as images at printer resolution onto a QPrinter.

``paint_pages`` runs in a worker thread (``ui.common.jobs``): QPainter may paint on a QPrinter outside
the GUI thread, and PDFium calls are serialised by ``ui.printing.preview.PDFIUM_LOCK``.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImageWriter, QPageLayout, QPainter, QTransform
from PySide6.QtPrintSupport import QPrinter

from app.base.progress import Progress, step
from ui.printing.preview import PdfPages

# Raster resolution sent to the printer. A 1200 dpi A4 page would be a >500 MB image; 300 dpi already
# prints table rules and 9 pt text as sharply as the office printers can put them on paper.
PRINT_DPI_LIMIT = 300
POINTS_PER_INCH = 72


def load_image_plugins_here() -> None:
    """Call on the GUI thread before a worker paints onto a printer.

    Qt's PDF engine asks ``QImageWriter.supportedImageFormats()`` for every image it embeds, and the
    first time that loads the image-format plugins and moves them to the GUI thread under a Qt lock.
    PySide holds the GIL through ``QPainter.drawImage``, so a worker doing that first load while the
    GUI thread, inside a Qt lock, waits for the GIL (a signal disconnected as a Python object dies)
    deadlocks both. Loaded here once, the plugins already live on the GUI thread and the worker's
    call takes no lock. (Seen once in a full test run: a hang in drawImage.)"""
    QImageWriter.supportedImageFormats()


def paint_pages(printer: QPrinter, pages: PdfPages, indices: range, progress: Progress | None = None) -> int:
    """Paint pages (indices from 0) onto ``printer``, each page's orientation kept; returns the count.

    ``progress`` hears of every page; at 取消 the job is aborted (nothing more reaches the printer).
    """
    printer.setFullPage(True)  # the PDF pages carry their own margins
    scale = min(printer.resolution(), PRINT_DPI_LIMIT) / POINTS_PER_INCH
    painter = QPainter()
    try:
        for number, index in enumerate(indices):
            step(progress, number, len(indices), f"正在打印第 {number + 1} 页，共 {len(indices)} 页")
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
            if image is None:
                raise OSError("打印预览已关闭，打印已中断。")
            if turned and (image.width() > image.height()) != (sheet.width() > sheet.height()):
                image = image.transformed(QTransform().rotate(90))
            # drawn into a rectangle, so the printer (or Qt's PDF engine) scales: the image stays 300 dpi
            size = image.size().scaled(sheet.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(sheet.x() + (sheet.width() - size.width()) // 2,
                           sheet.y() + (sheet.height() - size.height()) // 2, size.width(), size.height())
            painter.drawImage(target, image)
        step(progress, len(indices), len(indices), "正在送往打印机……")
    except BaseException:
        if painter.isActive():
            printer.abort()  # 取消 or a failure: the spooled pages are dropped, not half a job printed
        raise
    finally:
        if painter.isActive():
            painter.end()
    return len(indices)
