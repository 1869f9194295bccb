"""Issue 25 item 1: money exact to the 分 in every dataset — 80.653 万元 enters, prints 80.65, sums exactly with
0.007 (80.660, printed 80.66); a 元 dataset refuses 1.234; forms round half up; the 尾差 rule is data; the exact
figure travels through the editor, JSON, Excel and packages."""

from __future__ import annotations

import re
from decimal import Decimal

import openpyxl
import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.base.errors import InputError
from app.exchange.interchange import export_document, import_document, read_document
from app.printing import build_document
from app.printing import remainder as remainder_module
from tests.conftest import SEED004
from tests.qt_helpers import type_text

FORM = "three_public_expenses"
PURCHASE, OPERATION, VEHICLE = "vehicle_purchase", "vehicle_operation", "vehicle"
FUND = "general_budget"


def with_values(changes: dict[tuple[str, str, str], str], money_unit: str = "万元") -> dict:
    """Seed 004 with some cells replaced (or added), as a data file would carry them."""
    document = read_document(SEED004)
    document["money_unit"] = money_unit
    document["values"] = [item for item in document["values"]
                          if (item["form"], item["row"], item["column"]) not in changes]
    document["values"] += [{"form": form, "row": row, "column": column, "value": value}
                           for (form, row, column), value in changes.items()]
    return document


def printed_rows(path, label: str) -> list[list[str]]:
    """The words of every printed line on which ``label`` appears (all pages)."""
    document = pdfium.PdfDocument(str(path))
    lines = []
    for page in document:
        textpage = page.get_textpage()
        width, _height = page.get_size()
        searcher = textpage.search(label, match_case=True)
        while (found := searcher.get_next()) is not None:
            _left, bottom, _right, top = textpage.get_charbox(found[0], loose=True)
            lines.append(textpage.get_text_bounded(0, bottom, width, top).split())
    return lines


def amounts_on(path, label: str) -> list[str]:
    rows = printed_rows(path, label)
    assert rows, f"{label} not printed"
    return [word for word in rows[0] if re.fullmatch(r"-?[\d,]+\.\d\d", word)]


# ---- the test: 80.653 + 0.007 ------------------------------------------------------------
def test_json_80_653_enters_prints_80_65_and_sums_exactly_with_0_007(store, tmp_path):
    dataset = import_document(store, with_values({(FORM, PURCHASE, FUND): "80.653", (FORM, OPERATION, FUND): "0.007"}))
    assert dataset.value(FORM, PURCHASE, FUND) == Decimal("80.653")
    assert dataset.value(FORM, VEHICLE, FUND) == Decimal("80.660")  # exact: 80.653 + 0.007
    reopened = store.open_dataset("359", 2023)
    assert str(reopened.value(FORM, PURCHASE, FUND)) == "80.653"
    assert str(reopened.value(FORM, OPERATION, FUND)) == "0.007"
    exported = {(v["form"], v["row"], v["column"]): v["value"] for v in export_document(reopened)["values"]}
    assert exported[(FORM, PURCHASE, FUND)] == "80.653" and exported[(FORM, OPERATION, FUND)] == "0.007"

    pdf = tmp_path / "three.pdf"
    build_document(reopened, pdf, forms=[FORM])
    assert amounts_on(pdf, "其中：公务用车购置费") == ["80.65", "80.65"]  # 合计 and 一般公共预算
    assert amounts_on(pdf, "公务用车运行维护费") == ["0.01", "0.01"]
    assert amounts_on(pdf, "二、公务用车购置及运维费") == ["80.66", "80.66"]


def test_gui_cell_takes_80_653_shows_80_65_with_the_exact_figure_in_tooltip_and_editor(qtbot, window, store):
    form_tab = window.form_tabs[FORM]
    window.tabs.setCurrentWidget(form_tab)
    model, table = form_tab.model, form_tab.table

    def cell(row_key, column_key):
        for line in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(line, column)
                if model.cell_key(index) == (row_key, column_key):
                    return index
        raise AssertionError((row_key, column_key))

    for row_key, text in ((PURCHASE, "80.653"), (OPERATION, "0.007")):
        table.setFocus()
        table.setCurrentIndex(cell(row_key, FUND))
        type_text(qtbot, table, text[0])
        editor = QApplication.focusWidget()
        type_text(qtbot, editor, text[1:])
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        QApplication.processEvents()
    assert window.feedback.text() == ""
    assert cell(PURCHASE, FUND).data() == "80.65"
    assert cell(VEHICLE, FUND).data() == "80.66"
    assert "精确值：80.653 万元" in cell(PURCHASE, FUND).data(Qt.ItemDataRole.ToolTipRole)
    assert "精确值：80.66 万元" in cell(VEHICLE, FUND).data(Qt.ItemDataRole.ToolTipRole)
    stored = store.open_dataset("359", 2023)
    assert stored.value(FORM, PURCHASE, FUND) == Decimal("80.653")
    assert stored.value(FORM, VEHICLE, FUND) == Decimal("80.660")

    table.setFocus()
    table.setCurrentIndex(cell(PURCHASE, FUND))
    qtbot.keyClick(table, Qt.Key.Key_F2)  # the in-cell editor starts from the exact figure
    editor = QApplication.focusWidget()
    assert editor is not table and editor.text() == "80.653"
    qtbot.keyClick(editor, Qt.Key.Key_Escape)


def test_a_yuan_dataset_refuses_1_234_in_chinese_and_changes_nothing(store):
    dataset = import_document(store, with_values({}, money_unit="元"))
    before, version = dataset.value(FORM, "reception", FUND), dataset.stored_version()
    with pytest.raises(InputError, match="小数超过 2 位：单位为元时最多录入 2 位小数"):
        dataset.set_cell(FORM, "reception", FUND, "1.234")
    assert dataset.stored_version() == version
    assert store.open_dataset("359", 2023).value(FORM, "reception", FUND) == before
    assert dataset.set_cell(FORM, "reception", FUND, "1.23") == Decimal("1.23")  # the 分 is fine
    with pytest.raises(InputError, match="单位为元时最多录入 2 位小数"):
        import_document(store, with_values({(FORM, "reception", FUND): "1.234"}, money_unit="元"), replace=True)
    assert store.open_dataset("359", 2023).value(FORM, "reception", FUND) == Decimal("1.23")


def test_forms_print_half_up(store, tmp_path):
    dataset = import_document(store, with_values({(FORM, "reception", FUND): "0.005",
                                                  (FORM, PURCHASE, FUND): "2.125"}))
    pdf = tmp_path / "half.pdf"
    build_document(dataset, pdf, forms=[FORM])
    assert amounts_on(pdf, "三、公务接待费") == ["0.01", "0.01"]  # half-even would print 0.00
    assert amounts_on(pdf, "其中：公务用车购置费") == ["2.13", "2.13"]  # half-even would print 2.12


# ---- 尾差 -------------------------------------------------------------------------------------------
def remainder_document() -> dict:
    # 0.004 + 0.004 = 0.008: the parts print 0.00 each, their exact total 0.01.
    return with_values({(FORM, "abroad_research", FUND): "0.004", (FORM, "abroad_other", FUND): "0.004",
                        (FORM, PURCHASE, FUND): "", (FORM, OPERATION, FUND): "", (FORM, "reception", FUND): ""})


def test_remainder_default_keeps_the_parts_and_prints_the_exact_totals_rounding(store, tmp_path):
    document = remainder_document()
    document["values"] = [v for v in document["values"] if v["value"] != ""]
    dataset = import_document(store, document)
    assert remainder_module.remainder_rule(FORM) == "keep_parts"
    pdf = tmp_path / "keep.pdf"
    build_document(dataset, pdf, forms=[FORM])
    assert amounts_on(pdf, "其中：教学科研人员因公出国（境）费") == ["0.00", "0.00"]
    assert amounts_on(pdf, "其他因公出国（境）费") == ["0.00", "0.00"]
    assert amounts_on(pdf, "一、因公出国（境）费") == ["0.01", "0.01"]


def test_remainder_adjust_largest_part_makes_the_printed_parts_add_up(store, tmp_path, monkeypatch):
    settings = {"default": "keep_parts", "forms": {FORM: "adjust_largest_part"}}
    monkeypatch.setattr(remainder_module, "_settings", lambda: settings)
    document = remainder_document()
    document["values"] = [v for v in document["values"] if v["value"] != ""]
    document["values"] = [v if (v["row"], v["column"]) != ("abroad_other", FUND) else {**v, "value": "0.0041"}
                          for v in document["values"]]
    dataset = import_document(store, document)
    pdf = tmp_path / "adjust.pdf"
    build_document(dataset, pdf, forms=[FORM])
    # 0.004 + 0.0041 = 0.0081 prints 0.01; the larger part (0.0041) carries the 0.01 so the parts add up.
    assert amounts_on(pdf, "一、因公出国（境）费")[1] == "0.01"
    assert amounts_on(pdf, "其中：教学科研人员因公出国（境）费")[1] == "0.00"
    assert amounts_on(pdf, "其他因公出国（境）费")[1] == "0.01"
    assert dataset.value(FORM, "abroad", FUND) == Decimal("0.0081")  # the data is untouched


def test_a_remainder_rule_that_is_not_one_of_the_two_is_refused(monkeypatch, tmp_path):
    import json

    from app.base import paths

    (tmp_path / "printing.json").write_text(json.dumps(
        {"rounding_remainder": {"default": "keep_parts", "forms": {FORM: "round_somehow"}}}), encoding="utf-8")
    monkeypatch.setattr(remainder_module, "resource", lambda name: tmp_path / name)
    remainder_module._settings.cache_clear()
    try:
        with pytest.raises(InputError, match="round_somehow"):
            remainder_module.remainder_rule(FORM)
    finally:
        remainder_module._settings.cache_clear()
    assert paths.resource("printing.json").exists()


# ---- the exact figure travels: Excel, packages ------------------------------------------------------
def test_excel_round_trip_keeps_80_653_exact_and_shows_two_decimals(store, tmp_path):
    from app.exchange.excel import export_workbook, import_workbook, read_workbook, source_from_dataset
    from app.store.service import Store

    dataset = import_document(store, with_values({(FORM, PURCHASE, FUND): "80.653"}))
    path = export_workbook(source_from_dataset(dataset), tmp_path / "exact.xlsx")
    book = openpyxl.load_workbook(path)
    # The cell holds the number Excel holds when 80.653 is typed (not 80.65), and shows two decimals.
    found = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, float) and cell.value == 80.653]
    assert found and all(cell.number_format == "#,##0.00" for cell in found)
    fresh = Store(str(tmp_path / "fresh.sqlite3"))
    try:
        back = import_workbook(fresh, read_workbook(fresh, path))
        assert str(back.value(FORM, PURCHASE, FUND)) == "80.653"
    finally:
        fresh.close()


def test_an_excel_cell_typed_as_text_is_read_with_the_workbooks_unit():
    from app.exchange.excel.grid import cell_amount

    assert str(cell_amount("80.653", "万元")) == "80.653"
    assert str(cell_amount(Decimal("80.65300000000001"), "万元")) == "80.653"  # a float's artefact, snapped
    assert str(cell_amount("1,206.65", "元")) == "1206.65"
    with pytest.raises(InputError, match="单位为元时最多录入 2 位小数"):
        cell_amount("80.653", "元")
    with pytest.raises(InputError, match="单位为万元时最多录入 6 位小数"):
        cell_amount(Decimal("80.6530004"), "万元")


def test_package_round_trip_keeps_80_653_exact(store, bureau, tmp_path, key_dir):
    from app.bureau import intake
    from app.exchange.package import writer

    dataset = import_document(store, with_values({(FORM, PURCHASE, FUND): "80.653", (FORM, OPERATION, FUND): "0.007"}))
    target = tmp_path / "exact.bdp"
    writer.export_package(dataset, target)
    intake.import_package(bureau, target)
    received = bureau.open_dataset("359", 2023)
    assert str(received.value(FORM, PURCHASE, FUND)) == "80.653"
    assert received.value(FORM, VEHICLE, FUND) == Decimal("80.660")


def test_the_bureaus_consolidation_sums_the_exact_figures(store):
    from app.bureau.consolidate import consolidate, consolidation_json

    import_document(store, with_values({(FORM, PURCHASE, FUND): "80.653"}))
    other = with_values({(FORM, PURCHASE, FUND): "0.0071"})
    other["unit"] = {**other["unit"], "code": "360", "name": "秦皇岛经济技术开发区档案馆"}
    other["unit"].pop("parent_code", None)
    import_document(store, other)
    result = consolidate(store, 2023, units=["359", "360"])
    assert result.view(FORM).value(PURCHASE, FUND) == Decimal("80.6601")
    rows = {row["key"]: row["values"] for row in consolidation_json(result)["forms"][FORM]}
    assert rows[PURCHASE][FUND] == "80.6601"


def test_a_self_evaluations_actual_spending_is_typed_to_the_fen(store):
    from dataclasses import replace

    from app import selfeval
    from tests.conftest import FIXTURES

    dataset = import_document(store, read_document(FIXTURES / "seed001_2020.json"))
    book = selfeval.SelfEvaluationBook(dataset)
    project = book.projects()[0]
    book.set_project(replace(project, budget="80.653", actual_total="80.04312"))  # 800,431.20 元 of 806,530 元
    stored = selfeval.SelfEvaluationBook(store.open_dataset("LG001", 2020)).project(project.project_name)
    assert (str(stored.budget), str(stored.actual_total)) == ("80.653", "80.04312")
    assert stored.rate == Decimal("99.24")  # 80.04312 / 80.653, rounded once
    exported = export_document(store.open_dataset("LG001", 2020))["self_evaluation"]["projects"][0]
    assert (exported["budget"], exported["actual_total"]) == ("80.653", "80.04312")
    book = selfeval.SelfEvaluationBook(store.open_dataset("LG001", 2020))
    book.set_project(replace(book.project(project.project_name), actual_total="80.04313"))  # one 分 more
    again = selfeval.SelfEvaluationBook(store.open_dataset("LG001", 2020)).project(project.project_name)
    assert str(again.actual_total) == "80.04313"


def test_a_projects_amount_field_holds_the_exact_figure_and_leaving_it_never_rounds(qtbot, window, store):
    from app.projects import ProjectBook

    tab = window.projects_tab
    window.tabs.setCurrentWidget(tab)
    tab.select_project("服务外包专项资金")
    amount = tab.edits["amount"]
    amount.setText("")
    type_text(qtbot, amount, "80.653")
    amount.editingFinished.emit()
    assert "80.65" in tab.list.currentItem().text()  # the list shows two decimals

    def stored():
        book = ProjectBook(store.open_dataset("359", 2023))
        return next(p for p in book.list_projects() if p.name == "服务外包专项资金").amount

    assert stored() == Decimal("80.653")
    tab.select_project("服务外包专项资金")
    assert amount.text() == "80.653"
    amount.editingFinished.emit()  # the clerk tabs through the field without changing it
    assert stored() == Decimal("80.653")


def test_checks_compare_exact_figures_and_name_a_difference_below_the_fen_exactly(seed_dataset):
    from app.checks.rules import check_dataset

    def t02(dataset) -> list[str]:
        return [f.message for f in check_dataset(dataset) if f.rule == "T02" and "2070699" in f.message]

    assert t02(seed_dataset) == []
    seed_dataset.set_cell("expenditure_summary", "2070699", "basic", "582.203")  # 0.003 万元 more than the income
    messages = t02(seed_dataset)
    assert messages and "合计 1016.53 与《支出总表》合计 1016.533" in messages[0] and "相差 0.003" in messages[0]
