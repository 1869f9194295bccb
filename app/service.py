"""The core API shared by the GUI, the CLI and the tests: units, datasets, cells, code editions.

Every change is its own database transaction, committed before the call returns, so an edit is
durable as soon as the cell is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select

from app.codes import CODE_KINDS, KIND_NAMES, CodeTable, build_table, default_shipped_table
from app.compute import FormView, Workbook
from app.domain import STATUS_NAMES, UNIT_TEXT_FIELDS, DatasetInfo, UnitInfo
from app.errors import ConflictError, InputError, NotFoundError
from app.forms import form_by_id
from app.money import MONEY_UNITS, from_hundredths, parse_amount, to_hundredths
from db import models
from db.engine import make_engine, make_sessionmaker, migrate

MIN_YEAR, MAX_YEAR = 2000, 2100


def check_year(year: int) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"预算年度“{year}”无效，应为 {MIN_YEAR}—{MAX_YEAR} 之间的四位年份。")
    return year


def _unit_info(unit: models.Unit) -> UnitInfo:
    return UnitInfo(
        code=unit.code, name=unit.name, parent_code=unit.parent.code if unit.parent else None,
        **{key: getattr(unit, key) or "" for key in UNIT_TEXT_FIELDS},
    )


@dataclass(frozen=True)
class CellChange:
    form: str
    row: str
    column: str
    value: Decimal | None


class Store:
    """One database (SQLite file or server URL), migrated to the newest schema on open."""

    def __init__(self, target: str | None = None) -> None:
        self.engine = make_engine(target)
        migrate(self.engine)
        self.Session = make_sessionmaker(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # ---- units ---------------------------------------------------------------------------
    def _unit(self, session, code: str) -> models.Unit:
        unit = session.scalar(select(models.Unit).where(models.Unit.code == code))
        if unit is None:
            raise NotFoundError(f"没有单位编码为“{code}”的预算单位。")
        return unit

    @staticmethod
    def _validate_unit(info: UnitInfo) -> UnitInfo:
        """Check the unit's codes and texts (app.textcheck). The codes are normalised in place
        (full-width ３５９ is the unit 359), so every caller stores and looks up the same code."""
        from app.textcheck import UNIT_TEXTS, check_code, check_fields

        info.code = check_code(info.code, "单位编码")
        if info.parent_code is not None and str(info.parent_code).strip():
            info.parent_code = check_code(info.parent_code, "上级单位编码")
        else:
            info.parent_code = None
        check_fields(info, UNIT_TEXTS)
        if not info.name or not info.name.strip():
            raise InputError(f"单位 {info.code} 缺少单位名称。")
        if info.parent_code and info.parent_code == info.code:
            raise InputError("上级单位不能是本单位自己。")
        return info

    def _apply_unit(self, session, unit: models.Unit, info: UnitInfo) -> None:
        unit.name = info.name.strip()
        for key in UNIT_TEXT_FIELDS:
            setattr(unit, key, (getattr(info, key) or "").strip())
        if info.parent_code:
            parent = session.scalar(select(models.Unit).where(models.Unit.code == info.parent_code))
            if parent is None:
                raise NotFoundError(f"上级单位“{info.parent_code}”不存在，请先建立或导入上级单位。")
            unit.parent = parent
        else:
            unit.parent = None

    def create_unit(self, info: UnitInfo) -> UnitInfo:
        self._validate_unit(info)
        with self.Session.begin() as session:
            if session.scalar(select(models.Unit).where(models.Unit.code == info.code)) is not None:
                raise ConflictError(f"单位编码“{info.code}”已存在。")
            unit = models.Unit(code=info.code.strip())
            self._apply_unit(session, unit, info)
            session.add(unit)
            session.flush()
            return _unit_info(unit)

    def update_unit(self, info: UnitInfo) -> UnitInfo:
        self._validate_unit(info)
        with self.Session.begin() as session:
            unit = self._unit(session, info.code)
            self._apply_unit(session, unit, info)
            return _unit_info(unit)

    def get_unit(self, code: str) -> UnitInfo:
        with self.Session() as session:
            return _unit_info(self._unit(session, code))

    def list_units(self) -> list[UnitInfo]:
        with self.Session() as session:
            return [_unit_info(unit) for unit in session.scalars(select(models.Unit).order_by(models.Unit.code))]

    # ---- datasets ------------------------------------------------------------------------
    def create_dataset(self, unit_code: str, year: int, money_unit: str = "万元") -> DatasetInfo:
        check_year(year)
        if money_unit not in MONEY_UNITS:
            raise InputError(f"金额单位“{money_unit}”无效，只能是万元或元。")
        with self.Session.begin() as session:
            unit = self._unit(session, unit_code)
            if self._find_dataset(session, unit.id, year) is not None:
                raise ConflictError(f"单位 {unit_code} 的 {year} 年度预算已存在。")
            session.add(models.Dataset(unit_id=unit.id, year=year, money_unit=money_unit, status="draft"))
        return self.dataset_info(unit_code, year)

    @staticmethod
    def _find_dataset(session, unit_id: int, year: int) -> models.Dataset | None:
        return session.scalar(
            select(models.Dataset).where(models.Dataset.unit_id == unit_id, models.Dataset.year == year)
        )

    def _dataset(self, session, unit_code: str, year: int) -> models.Dataset:
        unit = self._unit(session, unit_code)
        dataset = self._find_dataset(session, unit.id, year)
        if dataset is None:
            raise NotFoundError(f"单位 {unit_code} {unit.name} 没有 {year} 年度的预算数据。")
        return dataset

    def dataset_info(self, unit_code: str, year: int) -> DatasetInfo:
        with self.Session() as session:
            dataset = self._dataset(session, unit_code, year)
            editions = {kind: table.edition for kind, table in self.code_tables(year).items()}
            return DatasetInfo(unit_code, dataset.unit.name, year, dataset.money_unit, dataset.status, editions)

    def list_datasets(self) -> list[DatasetInfo]:
        with self.Session() as session:
            rows = session.execute(
                select(models.Dataset, models.Unit).join(models.Unit).order_by(models.Unit.code, models.Dataset.year)
            ).all()
            return [DatasetInfo(unit.code, unit.name, ds.year, ds.money_unit, ds.status) for ds, unit in rows]

    def delete_dataset(self, unit_code: str, year: int) -> None:
        with self.Session.begin() as session:
            session.delete(self._dataset(session, unit_code, year))

    def open_dataset(self, unit_code: str, year: int) -> BudgetDataset:
        return BudgetDataset(self, unit_code, year)

    # ---- code editions ------------------------------------------------------------------
    def code_tables(self, year: int) -> dict[str, CodeTable]:
        """The code editions a budget year uses: an imported one if the bureau set it, else shipped."""
        tables: dict[str, CodeTable] = {}
        with self.Session() as session:
            for kind in CODE_KINDS:
                link = session.get(models.YearEdition, (year, kind))
                if link is None:
                    tables[kind] = default_shipped_table(kind, year)
                    continue
                edition = session.get(models.CodeEdition, link.edition_id)
                tables[kind] = self._imported_table(edition)
        return tables

    _imported_cache: dict[tuple[int, str], CodeTable] = {}

    def _imported_table(self, edition: models.CodeEdition) -> CodeTable:
        cache_key = (id(self), f"{edition.kind}:{edition.edition}:{edition.id}")
        if cache_key not in self._imported_cache:
            rows = [(entry.code, entry.name, entry.attribute) for entry in edition.entries]
            self._imported_cache[cache_key] = build_table(edition.kind, edition.edition, edition.title, rows, edition.source)
        return self._imported_cache[cache_key]

    def import_code_edition(self, kind: str, edition: str, rows: list[tuple[str, str, str | None]],
                            *, year: int | None = None, title: str = "", source: str = "") -> CodeTable:
        """Validate an official code list and make it the one ``year`` (default: the edition) uses."""
        from app.code_editions import refuse_orphans
        from app.codes import normalized_rows
        from app.textcheck import check_code

        if kind not in CODE_KINDS:
            raise InputError(f"科目类型“{kind}”无效，只能是 function（功能分类）或 economic（经济分类）。")
        edition = check_code(edition, "版本", 4) if str(edition).strip() else ""
        if not edition.isdigit() or len(edition) != 4:
            raise InputError(f"版本“{edition}”无效，应为四位年份，例如 2024。")
        target_year = check_year(year if year is not None else int(edition))
        rows = normalized_rows(rows)
        if kind == "economic":
            # An official list has no 人员/公用 classification: keep the shipped one where the code exists.
            shipped = default_shipped_table(kind, target_year)
            rows = [(code, name, attr if attr is not None else
                     (shipped.items[code].attribute if code in shipped.items else None)) for code, name, attr in rows]
        table = build_table(kind, edition, title or f"{edition}年{KIND_NAMES[kind]}", rows, source)
        # Read-only, before the write: a list that lacks codes entered datasets use is refused.
        refuse_orphans(self, kind, edition, target_year, table.items)
        with self.Session.begin() as session:
            existing = session.scalar(
                select(models.CodeEdition).where(models.CodeEdition.kind == kind, models.CodeEdition.edition == edition)
            )
            if existing is not None:
                session.delete(existing)
                session.flush()
            record = models.CodeEdition(kind=kind, edition=edition, title=table.title, source=source)
            record.entries = [models.CodeEntry(code=item.code, name=item.name, attribute=item.attribute)
                              for item in table.items.values()]
            session.add(record)
            session.flush()
            link = session.get(models.YearEdition, (target_year, kind))
            if link is None:
                session.add(models.YearEdition(year=target_year, kind=kind, edition_id=record.id))
            else:
                link.edition_id = record.id
        self._imported_cache.clear()
        return table


class BudgetDataset:
    """An open dataset: the computed workbook in memory, every edit written through at once."""

    def __init__(self, store: Store, unit_code: str, year: int) -> None:
        self.store = store
        self.unit_code = unit_code
        self.year = year
        self.reload()

    def reload(self) -> None:
        with self.store.Session() as session:
            dataset = self.store._dataset(session, self.unit_code, self.year)
            self.dataset_id = dataset.id
            self.money_unit = dataset.money_unit
            self.status = dataset.status
            self.unit = _unit_info(dataset.unit)
            values = {
                (cell.form, cell.row_key, cell.column_key): from_hundredths(cell.hundredths)
                for cell in session.scalars(select(models.CellValue).where(models.CellValue.dataset_id == dataset.id))
            }
            present: dict[str, set[str]] = {}
            for row in session.scalars(select(models.FormRow).where(models.FormRow.dataset_id == dataset.id)):
                present.setdefault(row.form, set()).add(row.row_key)
        self.codes = self.store.code_tables(self.year)
        self.workbook = Workbook(self.codes, values, present)

    @property
    def info(self) -> DatasetInfo:
        editions = {kind: table.edition for kind, table in self.codes.items()}
        return DatasetInfo(self.unit_code, self.unit.name, self.year, self.money_unit, self.status, editions)

    # ---- reading -------------------------------------------------------------------------
    def view(self, form_id: str) -> FormView:
        return self.workbook.view(form_id)

    def value(self, form_id: str, row: str, column: str) -> Decimal | None:
        return self.workbook.value(form_id, row, column)

    def entered_values(self) -> dict[tuple[str, str, str], Decimal]:
        return dict(self.workbook.values)

    # ---- editing -------------------------------------------------------------------------
    def _require_editable(self) -> None:
        if self.status == "submitted":
            raise ConflictError(f"{self.year} 年度预算已上报，不能修改；如需修改请先撤回上报。")

    def prepare_change(self, form_id: str, row: str, column: str, text: str | Decimal | None) -> CellChange:
        """Validate one cell edit without saving it (raises InputError with a Chinese message)."""
        form = form_by_id(form_id)
        form.column(column)
        value = None if text is None else parse_amount(text)
        self.workbook.check_settable(form_id, row, column)
        return CellChange(form_id, row, column, value)

    def set_cell(self, form_id: str, row: str, column: str, text: str | Decimal | None) -> Decimal | None:
        change = self.prepare_change(form_id, row, column, text)
        self.apply_changes([change])
        return change.value

    def clear_cell(self, form_id: str, row: str, column: str) -> None:
        self.set_cell(form_id, row, column, None)

    def apply_changes(self, changes: Iterable[CellChange]) -> None:
        """Write several validated cell changes in one transaction (a paste, an undo step)."""
        self._require_editable()
        changes = list(changes)
        with self.store.Session.begin() as session:
            for change in changes:
                key = (self.dataset_id, change.form, change.row, change.column)
                cell = session.get(models.CellValue, key)
                if change.value is None:
                    if cell is not None:
                        session.delete(cell)
                elif cell is None:
                    session.add(models.CellValue(dataset_id=self.dataset_id, form=change.form, row_key=change.row,
                                                 column_key=change.column, hundredths=to_hundredths(change.value)))
                else:
                    cell.hundredths = to_hundredths(change.value)
        for change in changes:
            self.workbook.set_value(change.form, change.row, change.column, change.value)

    def add_row(self, form_id: str, code: str) -> None:
        """Add a 功能分类/经济分类 row (its parents appear by themselves)."""
        self._require_editable()
        form = form_by_id(form_id)
        if form.code_kind is None:
            raise InputError(f"《{form.title}》是固定行表，不能增加行。")
        code = code.strip()
        table = self.codes[form.code_kind]
        if code not in table:
            raise InputError(f"科目编码“{code}”不在{KIND_NAMES[form.code_kind]}（{table.edition}版）中。")
        for ancestor in table.ancestors(code):
            if any(self.workbook.values.get((form_id, ancestor, col.key)) is not None for col in form.columns):
                raise InputError(f"上级科目 {ancestor} {table.name(ancestor)} 已直接录入金额，请先清除该行金额再增加下级科目。")
        with self.store.Session.begin() as session:
            if session.get(models.FormRow, (self.dataset_id, form_id, code)) is None:
                session.add(models.FormRow(dataset_id=self.dataset_id, form=form_id, row_key=code))
        self.workbook.add_row(form_id, code)

    def remove_row(self, form_id: str, code: str) -> None:
        """Remove a code row with its sub-rows and their values (the GUI asks before calling this)."""
        self._require_editable()
        doomed = [other for other in self.workbook.code_rows(form_by_id(form_id)) if other.startswith(code)]
        with self.store.Session.begin() as session:
            for other in doomed:
                session.execute(delete(models.CellValue).where(
                    models.CellValue.dataset_id == self.dataset_id, models.CellValue.form == form_id,
                    models.CellValue.row_key == other))
                session.execute(delete(models.FormRow).where(
                    models.FormRow.dataset_id == self.dataset_id, models.FormRow.form == form_id,
                    models.FormRow.row_key == other))
        for other in doomed:
            self.workbook.remove_row(form_id, other)

    def notes(self, prefix: str = "") -> dict[str, str]:
        """Free-text notes kept with the dataset (提示 explanations, edited narrative …)."""
        with self.store.Session() as session:
            rows = session.scalars(select(models.DatasetNote).where(models.DatasetNote.dataset_id == self.dataset_id))
            return {note.key: note.text for note in rows if note.key.startswith(prefix)}

    def set_note(self, key: str, text: str | None) -> None:
        """Store (or, with None, delete) one note in its own transaction."""
        with self.store.Session.begin() as session:
            note = session.get(models.DatasetNote, (self.dataset_id, key))
            if text is None:
                if note is not None:
                    session.delete(note)
            elif note is None:
                session.add(models.DatasetNote(dataset_id=self.dataset_id, key=key, text=text))
            else:
                note.text = text

    def row_snapshot(self, form_id: str, code: str) -> tuple[set[str], list[CellChange]]:
        """What removing ``code`` would take away: added rows and values under it (for undo)."""
        rows = {row for row in self.workbook.present_rows.get(form_id, set()) if row.startswith(code)}
        values = [CellChange(form, row, column, value) for (form, row, column), value in self.workbook.values.items()
                  if form == form_id and row.startswith(code)]
        return rows, values

    def restore_rows(self, form_id: str, rows: set[str], values: list[CellChange]) -> None:
        """Undo of ``remove_row``: put the rows and their values back in one transaction."""
        self._require_editable()
        with self.store.Session.begin() as session:
            for row in rows:
                if session.get(models.FormRow, (self.dataset_id, form_id, row)) is None:
                    session.add(models.FormRow(dataset_id=self.dataset_id, form=form_id, row_key=row))
        for row in rows:
            self.workbook.add_row(form_id, row)
        self.apply_changes(values)

    def row_has_values(self, form_id: str, code: str) -> bool:
        return any(form == form_id and row.startswith(code) for form, row, _col in self.workbook.values)

    def set_status(self, status: str) -> None:
        if status not in STATUS_NAMES:
            raise InputError(f"状态“{status}”无效。")
        if status == "submitted":
            from app.rules import SEVERITY_NAMES, submission_blockers

            blockers = submission_blockers(self)
            if blockers:
                lines = [f"[{SEVERITY_NAMES[f.severity]}] {f.rule} {f.message}"
                         + ("" if f.severity == "error" else "（缺少说明）") for f in blockers]
                raise ConflictError(f"还有 {len(blockers)} 条审核问题未处理，不能标记为已上报：\n" + "\n".join(lines))
        with self.store.Session.begin() as session:
            session.get(models.Dataset, self.dataset_id).status = status
        self.status = status

    def update_unit(self, info: UnitInfo) -> None:
        self.unit = self.store.update_unit(info)


__all__ = ["Store", "BudgetDataset", "CellChange", "check_year"]
