"""The 基本支出测算: 基本支出 by economic code worked out from the 人员 × 车辆 × the bureau's standards, each
line with its formula in words (“10 人 × 5,000.00 元 × 12 月”). Figures are exact: 元 to the 分 (Decimal),
each rate's product rounded half-up to the 分 once; shown in the dataset's money unit (万元: exact to 0.000001)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from app.base.money import exact_amount
from app.basic.book import BasicInfoBook
from app.basic.records import RETIRED_CATEGORIES, BasicInfo, StaffMember
from app.basic.standards import PAY_ITEMS, Standards
from app.domain.cells import CellChange

BASIC_FORM = "general_budget_basic_expenditure"  # 基本支出表: rows are economic codes; 人员经费 / 公用经费
THREE_PUBLIC_FORM = "three_public_expenses"
VEHICLE_ROW, VEHICLE_COLUMN = "vehicle_operation", "general_budget"  # 三公: 公务用车运行维护费 / 一般公共预算
ESTIMATE_SOURCE = "测算带入"
FOLLOW_NOTE = "basic:follow"  # 保持跟随 of the 测算 (a dataset note "1"): brought in again after every roster change
_FEN = Decimal("0.01")
_UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000)}


def yuan_text(amount: Decimal) -> str:
    """5000 → “5,000”, 5000.5 → “5,000.50” (whole 元 read as a clerk writes them)."""
    exact = amount.quantize(_FEN)
    return f"{exact:,.0f}" if exact == exact.to_integral_value() else f"{exact:,.2f}"


def percent_text(rate: Decimal) -> str:
    """0.075 → “7.5%”."""
    text = format(rate * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def in_money_unit(amount_yuan: Decimal, money_unit: str) -> Decimal:
    """元 in the dataset's money unit, exact (万元: six decimals hold the 分)."""
    return (amount_yuan / _UNIT_FACTORS[money_unit]).quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class EstimatePart:
    """One term of a line: what it is, its formula in words, its amount in 元 and where its figures came from."""

    label: str
    formula: str
    amount: Decimal  # 元
    source: str = ""


@dataclass
class EstimateLine:
    code: str
    name: str
    column: str  # the 基本支出表 column: personnel 人员经费 / public 公用经费
    parts: list[EstimatePart] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        """元."""
        return sum((part.amount for part in self.parts), Decimal("0.00"))

    @property
    def formula(self) -> str:
        return "；".join(f"{part.label}：{part.formula}" if part.label else part.formula for part in self.parts)


@dataclass
class Estimate:
    lines: list[EstimateLine]
    money_unit: str
    standards: Standards
    unit_class: str
    staff_count: int  # 在职 (on an establishment)
    retired_count: int
    vehicle_count: int

    def line(self, code: str) -> EstimateLine | None:
        return next((line for line in self.lines if line.code == code), None)

    def amount(self, code: str) -> Decimal:
        """The line's amount in the dataset's money unit (0 when there is no such line)."""
        line = self.line(code)
        return in_money_unit(line.amount if line else Decimal(0), self.money_unit)

    def total(self, column: str) -> Decimal:
        return in_money_unit(sum((line.amount for line in self.lines if line.column == column), Decimal(0)),
                             self.money_unit)

    def changes(self) -> list[CellChange]:
        """The cells 一键带入 writes: each line into the 基本支出表, 公务用车运行维护费 also into the 三公 table."""
        cells = [CellChange(BASIC_FORM, line.code, line.column, in_money_unit(line.amount, self.money_unit))
                 for line in self.lines]
        vehicle = self.line(self.standards.vehicle_code)
        if vehicle is not None:
            cells.append(CellChange(THREE_PUBLIC_FORM, VEHICLE_ROW, VEHICLE_COLUMN,
                                    in_money_unit(vehicle.amount, self.money_unit)))
        return cells

    def to_json(self) -> dict:
        return {
            "money_unit": self.money_unit, "standards": self.standards.title,
            "standards_source": self.standards.source, "standards_file": self.standards.path,
            "unit_class": self.unit_class, "staff": self.staff_count, "retired": self.retired_count,
            "vehicles": self.vehicle_count,
            "totals": {"personnel": str(exact_amount(self.total("personnel"))),
                       "public": str(exact_amount(self.total("public")))},
            "lines": [{"code": line.code, "name": line.name, "column": line.column,
                       "amount": str(exact_amount(in_money_unit(line.amount, self.money_unit))),
                       "amount_yuan": str(line.amount),
                       "formula": line.formula,
                       "parts": [{"label": p.label, "formula": p.formula, "amount_yuan": str(p.amount),
                                  "source": p.source} for p in line.parts]}
                      for line in self.lines],
        }


def _column(code: str) -> str:
    return "public" if code.startswith("302") else "personnel"


def _annual(person: StaffMember, item: str, months: int) -> Decimal:
    value: Decimal = getattr(person, item)
    return value if item == "bonus" else value * months


def compute_estimate(info: BasicInfo, standards: Standards, *, unit_nature: str, money_unit: str,
                     code_names: dict[str, str]) -> Estimate:
    """The 测算 of one dataset's 基础信息. ``code_names``: the economic code table's names (科目名称)."""
    parts: dict[str, list[EstimatePart]] = defaultdict(list)
    months = standards.months
    # 工资: grouped by the same pay, so the formula reads as a clerk would write it
    groups: dict[tuple[str, str, str, Decimal], int] = defaultdict(int)
    for person in info.staff:
        for item in PAY_ITEMS:
            amount: Decimal = getattr(person, item)
            if amount:
                groups[(standards.pay_codes[person.category][item], person.category, item, amount)] += 1
    for (code, category, item, amount), count in groups.items():
        per = f" × {months} 月" if item != "bonus" else ""
        label = f"{category}人员{code_names.get(code, '')}" if category in RETIRED_CATEGORIES else \
            f"{category}{PAY_ITEMS[item]}"
        parts[code].append(EstimatePart(label, f"{count} 人 × {yuan_text(amount)} 元{per}",
                                        amount * count * (months if item != "bonus" else 1), "基础信息：人员"))
    # 缴费 and funds at a rate of some pay items
    for rated in standards.rated:
        covered = [person for person in info.staff if person.category in rated.categories]
        base = sum((_annual(person, item, months) for person in covered for item in rated.base), Decimal(0))
        if not base:
            continue
        items = "、".join(PAY_ITEMS[item] for item in rated.base)
        parts[rated.code].append(EstimatePart(
            rated.name, f"基数 {yuan_text(base)} 元（{len(covered)} 人全年{items}）× {percent_text(rated.rate)}",
            (base * rated.rate).quantize(_FEN, ROUND_HALF_UP), rated.source))
    # 公用经费 定额 per 在职 person, divided over the 302xx codes (the last share takes the rounding)
    unit_class = standards.unit_class(unit_nature)
    heads = sum(1 for person in info.staff if person.category in standards.public_categories)
    quota = standards.public_per_person[unit_class]
    if heads and quota:
        total = quota * heads
        left = total
        for index, (code, share) in enumerate(standards.public_split):
            amount = left if index == len(standards.public_split) - 1 else (total * share).quantize(_FEN, ROUND_HALF_UP)
            left -= amount
            parts[code].append(EstimatePart(
                "公用经费定额", f"{heads} 人 × {yuan_text(quota)} 元（{unit_class}类单位人均定额）× {percent_text(share)}",
                amount, standards.public_source))
    # 公务用车运行维护费 per vehicle by 用途
    vehicle_groups: dict[str, int] = defaultdict(int)
    for vehicle in info.vehicles:
        if vehicle.in_establishment or not standards.vehicle_in_establishment_only:
            vehicle_groups[vehicle.purpose] += 1
    for purpose, count in vehicle_groups.items():
        quota = standards.vehicle_per_vehicle.get(purpose, Decimal(0))
        if quota:
            parts[standards.vehicle_code].append(EstimatePart(
                purpose, f"{count} 辆 × {yuan_text(quota)} 元（每辆每年定额）", quota * count, standards.vehicle_source))
    # 离退休 公用经费 per person
    retired_groups: dict[str, int] = defaultdict(int)
    for person in info.staff:
        if person.category in standards.retiree_per_person:
            retired_groups[person.category] += 1
    for category, count in retired_groups.items():
        quota = standards.retiree_per_person[category]
        if quota:
            parts[standards.retiree_code].append(EstimatePart(
                f"{category}人员公用经费", f"{count} 人 × {yuan_text(quota)} 元", quota * count, standards.retiree_source))
    lines = [EstimateLine(code, code_names.get(code, ""), _column(code), parts[code]) for code in sorted(parts)]
    return Estimate(lines, money_unit, standards, unit_class,
                    staff_count=sum(1 for p in info.staff if p.serving),
                    retired_count=sum(1 for p in info.staff if p.category in ("离休", "退休")),
                    vehicle_count=sum(vehicle_groups.values()))


def following(dataset) -> bool:
    """Whether the dataset's 基本支出表 follows the 测算 (保持跟随)."""
    return dataset.notes(FOLLOW_NOTE).get(FOLLOW_NOTE) == "1"


def estimate_dataset(dataset, standards: Standards) -> Estimate:
    """The 测算 of an open dataset (``app.store.dataset.BudgetDataset``) with its own 基础信息."""
    table = dataset.codes["economic"]
    names = {code: table.name(code) for code in table.items}
    return compute_estimate(BasicInfoBook(dataset).content(), standards, unit_nature=dataset.unit.nature,
                            money_unit=dataset.money_unit, code_names=names)
