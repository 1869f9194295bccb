"""Issue 11 in the window: the lock and stale views as a clerk meets them, with the real widgets."""

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from tests.conftest import explain_all_findings
from tests.test_gui_editor import find_cell, shown, tab, type_into

RECEPTION = ("three_public_expenses", "reception", "general_budget")


def capture_warnings(monkeypatch) -> list[str]:
    shown_messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: shown_messages.append(text))
    return shown_messages


def test_submitting_clears_the_undo_stack_and_ctrl_z_does_nothing(qtbot, window, store):
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "reception", "general_budget", "0.50")
    assert window.controller.undo_stack.count() == 1
    explain_all_findings(window.dataset)
    window.controller.dataset.reload()  # the 说明 were written by another path
    assert window.toggle_submitted()
    assert window.controller.undo_stack.count() == 0
    qtbot.keyClick(three.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.open_dataset("359", 2023).value(*RECEPTION) == Decimal("0.50")
    assert window.controller.undo_stack.index() == 0


def test_withdrawing_asks_for_a_reason_in_a_dialog(qtbot, window, store, monkeypatch):
    explain_all_findings(window.dataset)
    window.controller.dataset.reload()
    assert window.toggle_submitted()
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("", False))
    assert not window.toggle_submitted()  # cancelled: still 已上报
    assert store.open_dataset("359", 2023).status == "submitted"
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("补充项目资料", True))
    assert window.toggle_submitted()
    assert store.open_dataset("359", 2023).status == "draft"


def test_a_stale_cell_is_refused_with_the_stored_value_and_the_view_reloads(qtbot, window, store, monkeypatch):
    messages = capture_warnings(monkeypatch)
    store.open_dataset("359", 2023).set_cell(*RECEPTION, "5")  # another window or process
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "reception", "general_budget", "7")
    assert messages and "5.00" in messages[0] and "公务接待费" in messages[0]
    assert store.open_dataset("359", 2023).value(*RECEPTION) == Decimal("5.00")
    assert shown(three, "reception", "general_budget") == "5.00"  # the view shows what is stored
    assert window.controller.undo_stack.count() == 0  # nothing to undo: nothing was written


def test_an_undo_refused_by_the_lock_leaves_no_step_behind(qtbot, window, store, monkeypatch):
    messages = capture_warnings(monkeypatch)
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "reception", "general_budget", "0.50")
    other = store.open_dataset("359", 2023)  # a second client submits meanwhile
    explain_all_findings(other)
    other.set_status("submitted")
    qtbot.keyClick(three.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert messages and "已上报" in messages[-1]
    assert window.controller.undo_stack.count() == 0  # the refused step is dropped, not "undone"
    assert store.open_dataset("359", 2023).value(*RECEPTION) == Decimal("0.50")


def test_history_of_a_cell_from_its_context_menu_and_of_the_whole_dataset(qtbot, window, monkeypatch):
    from ui.editor.history_dialog import HistoryDialog

    opened: list[HistoryDialog] = []
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: opened.append(self) or 0)
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "reception", "general_budget", "0.50")
    index = find_cell(three, "reception", "general_budget")
    position = three.table.visualRect(index).center()
    menu = three.cell_menu(three.table.indexAt(position))  # what a right click on the cell opens
    menu.actions()[0].trigger()  # the clerk picks 修改记录…
    rows = [[opened[0].table.item(line, column).text() for column in range(7)]
            for line in range(opened[0].table.rowCount())]
    assert [(row[3], row[5], row[6]) for row in rows] == [("录入", "0.43", "0.50"), ("导入", "（空）", "0.43")]
    window.history_action.trigger()
    whole = opened[1]
    assert whole.table.rowCount() > 2
    whole.source_filter.setCurrentIndex(whole.source_filter.findData("录入"))
    assert whole.table.rowCount() == 1 and "公务接待费" in whole.table.item(0, 4).text()


def test_history_needs_an_open_dataset(qtbot, store, tmp_path):
    from PySide6.QtCore import QSettings

    from ui.window.main_window import MainWindow

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    window = MainWindow(store)
    qtbot.addWidget(window)
    assert not window.history_action.isEnabled()
