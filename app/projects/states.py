"""Undo states: what a change was before and after, so undo and redo write one state back."""

from __future__ import annotations

from dataclasses import dataclass

from app.projects.records import AssetTable, OverallTargets, ProcurementItem, Project


@dataclass(frozen=True)
class ProjectState:
    """One project as it was (``project`` None: it did not exist) and the project order then.
    ``procurement`` (with ``procurement_order``) is set only when the change touched the project's
    procurement rows, i.e. deleting the project."""

    project_id: int
    project: Project | None
    order: tuple[int, ...]
    procurement: tuple[ProcurementItem, ...] | None = None
    procurement_order: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ProjectOrderState:
    order: tuple[int, ...]


@dataclass(frozen=True)
class OverallState:
    targets: OverallTargets


@dataclass(frozen=True)
class ProcurementState:
    item_id: int
    item: ProcurementItem | None
    order: tuple[int, ...]


@dataclass(frozen=True)
class ProcurementOrderState:
    order: tuple[int, ...]


@dataclass(frozen=True)
class AssetsState:
    table: AssetTable


State = ProjectState | ProjectOrderState | OverallState | ProcurementState | ProcurementOrderState | AssetsState


@dataclass(frozen=True)
class Change:
    """What a mutating call did: undo writes ``before`` back, redo writes ``after``."""

    description: str  # for the undo menu: 删除项目“…”
    before: State
    after: State
