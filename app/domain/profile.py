"""The unit profile: what the 情况说明 says that no table holds, kept with the budget year and carried
over to the next one (``app.exchange.year_cycle``).

部门职责, 内设机构, 工作保障措施 (五、（三）), 专项资金绩效目标 (五、第二部分), 其他需要说明的事项 and the
unit's own 名词解释 are plain texts. They are stored as dataset notes ``profile:<key>`` through
``BudgetDataset.set_note`` (the dataset's write door), so they travel in the data file with the
other notes. A field not filled in prints its placeholder "（请……）" and rule N01 gives a 提示.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from app.base.errors import ConflictError, InputError
from app.base.paths import resource

PROFILE_PREFIX = "profile:"
PROFILE_MAX_CHARS = 20_000
# Every placeholder the narrative prints reads "（请……填写……）"; N01 looks for this shape.
PLACEHOLDER = re.compile(r"（请[^（）]*?填写[^（）]*?）")


@dataclass(frozen=True)
class ProfileField:
    key: str
    title: str
    default: str  # printed while the field is empty: a placeholder "（请…填写…）" or a real default


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("duties", "部门职责", "（请在单位情况中填写本部门的主要职责。）"),
    ProfileField("institutions", "内设机构", ""),
    ProfileField("safeguards", "工作保障措施", "（请在单位情况中填写工作保障措施。）"),
    ProfileField("special_funds", "专项资金绩效目标", "无"),
    ProfileField("other_matters", "其他需要说明的事项", "我部门无其他需要说明的事项。"),
    ProfileField("glossary", "名词解释", ""),  # empty: the shipped glossary (resources/glossary.json)
)
PROFILE_KEYS = tuple(field.key for field in PROFILE_FIELDS)


def _field(key: str) -> ProfileField:
    for field in PROFILE_FIELDS:
        if field.key == key:
            return field
    raise InputError(f"单位情况中没有“{key}”一项。可用的项：{'、'.join(PROFILE_KEYS)}。")


def _normalize(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def profile(dataset) -> dict[str, str]:
    """Every profile field as stored ("" when not filled in)."""
    stored = dataset.notes(PROFILE_PREFIX)
    return {key: stored.get(PROFILE_PREFIX + key, "") for key in PROFILE_KEYS}


def profile_text(dataset, key: str, stored: dict[str, str] | None = None) -> str:
    """What the narrative prints for a field: the clerk's text, or the field's default/placeholder."""
    field = _field(key)
    stored = stored if stored is not None else profile(dataset)
    return stored.get(key) or field.default


def set_profile(dataset, key: str, text: str | None) -> None:
    """Store one field (None or blank clears it). Refused for a 已上报 dataset by the write door."""
    _field(key)
    text = _normalize(text or "")
    if len(text) > PROFILE_MAX_CHARS:
        raise InputError(f"“{_field(key).title}”不能超过 {PROFILE_MAX_CHARS} 字。")
    if key == "glossary" and text:
        parse_glossary(text)  # refuse a malformed glossary before anything is written
    _require_editable(dataset)
    dataset.set_note(PROFILE_PREFIX + key, text or None)


def _require_editable(dataset) -> None:
    if getattr(dataset, "status", "") == "submitted":
        raise ConflictError(f"{dataset.year} 年度预算已上报，不能修改单位情况；如需修改请先撤回上报。")


# ---- 名词解释 ----------------------------------------------------------------------------------

@cache
def default_glossary() -> tuple[tuple[str, str], ...]:
    data = json.loads(resource("glossary.json").read_text(encoding="utf-8"))
    return tuple((term, meaning) for term, meaning in data["entries"])


def parse_glossary(text: str) -> tuple[tuple[str, str], ...]:
    """A glossary typed as lines "词条：解释" (a leading "1、" is ignored)."""
    entries = []
    for number, line in enumerate(_normalize(text).split("\n"), start=1):
        line = re.sub(r"^\s*\d+\s*[、.．]\s*", "", line.strip())
        if not line:
            continue
        term, colon, meaning = line.partition("：")
        if not colon or not term.strip() or not meaning.strip():
            raise InputError(f"名词解释第 {number} 行应写成“词条：解释”。")
        entries.append((term.strip(), meaning.strip()))
    return tuple(entries)


def glossary_text(entries) -> str:
    return "\n".join(f"{term}：{meaning}" for term, meaning in entries)


def glossary(dataset, stored: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """The unit's glossary if it wrote one, else the shipped one (the seed's wording)."""
    stored = stored if stored is not None else profile(dataset)
    text = stored.get("glossary", "")
    return parse_glossary(text) if text else default_glossary()


__all__ = ["PLACEHOLDER", "PROFILE_FIELDS", "PROFILE_KEYS", "PROFILE_PREFIX", "default_glossary", "glossary",
           "glossary_text", "parse_glossary", "profile", "profile_text", "set_profile"]
