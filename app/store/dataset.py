"""An open dataset: the computed workbook in memory, and the one door every edit of it goes through."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from sqlalchemy import delete, select

from app.base.errors import ConflictError, InputError, LockedError, StaleDataError
from app.base.money import format_amount, from_millionths, parse_amount, to_millionths
from app.base.textcheck import check_code
from app.checks.rules import blocker_lines, submission_blockers
from app.domain.cells import CellChange
from app.domain.codes import (
    KIND_NAMES,
)
from app.domain.compute import FormView, Workbook
from app.domain.forms import form_by_id
from app.domain.records import STATUS_NAMES, DatasetInfo, UnitInfo
from app.store.code_tables import FROZEN_CODES_NOTE, freeze_codes, frozen_code_tables
from app.store.editions import parse_editions
from app.store.importing import ImportingStore
from app.store.units import unit_info
from app.store.work import CellDescriber, Changes, Work, describe_note, lock_dataset_row
from db import models

log = logging.getLogger(__name__)

# (dataset, its notes) while a 审核 run reads them (``BudgetDataset.notes_held``); per thread and task
_held_notes: ContextVar[tuple[BudgetDataset, dict[str, str]] | None] = ContextVar("held_notes", default=None)


class BudgetDataset:
    """An open dataset: the computed workbook in memory; every edit goes through ``door`` at once."""

    def __init__(self, store: ImportingStore, unit_code: str, year: int) -> None:
        self.store = store
        self.unit_code = unit_code
        self.year = year
        self.last_changes = Changes()
        self.reload()

    def reload(self) -> None:
        with self.store.Session() as session:
            dataset = self.store._dataset(session, self.unit_code, self.year)
            self.dataset_id = dataset.id
            self.money_unit = dataset.money_unit
            self.status = dataset.status
            self.version = dataset.version
            self.token = dataset.token
            self.editions = parse_editions(dataset.editions)  # what it was made with (app.store.editions)
            self.unit = unit_info(dataset.unit)
            values = {
                (cell.form, cell.row_key, cell.column_key): from_millionths(cell.millionths)
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
        return CellDescriber(self.workbook)(form_id, row, column)

    # ---- the one door ----------------------------------------------------------------------
    @contextmanager
    def door(self, source: str, *, allow_submitted: bool = False,
             expected_version: int | None = None) -> Iterator[Work]:
        """Every write of this dataset: one transaction that first locks and reads the dataset's status
        and version FROM THE DATABASE, refuses a submitted (``LockedError``) or replaced dataset
        (``StaleDataError``), lets the caller write and record audit rows, and commits both together.
        ``expected_version``: refuse if anyone wrote since the view read that version."""
        self.store.refuse_if_read_only()
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
        value = None if text is None else parse_amount(text, self.money_unit)
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
            stored = None if cell is None else from_millionths(cell.millionths)
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
                                             column_key=change.column, millionths=to_millionths(change.value)))
            else:
                cell.millionths = to_millionths(change.value)
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
        held = _held_notes.get()
        if held is not None and held[0] is self:
            return {key: text for key, text in held[1].items() if key.startswith(prefix)}
        with self.store.Session() as session:
            rows = session.scalars(select(models.DatasetNote).where(models.DatasetNote.dataset_id == self.dataset_id))
            return {note.key: note.text for note in rows if note.key.startswith(prefix)}

    @contextmanager
    def notes_held(self) -> Iterator[None]:
        """Within the block (in this thread) ``notes`` reads the database once: a 审核 run asks for them about
        ten times, and checks never write. Nested blocks reuse the outer one."""
        held = _held_notes.get()
        if held is not None and held[0] is self:
            yield
            return
        token = _held_notes.set((self, self.notes()))
        try:
            yield
        finally:
            _held_notes.reset(token)

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
            blockers = submission_blockers(self)
            if blockers:
                raise ConflictError(f"还有 {len(blockers)} 条审核问题未处理，不能标记为已上报：\n"
                                    + "\n".join(blocker_lines(blockers)))
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
