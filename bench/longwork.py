"""Long work off the GUI thread: how long the GUI thread's event loop goes without running while the
print dialog renders the large department (300 projects) in a worker, and what 导出 PDF costs after the
preview (it writes the preview's bytes instead of rendering again).

Before the worker, the preview rendered on the GUI thread: the window stood still for the whole
render (the "render on the GUI thread" line is that stall). Run offscreen (``make bench``).
"""

from __future__ import annotations

import os
import time


def run(workdir, report, timed, seed_path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QFileDialog

    from app.printing import render_document
    from app.store.service import Store
    from bench.large import build_large_department, build_large_projects
    from ui.app import make_application
    from ui.editor.controller import DatasetController
    from ui.printing.dialog import PrintDialog

    app = make_application()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(workdir))
    store = Store(str(workdir / "bench-longwork.sqlite3"))
    leaves = build_large_department(store, code="902")
    build_large_projects(store, "902", 2023, leaves)
    dataset = store.open_dataset("902", 2023)
    report("large: whole document rendered on the GUI thread (= stall before)",
           timed(lambda: render_document(dataset), 1))

    controller = DatasetController(dataset)
    gaps: list[float] = []
    rendering = [True]
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        if rendering[0]:  # the gaps while the worker renders (not the one-off showing of the pages)
            gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    shown = PrintDialog._show_rendered

    def show_and_time(self, rendered) -> None:
        rendering[0] = False
        begin = time.perf_counter()
        shown(self, rendered)
        report("large: showing the 359 rendered pages (GUI thread, once)", [(time.perf_counter() - begin) * 1000])

    PrintDialog._show_rendered = show_and_time
    start = time.perf_counter()
    dialog = PrintDialog(controller)
    dialog.show()
    report("large: print dialog opens (300 project lines), GUI thread", [(time.perf_counter() - start) * 1000])
    last[0] = time.perf_counter()
    timer.start()
    while dialog.preview_job is not None:
        app.processEvents()
        time.sleep(0.002)
    rendered_in = (time.perf_counter() - start) * 1000
    timer.stop()
    report("large: preview in a worker, wall time from opening to pages shown", [rendered_in])
    PrintDialog._show_rendered = shown
    report("large: GUI event-loop gaps while the worker renders (5 ms timer)", gaps)
    report("large: longest GUI event-loop gap while the worker renders", [max(gaps)])

    target = workdir / "longwork-export.pdf"
    QFileDialog.getSaveFileName = staticmethod(lambda *args: (str(target), ""))

    def export() -> None:
        dialog.export_pdf()
        while dialog.export_job is not None:
            app.processEvents()
            time.sleep(0.002)

    report("large: 导出 PDF after the preview (bytes reused, no render)", timed(export, 3))
    dialog.reject()
    store.close()
