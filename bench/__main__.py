"""Run the benchmarks, print their figures, write them to JSON and compare them with an older run.

``python -m bench [GROUP …] [--tiny] [--json FILE] [--compare OLD.json [--against NEW.json]]``

* no group: every group, then the issue's aims table (``bench.aims``); ``make bench`` writes
  build/bench.json. ``bureau`` alone keeps its own options (``python -m bench bureau --units N``).
* ``--tiny``: every group at a tiny size (the smoke ``make test`` runs, tests/test_bench_smoke.py).
* ``--compare OLD.json``: after the run, each figure against the same figure in OLD.json (new / old; below
  1 is faster); with ``--against NEW.json`` no benchmark runs, the two files are compared.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path

GROUPS = ("startup", "core", "rules", "printing", "input", "excel", "packages", "gui", "longwork", "bureau")
QT_GROUPS = ("gui", "longwork", "bureau")  # need PySide6


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("groups", nargs="*", help=f"only these groups ({', '.join(GROUPS)})")
    parser.add_argument("--tiny", action="store_true", help="every group at a tiny size (smoke)")
    parser.add_argument("--json", metavar="FILE", help="write the figures to FILE")
    parser.add_argument("--compare", metavar="OLD", help="print each figure against OLD (a file --json wrote)")
    parser.add_argument("--against", metavar="NEW", help="with --compare: compare two files, run nothing")
    return parser.parse_args(argv)


def compare(old: dict, new: dict) -> list[str]:
    """One line per figure in both runs: old, new and new / old (timings by median; counts as they are)."""
    lines = [f"{'figure':<66} {'before':>10} {'after':>10} {'after/before':>12}"]
    for name, entry in new.items():
        before = old.get(name)
        if before is None:
            continue
        key = "median_ms" if "median_ms" in entry and "median_ms" in before else "value"
        if key not in entry or key not in before:
            continue
        unit = "ms" if key == "median_ms" else entry.get("unit", "")
        ratio = f"{entry[key] / before[key]:.2f}×" if before[key] else "–"
        lines.append(f"{name[:66]:<66} {before[key]:>8.2f}{unit:>2} {entry[key]:>8.2f}{unit:>2} {ratio:>12}")
    missing = sorted(set(old) - set(new))
    if missing:
        lines.append(f"({len(missing)} figure(s) of the older run not measured now: {', '.join(missing[:5])}"
                     + (" …)" if len(missing) > 5 else ")"))
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bureau"] and "--tiny" not in argv and "--json" not in argv:  # the 财政局 window alone
        from bench import bureau

        return bureau.main(argv[1:])
    args = _arguments(argv)
    if args.against:
        if not args.compare:
            print("--against needs --compare OLD.json")
            return 2
        old, new = (json.loads(Path(path).read_text(encoding="utf-8"))["figures"] for path in (args.compare, args.against))
        print("\n".join(compare(old, new)))
        return 0
    unknown = [name for name in args.groups if name not in GROUPS]
    if unknown:
        print(f"unknown benchmark group(s): {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
        return 2
    if args.tiny:
        os.environ["BUDGETDESK_BENCH_TINY"] = "1"  # before bench.measure is imported: it reads it once
    from bench import measure

    chosen = args.groups or list(GROUPS)
    failures = []
    with tempfile.TemporaryDirectory() as workdir:
        for name in chosen:
            measure.set_group(name)
            try:
                module = _load(name)
            except ImportError as exc:  # pragma: no cover - PySide6 missing
                print(f"{name} benchmarks skipped: {exc}")
                continue
            group_dir = Path(workdir) / name
            group_dir.mkdir()
            try:
                module.run(group_dir, measure.report, measure.timed, measure.SEED004)
            except measure.BenchFailure as exc:
                print(f"{name}: FAILED — {exc}")
                failures.append(name)
    if not args.groups:
        from bench import aims

        aims.print_table(measure.FIGURES)
    if args.json:
        target = Path(args.json)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"tiny": measure.TINY, "figures": measure.FIGURES}, ensure_ascii=False,
                                     indent=1), encoding="utf-8")
        print(f"figures written to {target}")
    if args.compare:
        old = json.loads(Path(args.compare).read_text(encoding="utf-8"))["figures"]
        print("\n".join(compare(old, measure.FIGURES)))
    return 1 if failures else 0


def _load(name: str):
    """The group's module; the Qt ones are imported only when run (PySide6 may be missing)."""
    return importlib.import_module(f"bench.{name}")


if __name__ == "__main__":
    sys.exit(main())
