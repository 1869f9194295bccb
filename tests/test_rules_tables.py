"""Every table rule passes on seed 004 and fails on a dataset made to break it."""

import json
import random

import pytest

from app.base.errors import ConflictError
from app.checks.rules import Checker, all_rules, check_dataset, rules_reading, set_explanation
from app.cli.main import main
from tests.conftest import SEED004, explain_all_findings


def rule_ids(findings):
    return sorted({finding.rule for finding in findings})


def test_seed004_has_no_errors(seed_dataset):
    findings = check_dataset(seed_dataset)
    assert not [finding for finding in findings if finding.severity == "error"]


BREAKERS = {
    "T01": [("expenditure_summary", "2101102", "basic", "30")],
    "T02": [("income_summary", "2210201", "fiscal_appropriation", "30")],
    "T03": [("income_summary", "2210201", "fiscal_appropriation", "30"),
            ("income_summary", "2210201", "other", "4.91")],
    "T04": [("general_budget_expenditure", "2080506", "basic", "10")],
    "T05": [("general_budget_expenditure", "2070699", "project", "500")],
    "T06": [("general_budget_basic_expenditure", "30201", "public", "3")],
    "T07": [("general_budget_basic_expenditure", "30101", "public", "1")],
    "T08": [("general_budget_basic_expenditure", "30201", "personnel", "1")],
    "T09": [("three_public_expenses", "reception", "general_budget", "0.50")],
    "T10": [("three_public_expenses", "vehicle_operation", "general_budget", "9")],
}


def test_every_table_rule_has_a_breaking_case():
    table_rules = {rule.id for rule in all_rules() if rule.assertion}
    assert table_rules == set(BREAKERS)


@pytest.mark.parametrize("rule_id", sorted(BREAKERS))
def test_rule_fails_on_a_broken_dataset(seed_dataset, rule_id):
    assert rule_id not in rule_ids(check_dataset(seed_dataset))
    for form, row, column, value in BREAKERS[rule_id]:
        seed_dataset.set_cell(form, row, column, value)
    findings = [finding for finding in check_dataset(seed_dataset) if finding.rule == rule_id]
    assert findings, rule_id
    finding = findings[0]
    assert finding.cells, "a finding must point at cells"
    expected = "warning" if rule_id in ("T09", "T10") else "error"
    assert finding.severity == expected


def test_messages_show_both_figures_and_the_difference(seed_dataset):
    seed_dataset.set_cell("general_budget_basic_expenditure", "30201", "public", "3")
    finding = next(f for f in check_dataset(seed_dataset) if f.rule == "T06")
    assert "772.32" in finding.message and "772.82" in finding.message and "0.50" in finding.message


def test_row_rules_report_the_deepest_failing_row(seed_dataset):
    seed_dataset.set_cell("income_summary", "2210201", "fiscal_appropriation", "30")
    anchors = [f.anchor for f in check_dataset(seed_dataset) if f.rule == "T02"]
    assert anchors == ["2210201"]
    finding = next(f for f in check_dataset(seed_dataset) if f.rule == "T02")
    assert {(c.form, c.row, c.column) for c in finding.cells} == {
        ("income_summary", "2210201", "total"), ("expenditure_summary", "2210201", "total")}


def test_incremental_checks_match_a_full_run(seed_dataset):
    checker = Checker(seed_dataset)
    checker.run_all()
    rng = random.Random(3)
    cells = [cell for changes in BREAKERS.values() for cell in changes]
    for _ in range(30):
        form, row, column, value = rng.choice(cells)
        value = None if rng.random() < 0.3 else value
        seed_dataset.set_cell(form, row, column, value)
        checker.after_edit([(form, row, column)])
        full = Checker(seed_dataset)
        full.run_all()
        assert [f.to_dict() for f in checker.findings()] == [f.to_dict() for f in full.findings()]


def test_dependency_index_is_narrow():
    # N03 compares each 三公 item with 上年数
    assert {rule.id for rule in rules_reading("three_public_expenses", "general_budget")} == {"T09", "T10", "N03"}
    assert "T09" not in {rule.id for rule in rules_reading("expenditure_summary", "basic")}
    assert "T01" in {rule.id for rule in rules_reading("income_summary", "other")}


def test_submission_is_refused_until_errors_fixed_and_warnings_explained(seed_dataset):
    seed_dataset.set_cell("three_public_expenses", "reception", "general_budget", "0.50")
    seed_dataset.set_cell("general_budget_basic_expenditure", "30201", "personnel", "1")
    with pytest.raises(ConflictError) as refused:
        seed_dataset.set_status("submitted")
    assert "T08" in str(refused.value) and "T09" in str(refused.value) and "缺少说明" in str(refused.value)
    seed_dataset.clear_cell("general_budget_basic_expenditure", "30201", "personnel")
    with pytest.raises(ConflictError, match="T09"):
        seed_dataset.set_status("submitted")
    warning = next(f for f in check_dataset(seed_dataset) if f.rule == "T09")
    set_explanation(seed_dataset, warning.key, "公务接待费含项目支出安排 0.07 万元。")
    with pytest.raises(ConflictError, match="P14"):  # seed 004's own target 提示 still need a 说明
        seed_dataset.set_status("submitted")
    explain_all_findings(seed_dataset)
    seed_dataset.set_status("submitted")
    assert seed_dataset.status == "submitted"
    explained = {f.rule: f.explanation for f in check_dataset(seed_dataset)}
    assert explained["T09"] == "公务接待费含项目支出安排 0.07 万元。" and explained["P14"] == "已核实。"


def test_check_cli_json_and_exit_codes(capsys, tmp_path):
    db = str(tmp_path / "check.sqlite3")
    assert main(["--db", db, "import-json", str(SEED004)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "check", "--unit", "359", "--year", "2023", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["unit"] == "359" and report["year"] == 2023
    assert all(f["severity"] == "warning" for f in report["findings"])
    main(["--db", db, "set", "general_budget_basic_expenditure", "30101", "public", "1", "--unit", "359", "--year", "2023"])
    capsys.readouterr()
    assert main(["--db", db, "check", "--unit", "359", "--year", "2023", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    t07 = next(f for f in report["findings"] if f["rule"] == "T07")
    assert t07["cells"] == [{"form": "general_budget_basic_expenditure", "row": "30101", "column": "public"}]
    assert set(t07) >= {"rule", "severity", "message", "cells", "explanation"}
    assert main(["--db", db, "status", "submitted", "--unit", "359", "--year", "2023"]) == 1
    assert "不能标记为已上报" in capsys.readouterr().err
