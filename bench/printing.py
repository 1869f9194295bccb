"""Printing benchmarks: the whole seed-004 document (aim: ≤ 1 s), one table, a large department."""

from __future__ import annotations

from app.interchange import import_file
from app.printing import build_document, fonts
from app.service import Store
from bench.large import build_large_department


def run(workdir, report, timed, seed_path) -> None:
    store = Store(str(workdir / "bench-printing.sqlite3"))
    dataset = import_file(store, seed_path, replace=True)
    out = workdir / "seed004.pdf"
    fonts.reset()  # the first print of a session also finds and loads the font
    report("seed 004: print whole document, first (font discovery)", timed(lambda: build_document(dataset, out), 1))
    report("seed 004: print whole document (cover, 目录, 9 tables, 说明)", timed(lambda: build_document(dataset, out), 10))
    report("seed 004: print one table (三公)",
           timed(lambda: build_document(dataset, out, forms=["three_public_expenses"]), 10))
    build_large_department(store)
    large = store.open_dataset("900", 2023)
    report("large (300 功能分类 rows): print whole document", timed(lambda: build_document(large, out), 3))
    store.close()
