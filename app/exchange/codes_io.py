"""Reading an official code list the bureau hands out (xlsx or csv with columns 编码, 名称).

Reading is bounded, so a hostile or broken file cannot exhaust memory: the file is read up to
``MAX_CODE_FILE_BYTES`` whatever the file system reports; an xlsx (a zip archive) is refused when its
directory declares members or a total larger than the bounds, before openpyxl opens it (Python's zip
reader never returns more than a member's declared size, so the directory cannot understate it); a
cell longer than ``MAX_CELL_CHARS`` and more than ``MAX_CODE_ROWS`` rows are refused. Messages give
the row number as Excel shows it (1-based, the header row counted) and the worksheet's name.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from app.base.errors import InputError
from app.base.textcheck import read_bounded, shown
from app.domain.codes import KIND_NAMES, MAX_CODE_ROWS, normalized_rows, validate_items

MAX_CODE_FILE_BYTES = 16 * 1024 * 1024  # an official list of 5,000 codes is well under 1 MB
XLSX_MAX_MEMBER_BYTES = 16 * 1024 * 1024  # any one part of the workbook, uncompressed
XLSX_MAX_TOTAL_BYTES = 32 * 1024 * 1024  # all parts together, uncompressed
XLSX_MAX_MEMBERS = 1000
MAX_CELL_CHARS = 1000
MAX_COLUMNS = 30  # columns further right are not read

_CODE_HEADERS = {"code", "编码", "科目编码", "代码"}
_NAME_HEADERS = {"name", "名称", "科目名称"}
_KIND_HEADERS = {"kind", "经费类型", "basic_kind"}

Rows = list[tuple[int, list[str]]]  # (row number as Excel shows it, cell texts)


def _column_letter(index: int) -> str:
    # deferred: openpyxl loads only when a code table comes as xlsx, not at start-up
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _cell_text(value: object, line: int, column: int, where: str) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_CELL_CHARS:
        raise InputError(f"{where}第 {line} 行 {_column_letter(column)} 列的内容有 {len(text)} 个字，"
                         f"超过 {MAX_CELL_CHARS} 字，不是科目表的内容，未导入。")
    return text.strip()


def _collect(records: Iterable[tuple[int, Sequence[object]]], where: str) -> Rows:
    """Rows with content, numbered as Excel numbers them, with the row and cell bounds applied."""
    rows: Rows = []
    for line, cells in records:
        texts = [_cell_text(value, line, column, where) for column, value in enumerate(cells[:MAX_COLUMNS], start=1)]
        if any(texts):
            rows.append((line, texts))
            if len(rows) > MAX_CODE_ROWS + 1:  # the header row besides
                raise InputError(f"{where}超过 {MAX_CODE_ROWS} 行，不是一份科目表，未导入。")
    return rows


def _rows_from_csv(path: Path) -> tuple[Rows, str]:
    raw = read_bounded(path, MAX_CODE_FILE_BYTES, "科目表")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise InputError(f"无法识别文件“{shown(path.name)}”的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV。")
    del raw
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        # Excel opens each CSV record (a quoted field may span lines) as one row.
        return _collect(enumerate(reader, start=1), ""), ""
    except csv.Error as exc:
        raise InputError(f"文件“{shown(path.name)}”第 {reader.line_num} 行不是有效的 CSV：{exc}。") from None


def _check_archive(archive: zipfile.ZipFile, name: str) -> None:
    members = archive.infolist()
    if len(members) > XLSX_MAX_MEMBERS:
        raise InputError(f"文件“{shown(name)}”含有 {len(members)} 个部件，不是科目表工作簿，未导入。")
    total = 0
    for member in members:
        if member.file_size > XLSX_MAX_MEMBER_BYTES:
            raise InputError(f"文件“{shown(name)}”中的“{shown(member.filename)}”解压后有 {member.file_size // (1 << 20)} MB，"
                             f"超过 {XLSX_MAX_MEMBER_BYTES >> 20} MB，不是科目表工作簿，未导入。")
        total += member.file_size
    if total > XLSX_MAX_TOTAL_BYTES:
        raise InputError(f"文件“{shown(name)}”解压后共 {total // (1 << 20)} MB，超过 {XLSX_MAX_TOTAL_BYTES >> 20} MB，"
                         "不是科目表工作簿，未导入。")


def _rows_from_xlsx(path: Path) -> tuple[Rows, str]:
    # deferred: openpyxl loads only when a code table comes as xlsx, not at start-up
    from openpyxl import load_workbook

    data = io.BytesIO(read_bounded(path, MAX_CODE_FILE_BYTES, "科目表"))
    try:
        with zipfile.ZipFile(data) as archive:
            _check_archive(archive, path.name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise InputError(f"文件“{shown(path.name)}”不是有效的 Excel 工作簿（.xlsx）。") from None
    data.seek(0)
    try:
        workbook = load_workbook(data, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise InputError(f"文件“{shown(path.name)}”不是有效的 Excel 工作簿（.xlsx）：{exc.__class__.__name__}。") from None
    try:
        sheet = workbook.worksheets[0]
        where = f"工作表“{shown(sheet.title)}”"
        sheet.reset_dimensions()  # the stored dimension may be wrong or absurd; read the rows there are
        records = enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1)
        return _collect(records, where), sheet.title
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet part (bad XML, bad CRC) surfaces while rows are read
        raise InputError(f"文件“{shown(path.name)}”不是有效的 Excel 工作簿（.xlsx）：{exc.__class__.__name__}。") from None
    finally:
        workbook.close()


def read_code_file(path: str | Path, kind: str) -> list[tuple[str, str, str | None]]:
    """The (code, name, 经费类型) rows of a code list, validated (problems name the Excel row and the
    worksheet), codes normalised as the core stores them."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"找不到文件“{path}”。")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows, sheet = _rows_from_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows, sheet = _rows_from_xlsx(path)
    else:
        raise InputError(f"不支持的文件类型“{shown(suffix) or '无扩展名'}”，请提供 .xlsx 或 .csv 文件。")
    if not rows:
        raise InputError(f"文件“{shown(path.name)}”是空的。")
    code_col, name_col, kind_col = 0, 1, None
    header = [cell.lower() for cell in rows[0][1]]
    if any(cell in _CODE_HEADERS for cell in header):
        code_col = next(i for i, cell in enumerate(header) if cell in _CODE_HEADERS)
        named = next((i for i, cell in enumerate(header) if cell in _NAME_HEADERS), None)
        if named is None:
            raise InputError(f"文件“{shown(path.name)}”的表头缺少“名称”列。")
        name_col = named
        kind_col = next((i for i, cell in enumerate(header) if cell in _KIND_HEADERS), None)
        rows = rows[1:]
    result, lines = [], []
    for line, row in rows:
        code = row[code_col].replace(" ", "") if code_col < len(row) else ""
        if code.endswith(".0"):  # Excel stores codes typed as numbers as floats' text
            code = code[:-2]
        name = row[name_col] if name_col < len(row) else ""
        attribute = None
        if kind_col is not None and kind_col < len(row):
            attribute = {"人员经费": "personnel", "公用经费": "public", "personnel": "personnel",
                         "public": "public"}.get(row[kind_col])
        result.append((code, name, attribute))
        lines.append(line)
    problems = validate_items(kind, result, lines=lines, sheet=sheet)
    if problems:
        more = f"\n……另有 {len(problems) - 20} 处问题。" if len(problems) > 20 else ""
        raise InputError(f"文件“{shown(path.name)}”中的{KIND_NAMES[kind]}有 {len(problems)} 处问题，未导入：\n"
                         + "\n".join(problems[:20]) + more)
    return normalized_rows(result)
