"""Starting the desktop application."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import BudgetDeskError


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    QCoreApplication.setOrganizationName("BudgetDesk")
    QCoreApplication.setApplicationName("BudgetDesk")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    return app


def run_gui(db: str | None = None, *, bureau: bool = False, package: str | None = None) -> int:
    """The main window; ``bureau``: 财政局 mode; ``package``: a double-clicked .bdp, opened for import."""
    from app.service import Store
    from ui.main_window import MainWindow

    app = make_application()
    try:
        store = Store(db)
    except BudgetDeskError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 2
    if bureau:
        from ui.bureau_window import BureauWindow

        window = BureauWindow(store)
        window.show()
        if package:
            window.import_file(package)
        return app.exec()
    window = MainWindow(store)
    window.show()
    if package:
        from ui.package_actions import import_package_gui

        import_package_gui(window, package)
    return app.exec()
