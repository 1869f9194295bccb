"""审核 benchmarks: a full check and the incremental check after one cell edit, on seed 004 and on
the generated large department extended with 300 projects × 12 indicators.

Aims: incremental ≤ 2 ms median on seed 004 and ≤ 16 ms p95 on the large department; full check
≤ 100 ms on the large department.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from app.interchange import import_file
from app.projects import (
    AssetLine,
    AssetTable,
    Indicator,
    OverallTargets,
    ProcurementItem,
    Project,
    ProjectBook,
)
from app.rules import Checker
from app.service import Store
from bench.large import build_large_department

# (一级, 二级, 三级 name, comparator, value, unit) of a generated project; {n} makes each project's set differ.
_INDICATORS = [
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
    project total reconciles), a procurement row for every third project, the 整体绩效目标 and assets."""
    dataset = store.open_dataset(code, year)
    book = ProjectBook(dataset)
    for number, leaf in enumerate(leaves, start=1):
        amount = dataset.value("expenditure_summary", leaf, "project")
        indicators = [
            Indicator(level1, level2, name.format(n=number), f"{name.format(n=number)}的说明", comparator,
                      value.format(count=100 + number, small=number % 9 + 1, amount=amount), unit, "年初工作计划")
            for level1, level2, name, comparator, value, unit in _INDICATORS
        ]
        book.add_project(Project(
            name=f"第{number}号宣传项目", amount=amount, function_code=leaf, attribute="recurring",
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


def _incremental(dataset, checker: Checker, cell: tuple[str, str, str], repeat: int) -> tuple[list[float], list[float]]:
    """Edit the cell (not timed), then time after_edit alone and after_edit + findings() (what the GUI
    pays: the findings list with explanations)."""
    form, row, column = cell
    base = dataset.value(form, row, column) or Decimal(0)
    check_only, with_list = [], []
    for index in range(repeat):
        dataset.set_cell(form, row, column, base + Decimal(index % 7) / 100)
        start = time.perf_counter()
        checker.after_edit([cell])
        middle = time.perf_counter()
        checker.findings()
        end = time.perf_counter()
        check_only.append((middle - start) * 1000)
        with_list.append((end - start) * 1000)
    dataset.set_cell(form, row, column, base)
    return check_only, with_list


def run(workdir, report, timed, seed_path) -> None:
    store = Store(str(workdir / "bench-rules.sqlite3"))
    seed = import_file(store, seed_path, replace=True)
    checker = Checker(seed)
    checker.run_all()  # loads the rule files and builds the dependency index
    report("seed 004: full check (all rules)", timed(checker.run_all, 30))
    for cell in (("expenditure_summary", "2070699", "project"), ("general_budget_basic_expenditure", "30201", "public")):
        check_only, with_list = _incremental(seed, checker, cell, 100)
        report(f"seed 004: incremental check after editing {cell[0]}:{cell[2]}", check_only)
        report("          … plus the findings list with 说明", with_list)
    report("seed 004: list rules after a project edit", timed(checker.after_list_change, 30))

    leaves = build_large_department(store, code="902", year=2023)
    build_large_projects(store, "902", 2023, leaves)
    large = store.open_dataset("902", 2023)
    checker = Checker(large)
    checker.run_all()
    errors, warnings = checker.counts()
    print(f"large department: {len(leaves)} projects × {len(_INDICATORS)} indicators; "
          f"错误 {errors}, 提示 {warnings}")
    report("large: full check (all rules)", timed(checker.run_all, 20))
    for cell in (("expenditure_summary", leaves[150], "project"), ("expenditure_summary", leaves[150], "basic"),
                 ("general_budget_basic_expenditure", "30201", "public")):
        check_only, with_list = _incremental(large, checker, cell, 60)
        report(f"large: incremental check after editing {cell[0]}:{cell[2]}", check_only)
        report("       … plus the findings list with 说明", with_list)
    report("large: list rules after a project edit", timed(checker.after_list_change, 20))
    store.close()
