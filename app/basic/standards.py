"""The bureau's standards for the 基本支出测算, as data: ``resources/basic_standards.json`` by default (an
example to be replaced), or the bureau's file (``--standards FILE``, or the setting ``BUDGETDESK_STANDARDS``).

Every rate and amount is a Decimal read from a string (a JSON number is refused: no float ever), and every
figure keeps the source it came from, so a 测算 line can say where its rate or 定额 came from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.base.errors import InputError
from app.base.jsondoc import read_document
from app.base.paths import resource
from app.basic.records import STAFF_CATEGORIES, VEHICLE_PURPOSES

FORMAT = "budgetdesk.basic_standards"
STANDARDS_SETTING = "BUDGETDESK_STANDARDS"  # the setting: a file that replaces the shipped example
PAY_ITEMS = {"basic_pay": "基本工资", "allowance": "津贴补贴", "bonus": "奖金或绩效工资"}
EXAMPLE_SOURCE = "示例，请以财政局文件为准"


@dataclass(frozen=True)
class RatedItem:
    """A contribution or fund at a rate of some pay items (基本养老 16% of 基本工资+津贴补贴+奖金 …)."""

    name: str
    code: str
    rate: Decimal
    base: tuple[str, ...]
    categories: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Standards:
    title: str
    source: str
    path: str  # where it was read from ("" for the shipped example)
    months: int
    pay_codes: dict[str, dict[str, str]]
    rated: tuple[RatedItem, ...]
    public_per_person: dict[str, Decimal]
    public_class_words: tuple[tuple[str, tuple[str, ...]], ...]
    public_default_class: str
    public_categories: tuple[str, ...]
    public_split: tuple[tuple[str, Decimal], ...]
    public_source: str
    vehicle_code: str
    vehicle_per_vehicle: dict[str, Decimal]
    vehicle_in_establishment_only: bool
    vehicle_source: str
    retiree_code: str
    retiree_per_person: dict[str, Decimal]
    retiree_source: str
    difference_threshold: Decimal  # a 提示 when typed and 测算 differ by more than this share

    def unit_class(self, nature: str) -> str:
        """The unit's class for the 公用经费 定额, from its 单位性质 (行政 / 参公 / 事业 …)."""
        for name, words in self.public_class_words:
            if any(word in nature for word in words):
                return name
        return self.public_default_class


def _decimal(value: object, where: str, *, rate: bool = False) -> Decimal:
    if not isinstance(value, str):  # a JSON number would pass through float
        raise InputError(f"测算标准 {where} 应写成带引号的数字文字（如 \"0.16\"），不是 {value!r}。")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise InputError(f"测算标准 {where}“{value}”不是数字。") from None
    if not number.is_finite() or number < 0 or (rate and number > 1):
        raise InputError(f"测算标准 {where}“{value}”超出范围（{'0 到 1 之间的比率' if rate else '不小于 0 的金额'}）。")
    return number


def _code(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.isdigit() or len(value) != 5:
        raise InputError(f"测算标准 {where} 应为五位经济分类款级编码（如 30101），不是 {value!r}。")
    return value


def _section(data: dict, key: str) -> dict:
    section = data.get(key)
    if not isinstance(section, dict):
        raise InputError(f"测算标准缺少 {key} 部分。")
    return section


def _amounts(section: dict, key: str, where: str, known: tuple[str, ...]) -> dict[str, Decimal]:
    table = section.get(key)
    if not isinstance(table, dict):
        raise InputError(f"测算标准 {where} 应为 名称: 金额 的对象。")
    for name in table:
        if name not in known:
            raise InputError(f"测算标准 {where} 中的“{name}”不是已知的类别（{'、'.join(known)}）。")
    return {name: _decimal(value, f"{where}.{name}") for name, value in table.items()}


def parse_standards(data: object, path: str = "") -> Standards:
    """The standards from a document (raises InputError in Chinese, naming the place)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"文件不是基本支出测算标准（format 应为 {FORMAT}）。")
    source = str(data.get("source") or EXAMPLE_SOURCE)
    months = data.get("months", 12)
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 14:
        raise InputError("测算标准 months（每年计发月数）应为 1 到 14 的整数。")
    pay_codes: dict[str, dict[str, str]] = {}
    raw_pay = _section(data, "pay_codes")
    for category in STAFF_CATEGORIES:
        items = raw_pay.get(category)
        if not isinstance(items, dict) or set(items) != set(PAY_ITEMS):
            raise InputError(f"测算标准 pay_codes 缺少“{category}”的 {'、'.join(PAY_ITEMS)} 科目。")
        pay_codes[category] = {item: _code(code, f"pay_codes.{category}.{item}") for item, code in items.items()}
    rated = []
    raw_rated = data.get("rated", [])
    if not isinstance(raw_rated, list):
        raise InputError("测算标准 rated 应为列表。")
    for index, item in enumerate(raw_rated, start=1):
        where = f"rated 第 {index} 项"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InputError(f"测算标准 {where} 应有名称 name。")
        base = item.get("base")
        if not isinstance(base, list) or not base or any(part not in PAY_ITEMS for part in base):
            raise InputError(f"测算标准 {where}（{item['name']}）的缴费基数 base 应由 {'、'.join(PAY_ITEMS)} 组成。")
        categories = item.get("categories")
        if not isinstance(categories, list) or any(c not in STAFF_CATEGORIES for c in categories):
            raise InputError(f"测算标准 {where}（{item['name']}）的人员类别 categories 有误。")
        rated.append(RatedItem(item["name"], _code(item.get("code"), where), _decimal(item.get("rate"), where, rate=True),
                               tuple(base), tuple(categories), str(item.get("source") or source)))
    public = _section(data, "public_quota")
    split = []
    for index, part in enumerate(public.get("split", []), start=1):
        if not isinstance(part, dict):
            raise InputError(f"测算标准 public_quota.split 第 {index} 项有误。")
        split.append((_code(part.get("code"), f"public_quota.split 第 {index} 项"),
                      _decimal(part.get("share"), f"public_quota.split 第 {index} 项", rate=True)))
    if not split or sum(share for _code_, share in split) != 1:
        raise InputError("测算标准 public_quota.split（公用经费定额分配到各科目的比例）之和应等于 1。")
    classes = public.get("per_person")
    if not isinstance(classes, dict) or not classes:
        raise InputError("测算标准 public_quota.per_person（按单位类别的人均定额）不能为空。")
    per_person = {str(name): _decimal(value, f"public_quota.per_person.{name}") for name, value in classes.items()}
    words = tuple((str(name), tuple(str(w) for w in ws)) for name, ws in public.get("class_words", [])
                  if name in per_person)
    default_class = public.get("default_class")
    if default_class not in per_person:
        raise InputError("测算标准 public_quota.default_class 应是 per_person 中的一个单位类别。")
    public_categories = public.get("categories", [])
    if not isinstance(public_categories, list) or any(c not in STAFF_CATEGORIES for c in public_categories):
        raise InputError("测算标准 public_quota.categories 有误。")
    vehicles = _section(data, "vehicle_quota")
    retirees = _section(data, "retiree_public")
    return Standards(
        title=str(data.get("title") or "基本支出测算标准"), source=source, path=path, months=months,
        pay_codes=pay_codes, rated=tuple(rated), public_per_person=per_person, public_class_words=words,
        public_default_class=default_class, public_categories=tuple(public_categories), public_split=tuple(split),
        public_source=str(public.get("source") or source),
        vehicle_code=_code(vehicles.get("code"), "vehicle_quota.code"),
        vehicle_per_vehicle=_amounts(vehicles, "per_vehicle", "vehicle_quota.per_vehicle", VEHICLE_PURPOSES),
        vehicle_in_establishment_only=bool(vehicles.get("in_establishment_only", True)),
        vehicle_source=str(vehicles.get("source") or source),
        retiree_code=_code(retirees.get("code"), "retiree_public.code"),
        retiree_per_person=_amounts(retirees, "per_person", "retiree_public.per_person", STAFF_CATEGORIES),
        retiree_source=str(retirees.get("source") or source),
        difference_threshold=_decimal(data.get("difference_threshold", "0.10"), "difference_threshold", rate=True),
    )


def load_standards(path: str | Path | None = None) -> Standards:
    """The standards in force: ``path``, else the setting's file, else the shipped example."""
    chosen = path or os.environ.get(STANDARDS_SETTING) or None
    if chosen is None:
        return parse_standards(read_document(resource("basic_standards.json")))
    try:
        return parse_standards(read_document(chosen), str(chosen))
    except InputError as exc:
        raise InputError(f"测算标准文件“{Path(chosen).name}”有误，未使用：{exc}") from None
