"""审核 benchmarks: a full check and the incremental check after one cell edit, on seed 004 and on
the generated large department extended with 300 projects × 12 indicators.

Aims: incremental ≤ 2 ms median on seed 004 and ≤ 16 ms p95 on the large department; full check
≤ 100 ms on the large department.
"""

from __future__ import annotations

import time
from decimal import Decimal

from app.checks.rules import Checker
from app.exchange.interchange import import_file
from app.store.service import Store
from bench.large import PROJECT_INDICATORS, build_large_department, build_large_projects


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
    print(f"large department: {len(leaves)} projects × {len(PROJECT_INDICATORS)} indicators; "
          f"错误 {errors}, 提示 {warnings}")
    report("large: full check (all rules)", timed(checker.run_all, 20))
    for cell in (("expenditure_summary", leaves[len(leaves) // 2], "project"), ("expenditure_summary", leaves[len(leaves) // 2], "basic"),
                 ("general_budget_basic_expenditure", "30201", "public")):
        check_only, with_list = _incremental(large, checker, cell, 60)
        report(f"large: incremental check after editing {cell[0]}:{cell[2]}", check_only)
        report("       … plus the findings list with 说明", with_list)
    report("large: list rules after a project edit", timed(checker.after_list_change, 20))
    store.close()
