"""The exported workbook in a real office suite: LibreOffice opens, recalculates, re-saves and prints it.

Skipped only when LibreOffice is not installed (``.ci/run`` installs ``libreoffice-calc-nogui``).
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from app.exchange.excel import export_workbook, import_workbook, read_workbook, source_from_dataset
from app.exchange.interchange import dumps, export_document
from tests.conftest import SEED004
from tests.test_excel import INCOME, code_row, edit, fresh_store, header_column  # noqa: F401 - fixture

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install --no-install-recommends "
                            "libreoffice-calc-nogui")


def convert(path: Path, target: str, tmp_path: Path) -> Path:
    """``soffice --headless --convert-to`` with a profile of its own (parallel runs do not clash)."""
    out = tmp_path / f"lo-{target}"
    out.mkdir(exist_ok=True)
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                             "--outdir", str(out), str(path)], capture_output=True, text=True, timeout=600)
    converted = out / f"{path.stem}.{target}"
    assert result.returncode == 0 and converted.exists(), result.stdout + result.stderr
    return converted


@pytest.fixture
def seed_xlsx(seed_dataset, tmp_path) -> Path:
    return export_workbook(source_from_dataset(seed_dataset), tmp_path / "seed.xlsx")


def test_round_trip_through_libreoffice_resave_is_byte_identical(seed_xlsx, fresh_store, tmp_path):  # noqa: F811
    resaved = convert(seed_xlsx, "xlsx", tmp_path)
    book = openpyxl.load_workbook(resaved, data_only=True)
    ws = book[INCOME]
    assert ws.cell(row=6, column=4).value == pytest.approx(1206.65)  # LibreOffice computed the 合计 formula
    store = fresh_store()
    plan = read_workbook(store, resaved)
    assert plan.warnings == []  # every computed cell LibreOffice worked out agrees with the entered cells
    assert dumps(export_document(import_workbook(store, plan))) == SEED004.read_text(encoding="utf-8")


def test_formula_typed_in_an_entered_cell_uses_its_cached_value(seed_xlsx, fresh_store, tmp_path):  # noqa: F811
    def change(book):
        ws = book[INCOME]
        ws.cell(row=code_row(ws, "2070699"), column=header_column(ws, "财政拨款收入")).value = "=1000+16.53"

    resaved = convert(edit(seed_xlsx, change), "xlsx", tmp_path)
    store = fresh_store()
    plan = read_workbook(store, resaved)
    assert plan.warnings == []
    assert import_workbook(store, plan).value("income_summary", "2070699", "fiscal_appropriation") == Decimal("1016.53")


def test_a_total_follows_an_edit_after_recalculation(seed_xlsx, tmp_path):
    def change(book):
        ws = book[INCOME]
        ws.cell(row=code_row(ws, "2070699"), column=header_column(ws, "财政拨款收入")).value = 2000

    resaved = convert(edit(seed_xlsx, change), "xlsx", tmp_path)
    book = openpyxl.load_workbook(resaved, data_only=True)
    assert book[INCOME].cell(row=6, column=4).value == pytest.approx(2190.12)


def test_derived_tables_follow_their_source_sheets_after_recalculation(seed_xlsx, tmp_path):
    """一般公共预算支出表 → 财政拨款收支总表 → 收支总表: formulas across three sheets."""
    def change(book):
        ws = book["一般公共预算支出表"]
        ws.cell(row=code_row(ws, "2070699"), column=header_column(ws, "基本支出")).value = 1000

    book = openpyxl.load_workbook(convert(edit(seed_xlsx, change), "xlsx", tmp_path), data_only=True)
    totals = [row for row in book["收支总表"].iter_rows(values_only=True) if row[1] == "本年收入合计"]
    assert totals and totals[0][2] == pytest.approx(1624.45)  # 1206.65 + (1000 - 582.20)


def test_libreoffice_converts_the_export_to_pdf(seed_xlsx, tmp_path):
    import pypdfium2

    pdf = convert(seed_xlsx, "pdf", tmp_path)
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        assert len(document) >= 30  # nine forms, 21 projects, 汇总表 and the rest
        text = document[2].get_textpage().get_text_range()
        assert "部门预算收入总表" in text and "1,206.65" in text
    finally:
        document.close()
