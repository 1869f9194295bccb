"""Backups of a SQLite database with SQLite's online backup API, never a file copy.

With WAL the main file alone can be empty or stale while the program runs: only the backup API (reading
through a connection, so the -wal file counts) gives a consistent copy. A backup is a single file
(journal mode DELETE) in ``backups/`` beside the database (``BUDGETDESK_BACKUP_DIR`` overrides), named
``<database>-<YYYYMMDD-HHMMSS-micro>-<reason>.sqlite3``; each is verified with ``PRAGMA quick_check``
and the newest ``BUDGETDESK_BACKUP_KEEP`` (default 20) are kept.

When: on opening in the window (if the data changed since the newest backup), before every import,
replacing import and code-edition change (``backup_before``), daily while the window is open, and on
request. Restoring a backup's budgets over a working database is ``app.exchange.restore`` (it compares
them as documents); a damaged file is replaced here through the backup API (after moving it aside),
then a 恢复备份 audit row is recorded. PostgreSQL has the server's own backups.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select

from app.base.errors import BudgetDeskError, InputError, NotFoundError
from app.base.faults import (
    CorruptDatabaseError,
    DiskFullError,
    ReadOnlyDatabaseError,
    db_errors,
    disk_full_message,
)
from app.base.textcheck import check_user_file
from db import models
from db.engine import busy_timeout_ms, current_revision_id, head_revision, known_revisions

log = logging.getLogger(__name__)

DEFAULT_KEEP = 20
REASONS = {
    "manual": "手动备份",
    "open": "打开时",
    "daily": "每日备份",
    "import": "导入前",
    "replace": "覆盖导入前",
    "codes": "导入科目表前",
    "upgrade": "升级数据库结构前",
    "restore": "恢复备份前",
}
AUDIT_SOURCE = "恢复备份"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<reason>[a-z]+)\.sqlite3$")


class BackupUnavailableError(BudgetDeskError):
    """Backups are not made by this program for this database (a PostgreSQL server): a refusal."""

    exit_code = 1


POSTGRES_MESSAGE = ("此数据库在 PostgreSQL 服务器上，本程序不做备份和恢复；服务器的备份（pg_dump 等）由财政局的"
                    "系统管理员负责，请向其联系。")


@dataclass(frozen=True)
class BackupInfo:
    name: str
    path: Path
    time: datetime  # local time the backup was made
    size: int
    reason: str

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason)

    def to_dict(self) -> dict:
        return {"name": self.name, "time": self.time.isoformat(timespec="seconds"), "size": self.size,
                "reason": self.reason, "reason_text": self.reason_text}


def keep_count() -> int:
    try:
        return max(1, int(os.environ.get("BUDGETDESK_BACKUP_KEEP", DEFAULT_KEEP)))
    except ValueError:
        return DEFAULT_KEEP


def backups_dir(db_path: Path) -> Path:
    override = os.environ.get("BUDGETDESK_BACKUP_DIR")
    return Path(override) if override else db_path.parent / "backups"


def database_path(store) -> Path:
    path = getattr(store, "path", None)
    if path is None:
        raise BackupUnavailableError(POSTGRES_MESSAGE)
    return Path(path)


def list_backups(store_or_path) -> list[BackupInfo]:
    """The backups of this database, newest first."""
    db_path = store_or_path if isinstance(store_or_path, Path) else database_path(store_or_path)
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"{glob_escape(db_path.stem)}-*.sqlite3"):
        match = _NAME.match(path.name)
        if not match or match["stem"] != db_path.stem:
            continue
        try:
            time = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f")
            size = path.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(BackupInfo(path.name, path, time, size, match["reason"]))
    return sorted(found, key=lambda info: info.name[len(db_path.stem):], reverse=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


MAX_BACKUP_BYTES = 2 * 1024 ** 3  # a county's budget database is tens of MB; more is no backup of ours


def _check_backup_path(path: Path) -> None:
    """A backup is a file the user can put in the folder: a FIFO there would hang SQLite's open."""
    check_user_file(path, "BudgetDesk 备份", MAX_BACKUP_BYTES, refused="不能用于恢复")


def _sqlite_ok(path: Path) -> bool:
    try:
        _check_backup_path(path)
    except InputError:
        return False
    try:
        connection = sqlite3.connect(f"{_uri(path)}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def _uri(path: Path) -> str:
    return ("file:///" if path.drive else "file:") + quote(path.resolve().as_posix(), safe="/:")


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Online backup of ``source`` into a new single file ``target``, verified."""
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if destination.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise CorruptDatabaseError("备份文件校验未通过（数据库可能已损坏），本次备份无效。请检查磁盘后再试。")
    finally:
        destination.close()


def _prune(db_path: Path) -> None:
    for old in list_backups(db_path)[keep_count():]:
        try:
            old.path.unlink()
            log.info("backup %s removed (keeping the newest %d)", old.name, keep_count())
        except OSError as exc:
            log.warning("could not remove old backup %s: %s", old.path, exc)


def create_backup(store, reason: str = "manual", *, only_if_changed: bool = False) -> BackupInfo | None:
    """Back the store's database up now; with ``only_if_changed`` nothing is kept when the content equals
    the newest backup (returns None then)."""
    if reason not in REASONS:
        raise InputError(f"备份原因“{reason}”无效。")
    db_path = database_path(store)
    folder = backups_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReadOnlyDatabaseError(f"不能建立备份文件夹“{folder}”：{exc.strerror or exc}。已保存的数据不受影响。") from exc
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    final = folder / f"{db_path.stem}-{stamp}-{reason}.sqlite3"
    partial = final.with_name(final.name + ".partial")
    try:
        with db_errors(), store.engine.connect() as connection:
            _copy(connection.connection.driver_connection, partial)
        if only_if_changed:
            previous = list_backups(db_path)
            if previous and _digest(previous[0].path) == _digest(partial):
                partial.unlink()
                log.info("database %s unchanged since backup %s", db_path, previous[0].name)
                return None
        os.replace(partial, final)
    except OSError as exc:
        if getattr(exc, "errno", None) == 28:
            raise DiskFullError(disk_full_message()) from exc
        raise ReadOnlyDatabaseError(f"不能写入备份文件“{final}”：{exc.strerror or exc}。已保存的数据不受影响。") from exc
    finally:
        if partial.exists():
            partial.unlink(missing_ok=True)
    info = BackupInfo(final.name, final, datetime.strptime(stamp, "%Y%m%d-%H%M%S-%f"), final.stat().st_size, reason)
    log.info("backup %s made (%s, %d bytes)", final, REASONS[reason], info.size)
    _prune(db_path)
    return info


def is_sqlite(store) -> bool:
    return getattr(store, "path", None) is not None


def backup_before(store, reason: str) -> BackupInfo | None:
    """The automatic backup before an import, a replacing import or a code-edition change. Nothing on
    PostgreSQL (the server's backups apply) or on a read-only database (nothing will be written)."""
    if not is_sqlite(store) or getattr(store, "read_only", False) or _empty(store):
        return None
    return create_backup(store, reason, only_if_changed=True)


def _empty(store) -> bool:
    """Nothing worth keeping yet: no unit and no imported code edition."""
    with db_errors(), store.Session() as session:
        return not (session.scalar(select(func.count()).select_from(models.Unit))
                    or session.scalar(select(func.count()).select_from(models.CodeEdition)))


def backup_on_open(store) -> BackupInfo | None:
    """On opening (the window): a backup when the data changed since the newest one. Never fails the
    opening: a backup that cannot be written is logged."""
    if not is_sqlite(store) or getattr(store, "read_only", False):
        return None
    try:
        return create_backup(store, "open", only_if_changed=True)
    except BudgetDeskError as exc:
        log.warning("backup on open failed: %s", exc)
        return None


def backup_if_due(store, *, every: timedelta = timedelta(days=1)) -> BackupInfo | None:
    """The daily backup while the window stays open: when the newest backup is older than ``every``."""
    if not is_sqlite(store) or getattr(store, "read_only", False):
        return None
    existing = list_backups(store)
    if existing and datetime.now() - existing[0].time < every:
        return None
    return create_backup(store, "daily", only_if_changed=True)


def backup_before_upgrade(opened) -> None:
    """``db.engine.open_database`` hook: keep the old-format file before its schema is upgraded."""
    if opened.path is None:
        return

    class _Opened:
        engine = opened.engine
        path = opened.path
        read_only = False

    create_backup(_Opened, "upgrade", only_if_changed=True)


def find_backup(store_or_path, name: str | None) -> BackupInfo:
    """A backup by name (or a unique prefix of it); without a name, the newest one that passes quick_check."""
    backups = list_backups(store_or_path)
    if not backups:
        raise NotFoundError("还没有任何备份。")
    if not name:
        for info in backups:
            if _sqlite_ok(info.path):
                return info
        raise NotFoundError("没有一个完好的备份（全部未通过完整性检查）。")
    matches = [info for info in backups if info.name == name] or [info for info in backups if info.name.startswith(name)]
    if len(matches) != 1:
        listed = "；".join(info.name for info in backups[:5])
        raise NotFoundError(f"没有找到备份“{name}”。可用的备份（最新的几个）：{listed}。请用 budgetdesk backup list 查看。")
    return matches[0]


def check_backup_file(info: BackupInfo) -> None:
    _check_backup_path(info.path)
    if not _sqlite_ok(info.path):
        raise CorruptDatabaseError(f"备份“{info.name}”未通过完整性检查，不能用于恢复。请选择另一个备份。",
                                   path=str(info.path))
    connection = sqlite3.connect(f"{_uri(info.path)}?mode=ro", uri=True)
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        revision = None
    finally:
        connection.close()
    if revision is None:
        raise CorruptDatabaseError(f"备份“{info.name}”不是 BudgetDesk 的数据库，不能用于恢复。", path=str(info.path))
    if current_revision_id(revision[0]) not in known_revisions():
        raise CorruptDatabaseError(
            f"备份“{info.name}”由较新版本的 BudgetDesk 建立（数据库结构版本 {revision[0]}，本程序只支持到 "
            f"{head_revision()}），不能用它恢复。", path=str(info.path))


def _write_into(backup: Path, live: Path) -> None:
    """The backup API from the backup file into the live database file (its WAL mode kept)."""
    with db_errors():
        source = sqlite3.connect(f"{_uri(backup)}?mode=ro", uri=True)
        target = sqlite3.connect(live, timeout=busy_timeout_ms() / 1000)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            if target.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise CorruptDatabaseError("恢复后的数据库未通过完整性检查，请联系技术人员。", path=str(live))
        finally:
            target.close()
            source.close()


def restore_over_corrupt(db_path: Path, name: str | None = None) -> tuple[BackupInfo, Path]:
    """The database file is damaged (it does not open): move it aside (kept for inspection, with its -wal
    and -shm) and write the backup in its place. Returns the backup and where the damaged file went.
    Open the store afterwards and call ``record_restore``."""
    info = find_backup(db_path, name)
    check_backup_file(info)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{db_path}{suffix}")
        if part.exists():
            os.replace(part, Path(f"{aside}{suffix}"))
    _write_into(info.path, db_path)
    log.warning("damaged database %s moved to %s; restored from backup %s", db_path, aside, info.name)
    return info, aside


def record_restore(store, info: BackupInfo) -> None:
    """The audit row of a restore, and a new token for every dataset, so that a window or process that
    opened a dataset before the restore cannot write into the restored one."""
    with db_errors(), store.write() as session:
        for dataset in session.scalars(select(models.Dataset)):
            dataset.token = uuid.uuid4().hex
            dataset.version = (dataset.version or 0) + 1
        store.event(session, AUDIT_SOURCE, f"恢复备份 {info.name}（{info.time:%Y-%m-%d %H:%M:%S}，{info.reason_text}）",
                    row=info.name)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
