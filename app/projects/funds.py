"""A project's fund breakdown at entry: 本级财政 defaults to the amount for a unit funded only by
一般公共预算, and what is still missing or does not add up is said beside the fields.

Qt-free. Writes go through :class:`app.projects.ProjectBook` (the dataset's door, audited, one undo step).
The printed tables apply the same default to a project left without a breakdown
(``app.printing.targets.default_funds``); rule P17 keeps a 提示 while a breakdown is missing and rule
P05 (``project_fields``) reports a breakdown that does not add up.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from app.domain import quantities
from app.projects.code_lists import PROJECT_FUNDS
from app.projects.records import Project
from app.projects.validation import project_problems, validate_project

FUND_KEYS = tuple(key for key, _label in PROJECT_FUNDS)
# The default breakdown: the whole amount is 本级财政 (by level, seed 000) and 财政拨款 (by nature, seed 002),
# so both the 批复表 and the 汇总表 add up.
DEFAULT_FUND_KEYS = ("local_fiscal", "fiscal_appropriation")


def funded_by_general_budget_only(dataset) -> bool:
    """All of the unit's income is 一般公共预算拨款 (收入总表 as typed so far)."""
    total = quantities.value(dataset, "income_total")
    return total > 0 and quantities.value(dataset, "income_general_budget") == total


def has_breakdown(project: Project) -> bool:
    return any(getattr(project, key) is not None for key in FUND_KEYS)


def is_default_breakdown(project: Project) -> bool:
    """The breakdown is exactly the default for its current amount (the clerk has not changed it)."""
    if project.amount is None:
        return False
    return all(getattr(project, key) == (project.amount if key in DEFAULT_FUND_KEYS else None)
               for key in FUND_KEYS)


def amount_changes(dataset, project: Project, amount) -> dict[str, Decimal | None]:
    """The fields to write when the clerk enters ``amount`` (text or Decimal; blank clears it): the amount,
    and for a unit funded only by 一般公共预算 the default breakdown — when the project has none yet, or
    still has the default of its old amount (a breakdown the clerk typed is never touched).
    Raises InputError (Chinese) for a bad amount; nothing is written here."""
    checked = validate_project(replace(project, amount=amount), function_table=None, money_unit=dataset.money_unit)
    new_amount = checked.amount
    changes: dict[str, Decimal | None] = {"amount": new_amount}
    if (not has_breakdown(project) or is_default_breakdown(project)) and funded_by_general_budget_only(dataset):
        changes.update({key: new_amount for key in DEFAULT_FUND_KEYS})
    return changes


def set_amount(book, project_id: int, amount):
    """Enter a project's amount with its default breakdown, in one audited write (one undo step)."""
    project = book.get_project(project_id)
    return book.update_project_fields(project_id, **amount_changes(book.dataset, project, amount))


def fund_status(project: Project | None, money_unit: str) -> str:
    """What the editor says beside the fund rows: "" when the breakdown adds up (or there is no amount)."""
    if project is None or project.amount is None:
        return ""
    if not has_breakdown(project):
        return ("请填写资金来源：本级财政/上级资金，或财政拨款/财政专户拨款，及其他资金，合计应等于项目金额。"
                "（单位收入全部为一般公共预算拨款时，录入金额后自动填为本级财政。）")
    return "".join(problem for problem in project_problems(project, money_unit)
                   if problem.startswith(("资金来源", "其他资金")))


__all__ = ["DEFAULT_FUND_KEYS", "FUND_KEYS", "amount_changes", "fund_status", "funded_by_general_budget_only",
           "has_breakdown", "is_default_breakdown", "set_amount"]
