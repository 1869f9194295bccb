"""List checks of the 情况说明 and 上年数 (rules in ``resources/rules/narrative.json``).

* ``narrative_placeholders`` (N01): a section that still prints a placeholder "（请……填写……）" — the
  部门职责 or 工作保障措施 not yet written in the unit profile, 上年数 unknown, or a clerk's edit that
  kept one.
* ``prior_change`` (N03): a named quantity with 上年数 that moved by more than ``share`` (default 30%),
  once it has a figure (a blank of a new year waits);
  the 说明 given to the finding is the reason the narrative prints after that change.
"""

from __future__ import annotations

from decimal import Decimal

from app.base.money import format_amount
from app.checks.findings import CellPointer, Finding, ListCheck, Rule
from app.domain.prior import change_text, prior_figures
from app.domain.profile import PLACEHOLDER
from app.domain.quantities import prior_names, quantity_def, value
from app.projects import narrative


def narrative_placeholders(rule: Rule, dataset) -> list[Finding]:
    findings = []
    for section in narrative.sections(dataset):
        match = PLACEHOLDER.search(section.text)
        if match:
            title = section.title or "开头"
            findings.append(Finding(rule.id, rule.title, rule.severity,
                                    rule.message.format(section=title, placeholder=match.group(0)), [],
                                    anchor=section.key))
    return findings


def prior_change(rule: Rule, dataset) -> list[Finding]:
    limit = Decimal(str(rule.params.get("share", "0.30")))
    prior = prior_figures(dataset)
    if not prior.known:
        return []
    findings = []
    for name in prior_names():
        item = quantity_def(name)
        if dataset.value(item.form, item.row, item.column) is None:
            continue  # not entered yet: a new year's blank cells are not changes to explain
        now, before = value(dataset, name), prior.get(name)
        if now == before:
            continue
        if before != 0:
            share = abs(now - before) / abs(before)
            if share <= limit:
                continue
            percent = f"{'增长' if now > before else '下降'}{format((share * 100).quantize(Decimal('0.1')), 'f')}%"
        else:
            percent = "上年为 0"
        findings.append(Finding(
            rule.id, rule.title, rule.severity,
            rule.message.format(title=item.title, year=dataset.year, prior_year=dataset.year - 1,
                                now=format_amount(now), before=format_amount(before), unit=dataset.money_unit,
                                change="比上年" + change_text(now, before, dataset.money_unit), percent=percent,
                                limit=f"{format((limit * 100).normalize(), 'f')}%"),
            [CellPointer(item.form, item.row, item.column)], anchor=name))
    return findings


def section_of(check: str, anchor: str) -> str | None:
    """The 情况说明 section a finding of these checks is about (its 说明 or its missing text is there):
    N01's anchor is the section; N03's reason is printed in 三公 for the 三公 figures, else in 比上年增减情况."""
    if check == "narrative_placeholders":
        return anchor if anchor in narrative.SECTION_KEYS else None
    if check == "prior_change":
        return "three_public" if anchor.startswith("three_public") else "change"
    return None


# The checks rule files name (``"check"``), gathered by app.checks.registry.
CHECKS: dict[str, ListCheck] = {
    "narrative_placeholders": narrative_placeholders,
    "prior_change": prior_change,
}
