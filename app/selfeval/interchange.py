"""The ``self_evaluation`` member of an interchange document: plain JSON, amounts and points as strings."""

from __future__ import annotations

from decimal import Decimal

from app.base.errors import InputError
from app.base.money import exact_text
from app.selfeval.framework import kind_keys
from app.selfeval.rates import points_text
from app.selfeval.records import (
    PROJECT_MONEY_FIELDS,
    SCALE_LINES,
    DepartmentEvaluation,
    ProjectEvaluation,
    ScaleLine,
    ScoreGroup,
    ScoreItem,
    SelfEvaluationContent,
)
from app.selfeval.validation import validate_content


def _json_money(value: Decimal | None) -> str | None:
    return None if value is None else exact_text(value)


def content_to_json(content: SelfEvaluationContent) -> dict:
    """The ``self_evaluation`` member of an interchange document (amounts and points as strings)."""
    department = content.department
    return {
        "projects": [{
            "project_name": item.project_name, "unit_name": item.unit_name,
            **{name: _json_money(getattr(item, name)) for name in PROJECT_MONEY_FIELDS},
            "stated_rate": item.stated_rate, "initial_goal": item.initial_goal, "overall_result": item.overall_result,
            "indicators": {key: {"content": item.contents.get(key, ""), "result": item.results.get(key, "")}
                           for key in kind_keys() if item.contents.get(key) or item.results.get(key)},
            "problems": item.problems, "rectification": item.rectification,
        } for item in content.projects],
        "department": {
            "scale": {key: {"budget": _json_money(department.line(key).budget),
                            "actual": _json_money(department.line(key).actual),
                            "stated_rate": department.line(key).stated_rate}
                      for key, _part, _label in SCALE_LINES},
            "initial_goal": department.initial_goal, "result": department.result,
            "groups": [{"name": group.name, "weight": points_text(group.weight) or None, "items": [
                {"name": item.name, "weight": points_text(item.weight) or None, "level3": item.level3,
                 "target_value": item.target_value, "actual_value": item.actual_value,
                 "score": points_text(item.score) or None, "deviation": item.deviation}
                for item in group.items]} for group in department.groups],
        },
    }


def _str(data: dict, key: str, where: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}的“{key}”应为文字。")
    return value


def _amount_in(data: dict, key: str, where: str):
    value = data.get(key)
    if value is not None and not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InputError(f"{where}的“{key}”应写成字符串形式的金额（如 \"7.78\"）。")
    return value


def content_from_json(data: dict | None, money_unit: str) -> SelfEvaluationContent:
    """Parse and validate the ``self_evaluation`` member; raises InputError (Chinese) on anything wrong."""
    if data is None:
        return SelfEvaluationContent()
    if not isinstance(data, dict):
        raise InputError("数据文件中的绩效自评（self_evaluation）应为对象。")
    projects = []
    for number, item in enumerate(data.get("projects") or [], start=1):
        where = f"项目绩效自评第 {number} 行"
        if not isinstance(item, dict):
            raise InputError(f"{where}应为对象。")
        indicators = item.get("indicators") or {}
        if not isinstance(indicators, dict) or any(not isinstance(v, dict) for v in indicators.values()):
            raise InputError(f"{where}的指标（indicators）应为按指标类别的对象。")
        projects.append(ProjectEvaluation(
            project_name=_str(item, "project_name", where), unit_name=_str(item, "unit_name", where),
            **{name: _amount_in(item, name, where) for name in PROJECT_MONEY_FIELDS},
            stated_rate=_str(item, "stated_rate", where), initial_goal=_str(item, "initial_goal", where),
            overall_result=_str(item, "overall_result", where),
            contents={key: _str(value, "content", where) for key, value in indicators.items()},
            results={key: _str(value, "result", where) for key, value in indicators.items()},
            problems=_str(item, "problems", where), rectification=_str(item, "rectification", where)))
    department_data = data.get("department") or {}
    if not isinstance(department_data, dict):
        raise InputError("部门整体支出绩效自评（department）应为对象。")
    where = "部门整体支出绩效自评"
    scale = department_data.get("scale") or {}
    if not isinstance(scale, dict) or any(not isinstance(v, dict) for v in scale.values()):
        raise InputError(f"{where}的整体支出规模（scale）应为对象。")
    lines = {key: ScaleLine(_amount_in(value, "budget", where), _amount_in(value, "actual", where),
                            _str(value, "stated_rate", where)) for key, value in scale.items()}
    groups = []
    for group in department_data.get("groups") or []:
        if not isinstance(group, dict) or not isinstance(group.get("items", []), list):
            raise InputError(f"{where}的分解目标（groups）格式不对。")
        items = []
        for item in group.get("items") or []:
            if not isinstance(item, dict):
                raise InputError(f"{where}的二级指标应为对象。")
            items.append(ScoreItem(_str(item, "name", where), _amount_in(item, "weight", where),
                                   _str(item, "level3", where), _str(item, "target_value", where),
                                   _str(item, "actual_value", where), _amount_in(item, "score", where),
                                   _str(item, "deviation", where)))
        groups.append(ScoreGroup(_str(group, "name", where), _amount_in(group, "weight", where), items))
    department = DepartmentEvaluation(lines, _str(department_data, "initial_goal", where),
                                      _str(department_data, "result", where), groups)
    return validate_content(SelfEvaluationContent(projects, department), money_unit)
