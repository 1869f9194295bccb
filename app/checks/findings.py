"""What the 审核 is made of: a rule as loaded from ``resources/rules/*.json``, a finding it produces and
the cell a finding points at. The bottom of the checks wing: the rule engine (``rules``) and every list
check module (``lists``, ``narrative``, ``selfeval``) build on it, and it imports none of them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from app.domain import expr

SEVERITY_NAMES = {"error": "错误", "warning": "提示"}
_ASSERT_RE = re.compile(r"^(?P<left>.+?)\s*(?P<op>==|<=|>=|<|>)\s*(?P<right>.+)$")


@dataclass(frozen=True)
class CellPointer:
    form: str
    row: str
    column: str

    def to_dict(self) -> dict:
        return {"form": self.form, "row": self.row, "column": self.column}


@dataclass
class Finding:
    rule: str
    title: str
    severity: str
    message: str
    cells: list[CellPointer]
    anchor: str = ""  # what the finding is about (a row code, a project …): part of its identity
    explanation: str = ""

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.anchor}" if self.anchor else self.rule

    def to_dict(self) -> dict:
        return {"rule": self.rule, "key": self.key, "severity": self.severity, "message": self.message,
                "cells": [cell.to_dict() for cell in self.cells], "explanation": self.explanation or None}


@dataclass
class Rule:
    id: str
    title: str
    severity: str
    message: str
    assertion: str = ""
    for_each: dict = field(default_factory=dict)
    check: str = ""  # name of a built-in list check
    params: dict = field(default_factory=dict)
    reads: set[tuple[str, str]] = field(default_factory=set)  # (form, column) the rule reads; ("*", "*") = everything
    # The severity 上报 gives it, when stricter than while drafting (P02: a project without an amount may
    # wait while the budget is drafted, but nothing unreconciled may be handed in); "" = same as severity.
    at_submission: str = ""

    def split(self, row: str | None = None) -> tuple[object, str, object]:
        text = self.assertion.replace("{row}", row) if row is not None else self.assertion
        return _parse_assertion(text)


@cache
def _parse_assertion(text: str) -> tuple[object, str, object]:
    match = _ASSERT_RE.match(text.strip())
    if not match:
        raise expr.ExpressionError(f"审核规则表达式“{text}”缺少比较符（== <= >= < >）。")
    return expr.parse(match["left"]), match["op"], expr.parse(match["right"])


# A built-in list check: (its rule, the open dataset) → findings. Each check module lists its own in a
# ``CHECKS`` mapping (name as rule files give it → function); ``app.checks.registry`` gathers them.
ListCheck = Callable[[Rule, object], list[Finding]]
