"""汇总: consolidated forms over several units of one year, through the same form definitions.

The entered cells of the chosen datasets are summed by (form, row, column) and put into one
``Workbook`` over the union of their rows, so parents, 合计 and the derived tables are computed
exactly as for a single unit. Amounts stay exact: when the units keep different money units the
汇总 is in 元 (万元 × 10000 is exact), otherwise in their common unit.

One subtlety of summing code-keyed forms: a unit may enter an amount on a 款 that has no 项 in its
own table while another unit enters 项 under the same 款. Then the 款 of the 汇总 has children and
a direct amount; ``_ConsolidatedWorkbook`` adds both, so nothing entered is lost from the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from app.base.errors import InputError, NotFoundError
from app.base.money import exact_text, from_millionths
from app.base.progress import Progress
from app.base.progress import step as progress_step
from app.domain.compute import FormView, Workbook
from app.domain.forms import FormDef, all_forms
from app.domain.records import UnitInfo
from app.store.units import check_year, unit_info
from db import models

_WAN = Decimal(10000)


class _ConsolidatedWorkbook(Workbook):
    """A workbook whose code rows may hold a direct amount beside children (see the module text)."""

    def _compute(self, form: FormDef, row: str, column: str) -> Decimal | None:
        result = super()._compute(form, row, column)
        if form.row_kind != "fixed" and row in self.structure(form).children and not form.column(column).sum_of:
            own = self.values.get((form.id, row, column))
            if own is not None:
                result = own if result is None else result + own
        return result


@dataclass
class Consolidation:
    """Looks like a dataset to printing and the exporters: ``unit``, ``year``, ``money_unit``, ``view``."""

    year: int
    money_unit: str
    units: list[UnitInfo]
    workbook: Workbook
    scope: str  # which units: 全部 12 个单位 / 3 个单位 / 某部门（含所属单位）
    direct_parent_rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.scope}汇总"

    @property
    def unit(self) -> UnitInfo:
        """What the printed forms put on their unit line: 汇总 <scope>."""
        return UnitInfo(code="汇总", name=self.scope)

    @property
    def unit_label(self) -> str:
        return f"汇总 {self.scope}"

    def view(self, form_id: str) -> FormView:
        return self.workbook.view(form_id)

    def value(self, form_id: str, row: str, column: str) -> Decimal | None:
        return self.workbook.value(form_id, row, column)


def _select_units(session, year: int, units: list[str] | None, parent: str | None):
    query = (select(models.Dataset, models.Unit).join(models.Unit).where(models.Dataset.year == year)
             .order_by(models.Unit.code))
    rows = session.execute(query).all()
    if units:
        wanted = list(dict.fromkeys(code.strip() for code in units if code.strip()))
        found = {unit.code for _ds, unit in rows}
        missing = [code for code in wanted if code not in found]
        if missing:
            raise NotFoundError(f"以下单位没有 {year} 年度的预算数据：{'、'.join(missing)}。")
        rows = [row for row in rows if row[1].code in wanted]
    if parent:
        parent_unit = session.scalar(select(models.Unit).where(models.Unit.code == parent))
        if parent_unit is None:
            raise NotFoundError(f"没有单位编码为“{parent}”的部门。")
        rows = [row for row in rows if row[1].code == parent or row[1].parent_id == parent_unit.id]
    if not rows:
        raise NotFoundError(f"{year} 年度没有可汇总的单位数据。")
    return rows


def consolidate(store, year: int, *, units: list[str] | None = None, parent: str | None = None,
                progress: Progress | None = None) -> Consolidation:
    check_year(year)
    if units is not None and parent is not None:
        raise InputError("--units 和 --parent 只能选一个。")
    codes = store.code_tables(year)
    sums: dict[tuple[str, str, str], Decimal] = {}
    present: dict[str, set[str]] = {}
    with store.Session() as session:
        rows = _select_units(session, year, units, parent)
        money_units = {dataset.money_unit for dataset, _unit in rows}
        money_unit = money_units.pop() if len(money_units) == 1 else "元"
        scale = {dataset.id: (_WAN if dataset.money_unit == "万元" and money_unit == "元" else Decimal(1))
                 for dataset, _unit in rows}
        infos = [unit_info(unit) for _dataset, unit in rows]
        ids = list(scale)
        progress_step(progress, 0, 2, "读取各单位数据")
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for dataset_id, form, row, column, millionths in session.execute(
                    select(models.CellValue.dataset_id, models.CellValue.form, models.CellValue.row_key,
                           models.CellValue.column_key, models.CellValue.millionths)
                    .where(models.CellValue.dataset_id.in_(chunk))):
                key = (form, row, column)
                sums[key] = sums.get(key, Decimal(0)) + from_millionths(millionths) * scale[dataset_id]
            for form, row in session.execute(select(models.FormRow.form, models.FormRow.row_key)
                                             .where(models.FormRow.dataset_id.in_(chunk))):
                present.setdefault(form, set()).add(row)
    progress_step(progress, 1, 2, "计算汇总表")
    workbook = _ConsolidatedWorkbook(codes, sums, present)
    direct = [(form.id, row) for form in all_forms() if form.code_kind
              for row in workbook.code_rows(form) if not workbook.is_leaf(form, row)
              and any(sums.get((form.id, row, column.key)) is not None for column in form.columns)]
    if parent:
        scope = f"{next((u.name for u in infos if u.code == parent), parent)}（含所属单位）"
    elif units:
        scope = f"{len(infos)} 个单位"
    else:
        scope = f"全部 {len(infos)} 个单位"
    progress_step(progress, 2, 2, "完成")
    return Consolidation(year, money_unit, infos, workbook, scope, direct)


def consolidation_json(result: Consolidation) -> dict:
    """Shaped like ``show --json``: ``units`` and ``forms`` {form_id: rows}."""
    forms = {}
    for form in all_forms():
        view = result.view(form.id)
        forms[form.id] = [
            {"key": row.key, "title": row.title, **({"side": row.side} if row.side else {}),
             "values": {column.key: (None if (v := view.values.get((row.key, column.key))) is None else exact_text(v))
                        for column in form.columns if (row.key, column.key) in view.values}}
            for row in view.rows
        ]
    return {"year": result.year, "money_unit": result.money_unit, "title": result.title,
            "units": [{"code": unit.code, "name": unit.name, **({"parent_code": unit.parent_code}
                                                                 if unit.parent_code else {})} for unit in result.units],
            "forms": forms}


def export_consolidation(result: Consolidation, target, *, progress: Progress | None = None):
    """The 汇总 as an xlsx workbook (the command line's ``--out`` and the window's 导出 Excel…): the nine form
    sheets of summed values, no project part. Returns the path written."""
    # openpyxl is loaded only when a 汇总 is exported
    from app.exchange.excel.export import ExportSource, export_workbook

    return export_workbook(ExportSource(result.workbook, result.unit, result.year, result.money_unit), target,
                           progress=progress)


def print_consolidation(result: Consolidation, target, *, progress: Progress | None = None) -> int:
    """The nine tables of the 汇总 through the existing form printing; returns the page count."""
    # reportlab is loaded only when the 汇总 is printed
    from app.printing import build_document

    printed = build_document(result, target, forms=[form.id for form in all_forms()], contents=True, progress=progress)
    return printed.pages


__all__ = ["Consolidation", "consolidate", "consolidation_json", "export_consolidation", "print_consolidation"]
