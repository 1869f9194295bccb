"""Excel workbooks out and in (app.exchange.excel): layout, formulas, round trip, tolerance and refusals."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from app.base.errors import ConflictError, InputError
from app.cli.main import main
from app.exchange.excel import (
    ExportSource,
    diff_against,
    export_workbook,
    import_workbook,
    read_workbook,
    safety,
    source_from_dataset,
)
from app.exchange.interchange import dumps, export_document
from tests.conftest import SEED004

INCOME = "收入总表"


@pytest.fixture
def seed_xlsx(seed_dataset, tmp_path) -> Path:
    return export_workbook(source_from_dataset(seed_dataset), tmp_path / "seed.xlsx")


def snapshot(store) -> str:
    return dumps(export_document(store.open_dataset("359", 2023)))


def code_row(ws, code: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=2).value == code:
            return row
    raise AssertionError(f"no row {code}")


def header_column(ws, title: str) -> int:
    for row in range(3, 6):
        for column in range(1, ws.max_column + 1):
            if ws.cell(row=row, column=column).value == title:
                return column
    raise AssertionError(f"no column {title}")


def edit(path: Path, change) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def round_trip(store_factory, path: Path) -> str:
    fresh = store_factory()
    plan = read_workbook(fresh, path)
    return dumps(export_document(import_workbook(fresh, plan)))


@pytest.fixture
def fresh_store(tmp_path):
    from app.store.service import Store

    stores = []

    def make():
        store = Store(str(tmp_path / f"fresh{len(stores)}.sqlite3"))
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


# ---- export ---------------------------------------------------------------------------------------

def test_sheets_have_official_short_titles_and_project_part(seed_xlsx, seed_dataset):
    book = openpyxl.load_workbook(seed_xlsx)
    names = book.sheetnames
    for name in ("单位信息", "收支总表", INCOME, "支出总表", "财政拨款收支总表", "基本支出表", "“三公”经费表",
                 "项目绩效目标汇总表", "部门整体绩效目标", "政府采购预算表", "固定资产占用情况表"):
        assert name in names
    assert len([n for n in names if n.startswith("绩效-")]) == 21
    assert all(len(name) <= 31 for name in names)
    assert len({name.lower() for name in names}) == len(names)


def test_form_sheet_layout_title_unit_line_merged_header_and_formulas(seed_xlsx):
    ws = openpyxl.load_workbook(seed_xlsx)[INCOME]
    assert ws["A1"].value == "部门预算收入总表"
    assert ws["A2"].value.startswith("359 秦皇岛经济技术开发区融媒体中心")
    texts = [c.value for c in ws[2] if c.value]
    assert "预算年度：2023" in texts and "单位：万元" in texts
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "B3:C3" in merged  # 功能分类科目 over 科目编码 / 科目名称
    assert "D3:D4" in merged  # 合计 spans down
    assert ws["A5"].value == "栏次"
    row = code_row(ws, "2070699")
    code = ws.cell(row=row, column=2)
    assert code.data_type == "s" and code.number_format == "@"
    fiscal = ws.cell(row=row, column=header_column(ws, "财政拨款收入"))
    assert fiscal.value == Decimal("1016.53") or fiscal.value == pytest.approx(1016.53)
    assert fiscal.number_format == "#,##0.00"
    assert ws.cell(row=row, column=header_column(ws, "事业收入")).value is None  # blanks blank
    total = ws.cell(row=6, column=4)
    assert ws.cell(row=6, column=3).value == "合计"
    assert total.data_type == "f" and "SUM(" in total.value
    parent = ws.cell(row=code_row(ws, "20706"), column=header_column(ws, "财政拨款收入"))
    assert parent.value.startswith("=") and f"F{row}" in parent.value
    assert ws.freeze_panes == "D6"
    assert ws.print_title_rows == "$1:$5" or ws.print_title_rows == "1:5"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_derived_tables_reference_their_source_sheets(seed_xlsx):
    ws = openpyxl.load_workbook(seed_xlsx)["收支总表"]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert any("'财政拨款收支总表'!" in f for f in formulas)
    assert any("'收入总表'!" in f for f in formulas)


def test_text_that_looks_like_a_formula_is_written_as_text(seed_dataset, tmp_path, fresh_store):
    from app.projects import ProjectBook

    book = ProjectBook(seed_dataset)
    first = book.list_projects()[0]
    book.update_project_fields(first.id, annual_goal="=HYPERLINK(\"http://x\",\"点击\")", manager="+1-2",
                               competent_department="@SUM(A1)")
    path = export_workbook(source_from_dataset(seed_dataset), tmp_path / "inject.xlsx")
    with zipfile.ZipFile(path) as package:
        sheets = [name for name in package.namelist() if name.startswith("xl/worksheets/sheet")]
        xml = "".join(package.read(name).decode("utf-8") for name in sheets)
    assert "HYPERLINK" not in xml.split("<f>")[-1] or all("HYPERLINK" not in part.split("</f>")[0]
                                                          for part in xml.split("<f>")[1:])
    ws = next(ws for ws in openpyxl.load_workbook(path) if ws.title.startswith("绩效-") and
              any(c.value == first.name for row in ws.iter_rows(max_row=4) for c in row))
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+@"]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    # and it comes back as the same text
    exported = round_trip(fresh_store, path)
    assert '"annual_goal": "=HYPERLINK(\\"http://x\\",\\"点击\\")"' in exported
    assert '"manager": "+1-2"' in exported


def test_generic_source_exports_summed_values_without_projects(seed_dataset, tmp_path):
    """The bureau's 汇总 is a Workbook of summed values: it exports with the same code."""
    from app.domain.compute import Workbook

    summed = Workbook(seed_dataset.codes, {key: value * 2 for key, value in seed_dataset.entered_values().items()})
    source = ExportSource(summed, seed_dataset.unit, 2023, "万元")
    path = export_workbook(source, tmp_path / "sum.xlsx", forms=["income_summary", "expenditure_summary"])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["单位信息", INCOME, "支出总表"]
    ws = book[INCOME]
    value = ws.cell(row=code_row(ws, "2070699"), column=header_column(ws, "财政拨款收入")).value
    assert Decimal(str(value)) == Decimal("2033.06")


# ---- round trip -----------------------------------------------------------------------------------

def test_seed004_round_trip_is_byte_identical(seed_dataset, seed_xlsx, fresh_store):
    expected = SEED004.read_text(encoding="utf-8")
    assert dumps(export_document(seed_dataset)) == expected  # the fixture is its own export
    assert round_trip(fresh_store, seed_xlsx) == expected


def test_reordered_extra_sheets_hidden_and_blank_rows_are_tolerated(seed_dataset, seed_xlsx, fresh_store):
    expected = dumps(export_document(seed_dataset))

    def change(book):
        book.move_sheet(INCOME, offset=8)
        book.move_sheet("单位信息", offset=5)
        book.create_sheet("我的草稿", 0)["A1"] = "随便写的东西"
        ws = book[INCOME]
        row = code_row(ws, "2080502")
        ws.row_dimensions[row].hidden = True
        ws.insert_rows(row + 1, 2)  # two blank rows in the body (formulas below now point elsewhere)
        ws.column_dimensions["C"].hidden = True

    assert round_trip(fresh_store, edit(seed_xlsx, change)) == expected


def test_procurement_order_survives_the_grouping_by_unit(seed_dataset, tmp_path, fresh_store):
    """The printed 政府采购预算表 groups rows by 资金使用单位; the stored order still comes back."""
    from app.projects import ProjectBook

    book = ProjectBook(seed_dataset)
    outsourced = next(p for p in book.list_projects() if p.name == "服务外包专项资金")
    book.update_project_fields(outsourced.id, implementing_unit="区互联网舆情信息中心")
    path = export_workbook(source_from_dataset(seed_dataset), tmp_path / "grouped.xlsx")
    ws = openpyxl.load_workbook(path)["政府采购预算表"]
    labels = [ws.cell(row=r, column=1).value for r in range(5, 13)]
    assert labels[1].endswith("（本级）小计") and "区互联网舆情信息中心小计" in labels
    assert round_trip(fresh_store, path) == dumps(export_document(seed_dataset))


@pytest.mark.parametrize("typed", ["1,016.53", "１０１６．５３", "1016.53万元", " 1016.53 "])
def test_amounts_typed_as_text(seed_dataset, seed_xlsx, fresh_store, typed):
    expected = dumps(export_document(seed_dataset))

    def change(book):
        ws = book[INCOME]
        ws.cell(row=code_row(ws, "2070699"), column=header_column(ws, "财政拨款收入")).value = typed

    assert round_trip(fresh_store, edit(seed_xlsx, change)) == expected


def test_columns_found_by_header_text_not_position(seed_dataset, seed_xlsx, fresh_store):
    expected = dumps(export_document(seed_dataset))

    def change(book):
        ws = book["基本支出表"]
        ws.insert_cols(4)  # a column of the clerk's own, before 合计
        ws.cell(row=4, column=4).value = "备注（自加）"

    assert round_trip(fresh_store, edit(seed_xlsx, change)) == expected


def test_row_added_with_a_known_code_is_imported(seed_xlsx, fresh_store):
    def change(book):
        ws = book[INCOME]
        row = ws.max_row + 1
        ws.cell(row=row, column=2).value = "2130101"
        ws.cell(row=row, column=3).value = "行政运行"
        ws.cell(row=row, column=header_column(ws, "事业收入")).value = 12

    store = fresh_store()
    plan = read_workbook(store, edit(seed_xlsx, change))
    dataset = import_workbook(store, plan)
    assert dataset.value("income_summary", "2130101", "public_institution") == Decimal("12.00")
    assert dataset.value("income_summary", "213", "total") == Decimal("12.00")
    assert plan.warnings == []  # openpyxl saved no results for the formulas: nothing to compare


def test_computed_cell_disagreement_is_reported_not_imported(seed_xlsx, fresh_store):
    def change(book):
        ws = book[INCOME]
        ws.cell(row=code_row(ws, "207"), column=header_column(ws, "财政拨款收入")).value = 999

    store = fresh_store()
    plan = read_workbook(store, edit(seed_xlsx, change))
    assert len(plan.warnings) == 1
    assert plan.warnings[0].startswith("收入总表!F7") and "999.00" in plan.warnings[0] and "1016.53" in plan.warnings[0]
    assert import_workbook(store, plan).value("income_summary", "207", "fiscal_appropriation") == Decimal("1016.53")


# ---- problems: every unreadable cell, then nothing imported ---------------------------------------

def test_unreadable_cells_are_listed_with_address_content_and_reason(store, seed_dataset, seed_xlsx):
    before = snapshot(store)

    def change(book):
        ws = book[INCOME]
        column = header_column(ws, "财政拨款收入")
        ws.cell(row=code_row(ws, "2070699"), column=column).value = "一千元"
        ws.cell(row=code_row(ws, "2080502"), column=column).value = "12.3456789"
        row = ws.max_row + 1
        ws.cell(row=row, column=2).value = "9999999"
        ws.cell(row=row, column=column).value = 5
        wb = book["基本支出表"]
        wb.cell(row=8, column=header_column(wb, "人员经费")).value = "46.32元"

    path = edit(seed_xlsx, change)
    with pytest.raises(InputError) as caught:
        read_workbook(store, path)
    message = str(caught.value)
    assert "4 处无法读取，未导入任何数据" in message
    assert "收入总表!F9 “一千元”：" in message and "不是有效的金额" in message
    assert "收入总表!F12 “12.3456789”：" in message and "小数超过 6 位" in message
    assert "科目编码 9999999 不在" in message
    assert "基本支出表!E8 “46.32元”：金额单位是“元”，本工作簿的金额单位是“万元”" in message
    assert snapshot(store) == before


def test_formula_without_cached_value_is_a_problem(store, seed_dataset, seed_xlsx):
    before = snapshot(store)

    def change(book):
        ws = book[INCOME]
        ws.cell(row=code_row(ws, "2070699"), column=header_column(ws, "财政拨款收入")).value = "=1000+16.53"

    with pytest.raises(InputError, match=r"收入总表!F9 .*公式没有保存计算结果"):
        read_workbook(store, edit(seed_xlsx, change))
    assert snapshot(store) == before


def test_existing_dataset_needs_replace_and_is_unchanged(store, seed_dataset, seed_xlsx):
    before = snapshot(store)
    plan = read_workbook(store, seed_xlsx)
    with pytest.raises(ConflictError):
        import_workbook(store, plan)
    assert snapshot(store) == before


# ---- refusals -------------------------------------------------------------------------------------

def _refused(store, path: Path, match: str) -> None:
    before = snapshot(store)
    with pytest.raises(InputError, match=match):
        read_workbook(store, path)
    assert snapshot(store) == before


def test_old_binary_xls_and_et_are_refused(store, seed_dataset, tmp_path):
    for name in ("old.xls", "wps.et"):
        path = tmp_path / name
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
        _refused(store, path, r"旧版 Excel（\.xls）或 WPS 表格（\.et）.*另存为.*\.xlsx")


def test_renamed_zip_and_not_a_zip_are_refused(store, seed_dataset, tmp_path):
    renamed = tmp_path / "report.xlsx"
    with zipfile.ZipFile(renamed, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
        package.writestr("[Content_Types].xml", "<Types/>")
    _refused(store, renamed, r"不是 Excel 工作簿（可能是改了扩展名的其他文件）.*另存为")
    text = tmp_path / "data.xlsx"
    text.write_text("单位,金额\n359,1206.65\n", encoding="utf-8")
    _refused(store, text, r"不是 Excel 工作簿（\.xlsx）.*另存为")
    _refused(store, tmp_path / "missing.xlsx", "找不到文件")


def test_too_large_too_many_rows_and_cells_are_refused(store, seed_dataset, seed_xlsx, monkeypatch):
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 1000)
    _refused(store, seed_xlsx, "超过 0 MB 的上限")
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 50 * 1024 * 1024)
    monkeypatch.setattr(safety, "MAX_UNPACKED_BYTES", 1000)
    _refused(store, seed_xlsx, "解压后超过")
    monkeypatch.setattr(safety, "MAX_UNPACKED_BYTES", 400 * 1024 * 1024)
    monkeypatch.setattr(safety, "MAX_ROWS", 30)
    _refused(store, seed_xlsx, r"行，超过上限 30 行")
    monkeypatch.setattr(safety, "MAX_ROWS", 100_000)
    monkeypatch.setattr(safety, "MAX_CELLS", 500)
    _refused(store, seed_xlsx, "单元格超过 500 个")


def test_defusedxml_is_active_and_entity_bombs_are_refused(store, seed_dataset, seed_xlsx, tmp_path):
    assert safety.defusedxml_active()
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(seed_xlsx) as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                declaration = ('<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
                               '&lol;&lol;&lol;&lol;&lol;">]>')
                head, rest = text.split("?>", 1) if text.startswith("<?xml") else ("", text)
                text = (head + "?>" if head else "") + declaration + rest.replace("<sheets>", "<sheets>&lol2;", 1)
                data = text.encode("utf-8")
            target.writestr(info, data)
    _refused(store, bomb, "不安全的 XML 内容")


def test_missing_unit_sheet_is_refused(store, seed_dataset, seed_xlsx):
    def change(book):
        del book["单位信息"]

    _refused(store, edit(seed_xlsx, change), "没有“单位基本信息”工作表")


# ---- what would change ----------------------------------------------------------------------------

def test_diff_lists_changed_cells_and_projects(store, seed_dataset, seed_xlsx):
    def change(book):
        ws = book[INCOME]
        ws.cell(row=code_row(ws, "2070699"), column=header_column(ws, "财政拨款收入")).value = 1000
        del book[next(name for name in book.sheetnames if name.startswith("绩效-作协办刊"))]

    plan = read_workbook(store, edit(seed_xlsx, change))
    changes = diff_against(store, plan)
    cells = [c for c in changes if c.kind == "单元格"]
    assert len(cells) == 1
    assert cells[0].where == "《收入总表》2070699 其他新闻出版电影支出 / 财政拨款收入"
    assert (cells[0].before, cells[0].after) == ("1016.53", "1000.00")
    assert [(c.where, c.after) for c in changes if c.kind == "项目"] == [("作协办刊费用", "删除")]


def test_no_change_means_an_empty_diff(store, seed_dataset, tmp_path):
    path = export_workbook(source_from_dataset(seed_dataset), tmp_path / "same.xlsx")
    assert diff_against(store, read_workbook(store, path)) == []


# ---- CLI ------------------------------------------------------------------------------------------

def test_cli_export_and_import_xlsx(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite3")
    out = tmp_path / "out.xlsx"
    assert main(["--db", db, "import-json", str(SEED004)]) == 0
    assert main(["--db", db, "export-xlsx", "--unit", "359", "--year", "2023", "--out", str(out)]) == 0
    assert main(["--db", db, "import-xlsx", str(out)]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["--db", db, "import-xlsx", str(out), "--replace"]) == 0
    bad = tmp_path / "bad.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    assert main(["--db", db, "import-xlsx", str(bad)]) == 2
    assert "另存为" in capsys.readouterr().err
    assert main(["--db", db, "export-xlsx", "--unit", "359", "--year", "2023", "--out", str(tmp_path / "x.csv")]) == 2
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert "export-xlsx" in help_text and "import-xlsx" in help_text


def test_formula_scan_agrees_with_openpyxl(seed_xlsx):
    def change(book):
        book[INCOME]["F9"] = "=1+2"

    path = edit(seed_xlsx, change)
    fast = safety.formula_cells(path)
    assert fast == safety._formula_cells_by_openpyxl(path)
    assert (9, 6) in fast[INCOME] and (6, 4) in fast[INCOME] and (8, 6) not in fast["基本支出表"]


def test_export_to_a_missing_folder_is_a_message_and_leaves_nothing(seed_dataset, tmp_path):
    target = tmp_path / "没有这个文件夹" / "x.xlsx"
    with pytest.raises(InputError, match="无法写入"):
        export_workbook(source_from_dataset(seed_dataset), target)
    assert not target.parent.exists()


def test_cancelled_export_and_read_leave_nothing(store, seed_dataset, seed_xlsx, tmp_path):
    from app.base.errors import Cancelled
    from app.base.progress import Progress

    progress = Progress(lambda done, total, text: progress.cancel() if done >= 3 else None)
    target = tmp_path / "cancelled.xlsx"
    with pytest.raises(Cancelled):
        export_workbook(source_from_dataset(seed_dataset), target, progress=progress)
    assert not target.exists() and not list(tmp_path.glob("*.part"))
    reading = Progress()
    reading.cancel()
    with pytest.raises(Cancelled):
        read_workbook(store, seed_xlsx, progress=reading)
