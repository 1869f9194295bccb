"""List checks of the 绩效自评 forms, of target wording and of targets against last year's results
(rules in resources/rules/selfeval.json).

Findings point at ``CellPointer("self_evaluation", <project name>, <field>)`` or
``CellPointer("department_self_evaluation", <line key or 一级/二级>, <field>)``; anchors are names, so a
说明 stays with its finding across edits. Thresholds and the vague-word list are rule parameters (data).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from sqlalchemy import select

from app import selfeval
from app.base.money import message_amount
from app.checks.findings import CellPointer, Finding, ListCheck, Rule
from app.checks.lists import book_data
from db import models

ZERO = Decimal("0.00")
PROJECT = selfeval.PROJECT_FORM
DEPARTMENT = selfeval.DEPARTMENT_FORM


def _content(dataset) -> selfeval.SelfEvaluationContent:
    """Read once per check run (the shared BookData of a run keeps it)."""
    data = book_data(dataset)
    cached = data.__dict__.get("_selfeval")
    if cached is None:
        cached = data.__dict__["_selfeval"] = selfeval.SelfEvaluationBook(dataset).content()
    return cached


def _finding(rule: Rule, anchor: str, cells: list[CellPointer], **fields) -> Finding:
    return Finding(rule.id, rule.title, rule.severity, rule.message.format(**fields), cells, anchor=anchor)


def _points(value: Decimal | None) -> str:
    return selfeval.points_text(value) or "空"


def _rate_lines(dataset):
    """(anchor, place, cell, budget, actual, rate, stated) for every 执行率 the two forms show."""
    content = _content(dataset)
    for item in content.projects:
        yield (item.project_name, f"项目“{item.project_name}”", CellPointer(PROJECT, item.project_name, "rate"),
               item.budget, item.actual_total, item.rate, item.stated_rate)
    for key, part, label in selfeval.SCALE_LINES:
        line = content.department.line(key)
        yield (key, f"整体支出规模{part}“{label}”", CellPointer(DEPARTMENT, f"{part} {label}", "rate"), line.budget,
               line.actual,
               line.rate, line.stated_rate)


def stated_rate(rule: Rule, dataset) -> list[Finding]:
    """A 执行率 written on a filled form must be 执行数 / 预算数 (rounded to the precision it is written in)."""
    findings = []
    for anchor, place, cell, budget, actual, rate, stated in _rate_lines(dataset):
        if stated and not selfeval.rate_agrees(stated, rate):
            findings.append(_finding(rule, anchor, [cell], place=place, stated=stated, actual=message_amount(actual),
                                     budget=message_amount(budget), rate=selfeval.format_rate(rate),
                                     unit=dataset.money_unit))
    return findings


def rate_range(rule: Rule, dataset) -> list[Finding]:
    """执行率 above ``high`` or below ``low`` percent: a 提示 that needs a 说明."""
    low, high = Decimal(str(rule.params.get("low", "90"))), Decimal(str(rule.params.get("high", "100")))
    findings = []
    for anchor, place, cell, budget, actual, rate, _stated in _rate_lines(dataset):
        if rate is None or low <= rate <= high:
            continue
        side = f"高于 {selfeval.points_text(high)}%" if rate > high else f"低于 {selfeval.points_text(low)}%"
        findings.append(_finding(rule, anchor, [cell], place=place, rate=selfeval.format_rate(rate), side=side,
                                 actual=message_amount(actual), budget=message_amount(budget), unit=dataset.money_unit))
    return findings


def actual_parts(rule: Rule, dataset) -> list[Finding]:
    """实际支出金额 合计 = 一般公共预算 + 政府性基金 + 非财政资金 (when any part is filled)."""
    findings = []
    for item in _content(dataset).projects:
        parts = item.parts_total
        if parts is None or item.actual_total is None or parts == item.actual_total:
            continue
        findings.append(_finding(rule, item.project_name, [CellPointer(PROJECT, item.project_name, "actual_total")],
                                 project=item.project_name, total=message_amount(item.actual_total),
                                 parts=message_amount(parts), unit=dataset.money_unit))
    return findings


def scale_balance(rule: Rule, dataset) -> list[Finding]:
    """资金来源 (财政拨款 + 其他资金) and 资金结构 (基本支出 + 项目支出) are the same money."""
    department = _content(dataset).department
    findings = []
    for column, label in (("budget", "全年预算数"), ("actual", "全年执行数")):
        sources = [getattr(department.line(key), column) for key in ("fiscal", "other")]
        structure = [getattr(department.line(key), column) for key in ("basic", "project")]
        if all(value is None for value in sources) or all(value is None for value in structure):
            continue
        by_source = sum((value or ZERO for value in sources), ZERO)
        by_structure = sum((value or ZERO for value in structure), ZERO)
        if by_source != by_structure:
            findings.append(_finding(rule, column, [CellPointer(DEPARTMENT, f"整体支出规模 {label}", column)],
                                     column=label, sources=message_amount(by_source),
                                     structure=message_amount(by_structure), unit=dataset.money_unit))
    return findings


def _items(dataset):
    for group in _content(dataset).department.groups:
        for item in group.items:
            yield group, item, f"{group.name}/{item.name}"


def score_within_weight(rule: Rule, dataset) -> list[Finding]:
    findings = []
    for _group, item, anchor in _items(dataset):
        if item.score is not None and item.weight is not None and item.score > item.weight:
            findings.append(_finding(rule, anchor, [CellPointer(DEPARTMENT, anchor, "score")], place=anchor,
                                     score=_points(item.score), weight=_points(item.weight)))
    for group in _content(dataset).department.groups:
        if group.score is not None and group.weight is not None and group.score > group.weight:
            findings.append(_finding(rule, group.name, [CellPointer(DEPARTMENT, group.name, "score")],
                                     place=group.name, score=_points(group.score), weight=_points(group.weight)))
    return findings


def weights_sum(rule: Rule, dataset) -> list[Finding]:
    """二级 weights add up to their 一级; the 一级 weights to ``total`` (100)."""
    department = _content(dataset).department
    if not department.groups:
        return []
    findings = []
    for group in department.groups:
        if group.items and group.item_weights != (group.weight or ZERO):
            findings.append(_finding(rule, group.name, [CellPointer(DEPARTMENT, group.name, "weight")],
                                     place=f"一级指标“{group.name}”下二级指标权重之和", found=_points(group.item_weights),
                                     expected=_points(group.weight)))
    total = Decimal(str(rule.params.get("total", "100")))
    if department.total_weight != total:
        findings.append(_finding(rule, "总分", [CellPointer(DEPARTMENT, "总分", "weight")], place="一级指标权重合计",
                                 found=_points(department.total_weight), expected=_points(total)))
    return findings


def deviation_needed(rule: Rule, dataset) -> list[Finding]:
    """A score below its weight says why (偏差及原因分析)."""
    return [_finding(rule, anchor, [CellPointer(DEPARTMENT, anchor, "deviation")], place=anchor,
                     score=_points(item.score), weight=_points(item.weight))
            for _group, item, anchor in _items(dataset)
            if item.score is not None and item.weight is not None and item.score < item.weight
            and not item.deviation]


# ---- 完成值 short of 指标值 ---------------------------------------------------------------------------
_VALUE = re.compile(r"^(?P<cmp>≥|≤|>|<|=|不低于|不少于|不高于|不超过)?(?P<num>\d+(?:\.\d+)?)(?P<unit>[^\d\s]{0,4})$")
_DATE_UNITS = ("年", "月", "日", "月底", "年底")
_UPPER = ("≤", "<", "不高于", "不超过")


def _value(text: str) -> tuple[str, Decimal, str] | None:
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).replace(">=", "≥").replace("<=", "≤")
    match = _VALUE.match(cleaned)
    if not match or match["unit"] in _DATE_UNITS:
        return None
    return match["cmp"] or "", Decimal(match["num"]), match["unit"]


def shortfall(target: str, actual: str) -> bool:
    """True when both are figures in the same unit and the result misses the target."""
    wanted, got = _value(target), _value(actual)
    if wanted is None or got is None or wanted[2] != got[2]:
        return False
    if wanted[0] in _UPPER:
        return got[1] > wanted[1]
    return got[1] < wanted[1]


_TRAILING = re.compile(r"(≥|≤|>|<|=|不低于|不少于|不高于|不超过)?\d+(?:\.\d+)?[^\d\s，。；,;]{0,4}$")


def _trailing_value(text: str) -> str:
    match = _TRAILING.search(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")))
    return match.group(0) if match else ""


def shortfall_without_reason(rule: Rule, dataset) -> list[Finding]:
    """A self-evaluated 完成值 short of its 指标值 with no 偏差原因 (the department's 偏差及原因分析, a
    project's 项目执行中的问题)."""
    findings = []
    for _group, item, anchor in _items(dataset):
        if not item.deviation and shortfall(item.target_value, item.actual_value):
            findings.append(_finding(rule, anchor, [CellPointer(DEPARTMENT, anchor, "deviation")], place=anchor,
                                     target=item.target_value, actual=item.actual_value, reason="偏差及原因分析"))
    for evaluation in _content(dataset).projects:
        if evaluation.problems and evaluation.problems not in ("无", "/"):
            continue
        for kind in selfeval.kinds():
            target = _trailing_value(evaluation.contents.get(kind.key, ""))
            actual = _trailing_value(evaluation.results.get(kind.key, ""))
            if target and actual and shortfall(target, actual):
                place = f"项目“{evaluation.project_name}”的{kind.title}"
                findings.append(_finding(rule, f"{evaluation.project_name}/{kind.key}",
                                         [CellPointer(PROJECT, evaluation.project_name, f"result:{kind.key}")],
                                         place=place, target=evaluation.contents[kind.key],
                                         actual=evaluation.results[kind.key], reason="项目执行中的问题"))
    return findings


# ---- vague target wording -----------------------------------------------------------------------
def vague_words(text: str, words: list[str]) -> list[str]:
    """The listed vague phrases in ``text`` when it gives no figure to measure them by (no baseline)."""
    if not text or re.search(r"\d", unicodedata.normalize("NFKC", text)):
        return []
    return [word for word in words if word in text]


def vague_targets(rule: Rule, dataset) -> list[Finding]:
    """Indicators of the project targets (and the 年度指标内容 of the self-evaluation) worded vaguely: one
    提示 per project (so one 说明), pointing at each indicator."""
    words = list(rule.params.get("words", []))
    shown = int(rule.params.get("names_shown", 3))
    findings = []

    def add(anchor: str, place: str, hits: list[tuple[CellPointer, str, list[str]]]) -> None:
        if not hits:
            return
        texts = "、".join(f"“{text}”" for _cell, text, _found in hits[:shown]) + ("等" if len(hits) > shown else "")
        found = sorted({word for _cell, _text, words_found in hits for word in words_found})
        findings.append(_finding(rule, anchor, [cell for cell, _text, _found in hits], place=place,
                                 count=len(hits), texts=texts, words="、".join(f"“{word}”" for word in found)))

    for project in book_data(dataset).projects:
        hits = []
        for indicator in project.indicators:
            text = f"{indicator.name}{indicator.display_value}"
            found = vague_words(text, words)
            if found:
                hits.append((CellPointer("projects", project.name, indicator.name), text, found))
        add(project.name, f"项目“{project.name}”", hits)
    for evaluation in _content(dataset).projects:
        hits = []
        for kind in selfeval.kinds():
            text = evaluation.contents.get(kind.key, "")
            found = vague_words(text, words)
            if found:
                hits.append((CellPointer(PROJECT, evaluation.project_name, f"content:{kind.key}"), text, found))
        add(f"自评/{evaluation.project_name}", f"项目绩效自评“{evaluation.project_name}”", hits)
    return findings


# ---- a target set below last year's result ----------------------------------------------------------
def _previous_content(dataset) -> selfeval.SelfEvaluationContent | None:
    """The self-evaluation stored for the same unit one year earlier, if that year is held."""
    with dataset.store.Session() as session:
        previous = session.scalar(
            select(models.Dataset.id).join(models.Unit, models.Dataset.unit_id == models.Unit.id)
            .where(models.Unit.code == dataset.unit_code, models.Dataset.year == dataset.year - 1))
        return None if previous is None else selfeval.read_content(session, previous)


def target_below_last_result(rule: Rule, dataset) -> list[Finding]:
    """A ≥/> target of this year below what the same project's same kind of indicator achieved last year
    (its self-evaluated 完成情况, when that is a figure in the same unit)."""
    previous = _previous_content(dataset)
    if previous is None or not previous.projects:
        return []
    last_year = {item.project_name: item for item in previous.projects}
    by_level2 = {kind.level2: kind for kind in selfeval.kinds()}
    findings = []
    for project in book_data(dataset).projects:
        evaluation = last_year.get(project.name)
        if evaluation is None:
            continue
        for indicator in project.indicators:
            kind = by_level2.get(indicator.level2)
            target = _value(indicator.display_value)
            if kind is None or target is None or target[0] not in ("≥", ">", "不低于", "不少于"):
                continue
            achieved = _value(_trailing_value(evaluation.results.get(kind.key, "")))
            if achieved is None or achieved[2] != target[2] or achieved[1] <= target[1]:
                continue
            findings.append(_finding(rule, f"{project.name}/{indicator.name}",
                                     [CellPointer("projects", project.name, indicator.name)],
                                     project=project.name, indicator=indicator.name,
                                     target=indicator.display_value, achieved=evaluation.results[kind.key],
                                     last=dataset.year - 1))
    return findings


# The checks rule files name (``"check"``), gathered by app.checks.registry.
CHECKS: dict[str, ListCheck] = {
    "selfeval_stated_rate": stated_rate,
    "selfeval_rate_range": rate_range,
    "selfeval_actual_parts": actual_parts,
    "selfeval_scale_balance": scale_balance,
    "selfeval_score_within_weight": score_within_weight,
    "selfeval_weights_sum": weights_sum,
    "selfeval_deviation_needed": deviation_needed,
    "selfeval_shortfall": shortfall_without_reason,
    "vague_targets": vague_targets,
    "target_below_last_result": target_below_last_result,
}
