"""基础信息 and 测算 worksheets to sign: 人员情况表 and 车辆情况表 (counts by 类别; the names list only when
asked) and the 基本支出测算表 (each economic code's 测算 with its formula beside the typed figure)."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.base.money import format_amount
from app.base.progress import Progress, step
from app.basic.book import BasicInfoBook
from app.basic.estimate import BASIC_FORM, Estimate, estimate_dataset
from app.basic.records import STAFF_CATEGORIES, VEHICLE_PURPOSES
from app.basic.standards import Standards
from app.printing.document import build_numbered
from app.printing.fonts import print_fonts
from app.printing.styles import LANDSCAPE

_GRID = [("GRID", (0, 0), (-1, -1), 0.5, "#000000"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
         ("BACKGROUND", (0, 0), (-1, 0), "#eef2f6")]


class _Styles:
    def __init__(self) -> None:
        fonts = print_fonts()
        self.font = fonts.body.name
        self.title = ParagraphStyle("title", fontName=fonts.heading.name, fontSize=16, leading=22, alignment=1)
        self.line = ParagraphStyle("line", fontName=self.font, fontSize=10, leading=14)
        self.cell = ParagraphStyle("cell", fontName=self.font, fontSize=9, leading=11.5)
        self.number = ParagraphStyle("number", parent=self.cell, alignment=2)

    def table(self, rows: list[list], widths: list[float], *, header: bool = True) -> Table:
        cells = [[Paragraph(str(text), self.number if isinstance(text, _Number) else self.cell) for text in row]
                 for row in rows]
        table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
        grid = _GRID if header else _GRID[:2]
        table.setStyle(TableStyle([*grid, ("FONTNAME", (0, 0), (-1, -1), self.font)]))  # never Helvetica
        return table

    def signed(self, rows: list[list], widths: list[float], *, keep: int = 1) -> list:
        """The worksheet's last table and the signature line under it. The last ``keep`` rows (the 合计) go
        onto the page of the signature, so the signature never stands alone on a page of its own."""
        keep = min(keep, len(rows) - 2)
        if keep < 1:
            return [KeepTogether([self.table(rows, widths), Spacer(1, 8 * mm), _signature(self)])]
        return [self.table(rows[:-keep], widths),
                KeepTogether([self.table(rows[-keep:], widths, header=False), Spacer(1, 8 * mm), _signature(self)])]


class _Number(str):
    """A cell printed right-aligned."""


def _signature(styles: _Styles) -> Table:
    """The line the worksheet is signed on (a table: a paragraph would close up the blanks)."""
    cells = [[Paragraph(text, styles.line) for text in ("单位负责人：", "财务负责人：", "填表人：", "日期：")]]
    table = Table(cells, colWidths=[65 * mm] * 4)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.font)]))
    return table


def _yuan(amount: Decimal) -> _Number:
    return _Number(f"{amount:,.2f}")


def staff_story(dataset, styles: _Styles, *, names: bool) -> list:
    staff = BasicInfoBook(dataset).content().staff
    counts = Counter(person.category for person in staff)
    story: list = [Paragraph(f"{dataset.year} 年度人员情况表", styles.title), Spacer(1, 4 * mm),
                   Paragraph(f"单位：{dataset.unit.code} {dataset.unit.name}　　计量单位：人、元", styles.line), Spacer(1, 2 * mm)]
    rows: list[list] = [["人员类别", "人数", "月基本工资合计", "月津贴补贴合计", "年奖金或绩效工资合计"]]
    for category in STAFF_CATEGORIES:
        group = [person for person in staff if person.category == category]
        rows.append([category, _Number(counts[category]),
                     _yuan(sum((p.basic_pay for p in group), Decimal(0))),
                     _yuan(sum((p.allowance for p in group), Decimal(0))),
                     _yuan(sum((p.bonus for p in group), Decimal(0)))])
    rows.append(["合计", _Number(len(staff)), _yuan(sum((p.basic_pay for p in staff), Decimal(0))),
                 _yuan(sum((p.allowance for p in staff), Decimal(0))),
                 _yuan(sum((p.bonus for p in staff), Decimal(0)))])
    widths = [40 * mm, 20 * mm, 38 * mm, 38 * mm, 44 * mm]
    if not names:
        return [*story, *styles.signed(rows, widths)]
    story.append(styles.table(rows, widths))
    story += [Spacer(1, 5 * mm), Paragraph("人员名单", styles.line), Spacer(1, 2 * mm)]
    listed: list[list] = [["序号", "姓名", "人员类别", "编制类型", "职务或岗位等级", "基本工资（月）", "津贴补贴（月）",
                           "奖金或绩效（年）"]]
    for number, person in enumerate(staff, start=1):
        listed.append([_Number(number), person.name, person.category, person.staffing, person.grade,
                       _yuan(person.basic_pay), _yuan(person.allowance),
                       _yuan(person.bonus)])
    story += styles.signed(listed, [12 * mm, 24 * mm, 22 * mm, 26 * mm, 32 * mm, 30 * mm, 30 * mm, 32 * mm])
    return story


def vehicles_story(dataset, styles: _Styles, *, names: bool) -> list:
    vehicles = BasicInfoBook(dataset).content().vehicles
    story: list = [Paragraph(f"{dataset.year} 年度车辆情况表", styles.title), Spacer(1, 4 * mm),
                   Paragraph(f"单位：{dataset.unit.code} {dataset.unit.name}　　计量单位：辆", styles.line), Spacer(1, 2 * mm)]
    rows: list[list] = [["用途", "编制内", "编制外", "合计"]]
    for purpose in VEHICLE_PURPOSES:
        inside = sum(1 for v in vehicles if v.purpose == purpose and v.in_establishment)
        outside = sum(1 for v in vehicles if v.purpose == purpose and not v.in_establishment)
        rows.append([purpose, _Number(inside), _Number(outside), _Number(inside + outside)])
    inside = sum(1 for v in vehicles if v.in_establishment)
    rows.append(["合计", _Number(inside), _Number(len(vehicles) - inside), _Number(len(vehicles))])
    widths = [60 * mm, 35 * mm, 35 * mm, 35 * mm]
    if not names:
        return [*story, *styles.signed(rows, widths)]
    story.append(styles.table(rows, widths))
    story += [Spacer(1, 5 * mm), Paragraph("车辆明细", styles.line), Spacer(1, 2 * mm)]
    listed: list[list] = [["序号", "号牌", "用途", "是否编制内", "购置年份"]]
    for number, vehicle in enumerate(vehicles, start=1):
        listed.append([_Number(number), vehicle.plate, vehicle.purpose, "是" if vehicle.in_establishment else "否",
                       vehicle.purchase_year or ""])
    story += styles.signed(listed, [15 * mm, 35 * mm, 50 * mm, 30 * mm, 30 * mm])
    return story


def estimate_story(dataset, estimate: Estimate, styles: _Styles) -> list:
    standards: Standards = estimate.standards
    story: list = [Paragraph(f"{dataset.year} 年度基本支出测算表", styles.title), Spacer(1, 4 * mm),
                   Paragraph(f"单位：{dataset.unit.code} {dataset.unit.name}　　金额单位：{dataset.money_unit}", styles.line),
                   Paragraph(f"测算标准：{standards.title}（来源：{standards.source}）；在职 {estimate.staff_count} 人，"
                             f"离退休 {estimate.retired_count} 人，车辆 {estimate.vehicle_count} 辆；单位类别："
                             f"{estimate.unit_class}", styles.line), Spacer(1, 2 * mm)]
    rows: list[list] = [["科目编码", "科目名称", "测算数", "填报数", "差额", "测算公式"]]
    for line in estimate.lines:
        estimated = estimate.amount(line.code)
        typed = dataset.value(BASIC_FORM, line.code, line.column)
        rows.append([line.code, line.name, _Number(format_amount(estimated, grouping=True)),
                     _Number(format_amount(typed, grouping=True)),
                     _Number(format_amount((typed or Decimal(0)) - estimated, grouping=True)), line.formula])
    rows.append(["", "人员经费合计", _Number(format_amount(estimate.total("personnel"), grouping=True)), "", "", ""])
    rows.append(["", "公用经费合计", _Number(format_amount(estimate.total("public"), grouping=True)), "", "", ""])
    story += styles.signed(rows, [18 * mm, 40 * mm, 22 * mm, 22 * mm, 22 * mm, 143 * mm], keep=2)
    return story


def render_basic_worksheets(dataset, standards: Standards, *, names: bool = False,
                            progress: Progress | None = None) -> bytes:
    """人员情况表, 车辆情况表 and 基本支出测算表 in one PDF (A4 landscape, 第 x 页 共 y 页) to sign, in memory.
    ``progress`` hears of each page and raises ``Cancelled`` at 取消."""
    styles = _Styles()
    step(progress, 0, 0, "正在测算基本支出……")
    estimate = estimate_dataset(dataset, standards)
    story = [*staff_story(dataset, styles, names=names), PageBreak(), *vehicles_story(dataset, styles, names=names),
             PageBreak(), *estimate_story(dataset, estimate, styles)]
    buffer = io.BytesIO()
    build_numbered(buffer, story, template=LANDSCAPE, progress=progress,
                   title=f"{dataset.unit.name} {dataset.year} 年度基础信息与基本支出测算", author=dataset.unit.name)
    return buffer.getvalue()


def print_basic_worksheets(dataset, standards: Standards, out: str | Path, *, names: bool = False) -> Path:
    """The worksheets (``render_basic_worksheets``) written to ``out``."""
    out = Path(out)
    out.write_bytes(render_basic_worksheets(dataset, standards, names=names))
    return out
