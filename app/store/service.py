"""The core API shared by the GUI, the CLI and the tests: a store's units, datasets and code editions.

Every change is its own database transaction, committed before the call returns, so an edit is
durable as soon as the cell is left. The store is built of its parts, each in its own module:
``database`` (opening; the one place writes are opened), ``units``, ``code_tables``, ``importing``,
``dataset`` (an open dataset and its door) and ``work`` (what one write changed, and its audit rows).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.base.errors import ConflictError, InputError, LockedError
from app.base.money import MONEY_UNITS
from app.domain.cells import CellChange
from app.domain.records import STATUS_NAMES, DatasetInfo, UnitInfo
from app.store.audit import store_event
from app.store.code_tables import FROZEN_CODES_NOTE
from app.store.dataset import BudgetDataset
from app.store.editions import current_editions, dumps_editions
from app.store.importing import ImportedByOtherError, ImportingStore
from app.store.units import MAX_YEAR, MIN_YEAR, check_year, unit_info
from app.store.work import Changes, Work, lock_dataset_row
from db import models


class Store(ImportingStore):
    """One database (SQLite file or server URL), migrated to the newest schema on open: its units, code
    editions and datasets; ``open_dataset`` gives the door to one of them."""

    def create_dataset(self, unit_code: str, year: int, money_unit: str = "万元") -> DatasetInfo:
        check_year(year)
        if money_unit not in MONEY_UNITS:
            raise InputError(f"金额单位“{money_unit}”无效，只能是万元或元。")
        editions = dumps_editions(current_editions(self.code_tables(year)))  # what it is made with
        with self.write() as session:
            unit = self._unit(session, unit_code)
            if self._find_dataset(session, unit.id, year) is not None:
                raise ConflictError(f"单位 {unit_code} 的 {year} 年度预算已存在。")
            session.add(models.Dataset(unit_id=unit.id, year=year, money_unit=money_unit, status="draft",
                                       token=uuid.uuid4().hex, editions=editions))
            store_event(session, "录入", f"新建 {year} 年度预算（金额单位：{money_unit}）", new="编制中",
                        unit_code=unit_code, year=year)
        return self.dataset_info(unit_code, year)


    def dataset_info(self, unit_code: str, year: int) -> DatasetInfo:
        with self.Session() as session:
            dataset = self._dataset(session, unit_code, year)
            editions = {kind: table.edition for kind, table in self.code_tables(year).items()}
            return DatasetInfo(unit_code, dataset.unit.name, year, dataset.money_unit, dataset.status, editions)

    def list_datasets(self) -> list[DatasetInfo]:
        with self.Session() as session:
            rows = session.execute(
                select(models.Dataset, models.Unit).join(models.Unit).order_by(models.Unit.code, models.Dataset.year)
            ).all()
            return [DatasetInfo(unit.code, unit.name, ds.year, ds.money_unit, ds.status) for ds, unit in rows]

    def delete_dataset(self, unit_code: str, year: int) -> None:
        """Delete a dataset (refused while 已上报); the audit trail keeps the deletion."""
        with self.write() as session:
            dataset = self._dataset(session, unit_code, year)
            status = lock_dataset_row(session, dataset.id, dataset.token).status
            if status == "submitted":
                raise LockedError(f"单位 {unit_code} 的 {year} 年度预算已上报，不能删除；如需删除请先撤销上报。")
            session.delete(dataset)
            store_event(session, "删除", f"删除 {year} 年度预算", old=STATUS_NAMES.get(status, status),
                        unit_code=unit_code, year=year)

    def open_dataset(self, unit_code: str, year: int) -> BudgetDataset:
        return BudgetDataset(self, unit_code, year)


__all__ = ["FROZEN_CODES_NOTE", "MAX_YEAR", "MIN_YEAR", "BudgetDataset", "CellChange", "Changes", "ImportedByOtherError",
           "Store", "UnitInfo", "Work", "check_year", "lock_dataset_row", "unit_info"]
