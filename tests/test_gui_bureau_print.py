"""The 财政局 window's read-only forms view prints when its 打印为 PDF… button is clicked with the mouse.

It used to crash every time: the button's clicked(bool) filled print_pdf's path with False.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.bureau import window as bureau_window


def test_print_button_asks_where_and_prints(qtbot, seed_dataset, tmp_path, monkeypatch):
    target = tmp_path / "359.pdf"
    asked = []

    def save_name(*args, **kwargs):
        asked.append(args[1])
        return str(target), "PDF 文件 (*.pdf)"

    monkeypatch.setattr(bureau_window.QFileDialog, "getSaveFileName", save_name)
    view = bureau_window.FormsView(seed_dataset, "359 秦皇岛经济技术开发区融媒体中心（已上报，只读）")
    qtbot.addWidget(view)
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(view, "job", None) is not None and view.job.outcome is not None, timeout=120000)
    assert asked == ["打印为 PDF"]
    assert target.read_bytes().startswith(b"%PDF")
    assert view.status.text().startswith(f"已打印到 {target}：共 ")
