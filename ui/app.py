"""Starting the desktop application."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import BudgetDeskError


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    QCoreApplication.setOrganizationName("BudgetDesk")
    QCoreApplication.setApplicationName("BudgetDesk")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_qt_translations(app)
    return app


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


def run_gui(db: str | None = None) -> int:
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
    return app.exec()
