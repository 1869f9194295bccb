"""An edit of an open dataset, carried out by the core: written through the door, the followed links
(一键带入 with 保持跟随) brought in step, and exactly the checks the written cells feed run again.

The result is the door's ``Changes`` of everything written (the edit and what the links carried), and
the ids of the rules run again: a window refreshes the tables, rows and check panel it names, nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.base.errors import InputError
from app.checks.rules import Checker, explanation_note
from app.domain.cells import CellChange
from app.domain.forms import form_by_id
from app.domain.links import FormLink, check_applicable, followed, planned, set_following
from app.store.dataset import BudgetDataset
from app.store.work import Changes

log = logging.getLogger(__name__)


@dataclass
class EditResult:
    """What one edit wrote and what it made stale."""

    changes: Changes  # everything written, linked figures included
    written: list[CellChange] = field(default_factory=list)  # the cells asked for, then those the links carried
    rechecked: set[str] = field(default_factory=set)  # ids of the rules run again


def merge_changes(total: Changes, more: Changes) -> Changes:
    """``more`` (a later write of the same edit) added to ``total``."""
    total.version = max(total.version, more.version)
    total.cells |= more.cells
    total.structure |= more.structure
    total.book = total.book or more.book
    total.basic = total.basic or more.basic
    total.notes |= more.notes
    total.status = more.status if more.status is not None else total.status
    total.external = total.external or more.external
    return total


def cells_read(changes: Changes) -> set[tuple[str, str, str]]:
    """The cells a check may have read differently now: those written, and every column of a form
    whose rows changed (a row's figures count in its form's totals)."""
    return set(changes.cells) | {(form_id, "", column.key) for form_id in changes.structure
                                 for column in form_by_id(form_id).columns}


class DatasetEditing:
    """An open dataset being edited (a window holds one): its followed links and its live checks."""

    def __init__(self, dataset: BudgetDataset) -> None:
        self.dataset = dataset
        self.followed_links: list[FormLink]
        self.checker: Checker
        self.reload_state()

    def reload_state(self) -> None:
        """Read the followed links and run every check afresh (on open, after a reload)."""
        self.followed_links = followed(self.dataset)  # kept here: read once, changed through ``follow``
        self.checker = Checker(self.dataset)
        self.checker.run_all()

    def reload(self) -> None:
        """Read the dataset again from the database (another window or process wrote it)."""
        self.dataset.reload()
        self.reload_state()

    # ---- edits ------------------------------------------------------------------------------
    def write_cells(self, cells: Iterable[CellChange], *, source: str = "录入") -> EditResult:
        """Write validated cell changes in one transaction, then carry them into the tables that
        follow the ones written, then re-run the checks reading anything written."""
        cells = list(cells)
        result = EditResult(self.dataset.apply_changes(cells, source=source), list(cells))
        self._follow(result, {cell.form for cell in cells})
        return self._recheck(result)

    def add_row(self, form_id: str, code: str, *, source: str = "录入") -> EditResult:
        return self._recheck(EditResult(self.dataset.add_row(form_id, code, source=source)))

    def remove_row(self, form_id: str, code: str, *, source: str = "录入") -> EditResult:
        return self._recheck(EditResult(self.dataset.remove_row(form_id, code, source=source)))

    def restore_rows(self, form_id: str, rows: set[str], values: list[CellChange], *,
                     source: str = "撤销") -> EditResult:
        return self._recheck(EditResult(self.dataset.restore_rows(form_id, rows, values, source=source)))

    def explain(self, finding_key: str, text: str) -> EditResult:
        """The clerk's 说明 of a 提示 (an empty text removes it): a note; no rule's outcome changes, but
        the findings carry the new text and 上报 reads it."""
        return EditResult(self.dataset.set_note(*explanation_note(finding_key, text)))

    def set_status(self, status: str, *, reason: str | None = None) -> EditResult:
        """上报 / 撤销上报 through the door (refused with the reason in Chinese, nothing changed)."""
        return EditResult(self.dataset.set_status(status, reason=reason))

    def book_written(self) -> EditResult:
        """After a project, 整体绩效目标, 政府采购 or 固定资产 write (``app.projects.ProjectBook``): the
        list rules read the lists afresh."""
        changes = self.dataset.last_changes
        self.checker.after_list_change()
        return EditResult(changes, rechecked={rule.id for rule in self.checker.rules if not rule.assertion})

    # ---- links ------------------------------------------------------------------------------
    def follow(self, link: FormLink, on: bool) -> None:
        """保持跟随 switched on or off: the choice is kept with the dataset."""
        set_following(self.dataset, link, on)
        self.followed_links = followed(self.dataset)

    def carry_rows(self, link: FormLink) -> tuple[EditResult, list[CellChange]]:
        """一键带入, first half: refuse (Chinese) a link this unit's figures do not follow, add the target's
        missing rows; returns them as a result and the cell changes still to write (the caller writes
        them as one undoable step through ``write_cells``)."""
        check_applicable(self.dataset, link)
        rows, cells = planned(self.dataset, link)
        result = EditResult(Changes())
        for row in rows:
            merge_changes(result.changes, self.dataset.add_row(link.target, row))
        return self._recheck(result), cells

    def _follow(self, result: EditResult, forms: set[str]) -> None:
        """Apply again every followed link reading from ``forms`` (in order, so a link whose target feeds
        another link is applied first). A link that no longer holds is skipped: the checks report it."""
        touched = set(forms)
        for link in self.followed_links:
            if not (link.sources & touched) or link.target in forms:
                continue
            try:
                check_applicable(self.dataset, link)
                rows, cells = planned(self.dataset, link)
                for row in rows:
                    merge_changes(result.changes, self.dataset.add_row(link.target, row))
                if cells:
                    merge_changes(result.changes, self.dataset.apply_changes(cells))
            except InputError as exc:
                log.info("followed link %s not applied: %s", link.id, exc)
                continue
            if cells:
                result.written.extend(cells)
                touched.add(link.target)

    def _recheck(self, result: EditResult) -> EditResult:
        result.rechecked = self.checker.after_edit(cells_read(result.changes))
        return result
