"""绩效自评: the 项目绩效自评表 (seed 001) and the scored 部门整体支出绩效自评表 (seed 003). Qt-free.

Reads go to the database each time; every write goes through the dataset's door (one transaction,
status and version read from the database, refused when 已上报) with one audit row per changed field.
Money is ``Decimal`` (stored as integer hundredths); 执行率 is computed here, never stored, with an
explicit ROUND_HALF_UP to two decimals of a percent. Weights and scores are exact decimals too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from app.base.errors import InputError, NotFoundError
from app.base.money import format_amount, from_hundredths, parse_amount, to_hundredths
from app.base.paths import resource
from app.base.textcheck import check_fields, check_text
from db import models

ZERO = Decimal("0.00")
RATE_QUANTUM = Decimal("0.01")
PROJECT_FORM = "self_evaluation"  # the print/export id of the 项目绩效自评表
DEPARTMENT_FORM = "department_self_evaluation"  # 部门整体支出绩效自评表
PROJECT_TITLE = "项目绩效自评表"
DEPARTMENT_TITLE = "部门整体支出绩效自评表"


# ---- the framework (data) ------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    key: str  # quantity …
    title: str  # 数量指标 …
    level2: str  # the 二级指标 code of the project targets it is prefilled from
    group: str  # 产出目标 / 效益目标 (the seed's grouped header)


@cache
def framework() -> dict:
    with open(resource("selfeval_framework.json"), encoding="utf-8") as handle:
        return json.load(handle)


@cache
def kinds() -> tuple[Kind, ...]:
    return tuple(Kind(item["key"], item["title"], item["level2"], item["group"]) for item in framework()["kinds"])


def kind_keys() -> list[str]:
    return [kind.key for kind in kinds()]


def kind_title(key: str) -> str:
    return next((kind.title for kind in kinds() if kind.key == key), key)


# ---- 执行率 ----------------------------------------------------------------------------------------
def execution_rate(actual: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """执行率 in percent, two decimals, ROUND_HALF_UP; None when either figure is missing or 预算数 is 0."""
    if actual is None or budget is None or budget == 0:
        return None
    return (actual * 100 / budget).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


def format_rate(rate: Decimal | None) -> str:
    return "" if rate is None else f"{rate:.2f}%"


def parse_rate(text: str) -> Decimal | None:
    """A printed rate (``312.97%``, ``99%``) as a Decimal percent; None when it is not one."""
    cleaned = (text or "").strip().replace("％", "%").replace(" ", "").replace("\u3000", "")
    if not cleaned.endswith("%"):
        return None
    try:
        value = Decimal(cleaned[:-1])
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def rate_agrees(stated: str, computed: Decimal | None) -> bool:
    """A stated rate agrees when the computed one, rounded half-up to the stated precision, equals it."""
    value = parse_rate(stated)
    if value is None or computed is None:
        return True  # nothing to compare (a blank, “/”, or no 预算数)
    exponent = Decimal(1).scaleb(min(value.as_tuple().exponent, 0))
    return computed.quantize(exponent, rounding=ROUND_HALF_UP) == value


def _points(text: str | Decimal | int | None, what: str) -> Decimal | None:
    """A weight or score: exact decimal, at most two places, not negative."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return parse_amount(text if not isinstance(text, str) else text.replace("分", ""))
    except InputError as exc:
        raise InputError(f"{what}“{text}”不是有效的分值：{exc}") from exc


def _money(text, what: str) -> Decimal | None:
    if text is None or (isinstance(text, str) and text.strip() in ("", "/", "／")):
        return None
    try:
        return parse_amount(text)
    except InputError as exc:
        raise InputError(f"{what}：{exc}") from exc


# ---- records -------------------------------------------------------------------------------------
@dataclass
class ProjectEvaluation:
    """One row of the 项目绩效自评表. ``contents``/``results`` are keyed by the kind keys."""

    project_name: str
    unit_name: str = ""
    budget: Decimal | None = None  # 项目年度预算金额
    actual_total: Decimal | None = None  # 实际支出金额 合计
    actual_general: Decimal | None = None  # 其中：财政拨款 一般公共预算
    actual_fund: Decimal | None = None  # 其中：财政拨款 政府性基金
    actual_nonfiscal: Decimal | None = None  # 非财政资金
    stated_rate: str = ""  # the 执行率 a filled form printed (checked, never used)
    initial_goal: str = ""  # 年初绩效目标
    overall_result: str = ""  # 绩效目标整体完成情况
    contents: dict[str, str] = field(default_factory=dict)  # 年度指标内容
    results: dict[str, str] = field(default_factory=dict)  # 完成情况
    problems: str = ""  # 项目执行中的问题
    rectification: str = ""  # 整改情况

    @property
    def rate(self) -> Decimal | None:
        return execution_rate(self.actual_total, self.budget)

    @property
    def parts_total(self) -> Decimal | None:
        parts = [value for value in (self.actual_general, self.actual_fund, self.actual_nonfiscal) if value is not None]
        return sum(parts, ZERO) if parts else None


# The 整体支出规模 lines of seed 003: key, 资金来源/资金结构, label.
SCALE_LINES = (
    ("fiscal", "资金来源", "财政拨款"),
    ("other", "资金来源", "其他资金"),
    ("basic", "资金结构", "基本支出"),
    ("project", "资金结构", "项目支出"),
)


@dataclass
class ScaleLine:
    budget: Decimal | None = None  # 全年预算数
    actual: Decimal | None = None  # 全年执行数
    stated_rate: str = ""  # as a filled form printed it

    @property
    def rate(self) -> Decimal | None:
        return execution_rate(self.actual, self.budget)


@dataclass
class ScoreItem:
    """A 二级指标 (weight in brackets) with its 三级指标 and self-evaluation."""

    name: str
    weight: Decimal | None = None
    level3: str = ""
    target_value: str = ""  # 年度指标值
    actual_value: str = ""  # 全年完成值
    score: Decimal | None = None  # 自评得分
    deviation: str = ""  # 偏差及原因分析


@dataclass
class ScoreGroup:
    """An 一级指标 with its 权重 and 二级 items."""

    name: str
    weight: Decimal | None = None
    items: list[ScoreItem] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        scores = [item.score for item in self.items if item.score is not None]
        return sum(scores, ZERO) if scores else None

    @property
    def item_weights(self) -> Decimal:
        return sum((item.weight or ZERO for item in self.items), ZERO)


@dataclass
class DepartmentEvaluation:
    lines: dict[str, ScaleLine] = field(default_factory=dict)  # by SCALE_LINES key
    initial_goal: str = ""  # 年初设定目标
    result: str = ""  # 全年完成情况
    groups: list[ScoreGroup] = field(default_factory=list)

    def line(self, key: str) -> ScaleLine:
        return self.lines.get(key) or ScaleLine()

    @property
    def total_weight(self) -> Decimal:
        return sum((group.weight or ZERO for group in self.groups), ZERO)

    @property
    def total_score(self) -> Decimal | None:
        scores = [group.score for group in self.groups if group.score is not None]
        return sum(scores, ZERO) if scores else None

    def is_empty(self) -> bool:
        return (not self.initial_goal and not self.result and not self.groups
                and all(line.budget is None and line.actual is None and not line.stated_rate
                        for line in self.lines.values()))


@dataclass
class SelfEvaluationContent:
    """Both forms of one dataset: what the interchange document carries."""

    projects: list[ProjectEvaluation] = field(default_factory=list)
    department: DepartmentEvaluation = field(default_factory=DepartmentEvaluation)

    def is_empty(self) -> bool:
        return not self.projects and self.department.is_empty()


def default_groups() -> list[ScoreGroup]:
    """The default 分解目标 (投入管理指标 30 / 产出指标 25 / 效益指标 45 and their 二级) from the data file."""
    return [ScoreGroup(group["name"], Decimal(group["weight"]),
                       [ScoreItem(item["name"], Decimal(item["weight"])) for item in group["items"]])
            for group in framework()["department_groups"]]


def points_text(value: Decimal | None) -> str:
    """A weight or score as printed: ``30``, ``2.5``."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


# ---- validation (normalising what a clerk or a file gave) ------------------------------------------
# (label, most characters, multi-line), checked like every other text of a dataset (app.base.textcheck): no
# invisible or control characters, lengths within the database columns.
LONG_TEXT = 5000
PROJECT_TEXTS: dict[str, tuple[str, int, bool]] = {
    "project_name": ("项目名称", 300, False),
    "unit_name": ("单位名称", 200, False),
    "stated_rate": ("预算支出执行率", 16, False),
    "initial_goal": ("年初绩效目标", LONG_TEXT, True),
    "overall_result": ("绩效目标整体完成情况", LONG_TEXT, True),
    "problems": ("项目执行中的问题", LONG_TEXT, True),
    "rectification": ("整改情况", LONG_TEXT, True),
}
DEPARTMENT_TEXTS: dict[str, tuple[str, int, bool]] = {
    "initial_goal": ("年初设定目标", 20000, True),
    "result": ("全年完成情况", 20000, True),
}
ITEM_TEXTS: dict[str, tuple[str, int, bool]] = {
    "name": ("二级指标", 100, False),
    "level3": ("三级指标", 1000, True),
    "target_value": ("年度指标值", 500, True),
    "actual_value": ("全年完成值", 500, True),
    "deviation": ("偏差及原因分析", 2000, True),
}


def clean_project(evaluation: ProjectEvaluation) -> ProjectEvaluation:
    check_fields(evaluation, PROJECT_TEXTS)
    for key in (*evaluation.contents.values(), *evaluation.results.values()):
        check_text(key, "年度指标内容或完成情况", 2000, multiline=True)
    name = (evaluation.project_name or "").strip()
    if not name:
        raise InputError("项目绩效自评：项目名称不能为空。")
    if len(name) > 300:
        raise InputError(f"项目绩效自评：项目名称“{name[:20]}…”超过 300 字。")
    where = f"项目“{name}”的"
    unknown = (set(evaluation.contents) | set(evaluation.results)) - set(kind_keys())
    if unknown:
        raise InputError(f"项目绩效自评：{where}指标类别“{'、'.join(sorted(unknown))}”无效。")
    rate = (evaluation.stated_rate or "").strip()
    if rate and rate not in ("/", "／") and parse_rate(rate) is None:
        raise InputError(f"项目绩效自评：{where}预算支出执行率“{rate}”应写成百分数，例如 98.98%。")
    return replace(
        evaluation, project_name=name, unit_name=(evaluation.unit_name or "").strip(),
        budget=_money(evaluation.budget, f"{where}项目年度预算金额"),
        actual_total=_money(evaluation.actual_total, f"{where}实际支出金额合计"),
        actual_general=_money(evaluation.actual_general, f"{where}一般公共预算支出"),
        actual_fund=_money(evaluation.actual_fund, f"{where}政府性基金支出"),
        actual_nonfiscal=_money(evaluation.actual_nonfiscal, f"{where}非财政资金支出"),
        stated_rate=rate,
        contents={key: text.strip() for key, text in evaluation.contents.items() if text and text.strip()},
        results={key: text.strip() for key, text in evaluation.results.items() if text and text.strip()},
        initial_goal=(evaluation.initial_goal or "").strip(), overall_result=(evaluation.overall_result or "").strip(),
        problems=(evaluation.problems or "").strip(), rectification=(evaluation.rectification or "").strip())


def clean_department(department: DepartmentEvaluation) -> DepartmentEvaluation:
    check_fields(department, DEPARTMENT_TEXTS)
    keys = {key for key, _part, _label in SCALE_LINES}
    unknown = set(department.lines) - keys
    if unknown:
        raise InputError(f"部门整体支出绩效自评：整体支出规模的栏目“{'、'.join(sorted(unknown))}”无效。")
    lines = {}
    for key, part, label in SCALE_LINES:
        line = department.line(key)
        rate = (line.stated_rate or "").strip()
        if rate and rate not in ("/", "／") and parse_rate(rate) is None:
            raise InputError(f"部门整体支出绩效自评：{label}的执行率“{rate}”应写成百分数，例如 105.37%。")
        lines[key] = ScaleLine(_money(line.budget, f"{part}{label}的全年预算数"),
                               _money(line.actual, f"{part}{label}的全年执行数"), rate)
    groups = []
    for group in department.groups:
        name = check_text((group.name or "").strip(), "一级指标", 100)
        if not name:
            raise InputError("部门整体支出绩效自评：一级指标名称不能为空。")
        items = []
        for item in group.items:
            check_fields(item, ITEM_TEXTS)
            item_name = (item.name or "").strip()
            if not item_name:
                raise InputError(f"部门整体支出绩效自评：一级指标“{name}”下有二级指标名称为空。")
            where = f"“{name} / {item_name}”的"
            items.append(ScoreItem(item_name, _points(item.weight, f"{where}权重"),
                                   (item.level3 or "").strip(), (item.target_value or "").strip(),
                                   (item.actual_value or "").strip(), _points(item.score, f"{where}自评得分"),
                                   (item.deviation or "").strip()))
        groups.append(ScoreGroup(name, _points(group.weight, f"一级指标“{name}”的权重"), items))
    return DepartmentEvaluation(lines, (department.initial_goal or "").strip(), (department.result or "").strip(),
                                groups)


# ---- audit entries: every field in the form's words ------------------------------------------------
def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


def _text(value: str) -> str | None:
    return value or None


def project_fields(evaluation: ProjectEvaluation) -> dict[str, str | None]:
    values = {
        "单位名称": _text(evaluation.unit_name), "项目年度预算金额": _amount(evaluation.budget),
        "实际支出金额合计": _amount(evaluation.actual_total), "一般公共预算": _amount(evaluation.actual_general),
        "政府性基金": _amount(evaluation.actual_fund), "非财政资金": _amount(evaluation.actual_nonfiscal),
        "填报执行率": _text(evaluation.stated_rate), "年初绩效目标": _text(evaluation.initial_goal),
        "绩效目标整体完成情况": _text(evaluation.overall_result),
    }
    for kind in kinds():
        values[f"{kind.title}年度指标内容"] = _text(evaluation.contents.get(kind.key, ""))
        values[f"{kind.title}完成情况"] = _text(evaluation.results.get(kind.key, ""))
    values["项目执行中的问题"] = _text(evaluation.problems)
    values["整改情况"] = _text(evaluation.rectification)
    return values


def department_fields(department: DepartmentEvaluation) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for key, part, label in SCALE_LINES:
        line = department.line(key)
        values[f"{part}{label} 全年预算数"] = _amount(line.budget)
        values[f"{part}{label} 全年执行数"] = _amount(line.actual)
        values[f"{part}{label} 填报执行率"] = _text(line.stated_rate)
    values["年初设定目标"] = _text(department.initial_goal)
    values["全年完成情况"] = _text(department.result)
    for group in department.groups:
        values[f"{group.name} 权重"] = points_text(group.weight) or None
        for item in group.items:
            where = f"{group.name} / {item.name}"
            values[f"{where} 权重"] = points_text(item.weight) or None
            for label, value in (("三级指标", item.level3), ("年度指标值", item.target_value),
                                 ("全年完成值", item.actual_value), ("自评得分", points_text(item.score)),
                                 ("偏差及原因分析", item.deviation)):
                values[f"{where} {label}"] = value or None
    return values


def content_entries(old: SelfEvaluationContent, new: SelfEvaluationContent) -> list[tuple[str, str, str, str | None,
                                                                                            str | None]]:
    """(form, row, column, old, new) for every field that differs."""
    entries = []
    before = {item.project_name: project_fields(item) for item in old.projects}
    after = {item.project_name: project_fields(item) for item in new.projects}
    for name in [*before, *(name for name in after if name not in before)]:
        if name not in after:
            entries.append((PROJECT_FORM, name, "", "存在", None))
            continue
        if name not in before:
            entries.append((PROJECT_FORM, name, "", None, "增加"))
        old_fields = before.get(name, {})
        for column, value in after[name].items():
            if old_fields.get(column) != value:
                entries.append((PROJECT_FORM, name, column, old_fields.get(column), value))
    if [item.project_name for item in old.projects if item.project_name in after] != [
            item.project_name for item in new.projects if item.project_name in before]:
        entries.append((PROJECT_FORM, "项目顺序", "", "、".join(before), "、".join(after)))
    old_fields, new_fields = department_fields(old.department), department_fields(new.department)
    found = False
    for column in [*old_fields, *(key for key in new_fields if key not in old_fields)]:
        if old_fields.get(column) != new_fields.get(column):
            found = True
            entries.append((DEPARTMENT_FORM, DEPARTMENT_TITLE, column, old_fields.get(column), new_fields.get(column)))
    if not found and _outline(old.department) != _outline(new.department):
        # rows added, removed or moved without a field of their own changing (an empty 二级 row, a twin name)
        entries.append((DEPARTMENT_FORM, DEPARTMENT_TITLE, "分解目标自评的指标", _outline(old.department),
                        _outline(new.department)))
    return entries


def _outline(department: DepartmentEvaluation) -> str:
    return "；".join(f"{group.name}：{'、'.join(item.name for item in group.items)}" for group in department.groups)


def describe_entry(form: str, row: str, column: str) -> str:
    title = PROJECT_TITLE if form == PROJECT_FORM else DEPARTMENT_TITLE
    if form == PROJECT_FORM:
        return f"{title} / {row}" + (f" / {column}" if column else "")
    return f"{title} / {column}"


# ---- database mapping --------------------------------------------------------------------------
def _hundredths(value: Decimal | None) -> int | None:
    return None if value is None else to_hundredths(value)


def _decimal(units: int | None) -> Decimal | None:
    return None if units is None else from_hundredths(units)


_PROJECT_MONEY = ("budget", "actual_total", "actual_general", "actual_fund", "actual_nonfiscal")
_PROJECT_TEXT = ("unit_name", "project_name", "stated_rate", "initial_goal", "overall_result", "problems",
                 "rectification")


def _project_from_row(row: models.ProjectSelfEvaluation) -> ProjectEvaluation:
    values = {name: getattr(row, name) for name in _PROJECT_TEXT}
    values.update({name: _decimal(getattr(row, f"{name}_hundredths")) for name in _PROJECT_MONEY})
    return ProjectEvaluation(**values, contents={ind.kind: ind.content for ind in row.indicators if ind.content},
                             results={ind.kind: ind.result for ind in row.indicators if ind.result})


def _fill_project_row(row: models.ProjectSelfEvaluation, evaluation: ProjectEvaluation) -> None:
    for name in _PROJECT_TEXT:
        setattr(row, name, getattr(evaluation, name))
    for name in _PROJECT_MONEY:
        setattr(row, f"{name}_hundredths", _hundredths(getattr(evaluation, name)))
    row.indicators = [
        models.ProjectSelfEvaluationIndicator(kind=key, content=evaluation.contents.get(key, ""),
                                              result=evaluation.results.get(key, ""))
        for key in kind_keys() if evaluation.contents.get(key) or evaluation.results.get(key)]


def _read_projects(session: Session, dataset_id: int) -> list[ProjectEvaluation]:
    rows = session.scalars(
        select(models.ProjectSelfEvaluation).where(models.ProjectSelfEvaluation.dataset_id == dataset_id)
        .order_by(models.ProjectSelfEvaluation.position, models.ProjectSelfEvaluation.id)
        .options(selectinload(models.ProjectSelfEvaluation.indicators)))
    return [_project_from_row(row) for row in rows]


def _read_department(session: Session, dataset_id: int) -> DepartmentEvaluation:
    header = session.get(models.DepartmentSelfEvaluation, dataset_id)
    department = DepartmentEvaluation()
    if header is not None:
        stated = json.loads(header.stated_rates) if header.stated_rates else {}
        department.lines = {key: ScaleLine(_decimal(getattr(header, f"{key}_budget_hundredths")),
                                           _decimal(getattr(header, f"{key}_actual_hundredths")), stated.get(key, ""))
                            for key, _part, _label in SCALE_LINES}
        department.initial_goal, department.result = header.initial_goal, header.result
    groups = session.scalars(
        select(models.DepartmentSelfEvaluationGroup).where(models.DepartmentSelfEvaluationGroup.dataset_id == dataset_id)
        .order_by(models.DepartmentSelfEvaluationGroup.position).options(
            selectinload(models.DepartmentSelfEvaluationGroup.items)))
    department.groups = [
        ScoreGroup(group.name, _decimal(group.weight_hundredths),
                   [ScoreItem(item.name, _decimal(item.weight_hundredths), item.level3, item.target_value,
                              item.actual_value, _decimal(item.score_hundredths), item.deviation)
                    for item in group.items])
        for group in groups]
    return department


def read_content(session: Session, dataset_id: int) -> SelfEvaluationContent:
    return SelfEvaluationContent(_read_projects(session, dataset_id), _read_department(session, dataset_id))


def _write_department(session: Session, dataset_id: int, department: DepartmentEvaluation) -> None:
    session.execute(delete(models.DepartmentSelfEvaluationGroup)
                    .where(models.DepartmentSelfEvaluationGroup.dataset_id == dataset_id))
    header = session.get(models.DepartmentSelfEvaluation, dataset_id)
    if department.is_empty():
        if header is not None:
            session.delete(header)
        return
    if header is None:
        header = models.DepartmentSelfEvaluation(dataset_id=dataset_id)
        session.add(header)
    for key, _part, _label in SCALE_LINES:
        line = department.line(key)
        setattr(header, f"{key}_budget_hundredths", _hundredths(line.budget))
        setattr(header, f"{key}_actual_hundredths", _hundredths(line.actual))
    stated = {key: department.line(key).stated_rate for key, _p, _l in SCALE_LINES if department.line(key).stated_rate}
    header.stated_rates = json.dumps(stated, ensure_ascii=False) if stated else ""
    header.initial_goal, header.result = department.initial_goal, department.result
    for position, group in enumerate(department.groups):
        session.add(models.DepartmentSelfEvaluationGroup(
            dataset_id=dataset_id, position=position, name=group.name, weight_hundredths=_hundredths(group.weight),
            items=[models.DepartmentSelfEvaluationItem(
                position=number, name=item.name, weight_hundredths=_hundredths(item.weight), level3=item.level3,
                target_value=item.target_value, actual_value=item.actual_value,
                score_hundredths=_hundredths(item.score), deviation=item.deviation)
                for number, item in enumerate(group.items)]))


def _write_projects(session: Session, dataset_id: int, projects: list[ProjectEvaluation]) -> None:
    existing = {row.project_name: row for row in session.scalars(
        select(models.ProjectSelfEvaluation).where(models.ProjectSelfEvaluation.dataset_id == dataset_id)
        .options(selectinload(models.ProjectSelfEvaluation.indicators)))}
    wanted = {item.project_name for item in projects}
    for name, row in existing.items():
        if name not in wanted:
            session.delete(row)
    session.flush()
    for position, evaluation in enumerate(projects):
        row = existing.get(evaluation.project_name)
        if row is None:
            row = models.ProjectSelfEvaluation(dataset_id=dataset_id)
            session.add(row)
        row.position = position
        _fill_project_row(row, evaluation)


def validate_content(content: SelfEvaluationContent) -> SelfEvaluationContent:
    projects = [clean_project(item) for item in content.projects]
    names = [item.project_name for item in projects]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(f"项目绩效自评表中项目“{'、'.join(duplicates)}”重复出现。")
    return SelfEvaluationContent(projects, clean_department(content.department))


def write_content(session: Session, dataset_id: int, content: SelfEvaluationContent) -> None:
    """Write validated content into a dataset (the interchange import uses this inside its transaction)."""
    _write_projects(session, dataset_id, content.projects)
    _write_department(session, dataset_id, content.department)


# ---- the book of one open dataset -------------------------------------------------------------------
class SelfEvaluationBook:
    """Both self-evaluation forms of one open dataset (app.store.service.BudgetDataset)."""

    def __init__(self, dataset) -> None:
        self.dataset = dataset

    @property
    def money_unit(self) -> str:
        return self.dataset.money_unit

    def content(self) -> SelfEvaluationContent:
        with self.dataset.store.Session() as session:
            return read_content(session, self.dataset.dataset_id)

    def projects(self) -> list[ProjectEvaluation]:
        return self.content().projects

    def project(self, name: str) -> ProjectEvaluation:
        found = next((item for item in self.projects() if item.project_name == name), None)
        if found is None:
            raise NotFoundError(f"项目绩效自评表中没有项目“{name}”。")
        return found

    def department(self) -> DepartmentEvaluation:
        return self.content().department

    # ---- writing: one door, one audit row per changed field --------------------------------------
    def _write(self, change, *, source: str):
        """``change(content)`` returns the new content; write the difference through the door."""
        with self.dataset.door(source) as work:
            old = read_content(work.session, self.dataset.dataset_id)
            new = validate_content(change(old))
            entries = content_entries(old, new)
            if entries:
                write_content(work.session, self.dataset.dataset_id, new)
                for form, row, column, before, after in entries:
                    work.record(describe_entry(form, row, column), before, after, form=form, row=row, column=column)
                work.changes.book = True
        return work.changes

    def set_content(self, content: SelfEvaluationContent, *, source: str = "录入"):
        return self._write(lambda _old: content, source=source)

    def set_project(self, evaluation: ProjectEvaluation, *, source: str = "录入", old_name: str | None = None):
        """Add or replace one project's row (``old_name``: the row it replaces, when renamed)."""
        target = old_name or evaluation.project_name

        def change(old: SelfEvaluationContent) -> SelfEvaluationContent:
            projects = list(old.projects)
            index = next((number for number, item in enumerate(projects) if item.project_name == target), None)
            if index is None:
                projects.append(evaluation)
            else:
                projects[index] = evaluation
            return SelfEvaluationContent(projects, old.department)

        return self._write(change, source=source)

    def delete_project(self, name: str, *, source: str = "录入"):
        def change(old: SelfEvaluationContent) -> SelfEvaluationContent:
            if not any(item.project_name == name for item in old.projects):
                raise NotFoundError(f"项目绩效自评表中没有项目“{name}”。")
            return SelfEvaluationContent([item for item in old.projects if item.project_name != name], old.department)

        return self._write(change, source=source)

    def set_department(self, department: DepartmentEvaluation, *, source: str = "录入"):
        return self._write(lambda old: SelfEvaluationContent(old.projects, department), source=source)

    # ---- prefilling from the targets ---------------------------------------------------------------
    def prefilled_project(self, project) -> ProjectEvaluation:
        """A self-evaluation row for a budget project (app.projects.Project): 项目年度预算金额, 年初绩效目标
        and 年度指标内容 per kind from its 绩效目标; the clerk writes the rest."""
        contents: dict[str, str] = {}
        for kind in kinds():
            texts = [f"{indicator.name}{indicator.display_value}" for indicator in project.indicators
                     if indicator.level2 == kind.level2]
            if texts:
                contents[kind.key] = "；".join(texts)
        return ProjectEvaluation(project_name=project.name,
                                 unit_name=project.implementing_unit or self.dataset.unit.name,
                                 budget=project.amount, initial_goal=project.annual_goal or project.period_goal,
                                 contents=contents)

    def prefill(self, *, source: str = "录入"):
        """Add a row for every budget project not yet in the 项目绩效自评表, and fill the 年初设定目标 and
        default 分解目标 of the department form where they are still empty. What the clerk wrote stays."""
        from app.projects import ProjectBook

        book = ProjectBook(self.dataset)
        budget_projects = book.list_projects()
        goal = book.overall_targets().goal

        def change(old: SelfEvaluationContent) -> SelfEvaluationContent:
            have = {item.project_name for item in old.projects}
            projects = [*old.projects, *(self.prefilled_project(project) for project in budget_projects
                                         if project.name not in have)]
            department = replace(old.department)
            if not department.initial_goal:
                department.initial_goal = goal
            if not department.groups:
                department.groups = default_groups()
            return SelfEvaluationContent(projects, department)

        return self._write(change, source=source)


# ---- interchange: plain JSON ----------------------------------------------------------------------
def _json_money(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


def content_to_json(content: SelfEvaluationContent) -> dict:
    """The ``self_evaluation`` member of an interchange document (amounts and points as strings)."""
    department = content.department
    return {
        "projects": [{
            "project_name": item.project_name, "unit_name": item.unit_name,
            **{name: _json_money(getattr(item, name)) for name in _PROJECT_MONEY},
            "stated_rate": item.stated_rate, "initial_goal": item.initial_goal, "overall_result": item.overall_result,
            "indicators": {key: {"content": item.contents.get(key, ""), "result": item.results.get(key, "")}
                           for key in kind_keys() if item.contents.get(key) or item.results.get(key)},
            "problems": item.problems, "rectification": item.rectification,
        } for item in content.projects],
        "department": {
            "scale": {key: {"budget": _json_money(department.line(key).budget),
                            "actual": _json_money(department.line(key).actual),
                            "stated_rate": department.line(key).stated_rate}
                      for key, _part, _label in SCALE_LINES},
            "initial_goal": department.initial_goal, "result": department.result,
            "groups": [{"name": group.name, "weight": points_text(group.weight) or None, "items": [
                {"name": item.name, "weight": points_text(item.weight) or None, "level3": item.level3,
                 "target_value": item.target_value, "actual_value": item.actual_value,
                 "score": points_text(item.score) or None, "deviation": item.deviation}
                for item in group.items]} for group in department.groups],
        },
    }


def _str(data: dict, key: str, where: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}的“{key}”应为文字。")
    return value


def _amount_in(data: dict, key: str, where: str):
    value = data.get(key)
    if value is not None and not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InputError(f"{where}的“{key}”应写成字符串形式的金额（如 \"7.78\"）。")
    return value


def content_from_json(data: dict | None) -> SelfEvaluationContent:
    """Parse and validate the ``self_evaluation`` member; raises InputError (Chinese) on anything wrong."""
    if data is None:
        return SelfEvaluationContent()
    if not isinstance(data, dict):
        raise InputError("数据文件中的绩效自评（self_evaluation）应为对象。")
    projects = []
    for number, item in enumerate(data.get("projects") or [], start=1):
        where = f"项目绩效自评第 {number} 行"
        if not isinstance(item, dict):
            raise InputError(f"{where}应为对象。")
        indicators = item.get("indicators") or {}
        if not isinstance(indicators, dict) or any(not isinstance(v, dict) for v in indicators.values()):
            raise InputError(f"{where}的指标（indicators）应为按指标类别的对象。")
        projects.append(ProjectEvaluation(
            project_name=_str(item, "project_name", where), unit_name=_str(item, "unit_name", where),
            **{name: _amount_in(item, name, where) for name in _PROJECT_MONEY},
            stated_rate=_str(item, "stated_rate", where), initial_goal=_str(item, "initial_goal", where),
            overall_result=_str(item, "overall_result", where),
            contents={key: _str(value, "content", where) for key, value in indicators.items()},
            results={key: _str(value, "result", where) for key, value in indicators.items()},
            problems=_str(item, "problems", where), rectification=_str(item, "rectification", where)))
    department_data = data.get("department") or {}
    if not isinstance(department_data, dict):
        raise InputError("部门整体支出绩效自评（department）应为对象。")
    where = "部门整体支出绩效自评"
    scale = department_data.get("scale") or {}
    if not isinstance(scale, dict) or any(not isinstance(v, dict) for v in scale.values()):
        raise InputError(f"{where}的整体支出规模（scale）应为对象。")
    lines = {key: ScaleLine(_amount_in(value, "budget", where), _amount_in(value, "actual", where),
                            _str(value, "stated_rate", where)) for key, value in scale.items()}
    groups = []
    for group in department_data.get("groups") or []:
        if not isinstance(group, dict) or not isinstance(group.get("items", []), list):
            raise InputError(f"{where}的分解目标（groups）格式不对。")
        items = []
        for item in group.get("items") or []:
            if not isinstance(item, dict):
                raise InputError(f"{where}的二级指标应为对象。")
            items.append(ScoreItem(_str(item, "name", where), _amount_in(item, "weight", where),
                                   _str(item, "level3", where), _str(item, "target_value", where),
                                   _str(item, "actual_value", where), _amount_in(item, "score", where),
                                   _str(item, "deviation", where)))
        groups.append(ScoreGroup(_str(group, "name", where), _amount_in(group, "weight", where), items))
    department = DepartmentEvaluation(lines, _str(department_data, "initial_goal", where),
                                      _str(department_data, "result", where), groups)
    return validate_content(SelfEvaluationContent(projects, department))


