"""打印测算表… in the 基本支出测算 tab: the real button, the worker job, the PDF read back; a fault writes nothing."""

import logging
from decimal import Decimal

import pypdfium2
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.basic.book import BasicInfoBook
from app.basic.records import BasicInfo, StaffMember, Vehicle

STAFF = [StaffMember("在职行政", name=f"职工{i}", basic_pay=Decimal("5000")) for i in range(10)]


def _pages(path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def _click_print(qtbot, window, monkeypatch, target, said: list[tuple[str, str]]):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: said.append(("information", text)))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(("warning", text)))
    window.tabs.setCurrentWidget(window.estimate_tab)
    tab = window.estimate_tab
    assert tab.print_button.text() == "打印测算表…" and not tab.names_box.isChecked()  # names off by default
    qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
    assert tab.print_job is not None
    qtbot.waitUntil(lambda: not tab.print_job.running, timeout=60000)
    assert tab.print_button.isEnabled()
    return tab.print_job


def test_the_button_prints_the_three_worksheets_with_page_numbers_in_a_worker(qtbot, window, monkeypatch, tmp_path):
    BasicInfoBook(window.dataset).replace(BasicInfo(STAFF, [Vehicle("一般公务用车", plate="冀C12345")]))
    target = tmp_path / "测算表.pdf"
    said: list[tuple[str, str]] = []
    job = _click_print(qtbot, window, monkeypatch, target, said)
    assert job.outcome == "done" and job.result == target
    pages = _pages(target)
    text = "\n".join(pages)
    assert "2023 年度人员情况表" in text and "2023 年度车辆情况表" in text and "2023 年度基本支出测算表" in text
    assert f"第 1 页 共 {len(pages)} 页" in pages[0] and f"第 {len(pages)} 页 共 {len(pages)} 页" in pages[-1]
    assert "职工3" not in text and "冀C12345" not in text  # no names unless asked
    signed = [page for page in pages if "单位负责人" in page]
    assert len(signed) == 3 and all("合计" in page for page in signed)  # never a signature alone on a page
    assert said == [("information", f"已打印人员情况表、车辆情况表和基本支出测算表：{target}")]

    window.estimate_tab.names_box.setChecked(True)
    named = tmp_path / "含名单"  # no suffix: .pdf is added
    said.clear()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(named), ""))
    qtbot.mouseClick(window.estimate_tab.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.estimate_tab.print_job.running, timeout=60000)
    named_text = "\n".join(_pages(tmp_path / "含名单.pdf"))
    assert "人员名单" in named_text and "职工3" in named_text and "冀C12345" in named_text


def test_an_unwritable_path_is_told_in_chinese_logged_and_writes_nothing(qtbot, window, monkeypatch, tmp_path,
                                                                          caplog):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "不存在的文件夹" / "测算表.pdf"
    said: list[tuple[str, str]] = []
    with caplog.at_level(logging.WARNING, logger="ui.projects.basic_print"):
        job = _click_print(qtbot, window, monkeypatch, target, said)
    assert job.outcome == "failed"
    assert len(said) == 1 and said[0][0] == "warning" and said[0][1].startswith(f"没有打印：写入 {target} 失败")
    assert any("not printed" in record.getMessage() for record in caplog.records)
    assert list(folder.iterdir()) == []  # no half file, no temporary


def test_cancel_writes_nothing(qtbot, window, monkeypatch, tmp_path):
    target = tmp_path / "测算表.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    window.tabs.setCurrentWidget(window.estimate_tab)
    tab = window.estimate_tab
    job = tab.print_worksheets()
    job.cancel()  # 取消 before the first page
    qtbot.waitUntil(lambda: not job.running, timeout=60000)
    assert job.outcome == "cancelled" and list(tmp_path.glob("*.pdf*")) == []
