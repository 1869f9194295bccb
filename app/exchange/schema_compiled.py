"""The interchange schema compiled to Python code (fastjsonschema): the quick yes for a valid document.

``jsonschema`` walks the schema for every value (about 18 ms for a seed-004-sized document, the largest
single cost of a package import); the compiled validator answers the same question in about 2 ms. It only
ever says “valid”: any document it refuses is checked again by ``jsonschema`` (``document_schema``), whose
findings are worded in Chinese naming the field, so a refusal reads exactly as before.

fastjsonschema knows drafts 4, 6 and 7; the schema is draft 2020-12. The one 2020-12 keyword it uses,
``prefixItems``, is rewritten to draft 7's tuple ``items`` before compiling (a keyword it did not know would
be ignored, and the compiled validator would accept what the schema refuses).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from app.base.paths import resource

DRAFT7 = "http://json-schema.org/draft-07/schema#"


def as_draft7(schema: Any) -> Any:
    """The schema with 2020-12's ``prefixItems`` (+ ``items`` for the rest) as draft 7's ``items`` (+
    ``additionalItems``); everything else as it is."""
    if isinstance(schema, list):
        return [as_draft7(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: as_draft7(value) for key, value in schema.items()}
    if "prefixItems" in converted:
        rest = converted.pop("items", None)
        converted["items"] = converted.pop("prefixItems")
        if rest is not None:
            converted["additionalItems"] = rest
    if "$schema" in converted:
        converted["$schema"] = DRAFT7
    return converted


@cache
def compiled_validator(schema_file: str) -> Callable[[object], object]:
    import fastjsonschema  # deferred: it imports urllib (remote $ref), and compiling takes 0.1 s

    with open(resource("schema", schema_file), encoding="utf-8") as handle:
        schema = as_draft7(json.load(handle))
    # formats are not checked by the published schema's validator (jsonschema asserts none by default)
    # use_default=False: the validator must never fill in (change) the document it checks
    return fastjsonschema.compile(schema, use_default=False, use_formats=False)


def accepts(document: object, schema_file: str) -> bool:
    """True when the document is valid by the compiled schema; False means: ask jsonschema why."""
    from fastjsonschema import JsonSchemaException  # deferred: see compiled_validator

    try:
        compiled_validator(schema_file)(document)
    except JsonSchemaException:
        return False
    return True
