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
from app.exchange.schema_messages import schema_refusal

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
    root = schema_validator().schema
    for error in sorted(errors, key=lambda e: [str(part) for part in e.absolute_path]):
        problems.append(schema_refusal(document, error, root))
    return problems


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
