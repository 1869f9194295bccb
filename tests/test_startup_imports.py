"""The clerk's first window loads only what it shows: openpyxl (Excel export and import), pypdfium2 and
QtPrintSupport (打印预览) load when first used. openpyxl alone, with numpy and lxml behind it, cost every
start a good share of its time before the Excel actions deferred it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFERRED = ("openpyxl", "pypdfium2", "PySide6.QtPrintSupport")
SCRIPT = f"""
import sys
from app.store.service import Store
from ui.app import make_application, start_window
app = make_application()
store = Store(sys.argv[1])
window = start_window(store)
window.show()
app.processEvents()
print("window:", window.isVisible())
print("loaded:", ",".join(name for name in {DEFERRED!r} if name in sys.modules))
window.close()
store.close()
"""


def test_the_first_window_leaves_excel_and_printing_libraries_unloaded(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), BUDGETDESK_LOG_DIR=str(tmp_path / "log"))
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "start.sqlite3")], capture_output=True,
                            text=True, timeout=300, cwd=str(ROOT), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert "window: True" in lines  # the window really opened
    loaded = next(line for line in lines if line.startswith("loaded:"))
    assert loaded == "loaded: "  # and none of the deferred libraries came with it
