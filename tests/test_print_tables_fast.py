"""The faster table drawing prints the same page: ``TextTable`` against reportlab's own ``Table``,
garbage collection around a print, and the markup escape.

No timings (``make bench`` measures); pages are compared as rendered pixels.
"""

from __future__ import annotations

import gc
from xml.sax.saxutils import escape as sax_escape

import pypdfium2 as pdfium
import pytest
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table
from reportlab.platypus.tables import TableStyle

from app.base.errors import InputError
from app.printing import build_document, fonts
from app.printing.grid import BalancedCell, TextCell, TextTable
from app.printing.markup import escape
from app.printing.styles import Styles

TEXTS = ["报刊机构合作宣传费", "在各级报刊媒体上刊发开发区新闻报道数量500篇，提高公众对开发区的了解度",
         "≥90%", "Quality (a) & <b> 其他新闻出版电影支出（单位：万元）", "1,206.65"]


def _cells(styles: Styles) -> list[list]:
    rows = []
    for number, text in enumerate(TEXTS):
        rows.append([TextCell(text, styles.cell), TextCell(text, styles.cell_center),
                     TextCell(text, styles.small_right), BalancedCell("对附属单位补助支出", styles.cell_center),
                     "plain 字符串" if number % 2 else ""])
    return rows


def _draw(table_class, styles: Styles, path, heights=None) -> None:
    table = table_class(_cells(styles), colWidths=[70, 90, 60, 46, 60], rowHeights=heights)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), styles.body_font),
        ("VALIGN", (0, 0), (-1, 1), "TOP"), ("VALIGN", (0, 2), (-1, 3), "MIDDLE"),
        ("VALIGN", (0, 4), (-1, -1), "BOTTOM"),
        ("ALIGN", (1, 0), (1, -1), "CENTER"), ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("SPAN", (3, 1), (3, 2)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 4),
    ]))
    canvas = Canvas(str(path))
    width, height = table.wrapOn(canvas, 400, 700)
    table.drawOn(canvas, 40, 780 - height)
    canvas.save()


def _pixels(path) -> bytes:
    page = pdfium.PdfDocument(str(path))[0]
    bitmap = page.render(scale=3)
    return bytes(bitmap.buffer)


def _text(path) -> str:
    return pdfium.PdfDocument(str(path))[0].get_textpage().get_text_range()


@pytest.mark.parametrize("heights", [None, [40, 60, 50, 45, 70]], ids=["measured", "given heights"])
def test_text_table_prints_the_page_reportlab_table_prints(tmp_path, heights):
    styles = Styles(fonts.print_fonts())
    _draw(Table, styles, tmp_path / "table.pdf", heights)
    _draw(TextTable, styles, tmp_path / "text-table.pdf", heights)
    assert (tmp_path / "text-table.pdf").read_bytes() != (tmp_path / "table.pdf").read_bytes()
    assert _pixels(tmp_path / "text-table.pdf") == _pixels(tmp_path / "table.pdf")
    assert _text(tmp_path / "text-table.pdf") == _text(tmp_path / "table.pdf")


def test_text_table_sets_its_text_cells_in_one_text_object(tmp_path):
    styles = Styles(fonts.print_fonts())
    canvas = Canvas(str(tmp_path / "one.pdf"))
    table = TextTable(_cells(styles), colWidths=[70, 90, 60, 46, 60])
    table.wrapOn(canvas, 400, 700)
    table.drawOn(canvas, 40, 100)
    code = " ".join(canvas._code)
    assert code.count(" cm BT ") == 0  # no cell of its own moved the origin for a text object
    # 20 text cells, 2 plain strings among them: the text cells are set in 3 runs, besides the
    # text objects of the strings (and the 3 empty strings reportlab writes as empty text)
    assert code.count("BT ") == 1 + 3 + 2 + 3


@pytest.mark.parametrize("enabled", [True, False])
def test_a_print_leaves_garbage_collection_as_it_found_it(seed_dataset, tmp_path, enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        build_document(seed_dataset, tmp_path / "one.pdf", forms=["three_public_expenses"])
        assert gc.isenabled() is enabled
        with pytest.raises(InputError):
            build_document(seed_dataset, tmp_path / "none.pdf", projects=[])
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


@pytest.mark.parametrize("text", ["a&b<c>d", "“引号”'和\"双引号\"", "&amp; already", "", "（单位：万元）"])
def test_markup_escape_replaces_what_saxutils_replaces(text):
    assert escape(text) == sax_escape(text)
