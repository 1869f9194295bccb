"""Opening a workbook someone sent: refuse what is not an xlsx, bound the size, XML through defusedxml,
and numbers as ``Decimal`` (openpyxl would make floats of them).
"""

from __future__ import annotations

import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

import openpyxl
from defusedxml.ElementTree import fromstring
from openpyxl import DEFUSEDXML
from openpyxl import Workbook as XlsxBook
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet import _reader, merge

from app.base.errors import InputError
from app.base.textcheck import check_user_file

Loaded = TypeVar("Loaded")

MAX_FILE_BYTES = 50 * 1024 * 1024  # a county department's workbook is well under 5 MB
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # all parts of the zip together, unpacked (zip bombs)
MAX_ROWS = 100_000  # rows of one sheet
MAX_CELLS = 2_000_000  # cells of the whole workbook
MAX_SHEETS = 2_000
SAVE_AS = "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（.xlsx）再导入。"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .et, .doc …: the old binary formats


def defusedxml_active() -> bool:
    """openpyxl parses every XML part with defusedxml when it is installed (entities refused)."""
    return bool(DEFUSEDXML)


def check_file(path: str | Path) -> Path:
    """Refuse, with a message saying what to do, anything that is not a plausible xlsx package."""
    path = Path(path)
    # before openpyxl opens it: a folder, FIFO, device or empty file refused like every user file
    size = check_user_file(path, "Excel 工作簿")
    if size > MAX_FILE_BYTES:
        raise InputError(f"文件“{path.name}”有 {size // (1024 * 1024)} MB，超过 {MAX_FILE_BYTES // (1024 * 1024)} MB 的上限，"
                         "不是一个部门的预算工作簿。")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head == _OLE2_MAGIC:
        raise InputError(f"文件“{path.name}”是旧版 Excel（.xls）或 WPS 表格（.et）格式，无法直接导入。{SAVE_AS}")
    if not zipfile.is_zipfile(path):
        raise InputError(f"文件“{path.name}”不是 Excel 工作簿（.xlsx）。{SAVE_AS}")
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"文件“{path.name}”已损坏，无法读取（{exc}）。{SAVE_AS}") from None
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise InputError(f"文件“{path.name}”是压缩包，但不是 Excel 工作簿（可能是改了扩展名的其他文件）。{SAVE_AS}")
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(f"文件“{path.name}”解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，已拒绝读取。")
    return path


def _decimal_number(value: str) -> Decimal | int | str:
    """openpyxl's number reader, with Decimal instead of float: the digits stay as written."""
    if "." in value or "E" in value or "e" in value:
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return int(value)


_PATCH_LOCK = threading.Lock()


def _no_format(self) -> None:
    """Reading needs the merged ranges, not the borders openpyxl would restyle on each of them
    (three quarters of the loading time of a workbook with many merged cells)."""


@contextmanager
def decimal_numbers() -> Iterator[None]:
    with _PATCH_LOCK:
        original, original_format = _reader._cast_number, merge.MergedCellRange.format
        _reader._cast_number = _decimal_number
        merge.MergedCellRange.format = _no_format
        try:
            yield
        finally:
            _reader._cast_number = original
            merge.MergedCellRange.format = original_format


def load(path: Path) -> XlsxBook:
    """The workbook with the values Excel/LibreOffice cached for formulas, numbers as Decimal."""
    return _load(path, lambda: openpyxl.load_workbook(path, data_only=True, rich_text=False, keep_links=False))


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_REF = re.compile(rb"\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str] | None:
    """Sheet title → its part in the package (from workbook.xml and its relationships)."""
    try:
        workbook = fromstring(package.read("xl/workbook.xml"))
        rels = fromstring(package.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    parts = {}
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rid = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        target = targets.get(rid, "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _formulas_in(xml: bytes) -> set[tuple[int, int]] | None:
    """Coordinates of the cells of one sheet part that hold a formula; None when a cell has no
    reference (allowed, rare: then openpyxl counts the positions)."""
    found = set()
    for match in _CELL.finditer(xml):
        ref = _REF.search(match.group(1))
        if ref is None:
            return None
        if match.group(2):  # <c …/>: empty
            continue
        end = _CELL_END.search(xml, match.end())
        body = xml[match.end():end.start() if end else len(xml)]
        if _FORMULA.search(body):
            found.add((int(ref.group(2)), column_index_from_string(ref.group(1).decode())))
    return found


def formula_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Per sheet, the cells that hold a formula. The values were read with ``data_only`` (the
    cached results), which drops the formulas; rather than parse every sheet a second time, the
    sheet parts are scanned for ``<f>`` (they were parsed safely by the first load already)."""
    found: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as package:
        parts = _sheet_parts(package)
        for title, part in (parts or {}).items():
            try:
                cells = _formulas_in(package.read(part))
            except KeyError:
                cells = None
            if cells is None:
                return _formula_cells_by_openpyxl(path)
            found[title] = cells
    return found if parts is not None else _formula_cells_by_openpyxl(path)


def _formula_cells_by_openpyxl(path: Path) -> dict[str, set[tuple[int, int]]]:
    """The same, by openpyxl in one streaming pass (read-only mode)."""
    def read() -> dict[str, set[tuple[int, int]]]:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
        try:
            found: dict[str, set[tuple[int, int]]] = {}
            for ws in book.worksheets:
                ws.reset_dimensions()
                cells = found.setdefault(ws.title, set())
                for row in ws.iter_rows():
                    for cell in row:
                        if getattr(cell, "data_type", None) == "f":
                            cells.add((cell.row, cell.column))
            return found
        finally:
            book.close()

    return _load(path, read)


def _load(path: Path, read: Callable[[], Loaded]) -> Loaded:
    if not defusedxml_active():  # pragma: no cover - defusedxml is a pinned dependency
        raise InputError("缺少 defusedxml，为安全起见不读取外来的 Excel 文件。")
    try:
        with decimal_numbers():
            return read()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a file we cannot read
        name = type(exc).__name__
        chain: list[str] = []
        cause: BaseException | None = exc
        while cause is not None and len(chain) < 10:
            chain.append(type(cause).__name__)
            cause = cause.__cause__ or cause.__context__
        if any("Forbidden" in item or "DTD" in item or "Entities" in item for item in chain):
            raise InputError(f"文件“{path.name}”含有不安全的 XML 内容（实体或文档类型定义），已拒绝读取。") from None
        raise InputError(f"无法读取工作簿“{path.name}”（{name}：{exc}）。{SAVE_AS}") from None


def check_bounds(book: XlsxBook, path: Path) -> None:
    if len(book.worksheets) > MAX_SHEETS:
        raise InputError(f"工作簿“{path.name}”有 {len(book.worksheets)} 张工作表，超过上限 {MAX_SHEETS}。")
    cells = 0
    for ws in book.worksheets:
        rows = ws.max_row
        if rows > MAX_ROWS:
            raise InputError(f"工作表“{ws.title}”有 {rows} 行，超过上限 {MAX_ROWS} 行，已拒绝读取。")
        cells += len(ws._cells)
        if cells > MAX_CELLS:
            raise InputError(f"工作簿“{path.name}”的单元格超过 {MAX_CELLS} 个，已拒绝读取。")
