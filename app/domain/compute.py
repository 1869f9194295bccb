"""Computing every table of a dataset from the entered cells and the form definitions.

``Workbook`` holds one dataset's entered values in memory and answers any cell of any form,
entered or computed (parents = Σ children, 合计 = Σ parts, derived tables), memoising results
until the next change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.base.errors import BudgetDeskError, InputError, NotFoundError
from app.domain import expr
from app.domain.codes import CodeTable
from app.domain.forms import TOTAL_ROW, TOTAL_TITLE, FormDef, RowDef, all_forms, form_by_id

CellKey = tuple[str, str, str]


@dataclass(frozen=True)
class RowInfo:
    """One row as shown: for code-keyed forms, ``code`` is the row key and ``level`` 1/2/3 (类/款/项)."""

    key: str
    title: str
    level: int = 0
    code: str | None = None
    is_total: bool = False
    is_leaf: bool = True
    side: str | None = None
    band: str = "body"
    indent: int = 0


@dataclass
class FormView:
    form: FormDef
    rows: list[RowInfo]
    values: dict[tuple[str, str], Decimal | None]
    entered: set[tuple[str, str]]

    def value(self, row: str, column: str) -> Decimal | None:
        return self.values.get((row, column))

    def is_empty(self) -> bool:
        return all(value is None for value in self.values.values())


@dataclass
class _CodeStructure:
    ordered: list[str]
    children: dict[str, list[str]]
    top_level: list[str]
    positions: dict[str, int]


def _sum(values) -> Decimal | None:
    total, seen = Decimal(0), False
    for value in values:
        if value is not None:
            total += value
            seen = True
    return total if seen else None


class Workbook:
    def __init__(self, codes: dict[str, CodeTable], values: dict[CellKey, Decimal] | None = None,
                 present_rows: dict[str, set[str]] | None = None) -> None:
        self.codes = codes
        self.values: dict[CellKey, Decimal] = dict(values or {})
        self.present_rows: dict[str, set[str]] = {key: set(rows) for key, rows in (present_rows or {}).items()}
        self._cache: dict[str, dict[tuple[str, str], Decimal | None]] = {}
        self._structure: dict[str, _CodeStructure] = {}
        self._fixed_index: dict[str, dict[str, RowDef]] = {}
        self._in_progress: set[CellKey] = set()

    # ---- changes -------------------------------------------------------------------------
    def invalidate(self) -> None:
        self._cache.clear()
        self._structure.clear()

    def set_value(self, form: str, row: str, column: str, value: Decimal | None) -> None:
        key = (form, row, column)
        structure = self._structure.get(form)
        if value is None:
            self.values.pop(key, None)
        else:
            self.values[key] = value
        # A value on a row already shown keeps the row structure; a new or vanished row rebuilds it.
        if structure is not None and (value is None or row not in structure.positions):
            self._structure.pop(form, None)
            self._cache.clear()
            return
        self._forget(form, row)

    def _forget(self, form_id: str, row: str) -> None:
        """Drop only what a change to one row can move: its ancestors' and 合计's cells, and
        every fixed-row form (the derived tables read any form; they are small)."""
        form = form_by_id(form_id)
        if form.code_kind is None:
            self._cache.clear()
            return
        cached = self._cache.get(form_id, {})
        for touched in (row, *self.codes[form.code_kind].ancestors(row), TOTAL_ROW):
            for column in form.columns:
                cached.pop((touched, column.key), None)
        for other in all_forms():
            if other.row_kind == "fixed":
                self._cache.pop(other.id, None)

    def add_row(self, form: str, row: str) -> None:
        self.present_rows.setdefault(form, set()).add(row)
        self.invalidate()

    def remove_row(self, form: str, row: str) -> None:
        self.present_rows.get(form, set()).discard(row)
        for key in [key for key in self.values if key[0] == form and key[1] == row]:
            del self.values[key]
        self.invalidate()

    # ---- structure -----------------------------------------------------------------------
    def code_table(self, form: FormDef) -> CodeTable:
        """The code table of a code-keyed form (功能分类 or 经济分类)."""
        kind = form.code_kind
        if kind is None:
            raise ValueError(f"form {form.id} has fixed rows, not codes")
        return self.codes[kind]

    def codes_for(self, form: FormDef) -> CodeTable | None:
        """The code table of a code-keyed form; None for a fixed-row form (or a kind this year lacks)."""
        return self.codes.get(form.code_kind) if form.code_kind is not None else None

    def fixed_rows(self, form: FormDef) -> dict[str, RowDef]:
        if form.id not in self._fixed_index:
            rows = form.fixed_rows(self.codes.get("function"))
            self._fixed_index[form.id] = {row.key: row for row in rows}
        return self._fixed_index[form.id]

    def structure(self, form: FormDef) -> _CodeStructure:
        """Codes shown in a code-keyed form (entered or added rows and their ancestors) and their tree."""
        cached = self._structure.get(form.id)
        if cached is not None:
            return cached
        codes: set[str] = set(self.present_rows.get(form.id, ()))
        codes.update(row for (form_id, row, _column) in self.values if form_id == form.id)
        table = self.codes_for(form)
        for code in list(codes):
            codes.update(table.ancestors(code) if table else [])
        ordered = sorted(codes)
        children: dict[str, list[str]] = {}
        for code in ordered:
            if len(code) > 3:
                children.setdefault(code[:-2], []).append(code)
        built = _CodeStructure(ordered, children, [code for code in ordered if len(code) == 3],
                               {code: index for index, code in enumerate(ordered)})
        self._structure[form.id] = built
        return built

    def code_rows_if_coded(self, form_id: str) -> list[str]:
        form = form_by_id(form_id)
        return self.code_rows(form) if form.code_kind else []

    def code_rows(self, form: FormDef) -> list[str]:
        return self.structure(form).ordered

    def children(self, form: FormDef, code: str) -> list[str]:
        return self.structure(form).children.get(code, [])

    def top_level(self, form: FormDef) -> list[str]:
        return self.structure(form).top_level

    def is_leaf(self, form: FormDef, code: str) -> bool:
        return code not in self.structure(form).children

    def rows(self, form_id: str) -> list[RowInfo]:
        form = form_by_id(form_id)
        if form.row_kind == "fixed":
            return [
                RowInfo(row.key, row.title, 0, row.code, False, row.entered, row.side, row.band, row.indent)
                for row in self.fixed_rows(form).values()
            ]
        table = self.codes_for(form)
        infos = [RowInfo(TOTAL_ROW, TOTAL_TITLE, 0, None, True, False)]
        for code in self.code_rows(form):
            name = table.items[code].name if table and code in table.items else "（未知科目）"
            level = {3: 1, 5: 2, 7: 3}.get(len(code), 0)
            infos.append(RowInfo(code, name, level, code, False, self.is_leaf(form, code)))
        return infos

    def row_title(self, form_id: str, row: str) -> str:
        """How a clerk names a row: the printed title of a fixed row, 合计, or 编码 科目名称."""
        form = form_by_id(form_id)
        if form.row_kind == "fixed":
            row_def = self.fixed_rows(form).get(row)
            return row_def.title.strip() if row_def is not None else row
        if row == TOTAL_ROW:
            return TOTAL_TITLE
        table = self.codes_for(form)
        return f"{row} {table.items[row].name}" if table and row in table.items else row

    # ---- cells ---------------------------------------------------------------------------
    def is_entered(self, form_id: str, row: str, column: str) -> bool:
        form = form_by_id(form_id)
        column_def = form.column(column)
        if not column_def.entered:
            return False
        if form.row_kind == "fixed":
            row_def = self.fixed_rows(form).get(row)
            if row_def is None:
                raise NotFoundError(f"《{form.title}》没有“{row}”这一行。")
            if row_def.side and column_def.side and row_def.side != column_def.side:
                return False
            return row_def.entered and column not in row_def.cells and not row_def.sum_of
        if row == TOTAL_ROW:
            return False
        return self.is_leaf(form, row)

    def value(self, form_id: str, row: str, column: str) -> Decimal | None:
        cached = self._cache.get(form_id)
        if cached is None:
            cached = self._cache[form_id] = {}
        elif (row, column) in cached:
            return cached[(row, column)]
        key = (form_id, row, column)
        if key in self._in_progress:
            raise BudgetDeskError(f"表样定义存在循环引用：{form_id}:{row}:{column}。")
        self._in_progress.add(key)
        try:
            result = self._compute(form_by_id(form_id), row, column)
        finally:
            self._in_progress.discard(key)
        cached[(row, column)] = result
        return result

    def _lookup(self, ref: expr.CellRef) -> Decimal | None:
        return self.value(ref.form, ref.row, ref.column)

    def _compute(self, form: FormDef, row: str, column: str) -> Decimal | None:
        column_def = form.column(column)
        if form.row_kind == "fixed":
            row_def = self.fixed_rows(form).get(row)
            if row_def is None:
                raise NotFoundError(f"《{form.title}》没有“{row}”这一行。")
            if row_def.side and column_def.side and row_def.side != column_def.side:
                return None
            if column in row_def.cells:
                return expr.evaluate(row_def.cells[column], self._lookup)
            if row_def.sum_of:
                return _sum(self.value(form.id, other, column) for other in row_def.sum_of)
            if column_def.sum_of:
                return _sum(self.value(form.id, row, other) for other in column_def.sum_of)
            if row_def.entered and column_def.entered:
                return self.values.get((form.id, row, column))
            return None
        if column_def.sum_of:
            return _sum(self.value(form.id, row, other) for other in column_def.sum_of)
        if row == TOTAL_ROW:
            return _sum(self.value(form.id, code, column) for code in self.top_level(form))
        children = self.children(form, row)
        if children:
            return _sum(self.value(form.id, child, column) for child in children)
        return self.values.get((form.id, row, column)) if column_def.entered else None

    def row_parts(self, form_id: str, row: str, column: str) -> list[str]:
        """The rows this cell is the sum of down its column (parents = Σ children, 合计 = Σ 类, a fixed row's
        ``sum_of``); empty for an entered cell, a formula or a sum across the row. Printing reads it for the
        尾差 rule, so the sums are written once, here and in ``_compute``."""
        form = form_by_id(form_id)
        column_def = form.column(column)
        if form.row_kind == "fixed":
            row_def = self.fixed_rows(form).get(row)
            if row_def is None or column in row_def.cells or (row_def.side and column_def.side
                                                               and row_def.side != column_def.side):
                return []
            return list(row_def.sum_of)
        if column_def.sum_of:
            return []
        if row == TOTAL_ROW:
            return list(self.top_level(form))
        return list(self.children(form, row))

    def view(self, form_id: str) -> FormView:
        form = form_by_id(form_id)
        rows = self.rows(form_id)
        values: dict[tuple[str, str], Decimal | None] = {}
        entered: set[tuple[str, str]] = set()
        two_sided = form.layout == "two_sided"
        entered_columns = {column.key for column in form.columns if column.entered}
        for row in rows:
            for column in form.columns:
                if two_sided and row.side and column.side and row.side != column.side:
                    continue
                values[(row.key, column.key)] = self.value(form_id, row.key, column.key)
                if column.key not in entered_columns:
                    continue
                if form.row_kind == "fixed":
                    if self.is_entered(form_id, row.key, column.key):
                        entered.add((row.key, column.key))
                elif not row.is_total and row.is_leaf:
                    entered.add((row.key, column.key))
        return FormView(form, rows, values, entered)

    def check_settable(self, form_id: str, row: str, column: str) -> None:
        """Raise InputError (Chinese) unless the clerk may type into this cell."""
        form = form_by_id(form_id)
        column_def = form.column(column)
        if form.row_kind == "fixed":
            if not self.is_entered(form_id, row, column):
                raise InputError(f"《{form.title}》“{self.fixed_rows(form)[row].title}”行“{column_def.title}”栏由系统计算，不能直接录入。")
            return
        if row == TOTAL_ROW:
            raise InputError(f"《{form.title}》的合计行由系统计算，不能直接录入。")
        if not column_def.entered:
            raise InputError(f"《{form.title}》的“{column_def.title}”栏由系统计算，不能直接录入。")
        table = self.code_table(form)
        if row not in table:
            raise InputError(f"科目编码 {row} 不在{table.title or '当前科目表'}中，请检查编码。")
        if not self.is_leaf(form, row):
            raise InputError(f"科目 {row} {table.name(row)} 有下级科目，金额由下级汇总，请在下级科目中录入。")
        for ancestor in table.ancestors(row):
            if any(self.values.get((form.id, ancestor, col.key)) is not None for col in form.columns):
                raise InputError(
                    f"上级科目 {ancestor} {table.name(ancestor)} 已直接录入金额，请先清除该行金额再录入下级科目 {row}。"
                )


def known_form_ids() -> list[str]:
    return [form.id for form in all_forms()]
