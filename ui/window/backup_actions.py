"""The 备份与恢复… action (for the 文件 menu; until the menu bar exists it sits on the toolbar)."""

from __future__ import annotations

from PySide6.QtGui import QAction

from ui.window.backup_dialog import open_backup_dialog


def add_backup_actions(window, menu) -> QAction:
    """Add 备份与恢复… to ``menu`` (a QMenu or QToolBar); it opens the dialog on ``window.store``."""
    action = menu.addAction("备份与恢复…")
    action.setObjectName("backup_restore")
    action.setToolTip("查看备份、立即备份，或从备份恢复数据库")
    action.triggered.connect(lambda: open_backup_dialog(window, window.store))
    return action
