"""The bureau window's benchmark (``python -m bench bureau``) run tiny: it builds the units, opens the window,
imports one more package through it and prints exactly its two lines (the bench itself refuses to print them
unless the list showed every unit built, and one more after the import)."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST = re.compile(r"^bureau window: 6 units, start to list \d+\.\d\d s, refresh after import \d+\.\d\d s, "
                   r"longest stall \d+\.\d\d s$")
SECOND = re.compile(r"^bureau window: 进度 \d+\.\d\d s, 筛查 \d+\.\d\d s$")


def test_the_bureau_bench_prints_its_two_lines():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "bench", "bureau", "--units", "6"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("bureau window: ") and " s" in line]
    figures = [line for line in lines if "built" not in line]
    assert len(figures) == 2, result.stdout
    assert FIRST.match(figures[0]) and SECOND.match(figures[1]), figures
