"""Core benchmarks: import, open, compute every form, one cell commit with recalculation."""

from __future__ import annotations

from decimal import Decimal

from app.domain.forms import all_forms
from app.exchange.interchange import import_file
from app.store.service import Store
from bench.large import build_large_department


def _view_all(dataset) -> None:
    for form in all_forms():
        dataset.view(form.id)


def run(workdir, report, timed, seed_path) -> None:
    store = Store(str(workdir / "bench.sqlite3"))
    report("seed 004: import-json (validate + write)", timed(lambda: import_file(store, seed_path, replace=True), 5))
    report("seed 004: open dataset", timed(lambda: store.open_dataset("359", 2023), 20))
    dataset = store.open_dataset("359", 2023)
    report("seed 004: compute every form (cold cache)", timed(lambda: (dataset.workbook.invalidate(), _view_all(dataset)), 20))
    values = iter(range(1, 10_000))

    def commit_seed():
        dataset.set_cell("general_budget_basic_expenditure", "30201", "public", Decimal(next(values)) / 100)
        dataset.view("general_budget_basic_expenditure")

    report("seed 004: one cell commit + recompute its form", timed(commit_seed, 100))
    leaves = build_large_department(store)
    large = store.open_dataset("900", 2023)
    report("large (300 功能分类 rows, all 经济分类): open dataset", timed(lambda: store.open_dataset("900", 2023), 5))
    report("large: compute every form (cold cache)", timed(lambda: (large.workbook.invalidate(), _view_all(large)), 5))

    def commit_large():
        large.set_cell("expenditure_summary", leaves[len(leaves) // 2], "basic", Decimal(next(values)) / 100)
        large.view("expenditure_summary")

    report("large: one cell commit + recompute its form", timed(commit_large, 30))
    store.close()
