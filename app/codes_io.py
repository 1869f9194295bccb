"""Reading an official code list the bureau hands out (xlsx or csv with columns 编码, 名称)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.errors import InputError

_CODE_HEADERS = {"code", "编码", "科目编码", "代码"}
_NAME_HEADERS = {"name", "名称", "科目名称"}
_KIND_HEADERS = {"kind", "经费类型", "basic_kind"}


def _rows_from_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise InputError(f"无法识别文件“{path.name}”的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV。")
    return [row for row in csv.reader(io.StringIO(text))]


def _rows_from_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise InputError(f"文件“{path.name}”不是有效的 Excel 工作簿（.xlsx）：{exc.__class__.__name__}。") from None
    sheet = workbook.worksheets[0]
    rows = [["" if cell is None else str(cell).strip() for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_code_file(path: str | Path, kind: str) -> list[tuple[str, str, str | None]]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"找不到文件“{path}”。")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _rows_from_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _rows_from_xlsx(path)
    else:
        raise InputError(f"不支持的文件类型“{suffix or '无扩展名'}”，请提供 .xlsx 或 .csv 文件。")
    rows = [[cell.strip() for cell in row] for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InputError(f"文件“{path.name}”是空的。")
    code_col, name_col, kind_col = 0, 1, None
    header = [cell.lower() for cell in rows[0]]
    if any(cell in _CODE_HEADERS for cell in header):
        code_col = next(i for i, cell in enumerate(header) if cell in _CODE_HEADERS)
        name_col = next((i for i, cell in enumerate(header) if cell in _NAME_HEADERS), None)
        if name_col is None:
            raise InputError(f"文件“{path.name}”的表头缺少“名称”列。")
        kind_col = next((i for i, cell in enumerate(header) if cell in _KIND_HEADERS), None)
        rows = rows[1:]
    result = []
    for row in rows:
        code = row[code_col].replace(" ", "") if code_col < len(row) else ""
        if code.endswith(".0"):  # Excel stores codes typed as numbers as floats' text
            code = code[:-2]
        name = row[name_col] if name_col < len(row) else ""
        attribute = None
        if kind_col is not None and kind_col < len(row):
            attribute = {"人员经费": "personnel", "公用经费": "public", "personnel": "personnel",
                         "public": "public"}.get(row[kind_col])
        result.append((code, name, attribute))
    return result
