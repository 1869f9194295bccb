"""The package format: member names, their size bounds, format versions, digests and the file name."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.base.errors import InputError
from app.base.paths import readable, resource

PACKAGE_FORMAT = "budgetdesk.package"
PACKAGE_FORMAT_VERSION = 2  # the newest this program reads (2: ``kind``, and department packages)
UNIT_FORMAT_VERSION = 1  # a unit package is still written as version 1, so earlier programs read it
KIND_UNIT, KIND_DEPARTMENT = "unit", "department"
SUFFIX = ".bdp"

MANIFEST, SIGNATURE = "manifest.json", "signature.json"
DATASET, AUDIT, FINDINGS, PDF = "dataset.json", "audit.json", "findings.json", "budget.pdf"
CONTENT_MEMBERS = (DATASET, AUDIT, FINDINGS, PDF)
ALL_MEMBERS = (MANIFEST, SIGNATURE, *CONTENT_MEMBERS)
# Optional members: present only when there is something to carry, so a package without them is
# exactly what older programs write and read. comments.json: the unit's answers to 批注 (app.bureau.comments).
COMMENTS = "comments.json"
OPTIONAL_MEMBERS = (COMMENTS,)
# A department package (app.bureau.hierarchy) adds the 汇总 and each 所属单位's original package, unchanged.
CONSOLIDATION = "consolidation.json"
EMBEDDED_MEMBER = re.compile(r"^unit-[0-9]{3}\.bdp$")
MAX_EMBEDDED_UNITS = 500

# Bounds (bytes). A seed-004-sized package is about 0.3 MB; these leave room for a large
# department with hundreds of projects and still stop a zip bomb long before memory runs out.
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_MEMBER_BYTES = {
    MANIFEST: 1024 * 1024,
    SIGNATURE: 64 * 1024,
    DATASET: 64 * 1024 * 1024,
    AUDIT: 64 * 1024 * 1024,
    FINDINGS: 16 * 1024 * 1024,
    PDF: 128 * 1024 * 1024,
    COMMENTS: 8 * 1024 * 1024,
    CONSOLIDATION: 64 * 1024 * 1024,
}


def member_bound(name: str) -> int:
    """A member's size bound; an embedded unit package has the bound of a package file."""
    return MAX_MEMBER_BYTES.get(name) or MAX_PACKAGE_BYTES


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_bytes(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def default_file_name(unit_code: str, unit_name: str, year: int) -> str:
    """``359_秦皇岛经济技术开发区融媒体中心_2023_部门预算.bdp`` (characters a file system refuses are dropped)."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "", f"{unit_code}_{unit_name}_{year}_部门预算")
    return name + SUFFIX


def editions(code_editions: dict[str, str]) -> dict[str, object]:
    """What the package was made with: a digest of the form definitions, the rule files' editions
    with a digest, and the code editions of the year."""
    def tree_digest(folder: str) -> str:
        hashed = hashlib.sha256()
        for path in sorted(resource(folder).glob("*.json")):
            hashed.update(path.name.encode())
            hashed.update(path.read_bytes())
        return hashed.hexdigest()[:16]

    rule_editions = []
    for path in sorted(resource("rules").glob("*.json")):
        with open(path, encoding="utf-8") as handle:
            rule_editions.append(f"{path.stem}:{json.load(handle).get('edition', '')}")
    return {"forms": tree_digest("forms"), "rules": {"files": rule_editions, "digest": tree_digest("rules")},
            "codes": dict(code_editions)}


def refuse(path: Path, text: str) -> InputError:
    """The refusal of a package, naming its file readably: 数据包“…”{text}未导入。"""
    return InputError(f"数据包“{readable(path.name)}”{text}未导入。")


def parse_json(data: bytes, path: Path, member: str) -> Any:  # JSON: its shape is checked by the caller
    """A JSON member, its numbers as Decimal (money stays exact); a refusal if it is not JSON."""
    try:
        return json.loads(data.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise refuse(path, f"中的 {member} 不是有效的 JSON，") from None
