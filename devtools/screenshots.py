"""``make screenshots``: a PNG of every tab with the seed-004 fixture loaded (offscreen)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontDatabase, QPainter, QPixmap
from PySide6.QtWidgets import QFileDialog

from app.exchange.interchange import import_file
from app.store.service import Store
from devtools.bureau_screenshots import take_bureau_screenshots
from ui.app import make_application
from ui.common.help_dialog import HelpDialog
from ui.printing.dialog import PROJECT_PREFIX, PrintDialog
from ui.window.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
SEED004 = ROOT / "tests" / "fixtures" / "seed004_2023.json"


def take_screenshots(out_dir: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    app = make_application()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as workdir:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, workdir)
        families = QFontDatabase.families()
        for family in ("WenQuanYi Zen Hei", "Microsoft YaHei", "SimSun", "AR PL UMing CN", "Noto Sans CJK SC"):
            if family in families:
                font = app.font()
                font.setFamily(family)
                app.setFont(font)
                break
        written += _welcome_and_help_shots(app, Path(workdir), out_dir)
        store = Store(str(Path(workdir) / "shots.sqlite3"))
        import_file(store, SEED004)
        window = MainWindow(store)
        window.resize(1440, 900)
        window.open_dataset("359", 2023)
        window.show()
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            app.processEvents()
            path = out_dir / f"{index + 1:02d}_{window.tabs.currentWidget().objectName()}.png"
            window.grab().save(str(path))
            written.append(path)
        written.append(_print_dialog_shot(app, window, out_dir))
        written.append(_menu_shot(app, window, out_dir))
        written.append(_file_dialog_shot(app, window, out_dir))
        written += take_bureau_screenshots(app, Path(workdir), out_dir, len(written) + 1)  # numbered after the rest
        window.close()
        store.close()
    return written


def _welcome_and_help_shots(app, workdir: Path, out_dir: Path) -> list[Path]:
    """The first run (empty database): the welcome page, and 帮助 (F1) open on its first screen."""
    store = Store(str(workdir / "first_run.sqlite3"))
    window = MainWindow(store)
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    welcome_path = out_dir / "00_welcome.png"
    window.grab().save(str(welcome_path))
    dialog = HelpDialog(window)
    dialog.show()
    app.processEvents()
    help_path = out_dir / "00_help.png"
    dialog.grab().save(str(help_path))
    dialog.close()
    window.close()
    store.close()
    return [welcome_path, help_path]


def _print_dialog_shot(app, window, out_dir: Path) -> Path:
    """The print dialog previewing one project's 绩效目标表 (the last choice group)."""
    dialog = PrintDialog(window.controller, window)
    dialog.resize(1440, 900)
    dialog.show()
    project = next(key for key in dialog.choices if key.startswith(PROJECT_PREFIX))
    dialog.choice_item(project).setCheckState(Qt.CheckState.Checked)
    dialog.refresh_preview()
    while dialog.preview_job is not None or dialog._refresh_timer.isActive():  # rendered in a worker
        app.processEvents()
        time.sleep(0.01)
    for _ in range(50):  # the preview rasterises its visible pages in the event loop
        app.processEvents()
    path = out_dir / f"{window.tabs.count() + 1:02d}_print_dialog_project.png"
    dialog.grab().save(str(path))
    dialog.reject()
    return path


def _menu_shot(app, window, out_dir: Path) -> Path:
    """The main window with its 文件 menu open (the menu bar and its shortcuts)."""
    window.tabs.setCurrentWidget(window.form_tabs["expenditure_summary"])
    app.processEvents()
    base = window.grab()
    menu = window.edit_menu
    menu.popup(window.menuBar().mapToGlobal(window.menuBar().actionGeometry(menu.menuAction()).bottomLeft()))
    app.processEvents()
    shot = QPixmap(base)
    painter = QPainter(shot)
    painter.drawPixmap(window.menuBar().actionGeometry(menu.menuAction()).bottomLeft(), menu.grab())
    painter.end()
    menu.hide()
    path = out_dir / f"{window.tabs.count() + 2:02d}_menu_bar_edit.png"
    shot.save(str(path))
    return path


def _file_dialog_shot(app, window, out_dir: Path) -> Path:
    """Qt's own file dialog (non-native) in Chinese: qtbase_zh_CN is loaded."""
    dialog = QFileDialog(window, "导出 PDF", str(out_dir), "PDF 文件 (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.resize(900, 560)
    dialog.show()
    for _ in range(20):
        app.processEvents()
    path = out_dir / f"{window.tabs.count() + 3:02d}_file_dialog.png"
    dialog.grab().save(str(path))
    dialog.reject()
    return path


def main() -> int:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "screenshots"
    for path in take_screenshots(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
