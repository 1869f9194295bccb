"""新建下一年度 and 单位情况与上年数: GUI doors to ``app.exchange.year_cycle.new_year`` and ``ui.editor.profile_dialog``
(the window adds them with one line)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from app.exchange.year_cycle import new_year
from ui.common.jobs import run_job
from ui.editor.profile_dialog import ProfileDialog


def start_next_year(window):
    """Ask, roll the open year over to the next (in the job helper) and open it. Returns the job, or None
    when nothing was started."""
    dataset = window.dataset
    if dataset is None:
        QMessageBox.information(window, "新建下一年度", "请先打开一个单位的预算年度。")
        return None
    code, year = dataset.unit_code, dataset.year
    answer = QMessageBox.question(
        window, "新建下一年度",
        f"以 {year} 年度为基础建立 {code} {dataset.unit.name} 的 {year + 1} 年度预算？\n"
        "将带入单位情况、在用的科目行、经常性和延续性项目及其绩效指标（金额清空），"
        f"{year} 年度的收支、基本、项目和“三公”数作为上年数。")
    if answer != QMessageBox.StandardButton.Yes:
        return None

    def done(result) -> None:
        window.refresh_chooser()
        window.open_dataset(code, year + 1)
        QMessageBox.information(window, "新建下一年度", result.summary)

    # a refusal (the year exists …) is the helper's Chinese message box, after its progress box has closed
    window.year_job = run_job(window, "新建下一年度", lambda _progress: new_year(window.store, code, year, year + 1), done)
    return window.year_job


def edit_profile(window) -> bool:
    """单位情况与上年数… for the open year; True when saved."""
    if window.dataset is None:
        QMessageBox.information(window, "单位情况与上年数", "请先打开一个单位的预算年度。")
        return False
    dialog = ProfileDialog(window.dataset, window)
    saved = dialog.exec() == ProfileDialog.DialogCode.Accepted
    if saved and getattr(window, "controller", None) is not None and hasattr(window.controller, "recheck"):
        window.controller.recheck()
    return saved


def add_year_actions(menu, window) -> QAction:
    """Add 单位情况与上年数… and 新建下一年度… to ``menu`` (a QMenu or QToolBar)."""
    profile_action = menu.addAction("单位情况与上年数…")
    profile_action.setObjectName("edit_profile")
    profile_action.triggered.connect(lambda: edit_profile(window))
    action = menu.addAction("新建下一年度…")
    action.setObjectName("new_year")
    action.triggered.connect(lambda: start_next_year(window))
    return action
