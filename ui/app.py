"""Starting the desktop application."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import BudgetDeskError
from app.paths import resource


def _install_qt_translation(app: QApplication) -> None:
    """Qt's own words (确定/取消, the file and print dialogs) in Chinese; the frozen build ships only this one."""
    translator = QTranslator(app)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_",
                       QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing or QApplication(argv or sys.argv[:1])
    QCoreApplication.setOrganizationName("BudgetDesk")
    QCoreApplication.setApplicationName("BudgetDesk")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if existing is None:
        _install_qt_translation(app)
        icon = resource("icons", "budgetdesk.png")
        if icon.exists():
            app.setWindowIcon(QIcon(str(icon)))
        if sys.platform.startswith("linux"):
            app.setDesktopFileName("budgetdesk")  # the .desktop entry the .deb installs
    return app


def run_gui(db: str | None = None, exit_after_show: bool = False, open_file: str | None = None) -> int:
    """Open the main window on the last dataset. ``exit_after_show`` (start-up benchmark): quit once
    the first window has been shown and painted. ``open_file``: a data package double-clicked on the
    desktop, opened once the window is up."""
    from app.service import Store
    from ui.main_window import MainWindow

    app = make_application()
    try:
        store = Store(db)
    except BudgetDeskError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 2
    window = MainWindow(store)
    window.show()
    if exit_after_show:
        app.processEvents()  # the expose and paint of the first window
        window.close()
        store.close()
        return 0
    if open_file:
        from PySide6.QtCore import QTimer

        from ui.welcome import open_file as open_in_window

        QTimer.singleShot(0, lambda: open_in_window(window, open_file))
    return app.exec()
