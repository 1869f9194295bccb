"""The project part of the interchange document, both ways: projects with their performance
targets, 部门整体绩效目标, 政府采购 and 固定资产, written from a ``BookContent`` and validated back into
one like the API validates each edit.

Each part is written only when it has content, so a document without them stays as it was.
Amounts are decimal strings like the cell values; empty optional fields are left out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.base.errors import InputError
from app.base.money import exact_text
from app.base.textcheck import PROJECT_CODES, check_code
from app.projects import (
    ASSET_ROWS,
    PROCUREMENT_FUNDS,
    PROJECT_FUNDS,
    AssetLine,
    AssetTable,
    BookContent,
    Indicator,
    OverallTargets,
    ProcurementItem,
    Project,
    decimal_text,
    validate_assets,
    validate_overall,
    validate_procurement,
    validate_project,
)

_INDICATOR_KEYS = ("level1", "level2", "name", "description", "comparator", "value", "unit", "basis")
_INDICATOR_OPTIONAL_KEYS = ("period_value", "note")
_PROJECT_TEXT_KEYS = ("function_code", "attribute")
_PROJECT_TRAILING_TEXT_KEYS = ("competent_department", "implementing_unit", "manager", "period_goal", "annual_goal")


def _money_text(value: Decimal | None) -> str | None:
    return None if value is None else exact_text(value)


def _export_indicator(indicator: Indicator) -> dict:
    data = {key: getattr(indicator, key) for key in _INDICATOR_KEYS}
    data.update({key: getattr(indicator, key) for key in _INDICATOR_OPTIONAL_KEYS if getattr(indicator, key)})
    return data


def _export_project(project: Project) -> dict:
    data: dict = {"name": project.name}
    if project.code:
        data["code"] = project.code
    if project.amount is not None:
        data["amount"] = _money_text(project.amount)
    funding = {key: _money_text(getattr(project, key)) for key, _label in PROJECT_FUNDS if getattr(project, key) is not None}
    if funding:
        data["funding"] = funding
    for key in ("period_total", "executed_before"):
        if getattr(project, key) is not None:
            data[key] = _money_text(getattr(project, key))
    data.update({key: getattr(project, key) for key in _PROJECT_TEXT_KEYS if getattr(project, key)})
    for key in ("period_start", "period_end"):
        if getattr(project, key) is not None:
            data[key] = getattr(project, key).isoformat()
    data.update({key: getattr(project, key) for key in _PROJECT_TRAILING_TEXT_KEYS if getattr(project, key)})
    data["indicators"] = [_export_indicator(indicator) for indicator in project.indicators]
    return data


def _export_procurement(item: ProcurementItem, projects: list[Project]) -> dict:
    if item.project_id is None:  # a stored row always names its project (BookContent: by its index)
        raise InputError(f"政府采购“{item.item_name}”没有项目来源，无法导出。")
    data: dict = {"project": projects[item.project_id].name, "item_name": item.item_name,
                  "catalogue_code": item.catalogue_code}
    if item.measure_unit:
        data["measure_unit"] = item.measure_unit
    if item.quantity is not None:
        data["quantity"] = decimal_text(item.quantity)
    if item.unit_price is not None:
        data["unit_price"] = _money_text(item.unit_price)
    data["funding"] = {key: _money_text(getattr(item, key)) for key, _label in PROCUREMENT_FUNDS
                       if getattr(item, key) is not None}
    if item.sme_reserved is not None:
        data["sme_reserved"] = _money_text(item.sme_reserved)
    return data


def _export_assets(table: AssetTable) -> dict:
    data: dict = {}
    if table.as_of is not None:
        data["as_of"] = table.as_of.isoformat()
    rows = {}
    for key, _label, _whole in ASSET_ROWS:
        line = table.line(key)
        row = {}
        if line.quantity is not None:
            row["quantity"] = decimal_text(line.quantity)
        if line.value is not None:
            row["value"] = _money_text(line.value)
        if row:
            rows[key] = row
    data["rows"] = rows
    if table.planned_purchases is not None:
        data["planned_purchases"] = _money_text(table.planned_purchases)
    return data


def export_book(content: BookContent) -> dict:
    part: dict = {}
    if content.projects:
        part["projects"] = [_export_project(project) for project in content.projects]
    if not content.overall.is_empty():
        part["overall_targets"] = {"goal": content.overall.goal,
                                   "indicators": [_export_indicator(ind) for ind in content.overall.indicators]}
    if content.procurement:
        part["procurement"] = [_export_procurement(item, content.projects) for item in content.procurement]
    if not content.assets.is_empty():
        part["assets"] = _export_assets(content.assets)
    return part


# ---- back from a document ------------------------------------------------------------------------

def _import_indicators(items: list[dict]) -> list[Indicator]:
    return [Indicator(**{key: item.get(key, "") for key in (*_INDICATOR_KEYS, *_INDICATOR_OPTIONAL_KEYS)})
            for item in items]


def _optional_code(value: str, label: str, limit: int) -> str:
    return check_code(value, label, limit) if value and value.strip() else ""


def _import_project(data: dict) -> Project:
    funding = data.get("funding", {})
    codes = {key: _optional_code(data.get(key, ""), label, limit) for key, (label, limit) in PROJECT_CODES.items()}
    # The document's text as it stands: validate_project parses the amounts and dates.
    fields: dict[str, Any] = {
        "name": data["name"], "amount": data.get("amount"),
        **{key: funding.get(key) for key, _label in PROJECT_FUNDS},
        "period_total": data.get("period_total"), "executed_before": data.get("executed_before"),
        **{key: data.get(key, "") for key in (*_PROJECT_TEXT_KEYS, *_PROJECT_TRAILING_TEXT_KEYS) if key not in codes},
        **codes,
        "period_start": data.get("period_start"), "period_end": data.get("period_end"),
        "indicators": _import_indicators(data.get("indicators", [])),
    }
    return Project(**fields)


def validate_book(document: dict, codes: dict, money_unit: str) -> tuple[BookContent, list[str]]:
    """The projects and their tables, validated like the API validates each edit."""
    errors: list[str] = []
    content = BookContent()
    # Names and codes are taken as written, so a duplicate is reported even beside a refused project;
    # procurement rows refer to a project by its place in the document (all of it is written, or none).
    position: dict[str, int] = {}
    project_codes: dict[str, str] = {}
    for index, data in enumerate(document.get("projects", []), start=1):
        name, code = data.get("name", "").strip(), _optional_code(data.get("code", ""), "项目编码", 64)
        try:
            if name in position:
                raise InputError(f"项目名称与第 {position[name] + 1} 项重复。")
            if code and code in project_codes:
                raise InputError(f"项目编码“{code}”已被项目“{project_codes[code]}”使用。")
            content.projects.append(validate_project(_import_project(data), function_table=codes.get("function"),
                                                     money_unit=money_unit))
        except InputError as exc:
            errors.append(f"projects 第 {index} 项（{name}）：{exc}")
        position.setdefault(name, index - 1)
        if code:
            project_codes.setdefault(code, name)
    if "overall_targets" in document:
        data = document["overall_targets"]
        try:
            content.overall = validate_overall(OverallTargets(data.get("goal", ""),
                                                              _import_indicators(data.get("indicators", []))))
        except InputError as exc:
            errors.append(f"overall_targets：{exc}")
    for index, data in enumerate(document.get("procurement", []), start=1):
        where = f"procurement 第 {index} 项（{data.get('item_name', '')}）"
        funding = data.get("funding", {})
        try:
            if data["project"].strip() not in position:
                raise InputError(f"项目来源“{data['project']}”不在 projects 中。")
            item = ProcurementItem(
                project_id=position[data["project"].strip()], item_name=data["item_name"],
                catalogue_code=data["catalogue_code"], measure_unit=data.get("measure_unit", ""),
                quantity=data.get("quantity"), unit_price=data.get("unit_price"),
                **{key: funding.get(key) for key, _label in PROCUREMENT_FUNDS}, sme_reserved=data.get("sme_reserved"),
            )
            content.procurement.append(validate_procurement(item, money_unit))
        except InputError as exc:
            errors.append(f"{where}：{exc}")
    if "assets" in document:
        data = document["assets"]
        lines = {key: AssetLine(row.get("quantity"), row.get("value")) for key, row in data.get("rows", {}).items()}
        try:
            content.assets = validate_assets(AssetTable(data.get("as_of"), lines, data.get("planned_purchases")),
                                             money_unit)
        except InputError as exc:
            errors.append(f"assets：{exc}")
    return content, errors
