"""The 财政局 window's files, driven through its real buttons: 导出 Excel… of the 汇总 (the CLI's workbook, its
totals the 汇总's) and of the 筛查 result (numbers with formats), 打印为 PDF… from every view (clicked(bool)
never fills a path; no progress box outlives its job), 打印预览 of a unit, 退回 asking in the right order,
and the window's dialogs placed on the screen.

The save dialog is monkeypatched (it is the system's, modal); everything else is the widgets themselves.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QToolBar,
)

from tests.conftest import run
from tests.test_screening import build_department

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)

SPENDING = "支出总表"


@pytest.fixture
def bureau(qtbot, store, tmp_path):
    from ui.bureau.window import BureauWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    build_department(store)
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def save_as(monkeypatch):
    """The save dialog answers with the next path given; the titles it was opened with are kept."""
    asked: list[str] = []
    answers: list[str] = []
    suggested: list[str] = []  # the file names the dialog opened with

    def save_name(parent, title, where="", *args, **kwargs):
        asked.append(title)
        suggested.append(Path(where).name)
        return (answers.pop(0) if answers else ""), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)

    def answer(*paths) -> list[str]:
        answers.extend(str(path) for path in paths)
        return asked
    answer.suggested = suggested
    return answer


def _consolidation_view(qtbot, window):
    window.consolidate(("all", None))
    qtbot.waitUntil(lambda: getattr(window, "consolidation_dialog", None) is not None, timeout=120000)
    return window.consolidation_dialog


def _finished(qtbot, owner) -> None:
    qtbot.waitUntil(lambda: owner.job is not None and owner.job.outcome is not None, timeout=180000)
    assert owner.job.outcome == "done", owner.job.error


def _no_progress_box_left() -> bool:
    return not [widget for widget in QApplication.topLevelWidgets()
                if isinstance(widget, QProgressDialog) and widget.isVisible()]


def _total_row(ws) -> int:
    for row in range(1, ws.max_row + 1):
        if any(ws.cell(row=row, column=column).value == "合计" for column in (1, 2, 3)):
            return row
    raise AssertionError("no 合计 row")


def _sheet_values(path) -> dict:
    book = openpyxl.load_workbook(path)
    return {ws.title: [[cell.value for cell in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_consolidation_exports_to_excel_the_clis_workbook(qtbot, bureau, store, tmp_path, save_as, db_path, capsys):
    dialog = _consolidation_view(qtbot, bureau)
    result = dialog.view.source
    asked = save_as(tmp_path / "汇总")  # typed without .xlsx
    qtbot.mouseClick(dialog.view.excel_button, Qt.MouseButton.LeftButton)
    _finished(qtbot, dialog.view)
    target = tmp_path / "汇总.xlsx"
    assert asked == ["导出汇总表到 Excel"] and target.exists()
    assert dialog.view.status.text() == f"已导出到 {target}" and _no_progress_box_left()
    # The command line's consolidate --out writes the same cells.
    cli_target = tmp_path / "cli.xlsx"
    assert run(capsys, "--db", str(db_path), "consolidate", "--year", "2023", "--out", str(cli_target))[0] == 0
    assert _sheet_values(target) == _sheet_values(cli_target)
    # The entered figures of the 汇总 are there: 基本支出 and 项目支出 of each 功能分类 row add to the 汇总's.
    ws = openpyxl.load_workbook(target)[SPENDING]
    basic = project = Decimal(0)
    for row in ws.iter_rows(min_row=_total_row(ws) + 1):
        values = [cell.value for cell in row]
        if isinstance(values[1], str) and len(values[1]) == 7:  # a 项 (leaf) code
            basic += Decimal(str(values[4] or 0))
            project += Decimal(str(values[5] or 0))
    assert basic == result.value("expenditure_summary", "total", "basic")
    assert project == result.value("expenditure_summary", "total", "project")


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_consolidation_workbook_totals_in_libreoffice(qtbot, bureau, tmp_path, save_as):
    """LibreOffice opens the exported 汇总 and works its formulas out: the 合计 row is the 汇总's."""
    from tests.test_excel_libreoffice import convert

    dialog = _consolidation_view(qtbot, bureau)
    result = dialog.view.source
    save_as(tmp_path / "huizong.xlsx")
    qtbot.mouseClick(dialog.view.excel_button, Qt.MouseButton.LeftButton)
    _finished(qtbot, dialog.view)
    ws = openpyxl.load_workbook(convert(tmp_path / "huizong.xlsx", "xlsx", tmp_path), data_only=True)[SPENDING]
    row = _total_row(ws)
    figures = [Decimal(str(ws.cell(row=row, column=column).value)).quantize(Decimal("0.01")) for column in (4, 5, 6)]
    assert figures == [result.value("expenditure_summary", "total", key) for key in ("total", "basic", "project")]
    assert figures[0] > 0


def test_every_print_button_prints_without_crashing(qtbot, bureau, tmp_path, save_as):
    """打印为 PDF… of the 汇总, of a unit and of the 筛查 tab, each clicked with the mouse."""
    dialog = _consolidation_view(qtbot, bureau)
    save_as(tmp_path / "汇总.pdf")
    qtbot.mouseClick(dialog.view.print_button, Qt.MouseButton.LeftButton)
    _finished(qtbot, dialog.view)
    assert (tmp_path / "汇总.pdf").read_bytes().startswith(b"%PDF")
    assert dialog.view.status.text().startswith(f"已打印到 {tmp_path / '汇总.pdf'}：共 ")
    assert _no_progress_box_left()

    bureau.table.setCurrentCell(0, 0)
    unit = bureau.view_unit()
    save_as(tmp_path / "unit")  # typed without .pdf
    qtbot.mouseClick(unit.view.print_button, Qt.MouseButton.LeftButton)
    _finished(qtbot, unit.view)
    assert (tmp_path / "unit.pdf").read_bytes().startswith(b"%PDF") and _no_progress_box_left()
    assert save_as.suggested[:2] == ["2023年全部 5 个单位汇总表.pdf", "500_测试局_2023年部门预算.pdf"]

    screening = bureau.screening_view
    bureau.bureau_tabs.setCurrentWidget(screening)
    qtbot.waitUntil(lambda: screening.result is not None, timeout=120000)
    save_as(tmp_path / "screen.pdf")
    qtbot.mouseClick(screening.print_button, Qt.MouseButton.LeftButton)
    _finished(qtbot, screening)
    assert (tmp_path / "screen.pdf").read_bytes().startswith(b"%PDF")
    assert "已打印到" in screening.file_status.text() and _no_progress_box_left()
    # The save dialog cancelled: nothing happens, nothing crashes.
    before = screening.job
    qtbot.mouseClick(screening.print_button, Qt.MouseButton.LeftButton)
    assert screening.job is before


def test_a_file_that_cannot_be_written_is_a_sentence(qtbot, bureau, tmp_path, save_as):
    dialog = _consolidation_view(qtbot, bureau)
    save_as(tmp_path / "no-such-folder" / "汇总.xlsx")
    qtbot.mouseClick(dialog.view.excel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.view.job is not None and dialog.view.job.outcome is not None, timeout=120000)
    assert dialog.view.job.outcome == "failed"
    assert dialog.view.status.text().startswith("没有导出 Excel：") and _no_progress_box_left()
    assert not (tmp_path / "no-such-folder").exists()


def test_cancel_in_the_progress_box_writes_nothing(qtbot, bureau, tmp_path, save_as, monkeypatch):
    """取消 (the progress box's own cancel) while the export runs: no file, a sentence, no box left behind."""
    import threading

    import ui.bureau.exports as exports

    real_export, cancelled = exports.export_consolidation, threading.Event()

    def export_after_cancel(*args, **kwargs):
        # the worker waits for the click, so the test does not race a fast export on a busy machine
        assert cancelled.wait(60)
        return real_export(*args, **kwargs)

    monkeypatch.setattr(exports, "export_consolidation", export_after_cancel)
    dialog = _consolidation_view(qtbot, bureau)
    save_as(tmp_path / "取消.xlsx")
    qtbot.mouseClick(dialog.view.excel_button, Qt.MouseButton.LeftButton)
    job = dialog.view.job
    cancel = job.dialog.findChild(QPushButton)
    assert cancel.text() == "取消"
    cancel.click()  # the box's own button (it shows after 300 ms)
    cancelled.set()
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=120000)
    assert job.outcome == "cancelled"
    assert dialog.view.status.text() == "已取消导出 Excel，没有写入文件。"
    assert not list(tmp_path.glob("取消.xlsx*")) and _no_progress_box_left()


def test_screening_exports_to_excel_as_numbers(qtbot, bureau, tmp_path, save_as):
    screening = bureau.screening_view
    assert not screening.excel_button.isEnabled()  # nothing screened yet
    bureau.bureau_tabs.setCurrentWidget(screening)
    qtbot.waitUntil(lambda: screening.result is not None, timeout=120000)
    result = screening.result
    asked = save_as(tmp_path / "筛查")
    qtbot.mouseClick(screening.excel_button, Qt.MouseButton.LeftButton)
    _finished(qtbot, screening)
    assert asked == ["导出筛查结果到 Excel"] and _no_progress_box_left()
    book = openpyxl.load_workbook(tmp_path / "筛查.xlsx")
    assert book.sheetnames == ["需跟进的异常", "各单位指标"]
    ws = book["需跟进的异常"]
    headers = [cell.value for cell in ws[3]]
    assert headers[:9] == ["单位编码", "单位名称", "部门", "指标", "本年", "上年/中位数", "偏离", "阈值", "跟进"]
    rows = list(ws.iter_rows(min_row=4, values_only=False))
    assert len(rows) == len(result.outliers) == 5
    by_measure = {(row[0].value, row[3].value): row for row in rows}
    growth = next(o for o in result.outliers if o.kind == "growth")
    cells = by_measure[(growth.unit_code, growth.title)]
    # 本年 and 上年 are the exact amounts, with the money format; the growth a number shown as a percent
    assert Decimal(str(cells[4].value)) == growth.value and cells[4].number_format == "#,##0.00"
    assert Decimal(str(cells[5].value)) == growth.reference and cells[5].number_format.startswith('"上年 "')
    assert cells[6].value == pytest.approx(0.8) and cells[6].number_format.startswith("+0.0%")
    share = next(o for o in result.outliers if o.kind == "share")
    cells = by_measure[(share.unit_code, share.title)]
    assert cells[5].number_format.startswith('"中位数 "') and isinstance(cells[5].value, (int, float))
    assert "个百分点" in cells[6].number_format
    # Every unit, with a column per quantity and share the threshold file names.
    units = book["各单位指标"]
    header = [cell.value for cell in units[3]]
    config = result.config
    assert len(header) == 5 + len(config.growth_quantities) + 2 * len(config.shares)
    assert [units.cell(row=4 + n, column=1).value for n in range(len(result.units))] == [u.unit_code for u in result.units]
    assert units.cell(row=4, column=6).value == "无上年数"  # 500 has no 上年数
    assert screening.file_status.text() == f"已导出到 {tmp_path / '筛查.xlsx'}"


def test_a_long_path_beside_the_buttons_does_not_widen_the_window(qtbot, bureau, tmp_path, save_as):
    screening = bureau.screening_view
    bureau.bureau_tabs.setCurrentWidget(screening)
    qtbot.waitUntil(lambda: screening.result is not None, timeout=120000)
    widest = bureau.minimumSizeHint().width()
    target = tmp_path / ("筛查结果" + "a" * 200 + ".xlsx")
    save_as(target)
    qtbot.mouseClick(screening.excel_button, Qt.MouseButton.LeftButton)
    _finished(qtbot, screening)
    assert screening.file_status.text() == f"已导出到 {target}" and screening.file_status.toolTip() == f"已导出到 {target}"
    assert bureau.minimumSizeHint().width() <= widest


def test_print_preview_of_a_unit_shows_its_pages_and_prints_to_pdf(qtbot, bureau, tmp_path, save_as):
    bureau.table.setCurrentCell(0, 0)
    unit = bureau.view_unit()
    assert not hasattr(unit.view, "excel_button")  # 导出 Excel… is the 汇总's
    qtbot.mouseClick(unit.view.preview_button, Qt.MouseButton.LeftButton)
    preview = unit.view.preview
    qtbot.addWidget(preview)
    assert preview.isVisible() and "（只读）" in preview.windowTitle()
    qtbot.waitUntil(lambda: preview.pages is not None and len(preview.pages) > 5, timeout=180000)
    assert len(preview.preview.page_widgets) == len(preview.pages)
    free = preview.screen().availableGeometry()
    assert preview.height() <= free.height() and preview.width() <= free.width()
    assert preview.export_button.text() == "打印为 PDF…"
    save_as(tmp_path / "preview.pdf")
    qtbot.mouseClick(preview.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (tmp_path / "preview.pdf").exists(), timeout=120000)
    qtbot.waitUntil(lambda: preview.export_job is None, timeout=60000)
    assert (tmp_path / "preview.pdf").read_bytes().startswith(b"%PDF") and _no_progress_box_left()
    preview.reject()


def _toolbar_button(window, action):
    return window.findChild(QToolBar, "bureau_toolbar").widgetForAction(action)


def test_return_checks_the_status_before_asking_anything(qtbot, bureau, store, monkeypatch, tmp_path):
    """A unit not 已上报: a clear message and nothing asked; 已上报: reason first, then the file."""
    steps: list[str] = []
    files = ["", str(tmp_path / "500.bdr")]
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *a: steps.append(f"{title}：{text}"))
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: (steps.append("reason"), ("请补充", True))[1])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (steps.append("file"), (files.pop(0), ""))[1])
    bureau.table.setCurrentCell(0, 0)  # 500: a draft
    assert bureau.rows[0].status == "draft"
    qtbot.mouseClick(_toolbar_button(bureau, bureau.return_action), Qt.MouseButton.LeftButton)
    assert len(steps) == 1 and steps[0].startswith("不能退回：") and "不是已上报状态" in steps[0]
    # Marked 已上报 elsewhere since the list was read: the reason, then the file (cancelled: no 退回) ...
    dataset = store.open_dataset("500", 2023)
    from tests.conftest import explain_all_findings

    explain_all_findings(dataset)
    dataset.set_status("submitted")
    steps.clear()
    qtbot.mouseClick(_toolbar_button(bureau, bureau.return_action), Qt.MouseButton.LeftButton)
    assert steps == ["reason", "file"]
    assert store.dataset_info("500", 2023).status == "submitted"
    # ... and with a file: returned, though the list still said 编制中 when the button was clicked.
    steps.clear()
    qtbot.mouseClick(_toolbar_button(bureau, bureau.return_action), Qt.MouseButton.LeftButton)
    assert steps == ["reason", "file"]
    assert store.dataset_info("500", 2023).status == "draft" and (tmp_path / "500.bdr").exists()
    assert bureau.rows[0].returned == "请补充"


def test_tree_return_checks_the_status_before_asking(qtbot, bureau, monkeypatch):
    steps: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *a: steps.append(f"{title}：{text}"))
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: (steps.append("reason"), ("请补充", True))[1])
    panel = bureau.tree_panel
    assert panel.tree.select("501")
    qtbot.mouseClick(panel.return_button, Qt.MouseButton.LeftButton)
    assert len(steps) == 1 and "不是已上报状态" in steps[0]
    steps.clear()
    assert panel.tree.select("500")
    qtbot.mouseClick(panel.return_department_button, Qt.MouseButton.LeftButton)
    assert len(steps) == 1 and "都不是已上报状态" in steps[0]


def test_the_windows_dialogs_fit_on_the_screen(qtbot, bureau):
    free = QGuiApplication.primaryScreen().availableGeometry()
    dialog = _consolidation_view(qtbot, bureau)
    assert dialog.height() <= free.height() and dialog.width() <= free.width()
    assert free.contains(dialog.geometry().topLeft())
    bureau.table.setCurrentCell(0, 0)
    unit = bureau.view_unit()
    assert unit.height() <= free.height() and unit.width() <= free.width()
