"""Each printed form's own wording and number format, as data (``resources/print_styles.json``).

The published forms differ in small ways the clerk's data does not decide: seed 000's 批复表 prints
“附件1” above its title, short 二级 names (服务对象) and amounts as entered (242.5, 0); seed 002's 汇总表
groups thousands (8,777.20); seed 003's 部门整体支出绩效自评表 prints “附件2” and no 年度/单位 line.
A form's entry names only what differs from ``default``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from app.base.errors import InputError
from app.base.money import format_amount
from app.base.paths import resource
from app.projects import level_print_name

_KEYS = {"attachment": str, "level2_names": str, "grouping": bool, "decimals": str, "unit_line": bool,
         "rounding_remainder": str}
_CHOICES = {"level2_names": ("full", "short"), "decimals": ("fixed", "as_entered"),
            "rounding_remainder": ("keep_parts", "adjust_largest_part")}


@dataclass(frozen=True)
class FormStyle:
    form: str
    attachment: str = ""  # “附件1”: the line above the title, "" for none
    short_levels: bool = False  # 二级 by its short name (经济效益) instead of the full one (经济效益指标)
    grouping: bool = False  # 1,509.60
    as_entered: bool = False  # 242.5 and 0 rather than 242.50 and 0.00 (still rounded to 0.01: 80.653 → 80.65)
    unit_line: bool = True  # the 年度 / 单位 line above the table
    remainder: str = "keep_parts"  # 尾差: see app/printing/remainder.py

    def amount(self, value: Decimal | None) -> str:
        """An amount as this form prints it, rounded once to 0.01 (``format_amount``); blank for no value."""
        text = format_amount(value, grouping=self.grouping)
        if self.as_entered and "." in text:
            # As entered: no trailing zeros (242.5, 0), never more than the two decimals printed anywhere.
            text = text.rstrip("0").rstrip(".")
        return text

    def level2(self, code: str) -> str:
        return level_print_name(code, short=self.short_levels)


def _checked(form: str, entry: dict) -> dict:
    for key, value in entry.items():
        kind = _KEYS.get(key)
        if kind is None or not isinstance(value, kind) or value not in _CHOICES.get(key, (value,)):
            choices = " 或 ".join(_CHOICES.get(key, ()))
            raise InputError(f"resources/print_styles.json 的 {form or 'default'}.{key} 设为 {value!r}，不是可用的设置"
                             + (f"，应为 {choices}。" if choices else "。"))
    return entry


@cache
def _table() -> dict[str, dict]:
    data = json.loads(resource("print_styles.json").read_text(encoding="utf-8"))
    default = _checked("default", data["default"])
    return {form: {**default, **_checked(form, entry)} for form, entry in {"": {}, **data["forms"]}.items()}


def form_style(form: str) -> FormStyle:
    """The settings of ``form`` (a ``--forms`` id such as project_approval); the default for any other."""
    table = _table()
    entry = table.get(form, table[""])
    return FormStyle(form, attachment=entry["attachment"], short_levels=entry["level2_names"] == "short",
                     grouping=entry["grouping"], as_entered=entry["decimals"] == "as_entered",
                     unit_line=entry["unit_line"], remainder=entry["rounding_remainder"])


def styled_forms() -> list[str]:
    """The forms with settings of their own."""
    return [form for form in _table() if form]
