"""The 情况说明 narrative: generated from the tables, editable by the clerk, never overwritten silently.

The published 情况说明 (seed 004) is formulaic: every figure in it comes from the tables. Each
section is generated from the data on demand. When the clerk edits a section, the edited text is
stored as a dataset note (``narrative:<key>``) together with the generated text it was based on
(``narrative:<key>:base``). From then on the clerk's text prints, even after the data changes;
``preview_regeneration`` shows which edited sections the data would now word differently (and
whether the data changed since the edit), and only ``apply_regeneration`` with the sections the
clerk accepted replaces an edit. This module is Qt-free and reportlab-free: the GUI, the CLI, the
审核 (N01) and the printer all call it. It lives in the projects wing because 五、预算绩效信息, 六、政府采购
and 七、国有资产 are worded from the project part (``ProjectBook``); the table figures and 上年数 it reads
come from below (``app.domain.quantities``, ``app.domain.prior``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.base.errors import InputError
from app.base.money import format_amount
from app.base.textcheck import check_text
from app.domain import prior as prior_module
from app.domain import profile as unit_profile
from app.domain import quantities
from app.domain.forms import chinese_ordinal
from app.projects.book import ProjectBook
from app.projects.records import Indicator

NOTE_PREFIX = "narrative:"
_BASE_SUFFIX = ":base"
_ORDINAL_PREFIX = re.compile(r"^[一二三四五六七八九十]+、")


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    level: int  # 0 = untitled opening paragraph, 1 = 一、 heading, 2 = 1、 sub-heading


SECTION_SPECS: tuple[SectionSpec, ...] = (
    SectionSpec("preface", "", 0),
    SectionSpec("organization", "部门职责及机构设置情况", 1),
    SectionSpec("overview", "部门预算安排的总体情况", 1),
    SectionSpec("income", "收入说明", 2),
    SectionSpec("expenditure", "支出说明", 2),
    SectionSpec("change", "比上年增减情况", 2),
    SectionSpec("operating_costs", "机关运行经费安排情况", 1),
    SectionSpec("three_public", "财政拨款“三公”经费预算情况及增减变化原因", 1),
    SectionSpec("performance", "预算绩效信息", 1),
    SectionSpec("procurement", "政府采购预算情况", 1),
    SectionSpec("assets", "国有资产信息", 1),
    SectionSpec("glossary", "名词解释", 1),
    SectionSpec("other", "其他需要说明的事项", 1),
)
SECTION_KEYS = tuple(spec.key for spec in SECTION_SPECS)

# The parts of 五、预算绩效信息 (seed 004); the project tables print after the last one.
PERFORMANCE_PARTS = ("第一部分 部门整体绩效目标", "第二部分 专项资金绩效目标", "第三部分 预算项目绩效目标")

# Sentinel: look the previous year's dataset of the same unit up in the store.
AUTO = object()

# 八、名词解释: resources/glossary.json (the published wording), or the unit's own (app.domain.profile).
GLOSSARY = unit_profile.default_glossary()

# The 三公 items the narrative names, in the order the published text names them.
_THREE_PUBLIC_ITEMS = (  # named quantities (resources/forms/quantities.json)
    ("three_public_abroad", "因公出国（境）费"),
    ("three_public_vehicle_purchase", "公务用车购置费"),
    ("three_public_vehicle_operation", "公务用车运行维护费"),
    ("three_public_reception", "公务接待费"),
)


@dataclass(frozen=True)
class NarrativeSection:
    key: str
    title: str
    level: int
    generated: str  # what the data says now
    text: str  # what prints: the clerk's edit if there is one, else ``generated``
    edited: bool
    outdated: bool  # edited, and the data has changed since the text the edit started from


@dataclass(frozen=True)
class RegenerationChange:
    """An edited section that regeneration would change: shown to the clerk before anything is replaced."""

    key: str
    title: str
    current: str
    regenerated: str
    data_changed: bool

    @property
    def diff(self) -> list[str]:
        """Sentence-level differences (Chinese text has no line breaks worth diffing)."""
        def sentences(text: str) -> list[str]:
            return [part for part in re.split(r"(?<=[。；\n])", text) if part.strip()]

        return [line.rstrip("\n") for line in difflib.unified_diff(
            sentences(self.current), sentences(self.regenerated), "当前文本", "重新生成", lineterm="", n=0)]


# ---- generation ----------------------------------------------------------------------------

def _plain_title(title: str) -> str:
    return _ORDINAL_PREFIX.sub("", title).removeprefix("其中：")


def _nonzero(value: Decimal | None) -> bool:
    return value is not None and value != 0


def overall_groups(indicators: Sequence[Indicator]) -> list[tuple[str, int, int]]:
    """Runs of consecutive 部门整体 indicators with the same 分项 (``note``): (分项, start, count)."""
    groups: list[tuple[str, int, int]] = []
    for index, indicator in enumerate(indicators):
        if groups and groups[-1][0] == indicator.note:
            name, start, count = groups[-1]
            groups[-1] = (name, start, count + 1)
        else:
            groups.append((indicator.note, index, 1))
    return groups


previous_dataset = prior_module.previous_dataset


def _q(name: str) -> quantities.Quantity:
    return quantities.quantity_def(name)


class _Writer:
    def __init__(self, dataset, previous) -> None:
        self.ds = dataset
        if previous is AUTO:
            self.prior = prior_module.prior_figures(dataset)
        elif previous is None:
            self.prior = prior_module.prior_figures(dataset, look_up=False)  # typed 上年数 only
        else:
            self.prior = prior_module.prior_figures(dataset, previous)
        self.year = dataset.year
        self.name = dataset.unit.name
        self.unit = dataset.money_unit
        self.profile = unit_profile.profile(dataset)

    def q(self, name: str) -> Decimal:
        return quantities.value(self.ds, name)

    def reason(self, name: str) -> str:
        text = self.prior.reasons.get(name, "")
        return f"，{text}" if text else ""

    def money(self, value: Decimal | None) -> str:
        return f"{format_amount(value if value is not None else Decimal(0))}{self.unit}"

    def change(self, current: Decimal | None, before: Decimal | None) -> str:
        delta = (current or Decimal(0)) - (before or Decimal(0))
        if delta > 0:
            return f"增加{self.money(delta)}"
        if delta < 0:
            return f"减少{self.money(-delta)}"
        return "持平"

    # ---- sections ------------------------------------------------------------------------
    def preface(self) -> str:
        return (f"按照《预算法》、《地方预决算公开操作规程》和《关于进一步推进预算公开工作的实施意见》规定，"
                f"现将{self.name}{self.year}年部门预算公开如下：")

    def organization(self) -> str:
        unit = self.ds.unit
        facts = []
        if unit.nature:
            facts.append(f"为{unit.nature}单位")
        if unit.rank:
            facts.append(f"单位规格为{unit.rank}")
        if unit.funding_form:
            facts.append(f"经费保障形式为{unit.funding_form}")
        described = f"{self.name}{'，'.join(facts)}。" if facts else ""
        lines = ["部门职责：", unit_profile.profile_text(self.ds, "duties", self.profile), "机构设置："]
        institutions = unit_profile.profile_text(self.ds, "institutions", self.profile)
        if institutions:
            lines.append(institutions if institutions.startswith("内设机构") else f"内设机构：{institutions}")
        lines.append(f"{described}部门机构设置情况见下表。")
        return "\n".join(lines)

    def overview(self) -> str:
        return (f"按照预算管理有关规定，部门预算的编制实行综合预算管理，即全部收入和支出都反映在预算中。"
                f"{self.name}机关及所属事业单位的收支包含在部门预算中。")

    def income(self) -> str:
        grand = _q("income_total")
        view = self.ds.view(grand.form)
        total = self.q("income_total")
        # the income lines of the same form: every entered income row (not the 合计/总计 rows)
        parts = [f"{_plain_title(row.title)}{self.money(view.value(row.key, grand.column))}"
                 for row in view.rows
                 if row.side == "income" and row.band == "body" and not row.is_total
                 and _nonzero(view.value(row.key, grand.column))]
        if not parts:
            return f"反映本部门当年全部收入。{self.year}年本部门无预算收入。"
        return f"反映本部门当年全部收入。{self.year}年预算收入{self.money(total)}，其中：{'，'.join(parts)}。"

    def expenditure(self) -> str:
        view = self.ds.view(_q("project").form)
        total, basic, project = (self.q(name) for name in ("expenditure_total", "basic", "project"))
        text = (f"部门预算支出按支出功能分类和经济分类科目编制，反映{self.name}年度部门预算中支出预算的总体情况。"
                f"{self.year}年支出预算{self.money(total)}")
        parts = []
        if _nonzero(basic):
            parts.append(f"基本支出{self.money(basic)}，包括人员经费和日常公用经费")
        if _nonzero(project):
            column = _q("project").column
            classes = [(row.title, view.value(row.key, column)) for row in view.rows
                       if row.level == 1 and _nonzero(view.value(row.key, column))]
            if len(classes) == 1:
                where = f"全部为{classes[0][0]}"
            else:
                where = "其中" + "，".join(f"{title}{self.money(value)}" for title, value in classes)
            parts.append(f"项目支出{self.money(project)}，{where}")
        for name in ("operating", "remit_upper", "subsidy_affiliates"):
            value = self.q(name)
            if _nonzero(value):
                parts.append(f"{_q(name).title}{self.money(value)}")
        return text + ("，其中" + "；".join(parts) if parts else "") + "。"

    def _missing_prior(self) -> str:
        return (f"（请填写{self.year - 1}年预算数，即上年数：收支总计、基本支出、项目支出和“三公”经费各项，"
                "或导入上年度数据，比上年增减情况据此生成。）")

    def change_from_previous(self) -> str:
        """二、3 比上年增减情况, as seed 004 words it, each change followed by its reason."""
        total = self.q("expenditure_total")
        if not self.prior.known:
            return f"{self.year}年预算收支安排{self.money(total)}。{self._missing_prior()}"
        overall = self.change(total, self.prior.get("expenditure_total"))
        head = (f"{self.year}年预算收支安排{self.money(total)}，"
                + (f"与{self.year - 1}年预算持平" if overall == "持平" else f"较{self.year - 1}年预算{overall}"))
        head += self.reason("expenditure_total")
        parts = []
        for name in ("basic", "project"):
            moved = self.change(self.q(name), self.prior.get(name))
            label = _q(name).title
            parts.append((f"{label}与上年持平" if moved == "持平" else f"{label}{moved}") + self.reason(name))
        return f"{head}，其中：{'；'.join(parts)}。"

    def operating_costs(self) -> str:
        where = _q("operating_costs")
        view = self.ds.view(where.form)
        total = self.q("operating_costs")
        head = "根据财政部《地方预决算公开操作规程》规定，部门公开的机关运行经费是指各部门的公用经费。"
        if not _nonzero(total):
            return head + f"{self.year}年本部门未安排机关运行经费。"
        classes = [(row.title, view.value(row.key, where.column)) for row in view.rows
                   if row.level == 1 and _nonzero(view.value(row.key, where.column))]
        if len(classes) == 1:
            kinds = f"为{classes[0][0]}"
        else:
            kinds = "其中" + "，".join(f"{title}{self.money(value)}" for title, value in classes)
        items = [f"{row.title}{self.money(view.value(row.key, where.column))}" for row in view.rows
                 if row.level == 2 and _nonzero(view.value(row.key, where.column))]
        listing = f"其中{'，'.join(items)}。" if items else ""
        return head + f"{self.year}年机关运行经费共计安排{self.money(total)}，{kinds}。{listing}"

    def _three_public_sentence(self, amounts: dict[str, Decimal], total: Decimal, year: int) -> str:
        abroad, purchase, operation, reception = (f"{label}{self.money(amounts[name])}"
                                                  for name, label in _THREE_PUBLIC_ITEMS)
        return (f"{year}年“三公”经费预算为{self.money(total)}，其中：{abroad}；"
                f"{purchase}，{operation}；{reception}。")

    def three_public(self) -> str:
        """四、 as seed 004 words it: this year's and last year's 三公, then what stayed level and
        what moved, each move with its reason (公务接待费按厉行节约的原则…，比上年减少0.03万元)."""
        now = {name: self.q(name) for name, _label in _THREE_PUBLIC_ITEMS}
        text = f"本部门{self._three_public_sentence(now, self.q('three_public_total'), self.year)}"
        if not self.prior.known:
            return text + self._missing_prior()
        before = {name: self.prior.get(name) for name, _label in _THREE_PUBLIC_ITEMS}
        text += self._three_public_sentence(before, self.prior.get("three_public_total"), self.year - 1)
        unchanged, moved = [], []
        for name, label in _THREE_PUBLIC_ITEMS:
            change = self.change(now[name], before[name])
            if change == "持平":
                unchanged.append(label)
            else:
                why = self.prior.reasons.get(name, "")
                moved.append(f"{label}{why}，比上年度{change}" if why else f"{label}比上年度{change}")
        sentences = ([f"{'、'.join(unchanged)}与上年度持平"] if unchanged else []) + moved
        overall = self.change(self.q("three_public_total"), self.prior.get("three_public_total"))
        total = ("“三公”经费总额与上年度持平" if overall == "持平"
                 else f"“三公”经费总额比上年度{overall}{self.reason('three_public_total')}")
        return text + "。".join(sentences) + f"。{total}。"

    def performance(self) -> str:
        """五、预算绩效信息 as seed 004 words it: the 部门整体绩效目标 (总体, then each 分项 with its
        绩效目标 / 绩效指标 / 指标值), 专项资金, and the heading the project tables print under."""
        book = ProjectBook(self.ds)
        overall = book.overall_targets()
        first, second, third = PERFORMANCE_PARTS
        lines = [first, "（一）总体绩效目标", overall.goal or "无。", "（二）分项绩效目标"]
        if not overall.indicators:
            lines.append("无。")
        ordinal = 0
        for name, start, count in overall_groups(overall.indicators):
            if name:
                ordinal += 1
                lines.append(f"{chinese_ordinal(ordinal)}、{name}")
            for number, indicator in enumerate(overall.indicators[start:start + count], start=1):
                lines += [f"{number}、绩效目标：{indicator.description or indicator.name}",
                          f"绩效指标：{indicator.name}", f"指标值：{indicator.display_value}"]
        lines.append("（三）工作保障措施")
        lines += unit_profile.profile_text(self.ds, "safeguards", self.profile).split("\n")
        lines += [second, *unit_profile.profile_text(self.ds, "special_funds", self.profile).split("\n"), third]
        if not book.project_choices():
            lines.append(f"{self.year}年本部门未安排项目支出，无项目绩效目标。")
        return "\n".join(lines)

    def procurement(self) -> str:
        book = ProjectBook(self.ds)
        if not book.list_procurement():
            return f"{self.year}年，{self.name}未安排政府采购预算。"
        return f"{self.year}年，{self.name}安排政府采购预算{self.money(book.procurement_totals().total)}。具体内容见下表。"

    def assets(self) -> str:
        book = ProjectBook(self.ds)
        table = book.assets()
        if table.is_empty():
            return f"{self.name}（含所属单位）未填报固定资产占用情况。"
        text = f"{self.name}（含所属单位）上年末固定资产金额为{self.money(table.total_value)}（详见下表）。"
        if not _nonzero(table.planned_purchases):
            return text + "本年度未安排购置固定资产。"
        text += f"本年度拟购置固定资产总额为{self.money(table.planned_purchases)}"
        if book.list_procurement():
            return text + "，已按要求列入政府采购预算，详见政府采购预算表。"
        return text + "。"

    def glossary(self) -> str:
        entries = unit_profile.glossary(self.ds, self.profile)
        return "\n".join(f"{number}、{term}：{meaning}" for number, (term, meaning) in enumerate(entries, start=1))

    def other(self) -> str:
        return unit_profile.profile_text(self.ds, "other_matters", self.profile)

    def generate(self) -> dict[str, str]:
        texts = {
            "preface": self.preface(),
            "organization": self.organization(),
            "overview": self.overview(),
            "income": self.income(),
            "expenditure": self.expenditure(),
            "operating_costs": self.operating_costs(),
            "three_public": self.three_public(),
            "performance": self.performance(),
            "procurement": self.procurement(),
            "assets": self.assets(),
            "glossary": self.glossary(),
            "other": self.other(),
            "change": self.change_from_previous(),
        }
        return texts


def generate_texts(dataset, previous=AUTO) -> dict[str, str]:
    """Section key → text generated from the data, the unit profile and 上年数."""
    if previous is AUTO:
        previous = previous_dataset(dataset)
    return _Writer(dataset, previous).generate()


# ---- stored edits --------------------------------------------------------------------------

def _note_key(key: str) -> str:
    return NOTE_PREFIX + key


def edit_notes(key: str, text: str, based_on: str) -> dict[str, str]:
    """The dataset notes that hold an edit of section ``key`` (for importing a data file)."""
    _check_key(key)
    return {_note_key(key): _normalize(text), _note_key(key) + _BASE_SUFFIX: based_on}


def _check_key(key: str) -> SectionSpec:
    for spec in SECTION_SPECS:
        if spec.key == key:
            return spec
    raise InputError(f"情况说明中没有“{key}”这一部分。可用的部分：{'、'.join(SECTION_KEYS)}。")


def _normalize(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def stored_edits(dataset) -> dict[str, tuple[str, str]]:
    """Section key → (edited text, generated text the edit was based on)."""
    raw = {key[len(NOTE_PREFIX):]: text for key, text in dataset.notes(NOTE_PREFIX).items()}
    return {key: (text, raw.get(key + _BASE_SUFFIX, "")) for key, text in raw.items()
            if not key.endswith(_BASE_SUFFIX) and key in SECTION_KEYS}


def sections(dataset, previous=AUTO) -> list[NarrativeSection]:
    """Every section in print order: generated text merged with the clerk's stored edits."""
    generated = generate_texts(dataset, previous)
    edits = stored_edits(dataset)
    result = []
    for spec in SECTION_SPECS:
        fresh = generated.get(spec.key)
        if spec.key in edits:
            text, base = edits[spec.key]
            result.append(NarrativeSection(spec.key, spec.title, spec.level, fresh or "", text, True,
                                           (fresh or "") != base))
        elif fresh is not None:
            result.append(NarrativeSection(spec.key, spec.title, spec.level, fresh, fresh, False, False))
    return result


def save_text(dataset, key: str, text: str, previous=AUTO) -> bool:
    """Store the clerk's wording of a section. Returns False when it equals the generated text
    (then nothing is stored and the section keeps following the data)."""
    _check_key(key)
    text = _normalize(check_text(text, "情况说明", 20000, multiline=True))
    generated = generate_texts(dataset, previous).get(key, "")
    if text == _normalize(generated):
        discard_edit(dataset, key)
        return False
    dataset.set_notes({_note_key(key): text, _note_key(key) + _BASE_SUFFIX: generated})
    return True


def discard_edit(dataset, key: str) -> None:
    """Forget the clerk's wording: the section follows the data again."""
    _check_key(key)
    dataset.set_notes({_note_key(key): None, _note_key(key) + _BASE_SUFFIX: None})


def preview_regeneration(dataset, previous=AUTO) -> list[RegenerationChange]:
    """Edited sections whose text regeneration would replace, with old and new wording; changes nothing."""
    return [RegenerationChange(section.key, section.title, section.text, section.generated, section.outdated)
            for section in sections(dataset, previous)
            if section.edited and _normalize(section.text) != _normalize(section.generated)]


def apply_regeneration(dataset, keys, previous=AUTO) -> list[str]:
    """Replace the clerk's wording by the generated text, for exactly the sections named (the ones the
    clerk accepted after ``preview_regeneration``). Returns the keys actually replaced."""
    wanted = [_check_key(key).key for key in keys]
    pending = {change.key for change in preview_regeneration(dataset, previous)}
    replaced = [key for key in wanted if key in pending]
    for key in replaced:
        discard_edit(dataset, key)
    return replaced


def numbered_headings(sections: list[NarrativeSection]) -> dict[str, str]:
    """Section key → heading as printed: 一、… for parts, 1、… within a part (the preface has none).
    The one numbering of the 情况说明, used by the printed document and the editor alike."""
    headings, top, sub = {}, 0, 0
    for section in sections:
        if section.level == 1:
            top, sub = top + 1, 0
            headings[section.key] = f"{chinese_ordinal(top)}、{section.title}"
        elif section.level == 2:
            sub += 1
            headings[section.key] = f"{sub}、{section.title}"
    return headings
