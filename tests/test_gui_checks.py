"""Live checks in the GUI: the findings dock follows typing, points at cells, takes explanations."""

from PySide6.QtCore import Qt

from tests.conftest import complete_project_amounts
from tests.test_gui_editor import find_cell, tab, type_into
from ui.editor.grid_model import ERROR_BACKGROUND

# Seed 004 reconciles (no 错误) but its targets have real defects: 9 提示 (P02, P12, P13 ×2, P14, P15 ×3,
# P17), and 19 projects word indicators “比上年提升” with no baseline (S09, one 提示 per project).
SEED_WARNINGS = 9 + 19


def listed_rules(dock) -> list[str]:
    return [dock.tree.topLevelItem(i).text(1) for i in range(dock.tree.topLevelItemCount())]


def test_typing_updates_findings_counts_and_cell_marks(qtbot, window):
    dock = window.findings_dock
    seed_rules = listed_rules(dock)
    assert len(seed_rules) == SEED_WARNINGS and all(rule.startswith(("P", "S")) for rule in seed_rules)
    assert window.counts_label.text() == f"错误 0　提示 {SEED_WARNINGS}"
    basic = tab(window, "general_budget_basic_expenditure")
    type_into(qtbot, basic, "30201", "personnel", "1")
    assert window.counts_label.text() == f"错误 2　提示 {SEED_WARNINGS}"  # T06 totals differ, T08 wrong column
    assert sorted(listed_rules(dock)) == sorted(seed_rules + ["T06", "T08"])
    assert set(listed_rules(dock)[:2]) == {"T06", "T08"}  # errors are listed first
    places = {dock.tree.topLevelItem(i).text(1): dock.tree.topLevelItem(i).text(3)
              for i in range(dock.tree.topLevelItemCount())}
    # each finding says where, in the form's own words: 表 / 行 (合计, 编码 名称, 项目名) / 栏
    assert places["T06"] == "一般公共预算支出表 / 合计 / 基本支出"
    assert places["T08"] == "基本支出表 / 30201 办公费 / 人员经费"
    assert places["P02"] == "支出总表 / 合计 / 项目支出"
    assert places["P14"] == "项目绩效目标 / 智能云广播“二期”建设费 / 绩效指标"
    marked = find_cell(basic, "30201", "personnel").data(Qt.ItemDataRole.BackgroundRole)
    assert marked.color() == ERROR_BACKGROUND
    assert "属于公用经费" in find_cell(basic, "30201", "personnel").data(Qt.ItemDataRole.ToolTipRole)

    # clicking the T06 finding opens the other table at the cell
    item = next(dock.tree.topLevelItem(i) for i in range(dock.tree.topLevelItemCount())
                if dock.tree.topLevelItem(i).text(1) == "T06")
    dock.tree.itemClicked.emit(item, 0)
    current = window.tabs.currentWidget()
    assert current.form.id == "general_budget_expenditure"
    assert current.model.cell_key(current.table.currentIndex()) == ("total", "basic")

    window.undo()
    assert window.counts_label.text() == f"错误 0　提示 {SEED_WARNINGS}"
    assert listed_rules(dock) == seed_rules


def test_warning_explanation_and_submission(qtbot, window, store):
    three = tab(window, "three_public_expenses")
    type_into(qtbot, three, "reception", "general_budget", "0.50")
    assert window.counts_label.text() == f"错误 0　提示 {SEED_WARNINGS + 1}"
    reports = []
    assert not window.toggle_submitted(report=lambda title, text: reports.append(text))
    assert "T09" in reports[0] and "P14" in reports[0] and "缺少说明" in reports[0]
    assert "[错误] P02" in reports[0]  # 17 projects without an amount: an 错误 at 上报 (issue 24)
    complete_project_amounts(window.dataset)
    window.controller.reload()
    dock = window.findings_dock
    rules = listed_rules(dock)
    for index, rule in enumerate(rules):
        dock.tree.setCurrentItem(dock.tree.topLevelItem(index))
        text = "含项目支出中的公务接待费 0.07 万元。" if rule == "T09" else f"已核实（{rule}）。"
        assert dock.explain_selected(text=text)
        assert dock.tree.topLevelItem(index).text(4) == text
        if index == 0:  # one still without a 说明 keeps the refusal
            assert not window.toggle_submitted(report=lambda title, text: reports.append(text))
    assert window.toggle_submitted(report=lambda title, text: reports.append(text))
    assert "已上报" in window.windowTitle()
    assert not three.model.flags(find_cell(three, "reception", "general_budget")) & Qt.ItemFlag.ItemIsEditable
    assert store.open_dataset("359", 2023).status == "submitted"
