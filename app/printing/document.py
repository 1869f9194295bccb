"""The whole printed document: cover, 目录 with real page numbers, the sections, 第 x 页 共 y 页.

Page numbers in the 目录 and the total in every footer are only known once the document has been
laid out, so the document is built with ``multiBuild``: each pass records the page of every marked
heading and the page count, a zero-size indexing flowable makes the build repeat until both equal
those of the pass before (normally two passes), and the footer and the 目录 of a pass print the
figures of the previous one.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Paragraph, Spacer, Table
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame
from reportlab.platypus.tables import TableStyle

from app import __version__ as APP_VERSION
from app.base.errors import InputError
from app.base.progress import Progress, step
from app.domain import quantities
from app.domain.cover import cover_date
from app.domain.forms import all_forms, form_by_id
from app.printing.fonts import FontSet, cache_dir, print_fonts
from app.printing.markup import escape
from app.printing.projects import EXTRA_SECTIONS, PROJECT_KINDS, project_parts
from app.printing.sections import ContentsEntry, FormSection, Part, Section, StatementSection, mark
from app.printing.selfeval import SELFEVAL_SECTIONS, selfeval_parts
from app.printing.styles import (
    FOOTER_Y,
    LANDSCAPE,
    MARGIN_BOTTOM,
    MARGIN_SIDE,
    MARGIN_TOP,
    PAGE_SIZES,
    PORTRAIT,
    WIDE,
    PrintContext,
    Styles,
)
from app.projects import narrative
from app.store.editions import printed_as_recorded

COVER = "cover"
TABLES_PART = "部门预算公开表"
NARRATIVE_PART = "部门预算信息公开情况说明"


@dataclass(frozen=True)
class PrintResult:
    pages: int
    passes: int
    fonts: FontSet
    page_of: dict[str, int]  # mark (form:<id>, narrative:<key> …) → page number


@dataclass
class _PageIndex:
    """Where marked headings landed and how many pages there were, this pass and the one before."""

    marks: dict[str, int] = field(default_factory=dict)
    known_marks: dict[str, int] = field(default_factory=dict)  # previous pass: what the 目录 prints
    pages_built: int | None = None
    known_total: int | None = None  # previous pass: what 共 y 页 prints

    def start_pass(self) -> None:
        self.known_marks, self.marks = self.marks, {}
        self.known_total = self.pages_built

    def stable(self) -> bool:
        return self.marks == self.known_marks and self.pages_built == self.known_total


# ---- the page numbers of the last print --------------------------------------------------
# Two layout passes are needed only because the 目录 and the footers print page numbers that the
# layout finds. The numbers a print found are remembered (per database, unit, year and choice of
# tables); the next print of the same document starts from them, and when the layout confirms
# them the first pass is the last. If anything moved, the build simply goes on as before.

def _layout_key(dataset, *parts) -> str:
    engine = getattr(getattr(dataset, "store", None), "engine", None)
    where = engine.url.render_as_string(hide_password=True) if engine is not None else ""
    text = json.dumps([where, dataset.unit.code, dataset.year, *parts], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _layout_file(key: str) -> Path:
    return cache_dir() / "layout" / f"{key}.json"


def _remembered_layout(key: str) -> tuple[dict[str, int], int] | None:
    try:
        data = json.loads(_layout_file(key).read_text(encoding="utf-8"))
        marks, pages = data["marks"], data["pages"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(marks, dict) or not isinstance(pages, int):
        return None
    return {str(mark_key): int(page) for mark_key, page in marks.items()}, pages


def _remember_layout(key: str, index: _PageIndex) -> None:
    path = _layout_file(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"marks": index.marks, "pages": index.pages_built}), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # costs one layout pass next time, nothing else


class _BudgetDocument(BaseDocTemplate):
    def __init__(self, target, index: _PageIndex, fonts: FontSet, first_template: str,
                 outline: dict[str, list[tuple[str, int]]], progress: Progress | None = None, **info) -> None:
        self.index = index
        self.progress = progress
        self.fonts = fonts
        self.outline = outline
        templates = []
        for name, orientation, footer in ((COVER, PORTRAIT, False), (PORTRAIT, PORTRAIT, True),
                                          (LANDSCAPE, LANDSCAPE, True), (WIDE, WIDE, True)):
            size = PAGE_SIZES[orientation]
            frame = Frame(MARGIN_SIDE, MARGIN_BOTTOM, size[0] - 2 * MARGIN_SIDE, size[1] - MARGIN_TOP - MARGIN_BOTTOM,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=f"{name}-frame")
            kwargs = {"onPage": self._footer} if footer else {}
            templates.append(PageTemplate(name, [frame], pagesize=size, **kwargs))
        # The first page uses the first template; start with the one the first block needs.
        templates.sort(key=lambda template: template.id != first_template)
        super().__init__(target, pageTemplates=templates, pagesize=PAGE_SIZES[PORTRAIT], leftMargin=MARGIN_SIDE,
                         rightMargin=MARGIN_SIDE, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
                         displayDocTitle=True, initialFontName=fonts.body.name, **info)
        # initialFontName: otherwise every page starts in Helvetica, a font the PDF does not carry.

    def _startBuild(self, *args, **kwargs):
        super()._startBuild(*args, **kwargs)
        # The first pass only finds the pages (there is no previous pass, so it is never the one
        # written out): flowables that are costly to draw may skip drawing in it (see grid.RunTable).
        self.canv.bd_layout_only = self.index.known_total is None

    def _footer(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(self.fonts.body.name, 9)
        total = self.index.known_total if self.index.known_total is not None else "?"
        canvas.drawCentredString(doc.pageTemplate.pagesize[0] / 2, FOOTER_Y, f"第 {doc.page} 页 共 {total} 页")
        canvas.restoreState()

    def afterFlowable(self, flowable) -> None:
        key = getattr(flowable, "bd_mark", None)
        if key is None or key in self.index.marks:
            return
        self.index.marks[key] = self.page
        for index, (title, level) in enumerate(self.outline.get(key, [])):
            name = f"{key}#{index}"
            self.canv.bookmarkPage(name)
            self.canv.addOutlineEntry(title, name, level=level)

    def afterPage(self) -> None:
        self.index.pages_built = self.page
        # 取消 stops between pages: Cancelled leaves multiBuild (a file target may hold an earlier pass)
        total = self.index.known_total or 0
        step(self.progress, self.page, total, f"正在生成：第 {self.page} 页" + (f"，共 {total} 页" if total else ""))


class _PassTracker(Flowable):
    """Zero-size indexing flowable: multiBuild repeats until marked pages and page count are stable."""

    def __init__(self, index: _PageIndex) -> None:
        super().__init__()
        self.index = index

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self) -> None:
        pass

    def isIndexing(self) -> int:
        return 1

    def beforeBuild(self) -> None:
        self.index.start_pass()

    def afterBuild(self) -> None:
        pass

    def isSatisfied(self) -> bool:
        return self.index.stable()


class _Leader(Flowable):
    """A 目录 line: the entry text, dots, and the page number flush right on the same baseline."""

    def __init__(self, text: str, page: str, font: str, size: float) -> None:
        super().__init__()
        self.text, self.page, self.font, self.size = text, page, font, size

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.size * 1.5

    def draw(self) -> None:
        canvas, font = self.canv, self.font
        page_width = stringWidth(self.page, font, self.size)
        size = self.size
        while stringWidth(self.text, font, size) > self.width - page_width - 16 and size > 6:
            size -= 0.5  # a very long title shrinks rather than running into the page number
        baseline = self.size * 0.3
        canvas.setFont(font, size)
        canvas.drawString(0, baseline, self.text)
        canvas.setFont(font, self.size)
        canvas.drawRightString(self.width, baseline, self.page)
        start = stringWidth(self.text, font, size) + 6
        end = self.width - page_width - 4
        dot = stringWidth(".", font, self.size)
        count = int((end - start) / dot) if dot else 0
        if count > 0:
            canvas.drawRightString(end, baseline, "." * count)


class _Contents(Flowable):
    """The 目录: part headings, then entries with the page found in the previous pass."""

    def __init__(self, index: _PageIndex, entries: list[ContentsEntry], styles: Styles) -> None:
        super().__init__()
        self.index, self.entries, self.styles = index, entries, styles
        self._table: Table | None = None

    def _build(self, width: float) -> Table:
        rows: list[list[Flowable]] = []
        commands = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("FONTNAME", (0, 0), (-1, -1), self.styles.body_font)]
        entry_style = self.styles.contents_entry
        for index, entry in enumerate(self.entries):
            if entry.level == 0:
                rows.append([Paragraph(escape(entry.text), self.styles.contents_part)])
                commands.append(("TOPPADDING", (0, index), (0, index), 10))
            else:
                page = self.index.known_marks.get(entry.mark or "")
                rows.append([_Leader("\u3000\u3000" + entry.text, str(page) if page else "",
                                     entry_style.fontName, entry_style.fontSize)])
        table = Table(rows, colWidths=[width])
        table.setStyle(TableStyle(commands))
        return table

    def wrap(self, available_width, available_height):
        self._table = self._build(available_width)
        return self._table.wrap(available_width, available_height)

    def split(self, available_width, available_height):
        self._table = self._build(available_width)
        return self._table.split(available_width, available_height)

    def draw(self) -> None:
        if self._table is None:  # reportlab always wraps a flowable before drawing it
            raise RuntimeError("the contents table is drawn before it was laid out")
        self._table.drawOn(self.canv, 0, 0)


def _cover(ctx: PrintContext, styles: Styles, printed_on: date) -> list[Flowable]:
    unit = ctx.unit
    fields = [("单位名称", unit.name), ("单位编码", unit.code), ("预算年度", f"{ctx.year}年"),
              ("单位负责人", unit.head), ("财务负责人", unit.finance_head), ("填表人", unit.preparer)]
    if unit.phone:
        fields.append(("联系电话", unit.phone))
    fields.append(("填报日期", f"{printed_on.year}年{printed_on.month}月{printed_on.day}日"))
    if ctx.fingerprint:
        fields.append(("数据包密钥指纹", ctx.fingerprint))
    label_style = styles.cover_field.clone("cover_label", alignment=2)
    rows = [[Paragraph(f"{label}：", label_style), Paragraph(escape(value or ""), styles.cover_field)]
            for label, value in fields]
    table = Table(rows, colWidths=[110, 250], hAlign="CENTER")
    # Blank name fields keep their underline: the printed cover is signed by hand.
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.body_font),
                               ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("TOPPADDING", (0, 0), (-1, -1), 9), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return [Spacer(1, 150), mark(Paragraph(f"{ctx.year}年部门预算信息公开", styles.cover_title), "cover"),
            Spacer(1, 130), table]


def _contents_block(index: _PageIndex, ctx: PrintContext, styles: Styles,
                    entries: list[ContentsEntry]) -> list[Flowable]:
    title = mark(Paragraph(f"{ctx.year}年部门预算信息公开目录", styles.contents_title), "contents")
    return [title, _Contents(index, entries, styles)]


def _outline(parts: list[Part], cover: bool, contents: bool) -> dict[str, list[tuple[str, int]]]:
    """PDF bookmarks: each part under its first section's heading, then that section's entries."""
    outline: dict[str, list[tuple[str, int]]] = {}
    if cover:
        outline["cover"] = [("封面", 0)]
    if contents:
        outline["contents"] = [("目录", 0)]
    for part in parts:
        first = True
        for section in part.sections:
            if first:
                outline.setdefault(section.key, []).append((part.title, 0))
                first = False
            for entry in section.contents():
                if entry.mark is not None:  # a section's entries all have their mark; part headings have none
                    outline.setdefault(entry.mark, []).append((entry.text, 1))
    return outline


def _select_forms(forms: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(official form ids in official order, other section ids such as ``project_targets``)."""
    if forms is None:
        return [form.id for form in all_forms()], []
    wanted = [form_id.strip() for form_id in forms if form_id.strip()]
    if not wanted:
        raise InputError("没有选择要打印的表。")
    extras = [form_id for form_id in wanted if form_id in EXTRA_SECTIONS or form_id in SELFEVAL_SECTIONS]
    chosen = {form_by_id(form_id).id for form_id in wanted if form_id not in extras}
    return [form.id for form in all_forms() if form.id in chosen], extras  # official order, each once


def printable_items() -> list[tuple[str, str]]:
    """(id, title) of everything ``forms`` accepts: the official tables, then the project part."""
    return [(form.id, form.title) for form in all_forms()] + list(EXTRA_SECTIONS.items()) + list(
        SELFEVAL_SECTIONS.items())


def _only_general_budget(dataset) -> bool:
    total = quantities.value(dataset, "income_total")
    return total > 0 and quantities.value(dataset, "income_general_budget") == total


# ---- no cyclic garbage collection while a document is built --------------------------------
# A 600-page print holds some millions of live objects (flowables, page streams) and allocates
# tuples by the million; each full collection the allocations trigger walks all of them again, so
# collecting costs grow with the document (about a fifth of a 600-page print's time). The build
# leaves little cyclic garbage (the peak memory is the same without collecting), so collection
# waits until it ends. Nested or concurrent prints (the GUI's worker threads) keep it off until the
# last of them ends; whatever was off before stays off.
_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


class _NoCollection:
    def __enter__(self) -> None:
        global _gc_holders, _gc_was_enabled
        with _gc_lock:
            if _gc_holders == 0:
                _gc_was_enabled = gc.isenabled()
                gc.disable()
            _gc_holders += 1

    def __exit__(self, *exc_info) -> None:
        global _gc_holders
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


def _without_collection(function):
    @functools.wraps(function)
    def paused(*args, **kwargs):
        with _NoCollection():
            return function(*args, **kwargs)
    return paused


@printed_as_recorded  # a past year prints with the definitions it was submitted under
@_without_collection
def build_document(dataset, target: str | Path | BinaryIO, *, forms: Iterable[str] | None = None,
                   projects: Iterable[int] | None = None, cover: bool | None = None, contents: bool | None = None,
                   statement: bool | None = None, previous=narrative.AUTO, printed_on: date | None = None,
                   progress: Progress | None = None, fingerprint: str | None = None,
                   charts: bool = False) -> PrintResult:
    """Print a dataset to PDF.

    Without ``forms`` and ``projects``: the whole 部门预算信息公开 document (目录, every
    table, 情况说明 with 五、预算绩效信息 / 六、政府采购 / 七、国有资产 and their tables).
    ``forms``: only these, in official order — official form ids and/or the ids of
    ``EXTRA_SECTIONS`` (``overall_targets``, ``project_targets_summary``, ``project_targets``,
    ``project_approval``, ``procurement``, ``assets``) — unless cover/contents/statement are asked
    for explicitly. ``projects`` (ids): the per-project tables only for these projects; without
    ``forms`` it prints each one's 项目支出绩效目标表 and 批复表. Unknown form ids and project ids
    raise NotFoundError before anything is written. ``progress`` (``app.base.progress.Progress``) hears of
    each section and page and raises ``Cancelled`` at 取消 before the PDF is written.
    ``fingerprint``: the unit's package-signing key, printed on the cover and under the 批复表 signatures.
    """
    everything = forms is None and projects is None
    form_ids: list[str]
    if forms is None and projects is not None:
        form_ids, extras = [], list(PROJECT_KINDS)
    else:
        form_ids, extras = _select_forms(forms)
    project_ids = None if projects is None else list(projects)
    if project_ids is not None and not project_ids:
        raise InputError("没有选择要打印的项目。")
    cover = False if cover is None else cover  # 信息公开 prints no cover; internal sign-off asks for one
    contents = everything if contents is None else contents
    statement = everything if statement is None else statement
    fonts = print_fonts()
    styles = Styles(fonts)
    ctx = PrintContext(dataset.unit, dataset.year, dataset.money_unit, fonts, fingerprint or "",
                       _only_general_budget(dataset))

    parts = [Part(TABLES_PART, [FormSection(dataset.view(form_id), ctx, styles, dataset.workbook.row_parts)
                                for form_id in form_ids])]
    if [kind for kind in extras if kind in EXTRA_SECTIONS]:
        parts += project_parts(dataset, ctx, styles, [kind for kind in extras if kind in EXTRA_SECTIONS], project_ids)
    parts += selfeval_parts(dataset, ctx, styles, extras)
    if statement:
        parts.append(Part(NARRATIVE_PART, [StatementSection(dataset, ctx, styles, previous, charts)]))
    parts = [part for part in parts if part.sections]
    entries = [entry for part in parts for entry in [ContentsEntry(0, part.title), *[
        item for section in part.sections for item in section.contents()]]]

    index = _PageIndex()
    layout_key = _layout_key(dataset, form_ids, extras, project_ids, cover, contents, statement, charts,
                             printed_on.isoformat() if printed_on else None)
    remembered = _remembered_layout(layout_key)
    if remembered is not None:
        index.marks, index.pages_built = remembered  # the first pass prints these and checks them
    blocks: list[tuple[str, list[Flowable]]] = []  # (page template, flowables), each block from a new page
    if cover:
        blocks.append((COVER, _cover(ctx, styles, printed_on or cover_date(dataset) or date.today())))
    if contents:
        blocks.append((PORTRAIT, _contents_block(index, ctx, styles, entries)))
    sections: list[Section] = [section for part in parts for section in part.sections]
    for number, section in enumerate(sections):
        step(progress, number, len(sections), f"正在整理内容：第 {number + 1} 部分，共 {len(sections)} 部分")
        blocks.append((section.orientation(), section.flowables()))
    if not blocks:
        raise InputError("没有可打印的内容：请至少选择一张表或封面。")

    if everything:
        title = f"{ctx.year}年部门预算信息公开"
    else:
        title = f"{ctx.year}年{parts[0].title if len(parts) == 1 else '部门预算表'}" if parts else f"{ctx.year}年部门预算"
    doc = _BudgetDocument(
        str(target) if isinstance(target, Path) else target, index, fonts, blocks[0][0],
        _outline(parts, cover, contents), progress,
        title=f"{ctx.unit.name} {title}", author=ctx.unit.name,
        subject=f"{ctx.unit_label} {ctx.year}年部门预算（单位：{ctx.money_unit}）",
        creator=f"BudgetDesk {APP_VERSION} 部门预算填报",
        keywords=["部门预算", str(ctx.year), ctx.unit.code, fonts.metadata_text],
    )
    story: list[Flowable] = [_PassTracker(index)]
    for number, (template, flowables) in enumerate(blocks):
        if number:
            story += [NextPageTemplate(template), PageBreak()]
        story += flowables
    passes = doc.multiBuild(story)
    _remember_layout(layout_key, index)
    return PrintResult(index.pages_built or 0, passes, fonts, dict(index.marks))


def build_numbered(target: str | Path | BinaryIO, story: list[Flowable], *, template: str = LANDSCAPE,
                   progress: Progress | None = None, **info) -> int:
    """A story of its own (no cover, no 目录) printed with this document's pages: the same margins, the
    same 第 x 页 共 y 页 footer (two passes, as above) and 取消 between pages. Returns the page count."""
    index = _PageIndex()
    doc = _BudgetDocument(str(target) if isinstance(target, Path) else target, index, print_fonts(), template, {},
                          progress, **info)
    doc.multiBuild([_PassTracker(index), *story])
    return index.pages_built or 0


def render_document(dataset, **options) -> tuple[bytes, PrintResult]:
    """Same as ``build_document`` into memory (for the preview); ``progress=`` passes through."""
    buffer = io.BytesIO()
    result = build_document(dataset, buffer, **options)
    return buffer.getvalue(), result


__all__ = ["PrintResult", "build_document", "build_numbered", "printable_items", "render_document"]
