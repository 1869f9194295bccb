"""视图 → 显示上年数: last year's figure and the change beside every amount of the table editors.

One checkable action, on the 视图 menu and the toolbar, remembered in the settings. The form tabs' models
add the 上年 / 增减 columns themselves (``ui.editor.grid_model.with_prior_columns``); this module only switches.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu, QToolBar

from app.domain.prior import previous_dataset, typed_prior
from ui.editor.grid_model import PRIOR_SETTING, show_prior_setting


def apply_show_prior(window, on: bool) -> None:
    """Switch every open form tab, keeping each table's current cell (a tab not built yet reads the setting
    when it is)."""
    QSettings().setValue(PRIOR_SETTING, bool(on))
    for tab in window.form_tabs.built() if hasattr(window, "form_tabs") else ():
        current = tab.table.currentIndex()
        key = tab.model.cell_key(current) if current.isValid() else None
        tab.model.set_show_prior(on)
        if key is not None:
            index = tab.model.locate(*key)
            if index is not None:
                tab.table.setCurrentIndex(index)
    if on and getattr(window, "dataset", None) is not None:
        dataset = window.dataset
        if previous_dataset(dataset) is None:
            window.statusBar().showMessage(
                f"数据库中没有 {dataset.year - 1} 年度的数据" + ("，只显示填写的上年数。" if typed_prior(dataset)
                                                          else "，上年数为空。可导入上年数据或使用“新建下一年度”。"),
                10000)


def add_view_actions(window) -> QMenu:
    """The 视图 menu (after 编辑) with 显示上年数, also on the main toolbar."""
    menu = QMenu("视图(&V)", window.menuBar())
    menu.setObjectName("view_menu")
    window.menuBar().insertMenu(window.check_menu.menuAction(), menu)
    action = menu.addAction("显示上年数")
    action.setObjectName("show_prior")
    action.setCheckable(True)
    action.setChecked(show_prior_setting())
    action.setToolTip("在每个金额栏旁显示上年数和增减（只供对照，不能修改，不打印、不导出）")
    action.toggled.connect(lambda on: apply_show_prior(window, on))
    toolbar = window.findChild(QToolBar, "main_toolbar")
    if toolbar is not None:
        toolbar.addSeparator()
        toolbar.addAction(action)
    window.show_prior_action = action
    return menu
