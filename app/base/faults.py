"""Database faults in the clerk's words.

A driver error (sqlite3, psycopg, or SQLAlchemy wrapping either) becomes one of the errors below, each a
``BudgetDeskError`` whose text says what happened, that the data already saved is safe, and what to do.
``db.engine`` installs :func:`translate` on every engine, so the core raises these by itself; the CLI and
the GUI's exception hook call it once more for anything that slipped through. Every translation is logged.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from app.base.errors import BudgetDeskError

log = logging.getLogger(__name__)

SAFE = "已保存的数据不受影响。"


class DatabaseFault(BudgetDeskError):
    """The database could not do what was asked (not the user's input). Nothing was half-written:
    the transaction that met the fault was rolled back. The CLI exits with ``exit_code`` (1)."""

    exit_code = 1


class DatabaseBusyError(DatabaseFault):
    """Another program (or another BudgetDesk window) held the database longer than the wait allows."""


class CorruptDatabaseError(DatabaseFault):
    """The file is not a SQLite database, or its pages are damaged."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class DiskFullError(DatabaseFault):
    """No room left on the disk (or the database reached its size limit)."""


class ReadOnlyDatabaseError(DatabaseFault):
    """The database is on a read-only medium, lacks write permission, or was opened read-only."""


class NewerSchemaError(DatabaseFault):
    """The database was made or upgraded by a newer BudgetDesk: this program does not touch it."""

    def __init__(self, message: str, *, revision: str) -> None:
        super().__init__(message)
        self.revision = revision


class ConnectionLostError(DatabaseFault):
    """The PostgreSQL server refused the connection or the connection broke."""


class DatabaseIOError(DatabaseFault):
    """The operating system reported an input/output error while reading or writing the database."""


def busy_message() -> str:
    return ("数据库正被另一个程序或另一个 BudgetDesk 窗口占用，等待后仍未释放，这一步没有保存。"
            f"{SAFE}请稍候再试；如果一直如此，请关闭其他正在使用该数据库的程序。")


def corrupt_message(path: str | None = None, detail: str = "") -> str:
    where = f"（{path}）" if path else ""
    what = f"：{detail}" if detail else ""
    return (f"数据库文件{where}已损坏或不是 BudgetDesk 的数据库{what}。本程序没有修改该文件。"
            "请从备份恢复（“文件 → 备份与恢复”，或命令 budgetdesk backup restore），或联系技术人员。")


def disk_full_message() -> str:
    return ("磁盘空间已满，这一步没有保存。"
            f"{SAFE}请清理磁盘空间（或把数据库移到空间充足的位置）后再试。")


def read_only_message(path: str | None = None) -> str:
    where = f"（{path}）" if path else ""
    return (f"数据库{where}是以只读方式打开的（只读介质、没有写权限或使用了 --read-only），不能保存修改。"
            f"{SAFE}可以查看、打印和导出；如需修改，请把数据库复制到可写的位置后再打开。")


def newer_schema_message(revision: str, known: str) -> str:
    return (f"此数据库由较新版本的 BudgetDesk 建立或升级（数据库结构版本 {revision}，本程序只支持到 {known}）。"
            "为保护数据，本程序不会打开或修改它。请安装新版本的 BudgetDesk 后再打开。")


def connection_message(server: str = "", detail: str = "") -> str:
    where = f"（{server}）" if server else ""
    why = f"：{detail}" if detail else ""
    return (f"无法连接数据库服务器{where}，或连接已中断{why}。这一步没有保存，"
            f"{SAFE}请检查网络和服务器是否开启，然后再试；如仍不行请联系财政局的系统管理员。")


def io_message() -> str:
    return ("读写数据库文件时发生磁盘错误（I/O 错误），这一步没有保存。"
            f"{SAFE}请检查存放数据库的磁盘或 U 盘是否已拔出或有故障。")


def _sqlite_fault(text: str) -> DatabaseFault | None:
    text = text.lower()
    if "database is locked" in text or "database table is locked" in text or "database schema is locked" in text:
        return DatabaseBusyError(busy_message())
    if ("file is not a database" in text or "disk image is malformed" in text
            or "malformed database schema" in text or "file is encrypted" in text):
        return CorruptDatabaseError(corrupt_message(detail=_sqlite_words(text)))
    if "database or disk is full" in text:
        return DiskFullError(disk_full_message())
    if "readonly database" in text or "read-only" in text:
        return ReadOnlyDatabaseError(read_only_message())
    if "disk i/o error" in text:
        return DatabaseIOError(io_message())
    if "unable to open database file" in text:
        return DatabaseIOError("无法打开数据库文件：文件或所在文件夹不存在，或没有访问权限。"
                               "请检查数据库的位置（--db）是否正确、U 盘或网络盘是否已连接。")
    return None


def _sqlite_words(text: str) -> str:
    if "file is not a database" in text:
        return "文件不是数据库"
    if "malformed" in text:
        return "数据库页面损坏"
    return ""


def _postgres_fault(exc: BaseException, is_disconnect: bool = False) -> DatabaseFault | None:
    try:
        import psycopg  # deferred: the PostgreSQL driver, loaded only when a server database faults
    except ImportError:  # pragma: no cover - postgres support not installed
        return None
    if not isinstance(exc, psycopg.Error):
        return None
    sqlstate = getattr(exc, "sqlstate", None) or ""
    if sqlstate.startswith("53"):  # insufficient resources (53100 disk full)
        return DiskFullError(disk_full_message())
    if sqlstate in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return DatabaseBusyError(busy_message())
    if sqlstate == "25006":  # read_only_sql_transaction (a hot standby)
        return ReadOnlyDatabaseError(read_only_message())
    if is_disconnect or sqlstate.startswith("08") or sqlstate.startswith("57P") or (
            isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and not sqlstate):
        return ConnectionLostError(connection_message(detail=_first_line(exc)))
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    # psycopg says e.g. 'connection failed: connection to server at "127.0.0.1", port 9 failed: Connection refused'
    return text[0][:200] if text else ""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # sqlalchemy.exc.DBAPIError wraps the driver's error
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
        current = current.__cause__ or current.__context__


def translate(exc: BaseException, *, is_disconnect: bool = False, log_it: bool = True) -> BudgetDeskError | None:
    """The clerk's error for a database exception, or None when ``exc`` is not a database fault.

    A ``BudgetDeskError`` is returned as it is. ``is_disconnect`` comes from SQLAlchemy's own judgement.
    """
    if isinstance(exc, BudgetDeskError):
        return exc
    fault: DatabaseFault | None = None
    for link in _chain(exc):
        if isinstance(link, BudgetDeskError):
            return link
        if isinstance(link, sqlite3.Error):
            fault = _sqlite_fault(str(link))
        elif isinstance(link, OSError) and link.errno == errno.ENOSPC:
            fault = DiskFullError(disk_full_message())
        else:
            fault = _postgres_fault(link, is_disconnect)
        if fault is not None:
            break
    if fault is None:
        from sqlalchemy.exc import DisconnectionError  # deferred: sqlalchemy (the CLI's parser stays light)

        if is_disconnect or isinstance(exc, DisconnectionError):
            fault = ConnectionLostError(connection_message(detail=_first_line(exc)))
    if fault is not None and log_it:
        log.warning("database fault %s: %s", type(fault).__name__, exc)
    return fault


@contextmanager
def db_errors() -> Iterator[None]:
    """Turn database exceptions raised inside the block into the clerk's errors (others pass through)."""
    try:
        yield
    except BudgetDeskError:
        raise
    except Exception as exc:
        fault = translate(exc)
        if fault is None:
            raise
        raise fault from exc


def sqlalchemy_error_hook(context) -> None:
    """SQLAlchemy ``handle_error`` listener: raise the translated fault in place of the driver error.

    Only faults are replaced; integrity errors and the like pass on untouched for the core to handle.
    """
    if getattr(context, "is_pre_ping", False):  # the pool is testing a connection: let it reconnect
        return
    fault = translate(context.original_exception, is_disconnect=bool(getattr(context, "is_disconnect", False)))
    if isinstance(fault, DatabaseIOError) and _disk_is_full(getattr(context, "engine", None)):
        # at 100 % full SQLite often reports a plain I/O error (the WAL cannot grow): say what it is
        fault = DiskFullError(disk_full_message())
    if fault is not None:
        raise fault from context.original_exception


FULL_BELOW_BYTES = 1024 * 1024  # less free space than this beside the database: the disk is full


def _free_bytes(folder: str) -> int:
    return shutil.disk_usage(folder).free


def _disk_is_full(engine) -> bool:
    """Whether the folder of a SQLite database file has (almost) no free space left."""
    try:
        database = engine.url.database if engine is not None and engine.url.get_backend_name() == "sqlite" else None
        if not database or database == ":memory:":
            return False
        folder = os.path.dirname(os.path.abspath(database.removeprefix("file:").split("?")[0]))
        return _free_bytes(folder) < FULL_BELOW_BYTES
    except Exception:  # noqa: BLE001 - only a better message is at stake; never a new fault
        return False


__all__ = [
    "DatabaseFault", "DatabaseBusyError", "CorruptDatabaseError", "DiskFullError", "ReadOnlyDatabaseError",
    "NewerSchemaError", "ConnectionLostError", "DatabaseIOError", "translate", "db_errors",
    "sqlalchemy_error_hook", "SAFE",
]
