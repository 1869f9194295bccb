"""Excel benchmarks: export and import of seed 004 and of the large department (300 功能分类 rows,
300 projects; bench/large.py), with the time LibreOffice takes to open and re-save the same workbook
beside them (skipped when LibreOffice is not installed)."""

from __future__ import annotations

import shutil
import subprocess

from app.exchange.excel import export_workbook, read_workbook, source_from_dataset
from app.exchange.interchange import import_file
from app.store.service import Store
from bench.large import build_large_department, build_large_projects
from bench.measure import TINY


def _libreoffice(report, timed, workdir, path, label: str, *, pdf: bool = True) -> None:
    soffice = shutil.which("soffice")
    if TINY:
        print(f"{label}: LibreOffice skipped in the tiny run (it takes seconds to start)")
        return
    if soffice is None:
        print(f"{label}: LibreOffice not installed, skipped")
        return
    out = workdir / "lo-out"
    out.mkdir(exist_ok=True)
    profile = (workdir / "lo-profile").as_uri()

    def convert(target: str) -> None:
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                        "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=1200)

    convert("csv")  # first start of a fresh profile is slower; not what is measured
    report(f"{label}: LibreOffice opens, recalculates, saves xlsx", timed(lambda: convert("xlsx"), 1))
    if pdf:
        report(f"{label}: LibreOffice converts it to PDF", timed(lambda: convert("pdf"), 1))


def run(workdir, report, timed, seed_path) -> None:
    store = Store(str(workdir / "bench-excel.sqlite3"))
    dataset = import_file(store, seed_path, replace=True)
    seed_xlsx = workdir / "seed004.xlsx"
    report("seed 004: export xlsx (9 forms, 21 projects)",
           timed(lambda: export_workbook(source_from_dataset(dataset), seed_xlsx), 3))
    report("seed 004: read xlsx back (parse, check, diff-ready document)", timed(lambda: read_workbook(store, seed_xlsx), 3))
    _libreoffice(report, timed, workdir, seed_xlsx, "seed 004")
    leaves = build_large_department(store)
    build_large_projects(store, "900", 2023, leaves)
    large = store.open_dataset("900", 2023)
    large_xlsx = workdir / "large.xlsx"
    report("large (300 rows, 300 projects): export xlsx",
           timed(lambda: export_workbook(source_from_dataset(large), large_xlsx), 1))
    report("large: read xlsx back", timed(lambda: read_workbook(store, large_xlsx), 3))
    _libreoffice(report, timed, workdir, large_xlsx, "large", pdf=False)  # its PDF takes minutes
    store.close()
