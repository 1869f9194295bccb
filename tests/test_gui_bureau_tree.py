"""The 财政局 window's tree (按部门): a department package imported, the nodes and their status, 退回 of
one unit and of the whole 部门 through the real buttons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.bureau import hierarchy, intake, standing
from app.exchange.package import reader
from tests.conftest import _make_store
from tests.test_hierarchy import DEPT, DEPT_NAME, UNITS, YEAR, build_department

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


@pytest.fixture
def boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda *args, kind=kind: shown.append((kind, args[1], args[2])))
    return shown


@pytest.fixture
def bureau_window(qtbot, store, tmp_path):
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    department = _make_store("sqlite", tmp_path, "department")
    try:
        build_department(department, tmp_path)
        result = hierarchy.export_department_package(department, DEPT, YEAR, tmp_path / "d.bdp", submit=True)
    finally:
        department.close()
    intake.import_package(store, result.path)
    window = BureauWindow(store, YEAR)
    qtbot.addWidget(window)
    window.show()
    return window


def _texts(tree) -> dict[tuple[str, str], tuple[str, str]]:
    """(code, role) → (label, status) of every item."""
    return {item.data(0, Qt.ItemDataRole.UserRole): (item.text(0), item.text(2)) for item in tree.items()}


def test_tree_shows_the_department_and_returns(qtbot, bureau_window, boxes, monkeypatch):
    window = bureau_window
    assert window.unit_tabs.tabText(0) == "单位列表" and window.unit_tabs.tabText(1) == "按部门"
    window.unit_tabs.setCurrentWidget(window.tree_panel)
    tree = window.tree_panel.tree
    assert tree.topLevelItemCount() == 1
    top = tree.topLevelItem(0)
    assert top.text(0) == f"{DEPT} {DEPT_NAME}" and top.childCount() == 4 and top.isExpanded()
    assert top.text(8) == "共 4：有提示 4"
    assert top.text(6) and top.text(7) == "万元"  # the 部门's total: its 本级 and 所属单位 together
    texts = _texts(tree)
    assert texts[(DEPT, "own")] == ("本级", "有提示")
    assert [texts[(code, "unit")] for code, _n in UNITS] == [(f"{code} {name}", "有提示") for code, name in UNITS]

    # A node chosen in the tree is the table's current row: the toolbar's 查看/退回 act on it.
    assert tree.select("801003", "unit")
    assert window.rows[window.table.currentRow()].unit_code == "801003"

    # 退回 the second school with the button; the reason is asked for.
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("项目支出测算依据不足", True))
    assert tree.select("801002", "unit")
    qtbot.mouseClick(window.tree_panel.return_button, Qt.MouseButton.LeftButton)
    texts = _texts(window.tree_panel.tree)
    assert texts[("801002", "unit")][1] == "已退回" and texts[(DEPT, "department")][1] == "已退回"
    item = next(item for item in tree.items() if item.data(0, Qt.ItemDataRole.UserRole) == ("801002", "unit"))
    assert item.text(8) == "退回原因：项目支出测算依据不足"
    assert tree.selected() == ("801002", "unit")  # the selection survives the refresh

    # The whole 部门: the others go back too, one message lists them.
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("部门整体压减", True))
    assert tree.select(DEPT, "department")
    qtbot.mouseClick(window.tree_panel.return_department_button, Qt.MouseButton.LeftButton)
    assert boxes[-1][0] == "information" and "801、801001、801003" in boxes[-1][2]
    assert {status for _label, status in _texts(tree).values()} == {"已退回"}
    assert all(row.status_name == "已退回" for row in window.rows)

    # Again: nothing is 已上报 any more, a clear refusal.
    qtbot.mouseClick(window.tree_panel.return_department_button, Qt.MouseButton.LeftButton)
    assert boxes[-1][0] == "warning" and "都不是已上报状态" in boxes[-1][2]


def test_tree_view_opens_a_unit_and_follows_the_year(qtbot, bureau_window, boxes):
    window = bureau_window
    window.unit_tabs.setCurrentWidget(window.tree_panel)  # a shown window fills the tree when its tab shows
    tree = window.tree_panel.tree
    assert tree.select("801003", "unit")
    window.tree_panel.view_selected()
    assert window.drill_down is not None and window.drill_down.windowTitle().startswith("801003 某县实验小学")
    window.drill_down.close()
    window.year.setValue(YEAR + 1)
    # Another year: every unit known, none received.
    assert {status for _label, status in _texts(tree).values()} == {"未收到"}
    assert tree.select("801001", "unit")
    window.tree_panel.view_selected()
    assert boxes[-1][0] == "information" and "还没有 2024 年度的数据" in boxes[-1][2]


def test_department_package_imported_from_the_window(qtbot, store, tmp_path, boxes):
    """导入单个数据包 with a department package: the preview lists its units; confirmed, the tree fills."""
    from ui.bureau.package_import import _diff_text
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    department = _make_store("sqlite", tmp_path, "department")
    try:
        build_department(department, tmp_path)
        result = hierarchy.export_department_package(department, DEPT, YEAR, tmp_path / "d.bdp", submit=True)
    finally:
        department.close()
    window = BureauWindow(store, YEAR)
    qtbot.addWidget(window)
    asked = []
    window.import_file(str(result.path), ask=lambda preview: asked.append(preview) or True)
    qtbot.waitUntil(lambda: window.tree_panel.tree.topLevelItemCount() == 1, timeout=120000)
    text = _diff_text(asked[0])
    assert "部门数据包：本级和 3 个所属单位" in text and "801002 某县第二中学" in text and "首次接收" in text
    assert not asked[0].needs_replace
    qtbot.waitUntil(lambda: bool(boxes), timeout=120000)
    assert boxes[-1][0] == "information" and boxes[-1][2].count("所属单位 ") == 3
    assert {status for _label, status in _texts(window.tree_panel.tree).values()} == {"有提示"}
    # The same file again: the preview says what would be replaced, and 已上报 data is not overwritten.
    window.import_file(str(result.path), ask=lambda preview: asked.append(preview) or True)
    qtbot.waitUntil(lambda: len(boxes) == 2, timeout=120000)
    assert asked[1].needs_replace and "将覆盖已有数据" in _diff_text(asked[1])
    assert boxes[-1][0] == "warning" and "已上报" in boxes[-1][2] and "未导入" in boxes[-1][2]


def test_department_hands_its_package_upward_from_the_tree(qtbot, store, tmp_path, boxes):
    """The 主管部门 in the same window: refused while a unit is 退回, then the package is written."""
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    files = build_department(store, tmp_path)
    standing.return_dataset(store, "801003", YEAR, "请补充绩效目标")
    window = BureauWindow(store, YEAR)
    qtbot.addWidget(window)
    panel = window.tree_panel
    assert panel.tree.select("801001", "unit")
    panel.export_department(str(tmp_path / "up.bdp"))
    assert boxes[-1][0] == "information" and "请在树中选择一个部门" in boxes[-1][2]

    assert panel.tree.select(DEPT, "department")
    job = panel.export_department(str(tmp_path / "up.bdp"))
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=120000)
    assert boxes[-1][0] == "warning" and "801003 某县实验小学：已退回（请补充绩效目标）" in boxes[-1][2]
    assert not (tmp_path / "up.bdp").exists()

    intake.import_package(store, files["801003"], replace=True, backup=False)  # the unit sends it again
    window.refresh()
    assert panel.tree.select(DEPT, "department")
    job = panel.export_department(str(tmp_path / "up.bdp"))
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=120000)
    assert job.outcome == "done" and boxes[-1][0] == "information" and "本级和 3 个所属单位" in boxes[-1][2]
    assert reader.open_package(tmp_path / "up.bdp").kind == "department"
    assert store.open_dataset(DEPT, YEAR).status == "submitted"
