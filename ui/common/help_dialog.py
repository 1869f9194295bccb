"""帮助 (F1): a few screens on the workflow 录入 → 审核 → 说明 → 打印签字 → 上报, and 关于.

The screens are shipped as ``resources/help/NN_*.html`` (Chinese), read in file-name order; the
first ``<h2>`` of each is its title in the list. The main window's 帮助 menu calls ``show_help``
(使用帮助, F1) and ``show_about`` (关于).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.base.paths import resource
from app.system.logsetup import log_dir  # the folder the log is really written to (BUDGETDESK_LOG_DIR too)


def help_pages() -> list[tuple[str, str]]:
    """(title, html) of every help screen, in order."""
    pages = []
    for path in sorted(Path(resource("help")).glob("*.html")):
        html = path.read_text(encoding="utf-8")
        match = re.search(r"<h2>(.*?)</h2>", html)
        pages.append((re.sub(r"<[^>]+>", "", match.group(1)) if match else path.stem, html))
    return pages


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("help_dialog")
        self.setWindowTitle("使用帮助 — 部门预算填报")
        self.pages = help_pages()
        layout = QVBoxLayout(self)
        body = QHBoxLayout()
        self.index = QListWidget(self)
        self.index.setObjectName("help_index")
        self.index.setFixedWidth(170)
        for title, _html in self.pages:
            self.index.addItem(title)
        self.text = QTextBrowser(self)
        self.text.setObjectName("help_text")
        self.text.setOpenExternalLinks(False)
        body.addWidget(self.index)
        body.addWidget(self.text, 1)
        layout.addLayout(body, 1)
        buttons = QDialogButtonBox(self)
        self.previous_button = QPushButton("上一步", self)
        self.next_button = QPushButton("下一步", self)
        buttons.addButton(self.previous_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.next_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.index.currentRowChanged.connect(self.show_page)
        self.previous_button.clicked.connect(lambda: self.index.setCurrentRow(self.index.currentRow() - 1))
        self.next_button.clicked.connect(lambda: self.index.setCurrentRow(self.index.currentRow() + 1))
        self.resize(760, 480)
        self.index.setCurrentRow(0)

    def show_page(self, row: int) -> None:
        if not 0 <= row < len(self.pages):
            return
        self.text.setHtml(self.pages[row][1])
        self.previous_button.setEnabled(row > 0)
        self.next_button.setEnabled(row < len(self.pages) - 1)


def show_help(parent: QWidget | None = None) -> HelpDialog:
    dialog = HelpDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()  # not modal: the clerk can keep it open beside the tables
    return dialog


def data_location(store) -> str:
    """Where the data lives: the SQLite file, or the server address without its password."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database).resolve()) if url.database else "（内存数据库）"
    return url.render_as_string(hide_password=True)


def log_location() -> str:
    return str(log_dir())


def about_text(store) -> str:
    return (f"<h3>部门预算填报 BudgetDesk {__version__}</h3>"
            "<p>部门预算和绩效目标的编制、审核、打印和上报。</p>"
            f"<p><b>数据位置：</b>{data_location(store)}</p>"
            f"<p><b>日志位置：</b>{log_location()}</p>"
            "<p>卸载程序不会删除数据；换电脑时请先导出数据文件。</p>")


def show_about(parent: QWidget | None, store) -> None:
    QMessageBox.about(parent, "关于 部门预算填报", about_text(store))
