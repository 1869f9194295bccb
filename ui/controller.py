"""One open dataset in the GUI: the undo stack shared by every tab, and change notifications."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.projects import Change, ProjectBook
from app.rules import Checker, Finding, set_explanation
from app.service import BudgetDataset, CellChange


class SetCellsCommand(QUndoCommand):
    """One typed cell, one paste or one Delete over a selection: one undo step."""

    def __init__(self, controller: DatasetController, changes: list[CellChange], text: str) -> None:
        super().__init__(text)
        self.controller = controller
        self.changes = changes
        workbook = controller.dataset.workbook
        self.previous = [CellChange(c.form, c.row, c.column, workbook.values.get((c.form, c.row, c.column)))
                         for c in changes]

    def redo(self) -> None:
        self.controller._write(self.changes)

    def undo(self) -> None:
        self.controller._write(self.previous)


class RemoveRowCommand(QUndoCommand):
    def __init__(self, controller: DatasetController, form_id: str, code: str) -> None:
        super().__init__(f"删除科目 {code}")
        self.controller = controller
        self.form_id = form_id
        self.code = code
        self.rows, self.values = controller.dataset.row_snapshot(form_id, code)

    def redo(self) -> None:
        self.controller.dataset.remove_row(self.form_id, self.code)
        self.controller.structure_changed.emit(self.form_id)
        self.controller.values_changed.emit({self.form_id})
        self.controller.recheck()
        self.controller.saved.emit()

    def undo(self) -> None:
        self.controller.dataset.restore_rows(self.form_id, self.rows, self.values)
        self.controller.structure_changed.emit(self.form_id)
        self.controller.values_changed.emit({self.form_id})
        self.controller.recheck()
        self.controller.saved.emit()


class BookCommand(QUndoCommand):
    """A project / target / procurement / asset change, already written when pushed."""

    def __init__(self, controller: DatasetController, change: Change) -> None:
        super().__init__(change.description)
        self.controller = controller
        self.change = change
        self.first = True

    def redo(self) -> None:
        if self.first:  # ProjectBook wrote it before the command was pushed
            self.first = False
        else:
            self.controller.book.restore(self.change.after)
        self.controller._book_written()

    def undo(self) -> None:
        self.controller.book.restore(self.change.before)
        self.controller._book_written()


class DatasetController(QObject):
    """Every edit goes through here: written in its own transaction, then every tab is told."""

    values_changed = Signal(set)  # ids of forms whose entered values changed
    structure_changed = Signal(str)  # a form whose rows changed
    saved = Signal()
    findings_changed = Signal()
    book_changed = Signal()  # projects, 整体绩效目标, 政府采购 or 固定资产 changed

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

    def _write(self, changes: list[CellChange]) -> None:
        structure_before = {c.form: list(self.dataset.workbook.code_rows_if_coded(c.form)) for c in changes}
        self.dataset.apply_changes(changes)
        forms = {change.form for change in changes}
        for form in forms:
            if list(self.dataset.workbook.code_rows_if_coded(form)) != structure_before[form]:
                self.structure_changed.emit(form)
        self.checker.after_edit((c.form, c.row, c.column) for c in changes)
        self._refresh_flags()
        self.values_changed.emit(forms)
        self.findings_changed.emit()
        self.saved.emit()

    def set_cells(self, changes: list[CellChange], text: str) -> None:
        if changes:
            self.undo_stack.push(SetCellsCommand(self, changes, text))

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
        self.undo_stack.push(RemoveRowCommand(self, form_id, code))
