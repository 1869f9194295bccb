"""基础信息 in Excel: the 人员 / 车辆 template a clerk fills in, and reading it back — or the clerk's own pay
sheet, when its header row names the same fields. Every unreadable cell is named (sheet, row, column, why)
and nothing is taken when any is; a column that holds identity numbers is refused outright."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook as XlsxBook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.base.errors import InputError
from app.base.money import normalize_text
from app.basic.records import (
    STAFF_CATEGORIES,
    STAFF_FIELDS,
    VEHICLE_FIELDS,
    VEHICLE_PURPOSES,
    StaffMember,
    Vehicle,
    check_staff,
    check_vehicle,
    refuse_identity_column,
)
from app.exchange.excel import safety

STAFF_SHEET, VEHICLE_SHEET = "人员", "车辆"
HEADER_ROWS_SEARCHED = 10  # a pay sheet may have a title and a unit line above its header
# Words a header may use for each field (a pay sheet's own titles); the first word is the template's title.
STAFF_HEADERS = {
    "name": ("姓名",), "category": ("人员类别", "类别", "人员身份"), "staffing": ("编制类型", "编制性质", "编制"),
    "grade": ("职务或岗位等级", "职务", "岗位等级", "职级", "岗位"), "basic_pay": ("基本工资",),
    "allowance": ("津贴补贴", "津补贴", "津贴"), "bonus": ("奖金或绩效工资", "绩效工资", "奖金"),
}
VEHICLE_HEADERS = {
    "purpose": ("用途", "车辆用途"), "in_establishment": ("是否编制内", "编制内"), "purchase_year": ("购置年份", "购置年度"),
    "plate": ("号牌", "车牌号", "车牌"),
}
MAX_PROBLEMS_SHOWN = 30


def write_template(path: str | Path) -> Path:
    """The 人员 and 车辆 template (.xlsx): one header row each, the categories as a drop-down list."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"输出文件“{path.name}”的扩展名应为 .xlsx。")
    book = XlsxBook()
    staff = book.active
    staff.title = STAFF_SHEET
    vehicles = book.create_sheet(VEHICLE_SHEET)
    for sheet, fields, choices in ((staff, STAFF_FIELDS, {"category": STAFF_CATEGORIES}),
                                   (vehicles, VEHICLE_FIELDS, {"purpose": VEHICLE_PURPOSES, "in_establishment": ("是", "否")})):
        for index, (key, title, _kind) in enumerate(fields, start=1):
            cell = sheet.cell(row=1, column=index, value=title)
            cell.font = Font(bold=True)
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(title) * 2 + 2)
            if key in choices:
                letter = get_column_letter(index)
                listed = DataValidation(type="list", formula1='"' + ",".join(choices[key]) + '"', allow_blank=True)
                listed.add(f"{letter}2:{letter}2000")
                sheet.add_data_validation(listed)
        sheet.freeze_panes = "A2"
    staff.cell(row=2, column=len(STAFF_FIELDS) + 2,
               value="说明：金额单位为元；基本工资、津贴补贴按月填写，奖金或绩效工资按年填写；不要填写身份证号。")
    book.save(path)
    return path


def _field_of(title: str, headers: dict[str, tuple[str, ...]]) -> str | None:
    text = normalize_text(title).split("(")[0]
    for key, words in headers.items():
        if text == words[0] or any(text.startswith(word) for word in words):
            return key
    return None


def _header(sheet, headers: dict[str, tuple[str, ...]], required: str) -> tuple[int, dict[int, str]] | None:
    """The header row (1-based) and its columns → fields, or None when the sheet has none naming ``required``."""
    for row_index, row in enumerate(sheet.iter_rows(min_row=1, max_row=HEADER_ROWS_SEARCHED, values_only=True), 1):
        columns = {index: key for index, value in enumerate(row, start=1)
                   if isinstance(value, str) and (key := _field_of(value, headers)) is not None}
        if required in columns.values():
            for value in row:
                if isinstance(value, str):
                    refuse_identity_column(normalize_text(value))
            for key in set(columns.values()):
                twice = [get_column_letter(index) for index, field in columns.items() if field == key]
                if len(twice) > 1:
                    raise InputError(f"工作表“{sheet.title}”第 {row_index} 行的表头中，第 {'、'.join(twice)} 列"
                                     f"都是“{headers[key][0]}”，无法确定用哪一列，未导入；请只保留一列。")
            return row_index, columns
    return None


def _read(path: str | Path, sheet_name: str, headers: dict[str, tuple[str, ...]], required: str, what: str,
          titles: dict[str, str], check: Callable[[dict[str, object]], object]) -> list:
    path = safety.check_file(path)
    book = safety.load(path)
    safety.check_bounds(book, path)
    sheets = [book[sheet_name]] if sheet_name in book.sheetnames else list(book.worksheets)
    found = None
    for sheet in sheets:
        header = _header(sheet, headers, required)
        if header is not None:
            found = sheet, header
            break
    if found is None:
        raise InputError(f"工作簿“{path.name}”中没有找到{what}表：需要一张表头含“{headers[required][0]}”的工作表"
                         f"（可用 budgetdesk staff template 生成模板），未导入。")
    sheet, (header_row, columns) = found
    records, problems = [], []
    known_good = {"category": STAFF_CATEGORIES[0], "purpose": VEHICLE_PURPOSES[0]}[required]
    for row_index, row in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True), header_row + 1):
        cells = {index: value for index, value in enumerate(row, start=1) if index in columns}
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in cells.values()):
            continue  # a blank line between blocks of a pay sheet
        row_problems = []
        for index, value in cells.items():
            key = columns[index]
            if key == required and (value is None or not str(value).strip()):
                row_problems.append((index, key, "不能为空。"))
                continue
            try:  # each cell on its own (beside a known-good required field), so every bad one is named
                check({key: value} if key == required else {required: known_good, key: value})
            except InputError as exc:
                row_problems.append((index, key, str(exc)))
        for index, key, why in row_problems:
            problems.append(f"工作表“{sheet.title}”第 {row_index} 行第 {get_column_letter(index)} 列"
                            f"（{titles[key]}）：{why}")
        if not row_problems:
            records.append(check({columns[index]: value for index, value in cells.items()}))
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = f"\n……另有 {len(problems) - len(shown)} 处。" if len(problems) > len(shown) else ""
        raise InputError(f"{what}表有 {len(problems)} 处无法读取，未导入任何数据：\n" + "\n".join(shown) + more)
    return records


def read_staff(path: str | Path) -> list[StaffMember]:
    titles = {key: title for key, title, _kind in STAFF_FIELDS}
    return _read(path, STAFF_SHEET, STAFF_HEADERS, "category", "人员", titles, check_staff)


def read_vehicles(path: str | Path) -> list[Vehicle]:
    titles = {key: title for key, title, _kind in VEHICLE_FIELDS}
    return _read(path, VEHICLE_SHEET, VEHICLE_HEADERS, "purpose", "车辆", titles, check_vehicle)
