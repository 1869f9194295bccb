"""政府采购品目分类目录: the procurement catalogue and its search."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from app.base.errors import InputError
from app.base.paths import resource
from app.domain.codes import CodeItem, CodeTable
from app.projects.code_lists import _load

_CATALOGUE_CODE = re.compile(r"^([ABC])((?:\d\d){0,4})$")


def normalize_catalogue_code(text: str) -> str:
    """``C0601`` or ``c06010000`` → ``C06010000`` (a letter and eight digits, as the budget tables print)."""
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()
    match = _CATALOGUE_CODE.match(cleaned)
    if not match:
        raise InputError(f"政府采购目录序号“{text}”格式不对，应为 A（货物）、B（工程）或 C（服务）加数字，例如 C06010000。")
    if not match.group(2):
        return match.group(1)
    return match.group(1) + match.group(2).ljust(8, "0")


def catalogue_parent(code: str) -> str | None:
    if len(code) == 1:
        return None
    digits = code[1:].rstrip("0")
    if len(digits) % 2:
        digits += "0"
    significant = digits[:-2]
    return code[0] + significant.ljust(8, "0") if significant else code[0]


@cache
def procurement_catalogue() -> CodeTable:
    """The shipped excerpt of the 政府采购品目分类目录 (resources/codes/procurement_catalogue.json)."""
    data = _load(resource("codes", "procurement_catalogue.json"))
    items = {code: CodeItem(code, name) for code, name in data["items"]}
    table = CodeTable("procurement_catalogue", str(data["edition"]), data.get("title", ""), items, data.get("source", ""))
    # CodeTable derives parents from 功能分类-style codes; catalogue codes are zero-padded instead.
    table.children = {}
    for code in sorted(items):
        table.children.setdefault(catalogue_parent(code), []).append(code)
    return table


def catalogue_name(code: str) -> str | None:
    item = procurement_catalogue().items.get(code)
    return item.name if item else None


def search_catalogue(text: str, limit: int = 50) -> list[tuple[str, str]]:
    """Completer: codes starting with the text (short forms too), then names containing it."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return []
    items = sorted(procurement_catalogue().items.items())
    upper = text.upper()
    by_code = [(code, item.name) for code, item in items if code.startswith(upper) or code.rstrip("0").startswith(upper)]
    by_name = [(code, item.name) for code, item in items if text in item.name and (code, item.name) not in by_code]
    return (by_code + by_name)[:limit]
