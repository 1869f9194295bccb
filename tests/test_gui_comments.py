"""The clerk's side of 批注 in the real window: a 退回 file comes in, the commented cell shows its corner
mark and the text on hover, the 批注 list jumps to the cell and takes the answers; the bureau's
read-only view shows the answered marks and can add a comment."""

import pytest
from PySide6.QtCore import Qt

from app.bureau import comments as cm
from app.exchange import comment_document
from app.exchange.interchange import import_document
from app.store.service import Store
from tests.conftest import explain_all_findings
from tests.test_package import seed_document

LEFT, TIP = Qt.MouseButton.LeftButton, Qt.ItemDataRole.ToolTipRole
CELL = ("general_budget_basic_expenditure", "30101", "personnel")
PROJECT = "报刊机构合作宣传费"


pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


@pytest.fixture
def bureau(tmp_path):
    store = Store(str(tmp_path / "bureau.sqlite3"))
    import_document(store, seed_document(), backup=False)
    yield store
    store.close()


@pytest.fixture
def return_file(bureau, seed_dataset, tmp_path):
    """The clerk has submitted (上报) 359/2023; the bureau answers it with a 退回 file."""
    explain_all_findings(seed_dataset)
    seed_dataset.set_status("submitted")
    cm.add_comment(bureau, "359", 2023, kind="cell", form=CELL[0], row=CELL[1], column=CELL[2],
                   text="工资福利支出增长过快，请核实。", follow_up=True)
    cm.add_comment(bureau, "359", 2023, kind="project", project=PROJECT, text="请补充立项依据。")
    return cm.write_return(bureau, "359", 2023, "工资福利支出需核实", tmp_path / "359_2023_退回.bdr").path


def _corner_color(table, index):
    table.scrollTo(index)
    rect = table.visualRect(index)
    image = table.viewport().grab().toImage()
    return image.pixelColor(rect.right() - 1, rect.top() + 1)


def test_returned_comments_show_on_the_cell_and_are_answered_from_the_list(qtbot, window, store, seed_dataset,
                                                                           return_file):
    from ui.editor.comment_marks import ANSWERED_COLOR, COMMENT_ROLE, OPEN_COLOR

    window.open_dataset("359", 2023)
    reports = []
    from ui.editor.comments_panel import import_return_gui

    assert import_return_gui(window, str(return_file), report=lambda title, text: reports.append(text))
    assert window.dataset.status == "draft" and "退回原因：工资福利支出需核实" in reports[0]

    tab = window.form_tabs[CELL[0]]
    window.tabs.setCurrentWidget(tab)
    index = tab.model.locate(CELL[1], CELL[2])
    assert index.data(COMMENT_ROLE) == "open"
    assert "批注（财政局，待处理）：【需跟进】工资福利支出增长过快，请核实。" in index.data(TIP)
    other = tab.model.locate("30102", CELL[2])
    assert not other.data(COMMENT_ROLE) and "批注" not in other.data(TIP)
    qtbot.waitUntil(lambda: _corner_color(tab.table, index) == OPEN_COLOR, timeout=10000)
    assert _corner_color(tab.table, other) != OPEN_COLOR

    dock = window.comments_dock
    assert dock.list.topLevelItemCount() == 2 and "待处理 2 条" in dock.summary.text()
    first = dock.list.topLevelItem(0)
    assert first.text(0) == "待处理" and "工资福利支出" in first.text(3)
    assert "【需跟进】" in first.text(3)  # follow-up ones first

    # 定位 from the project comment goes to the project; from the cell comment back to the cell.
    dock.list.setCurrentItem(dock.list.topLevelItem(1))
    qtbot.mouseClick(dock.locate_button, LEFT)
    assert window.tabs.currentWidget() is window.projects_tab
    assert window.projects_tab.project is not None and window.projects_tab.project.name == PROJECT
    marked = window.projects_tab.list.currentItem()
    assert marked.data(COMMENT_ROLE) == "open" and "请补充立项依据。" in marked.toolTip()
    dock.list.setCurrentItem(first)
    qtbot.mouseClick(dock.locate_button, LEFT)
    assert window.tabs.currentWidget() is tab and tab.table.currentIndex() == index

    # 标记已修改: stored, the mark turns green, the list says so.
    qtbot.mouseClick(dock.fixed_button, LEFT)
    stored = {c.kind: c for c in comment_document.list_comments(store, "359", 2023)}
    assert stored["cell"].status == "answered" and stored["cell"].fixed and stored["cell"].answer == "已修改。"
    qtbot.waitUntil(lambda: index.data(COMMENT_ROLE) == "answered", timeout=10000)
    qtbot.waitUntil(lambda: _corner_color(tab.table, index) == ANSWERED_COLOR, timeout=10000)
    assert "回复：已修改。" in index.data(TIP)

    # 回复… on the project comment.
    assert dock.select(stored["project"].uuid)
    assert dock.answer("立项依据见情况说明。")
    assert cm.get_comment(store, stored["project"].uuid).answer == "立项依据见情况说明。"
    assert "待处理 0 条，已回复 2 条" in dock.summary.text()


def test_return_file_of_another_year_is_refused_in_the_window(qtbot, window, store, bureau, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    document = seed_document(year=2024)
    import_document(bureau, document, backup=False)
    path = cm.write_return(bureau, "359", 2024, "请修改", tmp_path / "359_2024_退回.bdr").path
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append(text))
    from ui.editor.comments_panel import import_return_gui

    assert not import_return_gui(window, str(path))
    assert "不是当前的 2023 年度" in warnings[0]
    assert comment_document.list_comments(store, "359", 2023) == [] and window.comments_dock.list.topLevelItemCount() == 0


def test_bureau_view_marks_answered_cells_and_adds_a_comment(qtbot, bureau):
    from ui.bureau.comments import BureauCommentsPanel
    from ui.bureau.window import FormsDialog
    from ui.editor.comment_marks import COMMENT_ROLE

    comment = cm.add_comment(bureau, "359", 2023, kind="cell", form=CELL[0], row=CELL[1], column=CELL[2], text="请核实。")
    cm.answer_comment(bureau, comment.uuid, "已核实无误。")
    dialog = FormsDialog(bureau.open_dataset("359", 2023), "359（只读）")
    qtbot.addWidget(dialog)
    panel = dialog.findChild(BureauCommentsPanel)
    assert panel is not None and panel.list.topLevelItemCount() == 1
    assert panel.list.topLevelItem(0).text(0) == "已回复" and panel.list.topLevelItem(0).text(4) == "已核实无误。"
    table = panel.table_for(CELL[0])
    item = panel.item_for(CELL[0], CELL[1], CELL[2])
    assert item.data(COMMENT_ROLE) == "answered" and "回复：已核实无误。" in item.toolTip()
    # 添加批注 from the table's context menu (its text given here instead of typed into the dialog)
    dialog.view.tabs.setCurrentWidget(table)
    table.setCurrentCell(*panel.position(CELL[0], "30102", "personnel"))
    assert panel.add_comment_here(text="社会保障缴费请复核。", follow_up=True)
    added = [c for c in comment_document.list_comments(bureau, "359", 2023) if c.row == "30102"]
    assert added and added[0].follow_up and added[0].side == "财政局"
    assert panel.item_for(CELL[0], "30102", "personnel").data(COMMENT_ROLE) == "open"
    # 已解决 from the list
    assert panel.select(comment.uuid)
    assert panel.resolve_selected()
    assert cm.get_comment(bureau, comment.uuid).status == "resolved"


def test_bureau_window_return_saves_the_signed_return_file(qtbot, bureau, tmp_path):
    from app.store.service import Store
    from ui.bureau.window import BureauWindow

    clerk = Store(str(tmp_path / "clerk.sqlite3"))
    import_document(clerk, seed_document(), backup=False)
    dataset = bureau.open_dataset("359", 2023)
    explain_all_findings(dataset)
    dataset.set_status("submitted")
    clerk_dataset = clerk.open_dataset("359", 2023)
    explain_all_findings(clerk_dataset)
    clerk_dataset.set_status("submitted")
    cm.add_comment(bureau, "359", 2023, kind="cell", form=CELL[0], row=CELL[1], column=CELL[2], text="请核实。")
    window = BureauWindow(bureau, 2023)
    qtbot.addWidget(window)
    window.table.setCurrentCell(0, 0)
    out = tmp_path / "r.bdr"
    window.return_unit("请修改", str(out))
    assert bureau.open_dataset("359", 2023).status == "draft" and out.exists()
    outcome = cm.import_return(clerk, out, expected_unit="359", expected_year=2023)
    assert outcome.status_changed and outcome.merge.added == 1
    clerk.close()
