"""打印预览 and 情况说明 driven through the real widgets: choosing, preview, export, print, edits, regeneration."""

from __future__ import annotations

import re
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QToolBar
from sqlalchemy.engine import make_url

from app.base.errors import InputError
from app.projects import narrative
from tests.conftest import explain_all_findings
from tests.qt_helpers import type_text
from tests.test_gui_editor import tab, type_into
from ui.editor.narrative_tab import NarrativeTab, RegenerationDialog
from ui.printing import dialog as print_dialog_module
from ui.printing.choices import FORM_PREFIX, PROJECT_PREFIX, WHOLE_DOCUMENT
from ui.printing.dialog import PrintDialog
from ui.printing.settings import settings_text
from ui.window.main_window import MainWindow

THREE_PUBLIC_TITLE = "部门预算财政拨款“三公”经费支出表"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        return _squash("".join(page.get_textpage().get_text_range() for page in document))
    finally:
        document.close()


def pdf_page_sizes(path) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [page.get_size() for page in document]
    finally:
        document.close()


@pytest.fixture
def dialog(qtbot, window):
    opened = PrintDialog(window.controller, window)
    opened.show()
    wait_for_preview(qtbot, opened)  # the first preview renders in a worker
    yield opened
    opened.reject()


def toggle_choice(qtbot, dialog, key):
    """Tick or untick a line of 打印内容 the way a clerk does with the keyboard."""
    dialog.choice_list.setFocus()
    dialog.choice_list.setCurrentItem(dialog.choice_item(key))
    qtbot.keyClick(dialog.choice_list, Qt.Key.Key_Space)


def wait_for_preview(qtbot, dialog):
    # the preview follows the ticks after a short delay (several clicks render once), in a worker
    qtbot.waitUntil(lambda: not dialog._refresh_timer.isActive() and dialog.preview_job is None, timeout=60000)


def wait_for_jobs(qtbot, dialog):
    """Export and print run in a worker: wait until they are over."""
    qtbot.waitUntil(lambda: dialog.export_job is None and dialog.print_job is None, timeout=60000)


def close_at_once(print_dialog):
    """Stands in for PrintDialog.exec: the clerk closes it straight away (which releases the PDF)."""
    print_dialog.reject()
    return QDialog.DialogCode.Rejected


def checked_keys(dialog):
    return [choice.key for choice in dialog.checked_choices()]


# ---- 打印预览 --------------------------------------------------------------------------------

def test_opens_on_the_whole_document_with_every_page_and_the_font(dialog):
    assert checked_keys(dialog) == [WHOLE_DOCUMENT]
    assert dialog.result is not None and dialog.result.pages > 0
    assert dialog.page_count() == dialog.result.pages
    assert len(dialog.preview.page_widgets) == dialog.result.pages
    assert dialog.page_count_label.text() == f"共 {dialog.result.pages} 页"
    assert dialog.font_label.text().startswith("打印字体：")
    assert dialog.print_button.isEnabled() and dialog.export_button.isEnabled()
    titles = [dialog.choice_list.item(row).text() for row in range(dialog.choice_list.count())]
    assert titles[0] == "整套文件（封面、目录、全部表格、情况说明）"
    assert THREE_PUBLIC_TITLE in titles


def test_ticking_forms_previews_only_them_and_the_whole_document_is_exclusive(qtbot, dialog):
    toggle_choice(qtbot, dialog, FORM_PREFIX + "three_public_expenses")
    assert checked_keys(dialog) == [FORM_PREFIX + "three_public_expenses"]  # 整套文件 unticked itself
    wait_for_preview(qtbot, dialog)
    assert dialog.page_count() == dialog.result.pages == 1
    assert dialog.page_count_label.text() == "共 1 页"
    page = dialog.preview.page_image(0, 1.0)
    assert not page.isNull()
    assert any(byte < 128 for byte in bytes(page.constBits())), "the preview page is blank"

    toggle_choice(qtbot, dialog, FORM_PREFIX + "income_summary")
    wait_for_preview(qtbot, dialog)
    assert checked_keys(dialog) == [FORM_PREFIX + "income_summary", FORM_PREFIX + "three_public_expenses"]
    assert dialog.page_count() == dialog.result.pages == 2
    assert dialog.pages.is_landscape(0) and not dialog.pages.is_landscape(1)

    toggle_choice(qtbot, dialog, WHOLE_DOCUMENT)
    assert checked_keys(dialog) == [WHOLE_DOCUMENT]

    toggle_choice(qtbot, dialog, WHOLE_DOCUMENT)  # nothing ticked: nothing to print
    wait_for_preview(qtbot, dialog)
    assert dialog.page_count() == 0
    assert not dialog.print_button.isEnabled() and not dialog.export_button.isEnabled()
    assert dialog.preview.message.text() == "请在左侧勾选要打印的内容。"


def test_zoom_steps_and_fit_width(qtbot, dialog):
    dialog.fit_width()
    fitted = dialog.preview.zoom
    assert dialog.fit_button.isChecked()
    qtbot.mouseClick(dialog.zoom_in_button, Qt.MouseButton.LeftButton)
    assert dialog.preview.zoom > fitted
    assert not dialog.fit_button.isChecked()
    assert dialog.zoom_label.text() == f"{round(dialog.preview.zoom * 100)}%"
    width = dialog.preview.page_widgets[0].width()
    qtbot.mouseClick(dialog.zoom_out_button, Qt.MouseButton.LeftButton)
    assert dialog.preview.page_widgets[0].width() < width


def test_another_project_style_choice_prints_alone(qtbot, dialog):
    dialog.add_choice("project:demo", "项目：演示", lambda: {"forms": ["income_summary"], "cover": True},
                      group="单个项目")
    toggle_choice(qtbot, dialog, "project:demo")
    assert checked_keys(dialog) == ["project:demo"]
    wait_for_preview(qtbot, dialog)
    assert dialog.page_count() == 2  # cover + the table


def test_one_project_prints_its_target_and_approval_tables_alone(qtbot, dialog, tmp_path, monkeypatch):
    from app.projects import ProjectBook

    projects = {name: project_id for project_id, name, _amount in ProjectBook(dialog.controller.dataset).project_choices()}
    assert len(projects) == 21
    titles = [dialog.choice_list.item(row).text() for row in range(dialog.choice_list.count())]
    assert "单个项目（绩效目标表和批复表）" in titles and "项目：广播电视机构宣传费" in titles
    key = f"{PROJECT_PREFIX}{projects['广播电视机构宣传费']}"
    toggle_choice(qtbot, dialog, FORM_PREFIX + "three_public_expenses")
    toggle_choice(qtbot, dialog, key)
    assert checked_keys(dialog) == [key]  # a project prints alone
    wait_for_preview(qtbot, dialog)
    assert dialog.page_count() == dialog.result.pages >= 2
    assert dialog.default_file_name().endswith("2023年广播电视机构宣传费绩效目标表.pdf")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (str(tmp_path / "project.pdf"), "PDF 文件 (*.pdf)"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    text = pdf_text(tmp_path / "project.pdf")
    assert "项目支出绩效目标表" in text and "批复表" in text and "广播电视机构宣传费项目预算控制数" in text
    assert "慢直播系统建设费" not in text  # only this project


def test_project_part_tables_combine_with_forms(qtbot, dialog):
    toggle_choice(qtbot, dialog, FORM_PREFIX + "procurement")
    toggle_choice(qtbot, dialog, FORM_PREFIX + "three_public_expenses")
    toggle_choice(qtbot, dialog, FORM_PREFIX + "overall_targets")
    assert dialog.selected_options() == {"forms": ["three_public_expenses", "overall_targets", "procurement"]}
    wait_for_preview(qtbot, dialog)
    assert dialog.result is not None and dialog.page_count() >= 3


def test_export_writes_the_chosen_form_under_a_default_name(qtbot, dialog, tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    exports.mkdir()
    toggle_choice(qtbot, dialog, FORM_PREFIX + "three_public_expenses")
    wait_for_preview(qtbot, dialog)
    asked = {}

    def save_as(parent, caption, default_path, file_filter):
        asked["default"] = default_path
        return str(exports / "三公经费"), file_filter  # the clerk typed no .pdf

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    assert asked["default"].endswith(f"359_秦皇岛经济技术开发区融媒体中心_2023年{THREE_PUBLIC_TITLE}.pdf")
    written = exports / "三公经费.pdf"
    assert written.is_file()
    text = pdf_text(written)
    assert THREE_PUBLIC_TITLE in text and "部门预算收入总表" not in text
    assert "已导出" in dialog.message.text()
    assert sorted(path.name for path in exports.iterdir()) == ["三公经费.pdf"]  # no temporary left


def test_whole_document_default_name(dialog):
    assert dialog.default_file_name() == "359_秦皇岛经济技术开发区融媒体中心_2023年部门预算.pdf"


def test_export_failures_are_told_in_chinese_and_write_nothing(qtbot, dialog, tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / "预算.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))

    def refuse(*args, **kwargs):
        raise InputError("没有可打印的内容：请至少选择一张表或封面。")

    monkeypatch.setattr(print_dialog_module, "render_document", refuse)
    dialog.rendered = None  # nothing rendered yet: the export renders itself
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    assert dialog.message.text() == "没有导出：没有可打印的内容：请至少选择一张表或封面。"
    assert list(exports.iterdir()) == []

    monkeypatch.undo()
    missing_folder = exports / "不存在的文件夹" / "预算.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(missing_folder), ""))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    assert dialog.message.text().startswith("没有导出：写入")
    assert list(exports.iterdir()) == []


def test_print_paints_each_page_in_its_orientation(qtbot, dialog, tmp_path, monkeypatch):
    toggle_choice(qtbot, dialog, FORM_PREFIX + "income_summary")
    toggle_choice(qtbot, dialog, FORM_PREFIX + "three_public_expenses")
    wait_for_preview(qtbot, dialog)
    out = tmp_path / "printed.pdf"

    def accept(print_dialog):
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    sizes = pdf_page_sizes(out)
    assert len(sizes) == 2
    (first_width, first_height), (second_width, second_height) = sizes
    assert first_width > first_height  # 收入总表 is landscape
    assert second_width < second_height  # “三公”经费表 is portrait
    assert "已打印 2 页" in dialog.message.text()


def test_print_honours_the_page_range(qtbot, dialog, tmp_path, monkeypatch):
    out = tmp_path / "range.pdf"

    def accept(print_dialog):
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 3)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot, dialog)
    assert len(pdf_page_sizes(out)) == 2


def test_cancelled_print_dialog_prints_nothing(qtbot, dialog, monkeypatch):
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert dialog.print_pages() is False
    assert dialog.message.text() == ""


# ---- main window actions ----------------------------------------------------------------------

def test_print_action_needs_an_open_dataset_and_ctrl_p_opens_the_dialog(qtbot, window, store, monkeypatch):
    assert window.print_action.isEnabled()
    assert window.print_action.shortcut().toString() == "Ctrl+P"
    opened = []
    monkeypatch.setattr(PrintDialog, "exec", lambda self: opened.append(self) or close_at_once(self))
    window.print_action.trigger()
    assert len(opened) == 1 and opened[0].controller is window.controller

    from PySide6.QtCore import QSettings

    QSettings().clear()  # no dataset to reopen
    empty = MainWindow(store)
    qtbot.addWidget(empty)
    assert not empty.print_action.isEnabled()
    empty.open_dataset("359", 2023)
    assert empty.print_action.isEnabled()


def test_settings_show_the_font_and_the_database_without_password(window, store, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    window.findChild(QAction, "settings").trigger()
    assert "打印字体：" in shown[0]
    assert str(store.engine.url.database) in shown[0]

    class ServerStore:
        class engine:  # noqa: N801 - stands in for an SQLAlchemy engine
            url = make_url("postgresql+psycopg://clerk:s3cret@budget.example/budget")

    text = settings_text(ServerStore)
    assert "clerk@budget.example/budget" in text and "s3cret" not in text


# ---- 情况说明 ---------------------------------------------------------------------------------

@pytest.fixture
def narrative_tab(window):
    # the lead wires this into open_dataset; the tests add it the same way
    widget = NarrativeTab(window.controller, window)
    window.tabs.addTab(widget, "情况说明")
    window.tabs.setCurrentWidget(widget)
    return widget


def choose_section(qtbot, narrative_widget, key):
    sections = narrative_widget.section_list
    row = [section.key for section in narrative_widget.sections].index(key)
    sections.scrollToItem(sections.item(row))
    qtbot.mouseClick(sections.viewport(), Qt.MouseButton.LeftButton,
                     pos=sections.visualItemRect(sections.item(row)).center())
    assert narrative_widget.current_key() == key


def type_at_end(qtbot, narrative_widget, text):
    editor = narrative_widget.editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, editor, text)


def item_text(narrative_widget, key):
    row = [section.key for section in narrative_widget.sections].index(key)
    return narrative_widget.section_list.item(row).text()


def stored_section(store, key):
    return next(section for section in narrative.sections(store.open_dataset("359", 2023)) if section.key == key)


def test_sections_are_listed_with_printed_headings(narrative_tab):
    texts = [narrative_tab.section_list.item(row).text() for row in range(narrative_tab.section_list.count())]
    assert texts[0] == "开篇说明"
    assert "一、部门职责及机构设置情况" in texts
    assert any(text.strip() == "1、收入说明" for text in texts)
    assert narrative_tab.editor.toPlainText() == narrative_tab.sections[0].text
    assert not narrative_tab.restore_button.isEnabled()


def test_edit_is_stored_when_another_section_is_chosen(qtbot, window, store, narrative_tab):
    choose_section(qtbot, narrative_tab, "organization")
    type_at_end(qtbot, narrative_tab, "本中心负责开发区新闻宣传。")
    choose_section(qtbot, narrative_tab, "income")
    assert "［已修改］" in item_text(narrative_tab, "organization")
    stored = stored_section(store, "organization")
    assert stored.edited and stored.text.endswith("本中心负责开发区新闻宣传。")
    assert "已保存 " in window.windowTitle()

    choose_section(qtbot, narrative_tab, "organization")  # shown again: the clerk's text, restorable
    assert narrative_tab.editor.toPlainText().endswith("本中心负责开发区新闻宣传。")
    assert narrative_tab.restore_button.isEnabled()


def test_restore_generated_text(qtbot, store, narrative_tab, monkeypatch):
    choose_section(qtbot, narrative_tab, "other")
    type_at_end(qtbot, narrative_tab, "另有说明。")
    narrative_tab.section_list.setFocus()  # leaving the box saves
    assert stored_section(store, "other").edited
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(narrative_tab.restore_button, Qt.MouseButton.LeftButton)
    assert not stored_section(store, "other").edited
    assert narrative_tab.editor.toPlainText() == "我部门无其他需要说明的事项。"
    assert "［" not in item_text(narrative_tab, "other")


def test_regeneration_shows_changes_and_replaces_only_ticked_sections(qtbot, window, store, narrative_tab,
                                                                         monkeypatch):
    choose_section(qtbot, narrative_tab, "expenditure")
    type_at_end(qtbot, narrative_tab, "另有说明。")
    choose_section(qtbot, narrative_tab, "other")
    type_at_end(qtbot, narrative_tab, "无。")
    choose_section(qtbot, narrative_tab, "income")

    expenditure = tab(window, "expenditure_summary")  # the data changes after the edit
    type_into(qtbot, expenditure, "2070699", "basic", "600")
    window.tabs.setCurrentWidget(narrative_tab)
    assert "［数据已变化］" in item_text(narrative_tab, "expenditure")
    assert "［已修改］" in item_text(narrative_tab, "other")

    monkeypatch.setattr(RegenerationDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    qtbot.mouseClick(narrative_tab.regenerate_button, Qt.MouseButton.LeftButton)
    assert stored_section(store, "expenditure").edited  # cancelled: nothing replaced

    seen = {}

    def tick_expenditure(regeneration):
        seen["listed"] = sorted(regeneration.changes)
        assert not regeneration.apply_button.isEnabled()  # nothing is ticked at first
        item = regeneration.item_for("expenditure")
        regeneration.change_list.setCurrentItem(item)
        seen["diff"] = regeneration.diff_view.toPlainText()
        regeneration.change_list.setFocus()
        qtbot.keyClick(regeneration.change_list, Qt.Key.Key_Space)
        assert regeneration.apply_button.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RegenerationDialog, "exec", tick_expenditure)
    qtbot.mouseClick(narrative_tab.regenerate_button, Qt.MouseButton.LeftButton)
    assert seen["listed"] == ["expenditure", "other"]
    assert "删去：" in seen["diff"] and "改为：" in seen["diff"] and "1224.45万元" in seen["diff"]
    replaced = stored_section(store, "expenditure")
    assert not replaced.edited and "1224.45万元" in replaced.text and "另有说明" not in replaced.text
    assert stored_section(store, "other").edited  # unticked: the clerk's text stays
    assert "［" not in item_text(narrative_tab, "expenditure")
    assert "已按当前数据重新生成 1 个部分" in narrative_tab.message.text()


def test_data_change_refreshes_generated_text_of_untouched_sections(qtbot, window, narrative_tab):
    choose_section(qtbot, narrative_tab, "expenditure")
    assert "1206.65万元" in narrative_tab.editor.toPlainText()
    window.controller.set_cells([window.dataset.prepare_change("expenditure_summary", "2070699", "basic", "600")],
                                "测试")
    assert "1224.45万元" in narrative_tab.editor.toPlainText()  # visible tab follows at once
    assert narrative.sections(window.dataset)[0].edited is False
    assert window.dataset.value("expenditure_summary", "2070699", "basic") == Decimal("600.00")


def test_submitted_dataset_is_read_only_and_pending_text_is_kept(qtbot, window, store, narrative_tab, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("财政局退回修改", True))
    choose_section(qtbot, narrative_tab, "other")
    type_at_end(qtbot, narrative_tab, "无。")
    explain_all_findings(window.dataset)
    button = window.findChild(QToolBar, "main_toolbar").widgetForAction(window.submit_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert store.open_dataset("359", 2023).status == "submitted"
    assert stored_section(store, "other").text.endswith("无。")  # saved before the status changed
    assert narrative_tab.editor.isReadOnly()
    assert narrative_tab.read_only_notice.isVisible()
    assert not narrative_tab.restore_button.isEnabled() and not narrative_tab.regenerate_button.isEnabled()
    type_at_end(qtbot, narrative_tab, "不应保存")
    assert not narrative_tab.editor.toPlainText().endswith("不应保存")

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # 撤回上报
    assert not narrative_tab.editor.isReadOnly()
    assert not narrative_tab.read_only_notice.isVisible()


def test_print_action_saves_the_text_still_in_the_box(qtbot, window, store, narrative_tab, monkeypatch):
    choose_section(qtbot, narrative_tab, "other")
    type_at_end(qtbot, narrative_tab, "无。")
    monkeypatch.setattr(PrintDialog, "exec", close_at_once)
    window.print_action.trigger()
    assert stored_section(store, "other").text.endswith("无。")
