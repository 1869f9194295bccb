"""A QTabWidget whose pages scroll instead of setting the window's minimum size.

A plain QTabWidget is at least as large as its largest page, and the main window at least as large as
that plus the docks: with a dataset open that was 938×866, taller than a 1366×768 laptop screen. Here
each page sits in a frameless scroll area that gives it all the room there is and scroll bars when
there is less. ``widget``, ``currentWidget``, ``indexOf`` and ``setCurrentWidget`` speak of the pages
themselves, so callers never see the scroll areas.

A page may be added lazily (``addLazyTab``): only its builder is kept, and the page is built the first
time it is shown or asked for (``widget``, ``currentWidget``), so a window of 16 tabs builds one before its
first paint. ``built_widget`` looks without building: code that only refreshes the pages already there.

``fit_on_screen`` keeps a window's first size (or the one remembered from a bigger screen) inside the
screen's free area, title bar included, so the status bar is never below the screen's edge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

# Room left for the window manager's title bar and frame, which a window cannot measure before it is shown.
FRAME_ALLOWANCE = 40


class _PageScroll(QScrollArea):
    def __init__(self, page: QWidget | None, build: Callable[[], QWidget] | None = None, name: str = "") -> None:
        super().__init__()
        self.setObjectName(f"{name or (page.objectName() if page is not None else '') or 'page'}_scroll")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)  # the page fills the area when there is room, scrolls below its minimum
        self._build = build
        if page is not None:
            self.setWidget(page)

    def page(self) -> QWidget | None:
        """The page, built now if it was added lazily and not built yet."""
        if self._build is not None:
            build, self._build = self._build, None  # once, even if the builder asks for its own tab
            self.setWidget(build())
        return self.widget()

    def built_page(self) -> QWidget | None:
        return None if self._build is not None else self.widget()


class ScrollingTabWidget(QTabWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clearing = False
        self.currentChanged.connect(self._shown)

    def _shown(self, index: int) -> None:
        if not self._clearing:  # clear() makes each next tab current in turn: none of them is shown
            self.widget(index)  # a lazy page is built when its tab is first shown

    def clear(self) -> None:
        self._clearing = True
        try:
            super().clear()
        finally:
            self._clearing = False

    def addTab(self, page: QWidget, *label) -> int:  # noqa: N802 - Qt naming
        return super().addTab(_PageScroll(page), *label)

    def addLazyTab(self, build: Callable[[], QWidget], label: str, name: str) -> int:  # noqa: N802
        """A tab whose page ``build()`` makes when it is first shown or asked for; ``name`` is the page's
        object name (its scroll area is ``name_scroll`` before the page exists)."""
        return super().addTab(_PageScroll(None, build, name), label)

    def insertTab(self, index: int, page: QWidget, *label) -> int:  # noqa: N802
        return super().insertTab(index, _PageScroll(page), *label)

    def widget(self, index: int) -> QWidget | None:
        area = super().widget(index)
        return area.page() if isinstance(area, _PageScroll) else area

    def built_widget(self, index: int) -> QWidget | None:
        """The page at ``index`` if it exists already; a lazy page not yet shown is not built for this."""
        area = super().widget(index)
        return area.built_page() if isinstance(area, _PageScroll) else area

    def currentWidget(self) -> QWidget | None:  # noqa: N802
        return self.widget(self.currentIndex())

    def indexOf(self, page: QWidget) -> int:  # noqa: N802
        for index in range(self.count()):
            if self.built_widget(index) is page:  # a page not built yet cannot be the one asked about
                return index
        return super().indexOf(page)

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)


class LazyPages(Mapping[str, QWidget]):
    """Lazy tabs by key: ``pages[key]`` builds the page if it is not built yet (as showing its tab does);
    ``built()`` lists only the pages that exist, for refreshing what is on screen without building the rest."""

    def __init__(self) -> None:
        self._areas: dict[str, _PageScroll] = {}

    def add(self, tabs: ScrollingTabWidget, key: str, label: str, build: Callable[[], QWidget], name: str) -> None:
        index = tabs.addLazyTab(build, label, name)
        self._areas[key] = QTabWidget.widget(tabs, index)

    def __getitem__(self, key: str) -> QWidget:
        page = self._areas[key].page()
        assert page is not None
        return page

    def __iter__(self) -> Iterator[str]:
        return iter(self._areas)

    def __len__(self) -> int:
        return len(self._areas)

    def built(self) -> list:
        return [page for area in self._areas.values() if (page := area.built_page()) is not None]


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
