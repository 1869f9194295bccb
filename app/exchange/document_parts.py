"""The parts of an interchange document that a 合并 takes whole: each of the nine tables (a form id),
and ``projects``, ``overall``, ``assets``, ``notes``, ``profile``, ``self_evaluation``, ``basic_info``, ``unit`` —
their names, the document keys each carries, and the merge of chosen parts into the document held."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from app.base.errors import InputError
from app.domain.forms import all_forms, form_by_id

PROJECTS, OVERALL, ASSETS, NOTES, PROFILE, SELF_EVALUATION, BASIC_INFO, UNIT = (
    "projects", "overall", "assets", "notes", "profile", "self_evaluation", "basic_info", "unit")
# The document keys each non-table part carries (a 合并 takes all of them from the package, or none).
PART_KEYS: dict[str, tuple[str, ...]] = {
    PROJECTS: ("projects", "procurement"),
    OVERALL: ("overall_targets",),
    ASSETS: ("assets",),
    NOTES: ("explanations", "narrative"),
    PROFILE: ("profile", "prior", "reasons"),
    SELF_EVALUATION: ("self_evaluation",),
    BASIC_INFO: ("basic_info",),
    UNIT: ("unit",),
}
PART_TITLES: dict[str, str] = {
    PROJECTS: "项目及绩效指标（含政府采购）",
    OVERALL: "部门整体绩效目标",
    ASSETS: "固定资产占用情况",
    NOTES: "说明与情况说明",
    PROFILE: "单位情况、上年数与增减原因",
    SELF_EVALUATION: "绩效自评",
    BASIC_INFO: "基础信息（人员、车辆）",
    UNIT: "单位信息",
}
# Names a clerk may type for a part besides its key (--merge 项目,说明 …).
PART_ALIASES: dict[str, str] = {
    "项目": PROJECTS, "绩效指标": PROJECTS, "项目及绩效指标": PROJECTS, "indicators": PROJECTS,
    "整体绩效目标": OVERALL, "部门整体绩效目标": OVERALL, "overall_targets": OVERALL,
    "固定资产": ASSETS, "资产": ASSETS,
    "说明": NOTES, "情况说明": NOTES, "explanations": NOTES, "narrative": NOTES,
    "单位情况": PROFILE, "上年数": PROFILE, "prior": PROFILE,
    "绩效自评": SELF_EVALUATION, "自评": SELF_EVALUATION,
    "基础信息": BASIC_INFO, "人员": BASIC_INFO, "车辆": BASIC_INFO,
    "单位信息": UNIT,
}


def part_keys() -> list[str]:
    """Every part in display order: the tables in their official order, then the other parts."""
    return [form.id for form in all_forms()] + list(PART_TITLES)


def part_title(key: str) -> str:
    if key in PART_TITLES:
        return PART_TITLES[key]
    return form_by_id(key).title


def parse_parts(text: str | Iterable[str]) -> list[str]:
    """``expenditure_summary,projects,notes`` (or 表名/简称/中文部分名) → part keys; an unknown name is refused."""
    names = [name.strip() for name in (text.replace("，", ",").split(",") if isinstance(text, str) else text)]
    names = [name for name in names if name]
    if not names:
        raise InputError("请给出要合并的表或部分（如 --merge expenditure_summary,projects,notes）。")
    by_name: dict[str, str] = {}
    for form in all_forms():
        for name in (form.id, form.title, form.short_title):
            if name:
                by_name[name] = form.id
    by_name.update({key: key for key in PART_TITLES})
    by_name.update({title: key for key, title in PART_TITLES.items()})
    by_name.update(PART_ALIASES)
    chosen: list[str] = []
    unknown: list[str] = []
    for name in names:
        key = by_name.get(name)
        if key is None:
            unknown.append(name)
        elif key not in chosen:
            chosen.append(key)
    if unknown:
        available = "、".join(f"{key}（{part_title(key)}）" for key in part_keys())
        raise InputError(f"没有名为“{'、'.join(unknown)}”的表或部分，未导入任何数据。可合并的有：{available}。")
    order = {key: index for index, key in enumerate(part_keys())}
    return sorted(chosen, key=order.__getitem__)


def merge_documents(held: dict[str, Any], package: dict[str, Any], parts: Iterable[str]) -> dict[str, Any]:
    """The held document with the chosen parts taken from the package's (nothing else of the package)."""
    chosen = set(parts)
    forms = {form.id for form in all_forms()} & chosen
    merged = copy.deepcopy(held)
    merged["values"] = ([item for item in held.get("values", []) if item["form"] not in forms]
                        + [copy.deepcopy(item) for item in package.get("values", []) if item["form"] in forms])
    rows = ([item for item in held.get("rows", []) if item["form"] not in forms]
            + [copy.deepcopy(item) for item in package.get("rows", []) if item["form"] in forms])
    if rows:
        merged["rows"] = rows
    else:
        merged.pop("rows", None)
    for part in chosen - forms:
        for key in PART_KEYS[part]:
            if key in package:
                merged[key] = copy.deepcopy(package[key])
            else:
                merged.pop(key, None)
    if UNIT in chosen:
        merged["unit"]["code"] = held["unit"]["code"]
    # the local 一级/二级 levels either side's indicators use (a part taken from the package may use one)
    levels = {row[0]: row for row in [*held.get("indicator_levels", []), *package.get("indicator_levels", [])]}
    if levels:
        merged["indicator_levels"] = [copy.deepcopy(row) for row in levels.values()]
    return merged
