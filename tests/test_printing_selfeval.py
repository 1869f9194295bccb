"""Printing the 绩效自评 forms: the seed-003 figures on the page, the seed-001 grouped header on every page."""

from dataclasses import replace

import pytest

from app import selfeval
from app.base.jsondoc import read_document
from app.exchange.interchange import import_document
from app.printing.document import build_document, printable_items
from app.store.service import Store
from tests.conftest import FIXTURES
from tests.test_printing import Pdf


@pytest.fixture()
def store():
    store = Store("sqlite://")
    yield store
    store.close()


def test_seed003_prints_with_the_published_rates_and_total(store, tmp_path):
    dataset = import_document(store, read_document(FIXTURES / "seed003_2020.json"))
    path = tmp_path / "dept.pdf"
    result = build_document(dataset, path, forms=["department_self_evaluation"])
    pdf = Pdf(path)
    text = pdf.running_text()
    for figure in ("181.03万元", "566.57万元", "312.97%", "105.37%", "848.63%", "113.84万元"):
        assert figure in text
    assert "2020年部门整体支出绩效自评表" in text and "浏阳市文化产业园管理委员会" in text
    assert "预算编审管理（3）" in text and "满意度指标（10）" in text
    last = pdf.page(result.pages)
    assert "总分10093" in last  # 总分: weights 100, scores 93
    assert "一级指标权重二级指标三级指标年度指标值全年完成值自评得分偏差及原因分析" in last


def test_the_wide_project_table_repeats_its_grouped_header_on_every_page(store, tmp_path):
    dataset = import_document(store, read_document(FIXTURES / "seed001_2020.json"))
    book = selfeval.SelfEvaluationBook(dataset)
    first = book.project("大芬双年展")  # long texts
    for number in range(2, 7):
        book.set_project(replace(first, project_name=f"大芬双年展{number}"))
    path = tmp_path / "projects.pdf"
    result = build_document(dataset, path, forms=["self_evaluation"])
    assert result.pages >= 2
    pdf = Pdf(path)
    for page in range(1, result.pages + 1):
        text = pdf.page(page)
        assert "实际支出金额" in text and "其中：财政拨款" in text and "一般公共预算" in text
        assert "产出目标" in text and "效益目标" in text and "可持续影响指标" in text
    running = pdf.running_text()
    assert "98.98%" in running and "100.00%" in running
    assert "99.24%" not in running  # 其他一般管理事务 prints its stated 99% (the seed's), not the computed rate
    assert "2020年深圳市龙岗区文化产业促进中心部门预算项目绩效自评表" in running


def test_both_forms_are_printable_choices():
    ids = [item_id for item_id, _title in printable_items()]
    assert "self_evaluation" in ids and "department_self_evaluation" in ids


def test_cli_prints_both_forms(store, tmp_path, capsys):
    from app.cli import main as cli

    db = tmp_path / "db.sqlite3"
    assert cli.main(["--db", str(db), "import-json", str(FIXTURES / "seed003_2020.json")]) == 0
    out = tmp_path / "both.pdf"
    code = cli.main(["--db", str(db), "print", "--unit", "LY003", "--year", "2020", "--forms",
                     "self_evaluation,department_self_evaluation", "--out", str(out)])
    assert code == 0
    text = Pdf(out).running_text()
    assert "项目绩效自评表" in text and "（未填写）" in text and "848.63%" in text
