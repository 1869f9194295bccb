"""Files a user hands us are read by one bounded reader (issue 22, item 7, in part): a device, a FIFO or a
folder is refused before it is opened, an empty file is refused (never "replace with nothing"), and the
indicator-level import reads through it too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.projects.levels import local_levels
from tests.conftest import run

ROOT = Path(__file__).resolve().parent.parent
posix = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


@pytest.fixture
def levels_db(tmp_path):
    """The database the local levels go into (``--db``), and a reader of what it holds."""
    path = tmp_path / "levels.sqlite3"

    def stored() -> list[str]:
        from app.service import Store

        store = Store(str(path))
        try:
            return [item.code for item in local_levels()]
        finally:
            store.close()

    return ["--db", str(path)], stored


def test_an_empty_levels_file_changes_nothing(tmp_path, capsys, levels_db):
    db, stored = levels_db
    good = tmp_path / "levels.csv"
    good.write_text("编码,名称,上级\n19,本地一级,\n", encoding="utf-8")
    assert run(capsys, *db, "indicator-levels", "import", str(good))[0] == 0
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _out, err = run(capsys, *db, "indicator-levels", "import", str(empty))
    assert code == 2 and "空文件" in err and "Traceback" not in err
    header_only = tmp_path / "header.csv"
    header_only.write_text("编码,名称,上级\n", encoding="utf-8")
    code, _out, err = run(capsys, *db, "indicator-levels", "import", str(header_only))
    assert code == 2 and "没有任何指标" in err
    assert stored() == ["19"]


@posix
def test_a_device_or_a_folder_is_refused(tmp_path, capsys, levels_db):
    db, stored = levels_db
    code, _out, err = run(capsys, *db, "indicator-levels", "import", "/dev/zero")
    assert code == 2 and "不是普通文件" in err
    code, _out, err = run(capsys, *db, "indicator-levels", "import", str(tmp_path))
    assert code == 2 and "文件夹" in err
    assert stored() == []


@posix
def test_import_json_on_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "app", "--db", str(tmp_path / "d.sqlite3"), "import-json",
                             str(fifo)], cwd=str(ROOT), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "不是普通文件" in result.stderr, result.stderr
