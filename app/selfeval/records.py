"""The records of both 绩效自评 forms: a project's row, the department's 整体支出规模 lines and its scored
分解目标, and the content of one dataset (what the interchange document carries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from app.selfeval.rates import execution_rate, format_rate

ZERO = Decimal("0.00")
PROJECT_FORM = "self_evaluation"  # the print/export id of the 项目绩效自评表
DEPARTMENT_FORM = "department_self_evaluation"  # 部门整体支出绩效自评表
PROJECT_TITLE = "项目绩效自评表"
DEPARTMENT_TITLE = "部门整体支出绩效自评表"
# The money fields of a project's row (integer millionths in the database, strings in a data file).
PROJECT_MONEY_FIELDS = ("budget", "actual_total", "actual_general", "actual_fund", "actual_nonfiscal")


@dataclass
class ProjectEvaluation:
    """One row of the 项目绩效自评表. ``contents``/``results`` are keyed by the kind keys."""

    project_name: str
    unit_name: str = ""
    budget: Decimal | None = None  # 项目年度预算金额
    actual_total: Decimal | None = None  # 实际支出金额 合计
    actual_general: Decimal | None = None  # 其中：财政拨款 一般公共预算
    actual_fund: Decimal | None = None  # 其中：财政拨款 政府性基金
    actual_nonfiscal: Decimal | None = None  # 非财政资金
    stated_rate: str = ""  # the 执行率 as the clerk's form states it (printed as written; checked by S01)
    initial_goal: str = ""  # 年初绩效目标
    overall_result: str = ""  # 绩效目标整体完成情况
    contents: dict[str, str] = field(default_factory=dict)  # 年度指标内容
    results: dict[str, str] = field(default_factory=dict)  # 完成情况
    problems: str = ""  # 项目执行中的问题
    rectification: str = ""  # 整改情况

    @property
    def rate(self) -> Decimal | None:
        return execution_rate(self.actual_total, self.budget)

    @property
    def printed_rate(self) -> str:
        """The 执行率 the form prints: the stated one exactly as written (99%, 100.00%), else the computed one."""
        return self.stated_rate.strip() or format_rate(self.rate)

    @property
    def parts_total(self) -> Decimal | None:
        parts = [value for value in (self.actual_general, self.actual_fund, self.actual_nonfiscal) if value is not None]
        return sum(parts, ZERO) if parts else None


# The 整体支出规模 lines of seed 003: key, 资金来源/资金结构, label.
SCALE_LINES = (
    ("fiscal", "资金来源", "财政拨款"),
    ("other", "资金来源", "其他资金"),
    ("basic", "资金结构", "基本支出"),
    ("project", "资金结构", "项目支出"),
)


@dataclass
class ScaleLine:
    budget: Decimal | None = None  # 全年预算数
    actual: Decimal | None = None  # 全年执行数
    stated_rate: str = ""  # as a filled form printed it

    @property
    def rate(self) -> Decimal | None:
        return execution_rate(self.actual, self.budget)


@dataclass
class ScoreItem:
    """A 二级指标 (weight in brackets) with its 三级指标 and self-evaluation."""

    name: str
    weight: Decimal | None = None
    level3: str = ""
    target_value: str = ""  # 年度指标值
    actual_value: str = ""  # 全年完成值
    score: Decimal | None = None  # 自评得分
    deviation: str = ""  # 偏差及原因分析


@dataclass
class ScoreGroup:
    """An 一级指标 with its 权重 and 二级 items."""

    name: str
    weight: Decimal | None = None
    items: list[ScoreItem] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        scores = [item.score for item in self.items if item.score is not None]
        return sum(scores, ZERO) if scores else None

    @property
    def item_weights(self) -> Decimal:
        return sum((item.weight or ZERO for item in self.items), ZERO)


@dataclass
class DepartmentEvaluation:
    lines: dict[str, ScaleLine] = field(default_factory=dict)  # by SCALE_LINES key
    initial_goal: str = ""  # 年初设定目标
    result: str = ""  # 全年完成情况
    groups: list[ScoreGroup] = field(default_factory=list)

    def line(self, key: str) -> ScaleLine:
        return self.lines.get(key) or ScaleLine()

    @property
    def total_weight(self) -> Decimal:
        return sum((group.weight or ZERO for group in self.groups), ZERO)

    @property
    def total_score(self) -> Decimal | None:
        scores = [group.score for group in self.groups if group.score is not None]
        return sum(scores, ZERO) if scores else None

    def is_empty(self) -> bool:
        return (not self.initial_goal and not self.result and not self.groups
                and all(line.budget is None and line.actual is None and not line.stated_rate
                        for line in self.lines.values()))


@dataclass
class SelfEvaluationContent:
    """Both forms of one dataset: what the interchange document carries."""

    projects: list[ProjectEvaluation] = field(default_factory=list)
    department: DepartmentEvaluation = field(default_factory=DepartmentEvaluation)

    def is_empty(self) -> bool:
        return not self.projects and self.department.is_empty()
