"""One write through the door, as it is recorded: what it changed (``Changes``, which the views
refresh from), its audit rows, and the dataset row it locks first."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, cast

from sqlalchemy import Table, insert, update

from app.base.clock import now_utc
from app.base.money import exact_text
from app.checks.places import explanation_place, section_title
from app.domain.compute import Workbook
from app.domain.forms import form_by_id
from app.domain.records import UnitInfo
from app.store.audit import os_user
from db import models


@dataclass
class Changes:
    """What one write through the door changed, so every view refreshes from it (and only it)."""

    version: int = 0
    cells: set[tuple[str, str, str]] = field(default_factory=set)
    structure: set[str] = field(default_factory=set)  # forms whose code rows were added or removed
    book: bool = False  # projects, indicators, 整体目标, 采购 or 资产
    notes: set[str] = field(default_factory=set)
    status: str | None = None  # the new status when it changed
    external: bool = False  # someone else wrote since this view was read: reload it

    @property
    def forms(self) -> set[str]:
        return {form for form, _row, _column in self.cells} | self.structure


def amount_text(value: Decimal | None) -> str | None:
    return None if value is None else exact_text(value)


class WrittenDataset(Protocol):
    """What a write's audit rows name of the open dataset (``app.store.dataset.BudgetDataset``)."""

    unit_code: str
    year: int
    unit: UnitInfo

    def describe_cell(self, form_id: str, row: str, column: str) -> str: ...


class Work:
    """One write through the door: its session, the audit rows it records, what it changed."""

    def __init__(self, session, dataset: WrittenDataset, source: str, version: int, external: bool) -> None:
        self.session = session
        self.dataset = dataset
        self.source = source
        self.changes = Changes(version=version, external=external)
        self._audit: list[dict] = []
        self._time = now_utc()
        self._user = os_user()

    def record(self, place: str, old: str | None, new: str | None, *, form: str = "", row: str = "",
               column: str = "", source: str | None = None) -> None:
        """One audit row (written with the change, in the same transaction)."""
        self._audit.append({
            "unit_code": self.dataset.unit_code, "year": self.dataset.year, "batch": self.changes.version,
            "time": self._time, "os_user": self._user, "preparer": self.dataset.unit.preparer or "",
            "source": source or self.source, "form": form, "row": row[:300], "column": column[:64],
            "place": place, "old": old, "new": new})

    def record_cell(self, form_id: str, row: str, column: str, old: Decimal | None, new: Decimal | None) -> None:
        self.record(self.dataset.describe_cell(form_id, row, column), amount_text(old), amount_text(new),
                    form=form_id, row=row, column=column)
        self.changes.cells.add((form_id, row, column))

    def flush_audit(self) -> None:
        if self._audit:
            self.session.execute(insert(models.AuditEntry), self._audit)
            self._audit = []


def lock_dataset_row(session, dataset_id: int, token: str):
    """Bump the dataset's version as the transaction's FIRST statement and return its status.

    Being a write, it takes the write lock at once (SQLite: the database's; PostgreSQL: the row's), so
    status and version are read under the lock and no other writer can slip in between; a dataset
    whose token differs (replaced since it was opened) or that is gone gives None; else a row with
    ``status`` and the new ``version``.
    """
    table = cast(Table, models.Dataset.__table__)  # declared as a FromClause; a mapped class's is a Table
    return session.execute(
        update(table).where(table.c.id == dataset_id, table.c.token == token)
        .values(version=table.c.version + 1).returning(table.c.status, table.c.version)
    ).one_or_none()


class CellDescriber:
    """Cells in the form's words for a workbook that is not an open dataset (imports)."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook

    def __call__(self, form_id: str, row: str, column: str) -> str:
        form = form_by_id(form_id)
        column_def = next((c for c in form.columns if c.key == column), None)
        column_title = "—".join([*column_def.group, column_def.title]) if column_def else column
        return f"{form.short_title or form.title} / {self.workbook.row_title(form_id, row)} / {column_title}"


class AuditBatch:
    """Audit rows of a store-level write (an import), inserted in one statement."""

    def __init__(self, unit_code: str, year: int, batch: int, preparer: str, source: str) -> None:
        self.rows: list[dict] = []
        self.base = {"unit_code": unit_code, "year": year, "batch": batch, "time": now_utc(), "os_user": os_user(),
                     "preparer": preparer, "source": source}

    def add(self, place: str, old: str | None, new: str | None, *, form: str = "", row: str = "",
            column: str = "") -> None:
        self.rows.append({**self.base, "form": form, "row": row[:300], "column": column[:64], "place": place,
                          "old": old, "new": new})

    def write(self, session) -> None:
        if self.rows:
            session.execute(insert(models.AuditEntry), self.rows)


def describe_note(key: str) -> str:
    """A note in the clerk's words: 审核说明 T09, 情况说明 section …"""
    if key.startswith("explanation:"):
        return f"审核说明 {explanation_place(key.removeprefix('explanation:'))}"
    if key.startswith("narrative:"):
        return f"情况说明 / {section_title(key.removeprefix('narrative:'))}"
    return f"备注 {key}"
