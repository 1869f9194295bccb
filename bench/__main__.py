"""Run every benchmark and print its figures."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench import bureau, core, excel, input, packages, printing, rules, startup
from bench.measure import SEED004, report, timed


def main() -> int:
    only = sys.argv[1:]  # e.g. ``python -m bench printing``: only these groups
    if only[:1] == ["bureau"]:  # the 财政局 window; ``--units N`` for another size than 500
        return bureau.main(only[1:])
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
            from bench import gui, longwork  # deferred: PySide6, which may be missing
        except ImportError as exc:  # pragma: no cover - Qt missing
            print(f"GUI benchmarks skipped: {exc}")
        else:
            gui.run(Path(workdir), report, timed, SEED004)
            longwork.run(Path(workdir), report, timed, SEED004)
    return 0


if __name__ == "__main__":
    sys.exit(main())
