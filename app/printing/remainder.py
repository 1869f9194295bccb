"""尾差: the figures a printed form shows, each rounded to 0.01 of the money unit (四舍五入).

Totals are computed on exact values; rounding happens once, here, for print. Where the rounded parts do not add
up to the rounded total, the rule is data (``resources/printing.json``, ``rounding_remainder``, per form with a
default): ``keep_parts`` prints every figure as its exact value rounded (the total is the exact total's
rounding); ``adjust_largest_part`` moves the largest part of each sum down a column by the difference, top
down, so the printed parts add up to the printed total. Sums across a row (合计 = 基本支出 + 项目支出) are not
adjusted: a part can belong to one sum down and one across, and only one of them can be made to add up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import cache

from app.base.errors import InputError
from app.base.money import round_amount
from app.base.paths import resource
from app.domain.compute import FormView

KEEP_PARTS = "keep_parts"
ADJUST_LARGEST_PART = "adjust_largest_part"
RULES = (KEEP_PARTS, ADJUST_LARGEST_PART)

PartsOf = Callable[[str, str, str], list[str]]  # (form, row, column) -> the rows that cell is the sum of


@cache
def _settings() -> dict:
    data = json.loads(resource("printing.json").read_text(encoding="utf-8"))["rounding_remainder"]
    for where, rule in [("default", data["default"]), *data["forms"].items()]:
        if rule not in RULES:
            raise InputError(f"resources/printing.json 的 rounding_remainder（{where}）“{rule}”不对，应为 "
                             f"{' 或 '.join(RULES)}。")
    return data


def remainder_rule(form_id: str) -> str:
    settings = _settings()
    return settings["forms"].get(form_id, settings["default"])


def printed_amounts(view: FormView, parts_of: PartsOf | None, rule: str) -> dict[tuple[str, str], Decimal]:
    """Every figure of ``view`` as the form prints it (rounded half up), with the 尾差 ``rule`` applied."""
    shown = {key: round_amount(value) for key, value in view.values.items() if value is not None}
    if rule == KEEP_PARTS or parts_of is None:
        return shown
    form_id = view.form.id
    columns = {column for _row, column in view.values}
    for column in columns:
        parts = {row.key: parts_of(form_id, row.key, column) for row in view.rows}
        inner = {part for members in parts.values() for part in members}
        done: set[str] = set()

        def settle(row: str, column: str = column, parts: dict[str, list[str]] = parts, done: set[str] = done) -> None:
            if row in done:
                return
            done.add(row)
            members = [part for part in parts.get(row, []) if (part, column) in shown]
            total = shown.get((row, column))
            if members and total is not None:
                difference = total - sum((shown[(part, column)] for part in members), Decimal(0))
                if difference:
                    largest = max(members, key=lambda part: abs(view.values[(part, column)] or Decimal(0)))
                    shown[(largest, column)] += difference
            for part in members:
                settle(part)

        for row in view.rows:  # from the sums nothing else contains, down to the entered figures
            if row.key not in inner:
                settle(row.key)
    return shown
