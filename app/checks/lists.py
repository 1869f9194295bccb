"""List checks of the 审核: projects and their 绩效目标, the 部门整体绩效目标, 政府采购 and 固定资产.

Each check is listed by name in ``CHECKS`` (gathered by ``app.checks.registry``); a rule in ``resources/rules/*.json`` names it
and keeps the id, severity, message template and parameters (thresholds live there, not here).
Findings point at ``CellPointer("projects", <project name>, <field or indicator name>)``,
``("procurement", <item name>, <column>)``, ``("assets", <row key>, <column>)`` or
``("overall_targets", "部门整体绩效目标", <field or indicator name>)``. Anchors are built from names, not
database ids, so an explanation (说明) stays with its finding across re-runs and edits of other
projects, and would survive a re-import that gives the projects new ids.

A check reads through :func:`book_data`. ``Checker`` opens :func:`shared_reads` around a run, so a full
run loads the projects once for every rule; outside it each check reads afresh.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cached_property

from app.base.money import format_amount
from app.checks.findings import CellPointer, Finding, ListCheck, Rule
from app.domain.forms import TOTAL_ROW
from app.projects import (
    COMPARATORS,
    QUALITATIVE,
    Indicator,
    Project,
    ProjectBook,
    asset_problems,
    level_name,
    procurement_problems,
    project_problems,
    settled_comparator,
    split_indicator_value,
)

ZERO = Decimal("0.00")
COST_LEVEL2 = "14"  # 成本指标
OVERALL_ROW = "部门整体绩效目标"
# Money units a 成本指标 may be written in, in 元.
MONEY_UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
_UPPER_BOUNDS = ("≤", "<", "=", "")  # "" is a bare figure, printed as the exact value


# ---- shared reads ----------------------------------------------------------------------------
class BookData:
    """What the list checks read from a dataset's ProjectBook, each part loaded on first use."""

    def __init__(self, dataset) -> None:
        self.dataset = dataset
        self.book = ProjectBook(dataset)

    @cached_property
    def projects(self) -> list[Project]:
        return read_projects(self.dataset)

    @cached_property
    def amounts(self) -> list[tuple[int, str, Decimal | None]]:
        """(id, name, amount) per project: a light query when the full projects are not loaded yet."""
        if "projects" in self.__dict__:
            return [(project.id, project.name, project.amount) for project in self.projects
                    if project.id is not None]  # always: these are stored projects
        return self.book.project_choices()

    @cached_property
    def names(self) -> dict[int, str]:
        return {project_id: name for project_id, name, _amount in self.amounts}

    @cached_property
    def procurement(self):
        return self.book.list_procurement()

    @cached_property
    def assets(self):
        return self.book.assets()

    @cached_property
    def overall(self):
        return self.book.overall_targets()


def read_projects(dataset) -> list[Project]:
    """The projects with their indicators, read the fast way (see ``ProjectBook.read_projects_plain``)."""
    return ProjectBook(dataset).read_projects_plain()


_shared: ContextVar[BookData | None] = ContextVar("budgetdesk_book_data", default=None)


@contextmanager
def shared_reads(dataset, data: BookData | None = None) -> Iterator[BookData]:
    """Within the block every list check on ``dataset`` reads one BookData: ``data`` when given (a
    Checker keeps its own between list changes), else a fresh one; nested blocks reuse the outer one."""
    current = _shared.get()
    if current is not None and current.dataset is dataset:
        yield current
        return
    chosen = data if data is not None and data.dataset is dataset else BookData(dataset)
    token = _shared.set(chosen)
    try:
        yield chosen
    finally:
        _shared.reset(token)


def book_data(dataset) -> BookData:
    current = _shared.get()
    return current if current is not None and current.dataset is dataset else BookData(dataset)


# ---- helpers ---------------------------------------------------------------------------------
def _finding(rule: Rule, anchor: str, cells: list[CellPointer], **fields) -> Finding:
    return Finding(rule.id, rule.title, rule.severity, rule.message.format(**fields), cells, anchor=anchor)


def _money(value: Decimal) -> str:
    """Two decimals, or every decimal when a converted figure has more (12345 元 = 1.2345 万元)."""
    if value == value.quantize(Decimal("0.01")):
        return format_amount(value)
    return format(value.normalize(), "f")


def _percent(share: Decimal) -> str:
    return f"{format((share * 100).normalize(), 'f')}%"


_SPACE = re.compile(r"\s+")
_NUMERIC = re.compile(r"-?\d+(?:\.\d+)?")


def _normal(text: str) -> str:
    """NFKC (full-width forms to ASCII) without any whitespace: what a careful reader would compare."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _SPACE.sub("", text)


def _number(text: str) -> Decimal | None:
    if _NUMERIC.fullmatch(text):  # the common case: a stored, already clean number
        return Decimal(text)
    cleaned = _normal(text).replace(",", "")
    return Decimal(cleaned) if _NUMERIC.fullmatch(cleaned) else None


def _project_cell(project_name: str, column: str) -> CellPointer:
    return CellPointer("projects", project_name, column)


class _Anchors:
    """Unique anchors within one rule's findings: a repeated base gets “#2”, “#3” …"""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        count = self.seen[base] = self.seen.get(base, 0) + 1
        return base if count == 1 else f"{base}#{count}"


# ---- Σ project amounts against 项目支出 ----------------------------------------------------------
def _project_totals(dataset) -> tuple[Decimal, Decimal, int, int]:
    """(项目支出 合计, Σ known amounts, projects with an amount, projects without one)."""
    amounts = book_data(dataset).amounts
    expected = dataset.value("expenditure_summary", TOTAL_ROW, "project") or ZERO
    known = [amount for _id, _name, amount in amounts if amount is not None]
    return expected, sum(known, ZERO), len(known), len(amounts) - len(known)


_EXPENDITURE_PROJECT = CellPointer("expenditure_summary", TOTAL_ROW, "project")


def projects_total(rule: Rule, dataset) -> list[Finding]:
    """Every project has an amount and they add up to 项目支出; or the known ones already exceed it."""
    expected, total, known, missing = _project_totals(dataset)
    fields = dict(total=_money(total), expected=_money(expected), difference=_money(abs(total - expected)),
                  count=known, known=known, missing=missing, unit=dataset.money_unit)
    if not missing and total != expected:
        return [_finding(rule, "", [_EXPENDITURE_PROJECT], **fields)]
    if missing and total > expected:
        message = rule.params["message_partial"].format(**fields)
        return [Finding(rule.id, rule.title, rule.severity, message, [_EXPENDITURE_PROJECT])]
    return []


def projects_total_pending(rule: Rule, dataset) -> list[Finding]:
    """Some projects have no amount yet: the sum cannot be checked; say how far it has got and point at
    every project still without an amount (one finding, so one 说明, rather than one per project)."""
    expected, total, known, missing = _project_totals(dataset)
    if not missing or total > expected:  # a sum already too large is P01's error
        return []
    unnamed = [name for _id, name, amount in book_data(dataset).amounts if amount is None]
    shown = int(rule.params.get("names_shown", 3))
    names = "、".join(f"“{name}”" for name in unnamed[:shown]) + ("等" if len(unnamed) > shown else "")
    cells = [_EXPENDITURE_PROJECT, *(_project_cell(name, "amount") for name in unnamed)]
    return [_finding(rule, "", cells, missing=missing, names=names, known=known, total=_money(total),
                     expected=_money(expected), remaining=_money(expected - total), unit=dataset.money_unit)]


# ---- 政府采购 and the consistency problems of app.projects ----------------------------------------
def procurement_within_amount(rule: Rule, dataset) -> list[Finding]:
    data = book_data(dataset)
    by_project: dict[int, list] = {}
    for item in data.procurement:
        by_project.setdefault(item.project_id, []).append(item)
    findings = []
    for project_id, name, amount in data.amounts:
        items = by_project.get(project_id)
        if not items or amount is None:
            continue
        purchased = sum((item.total or ZERO for item in items), ZERO)
        if purchased > amount:
            listed = "、".join(f"{item.item_name} {_money(item.total or ZERO)}" for item in items)
            cells = [_project_cell(name, "amount"), *(CellPointer("procurement", item.item_name, "total")
                                                      for item in items)]
            findings.append(_finding(rule, name, cells, project=name, purchased=_money(purchased), items=listed,
                                     amount=_money(amount), difference=_money(purchased - amount),
                                     unit=dataset.money_unit))
    return findings


def _problem_field(problem: str) -> str:
    """The project field a project_problems() message is about, for navigation."""
    for prefix, column in (("实施周期", "period_end"), ("实施期资金总额", "period_total"),
                           ("其他资金", "other_funds")):
        if problem.startswith(prefix):
            return column
    return "amount"


def project_fields(rule: Rule, dataset) -> list[Finding]:
    anchors = _Anchors()
    return [_finding(rule, anchors(project.name), [_project_cell(project.name, _problem_field(problem))],
                     project=project.name, problem=problem)
            for project in book_data(dataset).projects
            for problem in project_problems(project, dataset.money_unit)]


def procurement_rows(rule: Rule, dataset) -> list[Finding]:
    data = book_data(dataset)
    anchors = _Anchors()
    findings = []
    for item in data.procurement:
        project = data.names.get(item.project_id, "")
        for problem in procurement_problems(item, dataset.money_unit):
            findings.append(_finding(rule, anchors(f"{project}/{item.item_name}"),
                                     [CellPointer("procurement", item.item_name, "sme_reserved")],
                                     item=item.item_name, project=project, problem=problem))
    return findings


def asset_parts(rule: Rule, dataset) -> list[Finding]:
    findings = []
    for problem in asset_problems(book_data(dataset).assets):
        column = "quantity" if "的数量" in problem else "value"
        findings.append(_finding(rule, f"office_buildings/{column}",
                                 [CellPointer("assets", "office_buildings", column),
                                  CellPointer("assets", "buildings", column)], problem=problem))
    return findings


def project_funds_missing(rule: Rule, dataset) -> list[Finding]:
    """P17: projects with an amount but no fund breakdown, named in one 提示 (how they print is said)."""
    keys = ("local_fiscal", "higher_level", "fiscal_appropriation", "fiscal_special_account", "other_funds")
    missing = [project.name for project in book_data(dataset).projects
               if project.amount is not None and all(getattr(project, key) is None for key in keys)]
    if not missing:
        return []
    names = "、".join(missing[:3]) + ("等" if len(missing) > 3 else "")
    return [Finding(rule.id, rule.title, rule.severity, rule.message.format(count=len(missing), names=names),
                    [_project_cell(name, "fiscal_appropriation") for name in missing])]


# ---- target quality --------------------------------------------------------------------------
def indicator_levels_present(rule: Rule, dataset) -> list[Finding]:
    """Every code in ``params.levels`` (一级 or 二级) has at least one indicator in each project."""
    levels = [str(code) for code in rule.params["levels"]]
    findings = []
    for project in book_data(dataset).projects:
        present = {ind.level1 for ind in project.indicators} | {ind.level2 for ind in project.indicators}
        missing = [level_name(code) for code in levels if code not in present]
        if missing:
            findings.append(_finding(rule, project.name, [_project_cell(project.name, "indicators")],
                                     project=project.name, missing="、".join(missing)))
    return findings


def _quantity_problem(indicator: Indicator, bare_figure_is_exact: bool) -> str:
    """Why a numeric 指标值 is incomplete ("" if it is fine or not numeric)."""
    value = indicator.value.strip()
    if not value:
        return ""
    # words stored with no comparator before entry settled them as 定性 are checked as 定性 now
    comparator = settled_comparator(indicator.comparator, value)
    if comparator == QUALITATIVE:
        read_as, _number_text, _unit = split_indicator_value(value)
        if read_as == QUALITATIVE:
            return ""  # words: a qualitative target
        return "是数字却按定性指标填写，应选比较符（≥、≤、= 等）并填写计量单位"
    if comparator not in COMPARATORS and _number(value) is None:
        return ""
    missing = []
    if comparator == "" and not bare_figure_is_exact:
        missing.append("比较符（≥、≤、= 等）")
    if not indicator.unit.strip():
        missing.append("计量单位")
    return f"缺少{'和'.join(missing)}" if missing else ""


def quantitative_values(rule: Rule, dataset) -> list[Finding]:
    """A numeric 指标值 has a comparator (a bare figure counts as exact when the param says so) and a unit."""
    bare_figure_is_exact = bool(rule.params.get("bare_figure_is_exact", True))
    findings = []
    for project in book_data(dataset).projects:
        anchors = _Anchors()
        for indicator in project.indicators:
            problem = _quantity_problem(indicator, bare_figure_is_exact)
            if problem:
                findings.append(_finding(rule, anchors(f"{project.name}/{indicator.name}"),
                                         [_project_cell(project.name, indicator.name)], project=project.name,
                                         indicator=indicator.name, value=indicator.display_value or "（空）",
                                         problem=problem))
    return findings


def _cost_bounds(project: Project, money_unit: str) -> list[tuple[Indicator, Decimal]]:
    """The 成本指标 upper bounds (≤ < = or a bare figure) written in money, converted exactly to the
    dataset's money unit."""
    target = MONEY_UNITS.get(money_unit)
    bounds = []
    for indicator in project.indicators:
        if indicator.level2 != COST_LEVEL2 or indicator.comparator not in _UPPER_BOUNDS:
            continue
        factor = MONEY_UNITS.get(_normal(indicator.unit))
        number = _number(indicator.value)
        if target is None or factor is None or number is None:
            continue
        bounds.append((indicator, number * factor / target))
    return bounds


def cost_vs_amount(rule: Rule, dataset) -> list[Finding]:
    """The 成本指标 in money must not contradict the project's amount: no bound above
    ``max_share`` × amount, and the bounds together not below ``min_share`` × amount."""
    min_share = Decimal(str(rule.params["min_share"]))
    max_share = Decimal(str(rule.params.get("max_share", "1")))
    unit = dataset.money_unit
    findings = []
    for project in book_data(dataset).projects:
        if project.amount is None:
            continue
        bounds = _cost_bounds(project, unit)
        if not bounds:
            continue
        over = [(indicator, bound) for indicator, bound in bounds if bound > project.amount * max_share]
        total = sum((bound for _indicator, bound in bounds), ZERO)
        if over:
            indicator, bound = over[0]
            limit = "项目预算金额" if max_share == 1 else f"项目预算金额的 {_percent(max_share)}"
            problem = f"成本上限 {_money(bound)} {unit} 高于{limit}"
        elif total < project.amount * min_share:
            summed = "合计" if len(bounds) > 1 else ""
            problem = f"成本上限{summed} {_money(total)} {unit}，不到预算金额的 {_percent(min_share)}"
        else:
            continue
        listed = "；".join(f"{indicator.name} {indicator.display_value}" for indicator, _bound in bounds)
        cells = [_project_cell(project.name, "amount"),
                 *(_project_cell(project.name, indicator.name) for indicator, _bound in bounds)]
        findings.append(_finding(rule, project.name, cells, project=project.name, bounds=f"（{listed}）",
                                 amount=_money(project.amount), unit=unit, problem=problem))
    return findings


_FIELD, _ROW = "\x00", "\x01"  # separators that survive NFKC and are not whitespace


def _indicator_set_key(project: Project) -> tuple[str, ...]:
    """The project's indicators as a sorted tuple of normalized (二级, 三级, comparator, value, unit)
    rows: one NFKC pass over the whole set rather than one per field (it runs for every project)."""
    rows = []
    for indicator in project.indicators:
        value = indicator.value
        if "." in value and (number := _number(value)) is not None:
            value = format(number.normalize(), "f")  # 90.0 and 90 are the same target
        rows.append(_FIELD.join((indicator.level2, indicator.name, indicator.comparator, value, indicator.unit)))
    return tuple(sorted(_normal(_ROW.join(rows)).split(_ROW)))


def identical_indicators(rule: Rule, dataset) -> list[Finding]:
    """Projects whose indicator sets are equal as multisets of normalized (二级, 三级, comparator, value,
    unit): each later project is reported once, against the first one with that set."""
    minimum = max(int(rule.params.get("min_indicators", 1)), 1)
    groups: dict[tuple[str, ...], list[Project]] = {}
    for project in book_data(dataset).projects:
        if len(project.indicators) >= minimum:
            groups.setdefault(_indicator_set_key(project), []).append(project)
    findings = []
    for members in groups.values():
        first = members[0]
        for other in members[1:]:
            same_goal = _normal(first.annual_goal) and _normal(first.annual_goal) == _normal(other.annual_goal)
            findings.append(_finding(rule, f"{other.name}|{first.name}",
                                     [_project_cell(other.name, "indicators"), _project_cell(first.name, "indicators")],
                                     project=other.name, other=first.name, count=len(other.indicators),
                                     goal_note="，年度绩效目标也相同" if same_goal else ""))
    return findings


# ---- years in target texts -------------------------------------------------------------------
_YEAR = r"(?:19|20)\d{2}"
_YEAR_RANGE = re.compile(
    rf"(?<!\d)({_YEAR})(?!\d)\s*(?:年度?)?(?:\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?)?"
    rf"\s*(?:[-－—–~～〜]+|至|到)\s*({_YEAR})(?!\d)(?:\s*年度?)?")
_YEAR_SINGLE = re.compile(rf"(?<!\d)({_YEAR})(?!\d)\s*年度?")


def year_mentions(text: str, allowed: set[int]) -> list[str]:
    """Year mentions (“2022 年度”, “2019—2021 年”) whose years are not ``allowed``; a range that
    includes an allowed year is fine, and a year needs 年 after it (or inside its range) to count."""
    if not text or "年" not in text:
        return []
    text = unicodedata.normalize("NFKC", text)
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for match in _YEAR_RANGE.finditer(text):
        first, last = int(match[1]), int(match[2])
        if "年" not in match[0] or first > last:
            continue
        taken.append(match.span())
        if not any(first <= year <= last for year in allowed):
            found.append(match[0].strip())
    for match in _YEAR_SINGLE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        if int(match[1]) not in allowed:
            found.append(match[0].strip())
    return found


_YEAR_DIGITS = re.compile(rf"(?<!\d){_YEAR}(?!\d)")

# A place in a target text: (column of its CellPointer, how the message names it, text, allowed years).
Place = tuple[str, str, str, set[int]]


def _indicator_places(indicator: Indicator, allowed: set[int], *, with_note: bool = False) -> Iterator[Place]:
    fields = [("名称", indicator.name), ("指标描述", indicator.description), ("指标值", indicator.value)]
    if with_note:
        fields.append(("分项", indicator.note))
    for label, text in fields:
        if text:
            yield indicator.name, f"指标“{indicator.name}”的{label}", text, allowed


def _year_finding(rule: Rule, anchor: str, form: str, row: str, year: int, texts: list[str],
                  places, **fields) -> list[Finding]:
    """One finding listing every year mention in ``places`` that is not allowed there. ``texts`` are
    all the place texts: when they name no year but the budget year, the places are never built."""
    if {int(found) for found in _YEAR_DIGITS.findall("\n".join(texts))} <= {year}:
        return []
    mentions: list[str] = []
    labels: list[str] = []
    cells: list[CellPointer] = []
    for column, label, text, allowed in places():
        found = year_mentions(text, allowed)
        if found:
            mentions += [mention for mention in found if mention not in mentions]
            labels.append(label)
            cell = CellPointer(form, row, column)
            if cell not in cells:
                cells.append(cell)
    if not mentions:
        return []
    return [_finding(rule, anchor, cells, years="、".join(f"“{mention}”" for mention in mentions), year=year,
                     places="、".join(labels), **fields)]


def project_years(rule: Rule, dataset) -> list[Finding]:
    """Years in a project's goals and indicators other than the budget year (the 实施期总目标 may also
    name the years of the 实施周期)."""
    year = dataset.year
    findings = []
    for project in book_data(dataset).projects:
        def places(project: Project = project) -> Iterator[Place]:
            period = {year}
            if project.period_start and project.period_end and project.period_start <= project.period_end:
                period |= set(range(project.period_start.year, project.period_end.year + 1))
            yield "annual_goal", "年度绩效目标", project.annual_goal, {year}
            yield "period_goal", "实施期总目标", project.period_goal, period
            for indicator in project.indicators:
                yield from _indicator_places(indicator, {year})

        texts = [project.annual_goal, project.period_goal,
                 *(text for ind in project.indicators for text in (ind.name, ind.description, ind.value))]
        findings += _year_finding(rule, project.name, "projects", project.name, year, texts, places,
                                  project=project.name)
    return findings


def overall_years(rule: Rule, dataset) -> list[Finding]:
    year = dataset.year
    overall = book_data(dataset).overall

    def places() -> Iterator[Place]:
        yield "goal", "整体绩效目标", overall.goal, {year}
        for indicator in overall.indicators:
            yield from _indicator_places(indicator, {year}, with_note=True)

    texts = [overall.goal, *(text for ind in overall.indicators
                             for text in (ind.name, ind.description, ind.value, ind.note))]
    return _year_finding(rule, "部门整体绩效目标", "overall_targets", OVERALL_ROW, year, texts, places)


__all__ = ["CHECKS", "BookData", "book_data", "shared_reads", "year_mentions"]


# The checks rule files name (``"check"``), gathered by app.checks.registry.
CHECKS: dict[str, ListCheck] = {
    "projects_total": projects_total,
    "projects_total_pending": projects_total_pending,
    "procurement_within_amount": procurement_within_amount,
    "project_fields": project_fields,
    "procurement_rows": procurement_rows,
    "asset_parts": asset_parts,
    "project_funds_missing": project_funds_missing,
    "indicator_levels": indicator_levels_present,
    "quantitative_values": quantitative_values,
    "cost_vs_amount": cost_vs_amount,
    "identical_indicators": identical_indicators,
    "project_years": project_years,
    "overall_years": overall_years,
}
