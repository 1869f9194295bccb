"""Reconciliation checks (审核): rules are data in ``resources/rules/*.json``, evaluated here.

A cell rule asserts ``expression OP expression`` (OP one of == <= >= < >) over cell references
(the ``app.domain.expr`` language); ``for_each`` repeats it over the rows of code-keyed forms, with
``{row}`` standing for the code. Blank cells count as zero; amounts are exact decimals, so there is
no tolerance. List rules (projects, indicators, procurement) name a built-in check and keep their
id, severity and message template in the same files.

A dependency index built once from the expressions says which rules read which (form, column);
after an edit only those rules run again.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from functools import cache

from app.base.errors import BudgetDeskError, InputError
from app.base.money import message_amount
from app.base.paths import resource
from app.base.textcheck import check_text
from app.checks.findings import SEVERITY_NAMES, CellPointer, Finding, Rule
from app.checks.lists import BookData, shared_reads
from app.checks.registry import LIST_CHECKS
from app.domain import expr
from app.domain.codes import default_shipped_table
from app.domain.compute import Workbook
from app.domain.forms import TOTAL_ROW, all_forms, form_by_id

_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "==": lambda a, b: a == b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
}


def _load_rule(data: dict) -> Rule:
    severity = data.get("severity")
    if severity not in SEVERITY_NAMES:
        raise InputError(f"审核规则 {data.get('id')} 的严重程度“{severity}”无效。")
    at_submission = data.get("at_submission", "")
    if at_submission and at_submission not in SEVERITY_NAMES:
        raise InputError(f"审核规则 {data.get('id')} 的上报时严重程度“{at_submission}”无效。")
    rule = Rule(id=data["id"], title=data["title"], severity=severity, message=data["message"],
                assertion=data.get("assert", ""), for_each=data.get("for_each", {}), check=data.get("check", ""),
                params=data.get("params", {}), at_submission=at_submission)
    if rule.assertion:
        placeholder = "__row__" if rule.for_each else None
        left, _op, right = rule.split(placeholder)
        for ref in expr.references(left) + expr.references(right):
            form_by_id(ref.form).column(ref.column)  # a typo in a rule file fails loudly at load
            rule.reads.add((ref.form, ref.column))
    else:
        # A list rule re-runs after a cell edit only in the columns it names; "reads": [] means never.
        for form_id, column in data.get("reads", [["*", "*"]]):
            if form_id != "*":
                form_by_id(form_id).column(column)
            rule.reads.add((form_id, column))
    return rule


@cache
def all_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for path in sorted(resource("rules").glob("*.json")):
        with open(path, encoding="utf-8") as handle:
            rules.extend(_load_rule(item) for item in json.load(handle, parse_float=Decimal)["rules"])
    ids = [rule.id for rule in rules]
    duplicates = {rule_id for rule_id in ids if ids.count(rule_id) > 1}
    if duplicates:
        raise InputError(f"审核规则编号重复：{'、'.join(sorted(duplicates))}。")
    return tuple(rules)


# ---- dependency index -----------------------------------------------------------------------
@cache
def _column_dependents() -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(form, column) → every (form, column) whose figures can change when it changes."""
    direct: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for form in all_forms():
        for column in form.columns:
            for part in column.sum_of:
                direct.setdefault((form.id, part), set()).add((form.id, column.key))
        if form.row_kind == "fixed":
            for row in form.fixed_rows(default_shipped_table("function")):
                for column_key, tree in row.cells.items():
                    for ref in expr.references(tree):
                        direct.setdefault((ref.form, ref.column), set()).add((form.id, column_key))
    closure: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for start in {key for form in all_forms() for key in ((form.id, c.key) for c in form.columns)}:
        seen = {start}
        stack = [start]
        while stack:
            for nxt in direct.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        closure[start] = seen
    return closure


@cache
def _rule_index() -> dict[tuple[str, str], tuple[Rule, ...]]:
    dependents = _column_dependents()
    index: dict[tuple[str, str], list[Rule]] = {}
    for rule in all_rules():
        for source, affected in dependents.items():
            if ("*", "*") in rule.reads or rule.reads & affected:
                index.setdefault(source, []).append(rule)
    return {key: tuple(value) for key, value in index.items()}


def rules_reading(form: str, column: str) -> tuple[Rule, ...]:
    return _rule_index().get((form, column), ())


# ---- evaluation ------------------------------------------------------------------------------
def _amount(value: Decimal | None) -> str:
    """Two decimals, or the exact figure when it has more: a difference below 0.01 must show in the message."""
    value = value if value is not None else Decimal(0)
    return message_amount(value)


def _for_each_rows(rule: Rule, workbook: Workbook) -> list[str]:
    spec = rule.for_each
    rows: set[str] = set()
    for form_id in spec.get("rows_of", []):
        form = form_by_id(form_id)
        codes = workbook.code_rows(form)
        if spec.get("leaf"):
            codes = [code for code in codes if workbook.is_leaf(form, code)]
        rows.update(codes)
    attribute = spec.get("attribute")
    if attribute:
        table = workbook.code_table(form_by_id(spec["rows_of"][0]))
        rows = {code for code in rows if code in table.items and table.items[code].attribute == attribute}
    return sorted(rows)


def _evaluate_cell_rule(rule: Rule, workbook: Workbook) -> list[Finding]:
    def lookup(ref: expr.CellRef) -> Decimal | None:
        return workbook.value(ref.form, ref.row, ref.column)

    def run(row: str | None) -> Finding | None:
        left_tree, op, right_tree = rule.split(row)
        left = expr.evaluate(left_tree, lookup) or Decimal(0)
        right = expr.evaluate(right_tree, lookup) or Decimal(0)
        if _COMPARE[op](left, right):
            return None
        name = ""
        if row is not None:
            form = form_by_id(rule.for_each["rows_of"][0])
            table = workbook.codes_for(form)
            name = table.items[row].name if table and row in table.items else ""
        message = rule.message.format(left=_amount(left), right=_amount(right), difference=_amount(abs(left - right)),
                                      row=row or "", row_name=name)
        cells = [CellPointer(ref.form, ref.row, ref.column)
                 for ref in expr.references(left_tree) + expr.references(right_tree)]
        return Finding(rule.id, rule.title, rule.severity, message, cells, anchor=row or "")

    if not rule.for_each:
        found = run(None)
        return [found] if found else []
    findings = [found for row in _for_each_rows(rule, workbook) if (found := run(row))]
    # Report a discrepancy where it starts: a 类/款 fails only because a 项 below it fails.
    failing = {finding.anchor for finding in findings}
    return [finding for finding in findings
            if not any(other != finding.anchor and other.startswith(finding.anchor) for other in failing)
            or finding.anchor == TOTAL_ROW]


def evaluate_rule(rule: Rule, dataset) -> list[Finding]:
    if rule.assertion:
        return _evaluate_cell_rule(rule, dataset.workbook)
    check = LIST_CHECKS.get(rule.check)
    if check is None:
        raise BudgetDeskError(f"审核规则 {rule.id} 引用了未知的检查“{rule.check}”。")
    return check(rule, dataset)


class Checker:
    """Findings of one dataset, kept current: ``run_all`` on open/import, ``after_edit`` per cell."""

    def __init__(self, dataset, rules: Iterable[Rule] | None = None) -> None:
        self.dataset = dataset
        self.rules = tuple(rules) if rules is not None else all_rules()
        self.by_rule: dict[str, list[Finding]] = {}
        # What the list rules last read of the projects, 政府采购 and 固定资产. Those lists change only
        # through after_list_change (which reads them afresh), so a cell edit that re-runs a list rule
        # (P01 reads 项目支出) reuses them instead of querying the projects again.
        self._book_data: BookData | None = None

    def _fresh_book_data(self) -> BookData:
        self._book_data = BookData(self.dataset)
        return self._book_data

    def run_all(self) -> list[Finding]:
        with shared_reads(self.dataset, self._fresh_book_data()):
            self.by_rule = {rule.id: evaluate_rule(rule, self.dataset) for rule in self.rules}
        return self.findings()

    def after_edit(self, cells: Iterable[tuple[str, str, str]]) -> set[str]:
        """Re-evaluate the rules that read the changed cells; returns the ids of rules re-run."""
        wanted = {rule.id for form, _row, column in cells for rule in rules_reading(form, column)}
        with shared_reads(self.dataset, self._book_data or self._fresh_book_data()):
            for rule in self.rules:
                if rule.id in wanted:
                    self.by_rule[rule.id] = evaluate_rule(rule, self.dataset)
        return wanted

    def after_list_change(self) -> None:
        """Re-run the list rules after a project, 整体绩效目标, 政府采购 or 固定资产 change."""
        with shared_reads(self.dataset, self._fresh_book_data()):
            for rule in self.rules:
                if not rule.assertion:
                    self.by_rule[rule.id] = evaluate_rule(rule, self.dataset)

    def findings(self) -> list[Finding]:
        notes = explanations(self.dataset)
        ordered = []
        for rule in self.rules:
            for finding in self.by_rule.get(rule.id, []):
                finding.explanation = notes.get(finding.key, "")
                ordered.append(finding)
        ordered.sort(key=lambda finding: finding.severity != "error")
        return ordered

    def counts(self) -> tuple[int, int]:
        findings = self.findings()
        errors = sum(1 for finding in findings if finding.severity == "error")
        return errors, len(findings) - errors


def check_dataset(dataset) -> list[Finding]:
    return Checker(dataset).run_all()


# ---- explanations (说明) for 提示 -----------------------------------------------------------------
EXPLANATION_PREFIX = "explanation:"


def explanations(dataset) -> dict[str, str]:
    return {key.removeprefix(EXPLANATION_PREFIX): text for key, text in dataset.notes(EXPLANATION_PREFIX).items()}


EXPLANATION_MAX_CHARS = 2000


def explanation_note(finding_key: str, text: str) -> tuple[str, str | None]:
    """The dataset note (key, text) that holds a 说明; text None deletes it."""
    text = check_text(text, "说明", sys.maxsize, multiline=True).strip()
    if len(text) > EXPLANATION_MAX_CHARS:
        raise InputError(f"说明不能超过 {EXPLANATION_MAX_CHARS} 字。")
    if not re.fullmatch(r"[A-Z]+\d+(:.+)?", finding_key, flags=re.DOTALL):
        raise InputError(f"“{finding_key}”不是审核结果的编号（应为 规则编号 或 规则编号:位置，如 T09、P13:项目名称）。")
    return EXPLANATION_PREFIX + finding_key, text or None


def set_explanation(dataset, finding_key: str, text: str) -> None:
    dataset.set_note(*explanation_note(finding_key, text))


def submission_findings(dataset) -> list[Finding]:
    """The 审核 as 上报 sees it: a rule stricter at 上报 (``"at_submission": "error"`` in its file, P02: a
    project without an amount) reports 错误 there, whatever 说明 it was given while drafting."""
    severity = {rule.id: rule.at_submission for rule in all_rules() if rule.at_submission}
    findings = [replace(finding, severity=severity.get(finding.rule) or finding.severity)
                for finding in check_dataset(dataset)]
    findings.sort(key=lambda finding: finding.severity != "error")
    return findings


def submission_blockers(dataset) -> list[Finding]:
    """What stops a dataset from being marked 已上报: every 错误 (at 上报), and every 提示 without a 说明."""
    return [finding for finding in submission_findings(dataset)
            if finding.severity == "error" or not finding.explanation]


def blocker_lines(blockers: Iterable[Finding]) -> list[str]:
    """One line per blocker for a refusal: its severity at 上报, rule and message (and what a 提示 lacks)."""
    return [f"[{SEVERITY_NAMES[f.severity]}] {f.rule} {f.message}" + ("" if f.severity == "error" else "（缺少说明）")
            for f in blockers]



# Finding, CellPointer, Rule and SEVERITY_NAMES live in app.checks.findings; callers of the engine may
# take them from here with it.
__all__ = [
    "EXPLANATION_MAX_CHARS", "EXPLANATION_PREFIX", "SEVERITY_NAMES", "CellPointer", "Checker", "Finding", "Rule",
    "all_rules", "blocker_lines", "check_dataset", "evaluate_rule", "explanation_note", "explanations",
    "rules_reading", "set_explanation", "submission_blockers", "submission_findings",
]
