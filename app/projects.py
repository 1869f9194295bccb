"""Projects and their performance targets (项目支出绩效目标表), the 部门整体绩效目标, the
政府采购预算表 and the 部门固定资产占用情况表 of one dataset.

Qt-free. The GUI edits all of it through :class:`ProjectBook`. Every mutating call validates first
(``InputError`` with a Chinese message, nothing written), then writes in ONE database transaction and
returns a :class:`Change` whose ``before`` and ``after`` states :meth:`ProjectBook.restore` can write
back, so an undo command needs nothing else: ``undo = restore(change.before)``,
``redo = restore(change.after)``.

Money is ``Decimal`` (two decimals, the dataset's money unit) here and integer hundredths in the
database; quantities are ``Decimal`` stored as exact decimal text. No float touches either.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from app.codes import CodeItem, CodeTable, simple_list
from app.errors import InputError, NotFoundError
from app.money import format_amount, from_hundredths, parse_amount, to_hundredths
from app.paths import resource
from db import models

# ---- indicator levels (一级/二级指标) -----------------------------------------------------------

COMPARATORS = ("≥", "≤", "=", ">", "<")
QUALITATIVE = "定性"
ALL_COMPARATORS = (*COMPARATORS, QUALITATIVE)
# What clerks type for the same signs (ASCII pairs, the "≧≦" variants some input methods produce).
_COMPARATOR_SPELLINGS = {">=": "≥", "≧": "≥", "⩾": "≥", "<=": "≤", "≦": "≤", "⩽": "≤", "==": "="}


@dataclass(frozen=True)
class LevelItem:
    code: str
    name: str
    parent: str | None


@cache
def indicator_levels() -> dict[str, LevelItem]:
    """The coded 一级/二级 list (resources/codes/indicator_levels.json): 1 产出 → 11 数量 …"""
    return {str(code): LevelItem(str(code), name, parent) for code, name, parent in simple_list("indicator_levels")}


def level_name(code: str) -> str:
    item = indicator_levels().get(code)
    return item.name if item else code


def level2_codes(level1: str) -> list[str]:
    return [item.code for item in indicator_levels().values() if item.parent == level1]


def _short(name: str) -> str:
    return name[:-2] if name.endswith("指标") else name


def _level_candidates(level1: str | None) -> list[LevelItem]:
    """None: the 一级 items; "": every 二级 item; a 一级 code: the 二级 items under it."""
    items = indicator_levels().values()
    if level1 is None:
        return [item for item in items if item.parent is None]
    return [item for item in items if item.parent == level1] if level1 else [item for item in items if item.parent]


def _resolve_level(text: str, candidates: list[LevelItem]) -> LevelItem | None:
    """A code ("11"), a coded name ("11-数量指标", seed 002) or a name ("数量指标", "数量", "服务对象")."""
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    coded = re.match(r"^(\d+)(?:[-、.．:：]?(\D.*))?$", cleaned)
    if coded:
        code = coded.group(1)
        return next((item for item in candidates if item.code == code), None)
    short = _short(cleaned)
    exact = [item for item in candidates if _short(item.name) == short]
    if exact:
        return exact[0]
    # Seed 000 prints shortened names ("服务对象" for 服务对象满意度指标): accept an unambiguous prefix.
    prefixed = [item for item in candidates if _short(item.name).startswith(short)]
    return prefixed[0] if len(prefixed) == 1 and short else None


def resolve_level1(text: str) -> str:
    item = _resolve_level(text, _level_candidates(None))
    if item is None:
        raise InputError(f"一级指标“{text}”无效，应为 1 产出指标、2 效益指标或 3 满意度指标。")
    return item.code


def resolve_level2(text: str, level1: str | None = None) -> str:
    """The 二级 code; with ``level1`` it must belong to it (a name is looked up under it first)."""
    item = _resolve_level(text, _level_candidates(level1)) if level1 else None
    if item is None:
        item = _resolve_level(text, _level_candidates(""))
    if item is None:
        if level1:
            allowed = "、".join(f"{code} {level_name(code)}" for code in level2_codes(level1))
            raise InputError(f"二级指标“{text}”无效，{level_name(level1)}下应为 {allowed}。")
        raise InputError(f"二级指标“{text}”无效。")
    if level1 and item.parent != level1:
        raise InputError(f"二级指标“{item.name}”（{item.code}）不属于一级指标“{level_name(level1)}”（{level1}）。")
    return item.code


# ---- other small code lists ----------------------------------------------------------------------

PROJECT_ATTRIBUTES = {"recurring": "经常性项目", "one_off": "一次性项目", "continuing": "延续性项目"}
_ATTRIBUTE_SPELLINGS = {"经常性": "recurring", "经常": "recurring", "一次性": "one_off", "延续性": "continuing",
                        "延续": "continuing", "延续项目": "continuing"}

# Fund sources of a project's amount: by nature (财政拨款/财政专户拨款/其他资金, seed 002) and by level of
# government (本级财政/上级资金/其他资金, seed 000). Either breakdown, when used, adds up to the amount.
PROJECT_FUNDS: list[tuple[str, str]] = [
    ("fiscal_appropriation", "财政拨款"),
    ("fiscal_special_account", "财政专户拨款"),
    ("local_fiscal", "本级财政"),
    ("higher_level", "上级资金"),
    ("other_funds", "其他资金"),
]
FUNDS_BY_NATURE = ("fiscal_appropriation", "fiscal_special_account")
FUNDS_BY_LEVEL = ("local_fiscal", "higher_level")

# 政府采购金额（当年部门预算安排资金）columns of the 政府采购预算表, in printed order.
PROCUREMENT_FUNDS: list[tuple[str, str]] = [
    ("general_budget", "一般公共预算拨款"),
    ("government_fund", "基金预算拨款"),
    ("state_capital", "国有资本经营预算拨款"),
    ("special_account", "财政专户核拨"),
    ("unit_funds", "单位资金"),
    ("fiscal_carryover", "财政拨款结转"),
    ("nonfiscal_carryover", "非财政拨款结转结余"),
]

# Fixed rows of the 部门固定资产占用情况表 (资产总额 is computed). ``whole``: counted in pieces.
ASSET_ROWS: list[tuple[str, str, bool]] = [
    ("buildings", "1、房屋（平方米）", False),
    ("office_buildings", "其中：办公用房（平方米）", False),
    ("vehicles", "2、车辆（台、辆）", True),
    ("equipment", "3、单价在 20 万元以上的设备", True),
    ("other", "4、其他固定资产", True),
]
ASSET_LABELS = {key: label for key, label, _whole in ASSET_ROWS}
# 其中 rows are part of their parent, so they are not added into 资产总额.
_ASSET_PART_OF = {"office_buildings": "buildings"}


def _load(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# ---- 政府采购品目分类目录 --------------------------------------------------------------------------

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


# ---- indicator library -------------------------------------------------------------------------


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


# ---- records -------------------------------------------------------------------------------------


@dataclass
class Indicator:
    """One row of a 绩效指标 table. ``level1``/``level2`` are codes ("1", "11" …)."""

    level1: str
    level2: str
    name: str  # 三级指标
    description: str = ""  # 指标描述
    comparator: str = ""  # ≥ ≤ = > < 定性, or "" where the table prints a bare figure ("100%")
    value: str = ""  # 年度指标值: a number when the comparator is ≥ ≤ = > <, words when 定性
    unit: str = ""  # 计量单位: 篇, 次, %, 万元, 日 …
    basis: str = ""  # 指标值确定依据
    period_value: str = ""  # 实施周期指标值 (seed 002)
    note: str = ""  # 备注: the sub-activity (seed 000) or the 分项 of the 部门整体绩效目标

    @property
    def display_value(self) -> str:
        """The 指标值 cell as printed: ``≥500篇``, ``100%``, ``比上年提升``."""
        if self.comparator == QUALITATIVE:
            return f"{self.value}{self.unit}"
        return f"{self.comparator}{self.value}{self.unit}"


@dataclass
class Project:
    """A project with its 项目支出绩效目标表 fields. Amounts in the dataset's money unit."""

    name: str
    code: str = ""  # 项目编码 (optional)
    amount: Decimal | None = None  # 本年度预算安排数（总计）
    fiscal_appropriation: Decimal | None = None  # 财政拨款
    fiscal_special_account: Decimal | None = None  # 财政专户拨款
    local_fiscal: Decimal | None = None  # 本级财政
    higher_level: Decimal | None = None  # 上级资金
    other_funds: Decimal | None = None  # 其他资金
    period_total: Decimal | None = None  # 实施期资金总额 (multi-year projects)
    executed_before: Decimal | None = None  # 以前年度累计执行数
    function_code: str = ""  # 功能分类科目 (项级, 7 digits)
    attribute: str = ""  # 项目属性: recurring / one_off / continuing (PROJECT_ATTRIBUTES)
    period_start: date | None = None  # 实施周期
    period_end: date | None = None
    competent_department: str = ""  # 主管部门
    implementing_unit: str = ""  # 实施单位（资金使用单位）
    manager: str = ""  # 项目负责人
    period_goal: str = ""  # 实施期总目标
    annual_goal: str = ""  # 年度绩效目标
    indicators: list[Indicator] = field(default_factory=list)
    id: int | None = None  # database id, set by ProjectBook

    @property
    def attribute_name(self) -> str:
        return PROJECT_ATTRIBUTES.get(self.attribute, "")


@dataclass
class OverallTargets:
    """部门整体绩效目标: the overall goal and the 分项 indicators (``note`` names the 分项)."""

    goal: str = ""
    indicators: list[Indicator] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.goal and not self.indicators


@dataclass
class ProcurementItem:
    """One row of the 政府采购预算表; 合计 (``total``) is the sum of the fund columns."""

    project_id: int | None  # 政府采购项目来源
    item_name: str  # 采购物品名称
    catalogue_code: str  # 政府采购目录序号
    measure_unit: str = ""  # 计量单位
    quantity: Decimal | None = None  # 数量
    unit_price: Decimal | None = None  # 单价
    general_budget: Decimal | None = None  # 一般公共预算拨款
    government_fund: Decimal | None = None  # 基金预算拨款
    state_capital: Decimal | None = None  # 国有资本经营预算拨款
    special_account: Decimal | None = None  # 财政专户核拨
    unit_funds: Decimal | None = None  # 单位资金
    fiscal_carryover: Decimal | None = None  # 财政拨款结转
    nonfiscal_carryover: Decimal | None = None  # 非财政拨款结转结余
    sme_reserved: Decimal | None = None  # 预留中小微企业份额
    id: int | None = None

    @property
    def total(self) -> Decimal | None:
        """合计 = Σ fund columns; None (a blank) when no fund column is filled."""
        amounts = [getattr(self, key) for key, _label in PROCUREMENT_FUNDS if getattr(self, key) is not None]
        return sum(amounts, Decimal("0.00")) if amounts else None


@dataclass
class AssetLine:
    quantity: Decimal | None = None  # 数量 (㎡ for 房屋, pieces otherwise)
    value: Decimal | None = None  # 价值


@dataclass
class AssetTable:
    """部门固定资产占用情况表; ``lines`` is keyed by the ASSET_ROWS keys."""

    as_of: date | None = None  # 截止时间
    lines: dict[str, AssetLine] = field(default_factory=dict)
    planned_purchases: Decimal | None = None  # 本年度拟购置固定资产总额

    def line(self, key: str) -> AssetLine:
        return self.lines.get(key) or AssetLine()

    @property
    def total_value(self) -> Decimal | None:
        """资产总额 = 房屋 + 车辆 + 设备 + 其他 (办公用房 is part of 房屋); blank when nothing is filled."""
        values = [line.value for key, line in self.lines.items() if key not in _ASSET_PART_OF and line.value is not None]
        return sum(values, Decimal("0.00")) if values else None

    def is_empty(self) -> bool:
        return (self.as_of is None and self.planned_purchases is None
                and all(line.quantity is None and line.value is None for line in self.lines.values()))


@dataclass
class ProcurementTotals:
    """A 合计 or 小计 row of the 政府采购预算表 (None: no row fills that column, printed blank)."""

    funds: dict[str, Decimal | None]
    total: Decimal | None
    sme_reserved: Decimal | None


# ---- parsing what clerks type or paste -----------------------------------------------------------

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_VALUE_WITH_UNIT = re.compile(r"^(≥|≤|=|>|<)?\s*(-?\d+(?:\.\d+)?)\s*([^\d]{0,12})$")


def _clean(text: object) -> str:
    return "" if text is None else str(text).strip()


def normalize_comparator(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", _clean(text)).replace(" ", "")
    return _COMPARATOR_SPELLINGS.get(cleaned, cleaned)


def split_indicator_value(text: str) -> tuple[str, str, str]:
    """``≥ 500 篇`` → ("≥", "500", "篇"); ``100%`` → ("", "100", "%"); ``比上年提升`` → ("定性", "比上年提升", "")."""
    cleaned = _clean(text)
    if not cleaned:
        return "", "", ""
    normalized = unicodedata.normalize("NFKC", cleaned)  # full-width digits, ％ and ＞ to ASCII
    for spelling, sign in _COMPARATOR_SPELLINGS.items():
        if normalized.startswith(spelling):
            normalized = sign + normalized[len(spelling):]
            break
    match = _VALUE_WITH_UNIT.match(normalized)
    # A unit is short and has no digits; anything else (“2021年12月31日前”, “5场以上活动（…）”) is words.
    if match:
        return match.group(1) or "", match.group(2), match.group(3).strip()
    return QUALITATIVE, cleaned, ""


_TABLE_HEADER = ("一级指标", "一级绩效指标")


def parse_indicator_table(text: str) -> list[Indicator]:
    """Rows pasted from a printed 绩效目标表 or an Excel/WPS sheet, tab-separated:
    一级, 二级, 三级, 指标描述, 指标值, 指标值确定依据 (a blank 一级/二级 repeats the one above, as merged
    cells copy). Header rows are skipped; names map to codes (产出指标 → 1, 数量指标 → 11).
    """
    indicators: list[Indicator] = []
    level1 = level2 = ""
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("\t")] + [""] * 6
        if cells[0] in _TABLE_HEADER:
            continue
        try:
            if cells[0]:
                level1 = resolve_level1(cells[0])
            if cells[1]:
                level2 = resolve_level2(cells[1], level1 or None)
        except InputError as exc:
            raise InputError(f"第 {line_number} 行：{exc}") from None
        comparator, value, unit = split_indicator_value(cells[4])
        indicators.append(Indicator(level1, level2, cells[2], cells[3], comparator, value, unit, cells[5]))
    return indicators


@dataclass(frozen=True)
class IndicatorGroup:
    """A run of consecutive rows with the same 一级 (and 二级): one merged cell of the printed table."""

    code: str
    start: int  # index of the first row
    count: int


def group_indicators(indicators: Sequence[Indicator]) -> tuple[list[IndicatorGroup], list[IndicatorGroup]]:
    """The merged 一级 and 二级 cells of a table in stored order (rows are never reordered here:
    a 批复表 orders them by sub-activity, so one 二级 may appear in several runs)."""
    level1_runs: list[IndicatorGroup] = []
    level2_runs: list[IndicatorGroup] = []
    for index, indicator in enumerate(indicators):
        new_level1 = not level1_runs or level1_runs[-1].code != indicator.level1
        if new_level1:
            level1_runs.append(IndicatorGroup(indicator.level1, index, 1))
        else:
            level1_runs[-1] = replace(level1_runs[-1], count=level1_runs[-1].count + 1)
        # A 二级 cell never reaches across two 一级 cells.
        if new_level1 or level2_runs[-1].code != indicator.level2:
            level2_runs.append(IndicatorGroup(indicator.level2, index, 1))
        else:
            level2_runs[-1] = replace(level2_runs[-1], count=level2_runs[-1].count + 1)
    return level1_runs, level2_runs


def arrange_indicators(indicators: Sequence[Indicator]) -> list[Indicator]:
    """Rows gathered under their 一级 (in code order) and, within it, under their 二级 (in order of
    first appearance, as published tables do: 可持续影响 may come before 社会效益); rows keep their
    order within a 二级. For the GUI's “整理” command, never applied silently."""
    first_seen: dict[str, int] = {}
    for index, indicator in enumerate(indicators):
        first_seen.setdefault(indicator.level2, index)
    ordered = sorted(enumerate(indicators), key=lambda item: (item[1].level1, first_seen[item[1].level2], item[0]))
    return [indicator for _index, indicator in ordered]


def parse_date(value: date | str | None, label: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not cleaned:
        return None
    match = re.match(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$", cleaned)
    try:
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        pass
    raise InputError(f"{label}“{value}”不是有效的日期，请按 2023-01-01 的格式填写。")


def parse_quantity(value: Decimal | int | str | None, label: str, *, whole: bool = False, decimals: int = 4) -> Decimal | None:
    """A non-negative exact quantity (数量, 面积); never a float."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise InputError(f"{label}必须是数字。")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).replace("，", ",")
        if not cleaned:
            return None
        if re.match(r"^\d{1,3}(,\d{3})+(\.\d+)?$", cleaned):
            cleaned = cleaned.replace(",", "")
        if not _NUMBER.match(cleaned):
            raise InputError(f"{label}“{value}”不是有效的数字。")
        number = Decimal(cleaned)
    if not number.is_finite():
        raise InputError(f"{label}必须是有限的数字。")
    if number < 0:
        raise InputError(f"{label}不能为负数（录入的是 {number}）。")
    if whole and number != number.to_integral_value():
        raise InputError(f"{label}应为整数（录入的是 {number}）。")
    if number.as_tuple().exponent < -decimals and number != number.quantize(Decimal(1).scaleb(-decimals)):
        raise InputError(f"{label}最多保留 {decimals} 位小数（录入的是 {number}）。")
    if number > Decimal("999999999999"):
        raise InputError(f"{label} {number} 过大，请检查是否多输入了数字。")
    return number


def decimal_text(number: Decimal | None) -> str | None:
    """Exact text of a quantity without exponent or trailing zeros: 3, 1.5, 120.25."""
    if number is None:
        return None
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _money(value: object, label: str) -> Decimal | None:
    try:
        return parse_amount(value) if value is not None else None
    except InputError as exc:
        raise InputError(f"{label}：{exc}") from None


def _text(value: object, label: str, limit: int | None = None) -> str:
    text = _clean(value)
    if limit is not None and len(text) > limit:
        raise InputError(f"{label}过长（最多 {limit} 个字，录入了 {len(text)} 个字）。")
    return text


# ---- validation ------------------------------------------------------------------------------------


def validate_indicator(indicator: Indicator, *, require_levels: bool = True) -> Indicator:
    """A normalised copy (codes for names, canonical comparator and number) or InputError."""
    level1_text, level2_text = _clean(indicator.level1), _clean(indicator.level2)
    level1 = resolve_level1(level1_text) if level1_text else ""
    level2 = resolve_level2(level2_text, level1 or None) if level2_text else ""
    if level2 and not level1:
        level1 = indicator_levels()[level2].parent or ""
    if require_levels and not level1:
        raise InputError("缺少一级指标（产出指标、效益指标或满意度指标）。")
    if require_levels and not level2:
        raise InputError(f"缺少二级指标（{level_name(level1)}下的 "
                         + "、".join(level_name(code) for code in level2_codes(level1)) + "）。")
    if level1 and not level2 and not require_levels:
        raise InputError("填写了一级指标时也要填写二级指标。")
    name = _text(indicator.name, "三级指标名称", 300)
    if not name:
        raise InputError("三级指标名称不能为空。")
    comparator = normalize_comparator(indicator.comparator)
    if comparator not in ALL_COMPARATORS and comparator != "":
        raise InputError(f"比较符“{indicator.comparator}”无效，只能是 ≥、≤、=、>、< 或 定性。")
    value = _clean(indicator.value)
    if comparator in COMPARATORS:
        if not value:
            raise InputError(f"比较符为“{comparator}”时必须填写指标值。")
        number = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
        if re.match(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$", number):
            number = number.replace(",", "")
        if not _NUMBER.match(number):
            raise InputError(f"指标值“{value}”不是数字；比较符为“{comparator}”时指标值应为数字，"
                             "用文字表述的指标请把比较符选为“定性”。")
        value = number
    elif comparator == QUALITATIVE and not value:
        raise InputError("定性指标必须填写指标值（例如：比上年提升）。")
    unit = _text(indicator.unit, "计量单位", 32)
    return Indicator(
        level1, level2, name, _clean(indicator.description), comparator, value, unit, _clean(indicator.basis),
        _clean(indicator.period_value), _clean(indicator.note),
    )


def validate_indicators(indicators: Iterable[Indicator], *, require_levels: bool = True) -> list[Indicator]:
    checked = []
    for number, indicator in enumerate(indicators, start=1):
        try:
            checked.append(validate_indicator(indicator, require_levels=require_levels))
        except InputError as exc:
            name = _clean(indicator.name)
            raise InputError(f"第 {number} 条绩效指标{f'（{name}）' if name else ''}：{exc}") from None
    return checked


def _attribute(text: str) -> str:
    cleaned = re.sub(r"\s+", "", _clean(text))
    if not cleaned or cleaned in PROJECT_ATTRIBUTES:
        return cleaned
    by_name = {name: key for key, name in PROJECT_ATTRIBUTES.items()} | _ATTRIBUTE_SPELLINGS
    if cleaned in by_name:
        return by_name[cleaned]
    raise InputError(f"项目属性“{text}”无效，只能是经常性项目、一次性项目或延续性项目。")


def _function_code(code: str, function_table: CodeTable | None) -> str:
    code = _clean(code)
    if not code or function_table is None:
        return code
    if code not in function_table:
        raise InputError(f"功能分类科目“{code}”不在支出功能分类科目（{function_table.edition}版）中。")
    if len(code) != 7:
        level = "类" if len(code) == 3 else "款"
        raise InputError(f"项目的功能分类科目应填到项级（7 位编码），“{code} {function_table.name(code)}”是{level}级科目。")
    return code


def validate_project(project: Project, *, function_table: CodeTable | None, money_unit: str) -> Project:
    """A normalised copy of ``project`` (indicators included) or InputError for a value that cannot be
    stored. Uniqueness of the name and code within the dataset is checked by ProjectBook, which sees the
    other projects; whether the fields agree with each other is :func:`project_problems`."""
    name = _text(project.name, "项目名称", 300)
    if not name:
        raise InputError("项目名称不能为空。")
    return Project(
        name=name,
        code=_text(project.code, "项目编码", 64),
        amount=_money(project.amount, "项目金额"),
        **{key: _money(getattr(project, key), label) for key, label in PROJECT_FUNDS},
        period_total=_money(project.period_total, "实施期资金总额"),
        executed_before=_money(project.executed_before, "以前年度累计执行数"),
        function_code=_function_code(project.function_code, function_table),
        attribute=_attribute(project.attribute),
        period_start=parse_date(project.period_start, "实施周期开始日期"),
        period_end=parse_date(project.period_end, "实施周期结束日期"),
        competent_department=_text(project.competent_department, "主管部门", 200),
        implementing_unit=_text(project.implementing_unit, "实施单位", 200),
        manager=_text(project.manager, "项目负责人", 50),
        period_goal=_clean(project.period_goal),
        annual_goal=_clean(project.annual_goal),
        indicators=validate_indicators(project.indicators),
        id=project.id,
    )


# Fields that must agree with each other are checked, not refused: a clerk fills them one at a time
# (and published tables are not always consistent), like 合计 against its parts in the cell tables.
# The reconciliation checks report these with the project's name; nothing here raises.


def project_problems(project: Project, money_unit: str) -> list[str]:
    """Where a validated project's fields disagree: fund sources against the amount, the multi-year
    figures, the 实施周期."""
    problems = []
    amount = project.amount
    zero = Decimal("0.00")

    def money(value: Decimal | None) -> str:
        return f"{format_amount(value or zero)} {money_unit}"

    sources = {key: getattr(project, key) for key, _label in PROJECT_FUNDS}
    if amount is None and any(value is not None for value in sources.values()):
        problems.append("已填写资金来源，但没有填写项目金额（本年度预算安排数）。")
    for keys, names in ((FUNDS_BY_NATURE, "财政拨款 + 财政专户拨款 + 其他资金"),
                        (FUNDS_BY_LEVEL, "本级财政 + 上级资金 + 其他资金")):
        if amount is not None and any(sources[key] is not None for key in keys):
            parts = sum((sources[key] or zero for key in (*keys, "other_funds")), zero)
            if parts != amount:
                problems.append(f"资金来源合计 {money(parts)}（{names}）与项目金额 {money(amount)} 不一致。")
    if sources["other_funds"] is not None and amount is not None and sources["other_funds"] > amount:
        problems.append(f"其他资金 {money(sources['other_funds'])} 大于项目金额 {money(amount)}。")
    if project.period_total is not None:
        if (project.executed_before or zero) + (amount or zero) > project.period_total:
            problems.append(f"实施期资金总额 {money(project.period_total)} 小于以前年度累计执行数 "
                            f"{money(project.executed_before)} 与本年度预算安排数 {money(amount)} 之和。")
    if project.period_start and project.period_end and project.period_end < project.period_start:
        problems.append(f"实施周期的结束日期 {project.period_end.isoformat()} 早于开始日期 "
                        f"{project.period_start.isoformat()}。")
    return problems


def procurement_problems(item: ProcurementItem, money_unit: str) -> list[str]:
    total = item.total or Decimal("0.00")
    if item.sme_reserved is not None and item.sme_reserved > total:
        return [f"预留中小微企业份额 {format_amount(item.sme_reserved)} {money_unit} 大于政府采购金额合计 "
                f"{format_amount(total)} {money_unit}。"]
    return []


def asset_problems(table: AssetTable) -> list[str]:
    problems = []
    for part, whole_key in _ASSET_PART_OF.items():
        part_line, whole_line = table.line(part), table.line(whole_key)
        if part_line.quantity is not None and (whole_line.quantity or 0) < part_line.quantity:
            problems.append(f"{ASSET_LABELS[part]}的数量 {decimal_text(part_line.quantity)} 大于"
                            f"{ASSET_LABELS[whole_key]}的数量 {decimal_text(whole_line.quantity or Decimal(0))}。")
        if part_line.value is not None and (whole_line.value or 0) < part_line.value:
            problems.append(f"{ASSET_LABELS[part]}的价值 {format_amount(part_line.value)} 大于"
                            f"{ASSET_LABELS[whole_key]}的价值 {format_amount(whole_line.value or Decimal('0.00'))}。")
    return problems


def validate_overall(targets: OverallTargets) -> OverallTargets:
    # The published 部门整体绩效目标 (seed 004 part 1) prints no 一级/二级, so they are optional here.
    return OverallTargets(_clean(targets.goal), validate_indicators(targets.indicators, require_levels=False))


def validate_procurement(item: ProcurementItem) -> ProcurementItem:
    if item.project_id is None:
        raise InputError("请选择政府采购项目来源（项目）。")
    item_name = _text(item.item_name, "采购物品名称", 300)
    if not item_name:
        raise InputError("采购物品名称不能为空。")
    if not _clean(item.catalogue_code):
        raise InputError("政府采购目录序号不能为空。")
    code = normalize_catalogue_code(item.catalogue_code)
    return ProcurementItem(
        project_id=item.project_id,
        item_name=item_name,
        catalogue_code=code,
        measure_unit=_text(item.measure_unit, "计量单位", 32),
        quantity=parse_quantity(item.quantity, "数量"),
        unit_price=_money(item.unit_price, "单价"),
        **{key: _money(getattr(item, key), label) for key, label in PROCUREMENT_FUNDS},
        sme_reserved=_money(item.sme_reserved, "预留中小微企业份额"),
        id=item.id,
    )


def validate_assets(table: AssetTable) -> AssetTable:
    lines: dict[str, AssetLine] = {}
    wholes = {key: whole for key, _label, whole in ASSET_ROWS}
    for key, line in table.lines.items():
        if key not in wholes:
            raise InputError(f"部门固定资产占用情况表没有“{key}”这一行。")
        label = ASSET_LABELS[key]
        lines[key] = AssetLine(
            parse_quantity(line.quantity, f"{label}的数量", whole=wholes[key], decimals=2),
            _money(line.value, f"{label}的价值"),
        )
    return AssetTable(parse_date(table.as_of, "截止时间"), lines, _money(table.planned_purchases, "本年度拟购置固定资产总额"))


# ---- database rows <-> records -------------------------------------------------------------------


def _hundredths(value: Decimal | None) -> int | None:
    return None if value is None else to_hundredths(value)


def _decimal(units: int | None) -> Decimal | None:
    return None if units is None else from_hundredths(units)


def _quantity(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


_INDICATOR_FIELDS = [item.name for item in fields(Indicator)]
_PROJECT_MONEY_COLUMNS = {
    "amount": "hundredths",
    **{key: f"{key}_hundredths" for key, _label in PROJECT_FUNDS},
    "period_total": "period_total_hundredths",
    "executed_before": "executed_before_hundredths",
}
_PROJECT_TEXT_FIELDS = ["name", "code", "function_code", "attribute", "period_start", "period_end",
                        "competent_department", "implementing_unit", "manager", "period_goal", "annual_goal"]
_PROCUREMENT_MONEY = ["unit_price", *(key for key, _label in PROCUREMENT_FUNDS), "sme_reserved"]


def _indicator_from_row(row: models.IndicatorColumns) -> Indicator:
    return Indicator(**{name: getattr(row, name) for name in _INDICATOR_FIELDS})


def _indicator_rows(model, indicators: Sequence[Indicator], **owner) -> list:
    return [model(position=position, **owner, **{name: getattr(ind, name) for name in _INDICATOR_FIELDS})
            for position, ind in enumerate(indicators)]


def _project_from_row(row: models.Project) -> Project:
    values = {name: getattr(row, name) for name in _PROJECT_TEXT_FIELDS}
    values.update({name: _decimal(getattr(row, column)) for name, column in _PROJECT_MONEY_COLUMNS.items()})
    return Project(**values, indicators=[_indicator_from_row(ind) for ind in row.indicators], id=row.id)


def _fill_project_row(row: models.Project, project: Project) -> None:
    for name in _PROJECT_TEXT_FIELDS:
        setattr(row, name, getattr(project, name))
    for name, column in _PROJECT_MONEY_COLUMNS.items():
        setattr(row, column, _hundredths(getattr(project, name)))


def _procurement_from_row(row: models.ProcurementItem) -> ProcurementItem:
    return ProcurementItem(
        project_id=row.project_id, item_name=row.item_name, catalogue_code=row.catalogue_code,
        measure_unit=row.measure_unit, quantity=_quantity(row.quantity),
        **{name: _decimal(getattr(row, f"{name}_hundredths")) for name in _PROCUREMENT_MONEY}, id=row.id,
    )


def _fill_procurement_row(row: models.ProcurementItem, item: ProcurementItem) -> None:
    row.project_id = item.project_id
    row.item_name = item.item_name
    row.catalogue_code = item.catalogue_code
    row.measure_unit = item.measure_unit
    row.quantity = decimal_text(item.quantity)
    for name in _PROCUREMENT_MONEY:
        setattr(row, f"{name}_hundredths", _hundredths(getattr(item, name)))


# ---- undo states -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectState:
    """One project as it was (``project`` None: it did not exist) and the project order then.
    ``procurement`` (with ``procurement_order``) is set only when the change touched the project's
    procurement rows, i.e. deleting the project."""

    project_id: int
    project: Project | None
    order: tuple[int, ...]
    procurement: tuple[ProcurementItem, ...] | None = None
    procurement_order: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ProjectOrderState:
    order: tuple[int, ...]


@dataclass(frozen=True)
class OverallState:
    targets: OverallTargets


@dataclass(frozen=True)
class ProcurementState:
    item_id: int
    item: ProcurementItem | None
    order: tuple[int, ...]


@dataclass(frozen=True)
class ProcurementOrderState:
    order: tuple[int, ...]


@dataclass(frozen=True)
class AssetsState:
    table: AssetTable


State = ProjectState | ProjectOrderState | OverallState | ProcurementState | ProcurementOrderState | AssetsState


@dataclass(frozen=True)
class Change:
    """What a mutating call did: undo writes ``before`` back, redo writes ``after``."""

    description: str  # for the undo menu: 删除项目“…”
    before: State
    after: State


# ---- the API ----------------------------------------------------------------------------------------


@dataclass
class BookContent:
    """Everything of one dataset that this module owns (what the interchange document carries).
    Here a procurement row's ``project_id`` is the index of its project in ``projects``."""

    projects: list[Project] = field(default_factory=list)
    overall: OverallTargets = field(default_factory=OverallTargets)
    procurement: list[ProcurementItem] = field(default_factory=list)
    assets: AssetTable = field(default_factory=AssetTable)


def write_content(session: Session, dataset_id: int, content: BookContent) -> None:
    """Insert validated content into a new, empty dataset (the interchange import)."""
    project_rows = []
    for position, project in enumerate(content.projects):
        row = models.Project(dataset_id=dataset_id, position=position)
        _fill_project_row(row, project)
        row.indicators = _indicator_rows(models.Indicator, project.indicators)
        session.add(row)
        project_rows.append(row)
    session.flush()
    _write_overall(session, dataset_id, content.overall)
    for position, item in enumerate(content.procurement):
        row = models.ProcurementItem(dataset_id=dataset_id, position=position)
        _fill_procurement_row(row, replace(item, project_id=project_rows[item.project_id].id))
        session.add(row)
    _write_assets(session, dataset_id, content.assets)


def _write_overall(session: Session, dataset_id: int, targets: OverallTargets) -> None:
    session.execute(delete(models.OverallIndicator).where(models.OverallIndicator.dataset_id == dataset_id))
    record = session.get(models.OverallTarget, dataset_id)
    if targets.is_empty():
        if record is not None:
            session.delete(record)
        return
    if record is None:
        record = models.OverallTarget(dataset_id=dataset_id)
        session.add(record)
    record.goal = targets.goal
    session.add_all(_indicator_rows(models.OverallIndicator, targets.indicators, dataset_id=dataset_id))


def _write_assets(session: Session, dataset_id: int, table: AssetTable) -> None:
    session.execute(delete(models.AssetRow).where(models.AssetRow.dataset_id == dataset_id))
    record = session.get(models.AssetTable, dataset_id)
    if table.is_empty():
        if record is not None:
            session.delete(record)
        return
    if record is None:
        record = models.AssetTable(dataset_id=dataset_id)
        session.add(record)
    record.as_of = table.as_of
    record.planned_purchases_hundredths = _hundredths(table.planned_purchases)
    for key, line in table.lines.items():
        if line.quantity is not None or line.value is not None:
            session.add(models.AssetRow(dataset_id=dataset_id, row_key=key, quantity=decimal_text(line.quantity),
                                        hundredths=_hundredths(line.value)))


def _moved(order: Sequence[int], item_id: int, index: int) -> list[int]:
    rest = [other for other in order if other != item_id]
    index = max(0, min(index, len(rest)))
    return [*rest[:index], item_id, *rest[index:]]


class ProjectBook:
    """Projects, 部门整体绩效目标, 政府采购预算 and 固定资产 of one open dataset.

    Records passed in may hold what the clerk typed (text for amounts, quantities and dates, Chinese
    names for 一级/二级 and 项目属性); what is stored and read back is normalised: Decimal, date, codes.
    Reads go to the database each time, so two windows on one dataset never disagree.
    """

    def __init__(self, dataset) -> None:  # dataset: app.service.BudgetDataset
        self.dataset = dataset

    @property
    def _dataset_id(self) -> int:
        return self.dataset.dataset_id

    def _begin(self):
        self.dataset._require_editable()
        return self.dataset.store.Session.begin()

    def _read(self) -> Session:
        return self.dataset.store.Session()

    @property
    def money_unit(self) -> str:
        return self.dataset.money_unit

    # ---- reading ---------------------------------------------------------------------------
    def _project_rows(self, session: Session) -> list[models.Project]:
        return list(session.scalars(
            select(models.Project).where(models.Project.dataset_id == self._dataset_id)
            .order_by(models.Project.position, models.Project.id).options(selectinload(models.Project.indicators))
        ))

    def _project_row(self, session: Session, project_id: int) -> models.Project:
        row = session.get(models.Project, project_id)
        if row is None or row.dataset_id != self._dataset_id:
            raise NotFoundError("该项目不存在（可能已被删除）。")
        return row

    def _project_order(self, session: Session) -> list[int]:
        return list(session.scalars(select(models.Project.id).where(models.Project.dataset_id == self._dataset_id)
                                    .order_by(models.Project.position, models.Project.id)))

    def _procurement_order(self, session: Session) -> list[int]:
        return list(session.scalars(
            select(models.ProcurementItem.id).where(models.ProcurementItem.dataset_id == self._dataset_id)
            .order_by(models.ProcurementItem.position, models.ProcurementItem.id)))

    def list_projects(self) -> list[Project]:
        with self._read() as session:
            return [_project_from_row(row) for row in self._project_rows(session)]

    def get_project(self, project_id: int) -> Project:
        with self._read() as session:
            return _project_from_row(self._project_row(session, project_id))

    def project_choices(self) -> list[tuple[int, str, Decimal | None]]:
        """(id, 项目名称, 预算资金) for the procurement table's project pick list."""
        with self._read() as session:
            rows = session.execute(
                select(models.Project.id, models.Project.name, models.Project.hundredths)
                .where(models.Project.dataset_id == self._dataset_id)
                .order_by(models.Project.position, models.Project.id)).all()
        return [(row.id, row.name, _decimal(row.hundredths)) for row in rows]

    def projects_total(self) -> Decimal:
        """Σ project amounts (blank amounts count as nothing); compare with 项目支出 合计."""
        return sum((project[2] for project in self.project_choices() if project[2] is not None), Decimal("0.00"))

    def suggest_indicators(self, level2: str, text: str = "") -> list[LibraryEntry]:
        """Library indicators for a 二级 code, then ones this dataset already uses, filtered by text."""
        entries = list(indicator_library().get(level2, []))
        known = {entry.name for entry in entries}
        for project in self.list_projects():
            for ind in project.indicators:
                if ind.level2 == level2 and ind.name not in known:
                    known.add(ind.name)
                    entries.append(LibraryEntry(level2, ind.name, ind.comparator, ind.unit))
        text = _clean(text)
        return [entry for entry in entries if text in entry.name] if text else entries

    # ---- projects --------------------------------------------------------------------------
    def _validated(self, project: Project) -> Project:
        return validate_project(project, function_table=self.dataset.codes.get("function"), money_unit=self.money_unit)

    def _check_unique(self, session: Session, project: Project, own_id: int | None) -> None:
        for other_id, name, code in session.execute(
                select(models.Project.id, models.Project.name, models.Project.code)
                .where(models.Project.dataset_id == self._dataset_id)):
            if other_id == own_id:
                continue
            if name == project.name:
                raise InputError(f"项目名称“{project.name}”已存在，同一预算中的项目名称不能重复。")
            if project.code and code == project.code:
                raise InputError(f"项目编码“{project.code}”已被项目“{name}”使用。")

    def _state(self, session: Session, project_id: int, *, with_procurement: bool = False) -> ProjectState:
        row = session.get(models.Project, project_id)
        project = _project_from_row(row) if row is not None else None
        procurement = procurement_order = None
        if with_procurement:
            procurement = tuple(_procurement_from_row(item) for item in session.scalars(
                select(models.ProcurementItem).where(models.ProcurementItem.project_id == project_id)
                .order_by(models.ProcurementItem.position, models.ProcurementItem.id)))
            procurement_order = tuple(self._procurement_order(session))
        return ProjectState(project_id, project, tuple(self._project_order(session)), procurement, procurement_order)

    def add_project(self, project: Project, position: int | None = None) -> Change:
        """Add a project (at ``position``, default last) with its indicators."""
        checked = self._validated(project)
        with self._begin() as session:
            self._check_unique(session, checked, None)
            order = self._project_order(session)
            row = models.Project(dataset_id=self._dataset_id, position=len(order))
            _fill_project_row(row, checked)
            row.indicators = _indicator_rows(models.Indicator, checked.indicators)
            session.add(row)
            session.flush()
            before = ProjectState(row.id, None, tuple(order))
            self._apply_order(session, models.Project, _moved(order, row.id, len(order) if position is None else position))
            session.flush()
            after = self._state(session, row.id)
        return Change(f"新增项目“{checked.name}”", before, after)

    def update_project(self, project_id: int, project: Project) -> Change:
        """Replace a project's fields AND indicators with ``project``'s (start from get_project)."""
        checked = self._validated(project)
        with self._begin() as session:
            row = self._project_row(session, project_id)
            self._check_unique(session, checked, project_id)
            before = self._state(session, project_id)
            _fill_project_row(row, checked)
            if [_indicator_from_row(ind) for ind in row.indicators] != checked.indicators:
                row.indicators = _indicator_rows(models.Indicator, checked.indicators)
            session.flush()
            after = self._state(session, project_id)
        return Change(f"修改项目“{checked.name}”", before, after)

    def update_project_fields(self, project_id: int, **changes) -> Change:
        """Change some fields (a detail form's edit), keeping the rest and the indicators."""
        editable = {item.name for item in fields(Project)} - {"id", "indicators"}
        if set(changes) - editable:
            raise TypeError(f"not editable here: {sorted(set(changes) - editable)}")
        return self.update_project(project_id, replace(self.get_project(project_id), **changes))

    def delete_project(self, project_id: int) -> Change:
        """Delete a project with its indicators and its 政府采购 rows (all restored by undo)."""
        with self._begin() as session:
            row = self._project_row(session, project_id)
            name = row.name
            before = self._state(session, project_id, with_procurement=True)
            session.execute(delete(models.ProcurementItem).where(models.ProcurementItem.project_id == project_id))
            session.delete(row)
            session.flush()
            self._apply_order(session, models.Project, self._project_order(session))
            self._apply_order(session, models.ProcurementItem, self._procurement_order(session))
            after = self._state(session, project_id, with_procurement=True)
        return Change(f"删除项目“{name}”", before, after)

    def move_project(self, project_id: int, index: int) -> Change:
        """Reorder: put the project at ``index`` (0-based) of the list."""
        with self._begin() as session:
            row = self._project_row(session, project_id)
            order = self._project_order(session)
            moved = _moved(order, project_id, index)
            self._apply_order(session, models.Project, moved)
        return Change(f"移动项目“{row.name}”", ProjectOrderState(tuple(order)), ProjectOrderState(tuple(moved)))

    def set_indicators(self, project_id: int, indicators: Sequence[Indicator]) -> Change:
        """Replace a project's whole indicator list (the GUI's grid edits go through here)."""
        checked = validate_indicators(indicators)
        with self._begin() as session:
            row = self._project_row(session, project_id)
            before = self._state(session, project_id)
            row.indicators = _indicator_rows(models.Indicator, checked)
            session.flush()
            after = self._state(session, project_id)
        return Change(f"修改项目“{row.name}”的绩效指标", before, after)

    def copy_indicators(self, source_id: int, target_id: int, *, append: bool = False) -> Change:
        """Copy the source project's indicators to the target, replacing (or appended to) its own."""
        if source_id == target_id:
            raise InputError("不能把项目的绩效指标复制给它自己。")
        source, target = self.get_project(source_id), self.get_project(target_id)
        indicators = [*(target.indicators if append else []), *copy.deepcopy(source.indicators)]
        change = self.set_indicators(target_id, indicators)
        return replace(change, description=f"把项目“{source.name}”的绩效指标复制到“{target.name}”")

    # ---- 部门整体绩效目标 ------------------------------------------------------------------------
    def _overall(self, session: Session) -> OverallTargets:
        record = session.get(models.OverallTarget, self._dataset_id)
        rows = session.scalars(select(models.OverallIndicator).where(models.OverallIndicator.dataset_id == self._dataset_id)
                               .order_by(models.OverallIndicator.position, models.OverallIndicator.id))
        return OverallTargets(record.goal if record else "", [_indicator_from_row(row) for row in rows])

    def overall_targets(self) -> OverallTargets:
        with self._read() as session:
            return self._overall(session)

    def set_overall_targets(self, targets: OverallTargets) -> Change:
        checked = validate_overall(targets)
        with self._begin() as session:
            before = self._overall(session)
            _write_overall(session, self._dataset_id, checked)
        return Change("修改部门整体绩效目标", OverallState(before), OverallState(checked))

    # ---- 政府采购预算 ----------------------------------------------------------------------------
    def _procurement_row(self, session: Session, item_id: int) -> models.ProcurementItem:
        row = session.get(models.ProcurementItem, item_id)
        if row is None or row.dataset_id != self._dataset_id:
            raise NotFoundError("该政府采购预算行不存在（可能已被删除）。")
        return row

    def _validated_item(self, session: Session, item: ProcurementItem) -> ProcurementItem:
        checked = validate_procurement(item)
        project = session.get(models.Project, checked.project_id)
        if project is None or project.dataset_id != self._dataset_id:
            raise InputError("政府采购项目来源的项目不存在（可能已被删除），请重新选择。")
        return checked

    def _procurement(self, session: Session) -> list[ProcurementItem]:
        rows = session.scalars(select(models.ProcurementItem).where(models.ProcurementItem.dataset_id == self._dataset_id)
                               .order_by(models.ProcurementItem.position, models.ProcurementItem.id))
        return [_procurement_from_row(row) for row in rows]

    def list_procurement(self) -> list[ProcurementItem]:
        with self._read() as session:
            return self._procurement(session)

    def _procurement_state(self, session: Session, item_id: int) -> ProcurementState:
        row = session.get(models.ProcurementItem, item_id)
        return ProcurementState(item_id, _procurement_from_row(row) if row else None, tuple(self._procurement_order(session)))

    def add_procurement(self, item: ProcurementItem, position: int | None = None) -> Change:
        with self._begin() as session:
            checked = self._validated_item(session, item)
            order = self._procurement_order(session)
            row = models.ProcurementItem(dataset_id=self._dataset_id, position=len(order))
            _fill_procurement_row(row, checked)
            session.add(row)
            session.flush()
            before = ProcurementState(row.id, None, tuple(order))
            self._apply_order(session, models.ProcurementItem,
                              _moved(order, row.id, len(order) if position is None else position))
            session.flush()
            after = self._procurement_state(session, row.id)
        return Change(f"新增政府采购“{checked.item_name}”", before, after)

    def update_procurement(self, item_id: int, item: ProcurementItem) -> Change:
        with self._begin() as session:
            row = self._procurement_row(session, item_id)
            checked = self._validated_item(session, item)
            before = self._procurement_state(session, item_id)
            _fill_procurement_row(row, checked)
            session.flush()
            after = self._procurement_state(session, item_id)
        return Change(f"修改政府采购“{checked.item_name}”", before, after)

    def delete_procurement(self, item_id: int) -> Change:
        with self._begin() as session:
            row = self._procurement_row(session, item_id)
            before = self._procurement_state(session, item_id)
            session.delete(row)
            session.flush()
            self._apply_order(session, models.ProcurementItem, self._procurement_order(session))
            after = self._procurement_state(session, item_id)
        return Change(f"删除政府采购“{before.item.item_name}”", before, after)

    def move_procurement(self, item_id: int, index: int) -> Change:
        with self._begin() as session:
            row = self._procurement_row(session, item_id)
            order = self._procurement_order(session)
            moved = _moved(order, item_id, index)
            self._apply_order(session, models.ProcurementItem, moved)
        return Change(f"移动政府采购“{row.item_name}”", ProcurementOrderState(tuple(order)),
                      ProcurementOrderState(tuple(moved)))

    @staticmethod
    def _totals(items: Iterable[ProcurementItem]) -> ProcurementTotals:
        """Column sums; a column no row fills stays None, printed blank like the official table."""
        items = list(items)

        def column(values: list[Decimal | None]) -> Decimal | None:
            filled = [value for value in values if value is not None]
            return sum(filled, Decimal("0.00")) if filled else None

        funds = {key: column([getattr(item, key) for item in items]) for key, _label in PROCUREMENT_FUNDS}
        return ProcurementTotals(funds, column(list(funds.values())), column([item.sme_reserved for item in items]))

    def procurement_totals(self) -> ProcurementTotals:
        """The 合计 row of the 政府采购预算表."""
        return self._totals(self.list_procurement())

    def procurement_subtotals(self) -> list[tuple[str, ProcurementTotals]]:
        """The per-unit 小计 rows, in first-appearance order: grouped by the source project's 实施单位,
        the dataset's own unit (printed “单位名称（本级）”) where that is blank."""
        units = {project.id: project.implementing_unit for project in self.list_projects()}
        own = f"{self.dataset.unit.name}（本级）"
        groups: dict[str, list[ProcurementItem]] = {}
        for item in self.list_procurement():
            groups.setdefault(units.get(item.project_id) or own, []).append(item)
        return [(label, self._totals(items)) for label, items in groups.items()]

    def procurement_by_project(self) -> dict[int, Decimal]:
        """Σ 政府采购金额 per project id (for the check that it stays within the project's budget)."""
        totals: dict[int, Decimal] = {}
        for item in self.list_procurement():
            totals[item.project_id] = totals.get(item.project_id, Decimal("0.00")) + (item.total or Decimal("0.00"))
        return totals

    # ---- 固定资产 -------------------------------------------------------------------------------
    def _assets(self, session: Session) -> AssetTable:
        record = session.get(models.AssetTable, self._dataset_id)
        rows = session.scalars(select(models.AssetRow).where(models.AssetRow.dataset_id == self._dataset_id))
        by_key = {row.row_key: AssetLine(_quantity(row.quantity), _decimal(row.hundredths)) for row in rows}
        lines = {key: by_key[key] for key, _label, _whole in ASSET_ROWS if key in by_key}
        if record is None:
            return AssetTable(lines=lines)
        return AssetTable(record.as_of, lines, _decimal(record.planned_purchases_hundredths))

    def assets(self) -> AssetTable:
        with self._read() as session:
            return self._assets(session)

    def set_assets(self, table: AssetTable) -> Change:
        checked = validate_assets(table)
        with self._begin() as session:
            before = self._assets(session)
            _write_assets(session, self._dataset_id, checked)
            after = self._assets(session)
        return Change("修改部门固定资产占用情况表", AssetsState(before), AssetsState(after))

    # ---- consistency -----------------------------------------------------------------------------
    def consistency_problems(self) -> list[tuple[str, str]]:
        """(anchor, Chinese message) for every place where stored fields disagree, for the
        reconciliation checks: ``project:<id>``, ``procurement:<id>`` or ``assets``."""
        found: list[tuple[str, str]] = []
        projects = self.list_projects()
        for project in projects:
            found += [(f"project:{project.id}", f"项目“{project.name}”：{problem}")
                      for problem in project_problems(project, self.money_unit)]
        for item in self.list_procurement():
            found += [(f"procurement:{item.id}", f"政府采购“{item.item_name}”：{problem}")
                      for problem in procurement_problems(item, self.money_unit)]
        purchased = self.procurement_by_project()
        for project in projects:
            if project.id in purchased and project.amount is not None and purchased[project.id] > project.amount:
                found.append((f"project:{project.id}",
                               f"项目“{project.name}”的政府采购金额合计 {format_amount(purchased[project.id])} "
                               f"{self.money_unit} 大于项目预算 {format_amount(project.amount)} {self.money_unit}。"))
        found += [("assets", problem) for problem in asset_problems(self.assets())]
        return found

    # ---- whole content and undo ---------------------------------------------------------------
    def content(self) -> BookContent:
        """All of it in stored order; procurement rows name their project by its index in ``projects``."""
        with self._read() as session:
            projects = [_project_from_row(row) for row in self._project_rows(session)]
            index = {project.id: number for number, project in enumerate(projects)}
            procurement = [replace(item, project_id=index[item.project_id]) for item in self._procurement(session)]
            return BookContent(projects, self._overall(session), procurement, self._assets(session))

    def _apply_order(self, session: Session, model, ids: Sequence[int]) -> None:
        """Positions 0..n-1 in the given order; ids that no longer exist are skipped, rows missing
        from ``ids`` keep their relative order after the listed ones."""
        rows = {row.id: row for row in session.scalars(select(model).where(model.dataset_id == self._dataset_id))}
        ordered = [row_id for row_id in ids if row_id in rows]
        rest = sorted((row for row_id, row in rows.items() if row_id not in set(ordered)),
                      key=lambda row: (row.position, row.id))
        for position, row_id in enumerate([*ordered, *(row.id for row in rest)]):
            if rows[row_id].position != position:
                rows[row_id].position = position

    def restore(self, state: State) -> None:
        """Write a state from a Change back, in one transaction (undo and redo)."""
        with self._begin() as session:
            if isinstance(state, ProjectState):
                self._restore_project(session, state)
            elif isinstance(state, ProjectOrderState):
                self._apply_order(session, models.Project, state.order)
            elif isinstance(state, OverallState):
                _write_overall(session, self._dataset_id, state.targets)
            elif isinstance(state, ProcurementState):
                self._restore_procurement_item(session, state.item_id, state.item)
                session.flush()
                self._apply_order(session, models.ProcurementItem, state.order)
            elif isinstance(state, ProcurementOrderState):
                self._apply_order(session, models.ProcurementItem, state.order)
            elif isinstance(state, AssetsState):
                _write_assets(session, self._dataset_id, state.table)
            else:  # pragma: no cover - a programming error, not user input
                raise TypeError(f"unknown state {state!r}")

    def _restore_project(self, session: Session, state: ProjectState) -> None:
        row = session.get(models.Project, state.project_id)
        if state.project is None:
            if row is not None:
                session.execute(delete(models.ProcurementItem).where(models.ProcurementItem.project_id == row.id))
                session.delete(row)
        else:
            if row is None:
                # The same id again, so that procurement rows and later undo steps still refer to it.
                row = models.Project(id=state.project_id, dataset_id=self._dataset_id, position=len(state.order))
                session.add(row)
            _fill_project_row(row, state.project)
            row.indicators = _indicator_rows(models.Indicator, state.project.indicators)
        session.flush()
        if state.procurement is not None:
            for item in state.procurement:
                self._restore_procurement_item(session, item.id, item)
            session.flush()
        self._apply_order(session, models.Project, state.order)
        if state.procurement_order is not None:
            self._apply_order(session, models.ProcurementItem, state.procurement_order)

    def _restore_procurement_item(self, session: Session, item_id: int, item: ProcurementItem | None) -> None:
        row = session.get(models.ProcurementItem, item_id)
        if item is None:
            if row is not None:
                session.delete(row)
            return
        if row is None:
            row = models.ProcurementItem(id=item_id, dataset_id=self._dataset_id, position=0)
            session.add(row)
        _fill_procurement_row(row, item)


__all__ = [
    "ALL_COMPARATORS", "ASSET_ROWS", "COMPARATORS", "PROCUREMENT_FUNDS", "PROJECT_ATTRIBUTES",
    "PROJECT_FUNDS", "QUALITATIVE", "AssetLine", "AssetTable", "BookContent", "Change", "Indicator",
    "IndicatorGroup", "LibraryEntry", "OverallTargets", "ProcurementItem", "ProcurementTotals", "Project",
    "ProjectBook", "arrange_indicators", "asset_problems", "catalogue_name", "catalogue_parent",
    "decimal_text", "group_indicators", "indicator_levels", "indicator_library", "normalize_catalogue_code",
    "parse_date", "parse_indicator_table", "parse_quantity", "procurement_catalogue",
    "procurement_problems", "project_problems", "resolve_level1", "resolve_level2", "search_catalogue",
    "split_indicator_value", "validate_assets", "validate_indicator", "validate_indicators",
    "validate_overall", "validate_procurement", "validate_project", "write_content",
]
