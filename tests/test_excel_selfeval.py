"""The 绩效自评 sheets of the Excel workbook: laid out like seeds 001 and 003, read back exactly (the
printed 执行率 texts aside: the workbook carries live formulas instead), bad cells refused by address."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from app import selfeval
from app.base.errors import InputError
from app.base.jsondoc import read_document
from app.exchange.excel import export_workbook, import_workbook, read_workbook, source_from_dataset
from app.exchange.interchange import import_document
from app.store.service import Store
from tests.conftest import FIXTURES


@pytest.fixture()
def both(tmp_path):
    store = Store(str(tmp_path / "source.sqlite3"))
    dataset = import_document(store, read_document(FIXTURES / "seed003_2020.json"))
    projects = selfeval.content_from_json(read_document(FIXTURES / "seed001_2020.json")["self_evaluation"], "万元").projects
    book = selfeval.SelfEvaluationBook(dataset)
    for project in projects:
        book.set_project(project)
    yield store, dataset
    store.close()


def without_stated_rates(content: selfeval.SelfEvaluationContent) -> selfeval.SelfEvaluationContent:
    department = replace(content.department, lines={key: replace(line, stated_rate="")
                                                    for key, line in content.department.lines.items()})
    return selfeval.SelfEvaluationContent([replace(p, stated_rate="") for p in content.projects], department)


def test_sheets_in_the_seeds_layouts(both, tmp_path):
    _store, dataset = both
    path = export_workbook(source_from_dataset(dataset), tmp_path / "se.xlsx")
    book = openpyxl.load_workbook(path)
    projects, department = book["项目绩效自评"], book["部门整体自评"]
    assert projects["A1"].value == "2020年浏阳市文化产业园管理委员会部门预算项目绩效自评表"
    assert projects["E3"].value == "实际支出金额" and projects["F4"].value == "其中：财政拨款"
    assert projects["F5"].value == "一般公共预算" and projects["L3"].value == "产出目标"
    assert projects["L4"].value == "数量指标" and projects["L5"].value == "年度指标内容"
    assert projects["C6"].value == "办公设备购置" and projects["I6"].value.startswith("=IF(")
    assert department["A4"].value == "整体支出规模" and department["G5"].number_format == "0.00%"
    assert department["C13"].value == "预算编审管理（3）"
    assert department["A13"].value == "投入管理指标"
    total_row = next(r for r in range(13, department.max_row + 1) if department.cell(r, 1).value == "总  分")
    assert department.cell(total_row, 7).value.startswith("=SUM(")


def test_round_trip_is_exact(both, tmp_path):
    _store, dataset = both
    path = export_workbook(source_from_dataset(dataset), tmp_path / "se.xlsx")
    fresh = Store(str(tmp_path / "fresh.sqlite3"))
    try:
        plan = read_workbook(fresh, path)
        again = import_workbook(fresh, plan)
        expected = without_stated_rates(selfeval.SelfEvaluationBook(dataset).content())
        assert selfeval.SelfEvaluationBook(again).content() == expected
        department = selfeval.SelfEvaluationBook(again).department()
        assert selfeval.format_rate(department.line("fiscal").rate) == "312.97%"
        assert selfeval.points_text(department.total_score) == "93"
    finally:
        fresh.close()


def test_bad_cells_are_refused_with_their_address(both, tmp_path):
    _store, dataset = both
    path = export_workbook(source_from_dataset(dataset), tmp_path / "se.xlsx")
    book = openpyxl.load_workbook(path)
    book["部门整体自评"]["G13"] = "三分"
    book["项目绩效自评"]["E6"] = "七点七八"
    book.save(path)
    fresh = Store(str(tmp_path / "fresh.sqlite3"))
    try:
        with pytest.raises(InputError) as error:
            read_workbook(fresh, Path(path))
        assert "部门整体自评!G13" in str(error.value) and "项目绩效自评!E6" in str(error.value)
        assert fresh.list_datasets() == []
    finally:
        fresh.close()
