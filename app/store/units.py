"""Budget units (预算单位) and the years their datasets are kept under."""

from __future__ import annotations

from sqlalchemy import select

from app.base.errors import ConflictError, InputError, NotFoundError
from app.base.textcheck import UNIT_TEXTS, check_code, check_fields
from app.domain.records import UNIT_FIELDS, UNIT_TEXT_FIELDS, UnitInfo
from app.store.audit import store_event
from app.store.database import Database
from db import models

MIN_YEAR, MAX_YEAR = 2000, 2100
UNIT_FIELD_NAMES = {**{key: label for key, label in UNIT_FIELDS if key != "code"}, "parent_code": "上级单位"}


def check_year(year: int) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"预算年度“{year}”无效，应为 {MIN_YEAR}—{MAX_YEAR} 之间的四位年份。")
    return year


def unit_info(unit: models.Unit) -> UnitInfo:
    return UnitInfo(
        code=unit.code, name=unit.name, parent_code=unit.parent.code if unit.parent else None,
        **{key: getattr(unit, key) or "" for key in UNIT_TEXT_FIELDS},
    )


class UnitsStore(Database):
    """The units of a store, and a unit's dataset of a year (the rows the other parts look up)."""

    def _unit(self, session, code: str) -> models.Unit:
        unit = session.scalar(select(models.Unit).where(models.Unit.code == code))
        if unit is None:
            raise NotFoundError(f"没有单位编码为“{code}”的预算单位。")
        return unit

    @staticmethod
    def _validate_unit(info: UnitInfo) -> UnitInfo:
        """Check the unit's codes and texts (app.base.textcheck). The codes are normalised in place
        (full-width ３５９ is the unit 359), so every caller stores and looks up the same code."""
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
        with self.write() as session:
            if session.scalar(select(models.Unit).where(models.Unit.code == info.code)) is not None:
                raise ConflictError(f"单位编码“{info.code}”已存在。")
            unit = models.Unit(code=info.code.strip())
            self._apply_unit(session, unit, info)
            session.add(unit)
            session.flush()
            return unit_info(unit)

    def update_unit(self, info: UnitInfo) -> UnitInfo:
        """Change a unit's information (shared by all its years); each changed field is audited."""
        self._validate_unit(info)
        with self.write() as session:
            unit = self._unit(session, info.code)
            before = unit_info(unit)
            self._apply_unit(session, unit, info)
            session.flush()
            after = unit_info(unit)
            for key, label in UNIT_FIELD_NAMES.items():
                old, new = getattr(before, key) or None, getattr(after, key) or None
                if old != new:
                    store_event(session, "录入", f"单位信息 / {label}", old=old, new=new, unit_code=info.code)
            return after

    def get_unit(self, code: str) -> UnitInfo:
        with self.Session() as session:
            return unit_info(self._unit(session, code))

    def list_units(self) -> list[UnitInfo]:
        with self.Session() as session:
            return [unit_info(unit) for unit in session.scalars(select(models.Unit).order_by(models.Unit.code))]

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
