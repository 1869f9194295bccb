"""Database rows <-> records: money as integer millionths of the money unit, weights and scores as integer
hundredths of a point (they are points, not money, and allow two decimals), the stated rates of the department
form as JSON."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from app.base.money import optional_amount, optional_millionths
from app.selfeval.framework import kind_keys
from app.selfeval.records import (
    PROJECT_MONEY_FIELDS,
    SCALE_LINES,
    DepartmentEvaluation,
    ProjectEvaluation,
    ScaleLine,
    ScoreGroup,
    ScoreItem,
    SelfEvaluationContent,
)
from db import models

_POINT_QUANTUM = Decimal("0.01")


def _points_stored(points: Decimal | None) -> int | None:
    """A weight or score as stored: integer hundredths of a point (validation allows two decimals)."""
    return None if points is None else int(points.quantize(_POINT_QUANTUM) * 100)


def _points_read(hundredths: int | None) -> Decimal | None:
    return None if hundredths is None else (Decimal(hundredths) / 100).quantize(_POINT_QUANTUM)


_PROJECT_TEXT = ("unit_name", "project_name", "stated_rate", "initial_goal", "overall_result", "problems",
                 "rectification")


def _project_from_row(row: models.ProjectSelfEvaluation) -> ProjectEvaluation:
    values = {name: getattr(row, name) for name in _PROJECT_TEXT}
    values.update({name: optional_amount(getattr(row, f"{name}_millionths")) for name in PROJECT_MONEY_FIELDS})
    return ProjectEvaluation(**values, contents={ind.kind: ind.content for ind in row.indicators if ind.content},
                             results={ind.kind: ind.result for ind in row.indicators if ind.result})


def _fill_project_row(row: models.ProjectSelfEvaluation, evaluation: ProjectEvaluation) -> None:
    for name in _PROJECT_TEXT:
        setattr(row, name, getattr(evaluation, name))
    for name in PROJECT_MONEY_FIELDS:
        setattr(row, f"{name}_millionths", optional_millionths(getattr(evaluation, name)))
    row.indicators = [
        models.ProjectSelfEvaluationIndicator(kind=key, content=evaluation.contents.get(key, ""),
                                              result=evaluation.results.get(key, ""))
        for key in kind_keys() if evaluation.contents.get(key) or evaluation.results.get(key)]


def _read_projects(session: Session, dataset_id: int) -> list[ProjectEvaluation]:
    rows = session.scalars(
        select(models.ProjectSelfEvaluation).where(models.ProjectSelfEvaluation.dataset_id == dataset_id)
        .order_by(models.ProjectSelfEvaluation.position, models.ProjectSelfEvaluation.id)
        .options(selectinload(models.ProjectSelfEvaluation.indicators)))
    return [_project_from_row(row) for row in rows]


def _read_department(session: Session, dataset_id: int) -> DepartmentEvaluation:
    header = session.get(models.DepartmentSelfEvaluation, dataset_id)
    department = DepartmentEvaluation()
    if header is not None:
        stated = json.loads(header.stated_rates) if header.stated_rates else {}
        department.lines = {key: ScaleLine(optional_amount(getattr(header, f"{key}_budget_millionths")),
                                           optional_amount(getattr(header, f"{key}_actual_millionths")), stated.get(key, ""))
                            for key, _part, _label in SCALE_LINES}
        department.initial_goal, department.result = header.initial_goal, header.result
    groups = session.scalars(
        select(models.DepartmentSelfEvaluationGroup).where(models.DepartmentSelfEvaluationGroup.dataset_id == dataset_id)
        .order_by(models.DepartmentSelfEvaluationGroup.position).options(
            selectinload(models.DepartmentSelfEvaluationGroup.items)))
    department.groups = [
        ScoreGroup(group.name, _points_read(group.weight_hundredths),
                   [ScoreItem(item.name, _points_read(item.weight_hundredths), item.level3, item.target_value,
                              item.actual_value, _points_read(item.score_hundredths), item.deviation)
                    for item in group.items])
        for group in groups]
    return department


def read_content(session: Session, dataset_id: int) -> SelfEvaluationContent:
    return SelfEvaluationContent(_read_projects(session, dataset_id), _read_department(session, dataset_id))


def _write_department(session: Session, dataset_id: int, department: DepartmentEvaluation) -> None:
    session.execute(delete(models.DepartmentSelfEvaluationGroup)
                    .where(models.DepartmentSelfEvaluationGroup.dataset_id == dataset_id))
    header = session.get(models.DepartmentSelfEvaluation, dataset_id)
    if department.is_empty():
        if header is not None:
            session.delete(header)
        return
    if header is None:
        header = models.DepartmentSelfEvaluation(dataset_id=dataset_id)
        session.add(header)
    for key, _part, _label in SCALE_LINES:
        line = department.line(key)
        setattr(header, f"{key}_budget_millionths", optional_millionths(line.budget))
        setattr(header, f"{key}_actual_millionths", optional_millionths(line.actual))
    stated = {key: department.line(key).stated_rate for key, _p, _l in SCALE_LINES if department.line(key).stated_rate}
    header.stated_rates = json.dumps(stated, ensure_ascii=False) if stated else ""
    header.initial_goal, header.result = department.initial_goal, department.result
    for position, group in enumerate(department.groups):
        session.add(models.DepartmentSelfEvaluationGroup(
            dataset_id=dataset_id, position=position, name=group.name, weight_hundredths=_points_stored(group.weight),
            items=[models.DepartmentSelfEvaluationItem(
                position=number, name=item.name, weight_hundredths=_points_stored(item.weight), level3=item.level3,
                target_value=item.target_value, actual_value=item.actual_value,
                score_hundredths=_points_stored(item.score), deviation=item.deviation)
                for number, item in enumerate(group.items)]))


def _write_projects(session: Session, dataset_id: int, projects: list[ProjectEvaluation]) -> None:
    existing = {row.project_name: row for row in session.scalars(
        select(models.ProjectSelfEvaluation).where(models.ProjectSelfEvaluation.dataset_id == dataset_id)
        .options(selectinload(models.ProjectSelfEvaluation.indicators)))}
    wanted = {item.project_name for item in projects}
    for name, unwanted in existing.items():
        if name not in wanted:
            session.delete(unwanted)
    session.flush()
    for position, evaluation in enumerate(projects):
        row = existing.get(evaluation.project_name)
        if row is None:
            row = models.ProjectSelfEvaluation(dataset_id=dataset_id)
            session.add(row)
        row.position = position
        _fill_project_row(row, evaluation)


def write_content(session: Session, dataset_id: int, content: SelfEvaluationContent) -> None:
    """Write validated content into a dataset (the interchange import uses this inside its transaction)."""
    _write_projects(session, dataset_id, content.projects)
    _write_department(session, dataset_id, content.department)
