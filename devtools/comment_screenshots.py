"""Screenshots of 批注: a commented cell with its tooltip shown by a real mouse hover, the clerk's 批注
list, and the bureau's view with an answered comment. Run on a display (``DISPLAY=:N python -m
devtools.comment_screenshots OUT``): the whole screen is grabbed, so the tooltip window is in the picture."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from app.bureau import comments as cm
from app.checks.rules import check_dataset, set_explanation
from app.exchange.interchange import import_file
from app.store.service import Store
from ui.app import make_application
from ui.bureau.window import FormsDialog
from ui.editor.comments_panel import import_return_gui
from ui.window.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
SEED004 = ROOT / "tests" / "fixtures" / "seed004_2023.json"
CELL = ("general_budget_basic_expenditure", "30101", "personnel")


def _wait(app, rounds: int = 30) -> None:
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.03)


def take_comment_screenshots(out_dir: Path) -> list[Path]:
    app = make_application()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["BUDGETDESK_KEY_DIR"] = str(Path(workdir) / "keys")
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, workdir)
        families = QFontDatabase.families()
        for family in ("WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei"):
            if family in families:
                font = app.font()
                font.setFamily(family)
                app.setFont(font)
                break
        bureau = Store(str(Path(workdir) / "bureau.sqlite3"))
        import_file(bureau, SEED004)
        cm.add_comment(bureau, "359", 2023, kind="cell", form=CELL[0], row=CELL[1], column=CELL[2],
                       text="工资福利支出比上年增长 12%，请核实人员编制变动。", follow_up=True)
        cm.add_comment(bureau, "359", 2023, kind="cell", form=CELL[0], row="30107", column="personnel",
                       text="绩效工资请按文件标准测算。")
        cm.add_comment(bureau, "359", 2023, kind="project", project="报刊机构合作宣传费", text="请补充项目立项依据。")
        cm.add_comment(bureau, "359", 2023, kind="indicator", project="报刊机构合作宣传费", indicator="发布报道数量",
                       text="指标值偏低，请与上年对比。", side="主管部门")
        path = cm.write_return(bureau, "359", 2023, "工资福利支出需核实", Path(workdir) / "359_2023_退回.bdr").path

        store = Store(str(Path(workdir) / "clerk.sqlite3"))
        dataset = import_file(store, SEED004)
        for finding in check_dataset(dataset):
            if finding.severity == "warning":
                set_explanation(dataset, finding.key, "已核实。")
        dataset.set_status("submitted")
        window = MainWindow(store)
        window.resize(1440, 900)
        window.move(0, 0)
        window.show()
        window.open_dataset("359", 2023)
        import_return_gui(window, str(path), report=lambda *_args: None)
        dock = window.comments_dock
        dock.list.setCurrentItem(dock.list.topLevelItem(1))
        dock.answer("绩效工资已按文件重新测算。")
        window.resizeDocks([dock], [260], Qt.Orientation.Vertical)
        dock.list.setCurrentItem(dock.list.topLevelItem(0))
        dock.locate()
        _wait(app)
        tab = window.form_tabs[CELL[0]]
        index = tab.model.locate(CELL[1], CELL[2])
        rect = tab.table.visualRect(index)
        point = rect.center()
        QTest.mouseMove(tab.table.viewport(), QPoint(point.x(), point.y()))
        _wait(app, 20)
        QToolTip.showText(tab.table.viewport().mapToGlobal(point), index.data(3), tab.table.viewport(), rect)
        _wait(app, 40)
        shot = out_dir / "comments_01_cell_tooltip_and_list.png"
        QGuiApplication.primaryScreen().grabWindow(0).save(str(shot))
        written.append(shot)
        QToolTip.hideText()
        dock.list.setCurrentItem(dock.list.topLevelItem(1))
        dock.locate()  # the project comment: the project list shows its mark
        _wait(app)
        projects = window.projects_tab.list
        rect = projects.visualItemRect(projects.currentItem())
        QToolTip.showText(projects.viewport().mapToGlobal(rect.center()), projects.currentItem().toolTip(),
                          projects.viewport(), rect)
        _wait(app, 40)
        shot = out_dir / "comments_03_project_mark.png"
        QGuiApplication.primaryScreen().grabWindow(0).save(str(shot))
        written.append(shot)
        QToolTip.hideText()

        # the bureau's view after the answers came back
        cm.answer_comment(bureau, cm.list_comments(bureau, "359", 2023)[0].uuid, "编制调整，已按人员变动核减。",
                          fixed=True)
        dialog = FormsDialog(bureau.open_dataset("359", 2023), "359 秦皇岛经济技术开发区融媒体中心（已上报，只读）")
        dialog.resize(1300, 860)
        dialog.move(0, 0)
        dialog.show()
        table = dialog.comments.table_for(CELL[0])
        dialog.view.tabs.setCurrentWidget(table)
        table.setCurrentCell(*dialog.comments.position(*CELL))
        _wait(app)
        shot = out_dir / "comments_02_bureau_view.png"
        QGuiApplication.primaryScreen().grabWindow(0).save(str(shot))
        written.append(shot)
        dialog.close()
        window.close()
        store.close()
        bureau.close()
    return written


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    for path in take_comment_screenshots(out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
