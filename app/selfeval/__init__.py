"""绩效自评: the 项目绩效自评表 (seed 001) and the scored 部门整体支出绩效自评表 (seed 003). Qt-free.

Reads go to the database each time; every write goes through the dataset's door (one transaction,
status and version read from the database, refused when 已上报) with one audit row per changed field.
Money is ``Decimal`` (stored as integer millionths); 执行率 is computed here, never stored, with an
explicit ROUND_HALF_UP to two decimals of a percent. Weights and scores are exact decimals too.
The package is split along its seams as ``app.projects`` is: rates, records, framework (the data file),
validation, audit (entries in the form's words), mapping (database rows <-> records), book
(SelfEvaluationBook) and interchange (the data file's JSON member).
"""

from __future__ import annotations

from app.selfeval.audit import content_entries, department_fields, describe_entry, project_fields
from app.selfeval.book import SelfEvaluationBook
from app.selfeval.framework import Kind, default_groups, framework, kind_keys, kind_title, kinds
from app.selfeval.interchange import content_from_json, content_to_json
from app.selfeval.mapping import read_content, write_content
from app.selfeval.rates import RATE_QUANTUM, execution_rate, format_rate, parse_rate, points_text, rate_agrees
from app.selfeval.records import (
    DEPARTMENT_FORM,
    DEPARTMENT_TITLE,
    PROJECT_FORM,
    PROJECT_MONEY_FIELDS,
    PROJECT_TITLE,
    SCALE_LINES,
    ZERO,
    DepartmentEvaluation,
    ProjectEvaluation,
    ScaleLine,
    ScoreGroup,
    ScoreItem,
    SelfEvaluationContent,
)
from app.selfeval.validation import clean_department, clean_project, validate_content

__all__ = [
    "DEPARTMENT_FORM", "DEPARTMENT_TITLE", "PROJECT_FORM", "PROJECT_MONEY_FIELDS", "PROJECT_TITLE", "RATE_QUANTUM",
    "SCALE_LINES", "ZERO", "DepartmentEvaluation", "Kind", "ProjectEvaluation", "ScaleLine", "ScoreGroup", "ScoreItem",
    "SelfEvaluationBook", "SelfEvaluationContent", "clean_department", "clean_project", "content_entries",
    "content_from_json", "content_to_json", "default_groups", "department_fields", "describe_entry",
    "execution_rate", "format_rate", "framework", "kind_keys", "kind_title", "kinds", "parse_rate",
    "points_text", "project_fields", "rate_agrees", "read_content", "validate_content", "write_content",
]
