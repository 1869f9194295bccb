"""The 绩效自评 sheets of the Excel workbook, laid out like the seeds, out and back in.

* 项目绩效自评表 (seed 001): title, unit line, the three-row grouped header (实际支出金额 — 其中：财政拨款 —
  一般公共预算/政府性基金; 产出目标/效益目标 — kind — 年度指标内容/完成情况), one row per project; 预算支出执行率
  is a live formula (实际支出合计 ÷ 项目年度预算金额, shown 0.00%), never read back.
* 部门整体支出绩效自评表 (seed 003): 部门（单位）名称, 整体支出规模 (执行率 live formulas), 年度总体目标, then
  分解目标自评 with 一级指标 and 权重 merged over their 二级 rows, each 二级 written with its weight in brackets
  as the seed does (``预算编审管理（3）``) and 总分 as formulas.

Reading gives the ``self_evaluation`` member of the interchange document; every unreadable cell is a
problem with its sheet and address (the importer refuses the whole workbook then).
"""

from __future__ import annotations

import re

from openpyxl import Workbook as XlsxBook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app import selfeval
from app.base.errors import InputError
from app.base.money import exact_text, parse_decimal
from app.domain.records import UnitInfo
from app.exchange.excel import labels
from app.exchange.excel.grid import Grid, Reader
from app.exchange.excel.sheet import Sheet
from app.exchange.excel.styles import BOLD, CENTER, HEADER_FILL, LEFT

PROJECT_SHEET_NAME = "项目绩效自评"
DEPARTMENT_SHEET_NAME = "部门整体自评"
PROJECT_KIND = "self_evaluation"
DEPARTMENT_KIND = "department_self_evaluation"
RATE_FORMAT = "0.00%"
FIRST_PROJECT_ROW = 6
SCALE_LABELS = {"fiscal": "资金来源：（1）财政拨款", "other": "（2）其他资金", "basic": "资金结构：（1）基本支出",
                "project": "（2）项目支出"}
SCORE_HEADER = ("一级指标", "权重", "二级指标", "三级指标", "年度指标值", "全年完成值", "自评得分", "偏差及原因分析")
TOTAL_LABEL = "总  分"
_WEIGHTED = re.compile(r"^(?P<name>.*?)[（(]\s*(?P<weight>\d+(?:\.\d+)?)\s*[）)]$")


def titles() -> dict[str, str]:
    """Sheet titles the importer recognises → kind."""
    return {labels.clean(selfeval.PROJECT_TITLE): PROJECT_KIND, labels.clean(selfeval.DEPARTMENT_TITLE): DEPARTMENT_KIND}


def _project_columns() -> list[tuple[str, tuple[str, ...]]]:
    columns = [("seq", ("序号",)), ("unit_name", ("单位名称",)), ("project_name", ("项目名称",)),
               ("budget", ("项目年度预算金额",)), ("actual_total", ("实际支出金额", "合计")),
               ("actual_general", ("实际支出金额", "其中：财政拨款", "一般公共预算")),
               ("actual_fund", ("实际支出金额", "其中：财政拨款", "政府性基金")),
               ("actual_nonfiscal", ("实际支出金额", "非财政资金")), ("rate", ("预算支出执行率",)),
               ("initial_goal", ("年初绩效目标",)), ("overall_result", ("绩效目标整体完成情况",))]
    for kind in selfeval.kinds():
        columns += [(f"content:{kind.key}", (kind.group, kind.title, "年度指标内容")),
                    (f"result:{kind.key}", (kind.group, kind.title, "完成情况"))]
    return columns + [("problems", ("项目执行中的问题",)), ("rectification", ("整改情况",))]


_MONEY = ("budget", "actual_total", "actual_general", "actual_fund", "actual_nonfiscal")


# ---- writing -------------------------------------------------------------------------------------
def write_project_sheet(ws: Worksheet, evaluations: list[selfeval.ProjectEvaluation], unit: UnitInfo, year: int,
                        money_unit: str) -> None:
    sheet = Sheet(ws)
    columns = _project_columns()
    ncols = len(columns)
    sheet.title(f"{year}年{unit.name}部门预算{selfeval.PROJECT_TITLE}", ncols)
    sheet.unit_line(2, ncols, f"{unit.code} {unit.name}", f"年度：{year}", f"单位：{money_unit}")
    # the grouped header: a title spans right over its siblings and down where the path is shorter
    paths = [path for _key, path in columns]
    for level in range(3):
        column = 1
        while column <= ncols:
            path = paths[column - 1]
            if level >= len(path):
                column += 1
                continue
            last = column
            while last < ncols and paths[last][: level + 1] == path[: level + 1]:
                last += 1
            bottom = 5 if level == len(path) - 1 else 3 + level
            sheet.text(3 + level, column, path[level], align=CENTER, font=BOLD, fill=HEADER_FILL)
            sheet.merge(3 + level, column, bottom, last)
            column = last + 1
    for number, item in enumerate(evaluations):
        row = FIRST_PROJECT_ROW + number
        for index, (key, _path) in enumerate(columns, start=1):
            if key == "seq":
                sheet.text(row, index, str(number + 1), align=CENTER)
            elif key in _MONEY:
                sheet.number(row, index, getattr(item, key))
            elif key == "rate":
                budget, actual = get_column_letter(4), get_column_letter(5)
                cell = sheet.formula(row, index, f'IF(AND(ISNUMBER({budget}{row}),{budget}{row}<>0,'
                                                 f'ISNUMBER({actual}{row})),ROUND({actual}{row}/{budget}{row},4),"")')
                cell.number_format = RATE_FORMAT
            elif key.startswith(("content:", "result:")):
                part, kind = key.split(":")
                sheet.text(row, index, (item.contents if part == "content" else item.results).get(kind, ""))
            else:
                sheet.text(row, index, getattr(item, key))
    widths = [5, 14, 16, 10, 10, 10, 10, 10, 10, 24, 24] + [16] * (2 * len(selfeval.kinds())) + [14, 14]
    sheet.widths(widths)
    sheet.page("landscape", 5, freeze="D6")
    ws.page_setup.paperSize = ws.PAPERSIZE_A3


def write_department_sheet(ws: Worksheet, department: selfeval.DepartmentEvaluation, unit: UnitInfo, year: int,
                           money_unit: str) -> None:
    sheet = Sheet(ws)
    sheet.title(f"{year}年{selfeval.DEPARTMENT_TITLE}", 8)
    sheet.unit_line(2, 8, "", f"{year}年度", f"单位：{money_unit}")

    def label(row: int, column: int, text: str, last_row: int | None = None, last_column: int | None = None) -> None:
        sheet.text(row, column, text, align=CENTER, font=BOLD, fill=HEADER_FILL)
        sheet.merge(row, column, last_row or row, last_column or column)

    def text(row: int, column: int, value: str, last_column: int) -> None:
        sheet.text(row, column, value, align=LEFT)
        sheet.merge(row, column, row, last_column)

    label(3, 1, "部门（单位）名称")
    text(3, 2, unit.name, 8)
    label(4, 1, "整体支出规模", 8)
    label(4, 2, "", None, 4)
    label(4, 5, "全年预算数")
    label(4, 6, "全年执行数")
    label(4, 7, "执行率", None, 8)
    for offset, (key, _part, _label) in enumerate(selfeval.SCALE_LINES, start=5):
        line = department.line(key)
        text(offset, 2, SCALE_LABELS[key], 4)
        sheet.number(offset, 5, line.budget)
        sheet.number(offset, 6, line.actual)
        cell = sheet.formula(offset, 7, f'IF(AND(ISNUMBER(E{offset}),E{offset}<>0,ISNUMBER(F{offset})),'
                                        f'ROUND(F{offset}/E{offset},4),"/")')
        cell.number_format = RATE_FORMAT
        sheet.merge(offset, 7, offset, 8)
    label(9, 1, "年度总体目标", 10)
    label(9, 2, "年初设定目标", None, 4)
    label(9, 5, "全年完成情况", None, 8)
    text(10, 2, department.initial_goal, 4)
    text(10, 5, department.result, 8)
    ws.row_dimensions[10].height = 400
    label(11, 1, "分解目标自评", None, 8)
    for column, title in enumerate(SCORE_HEADER, start=1):
        label(12, column, title)
    row = 13
    for group in department.groups:
        first = row
        for item in group.items or [selfeval.ScoreItem("")]:
            weight = f"（{selfeval.points_text(item.weight)}）" if item.weight is not None else ""
            sheet.text(row, 3, f"{item.name}{weight}" if item.name else "")
            sheet.text(row, 4, item.level3)
            sheet.text(row, 5, item.target_value, align=CENTER)
            sheet.text(row, 6, item.actual_value, align=CENTER)
            sheet.number(row, 7, item.score, number_format="0.##")
            sheet.text(row, 8, item.deviation)
            row += 1
        sheet.text(first, 1, group.name, align=CENTER)
        sheet.merge(first, 1, row - 1, 1)
        sheet.number(first, 2, group.weight, number_format="0.##")
        sheet.merge(first, 2, row - 1, 2)
    label(row, 1, TOTAL_LABEL)
    weight_cells = [f"B{r}" for r in range(13, row)]
    cell = sheet.formula(row, 2, f"SUM({','.join(weight_cells)})" if weight_cells else "0")
    cell.number_format = "0.##"
    sheet.text(row, 3, "")
    sheet.merge(row, 3, row, 6)
    cell = sheet.formula(row, 7, f"SUM(G13:G{row - 1})" if row > 13 else "0")
    cell.number_format = "0.##"
    sheet.text(row, 8, "")
    sheet.widths([14, 8, 20, 26, 14, 12, 9, 22])
    sheet.page("portrait", 0)


def write_sheets(xlsx: XlsxBook, taken: set[str], content: selfeval.SelfEvaluationContent | None, unit: UnitInfo, year: int,
                 money_unit: str) -> None:
    """Both sheets, when the dataset has a self-evaluation (nothing otherwise)."""
    if content is None or content.is_empty():
        return
    write_project_sheet(xlsx.create_sheet(labels.sheet_name(PROJECT_SHEET_NAME, taken)), content.projects, unit, year,
                        money_unit)
    write_department_sheet(xlsx.create_sheet(labels.sheet_name(DEPARTMENT_SHEET_NAME, taken)), content.department, unit,
                           year, money_unit)


# ---- reading -------------------------------------------------------------------------------------
def _money_text(grid: Grid, reader: Reader, row: int, column: int) -> str | None:
    raw = grid.raw_text(row, column)
    if raw in ("/", "／"):
        return None
    value = reader.amount(grid, row, column, needed=True)
    return None if value is None else exact_text(value)


def _points_text(grid: Grid, reader: Reader, row: int, column: int) -> str | None:
    raw = grid.raw_text(row, column).replace("分", "")
    if not raw:
        return None
    try:
        value = parse_decimal(raw, decimals=2)  # points, not money
    except InputError as exc:
        reader.problem(grid, row, column, f"不是有效的分值：{exc}")
        return None
    return selfeval.points_text(value)


def read_project_sheet(grid: Grid, reader: Reader) -> list[dict]:
    columns = _project_columns()
    expected = labels.clean("项目名称")
    if grid.text(3, 3) != expected:
        reader.problem(grid, 3, 3, "这里应是“项目名称”：项目绩效自评表的表头被改动过，请使用 BudgetDesk 导出的工作簿")
        return []
    projects = []
    for row in range(FIRST_PROJECT_ROW, grid.max_row + 1):
        name = grid.raw_text(row, 3)
        texts = [grid.raw_text(row, column) for column in range(2, len(columns) + 1)]
        if not name:
            if any(text for index, text in enumerate(texts) if index != 0):  # 单位名称 may be merged down
                reader.problem(grid, row, 3, "这一行填了内容却没有项目名称")
            continue
        data: dict = {"project_name": name, "unit_name": grid.raw_text(row, 2), "indicators": {}}
        for index, (key, _path) in enumerate(columns, start=1):
            if key in _MONEY:
                data[key] = _money_text(grid, reader, row, index)
            elif key.startswith(("content:", "result:")):
                part, kind = key.split(":")
                text = grid.raw_text(row, index)
                if text:
                    data["indicators"].setdefault(kind, {"content": "", "result": ""})[
                        "content" if part == "content" else "result"] = text
            elif key not in ("seq", "rate", "unit_name", "project_name"):
                data[key] = grid.raw_text(row, index)
        projects.append(data)
    return projects


def _row_with(grid: Grid, column: int, text: str, start: int = 1) -> int | None:
    wanted = labels.clean(text)
    return next((row for row in range(start, grid.max_row + 1) if grid.text(row, column) == wanted), None)


def read_department_sheet(grid: Grid, reader: Reader) -> dict:
    data: dict = {"scale": {}, "initial_goal": "", "result": "", "groups": []}
    scale = _row_with(grid, 1, "整体支出规模")
    scale_keys = {labels.clean(text): key for key, text in SCALE_LABELS.items()}
    if scale is not None:
        for row in range(scale + 1, scale + 1 + len(SCALE_LABELS)):
            key = scale_keys.get(grid.text(row, 2))
            if key is None:
                reader.problem(grid, row, 2, "整体支出规模的栏目应为“资金来源：（1）财政拨款”等四行")
                continue
            data["scale"][key] = {"budget": _money_text(grid, reader, row, 5),
                                  "actual": _money_text(grid, reader, row, 6)}
    goals = _row_with(grid, 1, "年度总体目标")
    if goals is not None:
        data["initial_goal"] = grid.raw_text(goals + 1, 2)
        data["result"] = grid.raw_text(goals + 1, 5)
    header = _row_with(grid, 1, "一级指标")
    if header is None:
        reader.problem(grid, 1, 1, "没有找到“分解目标自评”的表头（一级指标、权重、二级指标……）")
        return data
    group: dict | None = None
    last_origin = None
    for row in range(header + 1, grid.max_row + 1):
        first = grid.text(row, 1)
        if first == labels.clean(TOTAL_LABEL):
            break
        origin = grid.origin(row, 1)
        if origin != last_origin and first:
            group = {"name": grid.raw_text(row, 1), "weight": _points_text(grid, reader, row, 2), "items": []}
            data["groups"].append(group)
            last_origin = origin
        second = grid.raw_text(row, 3)
        if not second:
            continue
        if group is None:
            reader.problem(grid, row, 1, "二级指标之前应先有一级指标")
            continue
        match = _WEIGHTED.match(second)
        name, weight = (match["name"].strip(), match["weight"]) if match else (second, None)
        group["items"].append({"name": name, "weight": weight, "level3": grid.raw_text(row, 4),
                               "target_value": grid.raw_text(row, 5), "actual_value": grid.raw_text(row, 6),
                               "score": _points_text(grid, reader, row, 7), "deviation": grid.raw_text(row, 8)})
    return data


def read_sheets(kinds: dict[str, list[Grid]], reader: Reader) -> dict | None:
    """The ``self_evaluation`` member from the recognised sheets (None when the workbook has neither)."""
    projects = read_project_sheet(kinds[PROJECT_KIND][0], reader) if PROJECT_KIND in kinds else []
    department = read_department_sheet(kinds[DEPARTMENT_KIND][0], reader) if DEPARTMENT_KIND in kinds else None
    if not projects and department is None:
        return None
    part: dict = {"projects": projects}
    if department is not None:
        part["department"] = department
    return part

