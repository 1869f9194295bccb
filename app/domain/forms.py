"""Form definitions loaded from ``resources/forms/*.json``: the single description of every table.

A definition says what the official table looks like (title, multi-level column headers, row
header, orientation, empty-table note) and how each cell comes about (entered by the clerk, the sum
of other columns or rows, or an expression over other tables). The editor, the checks, Excel and
print all read these objects; nothing else lists a form's rows or columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.base.errors import InputError, NotFoundError
from app.base.paths import resource
from app.domain import expr
from app.domain.codes import CodeTable

ROW_KINDS = ("function", "economic", "fixed")
TOTAL_ROW = "total"
TOTAL_TITLE = "合计"
GENERATED_CLASSES = "@function_classes"

_ORDINALS = "一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (enough for the 30-odd 类 of the 收支总表)."""
    if number < 10:
        return _ORDINALS[number - 1]
    tens, units = divmod(number, 10)
    prefix = "" if tens == 1 else _ORDINALS[tens - 1]
    return prefix + "十" + (_ORDINALS[units - 1] if units else "")


@dataclass(frozen=True)
class ColumnDef:
    key: str
    title: str
    group: tuple[str, ...] = ()
    side: str | None = None
    entered: bool = False
    sum_of: tuple[str, ...] = ()

    @property
    def computed(self) -> bool:
        return not self.entered or bool(self.sum_of)


@dataclass(frozen=True)
class RowDef:
    key: str
    title: str
    side: str | None = None
    band: str = "body"
    indent: int = 0
    entered: bool = True
    sum_of: tuple[str, ...] = ()
    cells: dict[str, object] = field(default_factory=dict, hash=False, compare=False)
    cell_sources: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    code: str | None = None


@dataclass
class FormDef:
    id: str
    number: int
    title: str
    row_kind: str
    columns: list[ColumnDef]
    orientation: str = "portrait"
    layout: str = "grid"
    sides: dict[str, str] = field(default_factory=dict)
    row_header: dict[str, str] = field(default_factory=dict)
    empty_note: str = ""
    short_title: str = ""
    tab_order: int = 0
    raw_rows: list[dict] = field(default_factory=list, repr=False)
    edition: str = ""  # the definition's edition (resources/forms/*.json "edition"); see app.store.editions

    def __post_init__(self) -> None:
        self._columns_by_key = {column.key: column for column in self.columns}

    def column(self, key: str) -> ColumnDef:
        try:
            return self._columns_by_key[key]
        except KeyError:
            raise NotFoundError(f"《{self.title}》没有“{key}”这一栏。") from None

    def column_keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def entered_columns(self) -> list[ColumnDef]:
        return [column for column in self.columns if column.entered and not column.sum_of]

    def columns_for_side(self, side: str | None) -> list[ColumnDef]:
        return [column for column in self.columns if column.side in (None, side)]

    @property
    def code_kind(self) -> str | None:
        return self.row_kind if self.row_kind in ("function", "economic") else None

    def fixed_rows(self, function_codes: CodeTable | None) -> list[RowDef]:
        """The rows of a fixed-row form; 类 rows generated from the year's 功能分类 edition."""
        if self.row_kind != "fixed":
            raise InputError(f"《{self.title}》的行由科目编码决定，不是固定行。")
        edition = function_codes.edition if function_codes is not None else ""
        return _expand_rows(self, edition, function_codes)


def _parse_cells(form_id: str, cells: dict[str, str], code: str | None = None) -> tuple[dict, dict]:
    parsed, sources = {}, {}
    for column_key, text in cells.items():
        source = text.replace("{code}", code) if code else text
        sources[column_key] = source
        parsed[column_key] = expr.parse(source, default_form=form_id)
    return parsed, sources


_expansion_cache: dict[tuple[str, str, str], list[RowDef]] = {}


def _expand_rows(form: FormDef, edition: str, function_codes: CodeTable | None) -> list[RowDef]:
    cache_key = (form.id, form.edition, edition)
    if cache_key in _expansion_cache:
        return _expansion_cache[cache_key]
    rows: list[RowDef] = []
    generated_keys: list[str] = []
    ordinal = 0
    for raw in form.raw_rows:
        if "generate" in raw:
            if raw["generate"] != "function_classes":
                raise InputError(f"《{form.title}》定义中的行生成方式“{raw['generate']}”未知。")
            classes = function_codes.classes() if function_codes is not None else []
            for item in classes:
                ordinal += 1
                key = raw["key_prefix"] + item.code
                title = f"{chinese_ordinal(ordinal)}、{item.name}" if raw.get("ordinal_titles") else item.name
                cells, sources = _parse_cells(form.id, raw.get("cells", {}), item.code)
                rows.append(RowDef(key, title, raw.get("side"), "body", 0, False, (), cells, sources, item.code))
                generated_keys.append(key)
            continue
        title = raw.get("title", "")
        if raw.get("ordinal_title"):
            ordinal += 1
            title = f"{chinese_ordinal(ordinal)}、{title}"
        sum_of: list[str] = []
        for key in raw.get("sum_of", []):
            sum_of.extend(generated_keys if key == GENERATED_CLASSES else [key])
        cells, sources = _parse_cells(form.id, raw.get("cells", {}))
        entered = raw.get("entered", not (sum_of or cells))
        rows.append(
            RowDef(raw["key"], title, raw.get("side"), raw.get("band", "body"), raw.get("indent", 0), entered,
                   tuple(sum_of), cells, sources, raw.get("code"))
        )
    _expansion_cache[cache_key] = rows
    return rows


def _load_form(data: dict) -> FormDef:
    columns = [
        ColumnDef(
            key=column["key"],
            title=column["title"],
            group=tuple(column.get("group", ())),
            side=column.get("side"),
            entered=bool(column.get("entered", False)) and not column.get("sum_of"),
            sum_of=tuple(column.get("sum_of", ())),
        )
        for column in data["columns"]
    ]
    if data["row_kind"] not in ROW_KINDS:
        raise InputError(f"表样 {data['id']} 的行类型“{data['row_kind']}”无效。")
    return FormDef(
        id=data["id"],
        number=int(data["number"]),
        title=data["title"],
        row_kind=data["row_kind"],
        columns=columns,
        orientation=data.get("orientation", "portrait"),
        layout=data.get("layout", "grid"),
        sides=data.get("sides", {}),
        row_header=data.get("row_header", {}),
        empty_note=data.get("empty_note", ""),
        short_title=data.get("short_title", data["title"]),
        tab_order=int(data.get("tab_order", data["number"])),
        raw_rows=data.get("rows", []),
        edition=str(data.get("edition", "")),
    )


# ---- editions of the definitions -----------------------------------------------------------
# ``resources/forms/*.json`` are the current edition's definitions; when a new edition ships, the
# previous edition's files move, unchanged, to ``resources/forms/editions/<edition>/`` (the same
# files, never a second hand-written copy), so a dataset submitted under it still prints as it was.
# ``using_edition`` makes ``all_forms``/``form_by_id`` (and the named quantities) answer with one
# edition's definitions for the calling thread/context only.

_active_edition: ContextVar[str | None] = ContextVar("budgetdesk_form_edition", default=None)


def forms_root() -> Path:
    """The folder of the current edition's definitions (tests point it at a shipped-edition tree)."""
    return resource("forms")


@cache
def current_form_edition() -> str:
    """The edition ``resources/forms/editions.json`` calls current (the one ``forms_root`` holds)."""
    data = json.loads((forms_root() / "editions.json").read_text(encoding="utf-8"))
    return str(data.get("current", "2023"))


def kept_editions() -> list[str]:
    """Every edition whose definitions this program holds: the current one and the kept older ones."""
    folder = forms_root() / "editions"
    older = sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
    return sorted({*older, current_form_edition()})


def definitions_dir(edition: str | None = None) -> Path:
    """Where ``edition``'s form definitions (and its quantities.json) are; refused in Chinese when
    this program does not hold that edition."""
    if edition is None or edition == current_form_edition():
        return forms_root()
    folder = forms_root() / "editions" / edition
    if not folder.is_dir():
        raise NotFoundError(f"本程序没有 {edition} 版表样定义（现有：{'、'.join(kept_editions())} 版）。")
    return folder


def active_edition() -> str:
    """The edition ``all_forms`` answers with in this context."""
    return _active_edition.get() or current_form_edition()


@contextmanager
def using_edition(edition: str | None) -> Iterator[None]:
    """Within the block, the form definitions (and named quantities) are ``edition``'s."""
    if edition is not None:
        definitions_dir(edition)  # refused before anything is switched
        if edition == current_form_edition():
            edition = None
    token = _active_edition.set(edition)
    try:
        yield
    finally:
        _active_edition.reset(token)


@cache
def _edition_forms(edition: str | None) -> tuple[FormDef, ...]:
    forms = []
    for path in sorted(definitions_dir(edition).glob("[0-9]*.json")):  # NN_name.json; quantities.json is not a form
        with open(path, encoding="utf-8") as handle:
            forms.append(_load_form(json.load(handle)))
    forms.sort(key=lambda form: form.number)
    return tuple(forms)


def all_forms() -> tuple[FormDef, ...]:
    return _edition_forms(_active_edition.get())


def clear_definition_caches() -> None:
    """Forget loaded definitions (after ``forms_root`` changed: a test shipping an edition)."""
    for cached in (_edition_forms, _edition_forms_by_id, current_form_edition):
        cached.cache_clear()
    _expansion_cache.clear()



def editor_order() -> list[FormDef]:
    """Tabs start with the tables the clerk types into (收入/支出总表, 基本支出, 三公), then the rest."""
    return sorted(all_forms(), key=lambda form: form.tab_order)


@cache
def _edition_forms_by_id(edition: str | None) -> dict[str, FormDef]:
    return {form.id: form for form in _edition_forms(edition)}


def _forms_by_id() -> dict[str, FormDef]:
    return _edition_forms_by_id(_active_edition.get())


def form_by_id(form_id: str) -> FormDef:
    form = _forms_by_id().get(form_id)
    if form is not None:
        return form
    known = "、".join(form.id for form in all_forms())
    raise NotFoundError(f"没有表样“{form_id}”。可用的表样：{known}。")


def find_form(name: str) -> FormDef:
    """A form by what a clerk may type: its id, its official title (部门预算支出总表, with or without
    《》) or its short title (支出总表); refused with the list of names otherwise."""
    text = name.strip().strip("《》").strip()
    form = _forms_by_id().get(text)
    if form is not None:
        return form
    def plain(title: str) -> str:
        return "".join(char for char in title if char not in "“”\"'")

    for candidate in all_forms():
        if plain(text) in (plain(candidate.title), plain(candidate.short_title)) or text == str(candidate.number):
            return candidate
    known = "、".join(f"{form.short_title}（{form.id}）" for form in all_forms())
    raise NotFoundError(f"没有表样“{name}”。可用的表样：{known}。")
