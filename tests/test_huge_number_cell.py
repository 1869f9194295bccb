"""An xlsx number cell of 1e308 is refused naming the cell, in plain words (issue 22, item 10): no
generic "意外问题", no ``Decimal(...)`` in the message, nothing imported."""

from __future__ import annotations

import openpyxl

from tests.conftest import dump, run


def test_a_1e308_cell_is_named(seeded_db, tmp_path, capsys):
    workbook_path = tmp_path / "e.xlsx"
    assert run(capsys, "--db", str(seeded_db), "export-xlsx", "--unit", "359", "--year", "2023",
               "--out", str(workbook_path))[0] == 0
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["收入总表"]
    cell = next(c for row in sheet.iter_rows() for c in row
                if c.data_type == "n" and isinstance(c.value, (int, float)) and c.value)
    cell.value = 1e308
    workbook.save(tmp_path / "big.xlsx")
    before = dump(seeded_db)
    code, _out, err = run(capsys, "--db", str(seeded_db), "import-xlsx", str(tmp_path / "big.xlsx"), "--replace")
    assert code == 2, err
    assert f"收入总表!{cell.coordinate}" in err and "过大" in err
    assert "Decimal(" not in err and "意外" not in err
    assert dump(seeded_db) == before
