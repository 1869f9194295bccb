"""Where a finding is, in the form's words: 表 / 行 / 栏 for a table cell, 项目绩效目标 / 项目 / 栏 for the
list parts, 情况说明 / 部分 for the narrative rules. The 审核 panel, undo messages and 修改记录 all name
places through here, so a clerk never reads an internal key (``performance``, ``three_public`` …)."""

from __future__ import annotations

from functools import cache

from app.base.errors import BudgetDeskError
from app.checks.findings import CellPointer, Finding
from app.checks.narrative import section_of
from app.checks.rules import all_rules
from app.domain.forms import form_by_id
from app.domain.quantities import quantities, quantity_def
from app.projects.audit import PROCUREMENT_FIELD_NAMES, PROJECT_FIELD_NAMES
from app.projects.code_lists import ASSET_LABELS
from app.projects.narrative import SECTION_SPECS

NARRATIVE_TITLE = "情况说明"
PREFACE_TITLE = "开篇说明"
# The list parts of a budget (not cell tables), by the name of their tab.
LIST_TITLES = {"projects": "项目绩效目标", "overall_targets": "整体绩效目标", "procurement": "政府采购",
               "assets": "固定资产", "self_evaluation": "项目绩效自评", "department_self_evaluation": "部门整体自评"}
_COLUMN_WORDS = {"projects": PROJECT_FIELD_NAMES, "procurement": {**PROCUREMENT_FIELD_NAMES, "total": "合计"},
                 "overall_targets": {"goal": "整体绩效目标"}}


@cache
def _checks_by_rule() -> dict[str, str]:
    return {rule.id: rule.check for rule in all_rules()}


def section_title(key: str) -> str:
    """A 情况说明 section by its title (the untitled opening paragraph is 开篇说明)."""
    spec = next((spec for spec in SECTION_SPECS if spec.key == key), None)
    return key if spec is None else (spec.title or PREFACE_TITLE)


def narrative_section(finding: Finding) -> str | None:
    """The 情况说明 section a narrative rule's finding (N01, N03) belongs to; None for the others."""
    return section_of(_checks_by_rule().get(finding.rule, ""), finding.anchor)


def cell_place(cell: CellPointer, dataset=None) -> str:
    """One cell in the form's words: 表 / 行 / 栏 (a row by 编码 名称 when a dataset names it)."""
    if cell.form in LIST_TITLES:
        row = ASSET_LABELS.get(cell.row, cell.row) if cell.form == "assets" else cell.row
        words = _COLUMN_WORDS.get(cell.form, {})
        column = words.get(cell.column, "") if cell.form != "projects" else _project_column(cell.column)
        return " / ".join(part for part in (LIST_TITLES[cell.form], row, column) if part)
    try:
        form = form_by_id(cell.form)
        row = dataset.workbook.row_title(cell.form, cell.row) if dataset is not None else cell.row
        parts = [form.short_title or form.title, row]
        if cell.column:
            parts.append(form.column(cell.column).title)
        return " / ".join(parts)
    except BudgetDeskError:
        return f"{cell.form} / {cell.row}"


def _project_column(column: str) -> str:
    """A project finding's column is a field (amount …) or an indicator's own name."""
    if column in PROJECT_FIELD_NAMES:
        return PROJECT_FIELD_NAMES[column]
    return f"指标“{column}”" if column else ""


def finding_place(finding: Finding, dataset=None) -> str:
    """Where a finding is: its 情况说明 section (N rules), else the first cell it points at."""
    section = narrative_section(finding)
    if section is not None:
        place = f"{NARRATIVE_TITLE} / {section_title(section)}"
        return place + (f"（{cell_place(finding.cells[0], dataset)}）" if finding.cells else "")
    if finding.cells:
        return cell_place(finding.cells[0], dataset)
    return finding.anchor


def explanation_place(finding_key: str) -> str:
    """A 说明's finding key (``N01:performance``) in words: the rule and, for the narrative rules, the
    section (``N01 / 情况说明 / 预算绩效信息``); other anchors are already names or codes."""
    rule, _colon, anchor = finding_key.partition(":")
    check = _checks_by_rule().get(rule, "")
    section = section_of(check, anchor)
    if section is None:
        return finding_key
    place = f"{rule} / {NARRATIVE_TITLE} / {section_title(section)}"
    if check == "prior_change" and anchor in quantities():  # N03 names the figure that moved
        place += f" / {quantity_def(anchor).title}"
    return place


__all__ = ["LIST_TITLES", "cell_place", "explanation_place", "finding_place", "narrative_section", "section_title"]
