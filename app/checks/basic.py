"""List check of the 基本支出测算 (rule in ``resources/rules/basic.json``).

* ``basic_estimate_difference`` (B01): once the dataset has 人员 or 车辆, each economic code the 测算 gives
  whose typed 基本支出表 figure differs from it by more than ``share`` of the 测算 (default: the standards'
  ``difference_threshold``). The clerk's 说明 says why (a 测算 is a guide, not the budget)."""

from __future__ import annotations

from decimal import Decimal

from app.base.errors import InputError
from app.base.money import format_amount
from app.basic.book import BasicInfoBook
from app.basic.estimate import BASIC_FORM, compute_estimate, percent_text
from app.basic.standards import load_standards
from app.checks.findings import CellPointer, Finding, ListCheck, Rule


def basic_estimate_difference(rule: Rule, dataset) -> list[Finding]:
    info = BasicInfoBook(dataset).content()
    if info.is_empty():
        return []
    try:
        standards = load_standards()
    except InputError:
        return []  # a broken standards file is reported where it is chosen (estimate, the 测算 tab)
    table = dataset.codes["economic"]
    estimate = compute_estimate(info, standards, unit_nature=dataset.unit.nature, money_unit=dataset.money_unit,
                                code_names={code: table.name(code) for code in table.items})
    limit = Decimal(str(rule.params["share"])) if "share" in rule.params else standards.difference_threshold
    findings = []
    for line in estimate.lines:
        estimated = estimate.amount(line.code)
        typed = dataset.value(BASIC_FORM, line.code, line.column) or Decimal(0)
        difference = abs(typed - estimated)
        if difference <= estimated * limit:
            continue
        findings.append(Finding(
            rule.id, rule.title, rule.severity,
            rule.message.format(code=line.code, name=line.name, typed=format_amount(typed),
                                estimated=format_amount(estimated), formula=line.formula,
                                difference=format_amount(difference), unit=dataset.money_unit,
                                limit=percent_text(limit)),
            [CellPointer(BASIC_FORM, line.code, line.column)], anchor=line.code))
    return findings


# The checks rule files name (``"check"``), gathered by app.checks.registry.
CHECKS: dict[str, ListCheck] = {
    "basic_estimate_difference": basic_estimate_difference,
}
