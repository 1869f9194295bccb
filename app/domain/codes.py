"""Code tables (支出功能分类科目, 部门预算支出经济分类科目, 绩效指标 levels …) shipped as data.

Each shipped file names its edition (``resources/codes/function_2023.json``). A bureau can import a
newer official edition (see ``app.store.service.Store.import_code_edition``); validation is shared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from app.base.errors import InputError, NotFoundError
from app.base.paths import resource
from app.base.textcheck import CODE_NAME_MAX_CHARS, check_code, check_text, shown

CODE_KINDS = ("function", "economic")
KIND_NAMES = {"function": "支出功能分类科目", "economic": "部门预算支出经济分类科目"}
# 类/款/项 lengths per kind: function codes go 201 → 20706 → 2070699, economic 301 → 30101.
CODE_LENGTHS = {"function": (3, 5, 7), "economic": (3, 5)}
BASIC_KINDS = ("personnel", "public", None)


@dataclass(frozen=True)
class CodeItem:
    code: str
    name: str
    attribute: str | None = None  # economic: personnel/public (人员经费/公用经费) in basic expenditure

    @property
    def parent(self) -> str | None:
        return self.code[:-2] if len(self.code) > 3 else None

    @property
    def level(self) -> int:
        return {3: 1, 5: 2, 7: 3}.get(len(self.code), 0)


@dataclass
class CodeTable:
    kind: str
    edition: str
    title: str
    items: dict[str, CodeItem]
    source: str = ""
    children: dict[str | None, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        children: dict[str | None, list[str]] = {}
        for code in sorted(self.items):
            children.setdefault(self.items[code].parent, []).append(code)
        self.children = children

    def __contains__(self, code: str) -> bool:
        return code in self.items

    def get(self, code: str) -> CodeItem:
        try:
            return self.items[code]
        except KeyError:
            raise NotFoundError(f"{KIND_NAMES.get(self.kind, self.kind)}（{self.edition}版）中没有科目编码 {code}。") from None

    def name(self, code: str) -> str:
        return self.get(code).name

    def classes(self) -> list[CodeItem]:
        return [self.items[code] for code in self.children.get(None, [])]

    def ancestors(self, code: str) -> list[str]:
        found = []
        parent = self.items[code].parent if code in self.items else (code[:-2] if len(code) > 3 else None)
        while parent:
            found.append(parent)
            parent = parent[:-2] if len(parent) > 3 else None
        return found

    def search(self, text: str, limit: int = 50) -> list[CodeItem]:
        """Codes whose code starts with, or whose name contains, the text (for completers)."""
        text = text.strip()
        if not text:
            return []
        by_code = [item for code, item in sorted(self.items.items()) if code.startswith(text)]
        by_name = [item for code, item in sorted(self.items.items()) if text in item.name and item not in by_code]
        return (by_code + by_name)[:limit]


MAX_CODE_ROWS = 20000  # an official 功能分类 list has about 5,000 codes


def validate_items(kind: str, rows: list[tuple[str, str, str | None]], *, lines: list[int] | None = None,
                   sheet: str = "") -> list[str]:
    """Structural check of a code list; returns Chinese problem descriptions (empty = valid).

    ``lines`` gives each row's number as the spreadsheet shows it (1-based, the header row counted)
    and ``sheet`` the worksheet's name, so a message points at the row the clerk sees in Excel."""
    problems: list[str] = []
    if len(rows) > MAX_CODE_ROWS:
        return [f"科目表有 {len(rows)} 行，超过上限 {MAX_CODE_ROWS} 行，不是一份科目表。"]
    lengths = CODE_LENGTHS[kind]
    seen: dict[str, str] = {}
    prefix = f"工作表“{shown(sheet)}”" if sheet else ""
    for index, (raw_code, name, attribute) in enumerate(rows):
        where = f"{prefix}第 {lines[index] if lines else index + 1} 行"
        try:
            code = check_code(raw_code, "科目编码", 16)
        except InputError as exc:
            problems.append(f"{where}：{exc}")
            continue
        if not code.isdigit():
            problems.append(f"{where}：科目编码“{code}”必须全部是数字。")
            continue
        if len(code) not in lengths:
            allowed = "、".join(str(n) for n in lengths)
            problems.append(f"{where}：科目编码 {code} 的位数应为 {allowed} 位。")
            continue
        if code in seen:
            problems.append(f"{where}：科目编码 {code} 重复（{seen[code]}已有）。")
        seen.setdefault(code, where)
        if not name or not name.strip():
            problems.append(f"{where}：科目编码 {code} 缺少科目名称。")
        else:
            try:
                check_text(name.strip(), "科目名称", CODE_NAME_MAX_CHARS)
            except InputError as exc:
                problems.append(f"{where}：科目编码 {code} 的{exc}")
        if kind == "economic" and attribute not in BASIC_KINDS:
            problems.append(f"{where}：科目 {code} 的经费类型“{attribute}”无效。")
    for code in seen:
        if len(code) > 3 and code[:-2] not in seen:
            problems.append(f"{seen[code]}：科目编码 {code} 的上级科目 {code[:-2]} 不存在。")
    if not seen and not problems:
        problems.append("文件中没有任何科目。")
    return problems


def normalized_rows(rows: list[tuple[str, str, str | None]]) -> list[tuple[str, str, str | None]]:
    """Rows with each code as the core stores it (stripped, NFKC: full-width ２０１ is 201); a code that
    cannot be normalised is left for :func:`validate_items` to report."""
    result = []
    for code, name, attribute in rows:
        try:
            code = check_code(code, "科目编码", 16)
        except InputError:
            pass
        result.append((code, name, attribute))
    return result


def build_table(kind: str, edition: str, title: str, rows: list[tuple[str, str, str | None]], source: str = "", *,
                lines: list[int] | None = None, sheet: str = "") -> CodeTable:
    problems = validate_items(kind, rows, lines=lines, sheet=sheet)
    if problems:
        shown = "\n".join(problems[:20])
        more = f"\n……另有 {len(problems) - 20} 处问题。" if len(problems) > 20 else ""
        raise InputError(f"{KIND_NAMES[kind]}（{edition}版）有 {len(problems)} 处问题：\n{shown}{more}")
    items = {code: CodeItem(code, name.strip(), attribute) for code, name, attribute in normalized_rows(rows)}
    return CodeTable(kind, edition, title, items, source)


def _read_shipped(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def shipped_editions(kind: str) -> list[str]:
    editions = []
    for path in resource("codes").glob(f"{kind}_*.json"):
        editions.append(path.stem.split("_", 1)[1])
    return sorted(editions)


@cache
def shipped_table(kind: str, edition: str) -> CodeTable:
    path = resource("codes", f"{kind}_{edition}.json")
    if not path.exists():
        raise NotFoundError(f"没有随软件提供的{KIND_NAMES.get(kind, kind)} {edition} 版。")
    data = _read_shipped(path)
    rows = [(str(item[0]), str(item[1]), item[2] if len(item) > 2 else None) for item in data["items"]]
    return build_table(kind, str(data["edition"]), data.get("title", ""), rows, data.get("source", ""))


def default_shipped_table(kind: str, year: int | None = None) -> CodeTable:
    """The newest shipped edition not newer than the budget year (or the oldest if all are newer)."""
    editions = shipped_editions(kind)
    if not editions:
        raise NotFoundError(f"没有随软件提供的{KIND_NAMES.get(kind, kind)}。")
    if year is not None:
        usable = [edition for edition in editions if edition.isdigit() and int(edition) <= year]
        if usable:
            return shipped_table(kind, usable[-1])
        return shipped_table(kind, editions[0])
    return shipped_table(kind, editions[-1])


@cache
def simple_list(name: str) -> list[list]:
    """Small lists such as indicator_levels, income_sources, fund_types."""
    return _read_shipped(resource("codes", f"{name}.json"))["items"]
