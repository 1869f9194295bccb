"""Run every benchmark and print its figures."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED004 = ROOT / "tests" / "fixtures" / "seed004_2023.json"


def timed(function, repeat: int = 1) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{name:<58} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   (n={len(samples)})")


def main() -> int:
    from bench import core, excel, input, packages, printing, rules, startup

    only = sys.argv[1:]  # e.g. ``python -m bench printing``: only these groups
    if only:
        groups = {"startup": startup, "core": core, "rules": rules, "printing": printing, "input": input,
                  "excel": excel, "packages": packages}
        unknown = [name for name in only if name not in groups]
        if unknown:
            print(f"unknown benchmark group(s): {', '.join(unknown)}; choose from {', '.join(groups)}")
            return 2
        with tempfile.TemporaryDirectory() as workdir:
            for name in only:
                groups[name].run(Path(workdir), report, timed, SEED004)
        return 0
    with tempfile.TemporaryDirectory() as workdir:
        startup.run(Path(workdir), report, timed, SEED004)
        core.run(Path(workdir), report, timed, SEED004)
        rules.run(Path(workdir), report, timed, SEED004)
        printing.run(Path(workdir), report, timed, SEED004)
        input.run(Path(workdir), report, timed, SEED004)
        excel.run(Path(workdir), report, timed, SEED004)
        packages.run(Path(workdir), report, timed, SEED004)
        try:
            from bench import gui
        except ImportError as exc:  # pragma: no cover - Qt missing
            print(f"GUI benchmarks skipped: {exc}")
        else:
            gui.run(Path(workdir), report, timed, SEED004)
            from bench import longwork

            longwork.run(Path(workdir), report, timed, SEED004)
    return 0


if __name__ == "__main__":
    sys.exit(main())
