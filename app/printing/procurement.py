"""The 政府采购预算表 and the 部门固定资产占用情况表 (seed 004 §六 and §七) from ``ProjectBook`` data.

Both are ordinary ruled tables whose header rows repeat on every page (``repeatRows``); their rows
merge nothing across rows, so reportlab's own splitting is right for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.platypus import Flowable, Paragraph, Table
from reportlab.platypus.tables import TableStyle

from app.printing.form_style import form_style
from app.printing.grid import DrawnOnce, TextTable, paragraph
from app.printing.styles import (
    CELL_LEADING,
    CELL_SIZE,
    LANDSCAPE,
    PORTRAIT,
    SMALL_LEADING,
    SMALL_SIZE,
    PrintContext,
    Styles,
    frame_width,
)
from app.printing.tables import unit_line
from app.printing.targets import SHADE, base_commands
from app.projects import (
    ASSET_ROWS,
    PROCUREMENT_FUNDS,
    AssetTable,
    ProcurementItem,
    ProcurementTotals,
    Project,
    decimal_text,
)

PROCUREMENT_TITLE = "政府采购预算表"
PROCUREMENT_NOTE = "注：同一采购目录序号的物品，其单价会因配置规格不同而变动，均符合资产配置标准。涉密采购事项按照相关规定执行。"
PROCUREMENT_EMPTY_NOTE = "注：本部门无政府采购预算，空表列示。"
ASSETS_TITLE = "部门固定资产占用情况表"
ASSETS_EMPTY_NOTE = "注：本部门未填报固定资产占用情况，空表列示。"
# 项目名称, 预算资金, 采购物品名称, 目录序号, 计量单位, 数量, 单价, 合计, seven fund columns, 预留中小微企业份额
_PROCUREMENT_WIDTHS = (82.0, 44.0, 76.0, 54.0, 30.0, 30.0, 44.0, 46.0, *(44.0,) * len(PROCUREMENT_FUNDS), 51.0)
_LABEL_COLUMNS = 7  # 合计/小计 labels span the columns before the amounts


def procurement_groups(items: Sequence[ProcurementItem], projects: Sequence[Project],
                       unit_name: str) -> list[tuple[str, list[ProcurementItem]]]:
    """Rows per 小计 unit, as ``ProjectBook.procurement_subtotals`` groups them: the source project's
    实施单位, the department itself (本级) where that is blank; first-appearance order."""
    units = {project.id: project.implementing_unit for project in projects}
    own = f"{unit_name}（本级）"
    groups: dict[str, list[ProcurementItem]] = {}
    for item in items:
        groups.setdefault(units.get(item.project_id) or own, []).append(item)
    return list(groups.items())


def procurement_table(items: Sequence[ProcurementItem], projects: Sequence[Project], total: ProcurementTotals,
                      subtotals: Sequence[tuple[str, ProcurementTotals]], ctx: PrintContext, styles: Styles,
                      width: float | None = None) -> Table:
    """Unit line, the two header rows, 合计, then each unit's 小计 and its rows."""
    amount_text = form_style("procurement").amount  # the form's number format (print_styles.json)
    width = width or frame_width(LANDSCAPE)
    scale = width / sum(_PROCUREMENT_WIDTHS)
    widths = [column * scale for column in _PROCUREMENT_WIDTHS]
    small, center, right = styles.small, styles.small_center, styles.small_right
    ncols = len(widths)
    funds = [label for _key, label in PROCUREMENT_FUNDS]
    first = ["政府采购项目来源", "", "采购物品名称", "政府采购目录序号", "计量单位", "数量", "单价",
             "政府采购金额（当年部门预算安排资金）", *[""] * len(funds), f"{ctx.year}年预留中小微企业份额"]
    second = ["项目名称", "预算资金", "", "", "", "", "", "合计", *funds, ""]
    data: list[list] = [[unit_line(ctx, styles, width)] + [""] * (ncols - 1),
                        [paragraph(text, center) if text else "" for text in first],
                        [paragraph(text, center) if text else "" for text in second]]
    commands = base_commands(styles.body_font, SMALL_SIZE, SMALL_LEADING, grid_from=1) + [
        ("SPAN", (0, 0), (-1, 0)), ("LEFTPADDING", (0, 0), (-1, 0), 0), ("RIGHTPADDING", (0, 0), (-1, 0), 0),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 5), ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("SPAN", (0, 1), (1, 1)), ("SPAN", (7, 1), (7 + len(funds), 1)), ("SPAN", (ncols - 1, 1), (ncols - 1, 2)),
        *[("SPAN", (column, 1), (column, 2)) for column in range(2, 7)],
    ]

    def totals(label: str, figures: ProcurementTotals, shade: bool) -> None:
        row = len(data)
        data.append([paragraph(label, small), *[""] * (_LABEL_COLUMNS - 1),
                     *(paragraph(amount_text(value), right) for value in
                       (figures.total, *(figures.funds[key] for key, _label in PROCUREMENT_FUNDS), figures.sme_reserved))])
        commands.append(("SPAN", (0, row), (_LABEL_COLUMNS - 1, row)))
        if shade:
            commands.append(("BACKGROUND", (0, row), (-1, row), SHADE))

    by_id = {project.id: project for project in projects}
    if items:
        totals("合计", total, True)
        figures = dict(subtotals)
        for label, members in procurement_groups(items, projects, ctx.unit.name):
            totals(f"{label}小计", figures[label], False)
            for item in members:
                project = by_id.get(item.project_id)
                data.append([
                    paragraph(project.name if project else "", small),
                    paragraph(amount_text(project.amount) if project else "", right),
                    paragraph(item.item_name, small), paragraph(item.catalogue_code, center),
                    paragraph(item.measure_unit, center), paragraph(decimal_text(item.quantity) or "", right),
                    paragraph(amount_text(item.unit_price), right),
                    *(paragraph(amount_text(value), right) for value in
                      (item.total, *(getattr(item, key) for key, _label in PROCUREMENT_FUNDS), item.sme_reserved)),
                ])
    table = TextTable(data, colWidths=widths, repeatRows=3, hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    return table


def procurement_flowables(items: Sequence[ProcurementItem], projects: Sequence[Project], total: ProcurementTotals,
                          subtotals: Sequence[tuple[str, ProcurementTotals]], ctx: PrintContext, styles: Styles,
                          title: str = PROCUREMENT_TITLE) -> list[Flowable]:
    note = PROCUREMENT_NOTE if items else PROCUREMENT_EMPTY_NOTE
    return [Paragraph(title, styles.title), DrawnOnce(procurement_table(items, projects, total, subtotals, ctx, styles)),
            Paragraph(note, styles.note)]


def procurement_total(total: ProcurementTotals) -> Decimal:
    return total.total if total.total is not None else Decimal("0.00")


def assets_flowables(table: AssetTable, ctx: PrintContext, styles: Styles, width: float | None = None) -> list[Flowable]:
    """Title, unit line, 截止时间, then 资产总额 and the fixed rows with 数量 and 价值."""
    amount_text = form_style("assets").amount  # the form's number format (print_styles.json)
    width = width or frame_width(PORTRAIT)
    widths = [width * 0.5, width * 0.2, width * 0.3]
    cell, center, right = styles.cell, styles.cell_center, styles.cell_right
    as_of = table.as_of.isoformat() if table.as_of else ""
    data: list[list] = [
        [unit_line(ctx, styles, width), "", ""],
        [paragraph(f"截止时间：{as_of}", styles.unit_left), "", ""],
        [paragraph("项目", center), paragraph("数量", center), paragraph(f"价值（金额单位：{ctx.money_unit}）", center)],
        [paragraph("资产总额", cell), paragraph("--", center), paragraph(amount_text(table.total_value), right)],
    ]
    for key, label, _whole in ASSET_ROWS:
        line = table.line(key)
        data.append([paragraph(label, cell), paragraph(decimal_text(line.quantity) or "", right),
                     paragraph(amount_text(line.value), right)])
    commands = base_commands(styles.body_font, CELL_SIZE, CELL_LEADING, grid_from=2) + [
        ("SPAN", (0, 0), (-1, 0)), ("SPAN", (0, 1), (-1, 1)),
        ("LEFTPADDING", (0, 0), (-1, 1), 0), ("RIGHTPADDING", (0, 0), (-1, 1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, 1), 4), ("VALIGN", (0, 0), (-1, 1), "BOTTOM"),
    ]
    grid = TextTable(data, colWidths=widths, repeatRows=3, hAlign="CENTER")
    grid.setStyle(TableStyle(commands))
    items: list[Flowable] = [Paragraph(ASSETS_TITLE, styles.title), DrawnOnce(grid)]
    if table.is_empty():
        items.append(Paragraph(ASSETS_EMPTY_NOTE, styles.note))
    return items


__all__ = ["ASSETS_TITLE", "PROCUREMENT_TITLE", "assets_flowables", "procurement_flowables", "procurement_groups",
           "procurement_table", "procurement_total"]
