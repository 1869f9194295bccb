"""The year roll-over: start next year's budget from this year's (``budgetdesk new-year``, GUI 新建下一年度).

``new_year(store, unit, from_year, to_year)`` builds the new year's interchange document
(``next_year_document``, read-only) and imports it with ``app.exchange.interchange.import_document``: ONE
transaction, audited as the one event 新建年度, so a failure midway leaves nothing behind. It holds:

* the unit profile (部门职责, 机构设置, 工作保障措施 …, ``app.domain.profile``) — unit information itself lives
  with the unit and needs no copy;
* the 功能分类/经济分类 rows in use, without amounts (codes the new year's edition lacks are listed,
  not added);
* the recurring (经常性) and continuing (延续性) projects with their indicators, amounts cleared; a
  one-year 实施周期 inside the old year moves to the new year; one-off (一次性) projects stay behind;
* this year's figures as the new year's 上年数 (``app.domain.prior``), so the narrative compares even if this
  year's dataset is later removed.

Nothing is written when the new year exists already, the old one is missing, or anything fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from app.base.errors import ConflictError, InputError, NotFoundError
from app.base.progress import Progress, step
from app.basic.book import BasicInfoBook
from app.basic.records import basic_info_to_json
from app.domain import prior as prior_module
from app.domain import profile as unit_profile
from app.domain.forms import all_forms
from app.exchange.document_book import export_book
from app.exchange.document_schema import FORMAT, FORMAT_VERSION
from app.exchange.interchange import import_document
from app.projects import BookContent, Project, ProjectBook
from app.store.editions import current_editions
from app.store.service import Store

NEW_YEAR = "新建年度"  # the audit trail's source and event


@dataclass
class NewYearResult:
    unit_code: str
    year: int
    rows: int = 0
    projects: list[str] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)  # one-off projects not carried over
    missing_codes: list[str] = field(default_factory=list)  # codes the new edition lacks
    prior: dict = field(default_factory=dict)

    @property
    def summary(self) -> str:
        text = (f"已建立 {self.year} 年度：沿用科目行 {self.rows} 行、项目 {len(self.projects)} 个（金额已清空），"
                f"上年数 {len(self.prior)} 项。")
        if self.left_behind:
            text += f"一次性项目未带入：{'、'.join(self.left_behind)}。"
        if self.missing_codes:
            text += f"新年度科目表中没有的科目未带入：{'、'.join(self.missing_codes)}。"
        return text


def _shift_period(project: Project, from_year: int, to_year: int) -> tuple[date | None, date | None]:
    start, end = project.period_start, project.period_end
    if start and end and start.year == end.year == from_year:
        shift = to_year - from_year
        try:
            return date(start.year + shift, start.month, start.day), date(end.year + shift, end.month, end.day)
        except ValueError:  # 29 February
            return date(to_year, 1, 1), date(to_year, 12, 31)
    return start, end


def next_year_document(store: Store, unit_code: str, from_year: int, to_year: int,
                       progress: Progress | None = None) -> tuple[dict, NewYearResult]:
    """The new year's interchange document (read-only): what ``new_year`` imports in one transaction."""
    if to_year <= from_year:
        raise InputError(f"新年度（{to_year}）应晚于来源年度（{from_year}）。")
    source = store.open_dataset(unit_code, from_year)  # NotFoundError names what is missing
    try:
        store.dataset_info(unit_code, to_year)
    except NotFoundError:
        pass
    else:
        raise ConflictError(f"{unit_code} 的 {to_year} 年度预算已存在，未作任何修改。")
    step(progress, 0, 3, "整理新年度的内容")
    result = NewYearResult(unit_code, to_year)
    codes = store.code_tables(to_year)
    rows = []
    for form in all_forms():
        if form.code_kind is None:
            continue
        table = codes[form.code_kind]
        used = sorted({row for (form_id, row, _column) in source.workbook.values if form_id == form.id}
                      | source.workbook.present_rows.get(form.id, set()))
        leaves = [code for code in used if not any(other != code and other.startswith(code) for other in used)]
        for code in leaves:
            if code not in table:
                result.missing_codes.append(code)
                continue
            rows.append({"form": form.id, "row": code})
    result.rows = len(rows)

    projects = []
    for project in ProjectBook(source).list_projects():
        if project.attribute == "one_off":
            result.left_behind.append(project.name)
            continue
        start, end = _shift_period(project, from_year, to_year)
        copy = replace(project, id=None, amount=None, fiscal_appropriation=None, fiscal_special_account=None,
                       local_fiscal=None, higher_level=None, other_funds=None, executed_before=None,
                       period_start=start, period_end=end,
                       indicators=[replace(indicator) for indicator in project.indicators])
        if project.attribute != "continuing":
            copy = replace(copy, period_total=None)
        projects.append(copy)
        result.projects.append(project.name)

    result.prior = prior_module.figures_of(source)
    document = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "unit": source.unit.to_dict(), "year": to_year,
        "money_unit": source.money_unit, "status": "draft",
        "code_editions": {kind: table.edition for kind, table in codes.items()},
        "editions": current_editions(codes),  # the new year is made with today's definitions
        "values": [],
    }
    if rows:
        document["rows"] = rows
    document.update(export_book(BookContent(projects=projects)))
    texts = {key: text for key, text in unit_profile.profile(source).items() if text}
    if texts:
        document["profile"] = texts
    if result.prior:
        document["prior"] = {name: str(amount) for name, amount in result.prior.items()}
    basic_info = BasicInfoBook(source).content()
    if not basic_info.is_empty():  # 人员 and 车辆 stay from year to year: the clerk updates, not retypes, them
        document["basic_info"] = basic_info_to_json(basic_info)
    return document, result


def new_year(store: Store, unit_code: str, from_year: int, to_year: int, progress: Progress | None = None) -> NewYearResult:
    """Build the new year's document and import it in ONE transaction (all or nothing), audited as
    the one event 新建年度."""
    document, result = next_year_document(store, unit_code, from_year, to_year, progress)
    if progress is not None:
        progress.final_step(1, 3, "建立新年度")  # 取消 is honoured up to here, before anything is written
    import_document(store, document, source=NEW_YEAR, event=NEW_YEAR, backup=False)
    step(progress, 3, 3, "完成")
    return result


__all__ = ["NEW_YEAR", "NewYearResult", "new_year", "next_year_document"]
