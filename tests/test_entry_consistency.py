"""Issue 25 item 5: one rule for a 指标值 in words with no comparator — stored as 定性 — in the editor,
Excel import and JSON import (docs/interchange.md), so the checks see it as seed 002's clerk meant it."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from sqlalchemy import update

from app.checks.rules import check_dataset
from app.exchange.excel import export_workbook, import_workbook, read_workbook, source_from_dataset
from app.exchange.interchange import export_document, import_document
from app.projects import ProjectBook
from app.store.service import Store
from db import models
from tests.conftest import SEED004
from tests.qt_helpers import type_text
from tests.test_gui_clerk_day import click_cell, indicator_editor_with_value

SEED002_ROWS = [  # (三级指标, 年度指标值 as the clerk of seed 002 wrote it, with the comparator left empty)
    ("户外音乐季活动场次", "≥10场"),
    ("户外音乐季活动时间", "1个季度内"),
    ("“蒲公英”宣讲团开展宣讲", "开展4次主题宣讲"),
    ("户外音乐季群众满意度", "100%"),  # a bare figure: the comparator stays empty
]


def _document() -> dict:
    document = json.loads(SEED004.read_text(encoding="utf-8"))
    for key in ("projects", "overall_targets", "procurement", "assets"):
        document.pop(key)
    document["projects"] = [{"name": "文化工作经费", "amount": "228.69", "indicators": [
        {"level1": "1", "level2": "11", "name": name, "comparator": "", "value": value, "unit": ""}
        for name, value in SEED002_ROWS]}]
    return document


def test_json_import_stores_words_without_a_comparator_as_qualitative_and_checks_them(tmp_path):
    store = Store(str(tmp_path / "json.sqlite3"))
    try:
        dataset = import_document(store, _document())
        stored = ProjectBook(dataset).list_projects()[0].indicators
        assert [(i.comparator, i.value) for i in stored] == [
            ("定性", "≥10场"), ("定性", "1个季度内"), ("定性", "开展4次主题宣讲"), ("", "100%")]
        # the file written back says so, and the numeric check now sees “≥10场” (a figure typed as words)
        exported = export_document(dataset)["projects"][0]["indicators"]
        assert [row["comparator"] for row in exported][:3] == ["定性"] * 3
        p12 = [f for f in check_dataset(dataset) if f.rule == "P12"]
        assert len(p12) == 1 and "“户外音乐季活动场次”" in p12[0].message and "是数字却按定性指标填写" in p12[0].message
    finally:
        store.close()


def test_words_an_older_database_kept_without_a_comparator_are_checked_as_qualitative(tmp_path):
    store = Store(str(tmp_path / "old.sqlite3"))
    try:
        dataset = import_document(store, _document())
        with store.Session() as session, session.begin():  # as a database written before this rule holds it
            session.execute(update(models.Indicator).values(comparator="").where(models.Indicator.comparator == "定性"))
        assert {i.comparator for i in ProjectBook(dataset).list_projects()[0].indicators} == {""}
        p12 = [f for f in check_dataset(dataset) if f.rule == "P12"]
        assert len(p12) == 1 and "“户外音乐季活动场次”" in p12[0].message and "是数字却按定性指标填写" in p12[0].message
    finally:
        store.close()


def test_excel_import_reads_a_time_limit_in_words_as_qualitative(seed_dataset, tmp_path):
    path = export_workbook(source_from_dataset(seed_dataset), tmp_path / "seed.xlsx")
    first = ProjectBook(seed_dataset).list_projects()[0]
    book = openpyxl.load_workbook(path)
    sheet = next(ws for ws in book if ws.title.startswith("绩效-")
                 and any(c.value == first.name for row in ws.iter_rows(max_row=4) for c in row))
    header = next(c for row in sheet.iter_rows() for c in row if c.value == "指标值")
    sheet.cell(row=header.row + 1, column=header.column, value="1个季度内")
    sheet.cell(row=header.row + 2, column=header.column, value="开展4次主题宣讲")
    book.save(path)
    fresh = Store(str(tmp_path / "fresh.sqlite3"))
    try:
        imported = import_workbook(fresh, read_workbook(fresh, path))
        project = next(p for p in ProjectBook(imported).list_projects() if p.name == first.name)
        assert [(i.comparator, i.value, i.unit) for i in project.indicators[:2]] == [
            ("定性", "1个季度内", ""), ("定性", "开展4次主题宣讲", "")]
    finally:
        fresh.close()


def type_into_cell(qtbot, table, text: str) -> None:
    """The first key opens the cell's editor (as a clerk's typing does); the rest goes into it."""
    table.window().activateWindow()  # a drop-down's popup took the activation; the clerk's click brings it back
    table.setFocus()
    type_text(qtbot, table, text[0])
    editor = table.findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    type_text(qtbot, editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_editor_keeps_words_qualitative_when_the_clerk_clears_the_comparator(qtbot, window, store):
    _tab, editor = indicator_editor_with_value(qtbot, window)
    model, table = editor.model, editor.table
    value = next(i for i, c in enumerate(model.columns) if c.key == "value")
    comparator = next(i for i, c in enumerate(model.columns) if c.key == "comparator")

    def stored():
        book = ProjectBook(store.open_dataset("359", 2023))
        indicator = next(p for p in book.list_projects() if p.name == "鼠标项目").indicators[0]
        return indicator.comparator, indicator.value, indicator.unit

    # typed into the cell as published: a time limit in words, not 1 of a unit “个季度内”
    click_cell(qtbot, table, model.index(0, value))
    type_into_cell(qtbot, table, "1个季度内")
    QApplication.processEvents()
    assert stored() == ("定性", "1个季度内", "")

    # the clerk picks （无） in the 比较 drop-down: words stay 定性, and the line under the grid says why
    click_cell(qtbot, table, model.index(0, comparator), double=True)
    combo = table.findChild(QComboBox, "choice_comparator")
    assert combo is not None and combo.isVisible()
    combo.showPopup()
    popup = combo.view()
    popup.setCurrentIndex(popup.model().index(combo.findText("（无）"), 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert stored() == ("定性", "1个季度内", "")
    assert model.index(0, comparator).data() == "定性"
    assert "已按“定性”保存" in editor.message.text()
    assert editor.message.property("role") == "muted"  # what was done, not shown as a refusal

    # a bare figure keeps an empty comparator
    click_cell(qtbot, table, model.index(0, value))
    type_into_cell(qtbot, table, "100%")
    QApplication.processEvents()
    click_cell(qtbot, table, model.index(0, comparator), double=True)
    combo = table.findChild(QComboBox, "choice_comparator")
    combo.showPopup()
    combo.view().setCurrentIndex(combo.view().model().index(combo.findText("（无）"), 0))
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    QApplication.processEvents()
    assert stored() == ("", "100", "%")
    assert Decimal(stored()[1]) == 100
