"""Sections for the project part of the budget: 绩效目标表, 批复表, the department-wide 汇总表,
部门整体绩效目标, 政府采购预算表 and 部门固定资产占用情况表.

They print like the official tables (``--forms`` ids, see ``EXTRA_SECTIONS``), from a
``ProjectBook`` over the dataset. ``project_parts`` is what ``build_document`` calls; the same
tables also print inside the 情况说明 (五/六/七, see ``StatementSection``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reportlab.platypus import Flowable, Paragraph

from app.base.errors import InputError
from app.printing.markup import escape
from app.printing.procurement import ASSETS_TITLE, PROCUREMENT_TITLE, assets_flowables, procurement_flowables
from app.printing.sections import ContentsEntry, Part, Section, mark
from app.printing.styles import LANDSCAPE, PORTRAIT, PrintContext, Styles, frame_width
from app.printing.tables import unit_line
from app.printing.targets import (
    APPROVAL_FORM,
    APPROVAL_TITLE,
    SUMMARY_FORM,
    SUMMARY_TITLE,
    TARGETS_FORM,
    approval_flowables,
    overall_table,
    project_indicator_table,
    summary_table,
)
from app.projects import Project, ProjectBook

OVERALL_TARGETS = "overall_targets"
PROJECT_TARGETS_SUMMARY = SUMMARY_FORM
PROJECT_TARGETS = TARGETS_FORM
PROJECT_APPROVAL = APPROVAL_FORM
PROCUREMENT = "procurement"
ASSETS = "assets"
PROJECT_TITLE = "项目支出绩效目标表"
OVERALL_TITLE = "部门整体绩效目标"

# Printable like a form (``forms=[…]``, ``--forms``), in the order they print. The two per-project
# kinds print once per project (each project's 绩效目标表 followed by its 批复表).
EXTRA_SECTIONS: dict[str, str] = {
    OVERALL_TARGETS: OVERALL_TITLE,
    PROJECT_TARGETS_SUMMARY: SUMMARY_TITLE,
    PROJECT_TARGETS: f"{PROJECT_TITLE}（每个项目一张）",
    PROJECT_APPROVAL: f"{APPROVAL_TITLE}（每个项目一张）",
    PROCUREMENT: PROCUREMENT_TITLE,
    ASSETS: ASSETS_TITLE,
}
PROJECT_KINDS = (PROJECT_TARGETS, PROJECT_APPROVAL)
TARGETS_PART = "预算绩效目标表"
HOLDINGS_PART = "政府采购和国有资产"
NO_PROJECTS_NOTE = "注：本部门无项目支出绩效目标，空表列示。"


class SimpleSection:
    """A section of one table: a title with the mark, then the flowables ``build`` returns."""

    def __init__(self, key: str, title: str, orientation: str, build) -> None:
        self.key = key
        self.title = title
        self._orientation = orientation
        self._build = build

    def orientation(self) -> str:
        return self._orientation

    def contents(self) -> list[ContentsEntry]:
        return [ContentsEntry(1, self.title, self.key)]

    def flowables(self) -> list[Flowable]:
        items = self._build()
        mark(items[0], self.key)
        return items


def project_targets_section(project: Project, ctx: PrintContext, styles: Styles) -> Section:
    def build() -> list[Flowable]:
        return [Paragraph(PROJECT_TITLE, styles.title),
                project_indicator_table(project, ctx, styles, standalone=True)]

    return SimpleSection(f"{PROJECT_TARGETS}:{project.id}", f"{project.name}绩效目标表", PORTRAIT, build)


def project_approval_section(project: Project, ctx: PrintContext, styles: Styles) -> Section:
    return SimpleSection(f"{PROJECT_APPROVAL}:{project.id}", f"{project.name}绩效目标批复表", PORTRAIT,
                   lambda: approval_flowables(project, ctx, styles))


def _no_projects_section(ctx: PrintContext, styles: Styles) -> Section:
    def build() -> list[Flowable]:
        return [Paragraph(PROJECT_TITLE, styles.title), unit_line(ctx, styles, frame_width(PORTRAIT)),
                Paragraph(NO_PROJECTS_NOTE, styles.note)]

    return SimpleSection(PROJECT_TARGETS, PROJECT_TITLE, PORTRAIT, build)


def check_kinds(kinds: Iterable[str]) -> list[str]:
    """The given section ids in printing order; an unknown id is an InputError."""
    kinds = list(kinds)
    unknown = [kind for kind in kinds if kind not in EXTRA_SECTIONS]
    if unknown:
        raise InputError(f"没有“{'、'.join(unknown)}”这种表。可用的还有：{'、'.join(EXTRA_SECTIONS)}。")
    return [kind for kind in EXTRA_SECTIONS if kind in kinds]


def select_projects(book: ProjectBook, project_ids: Sequence[int] | None) -> list[Project]:
    """All projects in stored order, or the given ones (NotFoundError for an id not in the dataset)."""
    if project_ids is None:
        return book.read_projects_plain()
    wanted = [book.get_project(project_id) for project_id in project_ids]
    order = {project_id: index for index, project_id in enumerate(p.id for p in book.read_projects_plain())}
    unique = {project.id: project for project in wanted}
    return sorted(unique.values(), key=lambda project: order[project.id])


def find_project(dataset, name: str) -> Project:
    """A project by its name (or 项目编码), for the CLI's ``--project``."""
    book = ProjectBook(dataset)
    wanted = name.strip()
    projects = book.read_projects_plain()
    for project in projects:
        if project.name == wanted or (project.code and project.code == wanted):
            return project
    close = [project.name for project in projects if wanted and wanted in project.name]
    hint = f"名称相近的项目：{'、'.join(close[:5])}。" if close else "可在“项目”页查看项目名称。"
    raise InputError(f"{dataset.unit.code} {dataset.unit.name} {dataset.year} 年度没有名为“{wanted}”的项目。{hint}")


def project_parts(dataset, ctx: PrintContext, styles: Styles, kinds: Iterable[str],
                  project_ids: Sequence[int] | None = None) -> list[Part]:
    """The parts (with their sections) for the chosen section ids; ``project_ids`` limits the
    per-project kinds to those projects."""
    kinds = check_kinds(kinds)
    book = ProjectBook(dataset)
    targets = Part(TARGETS_PART)
    holdings = Part(HOLDINGS_PART)
    if OVERALL_TARGETS in kinds:
        targets.sections.append(SimpleSection(OVERALL_TARGETS, OVERALL_TITLE, PORTRAIT, lambda: [
            Paragraph(OVERALL_TITLE, styles.title), overall_table(book.overall_targets(), ctx, styles)]))
    if PROJECT_TARGETS_SUMMARY in kinds:
        projects = book.read_projects_plain()
        targets.sections.append(SimpleSection(PROJECT_TARGETS_SUMMARY, SUMMARY_TITLE, LANDSCAPE, lambda: [
            Paragraph(escape(SUMMARY_TITLE), styles.title), summary_table(projects, ctx, styles)]))
    per_project = [kind for kind in kinds if kind in PROJECT_KINDS]
    if per_project:
        projects = select_projects(book, project_ids)
        if not projects:
            targets.sections.append(_no_projects_section(ctx, styles))
        for project in projects:
            if PROJECT_TARGETS in per_project:
                targets.sections.append(project_targets_section(project, ctx, styles))
            if PROJECT_APPROVAL in per_project:
                targets.sections.append(project_approval_section(project, ctx, styles))
    if PROCUREMENT in kinds:
        holdings.sections.append(SimpleSection(PROCUREMENT, PROCUREMENT_TITLE, LANDSCAPE, lambda: procurement_flowables(
            book.list_procurement(), book.read_projects_plain(), book.procurement_totals(), book.procurement_subtotals(),
            ctx, styles)))
    if ASSETS in kinds:
        holdings.sections.append(SimpleSection(ASSETS, ASSETS_TITLE, PORTRAIT,
                                         lambda: assets_flowables(book.assets(), ctx, styles)))
    return [part for part in (targets, holdings) if part.sections]


def project_sections(dataset, ctx: PrintContext, styles: Styles, project_id: int | None = None,
                     kinds: Iterable[str] = PROJECT_KINDS) -> list[Section]:
    """The sections for one project (or all), flat: what a caller composing its own document uses."""
    ids = None if project_id is None else [project_id]
    return [section for part in project_parts(dataset, ctx, styles, kinds, ids) for section in part.sections]


__all__ = ["ASSETS", "EXTRA_SECTIONS", "OVERALL_TARGETS", "PROCUREMENT", "PROJECT_APPROVAL", "PROJECT_KINDS",
           "PROJECT_TARGETS", "PROJECT_TARGETS_SUMMARY", "check_kinds", "find_project", "project_parts",
           "project_sections"]
