"""导入数据包（文件夹）in the 财政局 window (issue 29, item 3), driven through the real widgets: refusals grouped by
kind in the window's words, 覆盖 / 合并… / 跳过 per package and 全部覆盖, 登记密钥… from the refusal itself, the
progress with a count, the unit and the time left; and, for one package, what would refuse 覆盖 shown in the
preview before it is pressed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit, QPushButton

from app.base.clock import now_utc
from app.bureau import intake
from app.exchange.package import reader, trust
from tests.test_package import make_package, seed_document

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)

COMMAND_LINE = re.compile(r"--[a-z]|budgetdesk ")


@pytest.fixture
def boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda *args, kind=kind: shown.append((kind, args[1], args[2])))
    return shown


@pytest.fixture
def settings(tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))


def _total(store, code: str) -> str:
    from app.bureau.standing import overview

    return next(str(row.total) for row in overview(store, 2023) if row.unit_code == code)


@pytest.fixture
def usb(store, tmp_path):
    """A folder as a bureau officer gets it: two good packages, one signed by a key other than the one
    registered for its unit, two of units held already whose figures differ, one cut short in copying."""
    held = tmp_path / "held"
    held.mkdir()
    for code in ("104", "106"):  # received before: their keys registered, their data held
        intake.import_package(store, make_package(held / f"{code}.bdp", seed_document(code=code, name=f"测试单位{code}")),
                              backup=False)
    own = make_package(held / "103.bdp", seed_document(code="103", name="测试单位103"))
    trust.trust_key(store, "103", reader.open_package(own).fingerprint)  # typed off its paper, nothing received yet
    folder = tmp_path / "usb"
    folder.mkdir()
    for code in ("101", "102"):
        make_package(folder / f"{code}.bdp", seed_document(code=code, name=f"测试单位{code}"))
    make_package(folder / "103.bdp", seed_document(code="103", name="测试单位103"), key=Ed25519PrivateKey.generate())
    for code in ("104", "106"):
        make_package(folder / f"{code}.bdp", seed_document(code=code, name=f"测试单位{code}", scale=2))
    bad = make_package(folder / "105.bdp", seed_document(code="105", name="测试单位105"))
    bad.write_bytes(bad.read_bytes()[:-100])
    return folder


def _window(qtbot, store):
    from ui.bureau.window import BureauWindow

    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    window.show()
    return window


def _import(qtbot, window, folder):
    window.import_folder(str(folder))
    qtbot.waitUntil(lambda: window.job is not None and window.job.outcome is not None, timeout=120000)
    assert window.job.outcome == "done"
    return window.folder_import


def _texts(panel) -> list[str]:
    tree, out = panel.tree, []
    for number in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(number)
        out.append(group.text(0))
        for child in range(group.childCount()):
            item = group.child(child)
            out += [item.text(column) for column in range(4)] + [item.toolTip(2)]
    return out


def _button(qtbot, panel, name: str, file: str) -> QPushButton:
    """The choice ``name`` for the package ``file``: its row selected (clicked, as the officer does), the button
    under the list."""
    item = panel.refusal_item(file)
    panel.tree.scrollToItem(item)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=panel.tree.visualItemRect(item).center())
    assert panel.selected() == [item.data(0, Qt.ItemDataRole.UserRole)]
    button = panel.findChild(QPushButton, f"{name}_selected")
    assert button.isEnabled(), f"{name} not offered for {file}"
    return button


def _wait_job(qtbot, window):
    qtbot.waitUntil(lambda: window.job.outcome is not None, timeout=120000)


def test_refusals_are_grouped_by_kind_in_the_window_words(qtbot, store, usb, settings, boxes):
    window = _window(qtbot, store)
    panel = _import(qtbot, window, usb)
    heading = panel.heading.text()
    assert "成功 2 个" in heading
    assert "4 个数据包未导入：密钥不符 1，已存在（不同） 2，文件损坏 1" in heading
    groups = [panel.tree.topLevelItem(number).text(0) for number in range(panel.tree.topLevelItemCount())]
    assert groups == ["密钥不符（1 个）", "已存在（不同）（2 个）", "文件损坏（1 个）", "已导入（2 个）"]
    existing = panel.tree.topLevelItem(1)
    assert [existing.child(n).text(0) for n in range(2)] == ["104.bdp", "106.bdp"]
    assert existing.child(0).text(1) == "104 测试单位104" and "可覆盖、合并或跳过" in existing.child(0).text(2)
    texts = _texts(panel)
    assert not [text for text in texts if COMMAND_LINE.search(text)], "a command-line option in the window"
    assert not [text for text in texts if "单元格：相同" in text or "表。表。" in text or "表,表" in text]
    assert all("\n" not in panel.tree.topLevelItem(g).child(c).text(2)  # one line each; the whole on select
               for g in range(3) for c in range(panel.tree.topLevelItem(g).childCount()))

    mismatch = panel.refusal_item("103.bdp")
    panel.tree.setCurrentItem(mismatch)
    detail = panel.detail.toPlainText()
    assert "103.bdp" in detail and "不一致" in detail and "登记密钥…" in detail and not COMMAND_LINE.search(detail)
    assert not [box for box in boxes if box[0] == "warning"]  # one list, not a box per package


def test_overwrite_one_skip_another(qtbot, store, usb, settings, boxes):
    window = _window(qtbot, store)
    panel = _import(qtbot, window, usb)
    before_104, before_106 = _total(store, "104"), _total(store, "106")
    overwrite = _button(qtbot, panel, "overwrite", "104.bdp")
    assert overwrite.isVisible()
    qtbot.mouseClick(overwrite, Qt.MouseButton.LeftButton)
    _wait_job(qtbot, window)
    qtbot.waitUntil(lambda: panel.refusal_item("104.bdp") is None, timeout=10000)
    assert _total(store, "104") != before_104  # the package's (doubled) figures now
    qtbot.mouseClick(_button(qtbot, panel, "skip", "106.bdp"), Qt.MouseButton.LeftButton)
    assert panel.refusal_item("106.bdp") is None and _total(store, "106") == before_106
    assert "2 个数据包未导入：密钥不符 1，文件损坏 1" in panel.heading.text()
    assert "已处理 2 个" in panel.heading.text()
    handled = [text for text in _texts(panel) if text.startswith("✔ 已")]
    assert handled == ["✔ 已覆盖：104.bdp（104 测试单位104）", "✔ 已跳过：106.bdp（106 测试单位106）"]


def test_overwrite_all(qtbot, store, usb, settings, boxes):
    window = _window(qtbot, store)
    panel = _import(qtbot, window, usb)
    before = {code: _total(store, code) for code in ("104", "106")}
    assert panel.overwrite_all_button.isVisible()
    qtbot.mouseClick(panel.overwrite_all_button, Qt.MouseButton.LeftButton)
    _wait_job(qtbot, window)
    qtbot.waitUntil(lambda: not panel.pending("已存在（不同）"), timeout=10000)
    assert all(_total(store, code) != before[code] for code in before)
    assert not panel.overwrite_all_button.isVisible()


def test_merge_opens_the_package_difference_table_by_table(qtbot, store, usb, settings, boxes):
    window = _window(qtbot, store)
    panel = _import(qtbot, window, usb)
    qtbot.mouseClick(_button(qtbot, panel, "merge", "104.bdp"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(window, "resubmission_dialog", None) is not None
                    and window.resubmission_dialog.isVisible(), timeout=120000)
    dialog = window.resubmission_dialog
    assert "104" in dialog.findChild(type(panel.heading), "resubmission_header").text()
    first = next(iter(dialog.part_items))
    dialog.set_checked(first)
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.refusal_item("104.bdp") is None, timeout=120000)
    assert any(text.startswith("✔ 已合并：104.bdp") for text in _texts(panel))


def test_register_a_changed_key_from_the_refusal_and_import(qtbot, store, usb, settings, boxes):
    window = _window(qtbot, store)
    panel = _import(qtbot, window, usb)
    new_fingerprint = reader.open_package(usb / "103.bdp").fingerprint
    qtbot.mouseClick(_button(qtbot, panel, "trust", "103.bdp"), Qt.MouseButton.LeftButton)
    dialog = window.trust_dialog
    assert dialog.isVisible() and dialog.unit.text() == "103" and dialog.fingerprint.text() == new_fingerprint
    assert dialog.replace.isChecked()
    dialog.reason.setText("原电脑损坏，重新生成密钥")  # (QTest types ASCII only)
    dialog.accept()
    _wait_job(qtbot, window)
    qtbot.waitUntil(lambda: panel.refusal_item("103.bdp") is None, timeout=10000)
    active = [key.fingerprint for key in trust.trusted_keys(store, "103") if key.status == "active"]
    assert active == [new_fingerprint]
    assert ("103", 2023) in {(info.unit_code, info.year) for info in store.list_datasets()}
    assert any(text.startswith("✔ 已更换密钥并导入：103.bdp") for text in _texts(panel))


@pytest.mark.confirm_keys  # first-seen keys need a person here (tests/conftest.py)
def test_register_a_first_seen_key_from_the_refusal(qtbot, store, tmp_path, settings, boxes, monkeypatch):
    folder = tmp_path / "usb"
    folder.mkdir()
    for code in ("201", "202"):
        make_package(folder / f"{code}.bdp", seed_document(code=code, name=f"新单位{code}"))
    asked, answers = [], [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, title, text, *_a: asked.append((title, text))
                        or answers.pop(0))
    window = _window(qtbot, store)
    panel = _import(qtbot, window, folder)  # the two keys offered in one box at once: 不一致
    assert len(asked) == 1 and "2 个数据包未导入：未登记密钥 2" in panel.heading.text()
    assert store.list_datasets() == []
    qtbot.mouseClick(_button(qtbot, panel, "trust", "201.bdp"), Qt.MouseButton.LeftButton)
    assert len(asked) == 2 and "单位 201 新单位201" in asked[1][1] and "202" not in asked[1][1]
    _wait_job(qtbot, window)
    qtbot.waitUntil(lambda: panel.refusal_item("201.bdp") is None, timeout=10000)
    assert [info.unit_code for info in store.list_datasets()] == ["201"]
    assert "1 个数据包未导入：未登记密钥 1" in panel.heading.text()


def test_folder_import_progress_says_count_unit_and_time_left(qtbot, store, usb, settings, boxes):
    window = _window(qtbot, store)
    window.import_folder(str(usb))
    texts = []
    window.job.progressed.connect(lambda _done, _total, text: texts.append(text))
    qtbot.waitUntil(lambda: window.job.outcome is not None, timeout=120000)
    counted = [text for text in texts if re.fullmatch(r"正在导入 \d/6：(单位 \d+ 测试单位\d+|\d+\.bdp)，"
                                                       r"(约剩 \d+ (秒|分钟)|正在估算剩余时间)", text)]
    assert counted, texts
    assert any("约剩" in text for text in texts), texts
    assert any(re.match(r"正在导入 \d/6：单位 10\d 测试单位10\d", text) for text in texts), texts


def test_time_left_is_estimated_from_the_pace():
    from app.base.progress import time_left_text

    assert time_left_text(0, 200, 0.0) == "正在估算剩余时间"
    assert time_left_text(36, 200, 9.0) == "约剩 41 秒"
    assert time_left_text(10, 200, 60.0) == "约剩 19 分钟"


def test_the_preview_shows_what_refuses_replace_before_it_is_pressed(qtbot, store, tmp_path, settings, boxes):
    """A package marked 已上报 whose content does not pass 审核: 覆盖全部 disabled, the findings in a scrolling
    area of the preview; 合并所选 still possible."""
    intake.import_package(store, make_package(tmp_path / "held.bdp", seed_document()), backup=False)
    unready = seed_document(scale=2)
    unready["status"] = "submitted"  # without the 说明 and amounts a 已上报 needs
    path = make_package(tmp_path / "unready.bdp", unready)
    window = _window(qtbot, store)
    window.import_file(str(path))
    qtbot.waitUntil(lambda: getattr(window, "resubmission_dialog", None) is not None
                    and window.resubmission_dialog.isVisible(), timeout=120000)
    dialog = window.resubmission_dialog
    assert not dialog.replace_button.isEnabled()
    refusal = dialog.refusal.toPlainText()
    assert dialog.refusal.isVisible() and "审核问题未处理" in refusal and "不能覆盖导入" in refusal
    assert len(refusal.splitlines()) > 3 and dialog.refusal.maximumHeight() <= 150  # the list scrolls
    assert not COMMAND_LINE.search(refusal)
    dialog.set_checked(next(iter(dialog.part_items)))
    assert dialog.merge_button.isEnabled()
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert dialog.frameGeometry().height() <= screen.height()


def test_a_long_refusal_fits_on_the_screen(qtbot, store, tmp_path, settings, boxes):
    """覆盖 confirmed anyway (a test's ``ask``): the refusal's long list goes under 详细信息, the box fits."""
    intake.import_package(store, make_package(tmp_path / "held.bdp", seed_document()), backup=False)
    unready = seed_document(scale=2)
    unready["status"] = "submitted"
    path = make_package(tmp_path / "unready.bdp", unready)
    window = _window(qtbot, store)
    window.import_file(str(path), ask=lambda _preview: True)
    qtbot.waitUntil(lambda: getattr(window, "refusal_box", None) is not None and window.refusal_box.isVisible(),
                    timeout=120000)
    box = window.refusal_box
    assert not boxes  # not the plain box (its height grows with the text)
    assert "审核问题未处理" in box.text() and len(box.detailedText().splitlines()) > len(box.text().splitlines())
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert box.sizeHint().height() <= screen.height()
    box.close()


def test_same_content_and_a_submitted_unit_say_so(qtbot, store, tmp_path, settings, boxes):
    """A package with the data held already: 已存在（相同）, nothing to choose; 覆盖 of a unit held as 已上报 is
    refused as 已上报 (退回 first), in the window's words."""
    held, folder = tmp_path / "held", tmp_path / "usb"
    held.mkdir()
    folder.mkdir()
    # A minute older than the folder's copy: packages made in the same second are the very same file (已导入).
    earlier = now_utc(whole_seconds=True) - timedelta(minutes=1)
    intake.import_package(store, make_package(held / "107.bdp", seed_document(code="107", name="测试单位107"),
                                              created=earlier), backup=False)
    intake.import_package(store, make_package(held / "108.bdp", seed_document(code="108", name="测试单位108",
                                                                              status="submitted")), backup=False)
    make_package(folder / "107.bdp", seed_document(code="107", name="测试单位107"))
    make_package(folder / "108.bdp", seed_document(code="108", name="测试单位108", scale=2))
    window = _window(qtbot, store)
    panel = _import(qtbot, window, folder)
    assert "2 个数据包未导入：已存在（不同） 1，已存在（相同） 1" in panel.heading.text()
    assert "无需导入" in panel.refusal_item("107.bdp").text(2)
    panel.tree.topLevelItem(1).setExpanded(True)
    same = panel.refusal_item("107.bdp")
    panel.tree.setCurrentItem(same)
    assert not panel.overwrite_button.isEnabled() and not panel.merge_button.isEnabled()  # nothing to choose
    qtbot.mouseClick(_button(qtbot, panel, "overwrite", "108.bdp"), Qt.MouseButton.LeftButton)
    _wait_job(qtbot, window)
    qtbot.waitUntil(lambda: "已上报 1" in panel.heading.text(), timeout=10000)
    line = panel.refusal_item("108.bdp").text(2)
    assert "已上报" in line and "退回" in line and not COMMAND_LINE.search(panel.refusal_item("108.bdp").toolTip(2))


@pytest.mark.confirm_keys
def test_many_first_seen_keys_are_compared_in_a_scrolling_list(qtbot, store, tmp_path, settings, boxes, monkeypatch):
    from ui.bureau import folder_import

    monkeypatch.setattr(folder_import, "KEYS_IN_ONE_BOX", 1)  # (a real folder: more than ten)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: pytest.fail("a message box for a long list of keys"))
    folder = tmp_path / "usb"
    folder.mkdir()
    for code in ("301", "302"):
        make_package(folder / f"{code}.bdp", seed_document(code=code, name=f"新单位{code}"))
    window = _window(qtbot, store)
    panel = _import(qtbot, window, folder)  # no box at once: the group's button
    assert "2 个数据包未导入：未登记密钥 2" in panel.heading.text() and panel.trust_all_button.isVisible()
    assert panel.height() >= panel.minimumSizeHint().height() > 0  # not squeezed out of a small window
    qtbot.mouseClick(panel.trust_all_button, Qt.MouseButton.LeftButton)
    dialog = panel.fingerprint_dialog
    listing = dialog.findChild(QPlainTextEdit, "fingerprint_list").toPlainText()
    assert "单位 301 新单位301" in listing and "单位 302 新单位302" in listing
    qtbot.mouseClick(dialog.findChild(QPushButton, "fingerprints_match"), Qt.MouseButton.LeftButton)
    _wait_job(qtbot, window)
    qtbot.waitUntil(lambda: not panel.result.refusals, timeout=10000)
    assert sorted(info.unit_code for info in store.list_datasets()) == ["301", "302"]
    assert "成功 2 个，未导入 0 个" in panel.heading.text()
