"""Printing the 绩效自评 forms in the seeds' layouts, through the same layout engine (``RunTable``):

* 项目绩效自评表 (seed 001): one row per project under a three-row grouped header (实际支出金额 —
  其中：财政拨款 — 一般公共预算/政府性基金; 产出目标/效益目标 — each kind — 年度指标内容/完成情况), repeated on
  every page. It has 31 columns, as the seed's sheet does, so it prints on A3 landscape (``WIDE``);
  consecutive rows of one 单位名称 share a merged cell, as in the seed.
* 部门整体支出绩效自评表 (seed 003): 部门（单位）名称, 整体支出规模 (全年预算数/全年执行数/执行率 by 资金来源 and
  资金结构), 年度总体目标 (年初设定目标/全年完成情况, one cell each, divided only at a page end), then 分解目标自评
  with 一级指标 and 权重 merged over their 二级 rows, the header repeated on every page, and 总分. Amounts
  print as the seed does (``181.03万元``); “附件2” and the absence of a 年度/单位 line are the form's
  settings (``form_style``); labels and headers break only between words (``wrapping.LabelCell``).
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from app import selfeval
from app.base.money import format_amount
from app.printing.form_style import form_style
from app.printing.grid import ALWAYS, GridRow, Run, RunTable, paragraph
from app.printing.markup import escape
from app.printing.projects import SimpleSection
from app.printing.sections import Part
from app.printing.selfeval_layout import HeaderWordCell, WholeFigureCell, weighted_widths
from app.printing.styles import (
    CELL_LEADING,
    CELL_PAD_X,
    CELL_PADDING,
    PORTRAIT,
    WIDE,
    PrintContext,
    Styles,
    frame_height,
    frame_width,
)
from app.printing.targets import SHADE, _spread, attachment_line, base_commands, unit_line_row
from app.printing.wrapping import label

PROJECT_SECTION = selfeval.PROJECT_FORM  # "self_evaluation"
DEPARTMENT_SECTION = selfeval.DEPARTMENT_FORM  # "department_self_evaluation"
SELFEVAL_SECTIONS: dict[str, str] = {
    PROJECT_SECTION: selfeval.PROJECT_TITLE,
    DEPARTMENT_SECTION: selfeval.DEPARTMENT_TITLE,
}
SELFEVAL_PART = "绩效自评"
TINY_SIZE, TINY_LEADING = 7, 8.6
NO_ROWS = "（未填写）"


def _tiny(styles: Styles) -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    base = ParagraphStyle("selfeval_tiny", parent=styles.small, fontSize=TINY_SIZE, leading=TINY_LEADING,
                          rightIndent=0)
    return (base, ParagraphStyle("selfeval_tiny_center", parent=base, alignment=1),
            ParagraphStyle("selfeval_tiny_right", parent=base, alignment=2))


# ---- 项目绩效自评表 -----------------------------------------------------------------------------------
# 序号 单位名称 项目名称 预算 | 合计 一般公共预算 政府性基金 非财政资金 | 执行率 年初绩效目标 整体完成情况 |
# 9 kinds × (年度指标内容, 完成情况) | 项目执行中的问题 整改情况
_LEADING_TITLES = ("序号", "单位名称", "项目名称", "项目年度预算金额", "合计", "一般公共预算", "政府性基金", "非财政资金",
                   "预算支出执行率", "年初绩效目标", "绩效目标整体完成情况")
_TAIL_TITLES = ("项目执行中的问题", "整改情况")
_WIDTH_SLACK = 1.0  # pt beyond the padding, so a piece measured to fit exactly still fits when drawn


def _row_texts(item: selfeval.ProjectEvaluation, number: int, kinds) -> list[str]:
    """The printed texts of one project's row, column by column (单位名称 is merged, printed apart)."""
    texts = [str(number), "", item.project_name, format_amount(item.budget), format_amount(item.actual_total),
             format_amount(item.actual_general), format_amount(item.actual_fund), format_amount(item.actual_nonfiscal),
             item.printed_rate, item.initial_goal, item.overall_result]
    for kind in kinds:
        texts += [item.contents.get(kind.key, ""), item.results.get(kind.key, "")]
    return texts + [item.problems, item.rectification]


def project_widths(rows: list[list[str]], kinds, width: float, styles: Styles) -> list[float]:
    """Column widths weighted by content (``selfeval_layout.weighted_widths``): a kind no project
    fills keeps only its header's width."""
    ncols = len(_LEADING_TITLES) + 2 * len(kinds) + len(_TAIL_TITLES)
    columns: list[list[str]] = [[row[column] for row in rows] for column in range(ncols)]
    columns[1] = [""] * len(rows)  # 单位名称, merged over its projects, keeps its header's width
    headers = ([[title] for title in _LEADING_TITLES] + [["年度指标内容"], ["完成情况"]] * len(kinds)
               + [[title] for title in _TAIL_TITLES])
    return weighted_widths(columns, headers, width, styles.body_font, TINY_SIZE, 2 * CELL_PAD_X + _WIDTH_SLACK)


def project_table(evaluations: list[selfeval.ProjectEvaluation], ctx: PrintContext, styles: Styles,
                  width: float | None = None) -> RunTable:
    width = width or frame_width(WIDE)
    kinds = selfeval.kinds()
    text, center, right = _tiny(styles)
    rows = [_row_texts(item, number, kinds) for number, item in enumerate(evaluations, start=1)]
    units: list[list] = []  # [name, first row, row count]: 单位名称 merged over consecutive projects, as the seed
    for index, item in enumerate(evaluations):
        if units and units[-1][0] == item.unit_name:
            units[-1][2] += 1
        else:
            units.append([item.unit_name, index, 1])
    widths = project_widths(rows, kinds, width, styles)
    ncols = len(widths)
    first_kind = len(_LEADING_TITLES)
    last = ncols - 1

    def h(title: str):
        return HeaderWordCell(title, center)

    def cell(value: str, style):
        return WholeFigureCell(value, style) if value.strip() else ""

    # Three header rows; a title that covers several rows spans down (relative row coordinates).
    top = [""] * ncols
    middle = [""] * ncols
    bottom = [""] * ncols
    spans: list[tuple] = []
    for column, title in ((0, "序号"), (1, "单位名称"), (2, "项目名称"), (3, "项目年度预算金额"), (8, "预算支出执行率"),
                          (9, "年初绩效目标"), (10, "绩效目标整体完成情况"), (last - 1, "项目执行中的问题"),
                          (last, "整改情况")):
        top[column] = h(title)
        spans.append(("SPAN", (column, 0), (column, 2)))
    top[4] = h("实际支出金额")
    spans.append(("SPAN", (4, 0), (7, 0)))
    middle[4], middle[5], middle[7] = h("合计"), h("其中：财政拨款"), h("非财政资金")
    spans += [("SPAN", (4, 1), (4, 2)), ("SPAN", (5, 1), (6, 1)), ("SPAN", (7, 1), (7, 2))]
    bottom[5], bottom[6] = h("一般公共预算"), h("政府性基金")
    groups: list[tuple[str, int, int]] = []
    for index, kind in enumerate(kinds):
        column = first_kind + 2 * index
        if groups and groups[-1][0] == kind.group:
            groups[-1] = (kind.group, groups[-1][1], column + 1)
        else:
            groups.append((kind.group, column, column + 1))
        middle[column] = h(kind.title)
        spans.append(("SPAN", (column, 1), (column + 1, 1)))
        bottom[column], bottom[column + 1] = h("年度指标内容"), h("完成情况")
    for title, start, stop in groups:
        top[start] = h(title)
        spans.append(("SPAN", (start, 0), (stop, 0)))
    # The seed's line under the title says only the money unit: no unit code, no year (the title has it).
    lead = [unit_line_row(ctx, styles, width, ncols, left="", middle=""),
            GridRow(top, spans), GridRow(middle), GridRow(bottom)]

    money_columns = range(3, 9)  # amounts and 执行率, right-aligned
    body: list[GridRow] = []
    for texts in rows:
        cells = [cell(value, center if column == 0 else right if column in money_columns else text)
                 for column, value in enumerate(texts)]
        body.append(GridRow(cells))
    if not body:
        body.append(GridRow([paragraph(NO_ROWS, center)] + [""] * (ncols - 1), [("SPAN", (0, 0), (-1, 0))]))
    commands = base_commands(styles.body_font, TINY_SIZE, TINY_LEADING, grid_from=1)
    commands.append(("BACKGROUND", (0, 1), (-1, 3), SHADE))
    runs = [Run(1, start, count, cell(name, text) or paragraph("", text)) for name, start, count in units]
    return RunTable(widths, lead, body, runs, commands, padding=CELL_PADDING, leading=TINY_LEADING, page_height=frame_height(WIDE))


def project_flowables(evaluations, ctx: PrintContext, styles: Styles) -> list[Flowable]:
    title = f"{ctx.year}年{ctx.unit.name}部门预算项目绩效自评表"
    return [Paragraph(escape(title), styles.title), project_table(evaluations, ctx, styles)]


# ---- 部门整体支出绩效自评表 -----------------------------------------------------------------------------
_DEPARTMENT_WIDTHS = (52.0, 30.0, 84.0, None, 66.0, 58.0, 36.0, 70.0)
# The 分解目标自评 header as seed 003 breaks it: ``|`` is where a title may go to a new line.
DEPARTMENT_HEADER = ("一级指标", "权重", "二级指标", "三级指标", "年度|指标值", "全年|完成值", "自评|得分", "偏差及|原因分析")


def department_tables(department: selfeval.DepartmentEvaluation, ctx: PrintContext, styles: Styles,
                      width: float | None = None) -> list[RunTable]:
    width = width or frame_width(PORTRAIT)
    widths = _spread(_DEPARTMENT_WIDTHS, width)
    cell, center, right = styles.cell, styles.cell_center, styles.cell_right
    unit = ctx.money_unit
    form = form_style(DEPARTMENT_SECTION)

    def amount(value) -> str:
        return "/" if value is None else f"{form.amount(value)}{unit}"

    def rate(line: selfeval.ScaleLine) -> str:
        return selfeval.format_rate(line.rate) or "/"

    # Part one: name, 整体支出规模, 年度总体目标 (no repeated header: the rows say what they are).
    lead = [unit_line_row(ctx, styles, width, 8, left="", middle=f"{ctx.year}年度")] if form.unit_line else []
    body = [GridRow([label("部门（单位）|名称", center), paragraph(ctx.unit.name, cell), "", "", "", "", "", ""],
                    [("SPAN", (1, 0), (-1, 0))]),
            GridRow(["", "", "", "", paragraph("全年预算数", center), paragraph("全年执行数", center),
                     paragraph("执行率", center), ""], [("SPAN", (1, 0), (3, 0)), ("SPAN", (6, 0), (7, 0))],
                    keep_with_next=True)]
    labels = {"fiscal": "资金来源：（1）财政拨款", "other": "（2）其他资金", "basic": "资金结构：（1）基本支出",
              "project": "（2）项目支出"}
    for key, _part, _label in selfeval.SCALE_LINES:
        line = department.line(key)
        body.append(GridRow(["", paragraph(labels[key], cell), "", "", paragraph(amount(line.budget), right),
                             paragraph(amount(line.actual), right), paragraph(rate(line), right), ""],
                            [("SPAN", (1, 0), (3, 0)), ("SPAN", (6, 0), (7, 0))]))
    runs = [Run(0, 1, 5, label("整体支出|规模", center))]
    start = len(body)
    body.append(GridRow(["", paragraph("年初设定目标", center), "", "", paragraph("全年完成情况", center), "", "", ""],
                        [("SPAN", (1, 0), (3, 0)), ("SPAN", (4, 0), (7, 0))], keep_with_next=True))
    # One cell each, as the seed prints them; the row is divided where a page ends.
    goals = "\n".join(text for text in department.initial_goal.split("\n") if text.strip())
    results = "\n".join(text for text in department.result.split("\n") if text.strip())
    body.append(GridRow(["", paragraph(goals, cell), "", "", paragraph(results, cell), "", "", ""],
                        [("SPAN", (1, 0), (3, 0)), ("SPAN", (4, 0), (7, 0)), ("VALIGN", (1, 0), (-1, 0), "TOP")],
                        divisible=True))
    runs.append(Run(0, start, len(body) - start, label("年度总体|目标", center),
                    label("年度总体|目标（续）", center)))
    commands = base_commands(styles.body_font, grid_from=1 if lead else 0)
    first = RunTable(widths, lead, body, runs, commands, padding=CELL_PADDING, leading=CELL_LEADING,
                     page_height=frame_height(PORTRAIT))

    # Part two: 分解目标自评, its header repeated on every page, 一级指标 and 权重 merged over their rows.
    header = [GridRow([paragraph("分解目标自评", center), "", "", "", "", "", "", ""], [("SPAN", (0, 0), (-1, 0))]),
              GridRow([label(title, center) for title in DEPARTMENT_HEADER], when=ALWAYS)]
    rows: list[GridRow] = []
    group_runs: list[Run] = []
    for group in department.groups:
        begin = len(rows)
        for item in group.items:
            weight = f"（{selfeval.points_text(item.weight)}）" if item.weight is not None else ""
            rows.append(GridRow(["", "", label(f"{item.name}{weight}", cell), paragraph(item.level3, cell),
                                 label(item.target_value, center), label(item.actual_value, center),
                                 paragraph(selfeval.points_text(item.score), center), paragraph(item.deviation, cell)]))
        if not group.items:
            rows.append(GridRow(["", "", "", "", "", "", "", ""]))
        count = len(rows) - begin
        group_runs += [Run(0, begin, count, label(group.name, center),
                           label(f"{group.name}（续）", center)),
                       Run(1, begin, count, paragraph(selfeval.points_text(group.weight), center))]
    rows.append(GridRow([label("总  分", center), paragraph(selfeval.points_text(department.total_weight), center),
                         "", "", "", "", paragraph(selfeval.points_text(department.total_score), center), ""],
                        [("SPAN", (2, 0), (5, 0))]))
    second = RunTable(widths, header, rows, group_runs, base_commands(styles.body_font), padding=CELL_PADDING,
                      leading=CELL_LEADING, page_height=frame_height(PORTRAIT))
    return [first, second]


def department_flowables(department, ctx: PrintContext, styles: Styles) -> list[Flowable]:
    return [*attachment_line(form_style(DEPARTMENT_SECTION), styles),
            Paragraph(escape(f"{ctx.year}年{selfeval.DEPARTMENT_TITLE}"), styles.title),
            *department_tables(department, ctx, styles),
            Paragraph("注：上述产出指标和效益指标既可以按照重点任务完成情况分别填列，也可以依据所有重点任务归纳提炼综合指标。",
                      styles.note)]


def selfeval_parts(dataset, ctx: PrintContext, styles: Styles, kinds) -> list[Part]:
    """The 绩效自评 part for the chosen ids among ``SELFEVAL_SECTIONS`` (none chosen: no part)."""
    chosen = [kind for kind in SELFEVAL_SECTIONS if kind in kinds]
    if not chosen:
        return []
    book = selfeval.SelfEvaluationBook(dataset)
    part = Part(SELFEVAL_PART)
    if PROJECT_SECTION in chosen:
        part.sections.append(SimpleSection(PROJECT_SECTION, selfeval.PROJECT_TITLE, WIDE,
                                      lambda: project_flowables(book.projects(), ctx, styles)))
    if DEPARTMENT_SECTION in chosen:
        part.sections.append(SimpleSection(DEPARTMENT_SECTION, selfeval.DEPARTMENT_TITLE, PORTRAIT,
                                      lambda: department_flowables(book.department(), ctx, styles)))
    return [part]


__all__ = ["SELFEVAL_SECTIONS", "department_tables", "project_table", "selfeval_parts"]
