"""GUI benchmarks (offscreen): cold start, opening a dataset, one cell commit with repaint."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal

from bench.measure import BenchFailure, size


def _cold_start(workdir, report) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    script = (
        "import time, sys; t0 = time.perf_counter();"
        "from ui.app import make_application; from app.store.service import Store; from ui.window.main_window import MainWindow;"
        "app = make_application(); w = MainWindow(Store(sys.argv[1])); w.show(); app.processEvents();"
        "print((time.perf_counter() - t0) * 1000)"
    )
    wall, inside = [], []
    for _ in range(size(3, 1)):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", script, str(workdir / "gui.sqlite3")], env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise BenchFailure(f"cold start failed: {result.stderr[-500:]}")
        wall.append((time.perf_counter() - start) * 1000)
        inside.append(float(result.stdout.strip().splitlines()[-1]))
    report("GUI: cold start to first window (process wall time)", wall)
    report("GUI: cold start to first window (after interpreter start)", inside)


def _commit_through_widgets(window, app, form_id, row_key, column_key, values) -> float:
    tab = window.form_tabs[form_id]
    window.tabs.setCurrentWidget(tab)
    app.processEvents()
    model = tab.model
    index = next(model.index(r, c) for r in range(model.rowCount()) for c in range(model.columnCount())
                 if model.cell_key(model.index(r, c)) == (row_key, column_key))
    start = time.perf_counter()
    model.setData(index, str(next(values)))
    app.processEvents()  # paints the cells whose figures changed, as after a real keystroke
    return (time.perf_counter() - start) * 1000


def run(workdir, report, timed, seed_path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _cold_start(workdir, report)
    from PySide6.QtCore import QSettings

    from app.exchange.interchange import import_file
    from app.store.service import Store
    from bench.large import build_large_department
    from ui.app import make_application
    from ui.window.main_window import MainWindow

    app = make_application()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(workdir))
    store = Store(str(workdir / "gui_bench.sqlite3"))
    import_file(store, seed_path, replace=True)
    window = MainWindow(store)
    window.resize(1440, 900)
    window.show()
    report("GUI: open seed-004 dataset (each tab built when shown)", timed(lambda: (window.open_dataset("359", 2023),
                                                                         app.processEvents()), 5))
    values = iter(Decimal(n) / 100 for n in range(1, 100_000))
    samples = [_commit_through_widgets(window, app, "expenditure_summary", "2070699", "basic", values)
               for _ in range(size(50, 2))]
    report("GUI: seed 004 cell commit + recalculation + repaint", samples)
    leaves = build_large_department(store, code="901")
    window.open_dataset("901", 2023)
    samples = [_commit_through_widgets(window, app, "expenditure_summary", leaves[len(leaves) // 2], "basic", values)
               for _ in range(size(30, 2))]
    report("GUI: large department cell commit + recalculation + repaint", samples)
    window.close()
    store.close()
