"""Printing at the speed of paper: what the caches keep and that a print from them is the same print.

No timings here (the machine is shared); ``make bench`` measures. These tests check that the parsed
font cache gives the same widths and a valid embedded subset, that a print starting from the
remembered page numbers takes one pass and prints the same text, that wrong remembered numbers are
corrected, that the migration shortcut recognises a current schema, and that plain cell text breaks
as reportlab's Paragraph breaks it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from app.printing import build_document, fonts
from app.printing.grid import TextCell
from app.printing.styles import Styles
from db.engine import head_revision, known_revisions, stored_revision

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def _texts(path) -> list[str]:
    document = pdfium.PdfDocument(str(path))
    return [page.get_textpage().get_text_range() for page in document]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(fonts.CACHE_ENV, str(folder))
    fonts.reset()
    yield folder
    fonts.reset()


@pytest.mark.skipif(not WQY.is_file(), reason="needs WenQuanYi Zen Hei")
def test_parsed_font_is_cached_and_restores_the_same_metrics(cache, tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    candidate = fonts.FontCandidate(WQY)
    parsed = fonts._open_font("BD-test-parsed", candidate)
    assert list((cache / "fonts").glob("*.marshal")), "the parsed font was not stored"
    restored = fonts._open_font("BD-test-restored", candidate)
    assert isinstance(restored.face, fonts._CachedFace)
    assert "_ttf_data" not in restored.face.__dict__  # the file is read only when a subset is made
    pdfmetrics.registerFont(parsed)
    pdfmetrics.registerFont(restored)
    text = "部门预算收支总表（单位：万元）1206.65"
    assert stringWidth(text, "BD-test-restored", 9) == stringWidth(text, "BD-test-parsed", 9)
    out = tmp_path / "cached-font.pdf"
    canvas = Canvas(str(out))
    canvas.setFont("BD-test-restored", 12)
    canvas.drawString(72, 700, text)
    canvas.save()
    assert _texts(out)[0].strip() == text
    assert b"FontFile2" in out.read_bytes()


def test_a_broken_font_cache_file_is_parsed_again(cache):
    if not WQY.is_file():
        pytest.skip("needs WenQuanYi Zen Hei")
    fonts.print_fonts()
    for path in (cache / "fonts").glob("*.marshal"):
        path.write_bytes(b"not marshal data")
    fonts.reset()
    body = fonts.print_fonts().body
    assert body.family == "WenQuanYi Zen Hei" and body.path == WQY


def test_remembered_page_numbers_save_the_second_pass(cache, seed_dataset, tmp_path):
    first = build_document(seed_dataset, tmp_path / "one.pdf", printed_on=date(2023, 1, 15))
    assert first.passes >= 2
    again = build_document(seed_dataset, tmp_path / "two.pdf", printed_on=date(2023, 1, 15))
    assert again.passes == 1
    assert again.pages == first.pages and again.page_of == first.page_of
    assert _texts(tmp_path / "one.pdf") == _texts(tmp_path / "two.pdf")


def test_wrong_remembered_page_numbers_are_corrected(cache, seed_dataset, tmp_path):
    reference = build_document(seed_dataset, tmp_path / "ref.pdf", printed_on=date(2023, 1, 15))
    for path in (cache / "layout").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["pages"] += 3
        data["marks"] = {key: page + 1 for key, page in data["marks"].items()}
        path.write_text(json.dumps(data), encoding="utf-8")
    fixed = build_document(seed_dataset, tmp_path / "fixed.pdf", printed_on=date(2023, 1, 15))
    assert fixed.passes >= 2
    assert fixed.page_of == reference.page_of
    assert _texts(tmp_path / "fixed.pdf") == _texts(tmp_path / "ref.pdf")


def test_migration_shortcut_knows_a_current_schema(store, tmp_path):
    """Opening a current database runs no Alembic: the head is read from the scripts' text."""
    assert head_revision() in known_revisions()
    assert stored_revision(store.engine) == head_revision()


@pytest.mark.parametrize("text", ["报刊机构合作宣传费", "在各级报刊媒体上刊发开发区新闻报道数量500篇，提高公众对开发区的了解度",
                                  "≥90%", "Quality index 2023 and 其他新闻出版电影支出（单位：万元）"])
@pytest.mark.parametrize("width", [40, 75, 160])
def test_text_cells_break_lines_as_paragraphs_do(text, width):
    styles = Styles(fonts.print_fonts())
    for style in (styles.cell, styles.cell_center, styles.small_right):
        paragraph = Paragraph(text, style)
        cell = TextCell(text, style)
        assert cell.wrap(width, 1000) == paragraph.wrap(width, 1000)
        assert [line for _extra, line in cell._lines] == ["".join(words) for _extra, words in paragraph.blPara.lines]


def test_a_tall_text_cell_splits_between_lines():
    styles = Styles(fonts.print_fonts())
    text = "提高公众对开发区政府的了解度，引导舆论正向发展" * 6
    cell = TextCell(text, styles.cell)
    _width, height = cell.wrap(60, 10_000)
    head, tail = cell.split(60, height / 2)
    assert head.text + tail.text == text
    assert head.wrap(60, 10_000)[1] + tail.wrap(60, 10_000)[1] == pytest.approx(height)
    assert cell.split(60, 1) == []


@pytest.mark.parametrize("title", ["财政拨款收入", "对附属单位补助支出", "非财政拨款结转结余", "可持续影响指标",
                                   "一般公共预算财政拨款", "年度指标值(带计量单位)"])
@pytest.mark.parametrize("width", [34, 46, 58, 70, 90])
def test_header_cells_leave_no_character_alone_on_a_line(title, width):
    from app.printing.grid import BalancedCell

    styles = Styles(fonts.print_fonts())
    cell = BalancedCell(title, styles.cell_center)
    cell.wrap(width, 1000)
    lines = [line for _extra, line in cell._lines]
    assert "".join(lines) == title
    plain = TextCell(title, styles.cell_center)
    plain.wrap(width, 1000)
    assert len(lines) == len(plain._lines)  # balanced, never taller
    if len(lines) > 1:
        assert min(len(line) for line in lines) > 1, lines
