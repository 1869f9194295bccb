"""Code-list import: bounded reading (csv, xlsx zip directory, cells, rows), Excel's row numbers in
messages, text rules, and the refusal of a list that would orphan the codes of an entered dataset."""

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.base.errors import InputError
from app.domain.codes import default_shipped_table
from tests.conftest import SEED004, dump, run


def codes_import(capsys, db, path, kind="function", edition="2023", *extra):
    return run(capsys, "--db", str(db), "codes", "import", str(path), "--kind", kind, "--edition", edition, *extra)


def shipped_rows(kind: str, year: int = 2023) -> list[tuple[str, str]]:
    return [(item.code, item.name) for item in default_shipped_table(kind, year).items.values()]


def write_xlsx(path: Path, rows, title: str = "功能分类") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


# ---- orphaned codes -------------------------------------------------------------------------------

def test_a_three_code_list_for_a_year_in_use_is_refused_listing_the_orphans(capsys, tmp_path, seeded_db):
    path = tmp_path / "three.csv"
    path.write_text("编码,名称\n201,一般公共服务支出\n20101,人大事务\n2010101,行政运行\n", encoding="utf-8")
    before = dump(seeded_db)
    code, _, err = codes_import(capsys, seeded_db, path)
    assert code == 2 and "Traceback" not in err
    assert "359 秦皇岛经济技术开发区融媒体中心 2023 年度：2070699、2080502、2080505" in err and "（7 个）" in err
    assert "未导入" in err
    assert dump(seeded_db) == before
    _, out, _ = run(capsys, "--db", str(seeded_db), "codes", "show", "--kind", "function", "--year", "2023", "--json")
    assert json.loads(out)["edition"] == "2023" and len(json.loads(out)["items"]) > 1000
    # The dataset's own export still imports.
    exported = tmp_path / "359.json"
    run(capsys, "--db", str(seeded_db), "export-json", "--unit", "359", "--year", "2023", "--out", str(exported))
    assert run(capsys, "--db", str(seeded_db), "import-json", str(exported), "--replace")[0] == 0


def test_many_orphans_are_shown_up_to_twenty_then_counted(capsys, tmp_path, seeded_db):
    path = tmp_path / "economic.csv"
    path.write_text("编码,名称\n399,其他支出\n39999,其他支出\n", encoding="utf-8")
    before = dump(seeded_db)
    code, _, err = codes_import(capsys, seeded_db, path, "economic")
    assert code == 2
    line = next(line for line in err.splitlines() if line.startswith("359 "))
    assert line.count("、") == 19 and line.rstrip().endswith("个") and " 等 " in line
    assert dump(seeded_db) == before


def test_a_complete_list_for_the_year_in_use_imports(capsys, tmp_path, seeded_db):
    path = tmp_path / "full.csv"
    path.write_text("编码,名称\n" + "".join(f"{code},{name}\n" for code, name in shipped_rows("function")),
                    encoding="utf-8")
    code, _, err = codes_import(capsys, seeded_db, path)
    assert code == 0, err
    _, out, _ = run(capsys, "--db", str(seeded_db), "codes", "show", "--kind", "function", "--year", "2023", "--json")
    assert json.loads(out)["title"].startswith("2023年")


def test_a_short_list_for_a_year_without_data_imports(capsys, tmp_path, seeded_db):
    path = tmp_path / "three.csv"
    path.write_text("编码,名称\n201,一般公共服务支出\n20101,人大事务\n", encoding="utf-8")
    assert codes_import(capsys, seeded_db, path, "function", "2026")[0] == 0


def test_orphaned_codes_include_project_function_codes(store):
    from app.domain.code_editions import orphaned_codes
    from app.exchange.interchange import import_document

    document = json.loads(SEED004.read_text(encoding="utf-8"))
    document["projects"][0]["function_code"] = "2010101"
    import_document(store, document)
    full = set(default_shipped_table("function", 2023).items)
    assert orphaned_codes(store, "function", 2023, full) == {}
    found = orphaned_codes(store, "function", 2023, full - {"2010101", "2070699"})
    assert found == {"359 秦皇岛经济技术开发区融媒体中心 2023 年度": ["2010101", "2070699"]}
    assert orphaned_codes(store, "function", 2024, set()) == {}
    with pytest.raises(InputError, match="2010101"):
        store.import_code_edition("function", "2023", [(c, n, None) for c, n in shipped_rows("function")
                                                       if c not in ("2010101", "2070699")])


def test_replacing_an_edition_other_years_use_checks_those_years_too(store):
    """Re-importing edition 2024 for 2024 deletes the stored edition 2024, whose link 2023 also used
    (the database cascades), so 2023 falls back to the shipped list: a code only the imported edition
    had is orphaned in 2023's dataset, and the import is refused."""
    from app.domain.code_editions import orphaned_codes
    from app.exchange.interchange import import_document

    import_document(store, json.loads(SEED004.read_text(encoding="utf-8")))
    full = [(code, name, None) for code, name in shipped_rows("function")]
    extra = [("298", "新增类", None), ("29801", "新增款", None), ("2980101", "新增科目", None)]
    store.import_code_edition("function", "2024", full + extra, year=2023)
    assert store.code_tables(2023)["function"].edition == "2024"
    store.open_dataset("359", 2023).add_row("expenditure_summary", "2980101")
    new_codes = {code for code, _name, _attr in full + extra}
    assert orphaned_codes(store, "function", 2024, new_codes) == {}  # 2024 alone has no dataset
    assert orphaned_codes(store, "function", 2024, new_codes, edition="2024") == {
        "359 秦皇岛经济技术开发区融媒体中心 2023 年度": ["2980101"]}
    with pytest.raises(InputError, match="2980101"):
        store.import_code_edition("function", "2024", full + extra, year=2024)
    assert store.code_tables(2023)["function"].edition == "2024"


# ---- bounded reading ------------------------------------------------------------------------------

def test_xlsx_whose_parts_expand_beyond_the_bound_is_refused_before_openpyxl(capsys, tmp_path, seeded_db,
                                                                            monkeypatch):
    import openpyxl

    def never(*_args, **_kwargs):
        raise AssertionError("openpyxl must not open a refused archive")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "<sst><si><t>" + "名" * (6 << 20) + "</t></si></sst>")
    assert path.stat().st_size < 200 * 1024  # small on disk, 18 MB expanded
    before = dump(seeded_db)
    code, _, err = codes_import(capsys, seeded_db, path)
    assert code == 2 and "xl/sharedStrings.xml" in err and "超过 16 MB" in err and "Traceback" not in err
    assert dump(seeded_db) == before


def test_xlsx_total_expanded_size_is_bounded(tmp_path, monkeypatch):
    import app.exchange.codes_io
    from app.exchange.codes_io import read_code_file

    monkeypatch.setattr(app.exchange.codes_io, "XLSX_MAX_TOTAL_BYTES", 4096)
    path = write_xlsx(tmp_path / "a.xlsx", [("编码", "名称"), (201, "一般公共服务支出")])
    with pytest.raises(InputError, match="解压后共"):
        read_code_file(path, "function")


def test_xlsx_whose_directory_understates_a_part_is_refused(tmp_path):
    """Python's zip reader returns no more than the declared size, so a lie ends in a refusal."""
    from app.exchange.codes_io import read_code_file

    path = write_xlsx(tmp_path / "lie.xlsx", [("编码", "名称"), (201, "一般公共服务支出"), (20101, "人大事务")])
    data = bytearray(path.read_bytes())
    target = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == target:
            struct.pack_into("<I", data, at + 24, 40)  # uncompressed size in the central directory
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="不是有效的 Excel 工作簿"):
        read_code_file(path, "function")


def test_a_long_cell_is_refused_with_its_excel_row_and_column(capsys, tmp_path, seeded_db):
    path = write_xlsx(tmp_path / "long.xlsx", [("科目编码", "科目名称"), (201, "一般公共服务支出"), (),
                                               (20101, "人" * 30000)])
    before = dump(seeded_db)
    code, _, err = codes_import(capsys, seeded_db, path, "function", "2026")
    assert code == 2 and "工作表“功能分类”第 4 行 B 列的内容有 30000 个字" in err
    assert dump(seeded_db) == before


def test_too_many_rows_are_refused(tmp_path, monkeypatch):
    import app.exchange.codes_io
    from app.exchange.codes_io import read_code_file

    monkeypatch.setattr(app.exchange.codes_io, "MAX_CODE_ROWS", 5)
    path = tmp_path / "many.csv"
    path.write_text("编码,名称\n" + "".join(f"{200 + i},类{i}\n" for i in range(1, 10)), encoding="utf-8")
    with pytest.raises(InputError, match="超过 5 行"):
        read_code_file(path, "function")


def test_an_oversized_csv_field_is_refused_not_a_traceback(capsys, tmp_path, seeded_db):
    path = tmp_path / "field.csv"
    path.write_text('编码,名称\n201,"' + "名" * 200_000 + '"\n', encoding="utf-8")
    code, _, err = codes_import(capsys, seeded_db, path, "function", "2026")
    assert code == 2 and "第 2 行" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_an_endless_csv_stream_is_refused_before_it_is_opened(tmp_path):
    """A FIFO is not a file a person hands over: refused before opening (issue 22), so no writer is needed
    and nothing is read."""
    from app.exchange.codes_io import read_code_file

    fifo = tmp_path / "endless.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="不是普通文件"):
        read_code_file(fifo, "function")


# ---- Excel's row numbers and the text rules -------------------------------------------------------

def test_problems_name_the_row_as_excel_shows_it(capsys, tmp_path, seeded_db):
    path = write_xlsx(tmp_path / "rows.xlsx", [
        ("说明：2026 年功能分类",),     # row 1: a title line
        ("科目编码", "科目名称"),       # row 2: the header
        (201, "一般公共服务支出"),      # row 3
        (),                             # row 4: empty
        (20101, "人大\u200b事务"),      # row 5: zero-width space in the name
        ("20102\u202e", "政协事务"),    # row 6: direction override in the code
        (2010101, ""),                  # row 7: no name
        (2010101, "行政运行"),          # row 8: duplicate of row 7
    ])
    code, _, err = codes_import(capsys, seeded_db, path, "function", "2026")
    assert code == 2
    assert "工作表“功能分类”第 5 行：科目编码 20101 的科目名称“人大<U+200B>事务”的第 3 个字符是零宽空格" in err
    assert "工作表“功能分类”第 6 行：科目编码“20102<U+202E>”的第 6 个字符是从右至左覆盖符" in err
    assert "工作表“功能分类”第 7 行：科目编码 2010101 缺少科目名称" in err
    assert "工作表“功能分类”第 8 行：科目编码 2010101 重复（工作表“功能分类”第 7 行已有）" in err


def test_csv_rows_are_numbered_as_excel_opens_them(tmp_path):
    from app.exchange.codes_io import read_code_file

    path = tmp_path / "multi.csv"
    path.write_text('编码,名称\n201,"一般公共\n服务支出"\n\n20101,"人大\x00事务"\n', encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_code_file(path, "function")
    assert "第 4 行：科目编码 20101 的科目名称" in str(refused.value) and "空字符 NUL" in str(refused.value)


def test_full_width_codes_in_a_list_are_normalised(store, tmp_path):
    from app.exchange.codes_io import read_code_file

    path = tmp_path / "fw.csv"
    path.write_text("编码,名称\n２０１,一般公共服务支出\n２０１０１,人大事务\n", encoding="utf-8")
    rows = read_code_file(path, "function")
    assert [row[0] for row in rows] == ["201", "20101"]
    table = store.import_code_edition("function", "2026", [("２０１", "一般公共服务支出", None), ("20101", "人大事务", None)])
    assert set(table.items) == {"201", "20101"}
    with pytest.raises(InputError, match="重复"):
        store.import_code_edition("function", "2027", [("201", "一", None), ("２０１", "一", None)])


def test_overlong_code_names_are_refused_by_the_core(store):
    with pytest.raises(InputError, match="科目名称过长：最多 200 个字"):
        store.import_code_edition("function", "2026", [("201", "名" * 201, None)])
    assert store.code_tables(2026)["function"].edition == "2023"


def test_xlsx_stored_dimension_is_not_trusted(tmp_path):
    """A sheet claiming A1:B2 but holding three rows is read whole."""
    from app.exchange.codes_io import read_code_file

    path = write_xlsx(tmp_path / "dim.xlsx", [("编码", "名称"), (201, "一般公共服务支出"), (20101, "人大事务")])
    data = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<dimension ref="A1:B3"/>', b'<dimension ref="A1:B2"/>')
            target.writestr(item, content)
    path.write_bytes(data.getvalue())
    assert [row[0] for row in read_code_file(path, "function")] == ["201", "20101"]


def test_edition_is_normalised_or_refused(store):
    table = store.import_code_edition("function", "２０２６", [("201", "一般公共服务支出", None)])
    assert table.edition == "2026" and store.code_tables(2026)["function"].edition == "2026"
    for edition in ("2026\u200b", "٢٠٢٦", "26", ""):
        with pytest.raises(InputError):
            store.import_code_edition("function", edition, [("201", "一般公共服务支出", None)])


@pytest.mark.skipif(not os.environ.get("BUDGETDESK_TEST_POSTGRES_URL"), reason="BUDGETDESK_TEST_POSTGRES_URL not set")
def test_orphan_refusal_on_postgres():
    from sqlalchemy import text

    from app.domain.code_editions import orphaned_codes
    from app.exchange.interchange import import_document
    from app.store.service import Store
    from db.models import Base

    store = Store(os.environ["BUDGETDESK_TEST_POSTGRES_URL"])
    try:
        document = json.loads(SEED004.read_text(encoding="utf-8"))
        document["projects"][0]["function_code"] = "2010101"
        import_document(store, document)
        found = orphaned_codes(store, "function", 2023, {"201", "20101"})
        assert found["359 秦皇岛经济技术开发区融媒体中心 2023 年度"][:3] == ["2010101", "2070699", "2080502"]
        with pytest.raises(InputError, match="2070699"):
            store.import_code_edition("function", "2023", [("201", "一般公共服务支出", None)])
        assert store.code_tables(2023)["function"].edition == "2023" and len(store.code_tables(2023)["function"].items) > 1000
    finally:
        with store.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        store.close()
