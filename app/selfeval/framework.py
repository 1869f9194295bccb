"""The framework of the forms (``resources/selfeval_framework.json``): the 指标类别 of the 项目绩效自评表
and the default 分解目标 of the 部门整体支出绩效自评表."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from app.base.paths import resource
from app.selfeval.records import ScoreGroup, ScoreItem


@dataclass(frozen=True)
class Kind:
    key: str  # quantity …
    title: str  # 数量指标 …
    level2: str  # the 二级指标 code of the project targets it is prefilled from
    group: str  # 产出目标 / 效益目标 (the seed's grouped header)


@cache
def framework() -> dict:
    with open(resource("selfeval_framework.json"), encoding="utf-8") as handle:
        return json.load(handle)


@cache
def kinds() -> tuple[Kind, ...]:
    return tuple(Kind(item["key"], item["title"], item["level2"], item["group"]) for item in framework()["kinds"])


def kind_keys() -> list[str]:
    return [kind.key for kind in kinds()]


def kind_title(key: str) -> str:
    return next((kind.title for kind in kinds() if kind.key == key), key)


def default_groups() -> list[ScoreGroup]:
    """The default 分解目标 (投入管理指标 30 / 产出指标 25 / 效益指标 45 and their 二级) from the data file."""
    return [ScoreGroup(group["name"], Decimal(group["weight"]),
                       [ScoreItem(item["name"], Decimal(item["weight"])) for item in group["items"]])
            for group in framework()["department_groups"]]
