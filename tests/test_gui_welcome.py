"""First run: the welcome page's four ways to begin, 帮助 (F1) and 关于."""

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from ui.window import welcome
from ui.window.main_window import MainWindow


@pytest.fixture
def first_run(qtbot, store, tmp_path):
    """The main window on an empty database, as on the first start after installing."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    return window


def button(window, name) -> QPushButton:
    return window.findChild(QPushButton, name)


def test_welcome_page_offers_four_ways_to_begin(first_run):
    assert first_run.tabs.count() == 1 and first_run.tabs.currentWidget().objectName() == "welcome"
    texts = [button(first_run, name).text() for name in ("welcome_new", "welcome_sample", "welcome_package",
                                                          "welcome_excel")]
    assert texts == ["新建单位预算", "打开示例数据", "从数据包导入", "从 Excel 导入"]
    assert all(button(first_run, name).isEnabled() for name, _text, _explanation in welcome.CHOICES)


def test_welcome_imports_call_the_package_and_excel_imports(first_run, monkeypatch):
    called = []
    monkeypatch.setattr("ui.window.package_actions.import_package_gui", lambda window, path=None: called.append("package"))
    monkeypatch.setattr("ui.window.excel_actions.import_excel", lambda window, path=None: called.append("excel"))
    button(first_run, "welcome_package").click()
    button(first_run, "welcome_excel").click()
    assert called == ["package", "excel"]


def test_open_sample_imports_seed_004_once_and_opens_it(qtbot, first_run, store):
    qtbot.mouseClick(button(first_run, "welcome_sample"), Qt.MouseButton.LeftButton)
    assert (first_run.dataset.unit_code, first_run.dataset.year) == ("359", 2023)
    # seed 004: 9 提示 on its targets and funds, 19 S09 提示 on vague “比上年提升” wording
    assert first_run.tabs.count() > 10 and first_run.counts_label.text() == "错误 0　提示 28"
    assert "秦皇岛经济技术开发区融媒体中心" in first_run.windowTitle()
    # a second click (from a new window) opens the same dataset rather than importing it twice
    again = MainWindow(store)
    qtbot.addWidget(again)
    assert again.dataset is not None  # the last dataset reopens: no welcome page on the next start
    assert welcome.open_sample(again)
    assert [(info.unit_code, info.year) for info in store.list_datasets()] == [("359", 2023)]


def test_new_dataset_button_opens_the_dialog(qtbot, first_run, monkeypatch):
    opened = []
    monkeypatch.setattr(first_run, "new_dataset", lambda: opened.append(True))
    # the button was connected to the bound method at construction: rebuild the page to pick up the patch
    page = welcome.WelcomePage(first_run)
    qtbot.mouseClick(page.buttons["welcome_new"], Qt.MouseButton.LeftButton)
    assert opened == [True]


def test_a_double_clicked_package_opens_the_package_import(first_run, monkeypatch):
    opened = []
    monkeypatch.setattr("ui.window.package_actions.import_package_gui", lambda window, path=None: opened.append(path))
    assert welcome.open_file(first_run, "/tmp/x.bdp")
    assert opened == ["/tmp/x.bdp"]

def test_f1_opens_help_with_the_five_steps(qtbot, first_run):
    action = first_run.findChild(QAction, "help")
    assert action.shortcut().toString() == "F1"
    menus = [a.text().split("(")[0] for a in first_run.menuBar().actions()]
    assert menus.count("帮助") == 1
    first_run.activateWindow()
    qtbot.waitUntil(first_run.isActiveWindow)
    qtbot.keyClick(first_run, Qt.Key.Key_F1)
    dialog = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "help_dialog" and w.isVisible())
    qtbot.addWidget(dialog)
    titles = [dialog.index.item(i).text() for i in range(dialog.index.count())]
    assert [title.split("　")[-1] for title in titles] == ["录入", "审核", "说明", "打印签字", "上报"]
    assert "新建单位预算" in dialog.text.toPlainText() and not dialog.previous_button.isEnabled()
    for _ in range(4):
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.index.currentRow() == 4 and "已上报" in dialog.text.toPlainText()
    assert not dialog.next_button.isEnabled()
    dialog.close()


def test_about_shows_version_and_where_the_data_is(first_run, store, monkeypatch):
    from app import __version__

    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, title, text: shown.append(text))
    first_run.findChild(QAction, "about").trigger()
    assert __version__ in shown[0]
    assert str(store.engine.url.database) in shown[0]
    assert "日志位置" in shown[0]
