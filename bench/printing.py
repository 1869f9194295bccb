"""Printing benchmarks: the whole seed-004 document (aim: ≤ 1 s), one table, one project, and a
large department (300 功能分类 rows, 300 projects × 12 indicators, 60 政府采购 rows)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.interchange import import_file
from app.printing import build_document, fonts
from app.projects import (
    AssetLine,
    AssetTable,
    Indicator,
    OverallTargets,
    ProcurementItem,
    Project,
    ProjectBook,
)
from app.service import Store
from bench.large import build_large_department

# (一级, 二级) of the twelve indicators every generated project gets, as a typical table has them.
_LEVELS = [("1", "11"), ("1", "11"), ("1", "11"), ("1", "12"), ("1", "12"), ("1", "13"), ("1", "14"),
           ("2", "22"), ("2", "22"), ("2", "24"), ("3", "31"), ("3", "31")]
_UNITS = ["", "区融媒体中心", "区互联网舆情信息中心", "区文化馆"]


def build_large_projects(dataset, count: int = 300) -> None:
    """``count`` projects with twelve indicators each (descriptions long enough to wrap), grouped
    over four 资金使用单位, a 政府采购 row for every fifth project, the overall targets and assets."""
    book = ProjectBook(dataset)
    for number in range(1, count + 1):
        amount = Decimal(number % 89 + 3) + Decimal("0.50")
        indicators = [
            Indicator(level1, level2, f"第{number}号项目指标{index}",
                      f"第{number}号项目的第{index}项指标，按年初工作计划和实际工作需要核定，按季度跟踪完成情况",
                      "定性" if level1 == "2" else "≥", "比上年提升" if level1 == "2" else str(index * 10),
                      "" if level1 == "2" else "次", "年初工作计划、实际工作需要")
            for index, (level1, level2) in enumerate(_LEVELS, start=1)
        ]
        change = book.add_project(Project(
            f"第{number}号测试项目经费", amount=amount, fiscal_appropriation=amount, attribute="recurring",
            period_start=date(2023, 1, 1), period_end=date(2023, 12, 31), implementing_unit=_UNITS[number % 4],
            annual_goal=f"完成第{number}号测试项目的年度工作任务，保障各项工作按计划推进，提高资金使用效益。",
            indicators=indicators))
        if number % 5 == 0:
            book.add_procurement(ProcurementItem(change.after.project_id, "其他服务", "C99000000", "项",
                                                 Decimal(1), Decimal("1.00"), general_budget=Decimal("1.00")))
    book.set_overall_targets(OverallTargets("完成年度工作任务。", [
        Indicator("", "", f"分项指标{index}", f"分项目标{index}", "≥", "90", "%", note=f"分项{index // 4 + 1}")
        for index in range(1, 25)]))
    book.set_assets(AssetTable(date(2022, 12, 31), {"vehicles": AssetLine(Decimal(3), Decimal("52.17")),
                                                    "other": AssetLine(Decimal(549), Decimal("584.74"))},
                               Decimal("35.00")))


def run(workdir, report, timed, seed_path) -> None:
    store = Store(str(workdir / "bench-printing.sqlite3"))
    dataset = import_file(store, seed_path, replace=True)
    out = workdir / "seed004.pdf"
    fonts.reset()  # the first print of a session also finds and loads the font
    report("seed 004: print whole document, first (font discovery)", timed(lambda: build_document(dataset, out), 1))
    report("seed 004: whole document (9 tables, 说明, 21 project tables)", timed(lambda: build_document(dataset, out), 10))
    report("seed 004: print one table (三公)",
           timed(lambda: build_document(dataset, out, forms=["three_public_expenses"]), 10))
    first = ProjectBook(dataset).list_projects()[0].id
    report("seed 004: one project (绩效目标表 + 批复表)", timed(lambda: build_document(dataset, out, projects=[first]), 10))
    report("seed 004: 项目支出绩效目标表（含转移支付项目）",
           timed(lambda: build_document(dataset, out, forms=["project_targets_summary"]), 5))
    build_large_department(store)
    large = store.open_dataset("900", 2023)
    build_large_projects(large)
    report("large (300 rows, 300 projects): whole document", timed(lambda: build_document(large, out), 3))
    report("large: 300 项目支出绩效目标表 + 批复表",
           timed(lambda: build_document(large, out, forms=["project_targets", "project_approval"]), 3))
    report("large: 汇总表 of 300 projects", timed(lambda: build_document(large, out, forms=["project_targets_summary"]), 3))
    store.close()
