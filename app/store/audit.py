"""The audit trail: who changed what, when, where in the form's words, old -> new, and from where.

Rows are written only by the core's one door (``app.store.service.BudgetDataset`` and ``Store`` writes),
inside the transaction that makes the change, so a change and its record commit or vanish together.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app.base.clock import now_utc
from db import models

# Where a change came from (the clerk's words; the CLI filter and the GUI list use them).
SOURCES = ("录入", "粘贴", "导入", "撤销", "重做", "恢复备份", "状态", "删除", "一键带入", "科目表", "退回", "重新上报", "合并")


def os_user() -> str:
    """The operating-system account, as the audit names it; never fails."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database in some containers: fall back to the environment
        return os.environ.get("USERNAME") or os.environ.get("USER") or "未知用户"


@dataclass(frozen=True)
class AuditRecord:
    """One change as the history shows it (``time`` is local ISO time for people)."""

    id: int
    time: str
    user: str
    preparer: str
    source: str
    form: str
    row: str
    column: str
    place: str
    old: str | None
    new: str | None
    batch: int

    def as_json(self) -> dict:
        data = asdict(self)
        return {key: data[key] for key in ("time", "user", "preparer", "source", "form", "row", "column",
                                           "place", "old", "new")}


def _local_time(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def history(store, unit_code: str, year: int, *, form: str | None = None, row: str | None = None,
            column: str | None = None, source: str | None = None, since: datetime | None = None,
            limit: int | None = None) -> list[AuditRecord]:
    """The recorded changes of one unit and year, oldest first, optionally for one table/row/column."""
    entry = models.AuditEntry
    # year 0: the unit's own information, shared by all its years
    query = select(entry).where(entry.unit_code == unit_code, entry.year.in_([year, 0]))
    for attribute, wanted in ((entry.form, form), (entry.row, row), (entry.column, column), (entry.source, source)):
        if wanted is not None:
            query = query.where(attribute == wanted)
    if since is not None:
        query = query.where(entry.time >= since)
    query = query.order_by(entry.id)
    if limit is not None:
        query = query.order_by(None).order_by(entry.id.desc()).limit(limit)
    with store.Session() as session:
        rows = list(session.scalars(query))
    if limit is not None:
        rows.reverse()
    return [AuditRecord(item.id, _local_time(item.time), item.os_user, item.preparer, item.source, item.form,
                        item.row, item.column, item.place, item.old, item.new, item.batch) for item in rows]


def history_document(store, unit_code: str, year: int, **filters) -> dict:
    """The ``history --json`` shape (also the package's audit member)."""
    return {"unit": unit_code, "year": year,
            "changes": [record.as_json() for record in history(store, unit_code, year, **filters)]}


def store_event(session, source: str, place: str, *, old: str | None = None, new: str | None = None,
                unit_code: str = "", year: int = 0, form: str = "", row: str = "", column: str = "") -> None:
    """Record an event that is not a dataset edit (a code edition, restoring a backup) in ``session``."""
    session.add(models.AuditEntry(unit_code=unit_code, year=year, batch=0, time=now_utc(), os_user=os_user()[:100],
                                  preparer="", source=source, form=form[:64], row=row[:300], column=column[:64],
                                  place=place, old=old, new=new))
