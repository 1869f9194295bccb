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
        from app.store.service import Store

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


# ---- every other kind of user file goes through the same checks: 退回 files, backups, workbooks --------
def _cli(tmp_path, *args) -> subprocess.CompletedProcess:
    """The program in its own process, with a timeout: a FIFO that is opened would wait for ever."""
    env = {**os.environ, "BUDGETDESK_BACKUP_DIR": str(tmp_path / "backups")}
    return subprocess.run([sys.executable, "-m", "app", "--db", str(tmp_path / "d.sqlite3"), *args], cwd=str(ROOT),
                          capture_output=True, text=True, timeout=120, env=env)


@posix
@pytest.mark.parametrize("command, name", [("import-return", "x_2023_退回.bdr"), ("import-xlsx", "book.xlsx")])
def test_a_fifo_return_file_or_workbook_is_refused_without_waiting(tmp_path, command, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    result = _cli(tmp_path, command, str(fifo))
    assert result.returncode == 2 and "不是普通文件" in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("command, name, what", [("import-return", "x_2023_退回.bdr", "退回文件"),
                                                 ("import-xlsx", "book.xlsx", "Excel 工作簿")])
def test_an_empty_or_folder_return_file_or_workbook_is_refused(tmp_path, capsys, command, name, what):
    db = ["--db", str(tmp_path / "d.sqlite3")]
    empty = tmp_path / name
    empty.write_bytes(b"")
    code, _out, err = run(capsys, *db, command, str(empty))
    assert code == 2 and "空文件" in err and what in err and "Traceback" not in err, err
    folder = tmp_path / ("folder" + Path(name).suffix)
    folder.mkdir()
    code, _out, err = run(capsys, *db, command, str(folder))
    assert code == 2 and "文件夹" in err and what in err, err


def test_an_oversized_return_file_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    from app.bureau import comments

    monkeypatch.setattr(comments, "MAX_RETURN_BYTES", 64)
    big = tmp_path / "x_2023_退回.bdr"
    big.write_text("{" + " " * 100 + "}", encoding="utf-8")
    code, _out, err = run(capsys, "--db", str(tmp_path / "d.sqlite3"), "import-return", str(big))
    assert code == 2 and "超过 64 字节" in err and "退回文件" in err, err


def _backup_folder_with(tmp_path, make) -> Path:
    from app.store.service import Store

    Store(str(tmp_path / "d.sqlite3")).close()
    folder = tmp_path / "backups"
    folder.mkdir(exist_ok=True)
    target = folder / "d-20260101-000000-000000-manual.sqlite3"
    make(target)
    return target


@posix
def test_a_fifo_among_the_backups_is_refused_without_waiting(tmp_path):
    _backup_folder_with(tmp_path, os.mkfifo)
    before = (tmp_path / "d.sqlite3").read_bytes()
    result = _cli(tmp_path, "backup", "restore", "d-20260101")
    assert result.returncode != 0 and "不是普通文件" in result.stderr and "不能用于恢复" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    result = _cli(tmp_path, "backup", "restore")  # the newest good backup: the FIFO is passed over, not opened
    assert result.returncode != 0 and "没有一个完好的备份" in result.stderr, result.stderr
    assert (tmp_path / "d.sqlite3").read_bytes() == before


def test_an_empty_or_oversized_backup_is_refused(tmp_path, capsys, monkeypatch):
    from app.store import backup

    target = _backup_folder_with(tmp_path, lambda path: path.write_bytes(b""))
    db = ["--db", str(tmp_path / "d.sqlite3")]
    monkeypatch.setenv("BUDGETDESK_BACKUP_DIR", str(tmp_path / "backups"))
    code, _out, err = run(capsys, *db, "backup", "restore", target.name)
    assert code != 0 and "空文件" in err and "不能用于恢复" in err, err
    target.write_bytes((tmp_path / "d.sqlite3").read_bytes())
    monkeypatch.setattr(backup, "MAX_BACKUP_BYTES", 100)
    code, _out, err = run(capsys, *db, "backup", "restore", target.name)
    assert code != 0 and "超过 100 字节" in err and "不能用于恢复" in err, err
