"""Validation of records: Chinese messages (InputError) before anything is written; problems for checks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from app.base.dates import parse_date
from app.base.errors import InputError
from app.base.money import message_amount
from app.base.textcheck import (
    INDICATOR_TEXTS,
    OVERALL_TEXTS,
    PROCUREMENT_TEXTS,
    PROJECT_TEXTS,
    check_code,
    check_fields,
)
from app.domain.codes import CodeTable
from app.projects.catalogue import normalize_catalogue_code
from app.projects.code_lists import (
    _ASSET_PART_OF,
    _ATTRIBUTE_SPELLINGS,
    ASSET_LABELS,
    ASSET_ROWS,
    FUNDS_BY_LEVEL,
    FUNDS_BY_NATURE,
    PROCUREMENT_FUNDS,
    PROJECT_ATTRIBUTES,
    PROJECT_FUNDS,
)
from app.projects.levels import (
    ALL_COMPARATORS,
    COMPARATORS,
    QUALITATIVE,
    indicator_levels,
    level2_codes,
    level_name,
    resolve_level1,
    resolve_level2,
)
from app.projects.parsing import (
    _NUMBER,
    _clean,
    _money,
    _text,
    decimal_text,
    normalize_comparator,
    parse_quantity,
)
from app.projects.records import AssetLine, AssetTable, Indicator, OverallTargets, ProcurementItem, Project


def validate_indicator(indicator: Indicator, *, require_levels: bool = True) -> Indicator:
    """A normalised copy (codes for names, canonical comparator and number) or InputError."""
    check_fields(indicator, INDICATOR_TEXTS)  # invisible or control characters, lengths: named per field
    level1_text, level2_text = _clean(indicator.level1), _clean(indicator.level2)
    level1 = resolve_level1(level1_text) if level1_text else ""
    level2 = resolve_level2(level2_text, level1 or None) if level2_text else ""
    if level2 and not level1:
        level1 = indicator_levels()[level2].parent or ""
    if require_levels and not level1:
        raise InputError("缺少一级指标（产出指标、效益指标或满意度指标）。")
    if require_levels and not level2:
        raise InputError(f"缺少二级指标（{level_name(level1)}下的 "
                         + "、".join(level_name(code) for code in level2_codes(level1)) + "）。")
    if level1 and not level2 and not require_levels:
        raise InputError("填写了一级指标时也要填写二级指标。")
    name = _text(indicator.name, "三级指标名称", 300)
    if not name:
        raise InputError("三级指标名称不能为空。")
    comparator = normalize_comparator(indicator.comparator)
    if comparator not in ALL_COMPARATORS and comparator != "":
        raise InputError(f"比较符“{indicator.comparator}”无效，只能是 ≥、≤、=、>、< 或 定性。")
    value = _clean(indicator.value)
    if comparator in COMPARATORS:
        if not value:
            raise InputError(f"比较符为“{comparator}”时必须填写指标值。")
        number = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
        if re.match(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$", number):
            number = number.replace(",", "")
        if not _NUMBER.match(number):
            raise InputError(f"指标值“{value}”不是数字；比较符为“{comparator}”时指标值应为数字，"
                             "用文字表述的指标请把比较符选为“定性”。")
        value = number
    elif comparator == QUALITATIVE and not value:
        raise InputError("定性指标必须填写指标值（例如：比上年提升）。")
    unit = _text(indicator.unit, "计量单位", 32)
    return Indicator(
        level1, level2, name, _clean(indicator.description), comparator, value, unit, _clean(indicator.basis),
        _clean(indicator.period_value), _clean(indicator.note),
    )


def validate_indicators(indicators: Iterable[Indicator], *, require_levels: bool = True) -> list[Indicator]:
    checked = []
    for number, indicator in enumerate(indicators, start=1):
        try:
            checked.append(validate_indicator(indicator, require_levels=require_levels))
        except InputError as exc:
            name = _clean(indicator.name)
            raise InputError(f"第 {number} 条绩效指标{f'（{name}）' if name else ''}：{exc}") from None
    return checked


def _attribute(text: str) -> str:
    cleaned = re.sub(r"\s+", "", _clean(text))
    if not cleaned or cleaned in PROJECT_ATTRIBUTES:
        return cleaned
    by_name = {name: key for key, name in PROJECT_ATTRIBUTES.items()} | _ATTRIBUTE_SPELLINGS
    if cleaned in by_name:
        return by_name[cleaned]
    raise InputError(f"项目属性“{text}”无效，只能是经常性项目、一次性项目或延续性项目。")


def function_code_from_text(text: str, function_table: CodeTable | None) -> str:
    """The 功能分类科目 code in what the clerk typed or picked: a code alone, or "code name" as the
    drop-down shows it. Anything else after the code (an amount pasted along, another name) is refused,
    so that no typed text is silently dropped."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if not cleaned:
        return ""
    code, _, rest = cleaned.partition(" ")
    rest = re.sub(r"\s+", "", rest)
    if not rest:
        return code
    name = function_table.name(code) if function_table is not None and code in function_table else None
    if name is not None and rest == re.sub(r"\s+", "", name):
        return code
    named = f"（该科目名称是“{name}”）" if name is not None else ""
    raise InputError(f"功能分类科目只能填一个科目编码（如 2070699），或从下拉列表中选择：“{text.strip()}”中编码后的"
                     f"“{rest}”不是科目名称{named}。")


def _function_code(code: str, function_table: CodeTable | None) -> str:
    code = check_code(code, "功能分类科目", 16) if _clean(code) else ""
    if not code or function_table is None:
        return code
    if code not in function_table:
        raise InputError(f"功能分类科目“{code}”不在支出功能分类科目（{function_table.edition}版）中。")
    if len(code) != 7:
        level = "类" if len(code) == 3 else "款"
        raise InputError(f"项目的功能分类科目应填到项级（7 位编码），“{code} {function_table.name(code)}”是{level}级科目。")
    return code


def validate_project(project: Project, *, function_table: CodeTable | None, money_unit: str) -> Project:
    """A normalised copy of ``project`` (indicators included) or InputError for a value that cannot be
    stored. Uniqueness of the name and code within the dataset is checked by ProjectBook, which sees the
    other projects; whether the fields agree with each other is :func:`project_problems`."""
    check_fields(project, PROJECT_TEXTS)
    name = _text(project.name, "项目名称", 300)
    if not name:
        raise InputError("项目名称不能为空。")
    return Project(
        name=name,
        code=check_code(project.code, "项目编码", 64) if _clean(project.code) else "",
        amount=_money(project.amount, "项目金额", money_unit),
        **{key: _money(getattr(project, key), label, money_unit) for key, label in PROJECT_FUNDS},
        period_total=_money(project.period_total, "实施期资金总额", money_unit),
        executed_before=_money(project.executed_before, "以前年度累计执行数", money_unit),
        function_code=_function_code(project.function_code, function_table),
        attribute=_attribute(project.attribute),
        period_start=parse_date(project.period_start, "实施周期开始日期"),
        period_end=parse_date(project.period_end, "实施周期结束日期", end=True),
        competent_department=_text(project.competent_department, "主管部门", 200),
        implementing_unit=_text(project.implementing_unit, "实施单位", 200),
        manager=_text(project.manager, "项目负责人", 50),
        period_goal=_clean(project.period_goal),
        annual_goal=_clean(project.annual_goal),
        indicators=validate_indicators(project.indicators),
        id=project.id,
    )


# Fields that must agree with each other are checked, not refused: a clerk fills them one at a time
# (and published tables are not always consistent), like 合计 against its parts in the cell tables.
# The reconciliation checks report these with the project's name; nothing here raises.


def project_problems(project: Project, money_unit: str) -> list[str]:
    """Where a validated project's fields disagree: fund sources against the amount, the multi-year
    figures, the 实施周期."""
    problems = []
    amount = project.amount
    zero = Decimal("0.00")

    def money(value: Decimal | None) -> str:
        return f"{message_amount(value or zero)} {money_unit}"

    sources = {key: getattr(project, key) for key, _label in PROJECT_FUNDS}
    if amount is None and any(value is not None for value in sources.values()):
        problems.append("已填写资金来源，但没有填写项目金额（本年度预算安排数）。")
    for keys, names in ((FUNDS_BY_NATURE, "财政拨款 + 财政专户拨款 + 其他资金"),
                        (FUNDS_BY_LEVEL, "本级财政 + 上级资金 + 其他资金")):
        if amount is not None and any(sources[key] is not None for key in keys):
            parts = sum((sources[key] or zero for key in (*keys, "other_funds")), zero)
            if parts != amount:
                problems.append(f"资金来源合计 {money(parts)}（{names}）与项目金额 {money(amount)} 不一致。")
    if sources["other_funds"] is not None and amount is not None and sources["other_funds"] > amount:
        problems.append(f"其他资金 {money(sources['other_funds'])} 大于项目金额 {money(amount)}。")
    if project.period_total is not None:
        if (project.executed_before or zero) + (amount or zero) > project.period_total:
            problems.append(f"实施期资金总额 {money(project.period_total)} 小于以前年度累计执行数 "
                            f"{money(project.executed_before)} 与本年度预算安排数 {money(amount)} 之和。")
    if project.period_start and project.period_end and project.period_end < project.period_start:
        problems.append(f"实施周期的结束日期 {project.period_end.isoformat()} 早于开始日期 "
                        f"{project.period_start.isoformat()}。")
    return problems


def procurement_problems(item: ProcurementItem, money_unit: str) -> list[str]:
    total = item.total or Decimal("0.00")
    if item.sme_reserved is not None and item.sme_reserved > total:
        return [f"预留中小微企业份额 {message_amount(item.sme_reserved)} {money_unit} 大于政府采购金额合计 "
                f"{message_amount(total)} {money_unit}。"]
    return []


def asset_problems(table: AssetTable) -> list[str]:
    problems = []
    for part, whole_key in _ASSET_PART_OF.items():
        part_line, whole_line = table.line(part), table.line(whole_key)
        if part_line.quantity is not None and (whole_line.quantity or 0) < part_line.quantity:
            problems.append(f"{ASSET_LABELS[part]}的数量 {decimal_text(part_line.quantity)} 大于"
                            f"{ASSET_LABELS[whole_key]}的数量 {decimal_text(whole_line.quantity or Decimal(0))}。")
        if part_line.value is not None and (whole_line.value or 0) < part_line.value:
            problems.append(f"{ASSET_LABELS[part]}的价值 {message_amount(part_line.value)} 大于"
                            f"{ASSET_LABELS[whole_key]}的价值 {message_amount(whole_line.value or Decimal('0.00'))}。")
    return problems


def validate_overall(targets: OverallTargets) -> OverallTargets:
    # The published 部门整体绩效目标 (seed 004 part 1) prints no 一级/二级, so they are optional here.
    check_fields(targets, OVERALL_TEXTS)
    return OverallTargets(_clean(targets.goal), validate_indicators(targets.indicators, require_levels=False))


def validate_procurement(item: ProcurementItem, money_unit: str) -> ProcurementItem:
    if item.project_id is None:
        raise InputError("请选择政府采购项目来源（项目）。")
    check_fields(item, {key: spec for key, spec in PROCUREMENT_TEXTS.items() if key != "project"})
    item_name = _text(item.item_name, "采购物品名称", 300)
    if not item_name:
        raise InputError("采购物品名称不能为空。")
    if not _clean(item.catalogue_code):
        raise InputError("政府采购目录序号不能为空。")
    code = normalize_catalogue_code(item.catalogue_code)
    return ProcurementItem(
        project_id=item.project_id,
        item_name=item_name,
        catalogue_code=code,
        measure_unit=_text(item.measure_unit, "计量单位", 32),
        quantity=parse_quantity(item.quantity, "数量"),
        unit_price=_money(item.unit_price, "单价", money_unit),
        **{key: _money(getattr(item, key), label, money_unit) for key, label in PROCUREMENT_FUNDS},
        sme_reserved=_money(item.sme_reserved, "预留中小微企业份额", money_unit),
        id=item.id,
    )


def validate_assets(table: AssetTable, money_unit: str) -> AssetTable:
    lines: dict[str, AssetLine] = {}
    wholes = {key: whole for key, _label, whole in ASSET_ROWS}
    for key, line in table.lines.items():
        if key not in wholes:
            raise InputError(f"部门固定资产占用情况表没有“{key}”这一行。")
        label = ASSET_LABELS[key]
        lines[key] = AssetLine(
            parse_quantity(line.quantity, f"{label}的数量", whole=wholes[key], decimals=2),
            _money(line.value, f"{label}的价值", money_unit),
        )
    return AssetTable(parse_date(table.as_of, "截止时间"), lines,
                      _money(table.planned_purchases, "本年度拟购置固定资产总额", money_unit))
