"""No message shows a number as ``Decimal('…')`` (issue 22, item 10): absurd numbers typed at ``set`` or
written in a data file, as strings or as bare JSON numbers, come back in plain digits or words."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tests.conftest import SEED004, dump, run

ABSURD = ("1E+308", "-1E+308", "-0", "1e-9", "0.0000001", "1E-400", "NaN", "-Infinity", "9" * 40)


def _first_value() -> dict:
    return json.loads(SEED004.read_text(encoding="utf-8"))["values"][0]


@pytest.mark.parametrize("number", ABSURD)
def test_set_shows_no_decimal_repr(seeded_db, capsys, number):
    cell = _first_value()
    code, out, err = run(capsys, "--db", str(seeded_db), "set", "--unit", "359", "--year", "2023", "--",
                         cell["form"], cell["row"], cell["column"], number)
    assert "Decimal(" not in out + err and "Traceback" not in err, err
    if number == "-0":  # a plain 0, not -0.00
        assert code == 0 and "= 0.00" in out + err and "-0.00" not in out + err, (out, err)
    else:
        assert code == 2, (number, out, err)


@pytest.mark.parametrize("number", ABSURD)
def test_a_data_file_with_absurd_numbers_shows_no_decimal_repr(tmp_path, capsys, number):
    document = json.loads(SEED004.read_text(encoding="utf-8"))
    text = json.dumps(document, ensure_ascii=False)
    db = ["--db", str(tmp_path / "d.sqlite3")]
    for place, variant in (
        ("value as a string", text.replace(f'"value": "{document["values"][0]["value"]}"', f'"value": "{number}"', 1)),
        ("value as a JSON number", text.replace(f'"value": "{document["values"][0]["value"]}"', f'"value": {number}', 1)),
        ("project amount as a JSON number", text.replace(f'"amount": "{document["projects"][0]["amount"]}"',
                                                         f'"amount": {number}', 1)),
        ("project amount as a string", text.replace(f'"amount": "{document["projects"][0]["amount"]}"',
                                                    f'"amount": "{number}"', 1)),
    ):
        if variant == text:
            continue
        path = tmp_path / "d.json"
        path.write_text(variant, encoding="utf-8")
        _code, out, err = run(capsys, *db, "import-json", str(path), "--replace")
        assert "Decimal(" not in out + err and "Traceback" not in err, (place, err)


@pytest.mark.parametrize("number", [1e308, -1e308, -0.0, 1e-9, 5e-324])
def test_a_workbook_cell_with_an_absurd_number_shows_no_decimal_repr(seeded_db, tmp_path, capsys, number):
    workbook_path = tmp_path / "e.xlsx"
    assert run(capsys, "--db", str(seeded_db), "export-xlsx", "--unit", "359", "--year", "2023",
               "--out", str(workbook_path))[0] == 0
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["收入总表"]
    cell = next(c for row in sheet.iter_rows() for c in row
                if c.data_type == "n" and isinstance(c.value, (int, float)) and c.value)
    cell.value = number
    workbook.save(tmp_path / "odd.xlsx")
    before = dump(seeded_db)
    code, out, err = run(capsys, "--db", str(seeded_db), "import-xlsx", str(tmp_path / "odd.xlsx"), "--replace")
    assert "Decimal(" not in out + err and "Traceback" not in err, err
    if code != 0:
        assert dump(seeded_db) == before
