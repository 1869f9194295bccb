"""上年数: last year's figures the narrative compares with, and the reasons for each change.

Where they come from, in this order:

1. the same unit's dataset of the year before, when the database holds it (typed, imported from a
   data file / workbook / package, or rolled over with ``app.exchange.year_cycle``) — read through the named
   quantities (``app.domain.quantities``), so any dataset made with the same form definitions serves;
2. 上年数 typed for this dataset (last year kept elsewhere): dataset notes ``prior:<quantity>``,
   exact decimals, for the quantities marked ``"prior": true`` (收支总计, 基本, 项目, each 三公 item).
   ``new_year`` also writes them, so a rolled-over year keeps its 上年数 if last year is deleted.

Each change's reason (``reason:<quantity>``, e.g. 基本支出 "主要为人员经费增加") is its own editable text;
without one, the 说明 given to the N03 提示 (change above the configured share) is used. All writes
go through ``BudgetDataset.set_note``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.base.errors import ConflictError, InputError, NotFoundError
from app.base.money import format_amount, parse_amount
from app.domain.quantities import prior_names, quantity_def, value

PRIOR_PREFIX = "prior:"
REASON_PREFIX = "reason:"
REASON_MAX_CHARS = 500
CHANGE_RULE = "N03"  # rule id whose 说明 serve as reasons (resources/rules/narrative.json)


@dataclass(frozen=True)
class PriorFigures:
    """Last year's figures as the narrative uses them."""

    year: int
    values: dict[str, Decimal]  # quantity name → amount (every prior quantity, or empty when unknown)
    source: str  # "dataset" (last year's data in this database), "typed" or "" (nothing known)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return bool(self.values)

    def get(self, name: str) -> Decimal:
        return self.values.get(name, Decimal(0))


def previous_dataset(dataset):
    """The same unit's dataset for the year before, if the database holds it."""
    try:
        return dataset.store.open_dataset(dataset.unit_code, dataset.year - 1)
    except NotFoundError:
        return None


def _check_name(name: str) -> None:
    if name not in prior_names():
        raise InputError(f"“{name}”没有上年数。可填写上年数的项目：{'、'.join(prior_names())}。")


def typed_prior(dataset) -> dict[str, Decimal]:
    """上年数 typed (or written by the year roll-over) for this dataset."""
    result = {}
    for key, text in dataset.notes(PRIOR_PREFIX).items():
        name = key.removeprefix(PRIOR_PREFIX)
        if name in prior_names():
            try:
                result[name] = Decimal(text)
            except InvalidOperation:
                continue
    return result


def set_prior(dataset, name: str, amount: str | Decimal | None) -> Decimal | None:
    """Type one 上年数 (None or "" clears it). Amounts are parsed exactly, as cells are."""
    _check_name(name)
    parsed = None if amount is None or (isinstance(amount, str) and not amount.strip()) else parse_amount(amount, dataset.money_unit)
    _require_editable(dataset)
    dataset.set_note(PRIOR_PREFIX + name, None if parsed is None else str(parsed))
    return parsed


def _require_editable(dataset) -> None:
    if getattr(dataset, "status", "") == "submitted":
        raise ConflictError(f"{dataset.year} 年度预算已上报，不能修改上年数或增减原因；如需修改请先撤回上报。")


def reasons(dataset) -> dict[str, str]:
    """Quantity name → reason text: the clerk's own, else the 说明 of the N03 提示."""
    found = {}
    for key, text in dataset.notes("explanation:" + CHANGE_RULE + ":").items():
        found[key.split(":", 2)[2]] = text
    for key, text in dataset.notes(REASON_PREFIX).items():
        found[key.removeprefix(REASON_PREFIX)] = text
    return {name: text.strip().rstrip("。；;，,") for name, text in found.items() if text.strip()}


def set_reason(dataset, name: str, text: str | None) -> None:
    """The reason printed after a change (基本支出增加121.48万元，<reason>)."""
    quantity_def(name)
    text = (text or "").strip()
    if len(text) > REASON_MAX_CHARS:
        raise InputError(f"增减变化原因不能超过 {REASON_MAX_CHARS} 字。")
    _require_editable(dataset)
    dataset.set_note(REASON_PREFIX + name, text or None)


def figures_of(dataset) -> dict[str, Decimal]:
    """This dataset's own values of the prior quantities (what becomes next year's 上年数)."""
    return {name: value(dataset, name) for name in prior_names()}


def prior_figures(dataset, previous=None, *, look_up: bool = True) -> PriorFigures:
    """Last year's figures for ``dataset``: ``previous`` (a dataset) if given, else the database's
    dataset of the year before (``look_up``), else the typed 上年数."""
    if previous is None and look_up:
        previous = previous_dataset(dataset)
    year = dataset.year - 1
    if previous is not None:
        return PriorFigures(year, figures_of(previous), "dataset", reasons(dataset))
    typed = typed_prior(dataset)
    if typed:
        return PriorFigures(year, {name: typed.get(name, Decimal(0)) for name in prior_names()}, "typed",
                            reasons(dataset))
    return PriorFigures(year, {}, "", reasons(dataset))


def change_text(current: Decimal, before: Decimal, money_unit: str) -> str:
    delta = current - before
    if delta > 0:
        return f"增加{format_amount(delta)}{money_unit}"
    if delta < 0:
        return f"减少{format_amount(-delta)}{money_unit}"
    return "持平"


def prior_cells(dataset, form_id: str, previous=None) -> dict[tuple[str, str], Decimal]:
    """Last year's value of every cell of one form, for the editors' 显示上年数: (row key, column key) →
    amount, matched by key (a row absent last year has no entry). From the year before's dataset when the
    database holds it, else the typed 上年数 of the named quantities that are cells of this form."""
    if previous is None:
        previous = previous_dataset(dataset)
    if previous is not None:
        try:
            values = previous.view(form_id).values
        except NotFoundError:
            return {}
        return {key: amount for key, amount in values.items() if amount is not None}
    typed = typed_prior(dataset)
    cells = {}
    for name, amount in typed.items():
        quantity = quantity_def(name)
        if quantity.form == form_id:
            cells[(quantity.row, quantity.column)] = amount
    return cells


def change_of(current: Decimal | None, before: Decimal | None) -> tuple[Decimal, Decimal | None] | None:
    """增减 of one amount: (current − before, share of before in percent rounded to 0.1, None when before is 0);
    None when last year has no value or this year's is not entered yet (a blank is no −100 %). Exact decimals
    throughout."""
    if before is None or current is None:
        return None
    delta = (current or Decimal(0)) - before
    if before == 0:
        return delta, None
    share = (delta * 100 / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)  # as a clerk rounds
    return delta, share


def change_label(current: Decimal | None, before: Decimal | None) -> str:
    """"+12.30（+5.2%）" as the editors show it beside an amount; "" without last year's value."""
    change = change_of(current, before)
    if change is None:
        return ""
    delta, share = change
    sign = "+" if delta > 0 else ("-" if delta < 0 else "")
    text = sign + format_amount(abs(delta), grouping=True)
    if share is not None and delta != 0:
        text += f"（{'+' if share > 0 else ''}{share}%）"
    elif delta != 0:
        text += "（新增）"
    return text


__all__ = ["PriorFigures", "change_label", "change_of", "change_text", "prior_cells", "figures_of", "previous_dataset", "prior_figures", "reasons",
           "set_prior", "set_reason", "typed_prior"]
