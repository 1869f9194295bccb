"""Small code lists of the project part: 项目属性, fund sources, the fixed asset rows."""

from __future__ import annotations

import json

PROJECT_ATTRIBUTES = {"recurring": "经常性项目", "one_off": "一次性项目", "continuing": "延续性项目"}
_ATTRIBUTE_SPELLINGS = {"经常性": "recurring", "经常": "recurring", "一次性": "one_off", "延续性": "continuing",
                        "延续": "continuing", "延续项目": "continuing"}

# Fund sources of a project's amount: by nature (财政拨款/财政专户拨款/其他资金, seed 002) and by level of
# government (本级财政/上级资金/其他资金, seed 000). Either breakdown, when used, adds up to the amount.
PROJECT_FUNDS: list[tuple[str, str]] = [
    ("fiscal_appropriation", "财政拨款"),
    ("fiscal_special_account", "财政专户拨款"),
    ("local_fiscal", "本级财政"),
    ("higher_level", "上级资金"),
    ("other_funds", "其他资金"),
]
FUNDS_BY_NATURE = ("fiscal_appropriation", "fiscal_special_account")
FUNDS_BY_LEVEL = ("local_fiscal", "higher_level")

# 政府采购金额（当年部门预算安排资金）columns of the 政府采购预算表, in printed order.
PROCUREMENT_FUNDS: list[tuple[str, str]] = [
    ("general_budget", "一般公共预算拨款"),
    ("government_fund", "基金预算拨款"),
    ("state_capital", "国有资本经营预算拨款"),
    ("special_account", "财政专户核拨"),
    ("unit_funds", "单位资金"),
    ("fiscal_carryover", "财政拨款结转"),
    ("nonfiscal_carryover", "非财政拨款结转结余"),
]

# Fixed rows of the 部门固定资产占用情况表 (资产总额 is computed). ``whole``: counted in pieces.
ASSET_ROWS: list[tuple[str, str, bool]] = [
    ("buildings", "1、房屋（平方米）", False),
    ("office_buildings", "其中：办公用房（平方米）", False),
    ("vehicles", "2、车辆（台、辆）", True),
    ("equipment", "3、单价在 20 万元以上的设备", True),
    ("other", "4、其他固定资产", True),
]
ASSET_LABELS = {key: label for key, label, _whole in ASSET_ROWS}
# 其中 rows are part of their parent, so they are not added into 资产总额.
_ASSET_PART_OF = {"office_buildings": "buildings"}


def _load(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
