"""A generated large department: 300 功能分类 rows and every 经济分类 款, for benchmarks."""

from __future__ import annotations

from decimal import Decimal

from app.codes import default_shipped_table
from app.domain import UnitInfo
from app.service import CellChange, Store


def build_large_department(store: Store, code: str = "900", year: int = 2023) -> None:
    store.create_unit(UnitInfo(code=code, name="大型测试部门"))
    store.create_dataset(code, year)
    dataset = store.open_dataset(code, year)
    function = default_shipped_table("function", year)
    economic = default_shipped_table("economic", year)
    leaves = [c for c in function.items if not function.children.get(c)][:300]
    changes = []
    for index, leaf in enumerate(leaves):
        amount = Decimal(index % 97 + 1) + Decimal("0.25")
        for form in ("income_summary",):
            changes.append(CellChange(form, leaf, "fiscal_appropriation", amount * 2))
        for form in ("expenditure_summary", "general_budget_expenditure"):
            changes.append(CellChange(form, leaf, "basic", amount))
            changes.append(CellChange(form, leaf, "project", amount))
    # Every 经济分类 款 gets 1.50 and the last one the rest of the 基本支出, so the tables reconcile
    # and a full check runs every rule to its end instead of stopping at a mismatch.
    basic_total = sum(Decimal(index % 97 + 1) + Decimal("0.25") for index in range(len(leaves)))
    items = [item for item in economic.items.values() if len(item.code) == 5]
    for number, item in enumerate(items, start=1):
        column = "public" if item.attribute == "public" else "personnel"
        amount = basic_total - Decimal("1.50") * (len(items) - 1) if number == len(items) else Decimal("1.50")
        changes.append(CellChange("general_budget_basic_expenditure", item.code, column, amount))
    changes.append(CellChange("three_public_expenses", "reception", "general_budget", Decimal("1.50")))
    changes.append(CellChange("three_public_expenses", "vehicle_operation", "general_budget", Decimal("1.50")))
    dataset.apply_changes(changes)
    return leaves
