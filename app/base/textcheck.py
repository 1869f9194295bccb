"""What text a clerk or a file may put into the database: codes, names and texts, and bounded reading.

Every import path (data file, code list) and the core's own validation use these, so a code typed
as ``３５９`` (full-width) is the unit 359 everywhere, and a name carrying an invisible character, a
direction override or a NUL is refused with the field named, wherever it comes from.

- :func:`check_code` — a code (单位编码, 科目编码, 项目编码 …): NFKC-normalised (full-width digits and
  letters become ASCII), then only letters, digits and ``- _ .``.
- :func:`check_text` — a name or text: no lone surrogates, no control characters (only line breaks
  and tabs in multi-line texts), no direction overrides or isolates, no zero-width or other invisible
  format characters, and at most ``limit`` characters.
- :func:`read_bounded` — at most ``limit`` bytes from a file or stream, never trusting ``stat()``
  (``/dev/zero``, a FIFO or standard input report no useful size).
"""

from __future__ import annotations

import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from app.base.errors import InputError
from app.base.paths import readable

CODE_MAX_CHARS = 32
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._\-]*")

# Invisible characters with a name a clerk can look for; other format characters get their code point.
_NAMED = {
    "\u0000": "空字符 NUL",
    "\u00ad": "软连字符",
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u200e": "从左至右标记",
    "\u200f": "从右至左标记",
    "\u2028": "行分隔符",
    "\u2029": "段分隔符",
    "\u202a": "从左至右嵌入符",
    "\u202b": "从右至左嵌入符",
    "\u202c": "方向格式结束符",
    "\u202d": "从左至右覆盖符",
    "\u202e": "从右至左覆盖符",
    "\u2060": "零宽不换行符",
    "\u2066": "从左至右隔离符",
    "\u2067": "从右至左隔离符",
    "\u2068": "第一强方向隔离符",
    "\u2069": "方向隔离结束符",
    "\ufeff": "零宽不换行空格（BOM）",
    "\t": "制表符",
    "\n": "换行",
    "\r": "回车",
}
_MULTILINE_ALLOWED = frozenset("\n\r\t")

# The characters refused anywhere: C0/C1 controls (category Cc), lone surrogates (Cs), every format
# character (Cf: zero-width, direction marks, embeddings, overrides and isolates, BOM, soft hyphen,
# tags …), and the line and paragraph separators (Zl, Zp). Private-use and unassigned code points stay
# allowed: rare Chinese characters in names live there on older systems, or are newer than Python's
# Unicode tables. (tests/test_textcheck.py checks this list against unicodedata.)
_SUSPECT = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


def describe_char(char: str) -> str:
    """A name for one character a clerk cannot see: 零宽空格（U+200B）."""
    point = f"U+{ord(char):04X}"
    if char in _NAMED:
        return f"{_NAMED[char]}（{point}）"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"不成对的代理码位（{point}，不是有效的字符）"
    if unicodedata.category(char) == "Cc":
        return f"控制字符（{point}）"
    return f"不可见的格式字符（{point}）"


def shown(value: object, limit: int = 40) -> str:
    """A value as it may be quoted in a message: invisible characters written as ``<U+200B>`` (so a
    direction override does not turn the message around), and long values cut short."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + f"…（共 {len(text)} 个字）"
    return _SUSPECT.sub(lambda match: f"<U+{ord(match.group()):04X}>", text)


def _bad_char(text: str, multiline: bool) -> tuple[int, str] | None:
    for match in _SUSPECT.finditer(text):
        if not (multiline and match.group() in _MULTILINE_ALLOWED):
            return match.start(), match.group()
    return None


def check_text(value: object, field: str, limit: int, *, multiline: bool = False) -> str:
    """``value`` as text if it may be stored in ``field``, else InputError naming the field and the
    character (and its place), and saying what to do. The text is returned unchanged (not stripped)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    found = _bad_char(text, multiline)
    if found is not None:
        position, char = found
        allowed = "（换行和制表符除外）" if multiline else ""
        raise InputError(
            f"{field}“{shown(text)}”的第 {position + 1} 个字符是{describe_char(char)}；{field}中不能有"
            f"看不见的字符、控制字符或改变文字方向的字符{allowed}。请删去后重新输入（从别处复制来的文字常带有这类字符）。"
        )
    if len(text) > limit:
        raise InputError(f"{field}过长：最多 {limit} 个字，现有 {len(text)} 个字。请删减后重新输入。")
    return text


def check_code(value: object, field: str, limit: int = CODE_MAX_CHARS) -> str:
    """The code in ``value``, stripped and NFKC-normalised (``３５９`` → ``359``), or InputError naming
    the field when it is empty, too long, or holds anything but letters, digits and ``- _ .``."""
    text = ("" if value is None else (value if isinstance(value, str) else str(value))).strip()
    if text.isascii() and len(text) <= limit and _CODE.fullmatch(text):
        return text  # the usual case, without normalising
    found = _bad_char(text, False)
    if found is not None:
        position, char = found
        raise InputError(
            f"{field}“{shown(text)}”的第 {position + 1} 个字符是{describe_char(char)}；{field}只能由数字、字母和"
            " - _ . 组成。请删去这个字符后重新输入（从别处复制来的编码常带有看不见的字符）。"
        )
    code = unicodedata.normalize("NFKC", text).strip()
    if not code:
        raise InputError(f"{field}不能为空。")
    if len(code) > limit:
        raise InputError(f"{field}“{shown(code)}”过长：最多 {limit} 个字符，现有 {len(code)} 个。")
    if not _CODE.fullmatch(code):
        bad = next((char for char in code if not (char.isascii() and (char.isalnum() or char in "._-"))), "")
        what = "空格" if bad.isspace() else f"“{bad}”"
        raise InputError(f"{field}“{shown(code)}”无效：含有{what}；{field}只能由数字、字母和 - _ . 组成，"
                         "且以数字或字母开头。")
    return code


# ---- the fields of a dataset: (label, most characters, multi-line) ---------------------------------
# One table for every path that stores them (data file import, the core's own validation, Excel), so a
# limit is the same wherever the text comes from. The lengths match the database columns.

UNIT_TEXTS: dict[str, tuple[str, int, bool]] = {
    "name": ("单位名称", 200, False),
    "nature": ("单位性质", 50, False),
    "rank": ("单位规格", 50, False),
    "funding_form": ("经费保障形式", 100, False),
    "competent_department": ("主管部门", 200, False),
    "head": ("单位负责人", 50, False),
    "finance_head": ("财务负责人", 50, False),
    "preparer": ("填表人", 50, False),
    "phone": ("联系电话", 50, False),
}
PROJECT_CODES: dict[str, tuple[str, int]] = {"code": ("项目编码", 64), "function_code": ("功能分类科目", 16)}
PROJECT_TEXTS: dict[str, tuple[str, int, bool]] = {
    "name": ("项目名称", 300, False),
    "attribute": ("项目属性", 32, False),
    "competent_department": ("主管部门", 200, False),
    "implementing_unit": ("实施单位", 200, False),
    "manager": ("项目负责人", 50, False),
    "period_goal": ("实施期总目标", 5000, True),
    "annual_goal": ("年度绩效目标", 5000, True),
}
INDICATOR_TEXTS: dict[str, tuple[str, int, bool]] = {
    "level1": ("一级指标", 32, False),
    "level2": ("二级指标", 32, False),
    "name": ("三级指标名称", 300, False),
    "description": ("指标描述", 2000, True),
    "comparator": ("比较符", 16, False),
    "value": ("指标值", 500, True),
    "unit": ("计量单位", 32, False),
    "basis": ("指标值确定依据", 1000, True),
    "period_value": ("实施周期指标值", 500, True),
    "note": ("备注", 500, True),
}
OVERALL_TEXTS: dict[str, tuple[str, int, bool]] = {"goal": ("总体绩效目标", 5000, True)}
PROCUREMENT_TEXTS: dict[str, tuple[str, int, bool]] = {
    "project": ("政府采购项目来源", 300, False),
    "item_name": ("采购物品名称", 300, False),
    "catalogue_code": ("政府采购目录序号", 32, False),
    "measure_unit": ("计量单位", 32, False),
}
CODE_NAME_MAX_CHARS = 200  # 科目名称 in an imported code list


def check_fields(record: object, fields: dict[str, tuple[str, int, bool]]) -> None:
    """check_text on each named attribute (or key, for a dict) of ``record``; the first problem raises."""
    for key, (label, limit, multiline) in fields.items():
        value = record.get(key) if isinstance(record, dict) else getattr(record, key, None)
        if value is not None:
            check_text(value, label, limit, multiline=multiline)


# ---- bounded reading -------------------------------------------------------------------------------

class UnreadableFileError(InputError):
    """The path is no file that can be read: missing, not permitted, a folder, a device or a FIFO (a folder
    import lists these apart from damaged files)."""


_CHUNK = 1 << 20


def _size_text(limit: int) -> str:
    if limit >= 1 << 20 and limit % (1 << 20) == 0:
        return f"{limit >> 20} MB"
    if limit >= 1 << 10 and limit % (1 << 10) == 0:
        return f"{limit >> 10} KB"
    return f"{limit} 字节"


def read_bounded(source: str | Path | BinaryIO, limit: int, what: str, *,
                 check_start: Callable[[bytes], None] | None = None) -> bytes:
    """At most ``limit`` bytes of a file (path; ``-`` is standard input) or a binary stream.

    Reads ``limit + 1`` bytes at most, in chunks, and refuses when there are more: the size the file
    system reports is never trusted (``/dev/zero``, a FIFO or a pipe report 0), and nothing beyond the
    limit is ever held in memory. ``what`` names the kind of file for the message (BudgetDesk 数据文件,
    科目表). ``check_start`` sees the first chunk and may refuse at once (a data file starts with ``{``),
    so a stream of zeros is refused before megabytes of it are read."""
    if isinstance(source, (str, Path)) and str(source) == "-":
        return _read_stream(sys.stdin.buffer, limit, what, "标准输入", check_start)
    if isinstance(source, (str, Path)):
        check_user_file(source, what, limit)
        try:
            with open(source, "rb") as stream:
                data = _read_stream(stream, limit, what, str(source), check_start)
        except FileNotFoundError:
            raise UnreadableFileError(f"找不到文件“{_file_name(source)}”。") from None
        except PermissionError:
            raise UnreadableFileError(f"没有权限读取文件“{_file_name(source)}”。") from None
        except OSError as exc:
            raise UnreadableFileError(f"无法读取文件“{_file_name(source)}”：{exc.strerror or exc}。") from None
        if not data:
            raise InputError(f"“{_file_name(source)}”是空文件，不是{what}，未导入（现有数据没有改动）。")
        return data
    return _read_stream(source, limit, what, getattr(source, "name", "输入") or "输入", check_start)


def check_user_file(source: str | Path, what: str, limit: int | None = None, *, refused: str = "未导入") -> int:
    """The checks ``read_bounded`` makes before it opens a file, for a file another reader opens (SQLite, a
    workbook): a folder, a device or a FIFO is refused before anything opens it (opening a FIFO waits for
    a writer, a device never ends), so is an empty file and, with ``limit``, one larger than it. Returns
    the size. ``refused`` ends the message (未导入, 不能用于恢复)."""
    name = _file_name(source)
    try:
        info = os.stat(source)
    except FileNotFoundError:
        raise UnreadableFileError(f"找不到文件“{name}”。") from None
    except PermissionError:
        raise UnreadableFileError(f"没有权限读取文件“{name}”。") from None
    except OSError as exc:
        raise UnreadableFileError(f"无法读取文件“{name}”：{exc.strerror or exc}。") from None
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFileError(f"“{name}”是文件夹，不是{what}，{refused}。")
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFileError(f"“{name}”不是普通文件（是设备或管道），不是{what}，{refused}。")
    if info.st_size == 0:
        raise InputError(f"“{name}”是空文件，不是{what}，{refused}（现有数据没有改动）。")
    if limit is not None and info.st_size > limit:
        raise InputError(f"“{name}”超过 {_size_text(limit)}（{what}最大 {_size_text(limit)}），"
                         f"不是{' ' if what[:1].isascii() else ''}{what}，{refused}。")
    return info.st_size


def _file_name(source: str | Path) -> str:
    """A path as a message quotes it: a GBK name from a USB stick decoded, invisible characters shown."""
    return shown(readable(source), 200)


def _read_stream(stream: BinaryIO, limit: int, what: str, name: object,
                 check_start: Callable[[bytes], None] | None) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        if check_start is not None and not chunks:
            check_start(chunk)
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        chunks.clear()
        raise InputError(f"“{shown(name, 200)}”超过 {_size_text(limit)}（{what}最大 {_size_text(limit)}），"
                         f"不是{' ' if what[:1].isascii() else ''}{what}，未导入。")
    return b"".join(chunks)


__all__ = ["CODE_MAX_CHARS", "UnreadableFileError", "check_code", "check_fields", "check_text", "check_user_file",
           "describe_char", "read_bounded", "shown"]
