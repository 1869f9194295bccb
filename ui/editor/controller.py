"""One open dataset in the GUI: the undo stack shared by every tab, and change notifications.

The edits themselves are the core's (``app.store.editing``): it writes, carries followed links and
re-runs the checks, and returns what it changed; the controller turns that into signals the views
refresh from (a form's rows, its figures, the check panel), nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.base.errors import BudgetDeskError, StaleDataError
from app.base.faults import ConnectionLostError, DatabaseBusyError
from app.checks.places import LIST_TITLES
from app.checks.rules import EXPLANATION_PREFIX, Checker, Finding
from app.domain.cells import CellChange
from app.domain.forms import all_forms, form_by_id
from app.domain.links import FormLink
from app.projects import Change, ProjectBook
from app.projects.states import (
    AssetsState,
    OverallState,
    ProcurementOrderState,
    ProcurementState,
    ProjectOrderState,
    ProjectState,
)
from app.store.editing import DatasetEditing, EditResult
from app.store.service import BudgetDataset

log = logging.getLogger(__name__)

# Which tab a ProjectBook change belongs to (by the kind of state it writes back).
STATE_PLACES = {ProjectState: "projects", ProjectOrderState: "projects", OverallState: "overall_targets",
                ProcurementState: "procurement", ProcurementOrderState: "procurement", AssetsState: "assets"}


class GuardedCommand(QUndoCommand):
    """An undo step whose undo/redo never raise: a write the core refuses (已上报, stale view) or that
    fails makes the command obsolete, so QUndoStack drops it instead of moving past a step that did
    not happen; the controller says why and, for a stale view, reloads."""

    def __init__(self, controller: DatasetController, text: str, place: tuple[str, str, str] | None) -> None:
        super().__init__(text)
        self.controller = controller
        self.place = place  # (form or list, row, column) for the status message and the tab to show
        self.written = True  # pushed after its first write succeeded: the first redo() is a no-op

    def _run(self, work, verb: str) -> None:
        try:
            work()
        except BudgetDeskError as exc:
            self.setObsolete(True)
            self.controller.write_refused(exc, f"{verb}未执行：")
        except Exception as exc:  # a failed write must not leave a step that did not happen
            log.exception("%s failed: %s", verb, self.text())
            self.setObsolete(True)
            self.controller.write_refused(exc, f"{verb}未执行（写入失败）：")

    def redo(self) -> None:
        if self.written:
            self.written = False
            return
        self._run(self.apply, "重做")

    def undo(self) -> None:
        self._run(self.revert, "撤销")

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError


class SetCellsCommand(GuardedCommand):
    """One typed cell, one paste or one Delete over a selection: one undo step."""

    def __init__(self, controller: DatasetController, changes: list[CellChange], text: str) -> None:
        first = changes[0]
        super().__init__(controller, text, (first.form, first.row, first.column))
        self.changes = changes
        workbook = controller.dataset.workbook
        self.previous = [CellChange(c.form, c.row, c.column, workbook.values.get((c.form, c.row, c.column)))
                         for c in changes]

    def apply(self) -> None:
        self.controller._write(self.changes, "重做")

    def revert(self) -> None:
        self.controller._write(self.previous, "撤销")


class RemoveRowCommand(GuardedCommand):
    def __init__(self, controller: DatasetController, form_id: str, code: str) -> None:
        super().__init__(controller, f"删除科目 {code}", (form_id, code, ""))
        self.form_id = form_id
        self.code = code
        self.rows, self.values = controller.dataset.row_snapshot(form_id, code)

    def apply(self, source: str = "重做") -> None:
        self.controller.publish(self.controller.editing.remove_row(self.form_id, self.code, source=source))

    def revert(self) -> None:
        self.controller.publish(self.controller.editing.restore_rows(self.form_id, self.rows, self.values,
                                                                      source="撤销"))


class BookCommand(GuardedCommand):
    """A project / target / procurement / asset change, already written when pushed."""

    def __init__(self, controller: DatasetController, change: Change) -> None:
        state = change.after if type(change.after) in STATE_PLACES else change.before
        row = getattr(state, "project_id", None) if isinstance(state, ProjectState) else None
        super().__init__(controller, change.description, (STATE_PLACES.get(type(state), "projects"),
                                                          "" if row is None else row, ""))
        self.change = change

    def redo(self) -> None:
        if self.written:  # ProjectBook wrote it before the command was pushed
            self.written = False
            self.controller._book_written()
            return
        self._run(self.apply, "重做")

    def apply(self) -> None:
        self.controller.book.restore(self.change.after, source="重做")
        self.controller._book_written()

    def revert(self) -> None:
        self.controller.book.restore(self.change.before, source="撤销")
        self.controller._book_written()


class DatasetController(QObject):
    """Every edit goes through here: written in its own transaction, then every tab is told."""

    values_changed = Signal(set)  # ids of forms whose entered values changed
    structure_changed = Signal(str)  # a form whose rows changed
    saved = Signal()
    findings_changed = Signal()
    book_changed = Signal()  # projects, 整体绩效目标, 政府采购 or 固定资产 changed
    notice = Signal(str)  # a refused or failed write, in words for the status bar
    refusal = Signal(str)  # the core refused a write (已上报, changed elsewhere, read-only): worth a dialog
    reloaded = Signal()  # the dataset was read again from the database (another window changed it)
    notes_changed = Signal(set)  # keys of the dataset's notes written (说明 of findings among them)
    status_changed = Signal(str)  # 已上报 / 编制中: the new status

    def __init__(self, dataset: BudgetDataset, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.undo_stack = QUndoStack(self)
        self.editing = DatasetEditing(dataset)  # writes, followed links and live checks: the core's
        self.last_result: EditResult | None = None  # what the last edit changed (the views refreshed from it)
        self.book = ProjectBook(dataset)
        # set by the window: shows a busy/dropped-database fault with 重试 and answers True to try again
        self.ask_retry: Callable[[Exception], bool] | None = None
        self._refresh_flags()

    @property
    def checker(self) -> Checker:
        return self.editing.checker

    @property
    def followed_links(self) -> list[FormLink]:
        return self.editing.followed_links

    # ---- checks ----------------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        return self._findings

    def _refresh_flags(self) -> None:
        self._findings = self.checker.findings()
        flags: dict[str, dict[tuple[str, str], str]] = {}
        for finding in self._findings:
            for cell in finding.cells:
                cells = flags.setdefault(cell.form, {})
                if cells.get((cell.row, cell.column)) != "error":
                    cells[(cell.row, cell.column)] = finding.severity
        self._flags = flags

    def flags_for(self, form_id: str) -> dict[tuple[str, str], str]:
        return self._flags.get(form_id, {})

    def counts(self) -> tuple[int, int]:
        errors = sum(1 for finding in self._findings if finding.severity == "error")
        return errors, len(self._findings) - errors

    def recheck(self, cells=None) -> None:
        if cells is None:
            self.checker.run_all()
        else:
            self.checker.after_edit(cells)
        self._refresh_flags()
        self.findings_changed.emit()

    def explain(self, finding: Finding, text: str) -> None:
        self.publish(self.editing.explain(finding.key, text))

    def set_status(self, status: str, *, reason: str | None = None) -> None:
        """上报 / 撤销上报; a refusal raises the core's error (the window says why)."""
        self.publish(self.editing.set_status(status, reason=reason))

    def _write(self, changes: list[CellChange], source: str = "录入") -> None:
        self.publish(self.editing.write_cells(changes, source=source))

    def publish(self, result: EditResult) -> None:
        """Tell the views what an edit changed, from the door's ``Changes``: the forms whose rows changed
        rebuild, every table recomputes from the forms whose figures changed, the check panel shows
        the rules the core ran again. A write that found the view behind another writer reloads all."""
        self.last_result = result
        changes = result.changes
        if changes.external:  # after this edit's own signals: a model is not reset inside its setData
            QTimer.singleShot(0, self, self.reload)  # with self as context: dropped if the window closed
        for form_id in sorted(changes.structure):
            self.structure_changed.emit(form_id)
        if changes.forms:
            self.values_changed.emit(changes.forms)
        if changes.book:
            self.book_changed.emit()
        if changes.notes:
            self.notes_changed.emit(set(changes.notes))
        explained = any(key.startswith(EXPLANATION_PREFIX) for key in changes.notes)
        if result.rechecked or changes.book or explained:
            self._refresh_flags()
            self.findings_changed.emit()
        if changes.status is not None:
            # the old undo steps would write across the status change: start afresh
            self.undo_stack.clear()
            self.status_changed.emit(changes.status)
        self.saved.emit()

    def set_cells(self, changes: list[CellChange], text: str, source: str = "录入") -> bool:
        """Write first, then put the step on the undo stack: a refused write leaves no step."""
        if not changes:
            return True
        command = SetCellsCommand(self, changes, text)
        while True:
            try:
                self._write(changes, source)
                break
            except (DatabaseBusyError, ConnectionLostError) as exc:
                # another program holds the database, or the server dropped: the clerk may wait and 重试
                if self.ask_retry is not None and self.ask_retry(exc):
                    continue
                self.write_refused(exc)
                return False
            except BudgetDeskError as exc:
                self.write_refused(exc)
                return False
        self.undo_stack.push(command)
        return True

    def write_refused(self, exc: Exception, prefix: str = "") -> None:
        """Say why a write did not happen; after a stale view, read the dataset again."""
        text = str(exc) if isinstance(exc, BudgetDeskError) else "写入数据库失败，数据未修改。"
        if isinstance(exc, StaleDataError) and not exc.replaced:
            self.reload()
            text += "已重新读取最新数据。"
        self.notice.emit(prefix + text)
        if isinstance(exc, BudgetDeskError):
            self.refusal.emit(prefix + text)

    def reload(self) -> None:
        """Read the dataset again (another window or process changed it) and refresh every view."""
        self.editing.reload()
        self._refresh_flags()
        forms = {form.id for form in all_forms()}
        for form_id in forms:
            self.structure_changed.emit(form_id)
        self.values_changed.emit(forms)
        self.book_changed.emit()
        self.findings_changed.emit()
        self.reloaded.emit()

    def describe(self, place: tuple[str, str, str] | None) -> str:
        """Where an undo step was, in the form's words (表 / 行 / 栏, or 项目 / 名称)."""
        if not place:
            return ""
        form_id, row, column = place
        lists = LIST_TITLES  # the names the 审核 panel uses too (app/checks/places.py)
        if form_id in lists:
            if form_id == "projects" and row != "":
                project = next((p for p in self.book.list_projects() if p.id == row), None)
                return f"{lists[form_id]} / {project.name}" if project else lists[form_id]
            return lists[form_id]
        try:
            form = form_by_id(form_id)
            parts = [form.short_title, self.dataset.workbook.row_title(form_id, row)]
            if column:
                parts.append(form.column(column).title)
            return " / ".join(parts)
        except BudgetDeskError:
            return form_id

    def record(self, change: Change) -> None:
        """Put a ProjectBook change (already saved) on the shared undo stack."""
        self.undo_stack.push(BookCommand(self, change))

    def _book_written(self) -> None:
        result = self.editing.book_written()
        self.last_result = result
        self._refresh_flags()
        self.book_changed.emit()
        self.findings_changed.emit()
        self.saved.emit()

    def add_row(self, form_id: str, code: str) -> None:
        self.publish(self.editing.add_row(form_id, code))

    def set_following(self, link: FormLink, follow: bool) -> None:
        """保持跟随: store the choice with the dataset and, when switched on, bring the figures in now."""
        self.editing.follow(link, follow)
        if follow:
            self.bring_in(link)

    def bring_in(self, link: FormLink) -> int:
        """一键带入: carry a link's figures into its target as one undo step; returns cells changed."""
        rows, cells = self.editing.carry_rows(link)
        if rows.changes.structure:
            self.publish(rows)
        if cells and self.set_cells(cells, f"一键带入《{form_by_id(link.target).short_title}》"):
            return len(cells)
        return 0

    def remove_row(self, form_id: str, code: str) -> None:
        command = RemoveRowCommand(self, form_id, code)
        command.apply("录入")  # raises BudgetDeskError when refused: then no step is pushed
        self.undo_stack.push(command)
