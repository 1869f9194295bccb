"""Every benchmark group run at a tiny size (``python -m bench --tiny GROUP``), so a bench cannot rot unseen:
each must finish, write its figures to JSON, and have measured something. The bureau window's bench has its
own tiny run (tests/test_bench_bureau.py). A package bench that imports nothing fails instead of printing
figures of nothing; ``--compare`` prints each figure against an older run's."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import aims, packages
from bench.measure import SEED004, BenchFailure, report, timed

ROOT = Path(__file__).resolve().parent.parent
SMOKED = ("startup", "core", "rules", "printing", "input", "excel", "packages", "gui", "longwork")


def run_bench(*arguments: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "bench", *arguments], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, check=False)


@pytest.mark.parametrize("group", SMOKED)
def test_each_bench_measures_something_at_a_tiny_size(group, tmp_path):
    out = tmp_path / "bench.json"
    result = run_bench("--tiny", "--json", str(out), group)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["tiny"] is True
    figures = {name: entry for name, entry in written["figures"].items() if entry["group"] == group}
    assert figures, result.stdout[-2000:]
    for name, entry in figures.items():
        measured = entry.get("median_ms", entry.get("value"))
        assert measured is not None and measured >= 0, name
    assert any(entry.get("median_ms", entry.get("value")) > 0 for entry in figures.values())
    if group == "packages":
        assert figures["packages on SQLite: imported and checked"]["value"] == 2  # both tiny packages taken in
        for command in ("consolidate --json", "dashboard --year", "screen --year"):
            assert figures[f"packages on SQLite: {command} (process)"]["median_ms"] > 0
    if group == "startup":
        lines = {what: (measured, verdict) for what, measured, _yard, _aim, verdict in aims.rows(written["figures"])}
        measured, verdict = lines["GUI to its first painted window, seed 004"]
        assert measured.endswith(" s") or "(CPU" in measured
        assert verdict in ("met", "NOT met", "met by CPU time (wall waits on a busy machine)")
        compared = run_bench("--compare", str(out), "--against", str(out))
        assert compared.returncode == 0, compared.stderr
        assert "start-up (source): budgetdesk check, seed 004 (wall)" in compared.stdout
        assert "1.00×" in compared.stdout


def test_a_package_bench_that_imports_nothing_fails(tmp_path, monkeypatch):
    # packages marked 已上报 without the 说明 a real submission carries: the intake refuses every one
    monkeypatch.setattr(packages, "_explained", lambda document, known: document)
    with pytest.raises(BenchFailure, match="0 of 1 imported"):
        packages.run(tmp_path, report, timed, SEED004, count=1)
