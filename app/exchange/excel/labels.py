"""What export and import agree on: sheet titles, field labels and how sheets are named.

The nine forms take their titles and headers from the form definitions (``app.domain.forms``) and the
printed layout (``app.printing.tables.print_columns`` / ``header_cells``); the project part uses the
printed titles of ``app.printing``. Only the labels of fields that have no form definition are
listed here, once, for both directions.
"""

from __future__ import annotations

import re
import unicodedata

from app.domain.records import UNIT_FIELDS
from app.projects import PROJECT_FUNDS

UNIT_SHEET_TITLE = "单位基本信息"
UNIT_SHEET_NAME = "单位信息"
NOTES_SHEET_TITLE = "审核说明和情况说明"
NOTES_SHEET_NAME = "说明"
NOTES_HEADER = ("类别", "编号", "文字", "依据原文")
NOTE_KINDS = {"explanations": "审核说明", "narrative": "情况说明", "profile": "单位情况", "prior": "上年数",
              "reasons": "增减变化原因"}
KEYED_NOTE_KINDS = ("profile", "prior", "reasons")  # {key: text} parts of the interchange document

# 单位基本信息: the unit's fields, then the dataset's.
YEAR_LABEL, MONEY_UNIT_LABEL, STATUS_LABEL, PARENT_LABEL = "预算年度", "金额单位", "填报状态", "上级单位编码"
UNIT_LABELS = [*UNIT_FIELDS, ("parent_code", PARENT_LABEL)]

# One project's 项目支出绩效目标表: label → Project attribute (text fields beside their labels).
PROJECT_TEXT_LABELS = {
    "项目名称": "name", "项目编码": "code", "主管部门": "competent_department", "实施单位": "implementing_unit",
    "项目属性": "attribute", "实施周期": "period", "项目负责人": "manager", "功能分类科目": "function_code",
    "序号": "position",
}
PROJECT_MONEY_LABELS = {"实施期资金总额": "period_total", "以前年度累计执行数": "executed_before"}
AMOUNT_TITLE = "本年度预算安排数"
FUND_TITLES = {AMOUNT_TITLE: "amount", **{label: key for key, label in PROJECT_FUNDS}}
PERIOD_GOAL_LABEL, GOAL_LABEL = "实施期总目标", "绩效目标"
INDICATOR_COLUMNS = (("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"),
                     ("description", "绩效指标描述"), ("value", "指标值"), ("basis", "指标值确定依据"))
INDICATOR_EXTRA = (("period_value", "实施周期指标值"), ("note", "备注"))
OVERALL_GOAL_LABEL = "总体绩效目标"
OVERALL_COLUMNS = (("note", "分项绩效目标"), ("description", "绩效目标"), ("name", "绩效指标"), ("value", "指标值"))
OVERALL_EXTRA = (("level1", "一级指标"), ("level2", "二级指标"), ("basis", "指标值确定依据"),
                 ("period_value", "实施周期指标值"))
ASSETS_AS_OF_LABEL = "截止时间："
ASSETS_TOTAL_LABEL = "资产总额"
PLANNED_PURCHASES_LABEL = "本年度拟购置固定资产总额"
PROCUREMENT_ORDER_TITLE = "录入顺序（不打印）"

# Sheet names Excel refuses: these characters, and more than 31 characters.
_FORBIDDEN = re.compile(r"[:\\/?*\[\]]")
MAX_SHEET_NAME = 31


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unique (case-insensitive, as Excel compares) sheet name close to ``wanted``."""
    base = _FORBIDDEN.sub("_", wanted).strip("'") or "表"
    name = base[:MAX_SHEET_NAME]
    number = 2
    while name.lower() in taken:
        suffix = f"({number})"
        name = base[:MAX_SHEET_NAME - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def clean(text: object) -> str:
    """A cell's text as compared with titles and labels: NFKC, no whitespace at all."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
