"""GUI benchmarks (offscreen): first window shown."""

from __future__ import annotations

import os
import subprocess
import sys
import time


def run(workdir, report, timed, seed_path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    script = (
        "import time, sys; t0 = time.perf_counter();"
        "from ui.app import make_application; from app.service import Store; from ui.main_window import MainWindow;"
        "app = make_application(); w = MainWindow(Store(sys.argv[1])); w.show(); app.processEvents();"
        "print((time.perf_counter() - t0) * 1000)"
    )
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", script, str(workdir / "gui.sqlite3")], env=env,
                                capture_output=True, text=True)
        wall = (time.perf_counter() - start) * 1000
        if result.returncode != 0:
            print("cold start failed:", result.stderr[-500:])
            return
        samples.append(wall)
    report("GUI: cold start to first window shown (process wall time)", samples)
