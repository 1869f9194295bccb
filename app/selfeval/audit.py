"""Audit entries: every field of both forms in the form's words, and what differs between two contents."""

from __future__ import annotations

from decimal import Decimal

from app.base.money import exact_text
from app.selfeval.framework import kinds
from app.selfeval.rates import points_text
from app.selfeval.records import (
    DEPARTMENT_FORM,
    DEPARTMENT_TITLE,
    PROJECT_FORM,
    PROJECT_TITLE,
    SCALE_LINES,
    DepartmentEvaluation,
    ProjectEvaluation,
    SelfEvaluationContent,
)


def _amount(value: Decimal | None) -> str | None:
    # exact: the entries decide what changed, and 80.653 → 80.654 is a change even if both show 80.65
    return None if value is None else exact_text(value)


def _text(value: str) -> str | None:
    return value or None


def project_fields(evaluation: ProjectEvaluation) -> dict[str, str | None]:
    values = {
        "单位名称": _text(evaluation.unit_name), "项目年度预算金额": _amount(evaluation.budget),
        "实际支出金额合计": _amount(evaluation.actual_total), "一般公共预算": _amount(evaluation.actual_general),
        "政府性基金": _amount(evaluation.actual_fund), "非财政资金": _amount(evaluation.actual_nonfiscal),
        "填报执行率": _text(evaluation.stated_rate), "年初绩效目标": _text(evaluation.initial_goal),
        "绩效目标整体完成情况": _text(evaluation.overall_result),
    }
    for kind in kinds():
        values[f"{kind.title}年度指标内容"] = _text(evaluation.contents.get(kind.key, ""))
        values[f"{kind.title}完成情况"] = _text(evaluation.results.get(kind.key, ""))
    values["项目执行中的问题"] = _text(evaluation.problems)
    values["整改情况"] = _text(evaluation.rectification)
    return values


def department_fields(department: DepartmentEvaluation) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for key, part, label in SCALE_LINES:
        line = department.line(key)
        values[f"{part}{label} 全年预算数"] = _amount(line.budget)
        values[f"{part}{label} 全年执行数"] = _amount(line.actual)
        values[f"{part}{label} 填报执行率"] = _text(line.stated_rate)
    values["年初设定目标"] = _text(department.initial_goal)
    values["全年完成情况"] = _text(department.result)
    for group in department.groups:
        values[f"{group.name} 权重"] = points_text(group.weight) or None
        for item in group.items:
            where = f"{group.name} / {item.name}"
            values[f"{where} 权重"] = points_text(item.weight) or None
            for label, value in (("三级指标", item.level3), ("年度指标值", item.target_value),
                                 ("全年完成值", item.actual_value), ("自评得分", points_text(item.score)),
                                 ("偏差及原因分析", item.deviation)):
                values[f"{where} {label}"] = value or None
    return values


def content_entries(old: SelfEvaluationContent, new: SelfEvaluationContent) -> list[tuple[str, str, str, str | None,
                                                                                            str | None]]:
    """(form, row, column, old, new) for every field that differs."""
    entries: list[tuple[str, str, str, str | None, str | None]] = []
    before = {item.project_name: project_fields(item) for item in old.projects}
    after = {item.project_name: project_fields(item) for item in new.projects}
    for name in [*before, *(name for name in after if name not in before)]:
        if name not in after:
            entries.append((PROJECT_FORM, name, "", "存在", None))
            continue
        if name not in before:
            entries.append((PROJECT_FORM, name, "", None, "增加"))
        old_fields = before.get(name, {})
        for column, value in after[name].items():
            if old_fields.get(column) != value:
                entries.append((PROJECT_FORM, name, column, old_fields.get(column), value))
    if [item.project_name for item in old.projects if item.project_name in after] != [
            item.project_name for item in new.projects if item.project_name in before]:
        entries.append((PROJECT_FORM, "项目顺序", "", "、".join(before), "、".join(after)))
    old_fields, new_fields = department_fields(old.department), department_fields(new.department)
    found = False
    for column in [*old_fields, *(key for key in new_fields if key not in old_fields)]:
        if old_fields.get(column) != new_fields.get(column):
            found = True
            entries.append((DEPARTMENT_FORM, DEPARTMENT_TITLE, column, old_fields.get(column), new_fields.get(column)))
    if not found and _outline(old.department) != _outline(new.department):
        # rows added, removed or moved without a field of their own changing (an empty 二级 row, a twin name)
        entries.append((DEPARTMENT_FORM, DEPARTMENT_TITLE, "分解目标自评的指标", _outline(old.department),
                        _outline(new.department)))
    return entries


def _outline(department: DepartmentEvaluation) -> str:
    return "；".join(f"{group.name}：{'、'.join(item.name for item in group.items)}" for group in department.groups)


def describe_entry(form: str, row: str, column: str) -> str:
    title = PROJECT_TITLE if form == PROJECT_FORM else DEPARTMENT_TITLE
    if form == PROJECT_FORM:
        return f"{title} / {row}" + (f" / {column}" if column else "")
    return f"{title} / {column}"
