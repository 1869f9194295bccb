"""The seed-004 fixture (秦皇岛经济技术开发区融媒体中心, 2023) reproduces the published tables."""

import json
from decimal import Decimal

from app.exchange.interchange import dumps, export_document
from tests.conftest import SEED004

D = Decimal


def test_published_totals(seed_dataset):
    ds = seed_dataset
    assert ds.value("expenditure_summary", "total", "total") == D("1206.65")
    assert ds.value("expenditure_summary", "total", "basic") == D("772.32")
    assert ds.value("expenditure_summary", "total", "project") == D("434.33")
    assert ds.value("expenditure_summary", "207", "basic") == D("582.20")
    assert ds.value("expenditure_summary", "20805", "total") == D("101.87")
    assert ds.value("income_summary", "total", "total") == D("1206.65")
    assert ds.value("income_summary", "210", "current_subtotal") == D("53.34")
    basic = "general_budget_basic_expenditure"
    assert ds.value(basic, "total", "total") == D("772.32")
    assert ds.value(basic, "total", "personnel") == D("735.73")
    assert ds.value(basic, "total", "public") == D("36.59")
    assert ds.value(basic, "301", "total") == D("691.28")
    assert ds.value(basic, "303", "personnel") == D("44.45")
    assert ds.value("three_public_expenses", "total", "total") == D("9.31")
    assert ds.value("three_public_expenses", "vehicle", "general_budget") == D("8.88")
    assert ds.value("general_budget_expenditure", "total", "total") == D("1206.65")


def test_derived_summary_tables(seed_dataset):
    ds = seed_dataset
    summary = "income_expenditure_summary"
    assert ds.value(summary, "inc_general_budget", "amount") == D("1206.65")
    assert ds.value(summary, "income_total", "amount") == D("1206.65")
    assert ds.value(summary, "exp_207", "amount") == D("1016.53")
    assert ds.value(summary, "exp_208", "amount") == D("101.87")
    assert ds.value(summary, "exp_210", "amount") == D("53.34")
    assert ds.value(summary, "exp_221", "amount") == D("34.91")
    assert ds.value(summary, "exp_201", "amount") is None
    assert ds.value(summary, "income_grand_total", "amount") == ds.value(summary, "expenditure_grand_total", "amount")
    assert ds.value(summary, "expenditure_grand_total", "amount") == D("1206.65")
    fiscal = "fiscal_income_expenditure_summary"
    assert ds.value(fiscal, "inc_general_budget", "amount") == D("1206.65")
    assert ds.value(fiscal, "exp_207", "total") == D("1016.53")
    assert ds.value(fiscal, "exp_207", "general_budget") == D("1016.53")
    assert ds.value(fiscal, "income_grand_total", "amount") == D("1206.65")
    assert ds.value(fiscal, "expenditure_grand_total", "total") == D("1206.65")
    assert ds.view("government_fund_expenditure").is_empty()


def test_fixture_round_trips_unchanged(seed_dataset):
    original = json.loads(SEED004.read_text(encoding="utf-8"))
    exported = json.loads(dumps(export_document(seed_dataset)))
    assert exported == original


def test_values_survive_reopening_the_database(store, seed_dataset, db_path):
    from app.store.service import Store

    seed_dataset.set_cell("three_public_expenses", "abroad_other", "general_budget", "1.20")
    store.close()
    reopened = Store(str(db_path)).open_dataset("359", 2023)
    assert reopened.value("three_public_expenses", "total", "total") == D("10.51")
    assert reopened.entered_values() == seed_dataset.entered_values()


def test_rows_are_named_as_the_printed_form_names_them(seed_dataset):
    workbook = seed_dataset.workbook
    assert workbook.row_title("expenditure_summary", "total") == "合计"
    assert workbook.row_title("expenditure_summary", "2070699") == "2070699 其他新闻出版电影支出"
    assert workbook.row_title("three_public_expenses", "reception") == "三、公务接待费"
    assert workbook.row_title("general_budget_basic_expenditure", "30201") == "30201 办公费"
