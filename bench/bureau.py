"""The bureau officer's day, timed: the 财政局 window over N imported units (issue 29).

``python -m bench bureau [--units N]`` (500 by default) generates N + 1 signed packages (``bench.packages``),
imports N into a fresh SQLite database, opens ``BureauWindow`` offscreen and prints exactly::

    bureau window: 500 units, start to list X.XX s, refresh after import X.XX s, longest stall X.XX s
    bureau window: 进度 X.XX s, 筛查 X.XX s

start to list: constructing the window until its list shows every unit. refresh after import: the last
package is imported through the window's own folder import (its key registered beforehand, as 登记密钥 would);
from the import's result reaching the window to the list showing the new unit (the import itself — a backup,
the signature, the check — runs in a worker thread while the window stays live; its stalls count below). longest stall: the heartbeat's longest gap (``bench.heartbeat``) over that import,
刷新, sorting by 总计 and by 单位名称, each filter, a 退回 and clearing the filter. 进度 / 筛查: showing the
tab until it is filled. Aims at 500: start ≤ 2 s, refresh ≤ 0.5 s, stall ≤ 0.1 s, 进度 and 筛查 ≤ 1.5 s each.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from app.bureau import intake
from app.exchange.package import reader
from app.exchange.package.trust import trust_key
from app.store.service import Store
from bench import packages
from bench.measure import SEED004, record, size

DEFAULT_UNITS = 500
YEAR = 2023


def draft_numbers(units: int) -> frozenset[int]:
    """Every fourth unit sent as 编制中 (with 错误): the list then has something for each filter."""
    return frozenset(number for number in range(units + 1) if number % 4 == 3)


def build(workdir: Path, units: int, seed_path: Path = SEED004,
          drafts: frozenset[int] | None = None) -> tuple[Store, Path]:
    """A database holding ``units`` imported units, and a folder holding one more unit's package (its key
    registered): what the window then imports. ``drafts``: the package numbers sent as 编制中."""
    every = workdir / "packages"
    packages.generate(every, units + 1, seed_path, draft_numbers(units) if drafts is None else drafts)
    files = sorted(every.glob("*.bdp"))
    extra = workdir / "one_more"
    extra.mkdir()
    last = max(files, key=lambda path: int(reader.open_package(path).unit_code))
    shutil.move(str(last), extra / last.name)
    store = Store(str(workdir / "bureau.sqlite3"))
    keys = [reader.open_package(path).fingerprint for path in sorted(every.glob("*.bdp"))]
    result = intake.import_packages(store, str(every), trust_fingerprints=keys)
    if result.failed:
        raise RuntimeError(f"generated packages refused: {result.failed[:3]}")
    package = reader.open_package(extra / last.name)
    trust_key(store, package.unit_code, package.fingerprint)
    return store, extra


def measure(store: Store, extra: Path, workdir: Path, units: int, with_tabs: bool = True) -> dict:
    """Open the window over ``store`` and time it (offscreen; the caller made the QApplication); ``with_tabs``:
    also 进度 and 筛查."""
    from PySide6.QtCore import QSettings, Qt  # deferred: Qt, only for the GUI figures

    from bench.heartbeat import Heartbeat, run_until
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(workdir))
    holder: list[BureauWindow] = []

    def open_window() -> None:
        window = BureauWindow(store, YEAR)
        window.resize(1366, 768)
        window.show()
        holder.append(window)

    figures = {"start": run_until(open_window, lambda: bool(holder) and holder[0].table.rowCount() == units)}
    window = holder[0]
    panel = window.overview_panel
    stalls: dict[str, float] = {}

    def step(name: str, action, done=lambda: True) -> float:
        heartbeat = Heartbeat().start()
        try:
            return run_until(action, done)
        finally:
            stalls[name] = max(stalls.get(name, 0.0), heartbeat.stop())

    arrived: list[float] = []  # when the import's result reached the window (the job itself runs in a thread)
    show_result = window.folder_import.show_result  # the folder import's result panel (ui.bureau.folder_import)
    window.folder_import.show_result = lambda result: (arrived.append(time.perf_counter()), show_result(result))
    listed: list[float] = []
    figures["import"] = step("导入", lambda: window.import_folder(str(extra)),
                             lambda: panel.model.rowCount() == units + 1 and not listed.append(time.perf_counter()))
    figures["refresh"] = listed[0] - arrived[0]
    if window.table.rowCount() != units + 1:
        raise RuntimeError(f"the list shows {window.table.rowCount()} rows after the import, not {units + 1}")
    step("刷新", lambda: panel.refresh_button.click())
    for column, order in ((8, Qt.SortOrder.DescendingOrder), (1, Qt.SortOrder.AscendingOrder),
                          (0, Qt.SortOrder.AscendingOrder)):
        step("排序", lambda c=column, o=order: window.table.sortByColumn(c, o))
    step("筛选", lambda: panel.text_filter.setText("测试单位01"))
    step("筛选", lambda: panel.text_filter.clear())
    for combo in (panel.status_filter, panel.department_filter, panel.problem_filter):
        for number in (1, 0):
            step("筛选", lambda c=combo, n=number: c.setCurrentIndex(min(n, c.count() - 1)))
    window.table.setCurrentCell(0, 0)
    step("退回", lambda: window.return_unit(reason="核对基本支出", out=""),
         lambda: window.table.current_overview_row() is not None and window.table.current_overview_row().status == "draft")
    figures["stalls"] = stalls
    figures["stall"] = max(stalls.values())

    if not with_tabs:
        window.close()
        return figures
    tabs = window.bureau_tabs
    figures["progress"] = run_until(lambda: tabs.setCurrentWidget(window.progress_view),
                                    lambda: window.progress_view.board is not None
                                    and not (window.progress_view.job and window.progress_view.job.running))
    figures["screening"] = run_until(lambda: tabs.setCurrentWidget(window.screening_view),
                                     lambda: window.screening_view.result is not None)
    window.close()
    return figures


def lines(units: int, figures: dict, detail: bool = False) -> list[str]:
    stalls = ", ".join(f"{name} {stall:.2f} s" for name, stall in figures["stalls"].items())
    return [f"bureau window: {units} units, start to list {figures['start']:.2f} s, "
            f"refresh after import {figures['refresh']:.2f} s, longest stall {figures['stall']:.2f} s",
            f"bureau window: 进度 {figures['progress']:.2f} s, 筛查 {figures['screening']:.2f} s"] + (
        [f"bureau window: longest stall by action: {stalls}; the import job {figures['import']:.2f} s"] if detail else [])


def run(workdir: Path, report, timed, seed_path: Path, units: int | None = None, detail: bool = False) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import make_application  # deferred: Qt, only for the GUI figures

    units = units or size(DEFAULT_UNITS, 3)
    app = make_application()
    start = time.perf_counter()
    store, extra = build(workdir, units, seed_path)
    print(f"bureau window: built {units} units in {time.perf_counter() - start:.1f} s (not timed below)", flush=True)
    try:
        figures = measure(store, extra, workdir, units)
    finally:
        store.close()
    for line in lines(units, figures, detail):
        print(line, flush=True)
    for name in ("start", "refresh", "stall", "progress", "screening"):
        record(f"bureau window ({units} units): {name}", figures[name], "s")
    app.processEvents()
    return figures


def main(argv: list[str]) -> int:
    units, detail = DEFAULT_UNITS, "--detail" in argv  # --detail: a third line, the stall of each action
    rest = [arg for arg in argv if arg != "--detail"]
    if rest[:1] == ["--units"] and len(rest) == 2 and rest[1].isdigit() and int(rest[1]) > 0:
        units = int(rest[1])
    elif rest:
        print("usage: python -m bench bureau [--units N] [--detail]")
        return 2
    with tempfile.TemporaryDirectory() as workdir:
        run(Path(workdir), None, None, SEED004, units, detail)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
