"""What a new code edition would do to the budgets already entered (read-only).

Importing a code list as the edition a budget year uses replaces that year's 功能分类/经济分类. A code
that a dataset of that year already uses (a row of a code-keyed table, a cell, a project's 功能分类)
and that the new list lacks would be orphaned: the row would show （未知科目） and the dataset's own
export would no longer import. :func:`orphaned_codes` finds those codes before anything is written;
:func:`refuse_orphans` turns them into a Chinese refusal.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.base.errors import InputError
from app.domain.codes import KIND_NAMES, default_shipped_table
from app.domain.forms import all_forms
from db import models

SHOWN_CODES = 20  # per dataset in the message, then “等 N 个”
SHOWN_DATASETS = 10


def _affected_years(session, kind: str, edition: str, year: int, new_codes: set[str]) -> dict[int, set[str]]:
    """The code set each affected year would use after the import: ``year`` gets the new list; other
    years that use the imported edition being replaced lose their link with it (the database cascades)
    and fall back to the shipped edition."""
    years = {year: new_codes}
    replaced = session.scalar(select(models.CodeEdition.id).where(
        models.CodeEdition.kind == kind, models.CodeEdition.edition == edition))
    if replaced is not None:
        for other in session.scalars(select(models.YearEdition.year).where(
                models.YearEdition.kind == kind, models.YearEdition.edition_id == replaced)):
            if other != year:
                years[other] = set(default_shipped_table(kind, other).items)
    return years


def orphaned_codes(store, kind: str, year: int, new_codes: Iterable[str], *,
                   edition: str | None = None) -> dict[str, list[str]]:
    """For each dataset that would lose codes, ``"单位编码 单位名称 YYYY 年度"`` → the sorted codes it uses
    (table rows, cells, project 功能分类 for ``function``) that the code list ``new_codes`` lacks.
    ``edition`` is the edition being imported, when it replaces one that other years use."""
    new = set(new_codes)
    forms = [form.id for form in all_forms() if form.code_kind == kind]
    found: dict[str, list[str]] = {}
    with store.Session() as session:
        years = _affected_years(session, kind, edition, year, new) if edition else {year: new}
        datasets = session.execute(
            select(models.Dataset.id, models.Dataset.year, models.Unit.code, models.Unit.name)
            .join(models.Unit, models.Unit.id == models.Dataset.unit_id)
            .where(models.Dataset.year.in_(list(years)))
            .order_by(models.Dataset.year, models.Unit.code)
        ).all()
        for dataset_id, dataset_year, unit_code, unit_name in datasets:
            used: set[str] = set()
            if forms:
                used.update(session.scalars(select(models.CellValue.row_key).distinct().where(
                    models.CellValue.dataset_id == dataset_id, models.CellValue.form.in_(forms))))
                used.update(session.scalars(select(models.FormRow.row_key).distinct().where(
                    models.FormRow.dataset_id == dataset_id, models.FormRow.form.in_(forms))))
            if kind == "function":
                used.update(session.scalars(select(models.Project.function_code).distinct().where(
                    models.Project.dataset_id == dataset_id, models.Project.function_code != "")))
            missing = sorted(code for code in used if code.isdigit() and code not in years[dataset_year])
            if missing:
                found[f"{unit_code} {unit_name} {dataset_year} 年度"] = missing
    return found


def orphan_message(kind: str, edition: str, orphans: dict[str, list[str]]) -> str:
    lines = []
    for label, codes in list(orphans.items())[:SHOWN_DATASETS]:
        more = f" 等 {len(codes)} 个" if len(codes) > SHOWN_CODES else f"（{len(codes)} 个）"
        lines.append(f"{label}：{'、'.join(codes[:SHOWN_CODES])}{more}")
    if len(orphans) > SHOWN_DATASETS:
        lines.append(f"……另有 {len(orphans) - SHOWN_DATASETS} 份预算数据。")
    return (f"导入这份{KIND_NAMES[kind]}（{edition}版）后，下列已录入的预算数据中使用的科目编码将不在科目表中"
            f"（显示为未知科目，导出的数据文件也无法再导入），未导入：\n" + "\n".join(lines)
            + "\n请确认科目表是否完整；如这是另一预算年度的科目表，请指定使用它的预算年度（--year）。")


def refuse_orphans(store, kind: str, edition: str, year: int, new_codes: Iterable[str]) -> None:
    """InputError listing the codes the import would orphan; nothing when it orphans none."""
    orphans = orphaned_codes(store, kind, year, new_codes, edition=edition)
    if orphans:
        raise InputError(orphan_message(kind, edition, orphans))


__all__ = ["orphaned_codes", "orphan_message", "refuse_orphans"]
