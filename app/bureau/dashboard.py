"""财政局 completeness dashboard: who has submitted, passed 审核, still carries 提示, declared an
empty table, or was returned — per 部门 and in total.

Definitions (one place; the CLI, the GUI and the tests read them from here):

* **应报** (expected): every unit the database knows (the unit list), whether or not its dataset of
  the year is held yet.
* **已上报** (submitted): the dataset held is 已上报 and its latest package (if any) was not returned;
  a package sent as 编制中 is not a hand-in (the tree shows it as 编制中（未上报）).
* **已退回** (returned): the latest package of the year was returned (``app.bureau.standing.return_dataset``)
  and no newer one has come in. **未上报**: everything else. These three are exclusive.
* **审核通过** (passed): the dataset held has no 错误 (the rules run now, on the data held).
* **有未说明提示**: the dataset held has 提示 without a 说明 (their number is given).
* **空表** (empty table): a table of the nine that holds no figure; it is printed with its 空表说明
  (the form's ``empty_note``, e.g. “注：无政府性基金预算财政拨款预算，空表列示。”), which is what the
  unit declares by handing it in empty. Each one is listed with that note.

A 部门 is a unit without a parent together with all units below it; a unit without a parent and
without units below is its own 部门. Nothing of the budgets is written: each dataset's 审核 counts and
empty tables are kept (``app.bureau.stored``) and worked out again only when the dataset, last year's
dataset or the definitions changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.base.progress import Progress
from app.bureau.screening import departments
from app.bureau.stored import AUDIT, StoredRun, stored_results
from app.checks.rules import check_dataset
from app.domain.forms import all_forms
from app.store.service import check_year
from db import models

SUBMITTED, RETURNED, NOT_SUBMITTED = "submitted", "returned", "not_submitted"
STATE_NAMES = {SUBMITTED: "已上报", RETURNED: "已退回", NOT_SUBMITTED: "未上报"}


@dataclass(frozen=True)
class EmptyTable:
    form: str
    title: str
    note: str  # 空表说明 as printed

    def to_dict(self) -> dict:
        return {"form": self.form, "title": self.title, "note": self.note}


@dataclass
class UnitProgress:
    unit_code: str
    unit_name: str
    department_code: str
    department_name: str
    state: str  # submitted / returned / not_submitted
    has_dataset: bool
    received_at: datetime | None = None
    return_reason: str = ""
    errors: int | None = None  # None: no dataset held
    warnings: int | None = None
    unexplained: int | None = None  # 提示 without 说明
    empty_tables: list[EmptyTable] = field(default_factory=list)

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    @property
    def passed(self) -> bool:
        return self.has_dataset and self.errors == 0

    def to_dict(self) -> dict:
        return {"unit": self.unit_code, "name": self.unit_name, "department": self.department_code,
                "department_name": self.department_name, "state": self.state, "state_name": self.state_name,
                "has_dataset": self.has_dataset,
                "received_at": self.received_at.isoformat() + "Z" if self.received_at else None,
                "return_reason": self.return_reason or None, "errors": self.errors, "warnings": self.warnings,
                "unexplained_warnings": self.unexplained, "passed": self.passed,
                "empty_tables": [table.to_dict() for table in self.empty_tables]}


@dataclass
class Counts:
    code: str  # 部门 code ("" for the total)
    name: str
    expected: int = 0
    submitted: int = 0
    returned: int = 0
    not_submitted: int = 0
    held: int = 0  # datasets held
    passed: int = 0
    with_warnings: int = 0  # units with unexplained 提示
    unexplained: int = 0  # their number
    with_empty: int = 0  # units declaring at least one empty table
    empty_tables: int = 0

    def add(self, unit: UnitProgress) -> None:
        self.expected += 1
        setattr(self, unit.state, getattr(self, unit.state) + 1)
        if unit.has_dataset:
            self.held += 1
            self.passed += unit.passed
            self.with_warnings += bool(unit.unexplained)
            self.unexplained += unit.unexplained or 0
            self.with_empty += bool(unit.empty_tables)
            self.empty_tables += len(unit.empty_tables)

    def to_dict(self) -> dict:
        return {"department": self.code or None, "name": self.name, "expected": self.expected,
                "submitted": self.submitted, "returned": self.returned, "not_submitted": self.not_submitted,
                "held": self.held, "passed": self.passed, "with_warnings": self.with_warnings,
                "unexplained_warnings": self.unexplained, "with_empty_tables": self.with_empty,
                "empty_tables": self.empty_tables}


@dataclass
class Dashboard:
    year: int
    units: list[UnitProgress]
    departments: list[Counts]
    total: Counts
    stored: StoredRun | None = None  # how many datasets were read as stored, how many worked out

    def to_dict(self) -> dict:
        return {"year": self.year, "total": self.total.to_dict(),
                "departments": [counts.to_dict() for counts in self.departments],
                "units": [unit.to_dict() for unit in self.units]}


COLUMNS = [("expected", "应报"), ("submitted", "已上报"), ("returned", "已退回"), ("not_submitted", "未上报"),
           ("passed", "审核通过"), ("with_warnings", "有未说明提示"), ("with_empty", "有空表")]


def empty_tables(dataset) -> list[EmptyTable]:
    """The tables of the nine that hold no figure, each with the 空表说明 it prints with."""
    # the printed tables' default note: app.printing.tables loads reportlab, only when the dashboard is built
    from app.printing.tables import DEFAULT_EMPTY_NOTE

    return [EmptyTable(form.id, form.title, form.empty_note or DEFAULT_EMPTY_NOTE)
            for form in all_forms() if dataset.view(form.id).is_empty()]


def audit_summary(dataset, findings=None) -> dict:
    """What 进度 keeps of one dataset: its 审核 counts and empty tables (with their 空表说明). ``findings``:
    its 审核 when the caller has just run it (a received package)."""
    findings = check_dataset(dataset) if findings is None else findings
    errors = sum(1 for finding in findings if finding.severity == "error")
    return {"errors": errors, "warnings": len(findings) - errors,
            "unexplained": sum(1 for finding in findings if finding.severity != "error" and not finding.explanation),
            "empty": [[table.form, table.title, table.note] for table in empty_tables(dataset)]}


def dashboard(store, year: int, *, progress: Progress | None = None) -> Dashboard:
    check_year(year)
    units = store.list_units()
    names = {unit.code: unit.name for unit in units}
    top = departments(units)
    held = {info.unit_code: info for info in store.list_datasets() if info.year == year}
    with store.Session() as session:
        # the last package of each unit: (status, received at, 退回 reason)
        latest: dict[str, tuple[str, datetime, str]] = {}
        for received in session.scalars(select(models.ReceivedPackage).where(models.ReceivedPackage.year == year)
                                        .order_by(models.ReceivedPackage.id)):
            latest[received.unit_code] = (received.status, received.received_at, received.return_reason or "")
    summaries, run = stored_results(store, year, AUDIT, audit_summary, progress=progress, label="审核", names=names)
    result: list[UnitProgress] = []
    for unit in units:
        department = top[unit.code]
        info = held.get(unit.code)
        package = latest.get(unit.code)
        if package is not None and package[0] == "returned":
            state = RETURNED
        else:  # a package sent as 编制中 (a draft for a look) is not a hand-in: the tree says 编制中（未上报） too
            state = SUBMITTED if info is not None and info.status == "submitted" else NOT_SUBMITTED
        row = UnitProgress(unit.code, unit.name, department, names.get(department, ""), state, False,
                           package[1] if package else None, package[2] if package and state == RETURNED else "")
        summary = summaries.get(unit.code) if info is not None else None
        if summary is not None:
            row.has_dataset = True
            row.errors, row.warnings, row.unexplained = summary["errors"], summary["warnings"], summary["unexplained"]
            row.empty_tables = [EmptyTable(form, title, note) for form, title, note in summary["empty"]]
        result.append(row)
    groups: dict[str, Counts] = {}
    total = Counts("", "合计")
    for row in result:
        groups.setdefault(row.department_code, Counts(row.department_code, row.department_name)).add(row)
        total.add(row)
    order = sorted(groups)
    result.sort(key=lambda row: (row.department_code, row.unit_code != row.department_code, row.unit_code))
    return Dashboard(year, result, [groups[code] for code in order], total, run)


__all__ = ["COLUMNS", "Counts", "Dashboard", "EmptyTable", "STATE_NAMES", "UnitProgress", "audit_summary", "dashboard",
           "empty_tables"]
