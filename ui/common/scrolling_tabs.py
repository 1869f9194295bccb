"""A QTabWidget whose pages scroll instead of setting the window's minimum size.

A plain QTabWidget is at least as large as its largest page, and the main window at least as large as
that plus the docks: with a dataset open that was 938×866, taller than a 1366×768 laptop screen. Here
each page sits in a frameless scroll area that gives it all the room there is and scroll bars when
there is less. ``widget``, ``currentWidget``, ``indexOf`` and ``setCurrentWidget`` speak of the pages
themselves, so callers never see the scroll areas.

``fit_on_screen`` keeps a window's first size (or the one remembered from a bigger screen) inside the
screen's free area, title bar included, so the status bar is never below the screen's edge.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

# Room left for the window manager's title bar and frame, which a window cannot measure before it is shown.
FRAME_ALLOWANCE = 40


class _PageScroll(QScrollArea):
    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.setObjectName(f"{page.objectName() or 'page'}_scroll")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)  # the page fills the area when there is room, scrolls below its minimum
        self.setWidget(page)


class ScrollingTabWidget(QTabWidget):
    def addTab(self, page: QWidget, *label) -> int:  # noqa: N802 - Qt naming
        return super().addTab(_PageScroll(page), *label)

    def insertTab(self, index: int, page: QWidget, *label) -> int:  # noqa: N802
        return super().insertTab(index, _PageScroll(page), *label)

    def widget(self, index: int) -> QWidget | None:
        area = super().widget(index)
        return area.widget() if isinstance(area, _PageScroll) else area

    def currentWidget(self) -> QWidget | None:  # noqa: N802
        return self.widget(self.currentIndex())

    def indexOf(self, page: QWidget) -> int:  # noqa: N802
        for index in range(self.count()):
            if self.widget(index) is page:
                return index
        return super().indexOf(page)

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)


def fit_on_screen(window: QWidget) -> None:
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    free = screen.availableGeometry()
    width = min(window.width(), free.width())
    height = min(window.height(), free.height() - FRAME_ALLOWANCE)
    if (width, height) != (window.width(), window.height()):
        window.resize(max(width, window.minimumSizeHint().width()), max(height, window.minimumSizeHint().height()))
    if not free.contains(window.geometry().topLeft()) or window.geometry().bottom() > free.bottom():
        window.move(free.topLeft())
