"""The 人员 and 车辆 tables of one open dataset, read and written through its door (audited like any edit)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select

from app.basic.records import BasicInfo, StaffMember, Vehicle
from db import models

_FEN_PER_YUAN = 100


def _fen(amount: Decimal) -> int:
    return int(amount * _FEN_PER_YUAN)


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / _FEN_PER_YUAN).quantize(Decimal("0.01"))


def read_content(session, dataset_id: int) -> BasicInfo:
    staff = [StaffMember(category=row.category, name=row.name, staffing=row.staffing, grade=row.grade,
                         basic_pay=_yuan(row.basic_pay_fen), allowance=_yuan(row.allowance_fen),
                         bonus=_yuan(row.bonus_fen))
             for row in session.scalars(select(models.StaffMember).where(models.StaffMember.dataset_id == dataset_id)
                                        .order_by(models.StaffMember.position, models.StaffMember.id))]
    vehicles = [Vehicle(purpose=row.purpose, in_establishment=row.in_establishment, purchase_year=row.purchase_year,
                        plate=row.plate)
                for row in session.scalars(select(models.Vehicle).where(models.Vehicle.dataset_id == dataset_id)
                                           .order_by(models.Vehicle.position, models.Vehicle.id))]
    return BasicInfo(staff, vehicles)


def write_content(session, dataset_id: int, info: BasicInfo) -> None:
    """Replace the dataset's 人员 and 车辆 with ``info`` (inside the caller's write transaction)."""
    session.execute(delete(models.StaffMember).where(models.StaffMember.dataset_id == dataset_id))
    session.execute(delete(models.Vehicle).where(models.Vehicle.dataset_id == dataset_id))
    for position, person in enumerate(info.staff):
        session.add(models.StaffMember(
            dataset_id=dataset_id, position=position, name=person.name, category=person.category,
            staffing=person.staffing, grade=person.grade, basic_pay_fen=_fen(person.basic_pay),
            allowance_fen=_fen(person.allowance), bonus_fen=_fen(person.bonus)))
    for position, vehicle in enumerate(info.vehicles):
        session.add(models.Vehicle(dataset_id=dataset_id, position=position, purpose=vehicle.purpose,
                                   in_establishment=vehicle.in_establishment, purchase_year=vehicle.purchase_year,
                                   plate=vehicle.plate))


def describe_staff(person: StaffMember | None) -> str | None:
    if person is None:
        return None
    words = (person.name or "（未填姓名）", person.category, person.staffing, person.grade,
             f"基本工资 {person.basic_pay} 元/月", f"津贴补贴 {person.allowance} 元/月", f"奖金或绩效 {person.bonus} 元/年")
    return " ".join(word for word in words if word)


def describe_vehicle(vehicle: Vehicle | None) -> str | None:
    if vehicle is None:
        return None
    year = f" {vehicle.purchase_year} 年购置" if vehicle.purchase_year else ""
    return f"{vehicle.plate or '（未填号牌）'} {vehicle.purpose} {'编制内' if vehicle.in_establishment else '编制外'}{year}"


def content_entries(old: BasicInfo, new: BasicInfo) -> list[tuple[str, str, str, str | None, str | None]]:
    """Every row that differs, as audit entries: (form, row, place, old text, new text)."""
    entries: list[tuple[str, str, str, str | None, str | None]] = []
    for index in range(max(len(old.staff), len(new.staff))):
        before = old.staff[index] if index < len(old.staff) else None
        after = new.staff[index] if index < len(new.staff) else None
        if before != after:
            entries.append(("staff", str(index + 1), f"基础信息 / 人员 / 第 {index + 1} 行",
                            describe_staff(before), describe_staff(after)))
    for index in range(max(len(old.vehicles), len(new.vehicles))):
        car_before = old.vehicles[index] if index < len(old.vehicles) else None
        car_after = new.vehicles[index] if index < len(new.vehicles) else None
        if car_before != car_after:
            entries.append(("vehicles", str(index + 1), f"基础信息 / 车辆 / 第 {index + 1} 行",
                            describe_vehicle(car_before), describe_vehicle(car_after)))
    return entries


class BasicInfoBook:
    """The 基础信息 of one open dataset (``app.store.dataset.BudgetDataset``): read, and written only through
    its door, so a 已上报 dataset refuses and every changed row is audited."""

    def __init__(self, dataset) -> None:
        self.dataset = dataset

    def content(self) -> BasicInfo:
        with self.dataset.store.Session() as session:
            return read_content(session, self.dataset.dataset_id)

    def replace(self, info: BasicInfo, *, source: str = "录入"):
        """Store ``info`` as the dataset's 人员 and 车辆 (one transaction); returns the door's Changes."""
        return self._write(info.staff, info.vehicles, source)

    def replace_staff(self, staff: list[StaffMember], *, source: str = "录入"):
        return self._write(list(staff), None, source)

    def replace_vehicles(self, vehicles: list[Vehicle], *, source: str = "录入"):
        return self._write(None, list(vehicles), source)

    def _write(self, staff: list[StaffMember] | None, vehicles: list[Vehicle] | None, source: str):
        """One transaction: what is not given is kept as stored (read under the door's lock)."""
        with self.dataset.door(source) as work:
            old = read_content(work.session, self.dataset.dataset_id)
            info = BasicInfo(old.staff if staff is None else staff, old.vehicles if vehicles is None else vehicles)
            write_content(work.session, self.dataset.dataset_id, info)
            for form, row, place, before, after in content_entries(old, info):
                work.record(place, before, after, form=form, row=row)
            work.changes.basic = True
        return work.changes
