"""The project part of the exported workbook, laid out like the printed tables (``app.printing``):
one 项目支出绩效目标表 per project, the 项目绩效目标汇总表 (figures as formulas over the project sheets),
部门整体绩效目标, 政府采购预算表 and 固定资产占用情况表.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.exchange.excel import labels
from app.exchange.excel.sheet import Sheet, cell_ref, sum_formula, sum_of
from app.exchange.excel.source import ExportSource
from app.exchange.excel.styles import BOLD, CENTER, COMPUTED_FILL, HEADER_FILL, LEFT
from app.printing.procurement import (
    ASSETS_TITLE,
    PROCUREMENT_EMPTY_NOTE,
    PROCUREMENT_NOTE,
    PROCUREMENT_TITLE,
    procurement_groups,
)
from app.printing.projects import NO_PROJECTS_NOTE, OVERALL_TITLE, PROJECT_TITLE
from app.printing.targets import (
    SUMMARY_FUNDS,
    SUMMARY_TITLE,
    fund_keys,
    indicator_sentence,
    period_text,
    summary_groups,
)
from app.projects import (
    ASSET_ROWS,
    PROCUREMENT_FUNDS,
    PROJECT_FUNDS,
    BookContent,
    Indicator,
    Project,
    group_indicators,
    level_name,
)
from app.projects.narrative import overall_groups


def _indicator_columns(indicators: Sequence[Indicator], base: Sequence[tuple[str, str]],
                       extra: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    used = [item for item in extra if any(getattr(ind, item[0]) for ind in indicators)]
    return [*base, *used]


def _indicator_cell(indicator: Indicator, key: str) -> str:
    if key == "value":
        return indicator.display_value
    if key in ("level1", "level2"):
        code = getattr(indicator, key)
        return level_name(code) if code else ""
    return getattr(indicator, key)


@dataclass
class ProjectCells:
    """Where a project's sheet holds its figures (for the 汇总表 and 政府采购 formulas)."""

    sheet: str
    amounts: dict[str, tuple[int, int]] = field(default_factory=dict)


def write_project(ws: Worksheet, project: Project, position: int, source: ExportSource) -> ProjectCells:
    sheet = Sheet(ws)
    columns = _indicator_columns(project.indicators, labels.INDICATOR_COLUMNS, labels.INDICATOR_EXTRA)
    ncols = len(columns)
    placed = ProjectCells(ws.title)
    sheet.title(PROJECT_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    row = 3

    def label(r: int, c: int, text: str, last: int | None = None) -> None:
        sheet.text(r, c, text, align=CENTER, font=BOLD, fill=HEADER_FILL)
        sheet.merge(r, c, r, last or c)

    def value(r: int, c: int, text: str, last: int) -> None:
        sheet.text(r, c, text)
        sheet.merge(r, c, r, last)

    label(row, 1, "项目名称", 2)
    value(row, 3, project.name, ncols)
    pairs = [("主管部门", project.competent_department, "实施单位", project.implementing_unit),
             ("项目属性", project.attribute_name, "实施周期", period_text(project)),
             ("项目负责人", project.manager, "项目编码", project.code),
             ("功能分类科目", project.function_code, "序号", str(position))]
    for left, left_value, right, right_value in pairs:
        row += 1
        label(row, 1, left, 2)
        value(row, 3, left_value, 4)
        label(row, 5, right)
        value(row, 6, right_value, ncols)
    # 项目资金: the breakdown the printed form shows, then any other breakdown that is filled.
    shown = list(fund_keys(project))
    others = [key for key, _label in PROJECT_FUNDS if key not in shown and getattr(project, key) is not None]
    groups = [["amount", *shown]] + ([others] if others else [])
    fund_labels = dict(PROJECT_FUNDS)
    first_money = row + 1
    for keys in groups:
        row += 1
        for offset, key in enumerate(keys):
            title = labels.AMOUNT_TITLE if key == "amount" else fund_labels[key]
            label(row, 3 + offset, title)
            sheet.number(row + 1, 3 + offset, getattr(project, key))
            placed.amounts[key] = (row + 1, 3 + offset)
        for column in range(3 + len(keys), ncols + 1):
            sheet.text(row, column, "")
            sheet.text(row + 1, column, "")
        row += 1
    label(first_money, 1, f"项目资金（{source.money_unit}）", 2)
    sheet.merge(first_money, 1, row, 2)
    row += 1
    label(row, 1, "实施期资金总额", 2)
    sheet.number(row, 3, project.period_total)
    sheet.text(row, 4, "")
    label(row, 5, "以前年度累计执行数")
    sheet.number(row, 6, project.executed_before)
    for column in range(7, ncols + 1):
        sheet.text(row, column, "")
    if project.period_goal:
        row += 1
        label(row, 1, labels.PERIOD_GOAL_LABEL, 3)
        value(row, 4, project.period_goal, ncols)
    row += 1
    label(row, 1, labels.GOAL_LABEL, 3)
    value(row, 4, project.annual_goal, ncols)
    row += 1
    header_row = row
    for index, (_key, title) in enumerate(columns, start=1):
        label(row, index, title)
    level1, level2 = group_indicators(project.indicators)
    start = row + 1
    for number, indicator in enumerate(project.indicators):
        for index, (key, _title) in enumerate(columns, start=1):
            text = _indicator_cell(indicator, key)
            sheet.text(start + number, index, text, align=CENTER if key in ("level1", "level2", "value") else LEFT)
    for runs, column in ((level1, 1), (level2, 2)):
        for run in runs:
            for extra in range(1, run.count):
                ws.cell(row=start + run.start + extra, column=column).value = None
            sheet.merge(start + run.start, column, start + run.start + run.count - 1, column)
    sheet.widths([10, 14, 20, 34, 18, 18, 14, 16][:ncols])
    sheet.page("portrait", header_row, freeze=f"A{header_row + 1}")
    return placed


def write_no_projects(ws: Worksheet) -> None:
    """The 项目支出绩效目标表 of a dataset without projects: its title and the printed note."""
    sheet = Sheet(ws)
    sheet.title(PROJECT_TITLE, 6)
    sheet.text(3, 1, NO_PROJECTS_NOTE, border=False)


def write_summary(ws: Worksheet, projects: Sequence[Project], cells: Sequence[ProjectCells], source: ExportSource) -> None:
    """项目支出绩效目标表（含转移支付项目）: 合计, each 资金使用单位, its projects (figures from their sheets)."""
    sheet = Sheet(ws)
    titles = ["项目名称（资金使用单位）", *(title for _key, title in SUMMARY_FUNDS), "绩效目标", "绩效指标"]
    ncols = len(titles)
    sheet.title(SUMMARY_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    for index, title in enumerate(titles, start=1):
        sheet.text(3, index, title, align=CENTER, font=BOLD, fill=HEADER_FILL)
    by_name = {id(project): placed for project, placed in zip(projects, cells, strict=True)}
    funds = [key for key, _title in SUMMARY_FUNDS]
    total_row = 4
    row = total_row
    group_rows: list[int] = []
    for group, members in summary_groups(projects, source.unit.name):
        row += 1
        group_row = row
        group_rows.append(group_row)
        member_rows = []
        for project in members:
            row += 1
            member_rows.append(row)
            sheet.text(row, 1, project.name)
            placed = by_name[id(project)]
            for offset, key in enumerate(funds, start=2):
                where = placed.amounts.get(key)
                if where is not None:
                    sheet.formula(row, offset, sum_of(cell_ref(placed.sheet, *where)))
                else:
                    sheet.number(row, offset, getattr(project, key), computed=True)
            sheet.text(row, 6, project.annual_goal)
            sheet.text(row, 7, "".join(indicator_sentence(n, ind) for n, ind in enumerate(project.indicators, 1)))
        sheet.text(group_row, 1, group, font=BOLD)
        for offset in range(2, 6):
            sheet.formula(group_row, offset, sum_formula([cell_ref(None, r, offset) for r in member_rows]) or '""',
                          font=BOLD)
        sheet.text(group_row, 6, "")
        sheet.text(group_row, 7, "")
    sheet.text(total_row, 1, "合计", font=BOLD, fill=COMPUTED_FILL)
    for offset in range(2, 6):
        formula = sum_formula([cell_ref(None, r, offset) for r in group_rows])
        if formula:
            sheet.formula(total_row, offset, formula, font=BOLD)
        else:
            sheet.number(total_row, offset, None, computed=True)
    sheet.text(total_row, 6, "")
    sheet.text(total_row, 7, "")
    sheet.widths([30, 12, 12, 12, 12, 40, 60])
    sheet.page("landscape", 3, freeze="B4")


def write_overall(ws: Worksheet, book: BookContent, source: ExportSource) -> None:
    sheet = Sheet(ws)
    targets = book.overall
    columns = _indicator_columns(targets.indicators, labels.OVERALL_COLUMNS, labels.OVERALL_EXTRA)
    ncols = len(columns)
    sheet.title(OVERALL_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    sheet.text(3, 1, labels.OVERALL_GOAL_LABEL, align=CENTER, font=BOLD, fill=HEADER_FILL)
    sheet.text(3, 2, targets.goal)
    sheet.merge(3, 2, 3, ncols)
    for index, (_key, title) in enumerate(columns, start=1):
        sheet.text(4, index, title, align=CENTER, font=BOLD, fill=HEADER_FILL)
    start = 5
    for number, indicator in enumerate(targets.indicators):
        for index, (key, _title) in enumerate(columns, start=1):
            sheet.text(start + number, index, _indicator_cell(indicator, key),
                       align=CENTER if key in ("note", "value") else LEFT)
    for _name, first, count in overall_groups(targets.indicators):
        for extra in range(1, count):
            ws.cell(row=start + first + extra, column=1).value = None
        sheet.merge(start + first, 1, start + first + count - 1, 1)
    sheet.widths([24, 34, 24, 14, 12, 12, 18, 14][:ncols])
    sheet.page("portrait", 4, freeze="A5")


def write_procurement(ws: Worksheet, book: BookContent, cells: Sequence[ProjectCells], source: ExportSource) -> None:
    sheet = Sheet(ws)
    funds = [label for _key, label in PROCUREMENT_FUNDS]
    ncols = 7 + 1 + len(funds) + 1
    sheet.title(PROCUREMENT_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    first = ["政府采购项目来源", "", "采购物品名称", "政府采购目录序号", "计量单位", "数量", "单价",
             "政府采购金额（当年部门预算安排资金）", *[""] * len(funds), f"{source.year}年预留中小微企业份额"]
    second = ["项目名称", "预算资金", "", "", "", "", "", "合计", *funds, ""]
    for index, (top, bottom) in enumerate(zip(first, second, strict=True), start=1):
        sheet.text(3, index, top, align=CENTER, font=BOLD, fill=HEADER_FILL)
        sheet.text(4, index, bottom, align=CENTER, font=BOLD, fill=HEADER_FILL)
    sheet.merge(3, 1, 3, 2)
    sheet.merge(3, 8, 3, 8 + len(funds))
    sheet.merge(3, ncols, 4, ncols)
    for column in range(3, 8):
        sheet.merge(3, column, 4, column)
    items = book.procurement
    projects = book.projects
    # The printed table groups rows by 资金使用单位; the stored order travels in a column right of
    # the printed area, so a round trip keeps it.
    order = {id(item): number for number, item in enumerate(items, start=1)}
    sheet.text(3, ncols + 1, labels.PROCUREMENT_ORDER_TITLE, align=CENTER, fill=HEADER_FILL)
    sheet.merge(3, ncols + 1, 4, ncols + 1)
    amount_columns = range(8, ncols + 1)
    row = 5
    total_row = row
    group_rows = []
    if items:
        for label_text, members in procurement_groups(
                items, _indexed_projects(projects), source.unit.name):
            row += 1
            group_row = row
            group_rows.append(group_row)
            sheet.text(group_row, 1, f"{label_text}小计", font=BOLD)
            sheet.merge(group_row, 1, group_row, 7)
            first_item = row + 1
            for item in members:
                row += 1
                source_index = item.project_id
                sheet.text(row, 1, projects[source_index].name if source_index is not None else "")
                placed = cells[source_index] if source_index is not None else None
                where = placed.amounts.get("amount") if placed is not None else None
                if placed is not None and where is not None:
                    sheet.formula(row, 2, sum_of(cell_ref(placed.sheet, *where)))
                else:
                    sheet.number(row, 2, None, computed=True)
                sheet.text(row, 3, item.item_name)
                sheet.text(row, 4, item.catalogue_code, align=CENTER)
                sheet.text(row, 5, item.measure_unit, align=CENTER)
                sheet.number(row, 6, item.quantity, number_format="General")
                sheet.number(row, 7, item.unit_price)
                sheet.formula(row, 8, sum_of(*(cell_ref(None, row, c) for c in range(9, 9 + len(funds)))))
                for offset, (key, _label) in enumerate(PROCUREMENT_FUNDS, start=9):
                    sheet.number(row, offset, getattr(item, key))
                sheet.number(row, ncols, item.sme_reserved)
                sheet.text(row, ncols + 1, str(order[id(item)]), align=CENTER)
            for column in amount_columns:
                sheet.formula(group_row, column, sum_of(
                    f"{get_column_letter(column)}{first_item}:{get_column_letter(column)}{row}"), font=BOLD)
    sheet.text(total_row, 1, "合计", font=BOLD, fill=COMPUTED_FILL)
    sheet.merge(total_row, 1, total_row, 7)
    for column in amount_columns:
        formula = sum_formula([cell_ref(None, r, column) for r in group_rows])
        if formula:
            sheet.formula(total_row, column, formula, font=BOLD)
        else:
            sheet.number(total_row, column, None, computed=True)
    sheet.text(row + 2, 1, PROCUREMENT_NOTE if items else PROCUREMENT_EMPTY_NOTE, border=False)
    sheet.merge(row + 2, 1, row + 2, ncols, border=False)
    sheet.widths([24, 12, 20, 12, 8, 8, 12, 12, *[12] * len(funds), 14, 9])
    sheet.page("landscape", 4, freeze="C6")
    ws.print_area = f"A1:{get_column_letter(ncols)}{row + 2}"


def _indexed_projects(projects: Sequence[Project]) -> list[Project]:
    """``procurement_groups`` looks projects up by ``id``; here a procurement row names its project
    by index, so hand over copies whose id is that index."""
    return [replace(project, id=index) for index, project in enumerate(projects)]


def write_assets(ws: Worksheet, book: BookContent, source: ExportSource) -> None:
    sheet = Sheet(ws)
    table = book.assets
    ncols = 3
    sheet.title(ASSETS_TITLE, ncols)
    sheet.unit_line(2, ncols, f"{source.unit.code} {source.unit.name}", f"预算年度：{source.year}",
                    f"单位：{source.money_unit}")
    as_of = table.as_of.isoformat() if table.as_of else ""
    sheet.text(3, 1, f"{labels.ASSETS_AS_OF_LABEL}{as_of}", border=False)
    sheet.merge(3, 1, 3, ncols, border=False)
    for index, title in enumerate(("项目", "数量", f"价值（金额单位：{source.money_unit}）"), start=1):
        sheet.text(4, index, title, align=CENTER, font=BOLD, fill=HEADER_FILL)
    sheet.text(5, 1, labels.ASSETS_TOTAL_LABEL, font=BOLD)
    sheet.text(5, 2, "--", align=CENTER)
    row = 5
    parts = []
    for key, label_text, _whole in ASSET_ROWS:
        row += 1
        line = table.line(key)
        sheet.text(row, 1, label_text)
        sheet.number(row, 2, line.quantity, number_format="General")
        sheet.number(row, 3, line.value)
        if key != "office_buildings":
            parts.append(cell_ref(None, row, 3))
    sheet.formula(5, 3, sum_of(*parts), font=BOLD)
    row += 2
    sheet.text(row, 1, labels.PLANNED_PURCHASES_LABEL)
    sheet.number(row, 3, table.planned_purchases)
    sheet.text(row, 2, "")
    sheet.widths([36, 14, 24])
    sheet.page("portrait", 4, freeze="A5")

