"""The 基本支出测算: lines by economic code from 人员 × 车辆 × the standards (data, replaceable by a file),
each with its formula; ``budgetdesk estimate --json`` and ``--apply`` (through the door, audited 测算带入,
refused on a 已上报 dataset)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.base.errors import InputError
from app.base.paths import resource
from app.basic.book import BasicInfoBook
from app.basic.estimate import estimate_dataset
from app.basic.records import BasicInfo, StaffMember, Vehicle
from app.basic.standards import load_standards, parse_standards
from app.store.audit import history
from app.store.service import Store
from tests.conftest import dump, run

TEN = [StaffMember("在职行政", name=f"职工{i}", basic_pay=Decimal("5000")) for i in range(10)]
TWO_CARS = [Vehicle("一般公务用车"), Vehicle("一般公务用车", plate="冀C00001")]


def _roster(db: Path, info: BasicInfo) -> None:
    store = Store(str(db))
    try:
        BasicInfoBook(store.open_dataset("359", 2023)).replace(info)
    finally:
        store.close()


def _estimate(capsys, db: Path, *extra: str) -> dict:
    code, out, err = run(capsys, "--db", str(db), "estimate", "--unit", "359", "--year", "2023", "--json", *extra)
    assert code == 0, err
    return {line["code"]: line for line in json.loads(out)["lines"]}


def _standards_with(tmp_path: Path, change) -> Path:
    data = json.loads(resource("basic_standards.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "bureau_standards.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_ten_staff_at_5000_a_month_give_30101_sixty_wan(seeded_db, capsys):
    _roster(seeded_db, BasicInfo(TEN, []))
    lines = _estimate(capsys, seeded_db)
    assert lines["30101"]["amount"] == "60.00"  # 万元
    assert lines["30101"]["amount_yuan"] == "600000.00"
    assert lines["30101"]["formula"] == "在职行政基本工资：10 人 × 5,000 元 × 12 月"
    assert lines["30101"]["column"] == "personnel"
    # 基本养老 at the example's 16% of the base the standards name (基本工资 only here): 600,000 × 16%
    assert lines["30108"]["amount"] == "9.60"
    assert "基数 600,000 元" in lines["30108"]["formula"] and "× 16%" in lines["30108"]["formula"]
    assert lines["30108"]["parts"][0]["source"] == "示例，请以财政局文件为准"


def test_two_cars_give_30231_twice_the_quota(seeded_db, capsys):
    _roster(seeded_db, BasicInfo([], TWO_CARS + [Vehicle("一般公务用车", in_establishment=False)]))
    quota = load_standards().vehicle_per_vehicle["一般公务用车"]
    lines = _estimate(capsys, seeded_db)
    assert Decimal(lines["30231"]["amount_yuan"]) == 2 * quota  # the car outside the establishment is not counted
    assert lines["30231"]["formula"] == "一般公务用车：2 辆 × 20,000 元（每辆每年定额）"
    assert lines["30231"]["column"] == "public"


def test_a_rate_changed_in_the_standards_file_changes_the_301_lines(seeded_db, capsys, tmp_path, monkeypatch):
    _roster(seeded_db, BasicInfo(TEN, []))

    def raise_pension(data):
        for item in data["rated"]:
            if item["code"] == "30108":
                item["rate"] = "0.20"
                item["source"] = "县财政局 2023 年测算标准"
    path = _standards_with(tmp_path, raise_pension)
    lines = _estimate(capsys, seeded_db, "--standards", str(path))
    assert lines["30108"]["amount"] == "12.00" and "× 20%" in lines["30108"]["formula"]
    assert lines["30108"]["parts"][0]["source"] == "县财政局 2023 年测算标准"
    assert lines["30101"]["amount"] == "60.00"  # pay itself does not follow a rate
    monkeypatch.setenv("BUDGETDESK_STANDARDS", str(path))  # the setting, instead of --standards
    assert _estimate(capsys, seeded_db)["30108"]["amount"] == "12.00"


def test_a_standards_file_with_a_float_rate_is_refused(tmp_path, seeded_db, capsys):
    def float_rate(data):
        data["rated"][0]["rate"] = 0.16
    path = _standards_with(tmp_path, float_rate)
    with pytest.raises(InputError, match="带引号的数字文字"):
        load_standards(path)
    code, _out, err = run(capsys, "--db", str(seeded_db), "estimate", "--unit", "359", "--year", "2023",
                          "--standards", str(path))
    assert code != 0 and "测算标准文件" in err and "Traceback" not in err


def test_the_public_quota_splits_exactly_and_retirees_count(store, seed_dataset):
    staff = [*TEN[:3], StaffMember("退休", basic_pay=Decimal("3000.33")), StaffMember("离休")]
    BasicInfoBook(seed_dataset).replace(BasicInfo(staff, []))
    estimate = estimate_dataset(seed_dataset, load_standards())
    assert estimate.unit_class == "事业"  # seed 004's 单位性质
    split_total = sum((line.amount for line in estimate.lines if line.code.startswith("302")
                       and line.code not in ("30228", "30229")), Decimal(0))
    assert split_total == 3 * 20000 + 1000 + 3000  # 3 在职 × 事业 定额 + 退休 and 离休 公用经费
    retired = estimate.line("30302")
    assert retired is not None and retired.amount == Decimal("36003.96")  # 3,000.33 × 12, exact to the 分


def test_apply_writes_through_the_door_audited_as_estimate(seeded_db, capsys):
    _roster(seeded_db, BasicInfo(TEN, TWO_CARS))
    code, _out, err = run(capsys, "--db", str(seeded_db), "estimate", "--unit", "359", "--year", "2023", "--apply")
    assert code == 0, err
    store = Store(str(seeded_db))
    try:
        dataset = store.open_dataset("359", 2023)
        assert dataset.value("general_budget_basic_expenditure", "30101", "personnel") == Decimal("60.00")
        assert dataset.value("general_budget_basic_expenditure", "30231", "public") == Decimal("4.00")
        assert dataset.value("three_public_expenses", "vehicle_operation", "general_budget") == Decimal("4.00")
        rows = history(store, "359", 2023, source="测算带入")
        assert {(r.form, r.row) for r in rows} >= {("general_budget_basic_expenditure", "30101"),
                                                   ("three_public_expenses", "vehicle_operation")}
    finally:
        store.close()


def test_apply_is_refused_on_a_submitted_dataset(seeded_db, capsys):
    from tests.conftest import explain_all_findings

    _roster(seeded_db, BasicInfo(TEN, TWO_CARS))
    store = Store(str(seeded_db))
    try:
        dataset = store.open_dataset("359", 2023)
        explain_all_findings(dataset)
        dataset.set_status("submitted")
    finally:
        store.close()
    before = dump(seeded_db)
    code, _out, err = run(capsys, "--db", str(seeded_db), "estimate", "--unit", "359", "--year", "2023", "--apply")
    assert code != 0 and "已上报，不能修改" in err
    assert dump(seeded_db) == before


def test_the_shipped_standards_parse_and_every_figure_names_its_source():
    standards = parse_standards(json.loads(resource("basic_standards.json").read_text(encoding="utf-8")))
    assert standards.source == "示例，请以财政局文件为准"
    assert all(item.source for item in standards.rated)
    assert all(isinstance(item.rate, Decimal) for item in standards.rated)
    assert sum(share for _code, share in standards.public_split) == 1


def test_a_hint_where_typed_and_estimated_differ_beyond_the_threshold(store, seed_dataset):
    from app.checks.rules import check_dataset, set_explanation
    from app.store.editing import DatasetEditing

    assert not [f for f in check_dataset(seed_dataset) if f.rule == "B01"]  # no roster: nothing to compare
    BasicInfoBook(seed_dataset).replace(BasicInfo(TEN, []))
    hints = {f.anchor: f for f in check_dataset(seed_dataset) if f.rule == "B01"}
    hint = hints["30101"]  # seed 004 typed 350.01 万元; the roster gives 60.00
    assert hint.severity == "warning"
    assert "填报 350.01 万元，测算 60.00 万元" in hint.message and "10 人 × 5,000 元 × 12 月" in hint.message
    assert [(c.form, c.row, c.column) for c in hint.cells] == [("general_budget_basic_expenditure", "30101", "personnel")]
    set_explanation(seed_dataset, hint.key, "年中调资，按实际编制测算。")
    assert {f.anchor: f for f in check_dataset(seed_dataset) if f.rule == "B01"}["30101"].explanation
    estimate = estimate_dataset(seed_dataset, load_standards())
    DatasetEditing(seed_dataset).write_cells(estimate.changes(), source="测算带入")
    assert not [f for f in check_dataset(seed_dataset) if f.rule == "B01"]  # 带入: typed is the 测算
