"""财政局 screening per head: 人均人员经费 and 人均公用经费 (the 基本支出表's 人员经费 / 公用经费 columns over
the unit's 在职 staff in its 基础信息) against the median of the unit's peers.

The thresholds are data (``per_head`` in ``resources/screening.json``; optional, so an older file screens as
before): a unit is an outlier when its figure per head is more than ``max_deviation_percent`` away from the
peers' median; groups with fewer than ``min_peers`` units that have staff are not compared. Figures are
exact (元 per head as a Fraction), rounded only for display."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from app.basic.book import BasicInfoBook
from app.basic.estimate import BASIC_FORM
from app.domain.forms import TOTAL_ROW

PER_HEAD = "per_head"
_YUAN_PER = {"元": Decimal(1), "万元": Decimal(10000)}
_COLUMNS = {"personnel": "人员经费", "public": "公用经费"}


@dataclass(frozen=True)
class PerHeadDef:
    name: str
    title: str
    column: str  # personnel / public


@dataclass(frozen=True)
class PerHeadConfig:
    items: tuple[PerHeadDef, ...]
    max_deviation_percent: Decimal
    min_peers: int

    def to_dict(self) -> dict:
        return {"items": [{"name": i.name, "title": i.title, "column": i.column} for i in self.items],
                "max_deviation_percent": str(self.max_deviation_percent), "min_peers": self.min_peers}

    def rule_text(self) -> str:
        return f"偏离中位数超过 {self.max_deviation_percent}%"


def parse_per_head(data: object, problems: list[str]) -> PerHeadConfig | None:
    """The ``per_head`` section (None when the file has none); bad entries are added to ``problems``."""
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.append("per_head 应为对象")
        return None
    items = []
    for number, item in enumerate(data.get("items", []), start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or item.get("column") not in _COLUMNS:
            problems.append(f"per_head.items 第 {number} 项应有 name 和 column（personnel 或 public）")
            continue
        items.append(PerHeadDef(item["name"], str(item.get("title") or item["name"]), item["column"]))
    raw = data.get("max_deviation_percent")
    try:
        limit = Decimal(raw) if isinstance(raw, str) else None
    except InvalidOperation:
        limit = None
    if limit is None or not limit.is_finite() or limit < 0:
        problems.append("per_head.max_deviation_percent 应为不小于 0 的数字文字（如 \"50\"）")
        limit = Decimal(50)
    min_peers = data.get("min_peers", 3)
    if isinstance(min_peers, bool) or not isinstance(min_peers, int) or min_peers < 2:
        problems.append("per_head.min_peers 应为不小于 2 的整数")
        min_peers = 3
    return PerHeadConfig(tuple(items), limit, min_peers)


def per_head_summary(dataset) -> dict:
    """What 筛查 keeps of one dataset for the per-head figures: 在职 staff, and the two columns in 元."""
    staff = sum(1 for person in BasicInfoBook(dataset).content().staff if person.serving)
    factor = _YUAN_PER.get(dataset.money_unit, Decimal(1))
    return {"staff": staff, **{column: str((dataset.value(BASIC_FORM, TOTAL_ROW, column) or Decimal(0)) * factor)
                               for column in _COLUMNS}}


def per_head_figures(summary: dict | None, config: PerHeadConfig) -> dict[str, Fraction | None]:
    """Each item's 元 per head (None: no 在职 staff recorded)."""
    if not summary or not summary.get("staff"):
        return {item.name: None for item in config.items}
    return {item.name: Fraction(Decimal(summary[item.column])) / summary["staff"] for item in config.items}


def yuan_per_head_text(value: Fraction | Decimal) -> str:
    shown = (Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else value)
    return f"{shown.quantize(Decimal('0.01')):,} 元/人"
