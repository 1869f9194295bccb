"""Printable sections: the unit the document is assembled from.

A section knows its page orientation, its entries in the 目录 (and PDF outline), and its
flowables. The document only strings sections together, so further kinds (the 绩效目标表, 政府采购
and 固定资产 tables in ``app.printing.projects``) are new ``Section`` implementations, not changes to
the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from reportlab.lib import colors
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Paragraph, Spacer, Table
from reportlab.platypus.tables import TableStyle

from app.domain.compute import FormView
from app.printing.markup import escape
from app.printing.procurement import assets_flowables, procurement_flowables
from app.printing.remainder import PartsOf
from app.printing.styles import CELL_PAD_X, LANDSCAPE, PORTRAIT, PrintContext, Styles, frame_width
from app.printing.tables import FormTable
from app.printing.targets import project_indicator_table
from app.projects import ProjectBook, narrative


@dataclass(frozen=True)
class ContentsEntry:
    level: int  # 0 = part heading (no page number), 1 = an entry with its page
    text: str
    mark: str | None = None


class Section(Protocol):
    key: str

    def orientation(self) -> str: ...

    def contents(self) -> list[ContentsEntry]: ...

    def flowables(self) -> list[Flowable]: ...


@dataclass
class Part:
    """A group of sections with a heading in the 目录 (部门预算公开表, 情况说明 …)."""

    title: str
    sections: list[Section] = field(default_factory=list)


def mark(flowable: Flowable, key: str) -> Flowable:
    """Tag a flowable whose page the 目录 and the PDF outline point at."""
    flowable.bd_mark = key
    return flowable


class FormSection:
    """One official table."""

    def __init__(self, view: FormView, ctx: PrintContext, styles: Styles, parts_of: PartsOf | None = None) -> None:
        self.key = f"form:{view.form.id}"
        self.table = FormTable(view, ctx, styles, parts_of)

    def orientation(self) -> str:
        return self.table.orientation()

    def contents(self) -> list[ContentsEntry]:
        return [ContentsEntry(1, self.table.form.title, self.key)]

    def flowables(self) -> list[Flowable]:
        return self.table.flowables(frame_width(self.orientation()), mark=self.key)


class StatementSection:
    """The 情况说明: generated (or clerk-edited) text from ``app.projects.narrative``."""

    key = "narrative"

    def __init__(self, dataset, ctx: PrintContext, styles: Styles, previous=narrative.AUTO, charts: bool = False) -> None:
        self.dataset = dataset
        self.charts = charts
        self.ctx = ctx
        self.styles = styles
        self.sections = narrative.sections(dataset, previous)
        self._headings = self._number_headings()

    @property
    def title(self) -> str:
        return f"{self.ctx.unit.name}{self.ctx.year}年部门预算信息公开情况说明"

    def _number_headings(self) -> dict[str, str]:
        return narrative.numbered_headings(self.sections)

    def orientation(self) -> str:
        return PORTRAIT

    def contents(self) -> list[ContentsEntry]:
        return [ContentsEntry(1, self._headings[s.key], f"narrative:{s.key}") for s in self.sections if s.level == 1]

    def _organization_table(self) -> list[Flowable]:
        unit = self.ctx.unit
        children = [other for other in self.dataset.store.list_units() if other.parent_code == unit.code]
        cell, head = self.styles.cell, self.styles.cell_center
        rows = [[Paragraph(title, head) for title in ("单位名称", "单位性质", "单位规格", "经费保障形式")]]
        for index, member in enumerate([unit, *children]):
            name = f"{member.name}（本级）" if index == 0 else member.name
            rows.append([Paragraph(escape(text), cell if column == 0 else head) for column, text in
                         enumerate((name, member.nature, member.rank, member.funding_form))])
        width = frame_width(PORTRAIT)
        table = Table(rows, colWidths=[width * 0.4, width * 0.16, width * 0.16, width * 0.28], repeatRows=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.styles.body_font),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ]))
        return [Spacer(1, 4), Paragraph("部门机构设置情况", self.styles.cell_center), Spacer(1, 3), table, Spacer(1, 6)]

    def _project_tables(self, book: ProjectBook) -> list[Flowable]:
        """第三部分 of 五、预算绩效信息: each project's 绩效目标表, numbered, as seed 004 prints them."""
        items: list[Flowable] = []
        for number, project in enumerate(book.read_projects_plain(), start=1):
            items += [Paragraph(escape(f"{number}、{project.name}绩效目标表"), self.styles.caption),
                      project_indicator_table(project, self.ctx, self.styles, standalone=False), Spacer(1, 6)]
        return items

    def _procurement_table(self, book: ProjectBook) -> list[Flowable]:
        items = book.list_procurement()
        if not items:
            return []
        title, table, note = procurement_flowables(items, book.read_projects_plain(), book.procurement_totals(),
                                                   book.procurement_subtotals(), self.ctx, self.styles,
                                                   title="部门政府采购预算")
        return [Spacer(1, 4), title, table, note]

    def _assets_table(self, book: ProjectBook) -> list[Flowable]:
        table = book.assets()
        return [] if table.is_empty() else [Spacer(1, 4), *assets_flowables(table, self.ctx, self.styles)]

    def _line(self, section_key: str, line: str) -> Paragraph:
        # 第一部分 部门整体绩效目标 …: sub-headings of 五、预算绩效信息, not indented prose.
        if section_key == "performance" and line in narrative.PERFORMANCE_PARTS:
            return Paragraph(escape(line), self.styles.part_heading)
        return Paragraph(escape(line), self.styles.text)

    def flowables(self) -> list[Flowable]:
        styles = self.styles
        book = ProjectBook(self.dataset)
        items: list[Flowable] = [mark(Paragraph(escape(self.title), styles.narrative_title), self.key)]
        for section in self.sections:
            extra: list[Flowable] = []
            if section.key == "organization":
                extra = self._organization_table()
            elif section.key == "performance":
                extra = self._project_tables(book)
            elif section.key == "procurement":
                extra = self._procurement_table(book)
            elif section.key == "assets":
                extra = self._assets_table(book)
            elif section.key == "expenditure" and self.charts:
                # deferred: reportlab.graphics, loaded only when the charts are printed
                from app.printing.charts import overview_charts

                drawing = overview_charts(self.dataset, frame_width(PORTRAIT), styles.body_font, self.ctx.money_unit)
                extra = [Spacer(1, 4), drawing] if drawing is not None else []
            wide = section.key == "procurement" and bool(extra)
            if wide:  # the 16-column 政府采购预算表 needs a landscape page; its heading goes with it
                items += [NextPageTemplate(LANDSCAPE), PageBreak()]
            if section.level == 1:
                items.append(mark(Paragraph(escape(self._headings[section.key]), styles.heading1),
                                  f"narrative:{section.key}"))
            elif section.level == 2:
                items.append(Paragraph(escape(self._headings[section.key]), styles.heading2))
            for line in section.text.split("\n"):
                if line.strip():
                    items.append(self._line(section.key, line.strip()))
            items += extra
            if wide:
                items += [NextPageTemplate(PORTRAIT), PageBreak()]
        return items
