"""The bureau's standing of the year: every unit with its status, the last package received, its 审核
counts, the key and 总计/基本/项目 (``overview``), and 退回 of one unit's budget with a written reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.base.errors import ConflictError, InputError
from app.base.money import exact_text, from_millionths
from app.domain.compute import Workbook
from app.domain.forms import TOTAL_ROW
from app.domain.records import STATUS_NAMES
from app.store.audit import now_utc, os_user
from app.store.service import check_year
from db import models

if TYPE_CHECKING:
    from app.store.service import Store


@dataclass
class OverviewRow:
    unit_code: str
    unit_name: str
    parent_code: str | None
    year: int
    money_unit: str
    status: str
    received_at: datetime | None
    errors: int | None
    warnings: int | None
    fingerprint: str
    total: Decimal | None
    basic: Decimal | None
    project: Decimal | None
    returned: str = ""

    @property
    def status_name(self) -> str:
        if self.returned and self.status == "draft":
            return "已退回"
        return STATUS_NAMES.get(self.status, self.status)

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit_code, "name": self.unit_name, "parent_code": self.parent_code, "year": self.year,
                "money_unit": self.money_unit, "status": self.status, "status_name": self.status_name,
                "received_at": self.received_at.isoformat() + "Z" if self.received_at else None,
                "errors": self.errors, "warnings": self.warnings, "fingerprint": self.fingerprint or None,
                "total": exact_text(self.total) or None, "basic": exact_text(self.basic) or None,
                "project": exact_text(self.project) or None, "return_reason": self.returned or None}


Totals = tuple[Decimal | None, Decimal | None, Decimal | None]  # 总计, 基本支出, 项目支出
SUMMARY = "expenditure_summary"


@dataclass
class TotalsMemo:
    """总计/基本/项目 already worked out, by (dataset id, token, version) — every write bumps the version —
    and for the code editions they were worked out with. A window keeps one, so its refresh works out only
    the datasets written since (at 500 units working every one out again was most of the refresh)."""

    editions: list[Any] = field(default_factory=list)
    totals: dict[tuple[int, str, int], Totals] = field(default_factory=dict)


def _totals(session, codes, datasets, year: int, memo: TotalsMemo) -> dict[int, Totals]:
    if len(memo.editions) != len(codes) or any(a is not b for a, b in zip(memo.editions, codes.values(), strict=False)):
        memo.editions, memo.totals = list(codes.values()), {}
    stamps = {dataset.id: (dataset.id, dataset.token, dataset.version) for dataset in datasets}
    needed = [dataset_id for dataset_id, stamp in stamps.items() if stamp not in memo.totals]
    if needed:
        query = (select(models.CellValue.dataset_id, models.CellValue.row_key, models.CellValue.column_key,
                        models.CellValue.millionths).where(models.CellValue.form == SUMMARY))
        if len(needed) == len(stamps):
            query = query.join(models.Dataset).where(models.Dataset.year == year)
        else:
            query = query.where(models.CellValue.dataset_id.in_(needed))
        cells: dict[int, dict[tuple[str, str, str], Decimal]] = {}
        for dataset_id, row, column, millionths in session.execute(query):
            cells.setdefault(dataset_id, {})[(SUMMARY, row, column)] = from_millionths(millionths)
        for dataset_id in needed:
            # only the three totals: working out the whole form for each unit costs ten times more
            book = Workbook(codes, cells.get(dataset_id, {}))
            total, basic, project = (book.value(SUMMARY, TOTAL_ROW, column) for column in ("total", "basic", "project"))
            memo.totals[stamps[dataset_id]] = (total, basic, project)
    current = set(stamps.values())  # older versions of this year's datasets go; other years' stay
    memo.totals = {stamp: totals for stamp, totals in memo.totals.items()
                   if stamp in current or stamp[0] not in stamps}
    return {dataset_id: memo.totals[stamp] for dataset_id, stamp in stamps.items()}


def overview(store: Store, year: int, memo: TotalsMemo | None = None) -> list[OverviewRow]:
    """Units × the year: status, the last package received, its check counts, the key, 总计/基本/项目.
    ``memo`` keeps the totals between calls (see ``TotalsMemo``)."""
    check_year(year)
    codes = store.code_tables(year)
    parent = aliased(models.Unit)
    received_columns = (models.ReceivedPackage.unit_code, models.ReceivedPackage.received_at,
                        models.ReceivedPackage.errors, models.ReceivedPackage.warnings,
                        models.ReceivedPackage.fingerprint, models.ReceivedPackage.status,
                        models.ReceivedPackage.return_reason)
    with store.Session() as session:
        # the parent's code in the same read: one query, not one per unit
        datasets = session.execute(select(models.Dataset.id, models.Dataset.token, models.Dataset.version,
                                          models.Dataset.money_unit, models.Dataset.status, models.Unit.code,
                                          models.Unit.name, parent.code.label("parent_code"))
                                   .select_from(models.Dataset)
                                   .join(models.Unit, models.Dataset.unit_id == models.Unit.id)
                                   .outerjoin(parent, models.Unit.parent_id == parent.id)
                                   .where(models.Dataset.year == year).order_by(models.Unit.code)).all()
        totals = _totals(session, codes, datasets, year, memo if memo is not None else TotalsMemo())
        latest = {received.unit_code: received for received in session.execute(
            select(*received_columns).where(models.ReceivedPackage.year == year).order_by(models.ReceivedPackage.id))}
        keys = {code: fingerprint for code, fingerprint in session.execute(
            select(models.TrustedKey.unit_code, models.TrustedKey.fingerprint).where(models.TrustedKey.status == "active"))}
        rows = []
        for dataset in datasets:
            received = latest.get(dataset.code)
            rows.append(OverviewRow(
                dataset.code, dataset.name, dataset.parent_code, year, dataset.money_unit, dataset.status,
                received.received_at if received else None, received.errors if received else None,
                received.warnings if received else None, keys.get(dataset.code, received.fingerprint if received else ""),
                *totals[dataset.id],
                received.return_reason if received is not None and received.status == "returned" else ""))
    return rows


def _not_submitted(unit_code: str, unit_name: str, year: int) -> str:
    return f"单位 {unit_code} {unit_name} 的 {year} 年度预算不是已上报状态，无需退回。"


def check_returnable(store: Store, unit_code: str, year: int) -> None:
    """Refuse a 退回 before anything is asked: the dataset must be 已上报 as stored now (another officer or
    a new import may have changed it since the list was read)."""
    info = store.dataset_info(unit_code, year)
    if info.status != "submitted":
        raise ConflictError(_not_submitted(unit_code, info.unit_name, year))


def return_dataset(store: Store, unit_code: str, year: int, reason: str) -> None:
    """退回: the dataset goes back to 编制中 with the bureau's written reason (recorded and audited)."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("退回必须写明原因（--reason）。")
    if len(reason) > 2000:
        raise InputError("退回原因不能超过 2000 字。")
    dataset = store.open_dataset(unit_code, year)
    if dataset.status != "submitted":
        raise ConflictError(_not_submitted(unit_code, dataset.unit.name, year))
    with store.transaction():  # the status, its audit row and the receipt's 退回: one commit
        dataset.set_status("draft", reason=f"退回：{reason}")  # audited by the core
        now = now_utc(whole_seconds=True)
        with store.write() as session:
            received = session.scalar(select(models.ReceivedPackage).where(
                models.ReceivedPackage.unit_code == unit_code, models.ReceivedPackage.year == year)
                .order_by(models.ReceivedPackage.id.desc()).limit(1))
            if received is None:
                received = models.ReceivedPackage(unit_code=unit_code, year=year, received_at=now, sha256="",
                                                  fingerprint="", package_status="submitted", os_user=os_user()[:100])
                session.add(received)
            received.status, received.return_reason, received.returned_at = "returned", reason, now
