"""Starting the desktop application."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, QEventLoop, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app.base.errors import BudgetDeskError
from app.base.faults import CorruptDatabaseError, DatabaseBusyError
from app.base.paths import resource
from app.store import backup
from app.store.backup import backup_on_open
from app.store.service import Store
from app.system.font_files import SHIPPED_FAMILY, font_files_in, restricted_font_dirs, shipped_font_path
from app.system.logsetup import setup_logging
from db.engine import sqlite_path
from ui.common.error_dialog import (
    ErrorDialog,
    format_details,
    install_exception_hooks,
    show_error,
    show_message,
)
from ui.common.single_instance import (
    BUSY_MESSAGE,
    Handover,
    InstanceServer,
    bring_forward,
    hand_over,
    instance_name,
)
from ui.common.style import set_role
from ui.common.support_actions import run_selftest_gui
from ui.window.backup_dialog import DailyBackup
from ui.window.main_window import MainWindow
from ui.window.package_actions import import_package_gui

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing or QApplication(argv or sys.argv[:1])
    QCoreApplication.setOrganizationName("BudgetDesk")
    QCoreApplication.setApplicationName("BudgetDesk")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_qt_translations(app)
    if existing is None:
        install_interface_font(app)
        icon = resource("icons", "budgetdesk.png")
        if icon.exists():
            app.setWindowIcon(QIcon(str(icon)))
        if sys.platform.startswith("linux"):
            app.setDesktopFileName("budgetdesk")  # the .desktop entry the .deb installs
    return app


def system_chinese_families() -> list[str]:
    """Font families of the system that write Simplified Chinese. Under BUDGETDESK_FONT_DIRS the
    system's fonts are only the files in those folders (see app.system.font_files)."""
    folders = restricted_font_dirs()
    if folders is None:
        families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    else:
        families = []
        for path in font_files_in(folders):
            font_id = QFontDatabase.addApplicationFont(str(path))
            families += [family for family in QFontDatabase.applicationFontFamilies(font_id)
                         if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)]
    return families


def install_interface_font(app: QApplication) -> str | None:
    """Chinese for the interface: the system's own font where it has one (nothing changes), else the
    shipped AR PL UMing CN becomes the application font, so a machine without any Chinese font
    shows text, not boxes. Returns the family Chinese text is drawn in (None: no font at all)."""
    if getattr(app, "_budgetdesk_font_id", None) is not None:
        return SHIPPED_FAMILY  # already installed (the shipped face now counts among the families)
    families = system_chinese_families()
    if families:
        log.info("interface font: the system's (%s)", families[0])
        return families[0]
    font_id = QFontDatabase.addApplicationFont(str(shipped_font_path()))
    if font_id < 0:
        log.error("no Chinese font on this system and the shipped font %s could not be loaded", shipped_font_path())
        return None
    app._budgetdesk_font_id = font_id  # so a test can take it away again
    font = QFont(app.font())
    font.setFamilies([SHIPPED_FAMILY])
    app.setFont(font)
    log.info("interface font: the shipped %s (no Chinese font on this system)", SHIPPED_FAMILY)
    return SHIPPED_FAMILY


# Strings the shipped qtbase_zh_CN leaves in English (context, source) → Chinese.
MISSING_QT_STRINGS = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
}


class MissingQtStrings(QTranslator):
    """Consulted after qtbase_zh_CN, only for the few strings it does not translate."""

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D401 - Qt override
        return MISSING_QT_STRINGS.get((context, source_text), "")

    def isEmpty(self) -> bool:  # noqa: N802
        return False


def install_qt_translations(app: QApplication) -> bool:
    """Qt's own strings (确定/取消, 是/否, the file dialog) in Chinese: qtbase_zh_CN ships with PySide6."""
    if getattr(app, "_budgetdesk_translator", None) is not None:
        return True
    fallback = MissingQtStrings(app)
    app.installTranslator(fallback)  # installed first, so asked last
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded = translator.load("qtbase_zh_CN", folder)
    if loaded:
        app.installTranslator(translator)
    app._budgetdesk_translator = (translator, fallback)  # kept alive with the application
    return loaded


READ_ONLY_NOTE = "数据库以只读方式打开（只读介质、没有写权限或使用了 --read-only）：可以查看、审核、打印和导出，不能修改。"


def open_store(db: str | None, read_only: bool | None = None):
    """Open the database at start; a fault becomes a dialog (locked: 重试; damaged: restore the newest
    good backup), never a vanished window. Returns the Store, or None when it cannot be opened."""
    while True:
        try:
            return Store(db, read_only=read_only)
        except DatabaseBusyError as exc:
            if not show_error(None, exc, retry=True):
                return None
        except CorruptDatabaseError as exc:
            return _offer_restore(db, read_only, exc)
        except BudgetDeskError as exc:
            show_error(None, exc)
            return None


def _offer_restore(db, read_only, exc):
    path = sqlite_path(db)
    try:
        good = backup.find_backup(path, None) if path is not None else None
    except BudgetDeskError:
        good = None
    log.error("database %s is damaged: %s", path, exc)
    if good is None:
        show_error(None, exc)
        return None
    message = (f"{exc}\n\n最新的完好备份是 {good.time:%Y-%m-%d %H:%M:%S}（{good.reason_text}）。"
               "是否用它恢复？损坏的文件会改名保留在原文件夹中。")
    dialog = ErrorDialog(None, "数据库已损坏", message, details=format_details(exc), extra_button="恢复最新备份")
    dialog.exec()
    if dialog.choice != "extra":
        return None
    try:
        info, aside = backup.restore_over_corrupt(path, good.name)
        store = Store(db, read_only=read_only)
        backup.record_restore(store, info)
    except BudgetDeskError as error:
        show_error(None, error)
        return None
    QMessageBox.information(None, "已恢复", f"已从 {info.time:%Y-%m-%d %H:%M:%S} 的备份恢复。损坏的文件已改名为：{aside}")
    return store


def start_window(store):
    """The main window on an opened store, with the backup on open and the daily backup timer."""
    backup_on_open(store)
    window = MainWindow(store)
    window.daily_backup = DailyBackup(store, window)
    if store.read_only:
        label = QLabel("只读", window)
        label.setObjectName("read_only_flag")
        label.setToolTip(READ_ONLY_NOTE)
        set_role(label, "counts-error")  # red and bold, like the 错误 count beside it
        window.statusBar().addPermanentWidget(label)
        QMessageBox.information(window, "只读打开", READ_ONLY_NOTE)
    return window


def run_gui(db: str | None = None, read_only: bool | None = None, exit_after_show: bool = False,
            open_file: str | None = None, bureau: bool = False, selftest: bool = False) -> int:
    """Open the main window on the last dataset, or with ``bureau`` the 财政局 window; when that window
    already runs for this user and database, hand it ``open_file`` and return 0 (ui/common/single_instance.py).
    ``exit_after_show`` (start-up benchmark): quit once the first window has been shown and painted.
    ``open_file``: a data package double-clicked on the desktop, opened for import once the window is up.
    ``selftest``: only the self-test, its steps in a window (the Linux menu entry 部门预算填报 自检); the
    user's database is not opened; 0 when every step worked."""
    setup_logging()
    app = make_application()
    install_exception_hooks()
    if selftest:
        return _selftest_alone()
    instance = None
    if not exit_after_show:  # the start-up benchmark measures a plain start
        name = instance_name(db, bureau)
        handed = hand_over(name, open_file)
        if handed is Handover.HANDED:
            return 0  # the running window has the file (or just comes to the front)
        if handed is Handover.BUSY:
            show_message(None, "程序已在运行", BUSY_MESSAGE)
            return 1
        instance = InstanceServer(name, app)
        instance.listen()
    store = open_store(db, read_only)
    if store is None:
        return 1
    if bureau:
        # deferred: the 财政局 window (and reportlab, the bureau's modules behind it) is not the clerk's first window
        from ui.bureau.window import BureauWindow

        window = BureauWindow(store)
        window.show()
        _serve(instance, window, bureau=True)
        if open_file:
            QTimer.singleShot(0, lambda: window.import_file(open_file))
        return app.exec()
    window = start_window(store)
    window.show()
    _serve(instance, window, bureau=False)
    if exit_after_show:
        app.processEvents()  # the expose and paint of the first window
        window.close()
        store.close()
        return 0
    if open_file:
        QTimer.singleShot(0, lambda: import_package_gui(window, open_file))
    return app.exec()


def _serve(instance, window, *, bureau: bool) -> None:
    if instance is not None:
        serve_window(instance, window, bureau=bureau)


def serve_window(server: InstanceServer, window, bureau: bool = False) -> None:
    """What a second launch asks of this window: come forward, and open its file as a double-click would."""

    def requested(path: str) -> None:
        bring_forward(window)
        if not path:
            return
        if bureau:
            window.import_file(path)
        else:
            import_package_gui(window, path)

    server.requested.connect(requested)
    server.served = True
    for path in server.pending:
        QTimer.singleShot(0, lambda path=path: requested(path))
    server.pending.clear()


def _selftest_alone() -> int:
    """自检 with no main window: the progress box, then the steps; the program ends when that is closed."""
    outcome = {"code": 1}
    loop = QEventLoop()  # its own loop: ends with the dialog, leaves the application's alone

    def shown(dialog) -> None:
        outcome["code"] = 0 if dialog.passed else 1
        dialog.finished.connect(lambda _result: loop.quit())

    job = run_selftest_gui(None, on_shown=shown)
    job.finished.connect(lambda: None if job.outcome == "done" else loop.quit())  # cancelled or failed
    loop.exec()
    return outcome["code"]
