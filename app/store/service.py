"""The core API shared by the GUI, the CLI and the tests: units, datasets, cells, code editions.

Every change is its own database transaction, committed before the call returns, so an edit is
durable as soon as the cell is left.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.base.clock import now_utc
from app.base.errors import ConflictError, InputError, LockedError, NotFoundError, StaleDataError
from app.base.faults import ReadOnlyDatabaseError, read_only_message
from app.base.money import MONEY_UNITS, format_amount, from_hundredths, parse_amount, to_hundredths
from app.base.textcheck import check_code
from app.domain.cells import CellChange
from app.domain.codes import CODE_KINDS, KIND_NAMES, CodeTable, build_table, default_shipped_table
from app.domain.compute import FormView, Workbook
from app.domain.forms import form_by_id
from app.domain.records import STATUS_NAMES, UNIT_FIELDS, UNIT_TEXT_FIELDS, DatasetInfo, UnitInfo
from app.store.audit import os_user, store_event
from db import models
from db.engine import make_sessionmaker, open_database

MIN_YEAR, MAX_YEAR = 2000, 2100


class ImportedByOtherError(ConflictError):
    """Another process imported the same unit and year while this one was importing it."""


# Crash tests: called with each step's name; ``BUDGETDESK_KILL_AT_STEP`` kills the process there.
STEP_HOOKS: list = []


_steps_seen: dict[str, int] = {}


def write_step(name: str) -> None:
    """``BUDGETDESK_KILL_AT_STEP=name`` or ``name#n`` (its n-th time in this process)."""
    for hook in list(STEP_HOOKS):
        hook(name)
    wanted = os.environ.get("BUDGETDESK_KILL_AT_STEP")
    if wanted:
        _steps_seen[name] = _steps_seen.get(name, 0) + 1
        if wanted in (name, f"{name}#{_steps_seen[name]}"):
            import signal

            os.kill(os.getpid(), signal.SIGKILL)

UNIT_FIELD_NAMES = {**{key: label for key, label in UNIT_FIELDS if key != "code"}, "parent_code": "上级单位"}
log = logging.getLogger(__name__)


def check_year(year: int) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"预算年度“{year}”无效，应为 {MIN_YEAR}—{MAX_YEAR} 之间的四位年份。")
    return year


def _unit_info(unit: models.Unit) -> UnitInfo:
    return UnitInfo(
        code=unit.code, name=unit.name, parent_code=unit.parent.code if unit.parent else None,
        **{key: getattr(unit, key) or "" for key in UNIT_TEXT_FIELDS},
    )


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


def _amount_text(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


class Work:
    """One write through the door: its session, the audit rows it records, what it changed."""

    def __init__(self, session, dataset: BudgetDataset, source: str, version: int, external: bool) -> None:
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
        self.record(self.dataset.describe_cell(form_id, row, column), _amount_text(old), _amount_text(new),
                    form=form_id, row=row, column=column)
        self.changes.cells.add((form_id, row, column))

    def flush_audit(self) -> None:
        if self._audit:
            self.session.execute(insert(models.AuditEntry), self._audit)
            self._audit = []


class Store:
    """One database (SQLite file or server URL), migrated to the newest schema on open."""

    def __init__(self, target: str | None = None, *, read_only: bool | None = None,
                 backup_on_upgrade: bool = True) -> None:
        from app.store.backup import backup_before_upgrade

        opened = open_database(target, read_only=read_only,
                               before_upgrade=backup_before_upgrade if backup_on_upgrade else None)
        self.target = target
        self.engine = opened.engine
        self.read_only = opened.read_only  # writes are refused with a Chinese message (app.base.faults)
        self.path = opened.path  # the SQLite file (backups go beside it); None on a server
        self.Session = make_sessionmaker(self.engine)
        from app.projects.levels import load_local_levels, migrate_side_file

        if not self.read_only:
            migrate_side_file(self)
        load_local_levels(self)  # this database's local 一级/二级 additions are the ones in use

    @classmethod
    def scratch(cls) -> Store:
        """A private in-memory database with today's schema, for checking data before it is written
        (a file that says 已上报). Built from the models, not Alembic, whose runtime is one per process."""
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import StaticPool

        from db.models import Base

        store = cls.__new__(cls)
        store.target = "sqlite://"
        store.engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        event.listen(store.engine, "connect", lambda connection, _record: connection.execute("PRAGMA foreign_keys=ON"))
        Base.metadata.create_all(store.engine)
        store.read_only = False
        store.path = None
        store.Session = make_sessionmaker(store.engine)
        return store

    def close(self) -> None:
        self.engine.dispose()

    # ---- the one place writes are opened ----------------------------------------------------
    def refuse_if_read_only(self) -> None:
        if getattr(self, "read_only", False):
            raise ReadOnlyDatabaseError(read_only_message(self.path))

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One database transaction around several writes (an import: key, dataset, receipt, kept file,
        audit): every session opened inside joins it, and it commits once at the end or not at all.
        Nested, it joins the outer one."""
        self.refuse_if_read_only()
        with self.Session.transaction():
            yield self

    @contextmanager
    def write(self) -> Iterator:
        """A session for one write, inside ``transaction`` (joining an open one)."""
        with self.transaction(), self.Session.begin() as session:
            yield session

    def event(self, session, source: str, place: str, *, old: str | None = None, new: str | None = None,
              unit_code: str = "", year: int = 0, form: str = "", row: str = "", column: str = "") -> None:
        """An audit row of a store-level write (not a dataset cell edit), in ``session``'s transaction."""
        store_event(session, source, place, old=old, new=new, unit_code=unit_code, year=year, form=form, row=row,
                    column=column)

    def step(self, name: str) -> None:
        """A write step of a multi-step write is done (crash tests stop a process exactly here)."""
        if self.target != "sqlite://":  # a scratch check (Store.scratch) is no step of the real write
            write_step(name)

    # ---- units ---------------------------------------------------------------------------
    def _unit(self, session, code: str) -> models.Unit:
        unit = session.scalar(select(models.Unit).where(models.Unit.code == code))
        if unit is None:
            raise NotFoundError(f"没有单位编码为“{code}”的预算单位。")
        return unit

    @staticmethod
    def _validate_unit(info: UnitInfo) -> UnitInfo:
        """Check the unit's codes and texts (app.base.textcheck). The codes are normalised in place
        (full-width ３５９ is the unit 359), so every caller stores and looks up the same code."""
        from app.base.textcheck import UNIT_TEXTS, check_code, check_fields

        info.code = check_code(info.code, "单位编码")
        if info.parent_code is not None and str(info.parent_code).strip():
            info.parent_code = check_code(info.parent_code, "上级单位编码")
        else:
            info.parent_code = None
        check_fields(info, UNIT_TEXTS)
        if not info.name or not info.name.strip():
            raise InputError(f"单位 {info.code} 缺少单位名称。")
        if info.parent_code and info.parent_code == info.code:
            raise InputError("上级单位不能是本单位自己。")
        return info

    def _apply_unit(self, session, unit: models.Unit, info: UnitInfo) -> None:
        unit.name = info.name.strip()
        for key in UNIT_TEXT_FIELDS:
            setattr(unit, key, (getattr(info, key) or "").strip())
        if info.parent_code:
            parent = session.scalar(select(models.Unit).where(models.Unit.code == info.parent_code))
            if parent is None:
                raise NotFoundError(f"上级单位“{info.parent_code}”不存在，请先建立或导入上级单位。")
            unit.parent = parent
        else:
            unit.parent = None

    def create_unit(self, info: UnitInfo) -> UnitInfo:
        self._validate_unit(info)
        with self.write() as session:
            if session.scalar(select(models.Unit).where(models.Unit.code == info.code)) is not None:
                raise ConflictError(f"单位编码“{info.code}”已存在。")
            unit = models.Unit(code=info.code.strip())
            self._apply_unit(session, unit, info)
            session.add(unit)
            session.flush()
            return _unit_info(unit)

    def update_unit(self, info: UnitInfo) -> UnitInfo:
        """Change a unit's information (shared by all its years); each changed field is audited."""
        self._validate_unit(info)
        with self.write() as session:
            unit = self._unit(session, info.code)
            before = _unit_info(unit)
            self._apply_unit(session, unit, info)
            session.flush()
            after = _unit_info(unit)
            for key, label in UNIT_FIELD_NAMES.items():
                old, new = getattr(before, key) or None, getattr(after, key) or None
                if old != new:
                    store_event(session, "录入", f"单位信息 / {label}", old=old, new=new, unit_code=info.code)
            return after

    def get_unit(self, code: str) -> UnitInfo:
        with self.Session() as session:
            return _unit_info(self._unit(session, code))

    def list_units(self) -> list[UnitInfo]:
        with self.Session() as session:
            return [_unit_info(unit) for unit in session.scalars(select(models.Unit).order_by(models.Unit.code))]

    # ---- datasets ------------------------------------------------------------------------
    def create_dataset(self, unit_code: str, year: int, money_unit: str = "万元") -> DatasetInfo:
        check_year(year)
        if money_unit not in MONEY_UNITS:
            raise InputError(f"金额单位“{money_unit}”无效，只能是万元或元。")
        from app.store.editions import current_editions, dumps_editions

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

    @staticmethod
    def _find_dataset(session, unit_id: int, year: int) -> models.Dataset | None:
        return session.scalar(
            select(models.Dataset).where(models.Dataset.unit_id == unit_id, models.Dataset.year == year)
        )

    def _dataset(self, session, unit_code: str, year: int) -> models.Dataset:
        unit = self._unit(session, unit_code)
        dataset = self._find_dataset(session, unit.id, year)
        if dataset is None:
            raise NotFoundError(f"单位 {unit_code} {unit.name} 没有 {year} 年度的预算数据。")
        return dataset

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

    def import_dataset(self, unit: UnitInfo, year: int, money_unit: str, status: str, workbook: Workbook,
                       book, notes: dict[str, str], *, replace: bool = False, source: str = "导入",
                       backup: bool = True, self_evaluation=None, editions: dict | None = None,
                       event: str = "数据导入", note: str = "") -> Changes:
        """Write a whole validated dataset (an interchange file, a workbook, a package) in ONE transaction.

        An existing dataset of the unit and year is replaced only with ``replace`` and never while
        已上报; its successor gets a new token, so a process that had the old one open cannot write
        into it. Every cell, project and note that differs is audited with ``source``. A backup of the
        database is taken first (SQLite). ``self_evaluation``: the 绩效自评 forms
        (app.selfeval.SelfEvaluationContent, validated), written and audited alike. ``editions``: the
        definitions' editions the content was made with (app.store.editions; default: today's). ``event``:
        the audit trail's name for the whole write (数据导入, 新建年度 …). ``note`` is added to the
        import's first audit row (where the data came from: a package, a 合并 of chosen tables)."""
        from app import selfeval
        from app.projects import project_entries_for_import, write_content
        from app.store.backup import backup_before
        from app.store.editions import current_editions, describe_editions, dumps_editions

        self._validate_unit(unit)
        if getattr(self, "read_only", False):
            raise ReadOnlyDatabaseError(read_only_message(self.path))
        if backup:  # a batch (the bureau's folder import) backs up once before it starts
            backup_before(self, "replace" if replace else "import")
        changes = Changes(status=status)
        editions = {**current_editions(self.code_tables(year)), **(editions or {})}
        with self.write() as session:
            record = session.scalar(select(models.Unit).where(models.Unit.code == unit.code))
            old_values: dict[tuple[str, str, str], Decimal] = {}
            old_notes: dict[str, str] = {}
            old_projects: list = []
            old_selfeval = selfeval.SelfEvaluationContent()
            version = 0
            if record is not None:
                existing = self._find_dataset(session, record.id, year)
                if existing is not None and not replace:
                    raise ConflictError(
                        f"单位 {unit.code} {record.name} 的 {year} 年度预算已存在；如要覆盖，请使用 --replace。")
                if record.name != unit.name and not replace:
                    raise ConflictError(
                        f"单位编码 {unit.code} 已属于“{record.name}”，与文件中的“{unit.name}”不一致，未导入；"
                        "如确认是同一单位，请使用 --replace。")
                if existing is not None:
                    locked = lock_dataset_row(session, existing.id, existing.token)
                    if locked is None:  # another process replaced or deleted it while this one waited
                        raise ConflictError(f"单位 {unit.code} {record.name} 的 {year} 年度预算刚被其他用户导入或替换，"
                                            "本次未导入；请查看现有数据后再决定是否覆盖。")
                    if locked.status == "submitted":
                        raise LockedError(f"单位 {unit.code} {record.name} 的 {year} 年度预算已上报，不能被导入的数据覆盖；"
                                          "如确需覆盖，请先撤销上报（须填写原因）。")
                    version = locked.version
                    old_values = {(c.form, c.row_key, c.column_key): from_hundredths(c.hundredths)
                                  for c in session.scalars(select(models.CellValue)
                                                           .where(models.CellValue.dataset_id == existing.id))}
                    old_notes = {n.key: n.text for n in session.scalars(
                        select(models.DatasetNote).where(models.DatasetNote.dataset_id == existing.id))}
                    from app.projects.mapping import _project_from_row

                    old_projects = [_project_from_row(row) for row in session.scalars(
                        select(models.Project).where(models.Project.dataset_id == existing.id))]
                    old_selfeval = selfeval.read_content(session, existing.id)
                    session.delete(existing)
                    session.flush()
            else:
                record = models.Unit(code=unit.code)
                session.add(record)
            self._apply_unit(session, record, unit)
            try:
                session.flush()
            except IntegrityError:  # the same unit was just created by another process (PostgreSQL: two staff)
                raise ImportedByOtherError(f"单位 {unit.code} {unit.name} 的 {year} 年度预算已由其他用户导入，"
                                           "本次未导入。") from None
            dataset = models.Dataset(unit_id=record.id, year=year, money_unit=money_unit, status=status,
                                     version=version + 1, token=uuid.uuid4().hex, editions=dumps_editions(editions))
            session.add(dataset)
            session.flush()
            if workbook.values:  # an empty list would insert one row of defaults
                session.execute(insert(models.CellValue), [
                    {"dataset_id": dataset.id, "form": form, "row_key": row, "column_key": column,
                     "hundredths": to_hundredths(value)} for (form, row, column), value in workbook.values.items()])
            rows = [{"dataset_id": dataset.id, "form": form, "row_key": row}
                    for form, present in workbook.present_rows.items() for row in present]
            if rows:
                session.execute(insert(models.FormRow), rows)
            self.step("dataset:cells")
            write_content(session, dataset.id, book)
            new_selfeval = self_evaluation or selfeval.SelfEvaluationContent()
            selfeval.write_content(session, dataset.id, new_selfeval)
            for key, text in notes.items():
                session.add(models.DatasetNote(dataset_id=dataset.id, key=key, text=text))
            if status == "submitted":
                session.flush()
                freeze_codes(session, dataset.id, workbook.codes)
            session.flush()
            self.step("dataset:content")
            # The audit: one row for the import itself, then every difference in the form's words.
            describe = _CellDescriber(workbook)
            audit = _AuditBatch(unit.code, year, dataset.version, unit.preparer or "", source)
            audit.add(event, "已有数据" if version else None,
                      f"{len(workbook.values)} 个单元格、{len(book.projects)} 个项目"
                      + ("（替换原有数据）" if version else "") + f"；{describe_editions(editions)}"
                      + (f"；{note}" if note else ""))
            for key in sorted(old_values.keys() | workbook.values.keys()):
                before, after = old_values.get(key), workbook.values.get(key)
                if before != after:
                    audit.add(describe(*key), _amount_text(before), _amount_text(after),
                              form=key[0], row=key[1], column=key[2])
                    changes.cells.add(key)
            for row, column, before, after in project_entries_for_import(old_projects, book.projects):
                audit.add(f"{row}{(' / ' + column) if column else ''}", before, after, form="project", row=row,
                          column=column)
            for form, row, column, before, after in selfeval.content_entries(old_selfeval, new_selfeval):
                audit.add(selfeval.describe_entry(form, row, column), before, after, form=form, row=row, column=column)
            for key in sorted(old_notes.keys() | notes.keys()):
                if old_notes.get(key) != notes.get(key) and not key.endswith(":base"):
                    audit.add(describe_note(key), old_notes.get(key), notes.get(key), form="note", row=key)
            audit.write(session)
            self.step("dataset:audit")
            changes.version = dataset.version
        changes.book = True
        log.info("imported %s %s (%s cells, source %s)", unit.code, year, len(workbook.values), source)
        return changes

    # ---- code editions ------------------------------------------------------------------
    def code_tables(self, year: int) -> dict[str, CodeTable]:
        """The code editions a budget year uses: an imported one if the bureau set it, else shipped."""
        tables: dict[str, CodeTable] = {}
        with self.Session() as session:
            for kind in CODE_KINDS:
                link = session.get(models.YearEdition, (year, kind))
                if link is None:
                    tables[kind] = default_shipped_table(kind, year)
                    continue
                edition = session.get(models.CodeEdition, link.edition_id)
                tables[kind] = self._imported_table(edition)
        return tables

    _imported_cache: dict[tuple[int, str], CodeTable] = {}

    def _imported_table(self, edition: models.CodeEdition) -> CodeTable:
        cache_key = (id(self), f"{edition.kind}:{edition.edition}:{edition.id}")
        if cache_key not in self._imported_cache:
            rows = [(entry.code, entry.name, entry.attribute) for entry in edition.entries]
            self._imported_cache[cache_key] = build_table(edition.kind, edition.edition, edition.title, rows, edition.source)
        return self._imported_cache[cache_key]

    def import_code_edition(self, kind: str, edition: str, rows: list[tuple[str, str, str | None]],
                            *, year: int | None = None, title: str = "", source: str = "") -> CodeTable:
        """Validate an official code list and make it the one ``year`` (default: the edition) uses."""
        from app.domain.code_editions import refuse_orphans
        from app.domain.codes import normalized_rows

        if kind not in CODE_KINDS:
            raise InputError(f"科目类型“{kind}”无效，只能是 function（功能分类）或 economic（经济分类）。")
        edition = check_code(edition, "版本", 4) if str(edition).strip() else ""
        if not edition.isdigit() or len(edition) != 4:
            raise InputError(f"版本“{edition}”无效，应为四位年份，例如 2024。")
        target_year = check_year(year if year is not None else int(edition))
        rows = normalized_rows(rows)
        if kind == "economic":
            # An official list has no 人员/公用 classification: keep the shipped one where the code exists.
            shipped = default_shipped_table(kind, target_year)
            rows = [(code, name, attr if attr is not None else
                     (shipped.items[code].attribute if code in shipped.items else None)) for code, name, attr in rows]
        table = build_table(kind, edition, title or f"{edition}年{KIND_NAMES[kind]}", rows, source)
        # Read-only, before the write: a list that lacks codes entered datasets use is refused.
        refuse_orphans(self, kind, edition, target_year, table.items)
        from app.store.backup import backup_before

        backup_before(self, "codes")
        with self.write() as session:
            existing = session.scalar(
                select(models.CodeEdition).where(models.CodeEdition.kind == kind, models.CodeEdition.edition == edition)
            )
            if existing is not None:
                session.delete(existing)
                session.flush()
            record = models.CodeEdition(kind=kind, edition=edition, title=table.title, source=source)
            record.entries = [models.CodeEntry(code=item.code, name=item.name, attribute=item.attribute)
                              for item in table.items.values()]
            session.add(record)
            session.flush()
            link = session.get(models.YearEdition, (target_year, kind))
            if link is None:
                session.add(models.YearEdition(year=target_year, kind=kind, edition_id=record.id))
            else:
                link.edition_id = record.id
            store_event(session, "科目表", f"{target_year} 年度使用的{KIND_NAMES[kind]}",
                        new=f"{table.title}（{edition} 版，{len(table.items)} 个科目）")
        self._imported_cache.clear()
        return table


FROZEN_CODES_NOTE = "frozen:codes"  # the code tables a 已上报 dataset was submitted with (never exported)


def frozen_codes_text(codes: dict[str, CodeTable]) -> str:
    import json

    return json.dumps({kind: {"edition": table.edition, "title": table.title, "source": table.source,
                              "rows": [[item.code, item.name, item.attribute] for item in table.items.values()]}
                       for kind, table in codes.items()}, ensure_ascii=False, sort_keys=True)


_frozen_cache: dict[str, dict[str, CodeTable]] = {}


def frozen_code_tables(text: str) -> dict[str, CodeTable] | None:
    """The code tables kept with a submitted dataset; None if the record cannot be read."""
    import json

    if text not in _frozen_cache:
        try:
            data = json.loads(text)
            _frozen_cache[text] = {kind: build_table(kind, part["edition"], part["title"],
                                                     [tuple(row) for row in part["rows"]], part.get("source", ""))
                                   for kind, part in data.items() if kind in CODE_KINDS}
        except (ValueError, KeyError, TypeError, InputError):
            return None
        if len(_frozen_cache) > 64:
            _frozen_cache.pop(next(iter(_frozen_cache)))
    return _frozen_cache[text]


def freeze_codes(session, dataset_id: int, codes: dict[str, CodeTable]) -> str:
    """Keep the code tables with a dataset as it becomes 已上报: later editions change drafts only."""
    text = frozen_codes_text(codes)
    note = session.get(models.DatasetNote, (dataset_id, FROZEN_CODES_NOTE))
    if note is None:
        session.add(models.DatasetNote(dataset_id=dataset_id, key=FROZEN_CODES_NOTE, text=text))
    else:
        note.text = text
    return "、".join(f"{KIND_NAMES[kind]} {table.edition} 版" for kind, table in codes.items())


def lock_dataset_row(session, dataset_id: int, token: str):
    """Bump the dataset's version as the transaction's FIRST statement and return its status.

    Being a write, it takes the write lock at once (SQLite: the database's; PostgreSQL: the row's), so
    status and version are read under the lock and no other writer can slip in between; a dataset
    whose token differs (replaced since it was opened) or that is gone gives None; else a row with
    ``status`` and the new ``version``.
    """
    table = models.Dataset.__table__
    return session.execute(
        update(table).where(table.c.id == dataset_id, table.c.token == token)
        .values(version=table.c.version + 1).returning(table.c.status, table.c.version)
    ).one_or_none()


class BudgetDataset:
    """An open dataset: the computed workbook in memory; every edit goes through ``door`` at once."""

    def __init__(self, store: Store, unit_code: str, year: int) -> None:
        self.store = store
        self.unit_code = unit_code
        self.year = year
        self.last_changes = Changes()
        self.reload()

    def reload(self) -> None:
        from app.store.editions import parse_editions

        with self.store.Session() as session:
            dataset = self.store._dataset(session, self.unit_code, self.year)
            self.dataset_id = dataset.id
            self.money_unit = dataset.money_unit
            self.status = dataset.status
            self.version = dataset.version
            self.token = dataset.token
            self.editions = parse_editions(dataset.editions)  # what it was made with (app.store.editions)
            self.unit = _unit_info(dataset.unit)
            values = {
                (cell.form, cell.row_key, cell.column_key): from_hundredths(cell.hundredths)
                for cell in session.scalars(select(models.CellValue).where(models.CellValue.dataset_id == dataset.id))
            }
            present: dict[str, set[str]] = {}
            for row in session.scalars(select(models.FormRow).where(models.FormRow.dataset_id == dataset.id)):
                present.setdefault(row.form, set()).add(row.row_key)
            frozen = None
            if dataset.status == "submitted":  # shown and printed with the code tables it was submitted with
                note = session.get(models.DatasetNote, (dataset.id, FROZEN_CODES_NOTE))
                frozen = frozen_code_tables(note.text) if note is not None else None
        self.codes = {**self.store.code_tables(self.year), **(frozen or {})}
        self.workbook = Workbook(self.codes, values, present)

    @property
    def info(self) -> DatasetInfo:
        editions = {kind: table.edition for kind, table in self.codes.items()}
        return DatasetInfo(self.unit_code, self.unit.name, self.year, self.money_unit, self.status, editions)

    @property
    def editable(self) -> bool:
        """What the editors show as editable: not 已上报 and not a read-only database. (The door decides
        for real on every write, from the database.)"""
        return self.status != "submitted" and not getattr(self.store, "read_only", False)

    @property
    def label(self) -> str:
        return f"单位 {self.unit_code} {self.unit.name} {self.year} 年度预算"

    # ---- reading -------------------------------------------------------------------------
    def view(self, form_id: str) -> FormView:
        return self.workbook.view(form_id)

    def value(self, form_id: str, row: str, column: str) -> Decimal | None:
        return self.workbook.value(form_id, row, column)

    def entered_values(self) -> dict[tuple[str, str, str], Decimal]:
        return dict(self.workbook.values)

    def stored_version(self) -> int | None:
        """The version as stored now (any process's write bumps it); None once replaced or deleted."""
        table = models.Dataset.__table__
        with self.store.Session.connect() as connection:
            return connection.execute(select(table.c.version).where(
                table.c.id == self.dataset_id, table.c.token == self.token)).scalar()

    def describe_cell(self, form_id: str, row: str, column: str) -> str:
        """A cell in the form's words: 表 / 行 / 栏."""
        return _CellDescriber(self.workbook)(form_id, row, column)

    # ---- the one door ----------------------------------------------------------------------
    @contextmanager
    def door(self, source: str, *, allow_submitted: bool = False,
             expected_version: int | None = None) -> Iterator[Work]:
        """Every write of this dataset: one transaction that first locks and reads the dataset's status
        and version FROM THE DATABASE, refuses a submitted (``LockedError``) or replaced dataset
        (``StaleDataError``), lets the caller write and record audit rows, and commits both together.
        ``expected_version``: refuse if anyone wrote since the view read that version."""
        if getattr(self.store, "read_only", False):
            raise ReadOnlyDatabaseError(read_only_message(self.store.path))
        seen = self.version
        with self.store.Session.begin() as session:
            row = lock_dataset_row(session, self.dataset_id, self.token)
            if row is None:
                log.info("write refused: %s was replaced or deleted", self.label)
                raise StaleDataError(f"{self.label}已被替换或删除（例如另一个窗口或程序重新导入了数据），"
                                     "本次修改没有保存。请重新打开该预算。", replaced=True)
            status, version = row.status, row.version
            if expected_version is not None and version - 1 != expected_version:
                raise StaleDataError(f"{self.label}刚被另一个窗口或程序修改，本次操作没有执行。已重新载入最新数据，请核对后再试。")
            if status == "submitted" and not allow_submitted:
                self.status = status
                log.info("write refused: %s is submitted", self.label)
                raise LockedError(f"{self.label}已上报，不能修改；如需修改，请先撤销上报（须填写原因）。")
            work = Work(session, self, source, version, external=version - 1 != seen)
            session.info["work"] = work
            yield work
            work.flush_audit()
        self.version = version
        if work.changes.status is not None:
            self.status = work.changes.status
        self.last_changes = work.changes

    # ---- editing -------------------------------------------------------------------------
    def prepare_change(self, form_id: str, row: str, column: str, text: str | Decimal | None) -> CellChange:
        """Validate one cell edit without saving it (raises InputError with a Chinese message)."""
        form = form_by_id(form_id)
        form.column(column)
        value = None if text is None else parse_amount(text)
        self.workbook.check_settable(form_id, row, column)
        return CellChange(form_id, row, column, value)

    def set_cell(self, form_id: str, row: str, column: str, text: str | Decimal | None, *,
                 source: str = "录入") -> Decimal | None:
        change = self.prepare_change(form_id, row, column, text)
        self.apply_changes([change], source=source)
        return change.value

    def clear_cell(self, form_id: str, row: str, column: str, *, source: str = "录入") -> None:
        self.set_cell(form_id, row, column, None, source=source)

    def _write_cells(self, work: Work, changes: list[CellChange]) -> None:
        session = work.session
        for change in changes:
            key = (self.dataset_id, change.form, change.row, change.column)
            cell = session.get(models.CellValue, key)
            stored = None if cell is None else from_hundredths(cell.hundredths)
            believed = self.workbook.values.get((change.form, change.row, change.column))
            if stored != believed:
                shown = "空" if stored is None else format_amount(stored)
                raise StaleDataError(
                    f"{self.describe_cell(change.form, change.row, change.column)}已被另一个窗口或程序改为 {shown}"
                    f"（本窗口显示的是 {'空' if believed is None else format_amount(believed)}），本次修改没有保存。"
                    "已重新载入最新数据，请核对后再改。")
            if stored == change.value:
                continue
            if change.value is None:
                session.delete(cell)
            elif cell is None:
                session.add(models.CellValue(dataset_id=self.dataset_id, form=change.form, row_key=change.row,
                                             column_key=change.column, hundredths=to_hundredths(change.value)))
            else:
                cell.hundredths = to_hundredths(change.value)
            work.record_cell(change.form, change.row, change.column, stored, change.value)

    def apply_changes(self, changes: Iterable[CellChange], *, source: str = "录入") -> Changes:
        """Write several validated cell changes in one transaction (a paste, an undo step).

        Refused as a whole, with nothing written, when the dataset is 已上报 or replaced, or when a cell
        no longer holds what this view shows (another window or process changed it)."""
        changes = list(changes)
        with self.door(source) as work:
            self._write_cells(work, changes)
        for change in changes:
            self.workbook.set_value(change.form, change.row, change.column, change.value)
        return work.changes

    def add_row(self, form_id: str, code: str, *, source: str = "录入") -> Changes:
        """Add a 功能分类/经济分类 row (its parents appear by themselves)."""
        form = form_by_id(form_id)
        if form.code_kind is None:
            raise InputError(f"《{form.title}》是固定行表，不能增加行。")
        code = check_code(code, "科目编码", 16)
        table = self.codes[form.code_kind]
        if code not in table:
            raise InputError(f"科目编码“{code}”不在{KIND_NAMES[form.code_kind]}（{table.edition}版）中。")
        for ancestor in table.ancestors(code):
            if any(self.workbook.values.get((form_id, ancestor, col.key)) is not None for col in form.columns):
                raise InputError(f"上级科目 {ancestor} {table.name(ancestor)} 已直接录入金额，请先清除该行金额再增加下级科目。")
        with self.door(source) as work:
            if work.session.get(models.FormRow, (self.dataset_id, form_id, code)) is None:
                work.session.add(models.FormRow(dataset_id=self.dataset_id, form=form_id, row_key=code))
                work.record(f"{form.short_title or form.title} / 增加科目 {code} {table.name(code)}", None, "增加",
                            form=form_id, row=code)
            work.changes.structure.add(form_id)
        self.workbook.add_row(form_id, code)
        return work.changes

    def remove_row(self, form_id: str, code: str, *, source: str = "录入") -> Changes:
        """Remove a code row with its sub-rows and their values (the GUI asks before calling this)."""
        form = form_by_id(form_id)
        doomed = [other for other in self.workbook.code_rows(form) if other.startswith(code)]
        with self.door(source) as work:
            values = [CellChange(f, r, c, None) for (f, r, c) in self.workbook.values if f == form_id and r in doomed]
            self._write_cells(work, values)
            for other in doomed:
                work.session.execute(delete(models.FormRow).where(
                    models.FormRow.dataset_id == self.dataset_id, models.FormRow.form == form_id,
                    models.FormRow.row_key == other))
            work.record(f"{form.short_title or form.title} / 删除科目 {self.workbook.row_title(form_id, code)}",
                        "存在", None, form=form_id, row=code)
            work.changes.structure.add(form_id)
        for change in values:
            self.workbook.set_value(change.form, change.row, change.column, None)
        for other in doomed:
            self.workbook.remove_row(form_id, other)
        return work.changes

    def notes(self, prefix: str = "") -> dict[str, str]:
        """Free-text notes kept with the dataset (提示 explanations, edited narrative …)."""
        with self.store.Session() as session:
            rows = session.scalars(select(models.DatasetNote).where(models.DatasetNote.dataset_id == self.dataset_id))
            return {note.key: note.text for note in rows if note.key.startswith(prefix)}

    def set_note(self, key: str, text: str | None, *, source: str = "录入") -> Changes:
        """Store (or, with None, delete) one note in its own transaction."""
        return self.set_notes({key: text}, source=source)

    def set_notes(self, notes: dict[str, str | None], *, source: str = "录入") -> Changes:
        """Store or delete several notes in one transaction (a 情况说明 edit and its base text)."""
        with self.door(source) as work:
            for key, text in notes.items():
                note = work.session.get(models.DatasetNote, (self.dataset_id, key))
                old = None if note is None else note.text
                if old == text:
                    continue
                if text is None:
                    work.session.delete(note)
                elif note is None:
                    work.session.add(models.DatasetNote(dataset_id=self.dataset_id, key=key, text=text))
                else:
                    note.text = text
                if not key.endswith(":base"):  # the generated text an edit was based on: not the clerk's words
                    work.record(describe_note(key), old, text, form="note", row=key)
                work.changes.notes.add(key)
        return work.changes

    def row_snapshot(self, form_id: str, code: str) -> tuple[set[str], list[CellChange]]:
        """What removing ``code`` would take away: added rows and values under it (for undo)."""
        rows = {row for row in self.workbook.present_rows.get(form_id, set()) if row.startswith(code)}
        values = [CellChange(form, row, column, value) for (form, row, column), value in self.workbook.values.items()
                  if form == form_id and row.startswith(code)]
        return rows, values

    def restore_rows(self, form_id: str, rows: set[str], values: list[CellChange], *,
                     source: str = "撤销") -> Changes:
        """Undo of ``remove_row``: put the rows and their values back in ONE transaction."""
        form = form_by_id(form_id)
        with self.door(source) as work:
            for row in sorted(rows):
                if work.session.get(models.FormRow, (self.dataset_id, form_id, row)) is None:
                    work.session.add(models.FormRow(dataset_id=self.dataset_id, form=form_id, row_key=row))
            for row in rows:
                self.workbook.add_row(form_id, row)
            try:
                self._write_cells(work, values)
            except BaseException:
                for row in rows:
                    self.workbook.remove_row(form_id, row)
                raise
            work.record(f"{form.short_title or form.title} / 恢复科目 {', '.join(sorted(rows))}", None, "恢复",
                        form=form_id)
            work.changes.structure.add(form_id)
        for change in values:
            self.workbook.set_value(change.form, change.row, change.column, change.value)
        return work.changes

    def row_has_values(self, form_id: str, code: str) -> bool:
        return any(form == form_id and row.startswith(code) for form, row, _col in self.workbook.values)

    def set_status(self, status: str, *, reason: str | None = None) -> Changes:
        """编制中 ↔ 已上报. 上报 needs a clean 审核 of exactly what is stored (refused if anyone wrote since
        this view was read); 撤销上报 needs a written reason. Both are audited."""
        if status not in STATUS_NAMES:
            raise InputError(f"状态“{status}”无效。")
        reason = (reason or "").strip()
        expected = None
        if status == "submitted":
            from app.checks.rules import SEVERITY_NAMES, submission_blockers

            blockers = submission_blockers(self)
            if blockers:
                lines = [f"[{SEVERITY_NAMES[f.severity]}] {f.rule} {f.message}"
                         + ("" if f.severity == "error" else "（缺少说明）") for f in blockers]
                raise ConflictError(f"还有 {len(blockers)} 条审核问题未处理，不能标记为已上报：\n" + "\n".join(lines))
            expected = self.version
        with self.door("状态", allow_submitted=True, expected_version=expected) as work:
            current = work.session.get(models.Dataset, self.dataset_id)
            old = current.status
            if old == status:
                raise ConflictError(f"{self.label}已经是“{STATUS_NAMES[status]}”状态。")
            if old == "submitted" and not reason:
                raise InputError("撤销上报须填写原因（例如：财政局退回修改）。")
            current.status = status
            new_text = STATUS_NAMES[status] + (f"（原因：{reason}）" if reason else "")
            work.record("预算状态", STATUS_NAMES.get(old, old), new_text, form="status")
            if status == "submitted":
                kept = freeze_codes(work.session, self.dataset_id, self.store.code_tables(self.year))
                work.record("上报时的科目表（此后导入的新科目表只用于编制中的预算）", None, kept, source="科目表")
            work.changes.status = status
        return work.changes

    def update_unit(self, info: UnitInfo) -> None:
        self.unit = self.store.update_unit(info)


class _CellDescriber:
    """Cells in the form's words for a workbook that is not an open dataset (imports)."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook

    def __call__(self, form_id: str, row: str, column: str) -> str:
        form = form_by_id(form_id)
        column_def = next((c for c in form.columns if c.key == column), None)
        column_title = "—".join([*column_def.group, column_def.title]) if column_def else column
        return f"{form.short_title or form.title} / {self.workbook.row_title(form_id, row)} / {column_title}"


class _AuditBatch:
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
        return f"审核说明 {key.removeprefix('explanation:')}"
    if key.startswith("narrative:"):
        return f"情况说明 {key.removeprefix('narrative:')}"
    return f"备注 {key}"


__all__ = ["Store", "BudgetDataset", "CellChange", "Changes", "Work", "check_year", "lock_dataset_row"]
