"""The shape of the interchange document ``budgetdesk.dataset`` v1 (docs/interchange.md): its format
name and version, the JSON schema's findings in Chinese, and every code, name and text checked as
the core checks what a clerk types. Meaning (forms, codes, amounts) is checked by the importer.
"""

from __future__ import annotations

import itertools
import json
import sys
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from app.base.errors import InputError
from app.base.paths import resource
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
from app.exchange.schema_compiled import accepts

if TYPE_CHECKING:  # jsonschema loads when a document is validated, not at start-up
    import jsonschema

FORMAT = "budgetdesk.dataset"
FORMAT_VERSION = 1
SCHEMA_FILE = "budgetdesk.dataset.v1.schema.json"


@cache
def schema_validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # deferred: jsonschema and its referencing stack load on the first validation

    with open(resource("schema", SCHEMA_FILE), encoding="utf-8") as handle:
        return jsonschema.Draft202012Validator(json.load(handle))


def schema_problems(document: object) -> list[str]:
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
    if accepts(document, SCHEMA_FILE):  # compiled: jsonschema only runs to word a refusal
        return []

    problems = []
    errors = itertools.islice(schema_validator().iter_errors(document), 200)
    for error in sorted(errors, key=lambda e: [str(part) for part in e.absolute_path]):
        where = "/".join(str(part) for part in error.absolute_path) or "（文件根）"
        problems.append(f"{shown(where, 80)}：{_translate(error)}")
    return problems


_MONEY_PATTERNS = ("^-?\\d+(\\.\\d{1,6})?$", "^\\d+(\\.\\d{1,6})?$")


def _plain_json(value: object) -> str:
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
        return f"金额“{shown(error.instance)}”格式不对，应为精确到分的数字字符串（万元最多六位小数，元最多两位）"
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


def text_problems(document: dict) -> list[str]:
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
        # The lengths of 说明 and 情况说明 are checked with the notes (``document_notes.validate_notes``), as when typed.
        text(f"explanations 第 {index} 项", item.get("text"), "说明", sys.maxsize, True)
    for index, item in enumerate(document.get("narrative", []), start=1):
        text(f"narrative 第 {index} 项", item.get("section"), "情况说明部分", 32)
        text(f"narrative 第 {index} 项", item.get("text"), "情况说明文字", sys.maxsize, True)
        text(f"narrative 第 {index} 项", item.get("based_on"), "情况说明原文", sys.maxsize, True)
    return problems
