"""Bounded input: how fast and how small the refusal of /dev/zero and of a 190 MB file is, and what the
structure scan costs on the large department's data file.

The issue's aim: `/dev/zero` refused in under 2 s using under 200 MB. The in-process figures time the
refusal alone; the command figures include starting Python and opening the database.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from app.base.errors import InputError
from app.base.jsondoc import parse_document, read_document
from app.exchange.interchange import dumps, export_document
from app.store.service import Store
from bench.large import build_large_department, build_large_projects

ROOT = Path(__file__).resolve().parent.parent

_MEASURE = textwrap.dedent("""
    import resource, subprocess, sys, time
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "app", "--db", sys.argv[1], "import-json", sys.argv[2]],
                            capture_output=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{result.returncode} {elapsed * 1000:.0f} {peak:.0f}")
""")


def _refused(path: str) -> None:
    try:
        read_document(path)
    except InputError:
        return
    raise AssertionError(f"{path} was not refused")


def _command(db: Path, source: str) -> str:
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(db), source], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.split()
    return f"exit {out[0]}, {out[1]} ms, peak {out[2]} MB"


def run(workdir: Path, report, timed, seed_path) -> None:
    huge = workdir / "huge.json"
    with open(huge, "wb") as stream:  # sparse: a JSON start, then 190 MB of NUL bytes
        stream.write(b'{"format": "budgetdesk.dataset", "pad": "')
        stream.truncate(190 * 1024 * 1024)
    if Path("/dev/zero").exists():
        report("input: read_document('/dev/zero') refused (in process)", timed(lambda: _refused("/dev/zero"), 5))
    report("input: read_document(190 MB file) refused at 32 MB (in process)", timed(lambda: _refused(str(huge)), 3))
    db = workdir / "input.sqlite3"
    Store(str(db)).close()
    if sys.platform == "linux":
        print(f"{'input: budgetdesk import-json /dev/zero (whole command)':<58} {_command(db, '/dev/zero')}")
        print(f"{'input: budgetdesk import-json 190 MB file (whole command)':<58} {_command(db, str(huge))}")
    huge.unlink()
    store = Store(str(workdir / "input-large.sqlite3"))
    build_large_projects(store, "900", 2023, build_large_department(store))
    raw = dumps(export_document(store.open_dataset("900", 2023))).encode("utf-8")
    store.close()
    report(f"input: parse large department file ({len(raw) >> 10} KB, checks included)",
           timed(lambda: parse_document(raw), 5))
