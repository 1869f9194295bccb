"""The issue's table (issue 26), figure by figure against its aim, from what the groups measured in this run.

Each line names the figure it reads (``bench.measure.FIGURES``); a figure not measured in this run (its group
not run, LibreOffice absent) is said, not guessed. Wall times on a shared machine wait for other work: the
CPU time of the same processes is printed beside them where the group measured it.
"""

from __future__ import annotations

import shutil

from bench.measure import FIGURES

GUI = "start-up (source): GUI first window with the last dataset"
BARE = "start-up: bare PySide6 window with a 30×8 table"
CHECK = "start-up (source): budgetdesk check, seed 004"
PRINT = "process: seed 004 whole document"
LIBREOFFICE = "seed 004: LibreOffice converts it to PDF"
IMPORTED = "packages on SQLite: imported and checked"
IMPORT_TIME = "packages on SQLite: import and check"
CONSOLIDATE = "packages on SQLite: consolidate --json (process)"
DASHBOARD = "packages on SQLite: dashboard --year (process)"
SCREEN = "packages on SQLite: screen --year (process)"


def _seconds(ms: float | None) -> str:
    return "not measured" if ms is None else f"{ms / 1000:.2f} s"


def _verdict(ms: float | None, aim_ms: float, cpu_ms: float | None = None) -> str:
    if ms is None:
        return "–"
    if ms <= aim_ms:
        return "met"
    return "met by CPU time (wall waits on a busy machine)" if cpu_ms is not None and cpu_ms <= aim_ms else "NOT met"


def rows(figures: dict | None = None) -> list[tuple[str, str, str, str, str]]:
    """(what, measured, yardstick, aim, verdict) for each line of the issue's table."""
    figures = FIGURES if figures is None else figures

    def get(name: str) -> float | None:
        return _ms(figures, name)

    result = []
    gui, bare, gui_cpu = get(GUI + " (wall)"), get(BARE + " (wall)"), get(GUI + " (CPU)")
    gui_aim = 500.0 if bare is None else min(500.0, 4 * bare)
    result.append(("GUI to its first painted window, seed 004", _seconds(gui) + (f" (CPU {_seconds(gui_cpu)})" if gui_cpu else ""),
                   f"bare window {_seconds(bare)}", f"≤ {gui_aim / 1000:.2f} s (≤ 0.5 s, ≤ 4× bare)",
                   _verdict(gui, gui_aim, gui_cpu)))
    check, check_cpu = get(CHECK + " (wall)"), get(CHECK + " (CPU)")
    result.append(("check --unit 359 --year 2023", _seconds(check) + (f" (CPU {_seconds(check_cpu)})" if check_cpu else ""),
                   "–", "≤ 0.30 s", _verdict(check, 300, check_cpu)))
    printed, office = get(PRINT), get(LIBREOFFICE)
    if office is None:
        absent = shutil.which("soffice") is None
        yardstick = ("soffice absent: the ≥ 8× LibreOffice yardstick skipped" if absent
                     else "LibreOffice not measured in this run (the excel group)")
        print_verdict = _verdict(printed, 450)
    else:
        yardstick = f"LibreOffice {_seconds(office)} ({office / printed:.1f}×)" if printed else f"LibreOffice {_seconds(office)}"
        print_verdict = _verdict(printed, min(450, office / 8))
    result.append(("whole seed-004 document, print process", _seconds(printed), yardstick, "≤ 0.45 s, ≥ 8× LibreOffice",
                   print_verdict))
    imported = figures.get(IMPORTED, {}).get("value")
    import_ms = get(IMPORT_TIME)
    count = int(imported) if imported is not None else None
    aim_ms = 15_000 * (count or 500) / 500
    result.append((f"{count if count is not None else '?'} submitted packages imported and checked, SQLite",
                   _seconds(import_ms), "–", f"≤ {aim_ms / 1000:.1f} s (15 s per 500)",
                   "NOT met: none imported" if count == 0 else _verdict(import_ms, aim_ms)))
    for label, name, aim in (("汇总 (consolidate --json, process)", CONSOLIDATE, 1000.0),
                             ("进度 (dashboard --year, process)", DASHBOARD, 1500.0),
                             ("筛查 (screen --year, process)", SCREEN, 1500.0)):
        value = get(name)
        result.append((f"{label} of {count if count is not None else '?'} units", _seconds(value), "–",
                       f"≤ {aim / 1000:.1f} s", _verdict(value, aim)))
    return result


def _ms(figures: dict, name: str) -> float | None:
    entry = figures.get(name)
    if entry is None:
        return None
    if "median_ms" in entry:
        return entry["median_ms"]
    return entry["value"] * 1000 if entry.get("unit") == "s" else None


def print_table(figures: dict | None = None) -> None:
    print("\nissue 26, figure by figure against its aim (this run; medians):")
    for what, measured, yardstick, aim, verdict in rows(figures):
        print(f"  {what:<52} {measured:<28} {yardstick:<40} aim {aim:<28} {verdict}")
