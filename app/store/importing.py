"""Writing a whole validated dataset (an interchange file, a workbook, a package) in one transaction."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app import selfeval
from app.base.errors import ConflictError, LockedError
from app.base.money import from_millionths, to_millionths
from app.domain.compute import Workbook
from app.domain.records import UnitInfo
from app.projects import project_entries_for_import, write_content
from app.projects.mapping import _project_from_row
from app.store.backup import backup_before
from app.store.code_tables import CodeEditionsStore, freeze_codes
from app.store.editions import current_editions, describe_editions, dumps_editions
from app.store.units import UnitsStore
from app.store.work import AuditBatch, CellDescriber, Changes, amount_text, describe_note, lock_dataset_row
from db import models

log = logging.getLogger(__name__)


class ImportedByOtherError(ConflictError):
    """Another process imported the same unit and year while this one was importing it."""


class ImportingStore(UnitsStore, CodeEditionsStore):
    """Units, code editions and whole-dataset imports: what an open dataset needs of its store."""

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
        self._validate_unit(unit)
        self.refuse_if_read_only()
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
                    old_values = {(c.form, c.row_key, c.column_key): from_millionths(c.millionths)
                                  for c in session.scalars(select(models.CellValue)
                                                           .where(models.CellValue.dataset_id == existing.id))}
                    old_notes = {n.key: n.text for n in session.scalars(
                        select(models.DatasetNote).where(models.DatasetNote.dataset_id == existing.id))}
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
                     "millionths": to_millionths(value)} for (form, row, column), value in workbook.values.items()])
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
            describe = CellDescriber(workbook)
            audit = AuditBatch(unit.code, year, dataset.version, unit.preparer or "", source)
            audit.add(event, "已有数据" if version else None,
                      f"{len(workbook.values)} 个单元格、{len(book.projects)} 个项目"
                      + ("（替换原有数据）" if version else "") + f"；{describe_editions(editions)}"
                      + (f"；{note}" if note else ""))
            for cell in sorted(old_values.keys() | workbook.values.keys()):
                before, after = old_values.get(cell), workbook.values.get(cell)
                if before != after:
                    audit.add(describe(*cell), amount_text(before), amount_text(after),
                              form=cell[0], row=cell[1], column=cell[2])
                    changes.cells.add(cell)
            for row, column, old_text, new_text in project_entries_for_import(old_projects, book.projects):
                audit.add(f"{row}{(' / ' + column) if column else ''}", old_text, new_text, form="project", row=row,
                          column=column)
            for form, row, column, old_text, new_text in selfeval.content_entries(old_selfeval, new_selfeval):
                audit.add(selfeval.describe_entry(form, row, column), old_text, new_text, form=form, row=row,
                          column=column)
            for key in sorted(old_notes.keys() | notes.keys()):
                if old_notes.get(key) != notes.get(key) and not key.endswith(":base"):
                    audit.add(describe_note(key), old_notes.get(key), notes.get(key), form="note", row=key)
            audit.write(session)
            self.step("dataset:audit")
            changes.version = dataset.version
        changes.book = True
        log.info("imported %s %s (%s cells, source %s)", unit.code, year, len(workbook.values), source)
        return changes
