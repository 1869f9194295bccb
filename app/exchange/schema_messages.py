"""The JSON schema's refusals in the clerk's words: the field named by its Chinese path
(项目[2]（名称）.绩效指标[3].指标值, from ``resources/schema/*.labels.json``) and what is wrong with it,
for every kind of schema finding — never jsonschema's English sentence."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from app.base.paths import resource
from app.base.textcheck import shown

if TYPE_CHECKING:  # jsonschema loads when a document is validated, not at start-up
    import jsonschema

LABELS_FILE = "budgetdesk.dataset.v1.labels.json"
log = logging.getLogger(__name__)

_TYPE_NAMES = {"string": "文字（带引号的字符串）", "integer": "整数", "number": "数字", "object": "对象（{…}）",
               "array": "数组（[…]）", "boolean": "true 或 false", "null": "null（空白）"}
# A decimal string's pattern (money, points, …): how many decimals it allows is read off the pattern, so a
# schema that allows more (the 分 of a 万元 amount) is described by the same words.
_DECIMALS = re.compile(r"^\^(-\?)?\\d\+\(\\\.\\d\{1,(\d+)\}\)\?\$$")


@cache
def _labels() -> dict[str, Any]:
    with open(resource("schema", LABELS_FILE), encoding="utf-8") as handle:
        return json.load(handle)


def field_label(keys: Sequence[str]) -> str:
    """The Chinese name of a field by its keys (array positions left out); the key itself when unnamed
    (a free key such as a 上年数 item)."""
    return _labels()["fields"].get(".".join(keys), keys[-1] if keys else "")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if value is None:
        return "null"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, Decimal | float):
        return "数字"
    if isinstance(value, str):
        return "文字"
    return "数组" if isinstance(value, list) else "对象"


def _plain(value: object) -> str:
    """A JSON value as the file wrote it: a number in its digits, a string in quotes, a container by kind."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, Decimal | int | float):
        return shown(str(value), 40)
    if isinstance(value, str):
        return f"“{shown(value, 40)}”"
    return "数组" if isinstance(value, list) else "对象"


def _item_name(item: object) -> str:
    if not isinstance(item, dict):
        return ""
    for key in ("name", "project_name", "item_name"):
        if isinstance(item.get(key), str) and item[key].strip():
            return f"（{shown(item[key], 30)}）"
    if all(isinstance(item.get(key), str) for key in ("form", "row")):
        return f"（{shown(item['form'], 30)} {shown(item['row'], 20)} {shown(str(item.get('column', '')), 30)}）".replace(" ）", "）")
    return ""


def field_path(document: object, path: Sequence[str | int]) -> str:
    """``projects/1/indicators/2/value`` → ``项目[2]（名称）.绩效指标[3].指标值`` (positions counted from 1)."""
    parts: list[str] = []
    keys: list[str] = []
    node = document
    after_index = False
    for part in path:
        if isinstance(part, int) and not (after_index and ".".join([*keys, str(part)]) in _labels()["fields"]):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            suffix = f"[{part + 1}]{_item_name(item)}"
            if parts:
                parts[-1] += suffix
            else:
                parts.append(suffix)
            node, after_index = item, True
            continue
        keys.append(str(part))
        parts.append(field_label(keys))
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]  # a position inside a fixed-length item (本地指标体系[1].编码)
        else:
            node = None
        after_index = False
    return ".".join(parts) or "（文件根）"


def _pattern_words(pattern: str) -> str:
    described = _labels()["patterns"].get(pattern)
    if described:
        return described
    decimals = _DECIMALS.match(pattern)
    if decimals:
        sign = "" if decimals.group(1) else "不带负号的"
        return f"最多 {decimals.group(2)} 位小数的{sign}数字字符串"
    return "规定格式的文字"


def _resolve(schema: dict, root: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def expectation(schema: object, root: dict) -> str:
    """What a (sub)schema accepts, in words: “最多 2 位小数的不带负号的数字字符串…，或 null（空白）”."""
    if not isinstance(schema, dict):
        return "规定的内容"
    schema = _resolve(schema, root)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        return "，或".join(expectation(alternative, root) for alternative in alternatives)
    if "const" in schema:
        return _plain(schema["const"])
    if "enum" in schema:
        return "、".join(_plain(value) if value != "" else "空（\"\"）" for value in schema["enum"])
    if "pattern" in schema:
        return _pattern_words(schema["pattern"])
    kinds = schema.get("type")
    if kinds:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        return "或".join(_TYPE_NAMES.get(kind, kind) for kind in kinds)
    return "规定的内容"


def what_is_wrong(error: jsonschema.ValidationError, root: dict) -> str:
    """One schema finding, in Chinese, without the field's place (``field_path`` names it)."""
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        keys = [str(part) for part in error.absolute_path if isinstance(part, str)]
        missing = [key for key in expected if isinstance(instance, dict) and key not in instance]
        return "缺少必填项 " + "、".join(f"{field_label([*keys, key])}（{key}）" for key in missing)
    if kind == "additionalProperties":
        extra = sorted(set(instance) - set(error.schema.get("properties", {}))) if isinstance(instance, dict) else []
        return f"有无法识别的字段（{'、'.join(shown(key, 30) for key in extra[:10])}）"
    if kind == "type":
        kinds = [expected] if isinstance(expected, str) else expected
        wanted = "或".join(_TYPE_NAMES.get(name, name) for name in kinds)
        return f"类型不对：应为{wanted}，文件中是{_kind(instance)} {_plain(instance)}"
    if kind == "pattern":
        return f"{_plain(instance)}格式不对：应为{_pattern_words(expected)}"
    if kind in ("anyOf", "oneOf"):
        return f"{_plain(instance)}不符合要求：应为{expectation(error.schema, root)}"
    if kind == "enum":
        return f"取值{_plain(instance)}不在允许范围内：应为{expectation(error.schema, root)}"
    if kind == "const":
        return f"取值{_plain(instance)}不对：应为{_plain(expected)}"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"数值 {_plain(instance)} 太小：{'不能小于' if kind == 'minimum' else '应大于'} {expected}"
    if kind in ("maximum", "exclusiveMaximum"):
        return f"数值 {_plain(instance)} 太大：{'不能大于' if kind == 'maximum' else '应小于'} {expected}"
    if kind == "minLength":
        return "不能为空" if expected == 1 else f"文字过短：至少 {expected} 个字"
    if kind == "maxLength":
        return f"文字过长：最多 {expected} 个字，现有 {len(instance)} 个字"
    if kind == "minItems":
        return f"项数不够：至少 {expected} 项，现有 {len(instance)} 项"
    if kind == "maxItems":
        return f"项数过多：最多 {expected} 项，现有 {len(instance)} 项"
    if kind == "uniqueItems":
        return "有重复的项"
    # A keyword this schema does not use today: still Chinese, the keyword kept for whoever reads the log.
    log.info("schema finding of kind %s: %s", kind, error.message)
    return f"不符合数据文件格式的规定（{kind}）"


def schema_refusal(document: object, error: jsonschema.ValidationError, root: dict) -> str:
    return f"{field_path(document, list(error.absolute_path))}：{what_is_wrong(error, root)}"
