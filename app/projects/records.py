"""Plain records of the project part (no database, no Qt): projects, indicators, targets, procurement, assets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.projects.code_lists import _ASSET_PART_OF, PROCUREMENT_FUNDS, PROJECT_ATTRIBUTES
from app.projects.levels import QUALITATIVE


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



@dataclass
class BookContent:
    """Everything of one dataset that this module owns (what the interchange document carries).
    Here a procurement row's ``project_id`` is the index of its project in ``projects``."""

    projects: list[Project] = field(default_factory=list)
    overall: OverallTargets = field(default_factory=OverallTargets)
    procurement: list[ProcurementItem] = field(default_factory=list)
    assets: AssetTable = field(default_factory=AssetTable)
