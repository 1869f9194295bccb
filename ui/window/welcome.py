"""The first page a clerk sees before any budget is open: four ways to begin.

新建单位预算 and 打开示例数据 always work. 从数据包导入 and 从 Excel 导入 call into
``ui.window.package_actions`` / ``ui.window.excel_actions`` when this build has them (``import_package(window)`` /
``import_workbook(window)``; a double-clicked .bdp goes to ``open_package(window, path)``); otherwise their buttons are shown disabled, with a tooltip saying so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.base.errors import BudgetDeskError
from app.cli.selftest import SAMPLE_UNIT, SAMPLE_YEAR, sample_path
from app.exchange.interchange import import_file
from ui.window import excel_actions, package_actions  # looked up at each click (tests replace them)

# (object name, button text, explanation, optional module, its function)
CHOICES = (
    ("welcome_new", "新建单位预算", "填写单位信息和预算年度，从空白表格开始编制。"),
    ("welcome_sample", "打开示例数据",
     "载入秦皇岛经济技术开发区融媒体中心 2023 年部门预算（已公开的完整数据），先熟悉填报、审核和打印。"),
    ("welcome_package", "从数据包导入", "打开财政局或上级单位发来的数据包（.bdp）。"),
    ("welcome_excel", "从 Excel 导入", "读取按官方表样填写的 Excel 工作簿。"),
)


def _import_package(window) -> None:
    package_actions.import_package_gui(window)


def _import_excel(window) -> None:
    excel_actions.import_excel(window)


def open_sample(window) -> bool:
    """Import the bundled seed-004 sample (once; later clicks just open it) and show it."""
    store = window.store
    try:
        if not any(info.unit_code == SAMPLE_UNIT and info.year == SAMPLE_YEAR for info in store.list_datasets()):
            import_file(store, sample_path())
        window.open_dataset(SAMPLE_UNIT, SAMPLE_YEAR)
    except BudgetDeskError as exc:
        QMessageBox.warning(window, "无法打开示例数据", str(exc))
        return False
    return True


def open_file(window, path: str) -> bool:
    """A file handed over by the desktop (double-click on a .bdp): the data-package import opens it."""
    package_actions.import_package_gui(window, path)
    return True


class WelcomePage(QWidget):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("welcome")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        title = QLabel("欢迎使用 部门预算填报", self)
        title.setObjectName("welcome_title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 22px; font-weight: bold; color: #1d5fa6;")
        outer.addWidget(title)
        subtitle = QLabel("录入 → 审核 → 说明 → 打印签字 → 上报。按 F1 查看使用帮助。", self)
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle.setStyleSheet("color: #52606d; margin-bottom: 18px;")
        outer.addWidget(subtitle)

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(16)
        self.buttons: dict[str, QPushButton] = {}
        actions = {"welcome_new": window.new_dataset, "welcome_sample": lambda: open_sample(window),
                   "welcome_package": lambda: _import_package(window), "welcome_excel": lambda: _import_excel(window)}
        for index, (name, text, explanation) in enumerate(CHOICES):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setMinimumSize(220, 54)
            button.setStyleSheet("font-size: 16px;")
            label = QLabel(explanation, self)
            label.setWordWrap(True)
            label.setMinimumWidth(360)
            button.clicked.connect(actions[name])
            button.setToolTip(explanation)
            self.buttons[name] = button
            grid.addWidget(button, index, 0)
            grid.addWidget(label, index, 1)
        row = QWidget(self)
        row.setLayout(grid)
        outer.addWidget(row, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
