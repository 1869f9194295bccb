"""Nothing typed twice: one table's figures carried into another (一键带入), and kept in step.

The links are data (``resources/links.json``): a target form, and for each target column the source
cells (``form:column``) whose sum it is, row by row (same 功能分类 code). Applying a link adds the
source rows to the target and sets the linked columns; other columns of the target are left alone.
A link the clerk chose to follow is stored as a dataset note ``link:<target form>`` and applied again
after every change to one of its sources. This module holds the links and plans what they write;
writing them (一键带入, and keeping them in step after an edit) is the core's ``app.store.editing``.
The checks (rules) stay as they are: they still compare the tables, so a link that no longer holds
is reported like any other difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from app.base.errors import InputError, NotFoundError
from app.base.paths import resource
from app.domain.cells import CellChange
from app.domain.forms import form_by_id

NOTE_PREFIX = "link:"


@dataclass(frozen=True)
class FormLink:
    id: str
    target: str
    label: str
    hint: str
    requires_empty: tuple[str, ...]
    columns: dict[str, tuple[tuple[str, str], ...]]  # target column → ((source form, column), …)

    @property
    def sources(self) -> set[str]:
        return {form for cells in self.columns.values() for form, _column in cells}


@cache
def all_links() -> tuple[FormLink, ...]:
    with open(resource("links.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    links = []
    for entry in data["links"]:
        target = form_by_id(entry["target"])  # a typo in the data file fails loudly, in tests
        columns = {}
        for column, cells in entry["columns"].items():
            target.column(column)
            pairs = tuple(tuple(cell.split(":", 1)) for cell in cells)
            for form_id, source_column in pairs:
                form_by_id(form_id).column(source_column)
            columns[column] = pairs
        links.append(FormLink(entry["id"], target.id, entry["label"], entry.get("hint", ""),
                              tuple(entry.get("requires_empty", [])), columns))
    return tuple(links)


def links_into(form_id: str) -> list[FormLink]:
    return [link for link in all_links() if link.target == form_id]


def link_by_id(link_id: str) -> FormLink:
    for link in all_links():
        if link.id == link_id:
            return link
    raise NotFoundError(f"没有带入方式“{link_id}”。")


def check_applicable(dataset, link: FormLink) -> None:
    """Refuse (Chinese) when this unit's figures do not follow the link (e.g. it also has 基金 money)."""
    for form_id in link.requires_empty:
        if any(form == form_id for form, _row, _column in dataset.workbook.values):
            raise InputError(f"本单位《{form_by_id(form_id).title}》有金额，"
                             f"《{form_by_id(link.target).title}》不能整表{link.label}。{link.hint}")


def planned(dataset, link: FormLink) -> tuple[list[str], list[CellChange]]:
    """(rows to add to the target, cell changes) that make the target's linked columns follow."""
    values = dataset.workbook.values
    sums: dict[tuple[str, str], Decimal] = {}
    for column, cells in link.columns.items():
        wanted = set(cells)
        for (form, row, source_column), value in values.items():
            if (form, source_column) in wanted and value is not None:
                sums[(row, column)] = sums.get((row, column), Decimal("0")) + value
    present = set(dataset.workbook.code_rows_if_coded(link.target))
    rows = sorted({row for row, _column in sums if row not in present})
    keys = set(sums) | {(row, column) for (form, row, column) in values
                        if form == link.target and column in link.columns}
    changes = []
    for row, column in sorted(keys):
        new = sums.get((row, column))
        if values.get((link.target, row, column)) != new:
            changes.append(CellChange(link.target, row, column, new))
    return rows, changes


def followed(dataset) -> list[FormLink]:
    notes = dataset.notes(NOTE_PREFIX)
    return [link for link in all_links() if notes.get(NOTE_PREFIX + link.target) == link.id]


def set_following(dataset, link: FormLink, follow: bool) -> None:
    if follow:
        check_applicable(dataset, link)
    dataset.set_note(NOTE_PREFIX + link.target, link.id if follow else None)
