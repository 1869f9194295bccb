"""Start-up benchmarks: wall time from process start, warm (each command is run once before timing).

* GUI: ``budgetdesk gui --exit-after-show`` opens the main window on the last dataset (seed 004,
  remembered in the settings), paints it and quits — offscreen.
* ``budgetdesk check`` on seed 004.
* The same two for the frozen build when ``dist/BudgetDesk`` exists (``make dist``).
* The yardstick: a bare PySide6 window with a 30×8 table, shown and painted, in a process of its own.

Aims (issue 26) on the 2-core reference machine: GUI ≤ 0.5 s and ≤ 4× the bare window, check ≤ 0.3 s
(``bench.aims``). Run alone: ``python -m bench startup``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import SEED004, BenchFailure, report, size, timed

ROOT = Path(__file__).resolve().parent.parent
FROZEN = ROOT / "dist" / "BudgetDesk" / ("BudgetDesk.exe" if sys.platform.startswith("win") else "BudgetDesk")
FROZEN_CLI = FROZEN.with_name("budgetdesk-cli.exe") if sys.platform.startswith("win") else FROZEN
RUNS = size(5, 1)
BARE_WINDOW = (
    "from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem;"
    "app = QApplication([]); window = QMainWindow(); table = QTableWidget(30, 8);"
    "[table.setItem(r, c, QTableWidgetItem(f'{r * c}.00')) for r in range(30) for c in range(8)];"
    "window.setCentralWidget(table); window.show(); app.processEvents(); window.close()"
)


def _environment(workdir: Path) -> dict[str, str]:
    # An installed program runs from compiled bytecode; a shell with PYTHONDONTWRITEBYTECODE would have every
    # process compile BudgetDesk's modules again and measure the compiler, not the start-up.
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return dict(environment, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(workdir / "config"),
                XDG_DATA_HOME=str(workdir / "data"))


def _prepare(workdir: Path, seed_path: Path) -> Path:
    """A database holding seed 004, remembered as the last dataset in the benchmark's own settings."""
    database = workdir / "startup.sqlite3"
    env = _environment(workdir)
    script = (
        "import sys; from PySide6.QtCore import QSettings; from ui.app import make_application;"
        "from app.store.service import Store; from app.exchange.interchange import import_file;"
        "make_application(); store = Store(sys.argv[1]); import_file(store, sys.argv[2], replace=True);"
        "QSettings().setValue('main/last_dataset', '359|2023'); QSettings().sync(); store.close()"
    )
    subprocess.run([sys.executable, "-c", script, str(database), str(seed_path)], env=env, check=True, cwd=ROOT)
    return database


def _children_cpu_ms() -> float:
    try:
        import resource
    except ImportError:  # Windows: wall time only
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def _wall(command: list[str], env: dict[str, str], runs: int = RUNS) -> tuple[list[float], list[float]] | str:
    """Wall and CPU (user + system) milliseconds per run. On a shared, loaded machine the wall time
    includes waiting for a core; the CPU time says what the program itself costs."""
    subprocess.run(command, env=env, cwd=ROOT, capture_output=True)  # warm the file cache
    wall, cpu = [], []
    for _ in range(runs):
        cpu_before = _children_cpu_ms()
        start = time.perf_counter()
        result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append(_children_cpu_ms() - cpu_before)
        if result.returncode not in (0, 1):  # check exits 1 when errors remain; seed 004 has none
            return f"exit {result.returncode}: {result.stderr[-300:]}"
    return wall, cpu


def run(workdir: Path, report, _timed, seed_path: Path) -> None:
    database = _prepare(workdir, seed_path)
    env = _environment(workdir)
    variants = [("source", [sys.executable, "-m", "app"], [sys.executable, "-m", "app"])]
    if FROZEN.exists():
        variants.append(("frozen", [str(FROZEN)], [str(FROZEN_CLI)]))
    for name, gui, cli in variants:
        for label, command in (
            (f"start-up ({name}): GUI first window with the last dataset", gui + ["--db", str(database), "gui",
                                                                                    "--exit-after-show"]),
            (f"start-up ({name}): budgetdesk check, seed 004", cli + ["--db", str(database), "check", "--unit", "359",
                                                                      "--year", "2023"]),
        ):
            _report_process(label, command, env)
    _report_process("start-up: bare PySide6 window with a 30×8 table", [sys.executable, "-c", BARE_WINDOW], env)
    if not FROZEN.exists():
        print("start-up (frozen): skipped — no dist/BudgetDesk (make dist)")


def _report_process(label: str, command: list[str], env: dict[str, str]) -> None:
    samples = _wall(command, env)
    if isinstance(samples, str):
        raise BenchFailure(f"{label}: failed ({samples})")
    report(label + " (wall)", samples[0])
    if any(samples[1]):
        report(label + " (CPU)", samples[1])


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        run(Path(workdir), report, timed, SEED004)
    return 0


if __name__ == "__main__":
    sys.exit(main())
