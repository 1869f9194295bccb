"""筛查 results as an xlsx workbook: the outliers to follow up and every unit's measures, as numbers.

The columns come from the result itself: the outliers' (unit, 指标, 本年, 上年/中位数, 偏离, 阈值, 跟进), and
one growth column per quantity and a share and median column per share that the result's threshold
file names. Amounts are handed over as the exact ``Decimal`` figures, in the money-amount format (an
xlsx number is a double; an amount of up to 15 digits reads back as itself); growth, shares and
medians are the exact ratios rounded to ten decimal places (as in JSON) in a percent format, so a
sort or a formula in Excel/WPS works on the numbers while the cells read like the screen
(“上年 1,206.65”, “中位数 0.8%”, “+80.0%”). Nothing is computed here that ``screening.screen`` did not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from openpyxl import Workbook as XlsxBook
from openpyxl.utils import get_column_letter

from app.base.errors import InputError
from app.base.progress import Progress, step
from app.bureau.screening import GROWTH, Outlier, ScreeningResult, UnitMeasures, as_decimal
from app.domain.quantities import quantity_def
from app.exchange.excel.sheet import Sheet
from app.exchange.excel.styles import BOLD, CENTER, HEADER_FILL, LEFT, MONEY_FORMAT

PERCENT_FORMAT = "0.0%"
SIGNED_PERCENT_FORMAT = "+0.0%;-0.0%;0.0%"
POINTS_FORMAT = '+0.0" 个百分点";-0.0" 个百分点";0.0" 个百分点"'
PRIOR_AMOUNT_FORMAT = '"上年 "#,##0.00'
MEDIAN_FORMAT = '"中位数 "0.0%'
OUTLIER_SHEET, UNIT_SHEET = "需跟进的异常", "各单位指标"
FIRST_DATA_ROW = 4  # title, the rule line, the header


@dataclass(frozen=True)
class Figure:
    """A number with the format it is shown in."""

    value: Decimal
    number_format: str


Value = str | Figure | None


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    read: Callable[[Any], Value]  # an Outlier or a UnitMeasures → the cell


def _ratio(ratio: Fraction | Decimal | None, number_format: str) -> Figure | None:
    exact = as_decimal(ratio)
    return None if exact is None else Figure(exact, number_format)


def _outlier_value(outlier: Outlier) -> Value:
    if outlier.kind == GROWTH and isinstance(outlier.value, Decimal):
        return Figure(outlier.value, MONEY_FORMAT)
    return _ratio(outlier.value, PERCENT_FORMAT)


def _outlier_reference(outlier: Outlier) -> Value:
    if outlier.kind == GROWTH and isinstance(outlier.reference, Decimal):
        return Figure(outlier.reference, PRIOR_AMOUNT_FORMAT)
    return _ratio(outlier.reference, MEDIAN_FORMAT)


def _outlier_deviation(outlier: Outlier) -> Value:
    if outlier.kind == GROWTH:
        return _ratio(outlier.deviation, SIGNED_PERCENT_FORMAT)
    return _ratio(outlier.deviation * 100, POINTS_FORMAT)


def outlier_columns() -> list[Column]:
    return [
        Column("单位编码", 10, lambda o: o.unit_code),
        Column("单位名称", 24, lambda o: o.unit_name),
        Column("部门", 16, lambda o: o.department_name),
        Column("指标", 20, lambda o: o.title),
        Column("本年", 14, _outlier_value),
        Column("上年/中位数", 18, _outlier_reference),
        Column("偏离", 14, _outlier_deviation),
        Column("阈值", 22, lambda o: o.threshold),
        Column("跟进", 50, lambda o: o.note),
        Column("核实情况", 20, lambda o: ""),
    ]


def _growth(name: str) -> Callable[[UnitMeasures], Value]:
    def read(unit: UnitMeasures) -> Value:
        if name not in unit.prior:
            return "无上年数"
        if unit.growth.get(name) is None:
            return "上年为0"
        return _ratio(unit.growth[name], SIGNED_PERCENT_FORMAT)
    return read


def _share(name: str, *, median: bool) -> Callable[[UnitMeasures], Value]:
    def read(unit: UnitMeasures) -> Value:
        if median:
            middle = unit.medians.get(name)
            return "同组不足" if middle is None else _ratio(middle, PERCENT_FORMAT)
        mine = unit.shares.get(name)
        return "—" if mine is None else _ratio(mine, PERCENT_FORMAT)
    return read


def unit_columns(result: ScreeningResult) -> list[Column]:
    """The units' sheet: fixed columns, then what the result's threshold file screens."""
    config = result.config
    columns = [
        Column("单位编码", 10, lambda u: u.unit_code),
        Column("单位名称", 24, lambda u: u.unit_name),
        Column("部门", 16, lambda u: u.department_name),
        Column("金额单位", 8, lambda u: u.money_unit),
        Column("上年数来源", 12, lambda u: u.prior_source_name),
    ]
    columns += [Column(f"{quantity_def(name).title}增长", 12, _growth(name)) for name in config.growth_quantities]
    for share in config.shares:
        columns.append(Column(share.title, 14, _share(share.name, median=False)))
        columns.append(Column(f"{share.title}（同组中位数）", 14, _share(share.name, median=True)))
    return columns


def _write_sheet(sheet: Sheet, title: str, rule: str, columns: Sequence[Column], items: Sequence[object],
                 advance: Callable[[], None]) -> None:
    sheet.title(title, len(columns))
    sheet.text(2, 1, rule, align=LEFT, border=False)
    sheet.merge(2, 1, 2, len(columns), border=False)
    for number, column in enumerate(columns, start=1):
        sheet.text(3, number, column.title, align=CENTER, font=BOLD, fill=HEADER_FILL)
    for offset, item in enumerate(items):
        row = FIRST_DATA_ROW + offset
        for number, column in enumerate(columns, start=1):
            value = column.read(item)
            if isinstance(value, Figure):
                sheet.number(row, number, value.value, number_format=value.number_format)
            else:
                sheet.text(row, number, value or "")
        advance()
    sheet.widths([column.width for column in columns])
    last = FIRST_DATA_ROW + max(len(items), 1) - 1
    sheet.ws.auto_filter.ref = f"A3:{get_column_letter(len(columns))}{last}"  # sort and filter in Excel/WPS
    sheet.page("landscape", 3, freeze="C4")


def export_screening(result: ScreeningResult, path: str | Path, *, progress: Progress | None = None) -> Path:
    """Write the screening result to ``path`` (through a temporary file: a cancelled or failed export
    leaves nothing). Returns the path."""
    path = Path(path)
    total = len(result.outliers) + len(result.units) + 1
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        step(progress, done, total, "导出筛查结果")

    config = result.config
    rule = (f"同组方式：{result.peers_name}；增长阈值：增长超过 {config.max_increase}% 或减少超过 {config.max_decrease}%；"
            f"占比阈值：{config.share_rule_text()}；同组至少 {config.min_peers} 个单位。"
            f"共筛查 {len(result.units)} 个单位，需跟进 {len(result.outliers)} 项。")
    xlsx = XlsxBook()
    outliers = xlsx.active
    outliers.title = OUTLIER_SHEET
    _write_sheet(Sheet(outliers), f"{result.year}年度部门预算筛查结果：需跟进的异常", rule, outlier_columns(),
                 result.outliers, advance)
    _write_sheet(Sheet(xlsx.create_sheet(UNIT_SHEET)), f"{result.year}年度部门预算筛查结果：各单位指标", rule,
                 unit_columns(result), result.units, advance)
    xlsx.properties.creator = "BudgetDesk"
    xlsx.properties.title = f"{result.year}年度部门预算筛查结果"
    advance()
    temporary = path.with_name(path.name + ".part")
    try:
        xlsx.save(temporary)
        temporary.replace(path)
    except PermissionError:
        raise InputError(f"无法写入“{path}”：没有权限，或文件正在 Excel/WPS 中打开。请关闭该文件或换一个位置。") from None
    except OSError as exc:
        raise InputError(f"无法写入“{path}”：{exc.strerror or exc}。") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


__all__ = ["Column", "Figure", "export_screening", "outlier_columns", "unit_columns"]
