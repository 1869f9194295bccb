import json
import subprocess
import sys

import pytest

from app.cli.main import main
from tests.conftest import SEED004
from tests.test_forms import OFFICIAL_TITLES


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_forms_json_lists_every_form_with_rows_and_columns(capsys):
    code, out, _ = run(capsys, "forms", "--json")
    assert code == 0
    forms = json.loads(out)
    assert [form["title"] for form in forms] == OFFICIAL_TITLES
    by_id = {form["id"]: form for form in forms}
    assert by_id["general_budget_basic_expenditure"]["row_kind"] == "economic"
    assert by_id["income_summary"]["row_kind"] == "function"
    three = by_id["three_public_expenses"]
    assert three["row_kind"] == "fixed"
    assert {"key": "reception", "title": "三、公务接待费", "entered": True} in three["rows"]
    columns = {column["key"]: column for column in three["columns"]}
    assert columns["total"]["entered"] is False and columns["general_budget"]["entered"] is True
    assert columns["general_budget"]["title"] == "一般公共预算财政拨款"


def test_import_show_export_round_trip(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    assert run(capsys, "--db", db, "import-json", str(SEED004))[0] == 0
    code, out, _ = run(capsys, "--db", db, "show", "expenditure_summary", "--unit", "359", "--year", "2023", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["money_unit"] == "万元"
    total = shown["rows"][0]
    assert total["key"] == "total" and total["values"]["total"] == "1206.65"
    assert total["values"]["basic"] == "772.32" and total["values"]["operating"] is None
    out_file = tmp_path / "out.json"
    assert run(capsys, "--db", db, "export-json", "--unit", "359", "--year", "2023", "--out", str(out_file))[0] == 0
    assert json.loads(out_file.read_text(encoding="utf-8")) == json.loads(SEED004.read_text(encoding="utf-8"))
    code, out, _ = run(capsys, "--db", db, "show", "income_expenditure_summary", "--unit", "359", "--year", "2023", "--json")
    rows = {row["key"]: row["values"] for row in json.loads(out)["rows"]}
    assert rows["income_grand_total"]["amount"] == rows["expenditure_grand_total"]["amount"] == "1206.65"


def test_import_refuses_existing_dataset_without_replace(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    assert run(capsys, "--db", db, "import-json", str(SEED004))[0] == 0
    run(capsys, "--db", db, "set", "three_public_expenses", "reception", "general_budget", "0.50",
        "--unit", "359", "--year", "2023")
    code, _, err = run(capsys, "--db", db, "import-json", str(SEED004))
    assert code == 1 and "已存在" in err and "--replace" in err
    code, out, _ = run(capsys, "--db", db, "show", "three_public_expenses", "--unit", "359", "--year", "2023", "--json")
    assert json.loads(out)["rows"][0]["values"]["total"] == "9.38"
    assert run(capsys, "--db", db, "import-json", str(SEED004), "--replace")[0] == 0
    code, out, _ = run(capsys, "--db", db, "show", "three_public_expenses", "--unit", "359", "--year", "2023", "--json")
    assert json.loads(out)["rows"][0]["values"]["total"] == "9.31"


def _bad_documents():
    good = json.loads(SEED004.read_text(encoding="utf-8"))

    def variant(change):
        document = json.loads(json.dumps(good))
        change(document)
        return document

    return {
        "wrong format": variant(lambda d: d.update(format="something.else")),
        "future version": variant(lambda d: d.update(format_version=7)),
        "float value": variant(lambda d: d["values"][0].update(value=1.5)),
        "seven decimals": variant(lambda d: d["values"][0].update(value="1.5555555")),
        "three decimals in 元": variant(lambda d: (d.update(money_unit="元"), d["values"][0].update(value="1.555"))),
        "unknown form": variant(lambda d: d["values"].append({"form": "x", "row": "1", "column": "y", "value": "1"})),
        "computed cell": variant(lambda d: d["values"].append(
            {"form": "expenditure_summary", "row": "207", "column": "basic", "value": "1"})),
        "unknown code": variant(lambda d: d["values"].append(
            {"form": "expenditure_summary", "row": "2999999", "column": "basic", "value": "1"})),
        "bad year": variant(lambda d: d.update(year=1999)),
        "no unit name": variant(lambda d: d["unit"].pop("name")),
    }


@pytest.mark.parametrize("case", list(_bad_documents()))
def test_bad_documents_are_refused_and_change_nothing(capsys, tmp_path, case):
    db = str(tmp_path / "cli.sqlite3")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_bad_documents()[case], ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "import-json", str(path))
    assert code == 2
    assert "未导入" in err or "不是 BudgetDesk" in err or "不支持" in err
    code, out, _ = run(capsys, "--db", db, "units", "--json")
    assert json.loads(out) == []


def test_not_json_and_missing_file(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    garbage = tmp_path / "photo.json"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code, _, err = run(capsys, "--db", db, "import-json", str(garbage))
    assert code == 2 and "不是" in err
    code, _, err = run(capsys, "--db", db, "import-json", str(tmp_path / "missing.json"))
    assert code == 2 and "找不到文件" in err


def test_set_refuses_bad_input_with_exit_2(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    run(capsys, "--db", db, "import-json", str(SEED004))
    code, _, err = run(capsys, "--db", db, "set", "expenditure_summary", "2070699", "basic", "5八2",
                       "--unit", "359", "--year", "2023")
    assert code == 2 and "不是有效的金额" in err
    code, _, err = run(capsys, "--db", db, "set", "expenditure_summary", "total", "basic", "1",
                       "--unit", "359", "--year", "2023")
    assert code == 2 and "系统计算" in err
    code, _, err = run(capsys, "--db", db, "show", "expenditure_summary", "--unit", "404", "--year", "2023")
    assert code == 2 and "没有单位编码" in err
    code, out, _ = run(capsys, "--db", db, "show", "expenditure_summary", "--unit", "359", "--year", "2023", "--json")
    assert json.loads(out)["rows"][0]["values"]["basic"] == "772.32"


def test_usage_error_exit_code_and_module_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "app", "show"], capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 2 and "用法错误" in result.stderr
    result = subprocess.run([sys.executable, "-m", "app", "forms"], capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0 and "部门预算收支总表" in result.stdout


def test_codes_import_command(capsys, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    csv_path = tmp_path / "codes.csv"
    csv_path.write_text("编码,名称\n201,一般公共服务支出\n20101,人大事务\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "codes", "import", str(csv_path), "--kind", "function", "--edition", "2026")
    assert code == 0 and "2026 年度预算将使用此版本" in err
    code, out, _ = run(capsys, "--db", db, "codes", "show", "--kind", "function", "--year", "2026", "--json")
    assert json.loads(out)["edition"] == "2026"
    csv_path.write_text("编码,名称\n201,\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "codes", "import", str(csv_path), "--kind", "function", "--edition", "2027")
    assert code == 2 and "缺少科目名称" in err
