"""A ``.bdp`` is read by the one bounded reader (app.base.textcheck.read_bounded), like every other file a
user hands us (issue 22, item 7): a FIFO, a device or a folder named ``x.bdp`` is refused as “不是普通文件” /
“是文件夹” (not “找不到数据包”), an empty one as 空文件, an oversized one by its size, before anything is
opened; ``import-packages`` lists each among the files it did not take in, with its reason and kind; nothing
is written."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.bureau import intake, refusals
from app.exchange.package import reader
from app.exchange.package.spec import MAX_PACKAGE_BYTES
from tests.conftest import dump, run
from tests.test_package import make_package, seed_document

pytestmark = [pytest.mark.usefixtures("key_dir"),
              pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev are POSIX")]

# What each bad file is called in the refusal, and the kind a folder import files it under.
WORDS = {
    "fifo": ("不是普通文件（是设备或管道）", refusals.UNREADABLE),
    "device": ("不是普通文件（是设备或管道）", refusals.UNREADABLE),
    "folder": ("是文件夹，不是数据包", refusals.UNREADABLE),
    "empty": ("是空文件，不是数据包", refusals.DAMAGED),
    "oversized": ("超过 200 MB", refusals.DAMAGED),
}


def _unblock_after(path: Path, seconds: float) -> threading.Timer:
    """Should a reader open the FIFO after all (the defect), open its other end later so the test fails
    instead of hanging the run."""
    def unblock() -> None:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass

    timer = threading.Timer(seconds, unblock)
    timer.daemon = True
    timer.start()
    return timer


@pytest.fixture
def make_bad(tmp_path):
    """``make_bad(kind, folder)``: a bad ``<kind>.bdp`` in ``folder``."""
    timers: list[threading.Timer] = []

    def make(kind: str, folder: Path = tmp_path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{kind}.bdp"
        if kind == "fifo":
            os.mkfifo(path)
            timers.append(_unblock_after(path, 60))
        elif kind == "device":
            path.symlink_to("/dev/zero")  # what a reader trusting stat() would read for ever
        elif kind == "folder":
            path.mkdir()
        elif kind == "empty":
            path.touch()
        elif kind == "oversized":
            with open(path, "wb") as handle:  # sparse: takes no disk space
                handle.truncate(MAX_PACKAGE_BYTES + 1)
        return path

    yield make
    for timer in timers:
        timer.cancel()


@pytest.fixture
def cli_db(tmp_path):
    from app.store.service import Store

    db = tmp_path / "bureau.sqlite3"
    Store(str(db)).close()
    return db


@pytest.mark.parametrize("kind", list(WORDS))
def test_cli_import_package_refuses_a_bad_file_in_the_readers_words(capsys, cli_db, make_bad, kind):
    path = make_bad(kind)
    before = dump(cli_db)
    code, out, err = run(capsys, "--db", str(cli_db), "import-package", str(path))
    assert code == 2
    assert WORDS[kind][0] in err and f"{kind}.bdp" in err, err
    assert "找不到" not in err and "不是有效的数据包" not in err and "Traceback" not in err + out
    assert dump(cli_db) == before  # nothing written


def test_cli_import_packages_lists_every_bad_file_with_its_reason(capsys, cli_db, make_bad, tmp_path):
    folder = tmp_path / "usb"
    good = make_package(folder / "a.bdp", seed_document(status="submitted"))
    for kind in WORDS:
        make_bad(kind, folder)
    code, _out, err = run(capsys, "--db", str(cli_db), "import-packages", str(folder),
                          "--trust-fingerprint", reader.open_package(good).fingerprint)
    assert code != 0 and "Traceback" not in err
    for kind, (words, _kind) in WORDS.items():
        line = next((line for line in err.splitlines() if line.startswith(f"未导入 {kind}.bdp：")), None)
        assert line is not None and words in line, (kind, err)  # listed, not skipped silently
    assert f"导入完成：成功 1 个，未导入 {len(WORDS)} 个。" in err


def test_import_packages_files_bad_files_under_their_kind(store, make_bad, tmp_path):
    folder = tmp_path / "usb"
    good = make_package(folder / "a.bdp", seed_document(status="submitted"))
    for kind in WORDS:
        make_bad(kind, folder)
    result = intake.import_packages(store, folder, trust_fingerprints=[reader.open_package(good).fingerprint])
    assert [outcome.unit_code for outcome in result.imported] == ["359"]
    assert {refusal.file: refusal.kind for refusal in result.refusals} == {
        f"{kind}.bdp": refusal_kind for kind, (_words, refusal_kind) in WORDS.items()}
    assert all(WORDS[refusal.path.stem][0] in refusal.message for refusal in result.refusals)
    assert refusals.heading(result.refusals) == f"{len(WORDS)} 个数据包未导入：文件损坏 2，无法读取 3"


@pytest.mark.parametrize("kind", ["fifo", "folder", "empty"])
def test_gui_single_import_refuses_a_bad_file_in_words(qtbot, store, make_bad, monkeypatch, kind):
    from tests.test_crash_steps import state
    from ui.bureau.window import BureauWindow

    shown: list[tuple[str, str, str]] = []
    for box in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, box, lambda *args, box=box: shown.append((box, args[1], args[2])))
    path = make_bad(kind)
    before = state(store)
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    window.show()
    window.import_file(str(path), ask=lambda _preview: True)
    qtbot.waitUntil(lambda: bool(shown), timeout=120000)
    [(box, title, text)] = shown
    assert box == "warning" and title == "导入数据包"
    assert WORDS[kind][0] in text and f"{kind}.bdp" in text and "找不到" not in text, text
    assert state(store) == before  # nothing written


def test_gui_folder_import_lists_bad_files_under_their_kind(qtbot, store, make_bad, monkeypatch, tmp_path):
    from tests.test_crash_steps import state
    from ui.bureau.window import BureauWindow

    for box in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, box, lambda *args: pytest.fail(f"unexpected box: {args[1:]}"))
    folder = tmp_path / "usb"
    for kind in WORDS:
        make_bad(kind, folder)
    before = state(store)
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    window.show()
    window.import_folder(str(folder))
    qtbot.waitUntil(lambda: window.job is not None and window.job.outcome is not None, timeout=120000)
    panel = window.folder_import
    assert panel.heading.text().endswith(f"{len(WORDS)} 个数据包未导入：文件损坏 2，无法读取 3")
    groups = {panel.tree.topLevelItem(number).text(0): [panel.tree.topLevelItem(number).child(child)
                                                        for child in range(panel.tree.topLevelItem(number).childCount())]
              for number in range(panel.tree.topLevelItemCount())}
    assert {group.split("（")[0]: sorted(item.text(0) for item in items) for group, items in groups.items()} == {
        refusals.DAMAGED: ["empty.bdp", "oversized.bdp"], refusals.UNREADABLE: ["device.bdp", "fifo.bdp", "folder.bdp"]}
    for items in groups.values():
        for item in items:
            assert WORDS[Path(item.text(0)).stem][0] in item.text(2)  # the reason, in the reader's words
    assert state(store) == before
