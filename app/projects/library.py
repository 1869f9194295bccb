"""The indicator library the editor suggests from (resources/indicator_library.json)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from app.base.paths import resource
from app.projects.code_lists import _load


@dataclass(frozen=True)
class LibraryEntry:
    level2: str
    name: str
    comparator: str
    unit: str


@cache
def indicator_library() -> dict[str, list[LibraryEntry]]:
    """Common 三级 indicators per 二级 code (resources/indicator_library.json)."""
    data = _load(resource("indicator_library.json"))
    library: dict[str, list[LibraryEntry]] = {}
    for level2, name, comparator, unit in data["items"]:
        library.setdefault(level2, []).append(LibraryEntry(level2, name, comparator, unit))
    return library
