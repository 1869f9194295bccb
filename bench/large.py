"""A generated large department: 300 功能分类 rows, every 经济分类 款 and 300 projects, for benchmarks."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from app.domain.cells import CellChange
from app.domain.codes import default_shipped_table
from app.domain.records import UnitInfo
from app.projects import (
    AssetLine,
    AssetTable,
    Indicator,
    OverallTargets,
    ProcurementItem,
    Project,
    ProjectBook,
)
from app.store.service import Store
from bench.measure import size


def build_large_department(store: Store, code: str = "900", year: int = 2023) -> list[str]:
    store.create_unit(UnitInfo(code=code, name="大型测试部门"))
    store.create_dataset(code, year)
    dataset = store.open_dataset(code, year)
    function = default_shipped_table("function", year)
    economic = default_shipped_table("economic", year)
    leaves = [c for c in function.items if not function.children.get(c)][:size(300, 12)]
    changes = []
    for index, leaf in enumerate(leaves):
        amount = Decimal(index % 97 + 1) + Decimal("0.25")
        for form in ("income_summary",):
            changes.append(CellChange(form, leaf, "fiscal_appropriation", amount * 2))
        for form in ("expenditure_summary", "general_budget_expenditure"):
            changes.append(CellChange(form, leaf, "basic", amount))
            changes.append(CellChange(form, leaf, "project", amount))
    # Every 经济分类 款 gets 1.50 and the last one the rest of the 基本支出, so the tables reconcile
    # and a full check runs every rule to its end instead of stopping at a mismatch.
    basic_total = sum(Decimal(index % 97 + 1) + Decimal("0.25") for index in range(len(leaves)))
    items = [item for item in economic.items.values() if len(item.code) == 5]
    # (a tiny department, bench.measure.TINY, has less to share: each 款 gets an equal part instead)
    share = min(Decimal("1.50"), (basic_total / len(items)).quantize(Decimal("0.01"), rounding=ROUND_DOWN))
    for number, item in enumerate(items, start=1):
        column = "public" if item.attribute == "public" else "personnel"
        amount = basic_total - share * (len(items) - 1) if number == len(items) else share
        changes.append(CellChange("general_budget_basic_expenditure", item.code, column, amount))
    changes.append(CellChange("three_public_expenses", "reception", "general_budget", Decimal("1.50")))
    changes.append(CellChange("three_public_expenses", "vehicle_operation", "general_budget", Decimal("1.50")))
    dataset.apply_changes(changes)
    return leaves


_USER_UNITS = ["", "区融媒体中心", "区互联网舆情信息中心", "区文化馆"]  # 资金使用单位 ("" = the unit itself)

# (一级, 二级, 三级 name, comparator, value, unit) of a generated project; {n} makes each project's set differ.
PROJECT_INDICATORS = [
    ("1", "11", "完成宣传报道数量{n}", "≥", "{count}", "篇"),
    ("1", "11", "开展活动场次{n}", "≥", "{small}", "场"),
    ("1", "11", "覆盖村庄数量{n}", "≥", "46", "个"),
    ("1", "12", "验收合格率{n}", "≥", "95", "%"),
    ("1", "12", "发布准确率{n}", "", "100", "%"),
    ("1", "13", "工作完成及时率{n}", "", "100", "%"),
    ("1", "13", "热点报道时效{n}", "≤", "7", "日"),
    ("1", "14", "成本控制数{n}", "≤", "{amount}", "万元"),
    ("2", "22", "提高公众对开发区的了解度{n}", "定性", "比上年提升", ""),
    ("2", "24", "提升开发区形象{n}", "定性", "比上年提升", ""),
    ("2", "21", "加强招商引资建设{n}", "定性", "比上年提升", ""),
    ("3", "31", "受益群众满意度{n}", "≥", "90", "%"),
]


def build_large_projects(store: Store, code: str, year: int, leaves: list[str]) -> None:
    """300 projects × 12 indicators (one per 功能分类 leaf, its amount = that leaf's 项目支出, so the
    project total reconciles and the checks find nothing), spread over four 资金使用单位 with indicator
    descriptions long enough to wrap in print; a procurement row for every third project, the
    整体绩效目标 and assets. Shared by the 审核 and printing benchmarks."""
    dataset = store.open_dataset(code, year)
    book = ProjectBook(dataset)
    for number, leaf in enumerate(leaves, start=1):
        amount = dataset.value("expenditure_summary", leaf, "project")
        indicators = [
            Indicator(level1, level2, name.format(n=number),
                      f"{name.format(n=number)}：按年初工作计划和实际工作需要核定，按季度跟踪完成情况，年终对照指标值考核",
                      comparator,
                      value.format(count=100 + number, small=number % 9 + 1, amount=amount), unit, "年初工作计划")
            for level1, level2, name, comparator, value, unit in PROJECT_INDICATORS
        ]
        book.add_project(Project(
            name=f"第{number}号宣传项目", amount=amount, fiscal_appropriation=amount, function_code=leaf,
            attribute="recurring", period_start=date(year, 1, 1), period_end=date(year, 12, 31),
            implementing_unit=_USER_UNITS[number % len(_USER_UNITS)],
            annual_goal=f"1.{year} 年度完成宣传报道 {100 + number} 篇 2.提升开发区形象 3.引导舆论正向发展",
            indicators=indicators))
    projects = book.project_choices()
    for project_id, name, amount in projects[::3]:
        book.add_procurement(ProcurementItem(project_id, f"{name}新闻服务", "C06010000", "项", Decimal(1),
                                             general_budget=amount))
    book.set_overall_targets(OverallTargets(f"{year} 年度持续扩大开发区新闻的传播范围。", [
        Indicator("", "", "活动场次", "举办外宣活动场次", "≥", "1", "次", note="外宣活动")]))
    book.set_assets(AssetTable(date(year - 1, 12, 31), {
        "buildings": AssetLine(Decimal(1200), Decimal("860.00")),
        "office_buildings": AssetLine(Decimal(800), Decimal("540.00")),
        "vehicles": AssetLine(Decimal(3), Decimal("52.17"))}, Decimal("35.00")))
