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


PREPARE = """
import sys
from PySide6.QtCore import QSettings
from app.exchange.interchange import import_file
from app.store.service import Store
from ui.app import make_application
make_application()
store = Store(sys.argv[1])
import_file(store, sys.argv[2])
QSettings().setValue("main/last_dataset", "359|2023")
QSettings().sync()
store.close()
"""
# What the window on the last dataset does not show: printing (reportlab), the schema of files
# (jsonschema), the 财政局 window and its intake. Each is loaded when its action is first used.
NOT_FOR_THE_FIRST_PAINT = DEFERRED + ("reportlab", "jsonschema", "ui.bureau.window", "app.bureau.intake",
                                      "app.printing.document")
SEEDED = SCRIPT.replace(repr(DEFERRED), repr(NOT_FOR_THE_FIRST_PAINT)).replace(
    'print("window:", window.isVisible())',
    'print("window:", window.isVisible(), window.counts_label.text(), window.tabs.currentWidget().objectName())')


def test_the_first_window_on_the_last_dataset_loads_only_what_it_paints(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), BUDGETDESK_LOG_DIR=str(tmp_path / "log"))
    database = str(tmp_path / "seed.sqlite3")
    prepared = subprocess.run([sys.executable, "-c", PREPARE, database, str(ROOT / "tests/fixtures/seed004_2023.json")],
                              capture_output=True, text=True, timeout=300, cwd=str(ROOT), env=env)
    assert prepared.returncode == 0, prepared.stderr[-2000:]
    result = subprocess.run([sys.executable, "-c", SEEDED, database], capture_output=True, text=True, timeout=300,
                            cwd=str(ROOT), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert "window: True 错误 0　提示 28 tab_income_summary" in lines  # the last dataset, its 审核 summary
    loaded = next(line for line in lines if line.startswith("loaded:"))
    assert loaded == "loaded: "
