"""One open dataset in the GUI: the undo stack shared by every tab, and change notifications."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.errors import BudgetDeskError, StaleDataError
from app.forms import all_forms
from app.projects import Change, ProjectBook
from app.rules import Checker, Finding, set_explanation
from app.service import BudgetDataset, CellChange


class _GuardedCommand(QUndoCommand):
    """An undo step whose write may be refused (已上报, changed elsewhere, a database fault): then the
    step is made obsolete, so QUndoStack drops it instead of moving its index over nothing."""

    def __init__(self, controller: DatasetController, text: str) -> None:
        super().__init__(text)
        self.controller = controller
        self.first = True

    def _guard(self, action) -> None:
        try:
            action()
        except BudgetDeskError as exc:
            self.setObsolete(True)
            self.controller.refused(exc)

    def redo(self) -> None:
        if self.first:  # written before the command was pushed
            self.first = False
            self.written()
            return
        self._guard(lambda: self.apply("重做"))

    def written(self) -> None:
        """After the first write (done before the push): tell the views, where the command must."""

    def undo(self) -> None:
        self._guard(lambda: self.revert("撤销"))

    def apply(self, source: str) -> None:
        raise NotImplementedError

    def revert(self, source: str) -> None:
        raise NotImplementedError


class SetCellsCommand(_GuardedCommand):
    """One typed cell, one paste or one Delete over a selection: one undo step."""

    def __init__(self, controller: DatasetController, changes: list[CellChange], text: str) -> None:
        super().__init__(controller, text)
        self.changes = changes
        workbook = controller.dataset.workbook
        self.previous = [CellChange(c.form, c.row, c.column, workbook.values.get((c.form, c.row, c.column)))
                         for c in changes]

    def apply(self, source: str) -> None:
        self.controller._write(self.changes, source)

    def revert(self, source: str) -> None:
        self.controller._write(self.previous, source)


class RemoveRowCommand(_GuardedCommand):
    def __init__(self, controller: DatasetController, form_id: str, code: str) -> None:
        super().__init__(controller, f"删除科目 {code}")
        self.form_id = form_id
        self.code = code
        self.rows, self.values = controller.dataset.row_snapshot(form_id, code)

    def apply(self, source: str) -> None:
        self.controller.dataset.remove_row(self.form_id, self.code, source=source)
        self.controller.structure_changed.emit(self.form_id)
        self.controller.values_changed.emit({self.form_id})
        self.controller.recheck()
        self.controller.saved.emit()

    def revert(self, source: str) -> None:
        self.controller.dataset.restore_rows(self.form_id, self.rows, self.values, source=source)
        self.controller.structure_changed.emit(self.form_id)
        self.controller.values_changed.emit({self.form_id})
        self.controller.recheck()
        self.controller.saved.emit()


class BookCommand(_GuardedCommand):
    """A project / target / procurement / asset change, already written when pushed."""

    def __init__(self, controller: DatasetController, change: Change) -> None:
        super().__init__(controller, change.description)
        self.change = change

    def written(self) -> None:
        self.controller._book_written()

    def apply(self, source: str) -> None:
        self.controller.book.restore(self.change.after, source=source)
        self.controller._book_written()

    def revert(self, source: str) -> None:
        self.controller.book.restore(self.change.before, source=source)
        self.controller._book_written()


class DatasetController(QObject):
    """Every edit goes through here: written in its own transaction, then every tab is told."""

    values_changed = Signal(set)  # ids of forms whose entered values changed
    structure_changed = Signal(str)  # a form whose rows changed
    saved = Signal()
    findings_changed = Signal()
    book_changed = Signal()  # projects, 整体绩效目标, 政府采购 or 固定资产 changed
    write_refused = Signal(str)  # a write was refused (已上报, changed elsewhere …): the Chinese message
    reloaded = Signal()  # the dataset was read again from the database: every view refreshes

    def __init__(self, dataset: BudgetDataset, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset = dataset
        self.undo_stack = QUndoStack(self)
        self.book = ProjectBook(dataset)
        self.checker = Checker(dataset)
        self.checker.run_all()
        self._refresh_flags()

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
        set_explanation(self.dataset, finding.key, text)
        self._refresh_flags()
        self.findings_changed.emit()
        self.saved.emit()

    def refused(self, exc: Exception) -> None:
        """A write was refused: say why; if the data changed elsewhere, read it again and redraw."""
        if isinstance(exc, StaleDataError) and not exc.replaced:
            self.reload()
        self.write_refused.emit(str(exc))

    def reload(self) -> None:
        self.dataset.reload()
        self.recheck()
        self.reloaded.emit()
        self.values_changed.emit({form.id for form in all_forms()})

    def status_changed(self) -> None:
        """After 上报 / 撤销上报: old undo steps would write across the status change, so they go."""
        self.undo_stack.clear()

    def _write(self, changes: list[CellChange], source: str = "录入") -> None:
        structure_before = {c.form: list(self.dataset.workbook.code_rows_if_coded(c.form)) for c in changes}
        self.dataset.apply_changes(changes, source=source)
        forms = {change.form for change in changes}
        for form in forms:
            if list(self.dataset.workbook.code_rows_if_coded(form)) != structure_before[form]:
                self.structure_changed.emit(form)
        self.checker.after_edit((c.form, c.row, c.column) for c in changes)
        self._refresh_flags()
        self.values_changed.emit(forms)
        self.findings_changed.emit()
        self.saved.emit()

    def set_cells(self, changes: list[CellChange], text: str) -> bool:
        """Write first; only a write that succeeded becomes an undo step. False when refused."""
        if not changes:
            return True
        command = SetCellsCommand(self, changes, text)
        try:
            self._write(changes, "粘贴" if text.startswith("粘贴") else "录入")
        except BudgetDeskError as exc:
            self.refused(exc)
            return False
        self.undo_stack.push(command)
        return True

    def record(self, change: Change) -> None:
        """Put a ProjectBook change (already saved) on the shared undo stack."""
        self.undo_stack.push(BookCommand(self, change))

    def _book_written(self) -> None:
        self.checker.after_list_change()
        self._refresh_flags()
        self.book_changed.emit()
        self.findings_changed.emit()
        self.saved.emit()

    def add_row(self, form_id: str, code: str) -> None:
        self.dataset.add_row(form_id, code)
        self.structure_changed.emit(form_id)
        self.saved.emit()

    def remove_row(self, form_id: str, code: str) -> None:
        command = RemoveRowCommand(self, form_id, code)
        try:
            command.apply("录入")
        except BudgetDeskError as exc:
            self.refused(exc)
            return
        self.undo_stack.push(command)
