"""The compiled interchange schema (fastjsonschema) says yes to a valid document without jsonschema, and never
says yes to a document jsonschema refuses (so every refusal is still worded by jsonschema, in Chinese)."""

import copy
import json

import pytest

from app.base.jsondoc import read_document
from app.exchange import document_schema
from app.exchange.schema_compiled import accepts, as_draft7
from tests.conftest import FIXTURES

SEED = FIXTURES / "seed004_2023.json"
SCHEMA = document_schema.SCHEMA_FILE


def _jsonschema_valid(document) -> bool:
    return next(iter(document_schema.schema_validator().iter_errors(document)), None) is None


def test_a_valid_document_is_checked_without_jsonschema(monkeypatch):
    document = read_document(SEED)

    def no_jsonschema():
        raise AssertionError("jsonschema ran on a valid document")

    monkeypatch.setattr(document_schema, "schema_validator", no_jsonschema)
    assert document_schema.schema_problems(document) == []


def test_a_refusal_is_still_worded_by_jsonschema_naming_the_field():
    document = read_document(SEED)
    document["indicator_levels"] = [["12", "经济效益", None], ["ab", "社会效益", None]]
    problems = document_schema.schema_problems(document)
    assert len(problems) == 1 and problems[0].startswith("本地指标体系[2]") and "ab" in problems[0]


def test_prefix_items_become_draft7_tuple_items():
    converted = as_draft7({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
                           "prefixItems": [{"type": "string"}], "items": {"type": "integer"}})
    assert converted["items"] == [{"type": "string"}] and converted["additionalItems"] == {"type": "integer"}
    assert "prefixItems" not in converted and "draft-07" in converted["$schema"]


def _mutations(document):
    """Broken copies of the document: each leaf string made too long, made a number or emptied; each object
    given an unknown field, each list given a stray item, each required field dropped (every 3rd place)."""
    places = []

    def walk(value, path):
        places.append((path, value))
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, [*path, key])
        elif isinstance(value, list):
            for index, item in enumerate(value[:3]):
                walk(item, [*path, index])

    walk(document, [])

    def changed(path, change):
        copied = copy.deepcopy(document)
        parent = copied
        for part in path[:-1]:
            parent = parent[part]
        change(parent, path[-1])
        return copied

    for number, (path, value) in enumerate(places):
        if number % 3 or not path:
            continue
        if isinstance(value, str):
            yield changed(path, lambda parent, key: parent.__setitem__(key, "字" * 20000))
            yield changed(path, lambda parent, key: parent.__setitem__(key, 7))
            yield changed(path, lambda parent, key: parent.__setitem__(key, ""))
        elif isinstance(value, dict):
            yield changed(path, lambda parent, key: parent[key].__setitem__("未知字段", "x"))
        elif isinstance(value, list):
            yield changed(path, lambda parent, key: parent[key].append({"未知": True}))
        if isinstance(path[-1], str):
            yield changed(path, lambda parent, key: parent.pop(key))


def test_the_compiled_validator_never_accepts_what_jsonschema_refuses():
    document = read_document(SEED)
    document["indicator_levels"] = [["12", "经济效益", None]]
    mutations = list(_mutations(document))
    assert len(mutations) > 100
    refused = 0
    for mutated in mutations:
        valid = _jsonschema_valid(mutated)
        refused += not valid
        assert accepts(mutated, SCHEMA) == valid, json.dumps(mutated, ensure_ascii=False, default=str)[:300]
    assert refused > 50  # the battery really breaks documents


@pytest.mark.parametrize("levels", [[["12", "经济效益"]], [["12", "经济效益", None, "x"]], [[12, "经济效益", None]],
                                    [["12", "", None]], [["12", "经济效益", 5]]])
def test_indicator_level_rows_refused_alike(levels):
    document = read_document(SEED)
    document["indicator_levels"] = levels
    assert not accepts(document, SCHEMA)
    assert document_schema.schema_problems(document)
