"""Validation: normalising what a clerk or a file gave (texts checked like every other text of a dataset,
amounts and points exact); ``InputError`` with a Chinese message, nothing written."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from app.base.errors import InputError
from app.base.money import parse_amount, parse_decimal
from app.base.textcheck import check_fields, check_text
from app.selfeval.framework import kind_keys
from app.selfeval.rates import parse_rate
from app.selfeval.records import (
    SCALE_LINES,
    DepartmentEvaluation,
    ProjectEvaluation,
    ScaleLine,
    ScoreGroup,
    ScoreItem,
    SelfEvaluationContent,
)


def _points(text: str | Decimal | int | None, what: str) -> Decimal | None:
    """A weight or score: exact decimal, at most two places, not negative."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return parse_decimal(text if not isinstance(text, str) else text.replace("分", ""), decimals=2)
    except InputError as exc:
        raise InputError(f"{what}“{text}”不是有效的分值：{exc}") from exc


def _money(text, what: str, money_unit: str) -> Decimal | None:
    if text is None or (isinstance(text, str) and text.strip() in ("", "/", "／")):
        return None
    try:
        return parse_amount(text, money_unit)
    except InputError as exc:
        raise InputError(f"{what}：{exc}") from exc


# (label, most characters, multi-line), checked like every other text of a dataset (app.base.textcheck): no
# invisible or control characters, lengths within the database columns.
LONG_TEXT = 5000
PROJECT_TEXTS: dict[str, tuple[str, int, bool]] = {
    "project_name": ("项目名称", 300, False),
    "unit_name": ("单位名称", 200, False),
    "stated_rate": ("预算支出执行率", 16, False),
    "initial_goal": ("年初绩效目标", LONG_TEXT, True),
    "overall_result": ("绩效目标整体完成情况", LONG_TEXT, True),
    "problems": ("项目执行中的问题", LONG_TEXT, True),
    "rectification": ("整改情况", LONG_TEXT, True),
}
DEPARTMENT_TEXTS: dict[str, tuple[str, int, bool]] = {
    "initial_goal": ("年初设定目标", 20000, True),
    "result": ("全年完成情况", 20000, True),
}
ITEM_TEXTS: dict[str, tuple[str, int, bool]] = {
    "name": ("二级指标", 100, False),
    "level3": ("三级指标", 1000, True),
    "target_value": ("年度指标值", 500, True),
    "actual_value": ("全年完成值", 500, True),
    "deviation": ("偏差及原因分析", 2000, True),
}


def clean_project(evaluation: ProjectEvaluation, money_unit: str) -> ProjectEvaluation:
    check_fields(evaluation, PROJECT_TEXTS)
    for key in (*evaluation.contents.values(), *evaluation.results.values()):
        check_text(key, "年度指标内容或完成情况", 2000, multiline=True)
    name = (evaluation.project_name or "").strip()
    if not name:
        raise InputError("项目绩效自评：项目名称不能为空。")
    if len(name) > 300:
        raise InputError(f"项目绩效自评：项目名称“{name[:20]}…”超过 300 字。")
    where = f"项目“{name}”的"
    unknown = (set(evaluation.contents) | set(evaluation.results)) - set(kind_keys())
    if unknown:
        raise InputError(f"项目绩效自评：{where}指标类别“{'、'.join(sorted(unknown))}”无效。")
    rate = (evaluation.stated_rate or "").strip()
    if rate and rate not in ("/", "／") and parse_rate(rate) is None:
        raise InputError(f"项目绩效自评：{where}预算支出执行率“{rate}”应写成百分数，例如 98.98%。")
    return replace(
        evaluation, project_name=name, unit_name=(evaluation.unit_name or "").strip(),
        budget=_money(evaluation.budget, f"{where}项目年度预算金额", money_unit),
        actual_total=_money(evaluation.actual_total, f"{where}实际支出金额合计", money_unit),
        actual_general=_money(evaluation.actual_general, f"{where}一般公共预算支出", money_unit),
        actual_fund=_money(evaluation.actual_fund, f"{where}政府性基金支出", money_unit),
        actual_nonfiscal=_money(evaluation.actual_nonfiscal, f"{where}非财政资金支出", money_unit),
        stated_rate=rate,
        contents={key: text.strip() for key, text in evaluation.contents.items() if text and text.strip()},
        results={key: text.strip() for key, text in evaluation.results.items() if text and text.strip()},
        initial_goal=(evaluation.initial_goal or "").strip(), overall_result=(evaluation.overall_result or "").strip(),
        problems=(evaluation.problems or "").strip(), rectification=(evaluation.rectification or "").strip())


def clean_department(department: DepartmentEvaluation, money_unit: str) -> DepartmentEvaluation:
    check_fields(department, DEPARTMENT_TEXTS)
    keys = {key for key, _part, _label in SCALE_LINES}
    unknown = set(department.lines) - keys
    if unknown:
        raise InputError(f"部门整体支出绩效自评：整体支出规模的栏目“{'、'.join(sorted(unknown))}”无效。")
    lines = {}
    for key, part, label in SCALE_LINES:
        line = department.line(key)
        rate = (line.stated_rate or "").strip()
        if rate and rate not in ("/", "／") and parse_rate(rate) is None:
            raise InputError(f"部门整体支出绩效自评：{label}的执行率“{rate}”应写成百分数，例如 105.37%。")
        lines[key] = ScaleLine(_money(line.budget, f"{part}{label}的全年预算数", money_unit),
                               _money(line.actual, f"{part}{label}的全年执行数", money_unit), rate)
    groups = []
    for group in department.groups:
        name = check_text((group.name or "").strip(), "一级指标", 100)
        if not name:
            raise InputError("部门整体支出绩效自评：一级指标名称不能为空。")
        items = []
        for item in group.items:
            check_fields(item, ITEM_TEXTS)
            item_name = (item.name or "").strip()
            if not item_name:
                raise InputError(f"部门整体支出绩效自评：一级指标“{name}”下有二级指标名称为空。")
            where = f"“{name} / {item_name}”的"
            items.append(ScoreItem(item_name, _points(item.weight, f"{where}权重"),
                                   (item.level3 or "").strip(), (item.target_value or "").strip(),
                                   (item.actual_value or "").strip(), _points(item.score, f"{where}自评得分"),
                                   (item.deviation or "").strip()))
        groups.append(ScoreGroup(name, _points(group.weight, f"一级指标“{name}”的权重"), items))
    return DepartmentEvaluation(lines, (department.initial_goal or "").strip(), (department.result or "").strip(),
                                groups)


def validate_content(content: SelfEvaluationContent, money_unit: str) -> SelfEvaluationContent:
    projects = [clean_project(item, money_unit) for item in content.projects]
    names = [item.project_name for item in projects]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(f"项目绩效自评表中项目“{'、'.join(duplicates)}”重复出现。")
    return SelfEvaluationContent(projects, clean_department(content.department, money_unit))
