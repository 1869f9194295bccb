"""A small, safe arithmetic language over cell references (never Python ``eval``).

Grammar::

    expr  := term (("+" | "-") term)*
    term  := NUMBER | REF | "(" expr ")" | "-" term
    REF   := [form] ":" row ":" column        e.g.  general_budget_expenditure:total:total
                                              or    :opening_general_budget:amount  (same form)

Blank cells are ``None``. A sum of blanks is blank; a blank beside a number counts as zero, as on
the printed forms where an empty cell means nothing was budgeted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from app.base.errors import BudgetDeskError

_TOKEN_RE = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<ref>[A-Za-z0-9_]*:[A-Za-z0-9_]+:[A-Za-z0-9_]+)|(?P<op>[-+()]))"
)


class ExpressionError(BudgetDeskError):
    pass


@dataclass(frozen=True)
class CellRef:
    form: str
    row: str
    column: str


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class BinaryOp:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Negate:
    operand: object


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if not match or match.end() == position or match.lastgroup is None:
            raise ExpressionError(f"表达式“{text}”在第 {position + 1} 个字符处无法识别。")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def parse(text: str, *, default_form: str = "") -> object:
    tokens = _tokenize(text)
    index = 0

    def peek() -> tuple[str, str] | None:
        return tokens[index] if index < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal index
        if index >= len(tokens):
            raise ExpressionError(f"表达式“{text}”不完整。")
        token = tokens[index]
        index += 1
        return token

    def parse_expr() -> object:
        node = parse_term()
        while (token := peek()) and token[0] == "op" and token[1] in "+-":
            take()
            node = BinaryOp(token[1], node, parse_term())
        return node

    def parse_term() -> object:
        kind, value = take()
        if kind == "number":
            return Number(Decimal(value))
        if kind == "ref":
            form, row, column = value.split(":")
            return CellRef(form or default_form, row, column)
        if value == "(":
            node = parse_expr()
            if take() != ("op", ")"):
                raise ExpressionError(f"表达式“{text}”括号不匹配。")
            return node
        if value == "-":
            return Negate(parse_term())
        raise ExpressionError(f"表达式“{text}”中“{value}”的位置不对。")

    tree = parse_expr()
    if index != len(tokens):
        raise ExpressionError(f"表达式“{text}”末尾有多余内容。")
    return tree


def references(tree: object) -> list[CellRef]:
    found: list[CellRef] = []

    def walk(node: object) -> None:
        if isinstance(node, CellRef):
            found.append(node)
        elif isinstance(node, BinaryOp):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, Negate):
            walk(node.operand)

    walk(tree)
    return found


def evaluate(tree: object, lookup: Callable[[CellRef], Decimal | None]) -> Decimal | None:
    if isinstance(tree, Number):
        return tree.value
    if isinstance(tree, CellRef):
        return lookup(tree)
    if isinstance(tree, Negate):
        operand = evaluate(tree.operand, lookup)
        return None if operand is None else -operand
    if isinstance(tree, BinaryOp):
        left = evaluate(tree.left, lookup)
        right = evaluate(tree.right, lookup)
        if left is None and right is None:
            return None
        left = left or Decimal(0)
        right = right or Decimal(0)
        return left + right if tree.op == "+" else left - right
    raise ExpressionError(f"未知的表达式节点 {tree!r}")
