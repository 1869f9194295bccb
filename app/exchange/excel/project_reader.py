"""Reading the project part back: each 项目支出绩效目标表 (labels beside their values, 项目资金, the
indicators), 部门整体绩效目标, 政府采购预算表 (kept in its stored order) and 固定资产占用情况表.
"""

from __future__ import annotations

import re
from datetime import date

from app.base.errors import InputError
from app.base.money import exact_text, normalize_text
from app.exchange.excel import labels
from app.exchange.excel.grid import Grid, Problem, Reader, code_text, header_row, label_cells
from app.printing.projects import NO_PROJECTS_NOTE
from app.projects import ASSET_ROWS, PROCUREMENT_FUNDS, resolve_level1, resolve_level2, split_indicator_value
from app.projects.validation import _attribute


def _indicators(grid: Grid, header: int, columns: dict[str, int], reader: Reader, *, levels_required: bool,
                carry: tuple[str, ...]) -> list[dict]:
    items: list[dict] = []
    last: dict[str, str] = {}
    for row in range(header + 1, grid.max_row + 1):
        texts = {key: grid.raw_text(row, column) for key, column in columns.items()}
        if not any(texts.values()):
            continue
        if texts.get("name", "").startswith("注：") and len([t for t in texts.values() if t]) == 1:
            continue
        for key in carry:  # a merged cell (or a blank under it, as pasted) repeats the value above
            if texts.get(key):
                last[key] = texts[key]
            elif key in last:
                texts[key] = last[key]
        item = {"level1": "", "level2": "", "name": texts.get("name", ""), "description": texts.get("description", ""),
                "basis": texts.get("basis", "")}
        try:
            if texts.get("level1"):
                item["level1"] = resolve_level1(texts["level1"])
            if texts.get("level2"):
                item["level2"] = resolve_level2(texts["level2"], item["level1"] or None)
        except InputError as exc:
            reader.problem(grid, row, columns.get("level2", columns.get("level1", 1)), str(exc))
            continue
        comparator, value, unit = split_indicator_value(texts.get("value", ""))
        item.update(comparator=comparator, value=value, unit=unit)
        for key in ("period_value", "note"):
            if texts.get(key):
                item[key] = texts[key]
        if levels_required and not (item["level1"] and item["level2"]):
            reader.problem(grid, row, columns.get("level1", 1), "绩效指标缺少一级或二级指标")
        items.append(item)
    return items


_PERIOD = re.compile(r"^(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?$")


def _period_dates(text: str) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    parts = normalize_text(text).replace("至", "-").replace("—", "-").replace("–", "-")
    pieces = [piece for piece in re.split(r"-(?=\d{4})", parts)]
    dates = []
    for piece in pieces:
        match = _PERIOD.match(piece)
        if not match:
            raise InputError("实施周期应写成 2023.1.1-2023.12.31")
        dates.append(date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat())
    if len(dates) == 1:
        return dates[0], None
    return dates[0], dates[1]


def read_project(grid: Grid, reader: Reader) -> tuple[int | None, dict] | None:
    if grid.text(3, 1) == labels.clean(NO_PROJECTS_NOTE):  # the sheet of a dataset without projects
        return None
    columns_wanted = {labels.clean(title): key for key, title in (*labels.INDICATOR_COLUMNS, *labels.INDICATOR_EXTRA)}
    header = header_row(grid, 3, {labels.clean("三级指标"), labels.clean("指标值")})
    last = (header - 1) if header else grid.max_row
    text_labels = {labels.clean(label): key for label, key in labels.PROJECT_TEXT_LABELS.items()}
    money_labels = {labels.clean(label): key for label, key in labels.PROJECT_MONEY_LABELS.items()}
    goal_labels = {labels.clean(labels.PERIOD_GOAL_LABEL): "period_goal", labels.clean(labels.GOAL_LABEL): "annual_goal"}
    where = label_cells(grid, 3, last, set(text_labels) | set(money_labels) | set(goal_labels))
    data: dict = {}
    position = None
    for label, key in text_labels.items():
        if label not in where:
            continue
        row, column = where[label]
        text = grid.raw_text(row, column)
        if key == "position":
            position = int(text) if text.isdigit() else None
        elif key == "period":
            try:
                start, end = _period_dates(text)
            except InputError as exc:
                reader.problem(grid, row, column, str(exc))
                continue
            if start:
                data["period_start"] = start
            if end:
                data["period_end"] = end
        elif key == "attribute":
            try:
                attribute = _attribute(text)
            except InputError as exc:
                reader.problem(grid, row, column, str(exc))
                continue
            if attribute:
                data["attribute"] = attribute
        elif key == "code" or key == "function_code":
            text = code_text(grid.value(row, column))
            if text:
                data[key] = text
        elif text:
            data[key] = text
    if not data.get("name"):
        reader.problems.append(Problem(grid.title, "A3", "", "找不到项目名称"))
        return None
    for label, key in money_labels.items():
        if label in where:
            value = reader.amount(grid, *where[label])
            if value is not None:
                data[key] = exact_text(value)
    for label, key in goal_labels.items():
        if label in where:
            text = grid.raw_text(*where[label])
            if text:
                data[key] = text
    funding: dict = {}
    fund_titles = {labels.clean(title): key for title, key in labels.FUND_TITLES.items()}
    for row in range(3, last + 1):
        for column in range(1, grid.max_column + 1):
            fund_key = fund_titles.get(grid.text(row, column)) if grid.origin(row, column) == (row, column) else None
            if fund_key is None:
                continue
            value = reader.amount(grid, row + 1, column)
            if value is None:
                continue
            if fund_key == "amount":
                data["amount"] = exact_text(value)
            else:
                funding[fund_key] = exact_text(value)
    if funding:
        data["funding"] = funding
    indicators: list[dict] = []
    if header is not None:
        columns = {columns_wanted[t]: c for c, t in enumerate(grid.row_texts(header), start=1) if t in columns_wanted}
        indicators = _indicators(grid, header, columns, reader, levels_required=True, carry=("level1", "level2"))
    data["indicators"] = indicators
    return position, data


def read_overall(grid: Grid, reader: Reader) -> dict | None:
    header = header_row(grid, 3, {labels.clean("分项绩效目标"), labels.clean("绩效指标")})
    where = label_cells(grid, 3, (header or grid.max_row + 1) - 1, {labels.clean(labels.OVERALL_GOAL_LABEL)})
    goal = grid.raw_text(*where[labels.clean(labels.OVERALL_GOAL_LABEL)]) if where else ""
    indicators: list[dict] = []
    if header is not None:
        wanted = {labels.clean(title): key for key, title in (*labels.OVERALL_COLUMNS, *labels.OVERALL_EXTRA)}
        columns = {wanted[t]: c for c, t in enumerate(grid.row_texts(header), start=1) if t in wanted}
        indicators = _indicators(grid, header, columns, reader, levels_required=False, carry=("note",))
    if not goal and not indicators:
        return None
    return {"goal": goal, "indicators": indicators}


def read_procurement(grid: Grid, reader: Reader, project_names: set[str]) -> list[dict]:
    top = header_row(grid, 2, {labels.clean("采购物品名称")})
    if top is None:
        reader.problems.append(Problem(grid.title, "A3", "", "找不到表头（采购物品名称等）"))
        return []
    bottom = top + 1
    titles = {"项目名称": "project", "预算资金": "budget", "采购物品名称": "item_name",
              "政府采购目录序号": "catalogue_code", "计量单位": "measure_unit", "数量": "quantity", "单价": "unit_price",
              "合计": "total", labels.PROCUREMENT_ORDER_TITLE: "order", **{label: key for key, label in PROCUREMENT_FUNDS}}
    wanted = {labels.clean(title): key for title, key in titles.items()}
    columns: dict[str, int] = {}
    for column in range(1, grid.max_column + 1):
        for row in (bottom, top):
            text = grid.text(row, column)
            key = wanted.get(text)
            if key is None and text.endswith("预留中小微企业份额"):
                key = "sme_reserved"
            if key is not None and key not in columns and grid.origin(row, column)[1] == column:
                columns[key] = column
                break
    items: list[tuple[int, int, dict]] = []
    for row in range(bottom + 1, grid.max_row + 1):
        label = grid.text(row, columns.get("project", 1))
        name = grid.raw_text(row, columns["item_name"]) if "item_name" in columns else ""
        if label == "合计" or label.endswith("小计") or label.startswith("注"):
            continue
        if not label and not name:
            continue
        project = grid.raw_text(row, columns.get("project", 1))
        if project not in project_names:
            reader.problem(grid, row, columns.get("project", 1), "项目来源不是本工作簿中任何一个项目的名称")
            continue
        item: dict = {"project": project, "item_name": name,
                      "catalogue_code": grid.raw_text(row, columns["catalogue_code"]) if "catalogue_code" in columns else ""}
        if "measure_unit" in columns and grid.raw_text(row, columns["measure_unit"]):
            item["measure_unit"] = grid.raw_text(row, columns["measure_unit"])
        if "quantity" in columns:
            quantity = reader.quantity(grid, row, columns["quantity"], "数量")
            if quantity is not None:
                item["quantity"] = quantity
        if "unit_price" in columns:
            price = reader.amount(grid, row, columns["unit_price"])
            if price is not None:
                item["unit_price"] = exact_text(price)
        funding = {}
        for key, _label in PROCUREMENT_FUNDS:
            if key in columns:
                value = reader.amount(grid, row, columns[key])
                if value is not None:
                    funding[key] = exact_text(value)
        item["funding"] = funding
        if "sme_reserved" in columns:
            value = reader.amount(grid, row, columns["sme_reserved"])
            if value is not None:
                item["sme_reserved"] = exact_text(value)
        order = grid.text(row, columns["order"]) if "order" in columns else ""
        items.append((int(order) if order.isdigit() else len(items) + 100_000, len(items), item))
    return [item for _order, _number, item in sorted(items, key=lambda entry: entry[:2])]


def read_assets(grid: Grid, reader: Reader) -> dict | None:
    data: dict = {"rows": {}}
    header = header_row(grid, 2, {labels.clean("项目"), labels.clean("数量")})
    value_column = quantity_column = None
    if header is not None:
        for column, text in enumerate(grid.row_texts(header), start=1):
            if text == "数量":
                quantity_column = column
            elif text.startswith("价值"):
                value_column = column
    asset_keys = {labels.clean(label): (key, whole) for key, label, whole in ASSET_ROWS}
    for row in range(1, grid.max_row + 1):
        text = grid.text(row, 1)
        if text.startswith(labels.clean(labels.ASSETS_AS_OF_LABEL)):
            as_of = text[len(labels.clean(labels.ASSETS_AS_OF_LABEL)):]
            if as_of:
                try:
                    data["as_of"] = date.fromisoformat(as_of).isoformat()
                except ValueError:
                    reader.problem(grid, row, 1, "截止时间应写成 2022-12-31")
        elif text in asset_keys and header is not None:
            key, whole = asset_keys[text]
            line = {}
            if quantity_column:
                quantity = reader.quantity(grid, row, quantity_column, "数量", whole=whole)
                if quantity is not None:
                    line["quantity"] = quantity
            if value_column:
                value = reader.amount(grid, row, value_column)
                if value is not None:
                    line["value"] = exact_text(value)
            if line:
                data["rows"][key] = line
        elif text == labels.clean(labels.PLANNED_PURCHASES_LABEL):
            column = value_column or grid.right_of(row, 1)[1]
            value = reader.amount(grid, row, column)
            if value is not None:
                data["planned_purchases"] = exact_text(value)
    if not data["rows"] and "as_of" not in data and "planned_purchases" not in data:
        return None
    return data
