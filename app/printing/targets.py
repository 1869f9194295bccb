"""Performance-target tables (绩效目标表) built from the project data, on ``RunTable``.

* ``project_indicator_table`` — one project's 项目支出绩效目标表 in seed 004's layout (绩效目标 row,
  一级/二级/三级指标, 绩效指标描述, 指标值, 指标值确定依据; 一级/二级 merged from ``group_indicators``),
  bare as inside the 情况说明, or as a form of its own with the unit line and the project's fields;
* ``approval_flowables`` — the 项目支出绩效目标批复表 of seed 000 with its three signature blocks;
* ``summary_table`` — the department-wide 项目支出绩效目标表（含转移支付项目） of seed 002, projects
  grouped by 资金使用单位 with 合计 and group totals;
* ``overall_table`` — the 部门整体绩效目标 as a table (总体目标, then 分项 merged over their indicators).

Amounts are Decimal and printed as each form's settings say (``form_style``: 242.5 on the 批复表, 1,509.60 on
the 汇总表); nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.tables import TableStyle

from app.printing.form_style import FormStyle, form_style
from app.printing.grid import (
    ALWAYS,
    CONTINUED,
    FIRST,
    BalancedCell,
    CellParagraph,
    DrawnOnce,
    GridRow,
    Run,
    RunTable,
    TextCell,
    paragraph,
)
from app.printing.styles import (
    CELL_LEADING,
    CELL_PADDING,
    CELL_SIZE,
    LANDSCAPE,
    PORTRAIT,
    SMALL_LEADING,
    SMALL_SIZE,
    PrintContext,
    Styles,
    frame_height,
    frame_width,
)
from app.printing.tables import unit_line
from app.projects import (
    FUNDS_BY_LEVEL,
    PROJECT_FUNDS,
    Indicator,
    OverallTargets,
    Project,
    group_indicators,
    level_name,
)
from app.projects.narrative import overall_groups

FUND_LABELS = dict(PROJECT_FUNDS)
INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")
# Portrait widths of the six indicator columns; 绩效指标描述 takes what is left.
_INDICATOR_WIDTHS = (52.0, 66.0, 96.0, None, 62.0, 84.0)
# their --forms ids, which name their settings in print_styles.json
APPROVAL_FORM, SUMMARY_FORM, TARGETS_FORM = "project_approval", "project_targets_summary", "project_targets"
APPROVAL_TITLE = "项目支出绩效目标批复表"
# "____年___月___日" to write in by hand: room for four digits before 年 and two before 月 and 日.
DATE_BLANKS = "\u3000\u3000\u3000年\u3000\u3000\u3000月\u3000\u3000\u3000日"
SUMMARY_TITLE = "项目支出绩效目标表（含转移支付项目）"
SUMMARY_FUNDS = (("amount", "总计"), ("fiscal_appropriation", "财政拨款"),
                 ("fiscal_special_account", "财政专户拨款"), ("other_funds", "其他资金"))
SIGNATURES = (
    ("预算单位\n签字", "项目负责人：", "财务审核人："),
    ("主管部门\n审核签字", "业务审核：", "财务审核："),
    ("财政部门\n审核签字", "归口科室审核人：", "归口科室负责人："),
)
SHADE = colors.Color(0.93, 0.93, 0.93)


def base_commands(font: str, size: float = CELL_SIZE, leading: float = CELL_LEADING, grid_from: int = 0) -> list[tuple]:
    """Font, padding and the ruled grid (from row ``grid_from``: row 0 may be the borderless unit line)."""
    left, right, top, bottom = CELL_PADDING
    return [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), leading),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), left),
        ("RIGHTPADDING", (0, 0), (-1, -1), right),
        ("TOPPADDING", (0, 0), (-1, -1), top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
        ("GRID", (0, grid_from), (-1, -1), 0.5, colors.black),
        ("BOX", (0, grid_from), (-1, -1), 0.9, colors.black),
    ]


def unit_line_row(ctx: PrintContext, styles: Styles, width: float, ncols: int, **parts) -> GridRow:
    """The unit line as the first (repeated, borderless) row of a table."""
    cells = [unit_line(ctx, styles, width, **parts)] + [""] * (ncols - 1)
    return GridRow(cells, [("SPAN", (0, 0), (-1, 0)), ("LEFTPADDING", (0, 0), (-1, 0), 0),
                           ("RIGHTPADDING", (0, 0), (-1, 0), 0), ("TOPPADDING", (0, 0), (-1, 0), 0),
                           ("BOTTOMPADDING", (0, 0), (-1, 0), 5), ("VALIGN", (0, 0), (-1, 0), "BOTTOM")])


def _spread(widths: Sequence[float | None], total: float) -> list[float]:
    """Fixed widths scaled to fit, the None column gets the rest."""
    fixed = sum(width for width in widths if width is not None)
    flexible = [index for index, width in enumerate(widths) if width is None]
    rest = total - fixed
    if rest < 60 * len(flexible):  # a narrow frame: squeeze everything alike
        scale = total / (fixed + 60 * len(flexible))
        return [(width if width is not None else 60.0) * scale for width in widths]
    return [width if width is not None else rest / len(flexible) for width in widths]


def period_text(project: Project) -> str:
    """实施周期 as seed 000 prints it: 2023.1.1-2023.12.31."""
    def one(day) -> str:
        return f"{day.year}.{day.month}.{day.day}" if day else ""

    if not project.period_start and not project.period_end:
        return ""
    return f"{one(project.period_start)}-{one(project.period_end)}"


class PeriodParagraph(CellParagraph):
    """实施周期 that never breaks inside a date: one line when it fits the cell, else after the dash."""

    def __init__(self, project: Project, style) -> None:
        self.one_line = period_text(project)
        start, _dash, end = self.one_line.partition("-")
        self.two_lines = f"{start}-<br/>{end}" if end else self.one_line
        self.shown = self.one_line
        super().__init__(self.one_line, style)

    def wrap(self, available_width, available_height):
        style = self.style
        room = available_width - style.leftIndent - style.rightIndent
        wanted = self.one_line if stringWidth(self.one_line, style.fontName, style.fontSize) <= room else self.two_lines
        if wanted != self.shown:
            self.shown = wanted
            self._setup(wanted, style, None, None, cleanBlockQuotedText)
            self._wrapped_width = None
        return super().wrap(available_width, available_height)


def short_level(code: str) -> str:
    """二级 names as the merged cells of seed 000/002 print them inside running text: 社会效益."""
    name = level_name(code)
    return name[:-2] if name.endswith("指标") and len(name) > 4 else name


def default_funds(project: Project, only_general_budget: bool) -> Project:
    """A project with no fund breakdown, of a unit whose income is 一般公共预算 only: its whole amount
    is 本级财政 and 财政拨款 (the default the issue sets; rule P17 asks the clerk to confirm it)."""
    if not only_general_budget or project.amount is None or any(
            getattr(project, key) is not None for key in (*FUNDS_BY_LEVEL, "fiscal_appropriation",
                                                           "fiscal_special_account", "other_funds")):
        return project
    return replace(project, local_fiscal=project.amount, fiscal_appropriation=project.amount)


def fund_keys(project: Project) -> tuple[str, ...]:
    """The funding breakdown a project uses: by level (本级财政/上级资金, seed 000) or by nature
    (财政拨款/财政专户拨款, seed 002); 其他资金 belongs to both."""
    if any(getattr(project, key) is not None for key in FUNDS_BY_LEVEL):
        return (*FUNDS_BY_LEVEL, "other_funds")
    return ("fiscal_appropriation", "fiscal_special_account", "other_funds")


# ---- one project: 项目支出绩效目标表 ------------------------------------------------------------

def _indicator_body(indicators: Sequence[Indicator], styles: Styles) -> tuple[list[GridRow], list[Run]]:
    cell, center = styles.cell, styles.cell_center
    if not indicators:
        return [GridRow([paragraph("（未填写绩效指标）", center), "", "", "", "", ""],
                        [("SPAN", (0, 0), (-1, 0))])], []
    body = [GridRow(["", "", paragraph(ind.name, cell), paragraph(ind.description, cell),
                     paragraph(ind.display_value, center), paragraph(ind.basis, cell)]) for ind in indicators]
    level1, level2 = group_indicators(indicators)
    runs = [Run(0, group.start, group.count, BalancedCell(level_name(group.code), center)) for group in level1]
    runs += [Run(1, group.start, group.count, BalancedCell(level_name(group.code), center)) for group in level2]
    return body, runs


def _header_row(titles: Sequence[str], styles: Styles, when: str = ALWAYS) -> GridRow:
    return GridRow([BalancedCell(title, styles.cell_center) for title in titles], when=when)


def _goal_rows(project: Project, styles: Styles) -> list[GridRow]:
    spans = [("SPAN", (0, 0), (2, 0)), ("SPAN", (3, 0), (5, 0))]
    rows = []
    if project.period_goal and project.period_goal != project.annual_goal:
        rows.append(GridRow([paragraph("实施期总目标", styles.cell_center), "", "",
                             paragraph(project.period_goal, styles.cell), "", ""], spans, when=FIRST))
    rows.append(GridRow([paragraph("绩效目标", styles.cell_center), "", "",
                         paragraph(project.annual_goal, styles.cell), "", ""], spans, when=FIRST))
    return rows


def _project_field_rows(project: Project, ctx: PrintContext, styles: Styles) -> list[GridRow]:
    """The project's own fields above the indicators (the stand-alone form only)."""
    form = form_style(TARGETS_FORM)
    label, value, center, right = styles.cell_center, styles.cell, styles.cell_center, styles.cell_right
    pair = [("SPAN", (0, 0), (1, 0)), ("SPAN", (2, 0), (3, 0))]
    rows = [
        GridRow([paragraph("主管部门", label), "",
                 paragraph(project.competent_department or ctx.unit.competent_department, value), "",
                 paragraph("实施单位", label), paragraph(project.implementing_unit or ctx.unit.name, value)],
                pair, when=FIRST),
        GridRow([paragraph("项目属性", label), "", paragraph(project.attribute_name, value), "",
                 paragraph("实施周期", label), PeriodParagraph(project, value)], pair, when=FIRST),
    ]
    if project.manager or project.code:
        rows.append(GridRow([paragraph("项目负责人", label), "", paragraph(project.manager, value), "",
                             paragraph("项目编码", label), paragraph(project.code, value)], pair, when=FIRST))
    keys = fund_keys(project)
    titles = ["本年度预算安排数", *(FUND_LABELS[key] for key in keys)]
    amounts = [project.amount, *(getattr(project, key) for key in keys)]
    money_label = [("SPAN", (0, 0), (1, 1))]
    rows.append(GridRow([paragraph(f"项目资金（{ctx.money_unit}）", label), "",
                         *(paragraph(title, center) for title in titles)], money_label, when=FIRST))
    rows.append(GridRow(["", "", *(paragraph(form.amount(amount), right) for amount in amounts)], when=FIRST))
    if project.period_total is not None or project.executed_before is not None:
        rows.append(GridRow([paragraph("实施期资金", label), "", paragraph(
            f"实施期资金总额 {form.amount(project.period_total) or '—'}；"
            f"以前年度累计执行数 {form.amount(project.executed_before) or '—'}", value), "", "", ""],
            [("SPAN", (0, 0), (1, 0)), ("SPAN", (2, 0), (5, 0))], when=FIRST))
    return rows


def project_indicator_table(project: Project, ctx: PrintContext, styles: Styles, *, standalone: bool,
                            width: float | None = None) -> RunTable:
    """Seed 004's 项目支出绩效目标表 of one project. ``standalone``: with the unit line, the
    project's name (repeated on every page) and fields; otherwise bare as in the 情况说明."""
    width = width or frame_width(PORTRAIT)
    widths = _spread(_INDICATOR_WIDTHS, width)
    lead: list[GridRow] = []
    grid_from = 0
    if standalone:
        lead.append(unit_line_row(ctx, styles, width, 6))
        grid_from = 1
        lead.append(GridRow([paragraph("项目名称", styles.cell_center), "", paragraph(project.name, styles.cell),
                             "", "", ""], [("SPAN", (0, 0), (1, 0)), ("SPAN", (2, 0), (5, 0))]))
        lead += _project_field_rows(project, ctx, styles)
    lead += _goal_rows(project, styles)
    lead.append(_header_row(INDICATOR_HEADER, styles))
    body, runs = _indicator_body(project.indicators, styles)
    return RunTable(widths, lead, body, runs, base_commands(styles.body_font, grid_from=grid_from),
                    padding=CELL_PADDING, leading=CELL_LEADING, page_height=frame_height(PORTRAIT))


# ---- 项目支出绩效目标批复表 (seed 000) --------------------------------------------------------------

_APPROVAL_WIDTHS = (62.0, 72.0, None, 110.0, 112.0)


def attachment_line(form: FormStyle, styles: Styles) -> list[Flowable]:
    """“附件1” above the title where the form prints one."""
    return [Paragraph(form.attachment, styles.attachment)] if form.attachment else []


def approval_flowables(project: Project, ctx: PrintContext, styles: Styles, width: float | None = None) -> list[Flowable]:
    """Title, 年度, the project block, the indicators (merged 一级/二级 and 备注) and the signatures."""
    form = form_style(APPROVAL_FORM)
    width = width or frame_width(PORTRAIT)
    widths = _spread(_APPROVAL_WIDTHS, width)
    label, value, center, right = styles.cell_center, styles.cell, styles.cell_center, styles.cell_right
    unit = ctx.unit
    # 预算单位 by its name alone, as seed 000 prints it
    head = unit_line(ctx, styles, width, left=f"预算单位：{unit.name}", middle=f"填表人：{unit.preparer}",
                     right=f"联系方式：{unit.phone}")

    project = default_funds(project, ctx.only_general_budget)
    keys = fund_keys(project)
    rows: list[list] = [
        [paragraph("项目名称", label), paragraph(project.name, value), "", "", ""],
        [paragraph("主管部门", label), paragraph(project.competent_department or unit.competent_department, value), "",
         paragraph("项目实施单位", label), paragraph(project.implementing_unit or unit.name, value)],
        [paragraph("项目属性", label), paragraph(project.attribute_name, value), "",
         paragraph("项目实施周期", label), PeriodParagraph(project, value)],
        [paragraph("项目资金", label), "", paragraph("项目实施期资金总额", center),
         paragraph("以前年度累计执行数", center), paragraph("本年度预算安排数", center)],
        ["", paragraph(f"资金合计（{ctx.money_unit}）", value), paragraph(form.amount(project.period_total), right),
         paragraph(form.amount(project.executed_before), right), paragraph(form.amount(project.amount), right)],
    ]
    # Once a breakdown is given, its empty rows print 0 (seed 000: 上级资金 0, 其他资金 0) so the rows
    # visibly add up to 资金合计; with no breakdown at all they stay blank rather than guess one.
    given = any(getattr(project, key) is not None for key in keys)
    for number, key in enumerate(keys):
        amount = getattr(project, key)
        shown = form.amount(amount if amount is not None else Decimal(0)) if given else form.amount(amount)
        rows.append(["", paragraph(("其中：" if number == 0 else "") + FUND_LABELS[key], value), "", "",
                     paragraph(shown, right)])
    goals = []
    if project.period_goal:
        goals.append(f"实施期总目标：{project.period_goal}")
    goals.append(f"年度目标：{project.annual_goal}")
    goal_row = len(rows)
    rows.append([paragraph("实施期总目标和年度目标", label), paragraph("\n".join(goals), value), "", "", ""])
    commands = base_commands(styles.body_font) + [
        ("SPAN", (1, 0), (4, 0)), ("SPAN", (1, 1), (2, 1)), ("SPAN", (1, 2), (2, 2)),
        ("SPAN", (0, 3), (0, goal_row - 1)), ("SPAN", (1, goal_row), (4, goal_row)),
    ]
    block = Table(rows, colWidths=widths)
    block.setStyle(TableStyle(commands))

    cell = styles.cell
    lead = [GridRow([paragraph(f"项目名称：{project.name}（续）", cell), "", "", "", ""],
                    [("SPAN", (0, 0), (-1, 0))], when=CONTINUED),
            _header_row(("一级绩效指标", "二级绩效指标", "三级绩效指标(指标内容)", "年度指标值(带计量单位)", "备注"),
                        styles)]
    indicators = project.indicators
    if indicators:
        body = [GridRow(["", "", paragraph(ind.name, cell), paragraph(ind.display_value, center), ""])
                for ind in indicators]
        level1, level2 = group_indicators(indicators)
        runs = [Run(0, group.start, group.count, BalancedCell(level_name(group.code), center)) for group in level1]
        runs += [Run(1, group.start, group.count, BalancedCell(form.level2(group.code), center)) for group in level2]
        start = 0
        for index in range(1, len(indicators) + 1):  # 备注 (the sub-activity) merged over equal neighbours
            if index == len(indicators) or indicators[index].note != indicators[start].note:
                runs.append(Run(4, start, index - start, paragraph(indicators[start].note, center)))
                start = index
    else:
        body = [GridRow([paragraph("（未填写绩效指标）", center), "", "", "", ""], [("SPAN", (0, 0), (-1, 0))])]
        runs = []
    indicators_table = RunTable(widths, lead, body, runs, base_commands(styles.body_font),
                                padding=CELL_PADDING, leading=CELL_LEADING, page_height=frame_height(PORTRAIT))
    return [*attachment_line(form, styles), Paragraph(APPROVAL_TITLE, styles.title),
            Paragraph(f"（{ctx.year}年度）", styles.subtitle),
            head, Spacer(1, 4), DrawnOnce(block), indicators_table, signature_table(styles, widths[0] + widths[1], width)] + (
        [Paragraph(f"数据包密钥指纹：{ctx.fingerprint}", styles.cell_right)] if ctx.fingerprint else [])


def signature_table(styles: Styles, label: float, width: float) -> Flowable:
    """预算单位签字 / 主管部门审核签字 / 财政部门审核签字, each signer with 年 月 日; kept on one page."""
    date_style = styles.cell_right
    rows = []
    for title, left, right in SIGNATURES:
        rows.append([paragraph(title, styles.cell_center),
                     [paragraph(left, styles.cell), Spacer(1, 26), TextCell(DATE_BLANKS, date_style)],
                     [paragraph(right, styles.cell), Spacer(1, 26), TextCell(DATE_BLANKS, date_style)]])
    table = Table(rows, colWidths=[label, (width - label) / 2, (width - label) / 2])
    table.setStyle(TableStyle(base_commands(styles.body_font) + [
        ("VALIGN", (1, 0), (-1, -1), "TOP"), ("RIGHTPADDING", (1, 0), (-1, -1), 18),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return KeepTogether([DrawnOnce(table)])


# ---- 项目支出绩效目标表（含转移支付项目） (seed 002) -------------------------------------------------

_SUMMARY_WIDTHS = (110.0, 54.0, 54.0, 58.0, 54.0, 176.0, None)


def _sum(values: Sequence[Decimal | None]) -> Decimal | None:
    """Σ of the filled values; None (printed blank) when none is filled."""
    filled = [value for value in values if value is not None]
    return sum(filled, Decimal("0.00")) if filled else None


def indicator_sentence(number: int, indicator: Indicator) -> str:
    """Seed 002's running text: 1、2-效益指标；22-社会效益；name；实施周期指标值：…；年度指标值：…"""
    parts = [f"{number}、{indicator.level1}-{level_name(indicator.level1)}",
             f"{indicator.level2}-{short_level(indicator.level2)}", indicator.name]
    # Seed 002 prints both values always; a one-year project's period value is its annual value.
    parts.append(f"实施周期指标值：{indicator.period_value or indicator.display_value}")
    parts.append(f"年度指标值：{indicator.display_value}")
    return "；".join(parts) + "。"


def summary_groups(projects: Sequence[Project], unit_name: str) -> list[tuple[str, list[Project]]]:
    """Projects by 资金使用单位 (实施单位; the department itself where blank), first appearance order."""
    groups: dict[str, list[Project]] = {}
    for project in projects:
        groups.setdefault(project.implementing_unit or unit_name, []).append(project)
    return list(groups.items())


def summary_table(projects: Sequence[Project], ctx: PrintContext, styles: Styles,
                  width: float | None = None) -> RunTable:
    form = form_style(SUMMARY_FORM)
    width = width or frame_width(LANDSCAPE)
    widths = _spread(_SUMMARY_WIDTHS, width)
    small, center, right = styles.small, styles.small_center, styles.small_right
    lead = [unit_line_row(ctx, styles, width, 7, left=f"部门名称：{ctx.unit.name}（部门）", middle="",
                          right=f"单位：{ctx.money_unit}"),
            GridRow([paragraph(title, center) for title in
                     ("项目名称（资金使用单位）", *(title for _key, title in SUMMARY_FUNDS), "绩效目标", "绩效指标")])]
    body: list[GridRow] = []
    runs: list[Run] = []

    def totals_row(title: str, members: Sequence[Project], shade: bool) -> GridRow:
        amounts = [form.amount(_sum([getattr(project, key) for project in members])) for key, _title in SUMMARY_FUNDS]
        commands = [("BACKGROUND", (0, 0), (-1, 0), SHADE)] if shade else []
        return GridRow([paragraph(title, small), *(paragraph(amount, right) for amount in amounts), "", ""],
                       commands + [("SPAN", (5, 0), (6, 0))], keep_with_next=True)

    projects = [default_funds(project, ctx.only_general_budget) for project in projects]
    body.append(totals_row("合计", projects, True))
    for group, members in summary_groups(projects, ctx.unit.name):
        body.append(totals_row(group, members, False))
        for project in members:
            start = len(body)
            # One 绩效指标 cell per project (seed 002); RunTable divides it between pages only when the
            # row is taller than a page.
            texts = ["".join(indicator_sentence(number, ind) for number, ind in enumerate(project.indicators, start=1))]
            head = [paragraph(project.name, small),
                    *(paragraph(form.amount(getattr(project, key)), right) for key, _title in SUMMARY_FUNDS),
                    paragraph(project.annual_goal, small)]
            if len(texts) == 1:  # taller than a page: continues with the name marked （续）, amounts not repeated
                body.append(GridRow([*head, paragraph(texts[0], small)],
                                    continued={0: paragraph(f"{project.name}（续）", small)}))
                continue
            body += [GridRow(["", "", "", "", "", "", paragraph(text, small)]) for text in texts]
            # The project's name, amounts and goal merge over its rows of indicators (so a long list
            # can break between pages); where it continues, the name is repeated with （续） and the
            # amounts are not printed twice.
            continued = {0: paragraph(f"{project.name}（续）", small)}
            for column, cell in enumerate(head):
                runs.append(Run(column, start, len(texts), cell, continued.get(column, "")))
    commands = base_commands(styles.body_font, SMALL_SIZE, SMALL_LEADING, grid_from=1)
    return RunTable(widths, lead, body, runs, commands, padding=CELL_PADDING, leading=SMALL_LEADING,
                    page_height=frame_height(LANDSCAPE))


# ---- 部门整体绩效目标 --------------------------------------------------------------------------------

_OVERALL_WIDTHS = (110.0, None, 150.0, 80.0)


def overall_table(targets: OverallTargets, ctx: PrintContext, styles: Styles, width: float | None = None) -> RunTable:
    width = width or frame_width(PORTRAIT)
    widths = _spread(_OVERALL_WIDTHS, width)
    cell, center = styles.cell, styles.cell_center
    lead = [unit_line_row(ctx, styles, width, 4),
            GridRow([paragraph("总体绩效目标", center), paragraph(targets.goal or "", cell), "", ""],
                    [("SPAN", (1, 0), (-1, 0))], when=FIRST),
            _header_row(("分项绩效目标", "绩效目标", "绩效指标", "指标值"), styles)]
    indicators = targets.indicators
    if not indicators:
        body = [GridRow([paragraph("（未填写分项绩效目标）", center), "", "", ""], [("SPAN", (0, 0), (-1, 0))])]
        runs: list[Run] = []
    else:
        body = [GridRow(["", paragraph(ind.description, cell), paragraph(ind.name, cell),
                         paragraph(ind.display_value, center)]) for ind in indicators]
        runs = [Run(0, start, count, paragraph(name, center))
                for name, start, count in overall_groups(indicators)]
    return RunTable(widths, lead, body, runs, base_commands(styles.body_font, grid_from=1),
                    padding=CELL_PADDING, leading=CELL_LEADING, page_height=frame_height(PORTRAIT))
