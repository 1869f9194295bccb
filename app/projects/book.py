"""ProjectBook: reads and writes the project part of one open dataset through the core."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from app.base.errors import InputError, NotFoundError
from app.base.money import message_amount, optional_amount
from app.projects.audit import (
    assets_entries,
    overall_entries,
    procurement_entries,
    project_entries,
)
from app.projects.code_lists import ASSET_ROWS, PROCUREMENT_FUNDS
from app.projects.library import LibraryEntry, indicator_library
from app.projects.mapping import (
    _INDICATOR_FIELDS,
    _PROJECT_MONEY_COLUMNS,
    _PROJECT_TEXT_FIELDS,
    _fill_procurement_row,
    _fill_project_row,
    _indicator_from_row,
    _indicator_rows,
    _procurement_from_row,
    _project_from_row,
    _quantity,
    _write_assets,
    _write_overall,
)
from app.projects.parsing import (
    _clean,
)
from app.projects.records import (
    AssetLine,
    AssetTable,
    BookContent,
    Indicator,
    OverallTargets,
    ProcurementItem,
    ProcurementTotals,
    Project,
)
from app.projects.states import (
    AssetsState,
    Change,
    OverallState,
    ProcurementOrderState,
    ProcurementState,
    ProjectOrderState,
    ProjectState,
    State,
)
from app.projects.validation import (
    asset_problems,
    procurement_problems,
    project_problems,
    validate_assets,
    validate_indicators,
    validate_overall,
    validate_procurement,
    validate_project,
)
from db import models


def _moved(order: Sequence[int], item_id: int, index: int) -> list[int]:
    rest = [other for other in order if other != item_id]
    index = max(0, min(index, len(rest)))
    return [*rest[:index], item_id, *rest[index:]]


class ProjectBook:
    """Projects, 部门整体绩效目标, 政府采购预算 and 固定资产 of one open dataset.

    Records passed in may hold what the clerk typed (text for amounts, quantities and dates, Chinese
    names for 一级/二级 and 项目属性); what is stored and read back is normalised: Decimal, date, codes.
    Reads go to the database each time, so two windows on one dataset never disagree.
    """

    def __init__(self, dataset) -> None:  # dataset: app.store.service.BudgetDataset
        self.dataset = dataset

    @property
    def _dataset_id(self) -> int:
        return self.dataset.dataset_id

    @contextmanager
    def _begin(self, source: str = "录入") -> Iterator[Session]:
        """A write through the core's door (status and version read from the database, audited)."""
        with self.dataset.door(source) as work:
            work.changes.book = True
            yield work.session

    @staticmethod
    def _audit(session: Session, entries: Iterable[tuple[str, str, str | None, str | None]]) -> None:
        work = session.info["work"]
        for row, column, old, new in entries:
            work.record(f"{row}{(' / ' + column) if column else ''}", old, new, form="project", row=row, column=column)

    def _read(self) -> Session:
        return self.dataset.store.Session()

    @property
    def money_unit(self) -> str:
        return self.dataset.money_unit

    # ---- reading ---------------------------------------------------------------------------
    def _project_rows(self, session: Session) -> list[models.Project]:
        return list(session.scalars(
            select(models.Project).where(models.Project.dataset_id == self._dataset_id)
            .order_by(models.Project.position, models.Project.id).options(selectinload(models.Project.indicators))
        ))

    def _project_row(self, session: Session, project_id: int) -> models.Project:
        row = session.get(models.Project, project_id)
        if row is None or row.dataset_id != self._dataset_id:
            raise NotFoundError("该项目不存在（可能已被删除）。")
        return row

    def _project_order(self, session: Session) -> list[int]:
        return list(session.scalars(select(models.Project.id).where(models.Project.dataset_id == self._dataset_id)
                                    .order_by(models.Project.position, models.Project.id)))

    def _procurement_order(self, session: Session) -> list[int]:
        return list(session.scalars(
            select(models.ProcurementItem.id).where(models.ProcurementItem.dataset_id == self._dataset_id)
            .order_by(models.ProcurementItem.position, models.ProcurementItem.id)))

    def list_projects(self) -> list[Project]:
        with self._read() as session:
            return [_project_from_row(row) for row in self._project_rows(session)]

    def read_projects_plain(self) -> list[Project]:
        """The projects with their indicators, equal to ``list_projects()`` (a test holds them together)
        but read with two plain SELECTs over the same field lists instead of ORM objects: 300 projects ×
        12 indicators take a few milliseconds instead of about a hundred (the checks read them often)."""
        project, indicator = models.Project, models.Indicator
        money = list(_PROJECT_MONEY_COLUMNS.items())
        with self.dataset.store.Session.connect() as connection:
            rows = connection.execute(
                select(project.id, *(getattr(project, name) for name in _PROJECT_TEXT_FIELDS),
                       *(getattr(project, column) for _name, column in money))
                .where(project.dataset_id == self._dataset_id).order_by(project.position, project.id)).all()
            indicator_rows = connection.execute(
                select(indicator.project_id, *(getattr(indicator, name) for name in _INDICATOR_FIELDS))
                .join(project, indicator.project_id == project.id).where(project.dataset_id == self._dataset_id)
                .order_by(indicator.project_id, indicator.position, indicator.id)).all()
        by_project: dict[int, list[Indicator]] = {}
        for row in indicator_rows:
            by_project.setdefault(row[0], []).append(Indicator(*row[1:]))
        texts = len(_PROJECT_TEXT_FIELDS)
        projects = []
        for row in rows:
            values = dict(zip(_PROJECT_TEXT_FIELDS, row[1:1 + texts], strict=True))
            values.update((name, optional_amount(units)) for (name, _column), units in zip(money, row[1 + texts:], strict=True))
            projects.append(Project(**values, indicators=by_project.get(row[0], []), id=row[0]))
        return projects

    def get_project(self, project_id: int) -> Project:
        with self._read() as session:
            return _project_from_row(self._project_row(session, project_id))

    def project_choices(self) -> list[tuple[int, str, Decimal | None]]:
        """(id, 项目名称, 预算资金) for the procurement table's project pick list."""
        with self._read() as session:
            rows = session.execute(
                select(models.Project.id, models.Project.name, models.Project.millionths)
                .where(models.Project.dataset_id == self._dataset_id)
                .order_by(models.Project.position, models.Project.id)).all()
        return [(row.id, row.name, optional_amount(row.millionths)) for row in rows]

    def projects_total(self) -> Decimal:
        """Σ project amounts (blank amounts count as nothing); compare with 项目支出 合计."""
        return sum((project[2] for project in self.project_choices() if project[2] is not None), Decimal("0.00"))

    def suggest_indicators(self, level2: str, text: str = "") -> list[LibraryEntry]:
        """Library indicators for a 二级 code, then ones this dataset already uses, filtered by text."""
        entries = list(indicator_library().get(level2, []))
        known = {entry.name for entry in entries}
        for project in self.list_projects():
            for ind in project.indicators:
                if ind.level2 == level2 and ind.name not in known:
                    known.add(ind.name)
                    entries.append(LibraryEntry(level2, ind.name, ind.comparator, ind.unit))
        text = _clean(text)
        return [entry for entry in entries if text in entry.name] if text else entries

    # ---- projects --------------------------------------------------------------------------
    def _validated(self, project: Project) -> Project:
        return validate_project(project, function_table=self.dataset.codes.get("function"), money_unit=self.money_unit)

    def _check_unique(self, session: Session, project: Project, own_id: int | None) -> None:
        for other_id, name, code in session.execute(
                select(models.Project.id, models.Project.name, models.Project.code)
                .where(models.Project.dataset_id == self._dataset_id)):
            if other_id == own_id:
                continue
            if name == project.name:
                raise InputError(f"项目名称“{project.name}”已存在，同一预算中的项目名称不能重复。")
            if project.code and code == project.code:
                raise InputError(f"项目编码“{project.code}”已被项目“{name}”使用。")

    def _state(self, session: Session, project_id: int, *, with_procurement: bool = False) -> ProjectState:
        row = session.get(models.Project, project_id)
        project = _project_from_row(row) if row is not None else None
        procurement = procurement_order = None
        if with_procurement:
            procurement = tuple(_procurement_from_row(item) for item in session.scalars(
                select(models.ProcurementItem).where(models.ProcurementItem.project_id == project_id)
                .order_by(models.ProcurementItem.position, models.ProcurementItem.id)))
            procurement_order = tuple(self._procurement_order(session))
        return ProjectState(project_id, project, tuple(self._project_order(session)), procurement, procurement_order)

    def add_project(self, project: Project, position: int | None = None, *, source: str = "录入") -> Change:
        """Add a project (at ``position``, default last) with its indicators."""
        checked = self._validated(project)
        with self._begin(source) as session:
            self._check_unique(session, checked, None)
            order = self._project_order(session)
            row = models.Project(dataset_id=self._dataset_id, position=len(order))
            _fill_project_row(row, checked)
            row.indicators = _indicator_rows(models.Indicator, checked.indicators)
            session.add(row)
            session.flush()
            before = ProjectState(row.id, None, tuple(order))
            self._apply_order(session, models.Project, _moved(order, row.id, len(order) if position is None else position))
            session.flush()
            after = self._state(session, row.id)
            self._audit(session, project_entries(None, after.project))
        return Change(f"新增项目“{checked.name}”", before, after)

    def update_project(self, project_id: int, project: Project, *, source: str = "录入") -> Change:
        """Replace a project's fields AND indicators with ``project``'s (start from get_project)."""
        checked = self._validated(project)
        with self._begin(source) as session:
            row = self._project_row(session, project_id)
            self._check_unique(session, checked, project_id)
            before = self._state(session, project_id)
            _fill_project_row(row, checked)
            if [_indicator_from_row(ind) for ind in row.indicators] != checked.indicators:
                row.indicators = _indicator_rows(models.Indicator, checked.indicators)
            session.flush()
            after = self._state(session, project_id)
            self._audit(session, project_entries(before.project, after.project))
        return Change(f"修改项目“{checked.name}”", before, after)

    def update_project_fields(self, project_id: int, **changes) -> Change:
        """Change some fields (a detail form's edit), keeping the rest and the indicators."""
        editable = {item.name for item in fields(Project)} - {"id", "indicators"}
        if set(changes) - editable:
            raise TypeError(f"not editable here: {sorted(set(changes) - editable)}")
        return self.update_project(project_id, replace(self.get_project(project_id), **changes))

    def delete_project(self, project_id: int, *, source: str = "录入") -> Change:
        """Delete a project with its indicators and its 政府采购 rows (all restored by undo)."""
        with self._begin(source) as session:
            row = self._project_row(session, project_id)
            name = row.name
            before = self._state(session, project_id, with_procurement=True)
            session.execute(delete(models.ProcurementItem).where(models.ProcurementItem.project_id == project_id))
            session.delete(row)
            session.flush()
            self._apply_order(session, models.Project, self._project_order(session))
            self._apply_order(session, models.ProcurementItem, self._procurement_order(session))
            after = self._state(session, project_id, with_procurement=True)
            self._audit(session, project_entries(before.project, None))
            for item in before.procurement or ():
                self._audit(session, procurement_entries(item, None))
        return Change(f"删除项目“{name}”", before, after)

    def move_project(self, project_id: int, index: int, *, source: str = "录入") -> Change:
        """Reorder: put the project at ``index`` (0-based) of the list."""
        with self._begin(source) as session:
            row = self._project_row(session, project_id)
            order = self._project_order(session)
            moved = _moved(order, project_id, index)
            self._apply_order(session, models.Project, moved)
            self._audit(session, [(f"项目“{row.name}”", "顺序", f"第 {order.index(project_id) + 1} 位",
                                   f"第 {moved.index(project_id) + 1} 位")])
        return Change(f"移动项目“{row.name}”", ProjectOrderState(tuple(order)), ProjectOrderState(tuple(moved)))

    def set_indicators(self, project_id: int, indicators: Sequence[Indicator], *, source: str = "录入") -> Change:
        """Replace a project's whole indicator list (the GUI's grid edits go through here)."""
        checked = validate_indicators(indicators)
        with self._begin(source) as session:
            row = self._project_row(session, project_id)
            before = self._state(session, project_id)
            row.indicators = _indicator_rows(models.Indicator, checked)
            session.flush()
            after = self._state(session, project_id)
            self._audit(session, project_entries(before.project, after.project))
        return Change(f"修改项目“{row.name}”的绩效指标", before, after)

    def copy_indicators(self, source_id: int, target_id: int, *, append: bool = False) -> Change:
        """Copy the source project's indicators to the target, replacing (or appended to) its own."""
        if source_id == target_id:
            raise InputError("不能把项目的绩效指标复制给它自己。")
        source, target = self.get_project(source_id), self.get_project(target_id)
        indicators = [*(target.indicators if append else []), *copy.deepcopy(source.indicators)]
        change = self.set_indicators(target_id, indicators)
        return replace(change, description=f"把项目“{source.name}”的绩效指标复制到“{target.name}”")

    # ---- 部门整体绩效目标 ------------------------------------------------------------------------
    def _overall(self, session: Session) -> OverallTargets:
        record = session.get(models.OverallTarget, self._dataset_id)
        rows = session.scalars(select(models.OverallIndicator).where(models.OverallIndicator.dataset_id == self._dataset_id)
                               .order_by(models.OverallIndicator.position, models.OverallIndicator.id))
        return OverallTargets(record.goal if record else "", [_indicator_from_row(row) for row in rows])

    def overall_targets(self) -> OverallTargets:
        with self._read() as session:
            return self._overall(session)

    def set_overall_targets(self, targets: OverallTargets, *, source: str = "录入") -> Change:
        checked = validate_overall(targets)
        with self._begin(source) as session:
            before = self._overall(session)
            _write_overall(session, self._dataset_id, checked)
            self._audit(session, overall_entries(before, checked))
        return Change("修改部门整体绩效目标", OverallState(before), OverallState(checked))

    # ---- 政府采购预算 ----------------------------------------------------------------------------
    def _procurement_row(self, session: Session, item_id: int) -> models.ProcurementItem:
        row = session.get(models.ProcurementItem, item_id)
        if row is None or row.dataset_id != self._dataset_id:
            raise NotFoundError("该政府采购预算行不存在（可能已被删除）。")
        return row

    def _validated_item(self, session: Session, item: ProcurementItem) -> ProcurementItem:
        checked = validate_procurement(item, self.money_unit)
        project = session.get(models.Project, checked.project_id)
        if project is None or project.dataset_id != self._dataset_id:
            raise InputError("政府采购项目来源的项目不存在（可能已被删除），请重新选择。")
        return checked

    def _procurement(self, session: Session) -> list[ProcurementItem]:
        rows = session.scalars(select(models.ProcurementItem).where(models.ProcurementItem.dataset_id == self._dataset_id)
                               .order_by(models.ProcurementItem.position, models.ProcurementItem.id))
        return [_procurement_from_row(row) for row in rows]

    def list_procurement(self) -> list[ProcurementItem]:
        with self._read() as session:
            return self._procurement(session)

    def _procurement_state(self, session: Session, item_id: int) -> ProcurementState:
        row = session.get(models.ProcurementItem, item_id)
        return ProcurementState(item_id, _procurement_from_row(row) if row else None, tuple(self._procurement_order(session)))

    def add_procurement(self, item: ProcurementItem, position: int | None = None, *, source: str = "录入") -> Change:
        with self._begin(source) as session:
            checked = self._validated_item(session, item)
            order = self._procurement_order(session)
            row = models.ProcurementItem(dataset_id=self._dataset_id, position=len(order))
            _fill_procurement_row(row, checked)
            session.add(row)
            session.flush()
            before = ProcurementState(row.id, None, tuple(order))
            self._apply_order(session, models.ProcurementItem,
                              _moved(order, row.id, len(order) if position is None else position))
            session.flush()
            after = self._procurement_state(session, row.id)
            self._audit(session, procurement_entries(None, after.item))
        return Change(f"新增政府采购“{checked.item_name}”", before, after)

    def update_procurement(self, item_id: int, item: ProcurementItem, *, source: str = "录入") -> Change:
        with self._begin(source) as session:
            row = self._procurement_row(session, item_id)
            checked = self._validated_item(session, item)
            before = self._procurement_state(session, item_id)
            _fill_procurement_row(row, checked)
            session.flush()
            after = self._procurement_state(session, item_id)
            self._audit(session, procurement_entries(before.item, after.item))
        return Change(f"修改政府采购“{checked.item_name}”", before, after)

    def delete_procurement(self, item_id: int, *, source: str = "录入") -> Change:
        with self._begin(source) as session:
            row = self._procurement_row(session, item_id)
            name = row.item_name
            before = self._procurement_state(session, item_id)
            session.delete(row)
            session.flush()
            self._apply_order(session, models.ProcurementItem, self._procurement_order(session))
            after = self._procurement_state(session, item_id)
            self._audit(session, procurement_entries(before.item, None))
        return Change(f"删除政府采购“{name}”", before, after)

    def move_procurement(self, item_id: int, index: int, *, source: str = "录入") -> Change:
        with self._begin(source) as session:
            row = self._procurement_row(session, item_id)
            order = self._procurement_order(session)
            moved = _moved(order, item_id, index)
            self._apply_order(session, models.ProcurementItem, moved)
            self._audit(session, [(f"政府采购“{row.item_name}”", "顺序", f"第 {order.index(item_id) + 1} 位",
                                   f"第 {moved.index(item_id) + 1} 位")])
        return Change(f"移动政府采购“{row.item_name}”", ProcurementOrderState(tuple(order)),
                      ProcurementOrderState(tuple(moved)))

    @staticmethod
    def _totals(items: Iterable[ProcurementItem]) -> ProcurementTotals:
        """Column sums; a column no row fills stays None, printed blank like the official table."""
        items = list(items)

        def column(values: list[Decimal | None]) -> Decimal | None:
            filled = [value for value in values if value is not None]
            return sum(filled, Decimal("0.00")) if filled else None

        funds = {key: column([getattr(item, key) for item in items]) for key, _label in PROCUREMENT_FUNDS}
        return ProcurementTotals(funds, column(list(funds.values())), column([item.sme_reserved for item in items]))

    def procurement_totals(self) -> ProcurementTotals:
        """The 合计 row of the 政府采购预算表."""
        return self._totals(self.list_procurement())

    def procurement_subtotals(self) -> list[tuple[str, ProcurementTotals]]:
        """The per-unit 小计 rows, in first-appearance order: grouped by the source project's 实施单位,
        the dataset's own unit (printed “单位名称（本级）”) where that is blank."""
        units = {project.id: project.implementing_unit for project in self.read_projects_plain()}
        own = f"{self.dataset.unit.name}（本级）"
        groups: dict[str, list[ProcurementItem]] = {}
        for item in self.list_procurement():
            groups.setdefault(units.get(item.project_id) or own, []).append(item)
        return [(label, self._totals(items)) for label, items in groups.items()]

    def procurement_by_project(self) -> dict[int, Decimal]:
        """Σ 政府采购金额 per project id (for the check that it stays within the project's budget)."""
        totals: dict[int, Decimal] = {}
        for item in self.list_procurement():
            if item.project_id is None:  # never: a stored item has its project
                continue
            totals[item.project_id] = totals.get(item.project_id, Decimal("0.00")) + (item.total or Decimal("0.00"))
        return totals

    # ---- 固定资产 -------------------------------------------------------------------------------
    def _assets(self, session: Session) -> AssetTable:
        record = session.get(models.AssetTable, self._dataset_id)
        rows = session.scalars(select(models.AssetRow).where(models.AssetRow.dataset_id == self._dataset_id))
        by_key = {row.row_key: AssetLine(_quantity(row.quantity), optional_amount(row.millionths)) for row in rows}
        lines = {key: by_key[key] for key, _label, _whole in ASSET_ROWS if key in by_key}
        if record is None:
            return AssetTable(lines=lines)
        return AssetTable(record.as_of, lines, optional_amount(record.planned_purchases_millionths))

    def assets(self) -> AssetTable:
        with self._read() as session:
            return self._assets(session)

    def set_assets(self, table: AssetTable, *, source: str = "录入") -> Change:
        checked = validate_assets(table, self.money_unit)
        with self._begin(source) as session:
            before = self._assets(session)
            _write_assets(session, self._dataset_id, checked)
            after = self._assets(session)
            self._audit(session, assets_entries(before, after))
        return Change("修改部门固定资产占用情况表", AssetsState(before), AssetsState(after))

    # ---- consistency -----------------------------------------------------------------------------
    def consistency_problems(self) -> list[tuple[str, str]]:
        """(anchor, Chinese message) for every place where stored fields disagree, for the
        reconciliation checks: ``project:<id>``, ``procurement:<id>`` or ``assets``."""
        found: list[tuple[str, str]] = []
        projects = self.list_projects()
        for project in projects:
            found += [(f"project:{project.id}", f"项目“{project.name}”：{problem}")
                      for problem in project_problems(project, self.money_unit)]
        for item in self.list_procurement():
            found += [(f"procurement:{item.id}", f"政府采购“{item.item_name}”：{problem}")
                      for problem in procurement_problems(item, self.money_unit)]
        purchased = self.procurement_by_project()
        for project in projects:
            if project.id in purchased and project.amount is not None and purchased[project.id] > project.amount:
                found.append((f"project:{project.id}",
                               f"项目“{project.name}”的政府采购金额合计 {message_amount(purchased[project.id])} "
                               f"{self.money_unit} 大于项目预算 {message_amount(project.amount)} {self.money_unit}。"))
        found += [("assets", problem) for problem in asset_problems(self.assets())]
        return found

    # ---- whole content and undo ---------------------------------------------------------------
    def content(self) -> BookContent:
        """All of it in stored order; procurement rows name their project by its index in ``projects``."""
        with self._read() as session:
            projects = [_project_from_row(row) for row in self._project_rows(session)]
            index = {project.id: number for number, project in enumerate(projects)}
            procurement = [replace(item, project_id=index[item.project_id]) for item in self._procurement(session)]
            return BookContent(projects, self._overall(session), procurement, self._assets(session))

    def _apply_order(self, session: Session, model, ids: Sequence[int]) -> None:
        """Positions 0..n-1 in the given order; ids that no longer exist are skipped, rows missing
        from ``ids`` keep their relative order after the listed ones."""
        rows = {row.id: row for row in session.scalars(select(model).where(model.dataset_id == self._dataset_id))}
        ordered = [row_id for row_id in ids if row_id in rows]
        rest = sorted((row for row_id, row in rows.items() if row_id not in set(ordered)),
                      key=lambda row: (row.position, row.id))
        for position, row_id in enumerate([*ordered, *(row.id for row in rest)]):
            if rows[row_id].position != position:
                rows[row_id].position = position

    def restore(self, state: State, *, source: str = "撤销") -> None:
        """Write a state from a Change back, in one transaction (undo, and redo with source 重做)."""
        with self._begin(source) as session:
            if isinstance(state, ProjectState):
                current = self._state(session, state.project_id, with_procurement=state.procurement is not None)
                self._restore_project(session, state)
                session.flush()
                after = self._state(session, state.project_id, with_procurement=state.procurement is not None)
                entries = project_entries(current.project, after.project)
                # stored items, so every one has an id
                old_items = {item.id: item for item in current.procurement or () if item.id is not None}
                new_items = {item.id: item for item in after.procurement or () if item.id is not None}
                for item_id in sorted(old_items.keys() | new_items.keys()):
                    entries += procurement_entries(old_items.get(item_id), new_items.get(item_id))
                self._audit(session, entries)
            elif isinstance(state, ProjectOrderState):
                self._apply_order(session, models.Project, state.order)
                self._audit(session, [("项目顺序", "", None, "恢复")])
            elif isinstance(state, OverallState):
                current_targets = self._overall(session)
                _write_overall(session, self._dataset_id, state.targets)
                self._audit(session, overall_entries(current_targets, state.targets))
            elif isinstance(state, ProcurementState):
                row = session.get(models.ProcurementItem, state.item_id)
                current_item = _procurement_from_row(row) if row is not None else None
                self._restore_procurement_item(session, state.item_id, state.item)
                session.flush()
                self._apply_order(session, models.ProcurementItem, state.order)
                self._audit(session, procurement_entries(current_item, state.item))
            elif isinstance(state, ProcurementOrderState):
                self._apply_order(session, models.ProcurementItem, state.order)
                self._audit(session, [("政府采购顺序", "", None, "恢复")])
            elif isinstance(state, AssetsState):
                current_assets = self._assets(session)
                _write_assets(session, self._dataset_id, state.table)
                self._audit(session, assets_entries(current_assets, self._assets(session)))
            else:  # pragma: no cover - a programming error, not user input
                raise TypeError(f"unknown state {state!r}")

    def _restore_project(self, session: Session, state: ProjectState) -> None:
        row = session.get(models.Project, state.project_id)
        if state.project is None:
            if row is not None:
                session.execute(delete(models.ProcurementItem).where(models.ProcurementItem.project_id == row.id))
                session.delete(row)
        else:
            if row is None:
                # The same id again, so that procurement rows and later undo steps still refer to it.
                row = models.Project(id=state.project_id, dataset_id=self._dataset_id, position=len(state.order))
                session.add(row)
            _fill_project_row(row, state.project)
            row.indicators = _indicator_rows(models.Indicator, state.project.indicators)
        session.flush()
        if state.procurement is not None:
            for item in state.procurement:
                assert item.id is not None  # a state holds items read from stored rows
                self._restore_procurement_item(session, item.id, item)
            session.flush()
        self._apply_order(session, models.Project, state.order)
        if state.procurement_order is not None:
            self._apply_order(session, models.ProcurementItem, state.procurement_order)

    def _restore_procurement_item(self, session: Session, item_id: int, item: ProcurementItem | None) -> None:
        row = session.get(models.ProcurementItem, item_id)
        if item is None:
            if row is not None:
                session.delete(row)
            return
        if row is None:
            row = models.ProcurementItem(id=item_id, dataset_id=self._dataset_id, position=0)
            session.add(row)
        _fill_procurement_row(row, item)
