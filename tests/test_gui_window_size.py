"""The windows fit a 1366×768 laptop screen (issue 21): with any dataset open and every panel shown,
the minimum size is at most 1280×680, and at that size the 审核 panel's button and the status-bar
counts are inside the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDockWidget

from tests.conftest import explain_all_findings

FIT_WIDTH, FIT_HEIGHT = 1280, 680


def open_kind(window, kind: str) -> None:
    if kind == "empty":
        window.store.create_dataset("359", 2031, "万元")
        window.open_dataset("359", 2031)
    elif kind == "submitted":
        explain_all_findings(window.dataset)
        assert window.toggle_submitted()
        assert window.dataset.status == "submitted"


def inside(window, widget) -> bool:
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("kind", ["empty", "draft", "submitted"])
def test_the_clerk_window_fits_1280_by_680_with_every_panel(qtbot, window, kind):
    open_kind(window, kind)
    docks = window.findChildren(QDockWidget)
    assert {dock.objectName() for dock in docks} >= {"findings_dock", "comments_dock"}
    for dock in docks:
        dock.show()
    qtbot.wait(50)
    for index in range(window.tabs.count()):  # the largest page decides nothing any more: visit all
        window.tabs.setCurrentIndex(index)
        hint, layout_minimum = window.minimumSizeHint(), window.layout().minimumSize()
        assert hint.width() <= FIT_WIDTH and hint.height() <= FIT_HEIGHT, (window.tabs.tabText(index), hint)
        assert layout_minimum.width() <= FIT_WIDTH and layout_minimum.height() <= FIT_HEIGHT
    window.tabs.setCurrentIndex(0)
    window.findings_dock.raise_()
    window.resize(FIT_WIDTH, FIT_HEIGHT)
    qtbot.waitUntil(lambda: window.size().height() <= FIT_HEIGHT, timeout=5000)
    qtbot.wait(50)
    assert inside(window, window.counts_label) and window.counts_label.text().startswith("错误")
    assert inside(window, window.findings_dock.explain_button)
    assert inside(window, window.findings_dock.tree)


def test_a_tall_page_scrolls_inside_its_tab_instead_of_growing_the_window(qtbot, window):
    page = window.department_self_evaluation_tab
    window.tabs.setCurrentWidget(page)
    assert window.tabs.currentWidget() is page and window.tabs.indexOf(page) == window.tabs.currentIndex()
    window.resize(FIT_WIDTH, FIT_HEIGHT)
    qtbot.waitUntil(lambda: window.size().height() <= FIT_HEIGHT, timeout=5000)
    qtbot.wait(50)
    scroll = page.parentWidget().parentWidget()  # the page's viewport, then its scroll area
    assert page.minimumSizeHint().height() > scroll.viewport().height()  # taller than the room it has…
    assert page.height() >= page.minimumSizeHint().height()  # …yet never squeezed below its minimum
    assert scroll.verticalScrollBar().maximum() > 0  # it scrolls instead


def test_panels_close_and_come_back_from_the_view_menu(qtbot, window):
    actions = {action.text(): action for action in window.view_menu.actions()}
    for dock in (window.findings_dock, window.comments_dock):
        toggle = dock.toggleViewAction()
        assert toggle in actions.values()
        dock.close()
        assert not dock.isVisible()
        toggle.trigger()
        qtbot.waitUntil(dock.isVisible, timeout=5000)


def test_the_bureau_window_fits_1280_by_680(qtbot, store, seed_dataset):
    from ui.bureau.window import BureauWindow

    bureau = BureauWindow(store, 2023)
    qtbot.addWidget(bureau)
    bureau.show()
    for dock in bureau.findChildren(QDockWidget):
        dock.show()
    qtbot.wait(50)
    hint = bureau.minimumSizeHint()
    assert hint.width() <= FIT_WIDTH and hint.height() <= FIT_HEIGHT, hint


def test_the_first_size_fits_the_screen_title_bar_included(qtbot, store, seed_dataset, tmp_path):
    """The offscreen screen is 800×600; on a 1366×768 laptop the same rule keeps the status bar on it."""
    from PySide6.QtCore import QSettings

    from ui.bureau.window import BureauWindow
    from ui.common.scrolling_tabs import FRAME_ALLOWANCE
    from ui.window.main_window import MainWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    for window in (MainWindow(store), BureauWindow(store, 2023)):
        qtbot.addWidget(window)
        free = window.screen().availableGeometry()
        least = window.minimumSizeHint()  # (a screen narrower than that gets the minimum)
        assert window.width() <= max(free.width(), least.width())
        assert window.height() <= max(free.height() - FRAME_ALLOWANCE, least.height())
        assert (window.width(), window.height()) != (1280, 720)  # both were made smaller than their default
        assert free.contains(window.geometry().topLeft())
