"""Restoring a backup's budgets: each dataset that differs is written back through the store.

The file side of backups (making, listing, checking, writing a backup over a damaged file) is the
store's (``app.store.backup``); comparing and writing whole datasets needs their documents
(``app.exchange.interchange``), so the restore plan lives here, above the store.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

from app.base.errors import LockedError
from app.base.faults import db_errors
from app.exchange.document_diff import existing_document
from app.exchange.interchange import export_document, import_document
from app.store.backup import (
    AUDIT_SOURCE,
    BackupInfo,
    check_backup_file,
    create_backup,
    database_path,
    find_backup,
)
from app.store.service import Store

log = logging.getLogger(__name__)

DatasetKey = tuple[str, int]  # (unit code, year)


def restore_backup(store: Store, name: str | None = None) -> BackupInfo:
    """Put the budgets of a backup back, as a change like any other: each dataset that differs is
    written through the store (one transaction for all), audited cell by cell as 恢复备份 with its unit
    and year; the audit trail itself is never restored, only appended to. Refused, with nothing
    changed, when a dataset it would change is 已上报 now (退回 first). The present state is backed up
    first. Code tables, keys, receipts and 批注 stay as they are."""
    database_path(store)
    store.refuse_if_read_only()
    info = find_backup(store, name)
    check_backup_file(info)
    wanted = backup_documents(info)
    changes = restore_plan(store, wanted)
    submitted = [f"{unit} {year}" for (unit, year), (held, _doc) in changes.items()
                 if held is not None and held.get("status") == "submitted"]
    if submitted:
        raise LockedError(f"以下预算现为已上报，恢复备份“{info.name}”会改变它们，未恢复任何数据："
                          f"{'、'.join(submitted)}。如确需恢复，请先退回（撤销上报，须填写原因）。")
    if not changes:
        log.info("backup %s holds the same budgets as %s: nothing to restore", info.name, store.path)
        return info
    create_backup(store, "restore", only_if_changed=True)
    event = f"恢复备份 {info.name}（{info.time:%Y-%m-%d %H:%M:%S}，{info.reason_text}）"
    with db_errors(), store.transaction():
        for (unit, year), (_held, document) in sorted(changes.items()):
            if document is None:  # made after the backup: it goes, and the trail says why
                store.delete_dataset(unit, year)
                with store.write() as session:
                    store.event(session, AUDIT_SOURCE, f"{event}：备份中没有 {year} 年度预算，已删除", unit_code=unit,
                                year=year, row=info.name)
            else:
                import_document(store, document, replace=True, source=AUDIT_SOURCE, backup=False, event=event)
            store.step("restore:dataset")
    log.warning("database %s: %d budgets restored from backup %s", store.path, len(changes), info.name)
    return info


def backup_documents(info: BackupInfo) -> dict[DatasetKey, dict]:
    """Every dataset of a backup as an interchange document, read from a scratch copy (an older schema
    is upgraded in the copy, never in the backup)."""
    with tempfile.TemporaryDirectory(prefix="budgetdesk-restore-") as folder:
        copy = Path(folder) / info.path.name
        shutil.copyfile(info.path, copy)
        old = Store(str(copy), backup_on_upgrade=False)
        try:
            return {(item.unit_code, item.year): export_document(old.open_dataset(item.unit_code, item.year))
                    for item in old.list_datasets()}
        finally:
            old.close()


def restore_plan(store: Store, wanted: dict[DatasetKey, dict]) -> dict[DatasetKey, tuple[dict | None, dict | None]]:
    """(unit, year) -> (the document held now, the backup's) for every dataset the restore changes."""
    held = {(item.unit_code, item.year) for item in store.list_datasets()}
    plan = {}
    for key in sorted(held | set(wanted)):
        now = existing_document(store, *key) if key in held else None
        then = wanted.get(key)
        if _canonical(now) != _canonical(then):
            plan[key] = (now, then)
    return plan


def _canonical(document: dict | None) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, default=str)
