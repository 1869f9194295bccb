from decimal import Decimal

import pytest

from app.domain import expr


def lookup_from(values):
    return lambda ref: values.get((ref.form, ref.row, ref.column))


def test_references_and_arithmetic():
    tree = expr.parse("a:total:total + :x:amount - b:1:c", default_form="me")
    refs = expr.references(tree)
    assert [(r.form, r.row, r.column) for r in refs] == [("a", "total", "total"), ("me", "x", "amount"), ("b", "1", "c")]
    values = {("a", "total", "total"): Decimal("10.50"), ("b", "1", "c"): Decimal("0.25")}
    assert expr.evaluate(tree, lookup_from(values)) == Decimal("10.25")


def test_all_blank_is_blank_and_parentheses_work():
    assert expr.evaluate(expr.parse("a:1:x + a:2:x"), lookup_from({})) is None
    tree = expr.parse("10 - (a:1:x - a:2:x)")
    assert expr.evaluate(tree, lookup_from({("a", "1", "x"): Decimal(3), ("a", "2", "x"): Decimal(1)})) == 8


@pytest.mark.parametrize("text", ["a:1", "a:1:x +", "__import__('os')", "(a:1:x", "a:1:x a:2:x", "a:1:x * 2"])
def test_malformed_expressions_are_refused(text):
    with pytest.raises(expr.ExpressionError):
        expr.parse(text)
