"""Reading a JSON data file, bounded: size, nesting, number of values, encoding, duplicate keys, lone
surrogates. Light on purpose (no database, no schema library), so ``budgetdesk import-json`` refuses a
wrong file before the program opens the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from app.base.errors import InputError
from app.base.textcheck import describe_char, read_bounded, shown

# ---- reading a data file, bounded ----------------------------------------------------------------
# The data file of the large department (300 projects, every code row) is 1.8 MB with 45,000 values;
# the bounds leave more than ten times that and keep a broken or hostile file from exhausting memory
# or the stack. Worst case within them (measured when the bounds were chosen): a 32 MB file of ASCII with one character
# outside the BMP decodes to 128 MB of text, and parsing peaks near 300 MB; a refused file costs only
# what was read (at most 32 MB).
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024  # read at most this much, whatever the file system says
MAX_DEPTH = 32  # nesting of objects and arrays; a data file needs 5
MAX_ITEMS = 500_000  # JSON values (array items, object members, containers)
MAX_INT_DIGITS = 20

# A JSON string, or an unterminated one up to the end of the text: every quote either closes its string
# or the match runs to the end, so stripping strings takes one pass however broken the text is.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def read_document(path: str | Path) -> dict:
    """The JSON document in a file (``-``: standard input), read bounded; InputError for anything that
    is not one: too large, not UTF-8, not JSON, too deeply nested, duplicate keys, lone surrogates."""
    name = "标准输入" if str(path) == "-" else Path(path).name

    def starts_like_json(head: bytes) -> None:
        first = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")[:1]
        if first and first != b"{":
            shown_first = f"“{chr(first[0])}”" if 0x21 <= first[0] < 0x7F else f"字节 0x{first[0]:02X} "
            raise InputError(f"文件“{shown(name)}”不是 BudgetDesk 数据文件：数据文件是以 {{ 开始的 JSON 文本，"
                             f"这个文件以{shown_first}开始，未导入。")

    return parse_document(read_bounded(path, MAX_DOCUMENT_BYTES, "BudgetDesk 数据文件", check_start=starts_like_json),
                          name)


def parse_document(raw: bytes, name: str = "数据文件") -> dict:
    """Parse the bytes of a data file. Structure is measured on the raw text (depth, number of values)
    before the parser builds anything, so nothing recurses or grows beyond the bounds."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"文件“{shown(name)}”不是 UTF-8 编码的 JSON 文本，不是 BudgetDesk 数据文件"
                         f"（第 {line} 行，第 {exc.start + 1} 个字节起无法按 UTF-8 读出）。") from None
    del raw
    _check_structure(text, name)
    escapes = _SURROGATE_ESCAPE.search(text) is not None
    try:
        document = json.loads(text, parse_float=Decimal, parse_int=_parse_int, parse_constant=_no_constant,
                              object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError(f"文件“{shown(name)}”不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}。") from None
    except RecursionError:  # pragma: no cover - _check_structure refuses deep nesting first
        raise InputError(f"文件“{shown(name)}”嵌套层数过多，不是 BudgetDesk 数据文件。") from None
    del text
    if escapes:
        _check_strings(document, name)
    return document


def _check_structure(text: str, name: str) -> None:
    skeleton = _JSON_STRING.sub("", text)
    containers = skeleton.count("[") + skeleton.count("{")
    items = containers + skeleton.count(",")
    if items > MAX_ITEMS:
        raise InputError(f"文件“{shown(name)}”含有 {items} 个以上的数据项，超过上限 {MAX_ITEMS}，不是 BudgetDesk 数据文件。")
    brackets = _NOT_BRACKET.sub("", skeleton)
    del skeleton
    for _level in range(MAX_DEPTH):
        if not brackets:
            return
        brackets, removed = _INNERMOST.subn("", brackets)
        if not removed:
            return  # unbalanced: the parser names the place
    if brackets and _INNERMOST.search(brackets):
        raise InputError(f"文件“{shown(name)}”的对象和数组嵌套超过 {MAX_DEPTH} 层，不是 BudgetDesk 数据文件（数据文件只有 5 层）。")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InputError(f"文件中的整数 {shown(text, 24)} 位数过多（最多 {MAX_INT_DIGITS} 位）。")
    return int(text)


def _no_constant(text: str) -> None:
    raise InputError(f"文件中有 {text}，这不是有效的 JSON 数值。")


def _first_repeated(keys: Iterable[str]) -> str:
    """The first key met a second time."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    raise ValueError("no key is repeated")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    document = dict(pairs)
    if len(document) != len(pairs):
        duplicate = _first_repeated(key for key, _value in pairs)
        others = "、".join(shown(key, 20) for key in list(document)[:8])
        raise InputError(f"数据文件中同一对象里键“{shown(duplicate)}”出现了两次（该对象的键：{others}），"
                         "无法确定以哪一个为准，未导入。")
    return document


def _check_strings(document: object, name: str) -> None:
    """Refuse lone surrogates (``\\udc00`` escapes) anywhere, naming the place in the document."""
    stack: list[tuple[object, tuple]] = [(document, ())]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if _LONE_SURROGATE.search(key):
                    raise InputError(f"文件“{shown(name)}”中的键“{shown(key)}”含有不成对的代理码位（\\u 转义），"
                                     "这不是有效的字符，未导入。")
                stack.append((value, (*where, key)))
        elif isinstance(node, list):
            stack.extend((value, (*where, index)) for index, value in enumerate(node))
        elif isinstance(node, str) and (found := _LONE_SURROGATE.search(node)):
            place = "/".join(str(part) for part in where) or "（文件根）"
            raise InputError(f"文件“{shown(name)}”的 {shown(place, 80)}“{shown(node)}”第 {found.start() + 1} 个字符是"
                             f"{describe_char(found.group())}，未导入。请在导出它的程序中改正这段文字。")


