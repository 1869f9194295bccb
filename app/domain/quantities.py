"""Named quantities: the figures the 情况说明 and the 上年数 comparisons read, defined with the forms.

``resources/forms/quantities.json`` maps a name (``basic``, ``three_public_reception`` …) to one cell
of a form (form id, row key, column key). The narrative reads figures only by these names, so a
form definition that renames or drops a row or column key is caught when the file is loaded (every
entry is checked against the form definitions), not printed as "未安排机关运行经费" a year later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from app.base.errors import BudgetDeskError, InputError
from app.domain.forms import FormDef, active_edition, definitions_dir, form_by_id


class QuantityDefinitionError(InputError):
    """The named-quantity file refers to a form, row or column that the form definitions lack."""


@dataclass(frozen=True)
class Quantity:
    name: str
    form: str
    row: str
    column: str
    title: str
    prior: bool  # one of the figures 上年数 is kept for (typed or from last year's dataset)


def _row_keys(form: FormDef) -> set[str]:
    if form.row_kind == "fixed":
        return {raw["key"] for raw in form.raw_rows if "key" in raw and "generate" not in raw}
    return {"total"}  # a code form's only named row is its 合计


def load_quantities(path: Path | None = None) -> dict[str, Quantity]:
    """Read and check the quantity definitions; raises QuantityDefinitionError naming every bad entry."""
    path = path or definitions_dir(active_edition()) / "quantities.json"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["quantities"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise QuantityDefinitionError(f"命名数量定义文件 {path} 无法读取：{exc}") from exc
    result: dict[str, Quantity] = {}
    problems: list[str] = []
    for name, entry in entries.items():
        try:
            form = form_by_id(entry["form"])
        except (KeyError, BudgetDeskError):
            problems.append(f"{name}：表样“{entry.get('form')}”不存在")
            continue
        if entry.get("column") not in form.column_keys():
            problems.append(f"{name}：《{form.title}》没有“{entry.get('column')}”栏")
        if entry.get("row") not in _row_keys(form):
            problems.append(f"{name}：《{form.title}》没有“{entry.get('row')}”行")
        result[name] = Quantity(name, form.id, entry.get("row", ""), entry.get("column", ""),
                                entry.get("title", name), bool(entry.get("prior", False)))
    if problems:
        raise QuantityDefinitionError("命名数量定义与表样定义不一致（表样改名或删除了行、栏？）：" + "；".join(problems) + "。")
    return result


@cache
def _edition_quantities(edition: str) -> dict[str, Quantity]:
    return load_quantities()


def quantities() -> dict[str, Quantity]:
    """The named quantities of the form definitions in use (``app.domain.forms.using_edition``)."""
    return _edition_quantities(active_edition())


def quantity_def(name: str) -> Quantity:
    try:
        return quantities()[name]
    except KeyError:
        raise QuantityDefinitionError(f"没有名为“{name}”的命名数量（见 resources/forms/quantities.json）。") from None


def prior_names() -> list[str]:
    """The quantities 上年数 is kept for, in file order (收支总计, 基本, 项目, 三公 …)."""
    return [name for name, item in quantities().items() if item.prior]


def value(dataset, name: str) -> Decimal:
    """A named figure of a dataset (an empty cell reads as 0)."""
    item = quantity_def(name)
    found = dataset.value(item.form, item.row, item.column)
    return found if found is not None else Decimal(0)


__all__ = ["Quantity", "QuantityDefinitionError", "load_quantities", "prior_names", "quantities", "quantity_def",
           "value"]
