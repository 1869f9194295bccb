"""财政局 screening across units: growth against last year and shares against the peers' median.

For a year, every unit whose dataset the database holds is read through the named quantities
(``app.domain.quantities``; no form key is written here):

* **growth** of each named total listed in the threshold file (收支总计, 基本支出, 项目支出, “三公”经费 …)
  against the same unit's previous year — last year's dataset when the database holds it, else the
  上年数 typed for this dataset (``app.domain.prior``); "无上年数" when neither exists;
* **shares** (“三公”经费/支出合计, 基本支出/支出合计, 项目支出/支出合计 …) against the median of the
  unit's peers: the units of the same 主管部门 (a 部门 with its 所属单位; a unit without a parent is
  its own 部门) or all units.

The thresholds are data (``resources/screening.json``, checked when loaded). A growth is an outlier
when it exceeds the allowed increase or decrease; a share when its distance from the peers' median
exceeds ``deviation_points`` percentage points and, if ``mad_multiplier`` is given, also that many
times the peers' median absolute deviation (MAD) — so a group that differs widely anyway does not
flag everyone, and a uniform group still flags a material difference. Groups with fewer than
``min_peers`` units having the share are not compared. Amounts are ``Decimal``; growth and shares are
exact ratios (``Fraction`` of those decimals, so 9.31/1206.65 and 18.62/2413.30 are the same share and
a median is exact); they are rounded only for display (one decimal of a percent) and in JSON (ten
decimal places).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from xml.sax.saxutils import escape

from app.base.errors import InputError
from app.base.money import format_amount
from app.base.paths import resource
from app.base.progress import Progress
from app.bureau.per_head import (
    PER_HEAD,
    PerHeadConfig,
    parse_per_head,
    per_head_figures,
    per_head_summary,
    yuan_per_head_text,
)
from app.bureau.stored import MEASURES, StoredRun, stored_results
from app.domain import prior
from app.domain.quantities import quantities, quantity_def
from app.domain.quantities import value as quantity_value
from app.store.service import check_year

PEERS = {"parent": "同一主管部门", "all": "全部单位"}
GROWTH, SHARE = "growth", "share"
_WAN = Decimal(10000)
_ONE_PLACE = Decimal("0.1")


class ScreeningConfigError(InputError):
    """The threshold file is missing, not JSON, or has a bad entry."""


@dataclass(frozen=True)
class ShareDef:
    name: str
    title: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class ScreeningConfig:
    growth_quantities: tuple[str, ...]
    max_increase: Decimal  # percent
    max_decrease: Decimal  # percent
    shares: tuple[ShareDef, ...]
    deviation_points: Decimal  # percentage points
    mad_multiplier: Decimal | None
    min_peers: int
    peers: str = "parent"
    edition: str = ""
    source: str = ""
    per_head: PerHeadConfig | None = None  # 人均人员经费 / 人均公用经费 (app.bureau.per_head)

    def to_dict(self) -> dict:
        return {"edition": self.edition, "peers": self.peers,
                "growth": {"quantities": list(self.growth_quantities), "max_increase_percent": str(self.max_increase),
                           "max_decrease_percent": str(self.max_decrease)},
                "shares": {"items": [{"name": s.name, "title": s.title, "numerator": s.numerator,
                                      "denominator": s.denominator} for s in self.shares],
                           "deviation_points": str(self.deviation_points),
                           "mad_multiplier": None if self.mad_multiplier is None else str(self.mad_multiplier),
                           "min_peers": self.min_peers},
                **({"per_head": self.per_head.to_dict()} if self.per_head else {})}

    def share_rule_text(self) -> str:
        text = f"偏离中位数超过 {self.deviation_points} 个百分点"
        if self.mad_multiplier is not None:
            text += f"且超过 {self.mad_multiplier} 倍绝对中位差"
        return text


def default_config_path() -> Path:
    return resource("screening.json")


def _number(value, where: str, problems: list[str], *, minimum: Decimal = Decimal(0)) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problems.append(f"{where} 应为数字（写成字符串，如 \"30\"），现为 {json.dumps(value, ensure_ascii=False)}")
        return Decimal(0)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(f"{where} 的值“{value}”不是数字")
        return Decimal(0)
    if not number.is_finite() or number < minimum:
        problems.append(f"{where} 的值“{value}”应为不小于 {minimum} 的数")
        return Decimal(0)
    return number


def load_config(path: str | Path | None = None) -> ScreeningConfig:
    """Read and check the threshold file; raises ScreeningConfigError naming every bad entry."""
    path = Path(path) if path is not None else default_config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScreeningConfigError(f"找不到筛查阈值文件“{path}”。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScreeningConfigError(f"筛查阈值文件“{path}”无法读取：{exc}") from None
    except json.JSONDecodeError as exc:
        raise ScreeningConfigError(f"筛查阈值文件“{path}”不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）。") from None
    if not isinstance(data, dict):
        raise ScreeningConfigError(f"筛查阈值文件“{path}”应为一个 JSON 对象（含 growth 和 shares）。")
    problems: list[str] = []
    known = quantities()

    def quantity(name, where: str) -> str:
        if not isinstance(name, str) or name not in known:
            problems.append(f"{where} 的“{name}”不是命名数量（见 resources/forms/quantities.json）")
            return ""
        return name

    growth = data.get("growth")
    shares = data.get("shares")
    if not isinstance(growth, dict):
        problems.append("缺少 growth（增长阈值）部分")
        growth = {}
    if not isinstance(shares, dict):
        problems.append("缺少 shares（占比阈值）部分")
        shares = {}
    names = growth.get("quantities", [])
    if not isinstance(names, list) or not names:
        problems.append("growth.quantities 应为至少含一个命名数量的列表")
        names = []
    growth_quantities = tuple(quantity(name, "growth.quantities") for name in names)
    max_increase = _number(growth.get("max_increase_percent"), "growth.max_increase_percent", problems)
    max_decrease = _number(growth.get("max_decrease_percent"), "growth.max_decrease_percent", problems)
    items = shares.get("items", [])
    if not isinstance(items, list) or not items:
        problems.append("shares.items 应为至少含一项占比的列表")
        items = []
    share_defs: list[ShareDef] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"shares.items 第 {number} 项"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item.get("name"):
            problems.append(f"{where} 缺少 name")
            continue
        if item["name"] in seen:
            problems.append(f"{where} 的 name“{item['name']}”重复")
        seen.add(item["name"])
        share_defs.append(ShareDef(item["name"], str(item.get("title") or item["name"]),
                                   quantity(item.get("numerator"), f"{where} numerator"),
                                   quantity(item.get("denominator"), f"{where} denominator")))
    deviation = _number(shares.get("deviation_points"), "shares.deviation_points", problems)
    raw_mad = shares.get("mad_multiplier")
    mad = None if raw_mad is None else _number(raw_mad, "shares.mad_multiplier", problems)
    min_peers = shares.get("min_peers", 3)
    if isinstance(min_peers, bool) or not isinstance(min_peers, int) or min_peers < 2:
        problems.append(f"shares.min_peers 应为不小于 2 的整数，现为 {json.dumps(min_peers, ensure_ascii=False)}")
        min_peers = 3
    peers = data.get("peers", "parent")
    if peers not in PEERS:
        problems.append(f"peers 应为 parent（同一主管部门）或 all（全部单位），现为“{peers}”")
        peers = "parent"
    per_head = parse_per_head(data.get("per_head"), problems)
    if problems:
        raise ScreeningConfigError(f"筛查阈值文件“{path}”有误，未进行筛查：" + "；".join(problems) + "。")
    return ScreeningConfig(growth_quantities, max_increase, max_decrease, tuple(share_defs), deviation, mad,
                           min_peers, peers, str(data.get("edition", "")), str(path), per_head)


# ---- arithmetic ---------------------------------------------------------------------------------
_JSON_PLACES = Decimal("1E-10")


def as_decimal(ratio: Fraction | Decimal | None, places: Decimal = _JSON_PLACES) -> Decimal | None:
    """An exact ratio as a decimal rounded to ``places`` (for JSON and display only)."""
    if ratio is None:
        return None
    if isinstance(ratio, Decimal):
        return ratio.quantize(places, rounding=ROUND_HALF_UP)
    return (Decimal(ratio.numerator) / Decimal(ratio.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def median(values: list):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percent_text(fraction: Fraction | Decimal | None, *, signed: bool = False) -> str:
    """A ratio as a percentage with one decimal (display only)."""
    if fraction is None:
        return ""
    shown = as_decimal(fraction * 100, _ONE_PLACE)
    return f"{shown:+}%" if signed else f"{shown}%"


def points_text(points: Fraction | Decimal) -> str:
    return f"{as_decimal(points, _ONE_PLACE):+} 个百分点"


# ---- results ------------------------------------------------------------------------------------
@dataclass
class UnitMeasures:
    unit_code: str
    unit_name: str
    department_code: str
    department_name: str
    money_unit: str
    values: dict[str, Decimal] = field(default_factory=dict)  # quantity → this year
    prior: dict[str, Decimal] = field(default_factory=dict)  # quantity → last year, in this year's money unit
    prior_source: str = ""  # "dataset" (last year held), "typed" (上年数 typed) or "" (none)
    growth: dict[str, Fraction | None] = field(default_factory=dict)  # quantity → ratio (None: 上年为0)
    shares: dict[str, Fraction | None] = field(default_factory=dict)  # share → ratio (None: 分母为0)
    medians: dict[str, Fraction | None] = field(default_factory=dict)  # share → peers' median (None: too few)
    peer_counts: dict[str, int] = field(default_factory=dict)
    per_head: dict[str, Fraction | None] = field(default_factory=dict)  # 元 per 在职 head (None: no staff)

    @property
    def prior_source_name(self) -> str:
        return {"dataset": "上年数据", "typed": "填报的上年数"}.get(self.prior_source, "无上年数")


@dataclass(frozen=True)
class Outlier:
    unit_code: str
    unit_name: str
    department_name: str
    kind: str  # growth / share
    measure: str  # quantity or share name
    title: str
    value: Decimal | Fraction  # this year's amount (growth) or the share (ratio)
    reference: Decimal | Fraction  # last year's amount (growth) or the peers' median (ratio)
    deviation: Fraction  # growth ratio, or share − median
    threshold: str
    note: str  # 跟进

    @property
    def value_text(self) -> str:
        if self.kind == GROWTH and isinstance(self.value, Decimal):  # a growth's value is an amount
            return format_amount(self.value, grouping=True)
        if self.kind == PER_HEAD:
            return yuan_per_head_text(self.value)
        return percent_text(self.value)

    @property
    def reference_text(self) -> str:
        if self.kind == GROWTH and isinstance(self.reference, Decimal):  # last year's amount
            return "上年 " + format_amount(self.reference, grouping=True)
        if self.kind == PER_HEAD:
            return "中位数 " + yuan_per_head_text(self.reference)
        return "中位数 " + percent_text(self.reference)

    @property
    def deviation_text(self) -> str:
        if self.kind in (GROWTH, PER_HEAD):  # per head: the share away from the median
            return percent_text(self.deviation, signed=True)
        return points_text(self.deviation * 100)

    def to_dict(self) -> dict:
        return {"unit": self.unit_code, "name": self.unit_name, "department": self.department_name,
                "kind": self.kind, "measure": self.measure, "title": self.title,
                "value": str(self.value if self.kind == GROWTH else as_decimal(self.value)),
                "reference": str(self.reference if self.kind == GROWTH else as_decimal(self.reference)),
                "deviation": str(as_decimal(self.deviation)),
                "value_text": self.value_text, "reference_text": self.reference_text,
                "deviation_text": self.deviation_text, "threshold": self.threshold, "note": self.note}


@dataclass
class ScreeningResult:
    year: int
    peers: str
    config: ScreeningConfig
    units: list[UnitMeasures]
    outliers: list[Outlier]
    stored: StoredRun | None = None  # how many datasets were read as stored, how many worked out

    @property
    def peers_name(self) -> str:
        return PEERS[self.peers]

    def to_dict(self) -> dict:
        def amounts(values: dict[str, Decimal]) -> dict:
            return {name: str(value) for name, value in values.items()}

        def fractions(values: dict[str, Fraction | None]) -> dict:
            return {name: None if value is None else str(as_decimal(value)) for name, value in values.items()}

        return {
            "year": self.year, "peers": self.peers, "peers_name": self.peers_name, "thresholds": self.config.to_dict(),
            "titles": {**{name: quantity_def(name).title for name in self.config.growth_quantities},
                       **{share.name: share.title for share in self.config.shares}},
            "units": [{"unit": u.unit_code, "name": u.unit_name, "department": u.department_code,
                       "department_name": u.department_name, "money_unit": u.money_unit, "values": amounts(u.values),
                       "prior": amounts(u.prior), "prior_source": u.prior_source or None,
                       "prior_source_name": u.prior_source_name, "growth": fractions(u.growth),
                       "shares": fractions(u.shares), "medians": fractions(u.medians), "peer_counts": u.peer_counts}
                      for u in self.units],
            "outliers": [outlier.to_dict() for outlier in self.outliers],
        }


# ---- the units and their 部门 -------------------------------------------------------------------
def departments(units) -> dict[str, str]:
    """Unit code → its 部门's code: the top of its parent chain (a unit without a parent is its own)."""
    parents = {unit.code: unit.parent_code for unit in units}
    result = {}
    for code in parents:
        top, seen = code, {code}
        while parents.get(top) and parents[top] in parents and parents[top] not in seen:
            top = parents[top]
            seen.add(top)
        result[code] = top
    return result


def _scaled(amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
    if from_unit == to_unit:
        return amount
    if from_unit == "元" and to_unit == "万元":
        return amount / _WAN
    if from_unit == "万元" and to_unit == "元":
        return amount * _WAN
    return amount


def measured_names(config: ScreeningConfig) -> list[str]:
    return list(dict.fromkeys([*config.growth_quantities, *(s.numerator for s in config.shares),
                               *(s.denominator for s in config.shares)]))


def measures_basis(config: ScreeningConfig) -> str:
    """Which quantities a kept 筛查 result holds (part of its key: asking for another one makes it stale)."""
    return json.dumps([measured_names(config), list(config.growth_quantities), *(["per_head"] if config.per_head else [])],
                      ensure_ascii=False)


def measures_summary(dataset, names: list[str], growth_names: tuple[str, ...]) -> dict:
    """What 筛查 keeps of one dataset (``app.bureau.stored``): its quantities and last year's, exact."""
    summary: dict = {"money_unit": dataset.money_unit,
                     "values": {name: str(quantity_value(dataset, name)) for name in names},
                     "prior_source": "", "prior": {}, "per_head": per_head_summary(dataset)}
    previous = prior.previous_dataset(dataset)
    if previous is not None:
        summary["prior_source"] = "dataset"
        summary["prior"] = {name: str(_scaled(quantity_value(previous, name), previous.money_unit, dataset.money_unit))
                            for name in growth_names}
    else:
        typed = prior.typed_prior(dataset)
        if typed:
            summary["prior_source"] = "typed"
            summary["prior"] = {name: str(typed[name]) for name in growth_names if name in typed}
    return summary


def _measure(summary: dict, unit: tuple[str, str], config: ScreeningConfig,
             department: tuple[str, str]) -> UnitMeasures:
    measures = UnitMeasures(unit[0], unit[1], department[0], department[1], summary["money_unit"],
                            {name: Decimal(text) for name, text in summary["values"].items()},
                            {name: Decimal(text) for name, text in summary["prior"].items()}, summary["prior_source"])
    for name in config.growth_quantities:
        if name in measures.prior:
            before = measures.prior[name]
            measures.growth[name] = None if before == 0 else Fraction(measures.values[name] - before) / Fraction(before)
    for share in config.shares:
        denominator = measures.values[share.denominator]
        measures.shares[share.name] = (None if denominator == 0
                                       else Fraction(measures.values[share.numerator]) / Fraction(denominator))
    if config.per_head is not None:
        measures.per_head = per_head_figures(summary.get("per_head"), config.per_head)
    return measures


def screen(store, year: int, *, peers: str | None = None, config: ScreeningConfig | None = None,
           progress: Progress | None = None) -> ScreeningResult:
    """Screen every unit of ``year`` held in the database. Nothing of the budgets is written: each dataset's
    quantities are kept (``app.bureau.stored``) and read again until the dataset or last year's changes."""
    check_year(year)
    config = config or load_config()
    peers = peers or config.peers
    if peers not in PEERS:
        raise InputError(f"同组方式“{peers}”无效，应为 parent（同一主管部门）或 all（全部单位）。")
    units = store.list_units()
    names = {unit.code: unit.name for unit in units}
    top = departments(units)
    names_measured = measured_names(config)
    growth_names = tuple(config.growth_quantities)

    def compute(dataset) -> dict:
        return measures_summary(dataset, names_measured, growth_names)

    summaries, run = stored_results(store, year, MEASURES, compute, progress=progress, label="读取", names=names,
                                    extra_basis=measures_basis(config))
    measured: list[UnitMeasures] = []
    for code in sorted(summaries):
        department = top.get(code, code)
        measured.append(_measure(summaries[code], (code, names.get(code, "")), config,
                                 (department, names.get(department, ""))))

    outliers: list[Outlier] = []
    increase, decrease = Fraction(config.max_increase) / 100, Fraction(config.max_decrease) / 100
    for unit in measured:
        for name in config.growth_quantities:
            growth = unit.growth.get(name)
            if growth is None or not (growth > increase or growth < -decrease):
                continue
            title = quantity_def(name).title
            limit = f"增长超过 {config.max_increase}%" if growth > 0 else f"减少超过 {config.max_decrease}%"
            direction = "增长" if growth > 0 else "减少"
            note = (f"{title}较上年{direction}{percent_text(abs(growth))}（{unit.prior_source_name}），"
                    f"超过{'增长' if growth > 0 else '减少'}阈值 {config.max_increase if growth > 0 else config.max_decrease}%；"
                    f"请单位说明{direction}原因并核实数据。")
            outliers.append(Outlier(unit.unit_code, unit.unit_name, unit.department_name, GROWTH, name, title,
                                    unit.values[name], unit.prior[name], growth, limit, note))

    def group_key(unit: UnitMeasures) -> str:
        return unit.department_code if peers == "parent" else ""

    for share in config.shares:
        groups: dict[str, list[UnitMeasures]] = {}
        for unit in measured:
            groups.setdefault(group_key(unit), []).append(unit)
        for members in groups.values():
            values = [ratio for unit in members if (ratio := unit.shares[share.name]) is not None]
            middle: Fraction | None = None
            spread: Fraction | None = None
            if len(values) >= config.min_peers:
                middle = median(values)
                spread = median([abs(v - middle) for v in values])
            for unit in members:
                unit.medians[share.name] = middle
                unit.peer_counts[share.name] = len(values)
                mine = unit.shares[share.name]
                if middle is None or mine is None:
                    continue
                deviation = mine - middle
                points = abs(deviation) * 100
                if points <= Fraction(config.deviation_points):
                    continue
                if (config.mad_multiplier is not None and spread is not None
                        and abs(deviation) <= Fraction(config.mad_multiplier) * spread):
                    continue
                direction = "高于" if deviation > 0 else "低于"
                note = (f"{share.title} {percent_text(mine)}，{direction}{PEERS[peers]} {len(values)} 个单位的中位数 "
                        f"{percent_text(middle)} 共 {as_decimal(points, _ONE_PLACE)} 个百分点；"
                        "请单位说明原因并核实各项支出的归类。")
                outliers.append(Outlier(unit.unit_code, unit.unit_name, unit.department_name, SHARE, share.name,
                                        share.title, mine, middle, deviation, config.share_rule_text(), note))
    if config.per_head is not None:
        outliers += _per_head_outliers(measured, config.per_head, group_key, peers)
    order = {unit.unit_code: number for number, unit in enumerate(measured)}
    outliers.sort(key=lambda o: (order[o.unit_code], o.kind != GROWTH))
    return ScreeningResult(year, peers, config, measured, outliers, run)


def _per_head_outliers(measured: list[UnitMeasures], config: PerHeadConfig, group_key, peers: str) -> list[Outlier]:
    """人均人员经费 / 人均公用经费 more than ``max_deviation_percent`` away from the peers' median."""
    found: list[Outlier] = []
    limit = Fraction(config.max_deviation_percent) / 100
    for item in config.items:
        groups: dict[str, list[UnitMeasures]] = {}
        for unit in measured:
            groups.setdefault(group_key(unit), []).append(unit)
        for members in groups.values():
            values = [figure for unit in members if (figure := unit.per_head.get(item.name)) is not None]
            if len(values) < config.min_peers:
                continue
            middle = median(values)
            for unit in members:
                mine = unit.per_head.get(item.name)
                if mine is None or middle == 0:
                    continue
                deviation = mine / middle - 1
                if abs(deviation) <= limit:
                    continue
                direction = "高于" if deviation > 0 else "低于"
                note = (f"{item.title} {yuan_per_head_text(mine)}，{direction}{PEERS[peers]} {len(values)} 个单位的中位数 "
                        f"{yuan_per_head_text(middle)} {percent_text(abs(deviation))}；请单位说明原因并核实人员和基本支出。")
                found.append(Outlier(unit.unit_code, unit.unit_name, unit.department_name, PER_HEAD, item.name,
                                     item.title, mine, middle, deviation, config.rule_text(), note))
    return found


# ---- printing -----------------------------------------------------------------------------------
def print_screening(result: ScreeningResult, target) -> int:
    """The outliers (for follow-up) and every unit's measures as a landscape PDF; returns the page count."""
    # reportlab (and the print styles built on it) is loaded only when a PDF is made
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from app.printing.fonts import print_fonts
    from app.printing.styles import (
        LANDSCAPE,
        MARGIN_BOTTOM,
        MARGIN_SIDE,
        MARGIN_TOP,
        PAGE_SIZES,
        Styles,
        frame_width,
    )

    fonts = print_fonts()
    styles = Styles(fonts)
    size = PAGE_SIZES[LANDSCAPE]
    width = frame_width(LANDSCAPE)
    pages = [0, 0]  # pages of this pass, of the counting pass

    def footer(canvas, doc) -> None:
        pages[0] = doc.page
        canvas.saveState()
        canvas.setFont(fonts.body.name, 9)
        canvas.drawCentredString(size[0] / 2, MARGIN_BOTTOM / 2,
                                 f"第 {doc.page} 页" + (f" 共 {pages[1]} 页" if pages[1] else ""))
        canvas.restoreState()

    def cell(text: str, style=None) -> Paragraph:
        return Paragraph(escape(text), style or styles.cell)

    def table(header: list[str], rows: list[list[Paragraph]], fractions: list[float]) -> Table:
        widths = [width * f / sum(fractions) for f in fractions]
        grid = Table([[cell(h, styles.cell_center) for h in header], *rows], colWidths=widths, repeatRows=1)
        grid.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), fonts.body.name),  # a table cell's default is Helvetica, not embedded
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        return grid

    config = result.config
    def story() -> list:
        return [*heading, *body]

    heading = [Paragraph(escape(f"{result.year}年度部门预算筛查结果"), styles.title),
             Paragraph(escape(f"同组方式：{result.peers_name}；增长阈值：增长超过 {config.max_increase}% 或减少超过 "
                              f"{config.max_decrease}%；占比阈值：{config.share_rule_text()}；同组至少 {config.min_peers} 个单位。"
                              f"共筛查 {len(result.units)} 个单位，需跟进 {len(result.outliers)} 项。"), styles.subtitle),
             Paragraph("一、需跟进的异常", styles.part_heading)]
    body: list = []
    if result.outliers:
        rows = [[cell(f"{o.unit_code} {o.unit_name}"), cell(o.department_name), cell(o.title),
                 cell(o.value_text, styles.cell_right), cell(o.reference_text, styles.cell_right),
                 cell(o.deviation_text, styles.cell_right), cell(o.threshold), cell(o.note), cell("")]
                for o in result.outliers]
        body.append(table(["单位", "部门", "指标", "本年", "上年/中位数", "偏离", "阈值", "跟进", "核实情况"], rows,
                           [3, 2, 2.4, 2.3, 2.8, 2, 2.4, 5, 2]))
    else:
        body.append(Paragraph("没有超过阈值的异常。", styles.note))
    body += [Spacer(1, 8), Paragraph("二、各单位指标", styles.part_heading)]
    growth_names = list(config.growth_quantities)
    header = ["单位", "上年数来源"] + [f"{quantity_def(n).title}增长" for n in growth_names] + [s.title for s in config.shares]
    rows = []
    for unit in result.units:
        growth_cells = []
        for name in growth_names:
            if name not in unit.prior:
                growth_cells.append("无上年数")
            elif unit.growth.get(name) is None:
                growth_cells.append("上年为0")
            else:
                growth_cells.append(percent_text(unit.growth[name], signed=True))
        share_cells = []
        for share in config.shares:
            mine, middle = unit.shares.get(share.name), unit.medians.get(share.name)
            text = "—" if mine is None else percent_text(mine)
            text += f"（中位数 {percent_text(middle)}）" if middle is not None else "（同组不足）"
            share_cells.append(text)
        rows.append([cell(f"{unit.unit_code} {unit.unit_name}"), cell(unit.prior_source_name)]
                    + [cell(text, styles.cell_right) for text in growth_cells]
                    + [cell(text, styles.cell_right) for text in share_cells])
    body.append(table(header, rows, [3, 1.6] + [1.3] * len(growth_names) + [2.8] * len(config.shares)))
    def build(out) -> None:
        document = SimpleDocTemplate(out, pagesize=size, leftMargin=MARGIN_SIDE, rightMargin=MARGIN_SIDE,
                                     topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
                                     title=f"{result.year}年度部门预算筛查结果", author="BudgetDesk",
                                     keywords=fonts.metadata_text,
                                     initialFontName=fonts.body.name)  # not Helvetica, which is not embedded
        document.build(story(), onFirstPage=footer, onLaterPages=footer)

    build(io.BytesIO())  # a first pass counts the pages for 第 x 页 共 y 页
    pages[1] = pages[0]
    build(str(target) if isinstance(target, Path) else target)
    return pages[0]


__all__ = ["PEERS", "Outlier", "ScreeningConfig", "ScreeningConfigError", "ScreeningResult", "UnitMeasures",
           "default_config_path", "departments", "load_config", "measured_names", "measures_basis", "measures_summary", "median", "print_screening", "screen"]
