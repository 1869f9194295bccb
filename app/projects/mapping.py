"""Database rows <-> records, and writing whole content into a new dataset (the interchange import)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from app.base.errors import InputError
from app.base.money import optional_amount, optional_millionths
from app.projects.code_lists import PROCUREMENT_FUNDS, PROJECT_FUNDS
from app.projects.parsing import decimal_text
from app.projects.records import AssetTable, BookContent, Indicator, OverallTargets, ProcurementItem, Project
from db import models


def _quantity(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


_INDICATOR_FIELDS = [item.name for item in fields(Indicator)]
_PROJECT_MONEY_COLUMNS = {
    "amount": "millionths",
    **{key: f"{key}_millionths" for key, _label in PROJECT_FUNDS},
    "period_total": "period_total_millionths",
    "executed_before": "executed_before_millionths",
}
_PROJECT_TEXT_FIELDS = ["name", "code", "function_code", "attribute", "period_start", "period_end",
                        "competent_department", "implementing_unit", "manager", "period_goal", "annual_goal"]
_PROCUREMENT_MONEY = ["unit_price", *(key for key, _label in PROCUREMENT_FUNDS), "sme_reserved"]


def _indicator_from_row(row: models.IndicatorColumns) -> Indicator:
    return Indicator(**{name: getattr(row, name) for name in _INDICATOR_FIELDS})


def _indicator_rows(model, indicators: Sequence[Indicator], **owner) -> list:
    return [model(position=position, **owner, **{name: getattr(ind, name) for name in _INDICATOR_FIELDS})
            for position, ind in enumerate(indicators)]


def _project_from_row(row: models.Project) -> Project:
    values = {name: getattr(row, name) for name in _PROJECT_TEXT_FIELDS}
    values.update({name: optional_amount(getattr(row, column)) for name, column in _PROJECT_MONEY_COLUMNS.items()})
    return Project(**values, indicators=[_indicator_from_row(ind) for ind in row.indicators], id=row.id)


def _fill_project_row(row: models.Project, project: Project) -> None:
    for name in _PROJECT_TEXT_FIELDS:
        setattr(row, name, getattr(project, name))
    for name, column in _PROJECT_MONEY_COLUMNS.items():
        setattr(row, column, optional_millionths(getattr(project, name)))


def _procurement_from_row(row: models.ProcurementItem) -> ProcurementItem:
    return ProcurementItem(
        project_id=row.project_id, item_name=row.item_name, catalogue_code=row.catalogue_code,
        measure_unit=row.measure_unit, quantity=_quantity(row.quantity),
        **{name: optional_amount(getattr(row, f"{name}_millionths")) for name in _PROCUREMENT_MONEY}, id=row.id,
    )


def _project_of(item: ProcurementItem) -> int:
    """The project an item belongs to (validate_procurement refuses one without, before any write)."""
    if item.project_id is None:
        raise InputError("请选择政府采购项目来源（项目）。")
    return item.project_id


def _fill_procurement_row(row: models.ProcurementItem, item: ProcurementItem) -> None:
    row.project_id = _project_of(item)
    row.item_name = item.item_name
    row.catalogue_code = item.catalogue_code
    row.measure_unit = item.measure_unit
    row.quantity = decimal_text(item.quantity)
    for name in _PROCUREMENT_MONEY:
        setattr(row, f"{name}_millionths", optional_millionths(getattr(item, name)))



def write_content(session: Session, dataset_id: int, content: BookContent) -> None:
    """Insert validated content into a new, empty dataset (the interchange import). Rows go in as lists
    (one INSERT per table, not an ORM object per row): the bureau writes hundreds of packages at a time."""
    project_ids: list[int] = []
    if content.projects:
        # Core executemany, then the new ids in position order (the dataset is new and empty)
        session.execute(insert(_table(models.Project)), [
            {"dataset_id": dataset_id, "position": position, **_project_columns(project)}
            for position, project in enumerate(content.projects)])
        project_ids = list(session.scalars(select(models.Project.id).where(models.Project.dataset_id == dataset_id)
                                           .order_by(models.Project.position)))
        indicators = [{"project_id": project_id, "position": position,
                       **{name: getattr(indicator, name) for name in _INDICATOR_FIELDS}}
                      for project_id, project in zip(project_ids, content.projects, strict=True)
                      for position, indicator in enumerate(project.indicators)]
        if indicators:
            session.execute(insert(_table(models.Indicator)), indicators)
    _write_overall(session, dataset_id, content.overall)
    if content.procurement:
        # In imported content an item's project_id is its project's index in content.projects.
        session.execute(insert(_table(models.ProcurementItem)), [
            {"dataset_id": dataset_id, "position": position,
             **_procurement_columns(replace(item, project_id=project_ids[_project_of(item)]))}
            for position, item in enumerate(content.procurement)])
    _write_assets(session, dataset_id, content.assets)


def _table(model) -> Table:
    """A model's table, for a plain Core executemany (the ORM's bulk insert would still go row by row to
    learn each new id)."""
    return cast(Table, model.__table__)


def _project_columns(project: Project) -> dict:
    """A project's columns as ``_fill_project_row`` sets them."""
    return {**{name: getattr(project, name) for name in _PROJECT_TEXT_FIELDS},
            **{column: optional_millionths(getattr(project, name)) for name, column in _PROJECT_MONEY_COLUMNS.items()}}


def _procurement_columns(item: ProcurementItem) -> dict:
    """An item's columns as ``_fill_procurement_row`` sets them."""
    return {"project_id": _project_of(item), "item_name": item.item_name, "catalogue_code": item.catalogue_code,
            "measure_unit": item.measure_unit, "quantity": decimal_text(item.quantity),
            **{f"{name}_millionths": optional_millionths(getattr(item, name)) for name in _PROCUREMENT_MONEY}}


def _write_overall(session: Session, dataset_id: int, targets: OverallTargets) -> None:
    session.execute(delete(models.OverallIndicator).where(models.OverallIndicator.dataset_id == dataset_id))
    record = session.get(models.OverallTarget, dataset_id)
    if targets.is_empty():
        if record is not None:
            session.delete(record)
        return
    if record is None:
        record = models.OverallTarget(dataset_id=dataset_id)
        session.add(record)
    record.goal = targets.goal
    session.add_all(_indicator_rows(models.OverallIndicator, targets.indicators, dataset_id=dataset_id))


def _write_assets(session: Session, dataset_id: int, table: AssetTable) -> None:
    session.execute(delete(models.AssetRow).where(models.AssetRow.dataset_id == dataset_id))
    record = session.get(models.AssetTable, dataset_id)
    if table.is_empty():
        if record is not None:
            session.delete(record)
        return
    if record is None:
        record = models.AssetTable(dataset_id=dataset_id)
        session.add(record)
    record.as_of = table.as_of
    record.planned_purchases_millionths = optional_millionths(table.planned_purchases)
    for key, line in table.lines.items():
        if line.quantity is not None or line.value is not None:
            session.add(models.AssetRow(dataset_id=dataset_id, row_key=key, quantity=decimal_text(line.quantity),
                                        millionths=optional_millionths(line.value)))
