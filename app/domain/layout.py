"""How a form is laid out on screen and on paper: shared by the editor and the printer.

Two-sided forms (收支总表, 财政拨款收支总表) print income on the left and expenditure on the right.
Body rows pair up line by line; the footer rows (合计, 结转, 总计) pair from the top, except that
each side's last footer row (收入总计 / 支出总计) always shares the very last line.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.compute import RowInfo
from app.domain.forms import ColumnDef, FormDef


@dataclass(frozen=True)
class TwoSidedLine:
    number: int
    income: RowInfo | None
    expenditure: RowInfo | None


def two_sided_lines(rows: list[RowInfo]) -> list[TwoSidedLine]:
    def split(side: str) -> tuple[list[RowInfo], list[RowInfo]]:
        mine = [row for row in rows if row.side == side]
        return [row for row in mine if row.band != "footer"], [row for row in mine if row.band == "footer"]

    income_body, income_footer = split("income")
    expenditure_body, expenditure_footer = split("expenditure")
    body = max(len(income_body), len(expenditure_body))
    footer = max(len(income_footer), len(expenditure_footer))

    def padded_footer(items: list[RowInfo]) -> list[RowInfo | None]:
        if not items:
            return [None] * footer
        head, last = items[:-1], items[-1]
        return head + [None] * (footer - len(items)) + [last]

    lines = []
    left = income_body + [None] * (body - len(income_body)) + padded_footer(income_footer)
    right = expenditure_body + [None] * (body - len(expenditure_body)) + padded_footer(expenditure_footer)
    for number, (income, expenditure) in enumerate(zip(left, right, strict=True), start=1):
        lines.append(TwoSidedLine(number, income, expenditure))
    return lines


def header_levels(form: FormDef) -> int:
    """How many header rows the amount columns need (group titles above leaf titles)."""
    return 1 + max((len(column.group) for column in form.columns), default=0)


def column_title_path(column: ColumnDef, levels: int) -> list[str | None]:
    """Titles from top to bottom; None below a title means that title's cell spans down."""
    path: list[str | None] = [*column.group, column.title]
    return path + [None] * (levels - len(path))
