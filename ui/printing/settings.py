"""设置…: the app-wide information dialog — the print font in use and where the data lives."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy.engine import URL

from app.printing import font_status


def settings_text(store) -> str:
    """What 设置… shows: the print font in use and where the data lives (never the password)."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        location = f"本机 SQLite 数据库文件：{url.database or '（内存）'}"
    else:
        # rebuilt without the password (URL.set treats None as "keep")
        safe = URL.create(url.drivername, url.username, None, url.host, url.port, url.database, url.query)
        location = f"数据库服务器：{safe.render_as_string(hide_password=False)}"
    return (f"打印字体：{font_status()}\n\n"
            f"如需使用其他字体，可设置环境变量 BUDGETDESK_PRINT_FONT 为字体文件路径后重新启动。\n\n"
            f"{location}")


def show_settings(store, parent: QWidget | None = None) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "设置", settings_text(store), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("settings_dialog")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()
