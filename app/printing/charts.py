"""Small charts for 二、部门预算安排的总体情况 (a print option, off by default): 收入 by source, 支出 by
基本/项目, 基本支出 by 人员/公用 — drawn with reportlab's own graphics, amounts from the named quantities.

Chart geometry is in points and carries no money: the slices are the exact amounts converted to
float only to draw them; every printed figure beside them is the formatted Decimal.
"""

from __future__ import annotations

from decimal import Decimal

from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from app.base.money import format_amount
from app.domain import quantities

_COLOURS = (colors.HexColor("#4472C4"), colors.HexColor("#ED7D31"), colors.HexColor("#A5A5A5"),
            colors.HexColor("#FFC000"), colors.HexColor("#5B9BD5"), colors.HexColor("#70AD47"))


def chart_parts(dataset) -> list[tuple[str, list[tuple[str, Decimal]]]]:
    """(caption, [(label, amount)]) for each chart; parts that are all zero are left out."""
    income_total = quantities.quantity_def("income_total")
    view = dataset.view(income_total.form)
    income = [(row.title.split("、", 1)[-1], view.value(row.key, income_total.column) or Decimal(0))
              for row in view.rows if row.side == "income" and row.band == "body" and not row.is_total]
    personnel_public = dataset.view(quantities.quantity_def("operating_costs").form)
    charts = [
        ("收入结构", [(label, amount) for label, amount in income if amount]),
        ("支出结构", [("基本支出", quantities.value(dataset, "basic")), ("项目支出", quantities.value(dataset, "project"))]),
        ("基本支出结构", [("人员经费", personnel_public.value("total", "personnel") or Decimal(0)),
                      ("公用经费", quantities.value(dataset, "operating_costs"))]),
    ]
    return [(caption, [(label, amount) for label, amount in parts if amount > 0]) for caption, parts in charts
            if any(amount > 0 for _label, amount in parts)]


def overview_charts(dataset, width: float, font: str, money_unit: str) -> Drawing | None:
    parts = chart_parts(dataset)
    if not parts:
        return None
    cell = width / len(parts)
    drawing = Drawing(width, 150)
    drawing.initialFontName = font  # the drawing's default, Helvetica, is a font the PDF would not carry
    for index, (caption, slices) in enumerate(parts):
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = index * cell + (cell - 70) / 2, 52, 70, 70
        pie.data = [float(amount) for _label, amount in slices]  # drawing only; figures print as Decimal
        pie.labels = None
        pie.slices.strokeWidth = 0.5
        for number in range(len(slices)):
            pie.slices[number].fillColor = _COLOURS[number % len(_COLOURS)]
        drawing.add(pie)
        drawing.add(String(index * cell + cell / 2, 132, caption, fontName=font, fontSize=10, textAnchor="middle"))
        for number, (label, amount) in enumerate(slices[:4]):
            y = 40 - number * 11
            drawing.add(String(index * cell + 8, y, f"■ {label} {format_amount(amount)}{money_unit}", fontName=font,
                               fontSize=7.5, fillColor=_COLOURS[number % len(_COLOURS)]))
    return drawing
