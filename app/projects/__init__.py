"""Projects and their performance targets (项目支出绩效目标表), the 部门整体绩效目标, the
政府采购预算表 and the 部门固定资产占用情况表 of one dataset.

Qt-free. The GUI edits all of it through :class:`ProjectBook`. Every mutating call validates first
(``InputError`` with a Chinese message, nothing written), then writes in ONE database transaction and
returns a :class:`Change` whose ``before`` and ``after`` states :meth:`ProjectBook.restore` can write
back, so an undo command needs nothing else: ``undo = restore(change.before)``,
``redo = restore(change.after)``.

Money is ``Decimal`` (two decimals, the dataset's money unit) here and integer millionths in the
database; quantities are ``Decimal`` stored as exact decimal text. No float touches either.
The package is split along its seams: levels, code_lists, catalogue, library, records, parsing,
validation, mapping (database rows <-> records), states (undo) and book (ProjectBook).
"""

from __future__ import annotations

from app.base.dates import parse_date
from app.projects.audit import project_entries_for_import
from app.projects.book import ProjectBook
from app.projects.catalogue import (
    catalogue_name,
    catalogue_parent,
    normalize_catalogue_code,
    procurement_catalogue,
    search_catalogue,
)
from app.projects.code_lists import (
    ASSET_ROWS,
    FUNDS_BY_LEVEL,
    PROCUREMENT_FUNDS,
    PROJECT_ATTRIBUTES,
    PROJECT_FUNDS,
)
from app.projects.levels import (
    ALL_COMPARATORS,
    COMPARATORS,
    QUALITATIVE,
    indicator_levels,
    level2_codes,
    level_name,
    resolve_level1,
    resolve_level2,
)
from app.projects.library import LibraryEntry, indicator_library
from app.projects.mapping import write_content
from app.projects.parsing import (
    IndicatorGroup,
    arrange_indicators,
    decimal_text,
    group_indicators,
    parse_indicator_table,
    parse_quantity,
    split_indicator_value,
)
from app.projects.records import (
    AssetLine,
    AssetTable,
    BookContent,
    Indicator,
    OverallTargets,
    ProcurementItem,
    ProcurementTotals,
    Project,
)
from app.projects.states import Change
from app.projects.validation import (
    asset_problems,
    function_code_from_text,
    procurement_problems,
    project_problems,
    validate_assets,
    validate_indicator,
    validate_indicators,
    validate_overall,
    validate_procurement,
    validate_project,
)

__all__ = ['project_entries_for_import',
    "ALL_COMPARATORS",
    "ASSET_ROWS",
    "AssetLine",
    "AssetTable",
    "BookContent",
    "COMPARATORS",
    "Change",
    "FUNDS_BY_LEVEL",
    "Indicator",
    "IndicatorGroup",
    "LibraryEntry",
    "OverallTargets",
    "PROCUREMENT_FUNDS",
    "PROJECT_ATTRIBUTES",
    "PROJECT_FUNDS",
    "ProcurementItem",
    "ProcurementTotals",
    "Project",
    "ProjectBook",
    "QUALITATIVE",
    "arrange_indicators",
    "asset_problems",
    "catalogue_name",
    "catalogue_parent",
    "decimal_text",
    "group_indicators",
    "indicator_levels",
    "indicator_library",
    "level2_codes",
    "level_name",
    "normalize_catalogue_code",
    "parse_date",
    "parse_indicator_table",
    "parse_quantity",
    "procurement_catalogue",
    "procurement_problems",
    "project_problems",
    "resolve_level1",
    "resolve_level2",
    "search_catalogue",
    "split_indicator_value",
    "validate_assets",
    "validate_indicator",
    "validate_indicators",
    "validate_overall",
    "validate_procurement",
    "validate_project",
    "function_code_from_text",
    "write_content",
]
