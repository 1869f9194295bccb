"""At 100 % disk full SQLite often reports a plain "disk I/O error" (the WAL cannot grow); the clerk is
told 磁盘空间已满, not that the USB stick may have been pulled out (issue 22, item 10)."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest

from app.base import faults


def hook(store, text: str):
    context = SimpleNamespace(original_exception=sqlite3.OperationalError(text), engine=store.engine,
                              is_disconnect=False, is_pre_ping=False)
    with pytest.raises(faults.DatabaseFault) as raised:
        faults.sqlalchemy_error_hook(context)
    return raised.value


def test_an_io_error_on_a_full_disk_says_disk_full(store, monkeypatch):
    monkeypatch.setattr(faults, "_free_bytes", lambda _folder: 0)
    fault = hook(store, "disk I/O error")
    assert isinstance(fault, faults.DiskFullError) and "磁盘空间已满" in str(fault)


def test_an_io_error_with_space_left_stays_an_io_error(store, monkeypatch):
    monkeypatch.setattr(faults, "_free_bytes", lambda _folder: 10 * 1024 * 1024 * 1024)
    fault = hook(store, "disk I/O error")
    assert isinstance(fault, faults.DatabaseIOError) and "I/O" in str(fault)
