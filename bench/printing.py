"""Printing benchmarks: the whole seed-004 document (aim: ≤ 1 s), one table, one project, and a
large department (300 功能分类 rows, 300 projects × 12 indicators, 100 政府采购 rows; bench/large.py)."""

from __future__ import annotations

from app.interchange import import_file
from app.printing import build_document, fonts
from app.projects import ProjectBook
from app.service import Store
from bench.large import build_large_department, build_large_projects


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
    leaves = build_large_department(store)
    build_large_projects(store, "900", 2023, leaves)
    large = store.open_dataset("900", 2023)
    report("large (300 rows, 300 projects): whole document", timed(lambda: build_document(large, out), 3))
    report("large: 300 项目支出绩效目标表 + 批复表",
           timed(lambda: build_document(large, out, forms=["project_targets", "project_approval"]), 3))
    report("large: 汇总表 of 300 projects", timed(lambda: build_document(large, out, forms=["project_targets_summary"]), 3))
    store.close()
