"""Where the chosen pages go: the printer (set up from what the dialog remembers, chosen in the system
print dialog). The exported PDF file (written whole or not at all, a failure said in Chinese) is
``ui.common.pdf_file``."""

from __future__ import annotations

from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from ui.printing.choices import PrintMemory


def remembered_printer(document_name: str, memory: PrintMemory) -> QPrinter:
    """A printer set to the printer and paper chosen last time (A4 when that is unknown or gone)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(document_name)
    name, paper = memory.printer()
    if name and name in QPrinterInfo.availablePrinterNames():
        printer.setPrinterName(name)
    try:
        size = QPageSize(QPageSize.PageSizeId(int(paper))) if paper else QPageSize(QPageSize.PageSizeId.A4)
    except ValueError:
        size = QPageSize(QPageSize.PageSizeId.A4)
    printer.setPageSize(size)
    return printer


def ask_page_range(printer: QPrinter, page_count: int, memory: PrintMemory, parent: QWidget) -> range | None:
    """The system print dialog: the pages to print (indices from 0), or None when it was cancelled.
    The printer and paper chosen are remembered for next time."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("打印")
    dialog.setMinMax(1, page_count)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    memory.set_printer(printer.printerName(), str(printer.pageLayout().pageSize().id().value))
    first, last = 1, page_count
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), min(printer.toPage() or last, last)
    return range(first - 1, last)
