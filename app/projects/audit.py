"""Audit rows for the project part: a change's before and after states, field by field, in the form's words.

A project change names the project in ``row`` and the field in ``column`` (项目名称, 预算金额, 绩效指标 …),
so the history reads like the printed 项目支出绩效目标表.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

from app.base.money import format_amount
from app.projects.code_lists import ASSET_LABELS, PROJECT_ATTRIBUTES
from app.projects.levels import level_name
from app.projects.records import AssetTable, Indicator, OverallTargets, ProcurementItem, Project

PROJECT_FIELD_NAMES = {
    "name": "项目名称", "code": "项目编码", "amount": "本年度预算安排数", "fiscal_appropriation": "财政拨款",
    "fiscal_special_account": "财政专户拨款", "local_fiscal": "本级财政", "higher_level": "上级资金",
    "other_funds": "其他资金", "period_total": "实施期资金总额", "executed_before": "以前年度累计执行数",
    "function_code": "功能分类科目", "attribute": "项目属性", "period_start": "实施周期（开始）",
    "period_end": "实施周期（结束）", "competent_department": "主管部门", "implementing_unit": "实施单位",
    "manager": "项目负责人", "period_goal": "实施期总目标", "annual_goal": "年度绩效目标", "indicators": "绩效指标",
}
PROCUREMENT_FIELD_NAMES = {
    "item_name": "采购物品名称", "catalogue_code": "政府采购目录", "measure_unit": "计量单位", "quantity": "数量",
    "unit_price": "单价", "general_budget": "一般公共预算拨款", "government_fund": "政府性基金预算拨款",
    "state_capital": "国有资本经营预算拨款", "special_account": "财政专户核拨", "unit_funds": "单位资金",
    "fiscal_carryover": "财政拨款结转", "nonfiscal_carryover": "非财政拨款结转结余", "sme_reserved": "预留中小微企业份额",
    "project_id": "项目",
}

Entry = tuple[str, str, str | None, str | None]  # (row, column, old, new)


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return format_amount(value) if value.as_tuple().exponent == -2 else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def indicator_text(indicator: Indicator) -> str:
    value = f"{indicator.comparator}{indicator.value}{indicator.unit}".strip()
    return f"{level_name(indicator.level2)}·{indicator.name}{('：' + value) if value else ''}"


def indicators_text(indicators: list[Indicator]) -> str | None:
    return "；".join(indicator_text(item) for item in indicators) or None


def _field_diff(row: str, old: Project | ProcurementItem, new: Project | ProcurementItem,
                names: dict[str, str]) -> list[Entry]:
    entries: list[Entry] = []
    for item in fields(old):
        key = item.name
        if key not in names:
            continue
        before, after = getattr(old, key), getattr(new, key)
        if before == after:
            continue
        if key == "indicators":
            entries.append((row, names[key], indicators_text(before), indicators_text(after)))
        elif key == "attribute":
            entries.append((row, names[key], PROJECT_ATTRIBUTES.get(before) or None, PROJECT_ATTRIBUTES.get(after) or None))
        else:
            entries.append((row, names[key], _text(before), _text(after)))
    return entries


def project_entries(old: Project | None, new: Project | None) -> list[Entry]:
    if old is None:
        if new is None:
            return []
        return [(f"项目“{new.name}”", "", None, f"新增（{len(new.indicators)} 个绩效指标）")]
    if new is None:
        return [(f"项目“{old.name}”", "", f"{_text(old.amount) or '金额未填'}，{len(old.indicators)} 个绩效指标", None)]
    return _field_diff(f"项目“{new.name}”", old, new, PROJECT_FIELD_NAMES)


def procurement_entries(old: ProcurementItem | None, new: ProcurementItem | None) -> list[Entry]:
    if old is None:
        if new is None:
            return []
        return [(f"政府采购“{new.item_name}”", "", None, f"新增（{_text(new.total) or '金额未填'}）")]
    if new is None:
        return [(f"政府采购“{old.item_name}”", "", _text(old.total) or "金额未填", None)]
    return _field_diff(f"政府采购“{new.item_name}”", old, new, PROCUREMENT_FIELD_NAMES)


def overall_entries(old: OverallTargets, new: OverallTargets) -> list[Entry]:
    entries: list[Entry] = []
    if old.goal != new.goal:
        entries.append(("部门整体绩效目标", "整体目标", old.goal or None, new.goal or None))
    if old.indicators != new.indicators:
        entries.append(("部门整体绩效目标", "绩效指标", indicators_text(old.indicators), indicators_text(new.indicators)))
    return entries


def assets_entries(old: AssetTable, new: AssetTable) -> list[Entry]:
    entries: list[Entry] = []
    if old.as_of != new.as_of:
        entries.append(("固定资产占用情况表", "截止时间", _text(old.as_of), _text(new.as_of)))
    if old.planned_purchases != new.planned_purchases:
        entries.append(("固定资产占用情况表", "本年度拟购置", _text(old.planned_purchases), _text(new.planned_purchases)))
    for key, label in ASSET_LABELS.items():
        before, after = old.lines.get(key), new.lines.get(key)
        for part, name in (("quantity", "数量"), ("value", "价值")):
            old_value = getattr(before, part) if before else None
            new_value = getattr(after, part) if after else None
            if old_value != new_value:
                entries.append((label, name, _text(old_value), _text(new_value)))
    return entries


def project_entries_for_import(old: list[Project], new: list[Project]) -> list[Entry]:
    """Projects matched by name between the replaced dataset and the imported one."""
    before = {project.name: project for project in old}
    after = {project.name: project for project in new}
    entries: list[Entry] = []
    for name in [*before, *(name for name in after if name not in before)]:
        old_project, new_project = before.get(name), after.get(name)
        if old_project is not None and new_project is not None:
            # ids differ between the two datasets; compare what the clerk sees
            new_project = replace(new_project, id=old_project.id)
        if old_project != new_project:
            entries += project_entries(old_project, new_project)
    return entries
