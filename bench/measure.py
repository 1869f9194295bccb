"""What every benchmark group shares: the seed file, the timer, the line each figure is printed on, and the
figures themselves (``FIGURES``), which ``python -m bench`` writes to a JSON file and compares with an older one.

``TINY`` (``python -m bench --tiny``, or BUDGETDESK_BENCH_TINY=1): every group at a tiny size, one run of each
timing, the generated departments a few rows — the smoke ``make test`` runs so a bench cannot rot unseen. A
figure is still measured and recorded; only the sizes shrink.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED004 = ROOT / "tests" / "fixtures" / "seed004_2023.json"
TINY = os.environ.get("BUDGETDESK_BENCH_TINY") == "1"

# name → {"group", "median_ms", "p95_ms", "n"} for timings, or {"group", "value", "unit"} for counts and sizes
FIGURES: dict[str, dict] = {}
_group = [""]


class BenchFailure(RuntimeError):
    """A benchmark that measured nothing real (for example every generated package refused)."""


def set_group(name: str) -> None:
    _group[0] = name


def size(full: int, tiny: int) -> int:
    """How many runs, rows or packages: ``full`` normally, ``tiny`` in the smoke run."""
    return tiny if TINY else full


def timed(function, repeat: int = 1) -> list[float]:
    samples = []
    for _ in range(size(repeat, 1)):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    if not samples:
        raise BenchFailure(f"{name}: no sample measured")
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    median = statistics.median(samples)
    FIGURES[name] = {"group": _group[0], "median_ms": round(median, 3), "p95_ms": round(p95, 3), "n": len(samples)}
    print(f"{name:<58} median {median:8.2f} ms   p95 {p95:8.2f} ms   (n={len(samples)})")


def record(name: str, value: float, unit: str) -> None:
    """A figure that is not a timing of repeated runs (a count, a size, seconds of one long run)."""
    FIGURES[name] = {"group": _group[0], "value": round(value, 4), "unit": unit}

