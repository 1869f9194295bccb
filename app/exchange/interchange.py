"""The interchange document ``budgetdesk.dataset`` v1 (docs/interchange.md): JSON out and in.

Import is all-or-nothing: the whole document is validated (schema, then every form, row, column
and amount against the form definitions and the year's code tables, then the projects with their
performance targets, the 部门整体绩效目标, 政府采购 and 固定资产) before one transaction writes it.
"""

from __future__ import annotations

import itertools
import json
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from app.base.errors import InputError, NotFoundError
from app.base.jsondoc import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_ITEMS, parse_document, read_document  # noqa: F401
from app.base.money import format_amount, parse_amount
from app.base.paths import resource
from app.base.progress import Progress, step
from app.base.textcheck import (
    INDICATOR_TEXTS,
    OVERALL_TEXTS,
    PROCUREMENT_TEXTS,
    PROJECT_CODES,
    PROJECT_TEXTS,
    UNIT_TEXTS,
    check_code,
    check_text,
    shown,
)
from app.domain.compute import Workbook
from app.domain.forms import all_forms, form_by_id, using_edition
from app.domain.records import UNIT_TEXT_FIELDS, UnitInfo
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
    ProjectBook,
    decimal_text,
    validate_assets,
    validate_overall,
    validate_procurement,
    validate_project,
)
from app.store.service import BudgetDataset, Store, check_year

if TYPE_CHECKING:  # jsonschema loads when a document is validated, not at start-up
    import jsonschema

FORMAT = "budgetdesk.dataset"
FORMAT_VERSION = 1
SCHEMA_FILE = "budgetdesk.dataset.v1.schema.json"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    with open(resource("schema", SCHEMA_FILE), encoding="utf-8") as handle:
        return jsonschema.Draft202012Validator(json.load(handle))


def _form_order() -> dict[str, int]:
    return {form.id: index for index, form in enumerate(all_forms())}


def export_document(dataset: BudgetDataset) -> dict:
    order = _form_order()
    column_order = {form.id: {key: i for i, key in enumerate(form.column_keys())} for form in all_forms()}
    values = sorted(
        dataset.entered_values().items(),
        key=lambda item: (order.get(item[0][0], 99), item[0][1] != "total", item[0][1],
                          column_order.get(item[0][0], {}).get(item[0][2], 99)),
    )
    rows_with_values = {(form, row) for (form, row, _col) in dataset.workbook.values}
    added_rows = sorted(
        ((form, row) for form, rows in dataset.workbook.present_rows.items() for row in rows
         if (form, row) not in rows_with_values),
        key=lambda item: (order.get(item[0], 99), item[1]),
    )
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "unit": dataset.unit.to_dict(),
        "year": dataset.year,
        "money_unit": dataset.money_unit,
        "status": dataset.status,
        "code_editions": {kind: table.edition for kind, table in dataset.codes.items()},
        "editions": _export_editions(dataset),
        "values": [
            {"form": form, "row": row, "column": column, "value": format_amount(value)}
            for (form, row, column), value in values
        ],
    }
    if added_rows:
        document["rows"] = [{"form": form, "row": row} for form, row in added_rows]
    content = ProjectBook(dataset).content()
    document.update(_export_book(content))
    document.update(_export_levels(content))
    document.update(_export_notes(dataset))
    document.update(_export_self_evaluation(dataset))
    return document


# ---- the local 一级/二级 indicator levels the dataset uses (the receiver may not have them) -------------
def _export_levels(content: BookContent) -> dict:
    from app.projects.levels import local_levels

    local = {item.code: item for item in local_levels()}
    indicators = [*(i for p in content.projects for i in p.indicators), *content.overall.indicators]
    used: dict[str, None] = {}
    for indicator in indicators:
        for code in (indicator.level1, indicator.level2):
            if code in local:
                parent = local[code].parent
                if parent in local:
                    used.setdefault(parent)
                used.setdefault(code)
    items = [local[code] for code in local if code in used]  # the framework's order: a 一级 before its 二级
    return {"indicator_levels": [[item.code, item.name, item.parent] for item in items]} if items else {}


def document_levels(document: dict) -> list:
    """The local levels a document carries, as LevelItem (shape checked; meaning checked on import)."""
    from app.projects.levels import LevelItem

    rows = document.get("indicator_levels", []) if isinstance(document, dict) else []
    if not isinstance(rows, list) or not all(
            isinstance(row, list) and len(row) == 3 and all(isinstance(part, str) or part is None for part in row)
            and isinstance(row[0], str) and isinstance(row[1], str) for row in rows):
        raise InputError("数据文件中的 indicator_levels（本地指标体系）应为 [编码, 名称, 上级编码或 null] 的列表，未导入。")
    if len(rows) > 1000:
        raise InputError("数据文件中的本地指标体系超过 1000 项，未导入。")
    from app.projects.levels import check_level_rows

    # the bureau's own items keep their names: a file may not rename them
    return check_level_rows(rows, renames=False) if rows else [LevelItem(*row) for row in rows]


# ---- 绩效自评 (项目绩效自评表, 部门整体支出绩效自评表): written only when it has content -------------------
def _export_editions(dataset: BudgetDataset) -> dict:
    """The editions the dataset was made with (app.store.editions); codes as the year uses them now."""
    order = ("forms", "rules", "indicators")
    editions = {key: dataset.editions[key] for key in order if key in dataset.editions}
    editions.update({key: value for key, value in sorted(dataset.editions.items()) if key not in (*order, "codes")})
    editions["codes"] = {kind: table.edition for kind, table in sorted(dataset.codes.items())}
    return editions


def _export_self_evaluation(dataset: BudgetDataset) -> dict:
    from app import selfeval

    content = selfeval.SelfEvaluationBook(dataset).content()
    return {} if content.is_empty() else {"self_evaluation": selfeval.content_to_json(content)}


def validate_self_evaluation(document: dict):
    """The document's 绩效自评 part, validated (raises InputError naming the place)."""
    from app import selfeval

    return selfeval.content_from_json(document.get("self_evaluation"))


# ---- projects, 部门整体绩效目标, 政府采购, 固定资产 --------------------------------------------------
# Each part is written only when it has content, so a document without them stays as it was.
# Amounts are decimal strings like the cell values; empty optional fields are left out.

_INDICATOR_KEYS = ("level1", "level2", "name", "description", "comparator", "value", "unit", "basis")
_INDICATOR_OPTIONAL_KEYS = ("period_value", "note")
_PROJECT_TEXT_KEYS = ("function_code", "attribute")
_PROJECT_TRAILING_TEXT_KEYS = ("competent_department", "implementing_unit", "manager", "period_goal", "annual_goal")


def _money_text(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


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


def _export_book(content: BookContent) -> dict:
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


# ---- 说明 of 提示 and the clerk's wording of 情况说明 sections ---------------------------------------
# The finance bureau reads the 说明 beside each 提示 and prints the 情况说明 as the clerk wrote it.

NARRATIVE_MAX_CHARS = 20000


def _export_notes(dataset: BudgetDataset) -> dict:
    from app.checks.rules import explanations
    from app.projects import narrative

    part: dict = {}
    notes = explanations(dataset)
    if notes:
        part["explanations"] = [{"finding": key, "text": text} for key, text in sorted(notes.items())]
    from app.domain import prior, profile

    texts = {key: text for key, text in profile.profile(dataset).items() if text}
    if texts:
        part["profile"] = texts
    from app.domain.quantities import prior_names

    order = {name: index for index, name in enumerate(prior_names())}  # a stable order, whatever the database's

    def ordered(values: dict) -> dict:
        return dict(sorted(values.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))

    typed = prior.typed_prior(dataset)
    if typed:
        part["prior"] = ordered({name: str(amount) for name, amount in typed.items()})
    own_reasons = {key.removeprefix(prior.REASON_PREFIX): text for key, text in dataset.notes(prior.REASON_PREFIX).items()}
    if own_reasons:
        part["reasons"] = ordered(own_reasons)
    edits = narrative.stored_edits(dataset)
    if edits:
        part["narrative"] = [{"section": key, "text": edits[key][0], "based_on": edits[key][1]}
                             for key in narrative.SECTION_KEYS if key in edits]
    return part


def _validate_notes(document: dict) -> tuple[dict[str, str], list[str]]:
    """The dataset notes the document's explanations and narrative edits become, and their problems."""
    from app.checks.rules import explanation_note
    from app.projects import narrative

    notes: dict[str, str] = {}
    errors: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(document.get("explanations", []), start=1):
        try:
            if item["finding"] in seen:
                raise InputError("同一条审核结果的说明出现了两次。")
            seen.add(item["finding"])
            key, text = explanation_note(item["finding"], item["text"])
            if text is None:
                raise InputError("说明是空的。")
            notes[key] = text
        except InputError as exc:
            errors.append(f"explanations 第 {index} 项（{item['finding']}）：{exc}")
    seen = set()
    for index, item in enumerate(document.get("narrative", []), start=1):
        try:
            if item["section"] in seen:
                raise InputError("同一部分出现了两次。")
            seen.add(item["section"])
            if not item["text"].strip():
                raise InputError("文字是空的。")
            if len(item["text"]) > NARRATIVE_MAX_CHARS or len(item.get("based_on", "")) > NARRATIVE_MAX_CHARS:
                raise InputError(f"文字超过 {NARRATIVE_MAX_CHARS} 字。")
            notes.update(narrative.edit_notes(item["section"], item["text"], item.get("based_on", "")))
        except (InputError, NotFoundError) as exc:
            errors.append(f"narrative 第 {index} 项（{item['section']}）：{exc}")
    _validate_profile_notes(document, notes, errors)
    return notes, errors


def _validate_profile_notes(document: dict, notes: dict[str, str], errors: list[str]) -> None:
    """Unit profile, typed 上年数 and reasons (app.domain.profile, app.domain.prior) as dataset notes."""
    from app.base.money import parse_amount
    from app.domain import prior, profile
    from app.domain.quantities import prior_names, quantities

    for key, text in document.get("profile", {}).items():
        if key not in profile.PROFILE_KEYS:
            errors.append(f"profile 中的“{key}”不是单位情况的一项（可用：{'、'.join(profile.PROFILE_KEYS)}）。")
        elif len(text) > profile.PROFILE_MAX_CHARS:
            errors.append(f"profile“{key}”超过 {profile.PROFILE_MAX_CHARS} 字。")
        elif key == "glossary" and text.strip():
            try:
                profile.parse_glossary(text)
            except InputError as exc:
                errors.append(f"profile“glossary”：{exc}")
            else:
                notes[profile.PROFILE_PREFIX + key] = text.strip()
        elif text.strip():
            notes[profile.PROFILE_PREFIX + key] = text.strip()
    for name, amount in document.get("prior", {}).items():
        if name not in prior_names():
            errors.append(f"prior 中的“{name}”没有上年数（可用：{'、'.join(prior_names())}）。")
            continue
        try:
            notes[prior.PRIOR_PREFIX + name] = str(parse_amount(amount))
        except InputError as exc:
            errors.append(f"prior“{name}”：{exc}")
    for name, text in document.get("reasons", {}).items():
        if name not in quantities():
            errors.append(f"reasons 中的“{name}”不是命名数量。")
        elif len(text) > prior.REASON_MAX_CHARS:
            errors.append(f"reasons“{name}”超过 {prior.REASON_MAX_CHARS} 字。")
        elif text.strip():
            notes[prior.REASON_PREFIX + name] = text.strip()


def _import_indicators(items: list[dict]) -> list[Indicator]:
    return [Indicator(**{key: item.get(key, "") for key in (*_INDICATOR_KEYS, *_INDICATOR_OPTIONAL_KEYS)})
            for item in items]


def _optional_code(value: str, label: str, limit: int) -> str:
    return check_code(value, label, limit) if value and value.strip() else ""


def _import_project(data: dict) -> Project:
    funding = data.get("funding", {})
    codes = {key: _optional_code(data.get(key, ""), label, limit) for key, (label, limit) in PROJECT_CODES.items()}
    return Project(
        name=data["name"], amount=data.get("amount"),
        **{key: funding.get(key) for key, _label in PROJECT_FUNDS},
        period_total=data.get("period_total"), executed_before=data.get("executed_before"),
        **{key: data.get(key, "") for key in (*_PROJECT_TEXT_KEYS, *_PROJECT_TRAILING_TEXT_KEYS)
           if key not in codes},
        **codes,
        period_start=data.get("period_start"), period_end=data.get("period_end"),
        indicators=_import_indicators(data.get("indicators", [])),
    )


def _validate_book(document: dict, codes: dict, money_unit: str) -> tuple[BookContent, list[str]]:
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
            content.procurement.append(validate_procurement(item))
        except InputError as exc:
            errors.append(f"{where}：{exc}")
    if "assets" in document:
        data = document["assets"]
        lines = {key: AssetLine(row.get("quantity"), row.get("value")) for key, row in data.get("rows", {}).items()}
        try:
            content.assets = validate_assets(AssetTable(data.get("as_of"), lines, data.get("planned_purchases")))
        except InputError as exc:
            errors.append(f"assets：{exc}")
    return content, errors


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _schema_problems(document: object) -> list[str]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return ["文件不是 BudgetDesk 数据交换文件（format 应为 budgetdesk.dataset）。"]
    version = document.get("format_version")
    if "format_version" not in document:
        return ["缺少 format_version（数据格式版本，应为整数 1）。"]
    if type(version) is not int:
        kind = {bool: "布尔值", str: "字符串", Decimal: "小数", type(None): "空值", list: "数组", dict: "对象"}.get(
            type(version), type(version).__name__)
        text = str(version) if isinstance(version, Decimal) else json.dumps(version, ensure_ascii=False)
        return [f"format_version 的类型不对：应为整数 {FORMAT_VERSION}，文件中是{kind} {shown(text, 20)}。"]
    if version != FORMAT_VERSION:
        return [f"不支持的数据格式版本 {version}，本软件支持版本 {FORMAT_VERSION}。"]
    problems = []
    errors = itertools.islice(_validator().iter_errors(document), 200)
    for error in sorted(errors, key=lambda e: [str(part) for part in e.absolute_path]):
        where = "/".join(str(part) for part in error.absolute_path) or "（文件根）"
        problems.append(f"{shown(where, 80)}：{_translate(error)}")
    return problems


_MONEY_PATTERNS = ("^-?\\d+(\\.\\d{1,2})?$", "^\\d+(\\.\\d{1,2})?$")


def _plain_json(value) -> str:
    """A JSON value as the file wrote it: a bare number in its digits (never ``Decimal('1E+308')``; the
    reader parses numbers as Decimal), a string in quotes."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (Decimal, int)):
        return str(value)
    return f"“{value}”" if isinstance(value, str) else type(value).__name__


def _translate(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return f"缺少必填项 {error.message.split(' ')[0]}"
    if error.validator == "pattern" and error.validator_value in _MONEY_PATTERNS:
        return f"金额“{shown(error.instance)}”格式不对，应为最多两位小数的数字字符串"
    if error.validator == "pattern" and error.validator_value.startswith("^\\d{4}-"):
        return f"日期“{shown(error.instance)}”格式不对，应为 2023-01-01 这样的字符串"
    if error.validator == "pattern":
        return f"“{shown(error.instance)}”格式不对"
    if error.validator == "type":
        if isinstance(error.instance, (dict, list)):
            return f"类型不对（是{'对象' if isinstance(error.instance, dict) else '数组'}）"
        return f"类型不对（{shown(_plain_json(error.instance))}）"
    if error.validator == "maxLength":
        return f"文字过长：最多 {error.validator_value} 个字，现有 {len(error.instance)} 个字"
    if error.validator == "minLength":
        return "不能为空"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"有无法识别的字段（{'、'.join(shown(key, 30) for key in extra[:10])}）"
    if error.validator in ("enum", "const"):
        return f"取值“{shown(error.instance)}”不在允许范围内"
    if error.validator in ("minimum", "maximum"):
        return f"数值 {shown(error.instance)} 超出允许范围"
    return f"不符合格式要求（{shown(error.message, 120)}）"


def _text_problems(document: dict) -> list[str]:
    """Every code, name and text of the document checked as the core checks what a clerk types: no
    invisible, control or direction characters, codes of letters and digits only, lengths bounded."""
    problems: list[str] = []

    def text(where: str, value: object, label: str, limit: int, multiline: bool = False) -> None:
        if isinstance(value, str):
            try:
                check_text(value, label, limit, multiline=multiline)
            except InputError as exc:
                problems.append(f"{where}：{exc}")

    def code(where: str, value: object, label: str, limit: int = 32, *, optional: bool = False) -> None:
        if isinstance(value, str) and not (optional and not value.strip()):
            try:
                check_code(value, label, limit)
            except InputError as exc:
                problems.append(f"{where}：{exc}")

    def fields(where: str, data: dict, table: dict[str, tuple[str, int, bool]]) -> None:
        for key, (label, limit, multiline) in table.items():
            text(where, data.get(key), label, limit, multiline)

    unit = document["unit"]
    code("unit", unit.get("code"), "单位编码")
    code("unit", unit.get("parent_code"), "上级单位编码", optional=True)
    fields("unit", unit, UNIT_TEXTS)
    for key, value in document.get("code_editions", {}).items():
        text("code_editions", value, f"{key} 科目表版本", 16)
    for index, item in enumerate(document.get("rows", []), start=1):
        code(f"rows 第 {index} 项", item.get("form"), "表样编号", 64)
        code(f"rows 第 {index} 项", item.get("row"), "行", 64)
    for index, item in enumerate(document["values"], start=1):
        for key, label in (("form", "表样编号"), ("row", "行"), ("column", "栏目")):
            code(f"values 第 {index} 项", item.get(key), label, 64)
    for index, project in enumerate(document.get("projects", []), start=1):
        where = f"projects 第 {index} 项（{shown(project.get('name', ''))}）"
        fields(where, project, PROJECT_TEXTS)
        for key, (label, limit) in PROJECT_CODES.items():
            code(where, project.get(key), label, limit, optional=True)
        for number, indicator in enumerate(project.get("indicators", []), start=1):
            fields(f"{where}第 {number} 条绩效指标", indicator, INDICATOR_TEXTS)
    if "overall_targets" in document:
        fields("overall_targets", document["overall_targets"], OVERALL_TEXTS)
        for number, indicator in enumerate(document["overall_targets"].get("indicators", []), start=1):
            fields(f"overall_targets 第 {number} 条绩效指标", indicator, INDICATOR_TEXTS)
    for index, item in enumerate(document.get("procurement", []), start=1):
        fields(f"procurement 第 {index} 项", item, PROCUREMENT_TEXTS)
    for index, item in enumerate(document.get("explanations", []), start=1):
        text(f"explanations 第 {index} 项", item.get("finding"), "审核结果编号", 500)
        # The lengths of 说明 and 情况说明 are checked with the notes (_validate_notes), as when typed.
        text(f"explanations 第 {index} 项", item.get("text"), "说明", sys.maxsize, True)
    for index, item in enumerate(document.get("narrative", []), start=1):
        text(f"narrative 第 {index} 项", item.get("section"), "情况说明部分", 32)
        text(f"narrative 第 {index} 项", item.get("text"), "情况说明文字", sys.maxsize, True)
        text(f"narrative 第 {index} 项", item.get("based_on"), "情况说明原文", sys.maxsize, True)
    return problems


def _refuse(problems: list[str], what: str = "处问题") -> None:
    more = f"\n……另有 {len(problems) - 20} 处问题。" if len(problems) > 20 else ""
    raise InputError(f"数据文件有 {len(problems)} {what}，未导入任何数据：\n" + "\n".join(problems[:20]) + more)


def validate_document(store: Store, document: dict) -> tuple[UnitInfo, int, Workbook, BookContent, dict[str, str]]:
    """Everything that can be wrong with a document, found before anything is written."""
    problems = _schema_problems(document)
    if problems:
        raise InputError("数据文件格式有误，未导入任何数据：\n" + "\n".join(problems[:20]))
    problems = _text_problems(document)
    if problems:
        _refuse(problems, "处文字问题")
    year = check_year(document["year"])
    unit_data = document["unit"]
    # Codes are kept in their normalised form (full-width ３５９ is the unit 359), as the core keeps them.
    parent_code = unit_data.get("parent_code")
    unit = UnitInfo(**{key: unit_data.get(key, "") for key in ("name", *UNIT_TEXT_FIELDS)},
                    code=check_code(unit_data["code"], "单位编码"),
                    parent_code=check_code(parent_code, "上级单位编码") if parent_code and parent_code.strip() else None)
    codes = store.code_tables(year)
    workbook = Workbook(codes)
    errors: list[str] = []
    for index, row in enumerate(document.get("rows", []), start=1):
        try:
            form, row_code = form_by_id(check_code(row["form"], "表样编号", 64)), check_code(row["row"], "行", 64)
            if form.code_kind is None or row_code not in codes[form.code_kind]:
                raise InputError(f"《{form.title}》不能增加行“{row_code}”。")
            workbook.present_rows.setdefault(form.id, set()).add(row_code)
        except (InputError, NotFoundError) as exc:
            errors.append(f"rows 第 {index} 项：{exc}")
    seen: set[tuple[str, str, str]] = set()
    keys = [(check_code(item["form"], "表样编号", 64), check_code(item["row"], "行", 64),
             check_code(item["column"], "栏目", 64)) for item in document["values"]]
    for index, (item, key) in enumerate(zip(document["values"], keys, strict=True), start=1):
        try:
            form_by_id(key[0]).column(key[2])
            if key in seen:
                raise InputError("同一单元格出现了两次。")
            seen.add(key)
            workbook.values[key] = parse_amount(item["value"])
        except (InputError, NotFoundError) as exc:
            errors.append(f"values 第 {index} 项（{' / '.join(key)}）：{exc}")
    if not errors:
        workbook.invalidate()
        for index, key in enumerate(keys, start=1):
            try:
                workbook.check_settable(*key)
            except (InputError, NotFoundError) as exc:
                errors.append(f"values 第 {index} 项（{' / '.join(key)}）：{exc}")
    book, book_errors = _validate_book(document, codes, document["money_unit"])
    errors.extend(book_errors)
    notes, note_errors = _validate_notes(document)
    errors.extend(note_errors)
    try:
        validate_self_evaluation(document)
    except InputError as exc:
        errors.append(f"self_evaluation：{exc}")
    if errors:
        _refuse(errors)
    return unit, year, workbook, book, notes


def import_document(store: Store, document: dict, *, replace: bool = False, source: str = "导入",
                    progress: Progress | None = None, backup: bool = True,
                    event: str = "数据导入", note: str = "") -> BudgetDataset:
    """Validate the whole document, then write it through the core in one transaction (all or nothing).
    ``note`` (where the data came from) is added to the import's first audit row.

    A document that says ``"status": "submitted"`` becomes 已上报 only when the same rule as
    ``status submitted`` passes on exactly its content; otherwise nothing is imported. A document of
    an older form edition is migrated (app.store.editions.prepare_document; one 已上报 keeps its edition),
    one of an unknown or newer edition refused. ``event``: the audit trail's name for the write."""
    from app.projects.levels import levels_in_use, load_local_levels, write_levels

    step(progress, 0, 3, "正在检查数据文件……")
    if not isinstance(document, dict) or not isinstance(document.get("values", []), list):
        validate_document(store, document)  # refuses with the schema's words
    carried = document_levels(document)
    if not carried:
        return _import_checked(store, document, replace=replace, source=source, progress=progress,
                               backup=backup, event=event, note=note)
    if backup:  # before the write transaction below opens
        from app.store.backup import backup_before

        backup_before(store, "replace" if replace else "import")
    try:
        with levels_in_use(carried), store.transaction():
            dataset = _import_checked(store, document, replace=replace, source=source, progress=progress,
                                      backup=False, event=event, note=note)
            # the levels the file's indicators use, stored where this database lacks them (audited)
            with store.write() as session:
                write_levels(store, session, [(item.code, item.name, item.parent) for item in carried],
                             renames=False, note="随数据文件带入")
    finally:
        load_local_levels(store)
    return store.open_dataset(dataset.unit.code, dataset.year)


def _import_checked(store: Store, document: dict, *, replace: bool, source: str, progress: Progress | None,
                    backup: bool, event: str, note: str) -> BudgetDataset:
    from app.store.editions import prepare_document

    prepared = prepare_document(document)
    with using_edition(prepared.edition):
        unit, year, workbook, book, notes = validate_document(store, prepared.document)
    document = prepared.document
    status = document.get("status", "draft")
    if status == "submitted" and prepared.checked is not None:
        step(progress, 1, 3, "正在审核“已上报”的数据……")
        blockers = _submission_blockers(prepared.checked)
        if blockers:
            lines = [f"{finding.rule} {finding.message}" + ("" if finding.severity == "error" else "（缺少说明）")
                     for finding in blockers[:20]]
            raise InputError(f"数据文件标记为“已上报”，但还有 {len(blockers)} 条审核问题未处理（错误，或提示缺少说明），"
                             "未导入任何数据：\n" + "\n".join(lines))
    step(progress, 2, 3, "正在写入数据库……")
    editions = {key: value for key, value in prepared.editions.items()  # what the file says it was made with
                if key in ("rules", "indicators") and isinstance(value, str)}
    store.import_dataset(unit, year, document["money_unit"], status, workbook, book, notes,
                         replace=replace, source=source, backup=backup,
                         self_evaluation=validate_self_evaluation(document),
                         editions={**editions, "forms": prepared.edition}, event=event, note=note)
    step(progress, 3, 3, "导入完成")
    return store.open_dataset(unit.code, year)


def _submission_blockers(document: dict) -> list:
    """审核 the document as it would be stored, in a scratch in-memory database (nothing else is touched)."""
    from app.checks.rules import submission_blockers

    scratch = Store.scratch()
    try:
        # the scratch database holds no other unit: a 所属单位's link to its 部门 is left out of the check
        unit = {key: value for key, value in document["unit"].items() if key != "parent_code"}
        import_document(scratch, {**document, "unit": unit, "status": "draft"}, backup=False)
        return submission_blockers(scratch.open_dataset(document["unit"]["code"], document["year"]))
    finally:
        scratch.close()


def import_file(store: Store, path: str | Path, *, replace: bool = False, source: str = "导入",
                progress: Progress | None = None) -> BudgetDataset:
    return import_document(store, read_document(path), replace=replace, source=source, progress=progress)
