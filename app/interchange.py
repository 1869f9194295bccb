"""The interchange document ``budgetdesk.dataset`` v1 (docs/interchange.md): JSON out and in.

Import is all-or-nothing: the whole document is validated (schema, then every form, row, column
and amount against the form definitions and the year's code tables) before one transaction
writes it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import jsonschema

from app.compute import Workbook
from app.domain import UNIT_TEXT_FIELDS, UnitInfo
from app.errors import ConflictError, InputError, NotFoundError
from app.forms import all_forms, form_by_id
from app.money import format_amount, parse_amount, to_hundredths
from app.paths import resource
from app.service import BudgetDataset, Store, check_year
from db import models

FORMAT = "budgetdesk.dataset"
FORMAT_VERSION = 1
SCHEMA_FILE = "budgetdesk.dataset.v1.schema.json"
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024


@cache
def _validator() -> jsonschema.Draft202012Validator:
    with open(resource("schema", SCHEMA_FILE), encoding="utf-8") as handle:
        return jsonschema.Draft202012Validator(json.load(handle))


def _form_order() -> dict[str, int]:
    return {form.id: index for index, form in enumerate(all_forms())}


def export_document(dataset: BudgetDataset) -> dict:
    order = _form_order()
    column_order = {form.id: {key: i for i, key in enumerate(form.column_keys())} for form in all_forms()}
    values = sorted(
        dataset.entered_values().items(),
        key=lambda item: (order.get(item[0][0], 99), item[0][1] != "total", item[0][1],
                          column_order.get(item[0][0], {}).get(item[0][2], 99)),
    )
    rows_with_values = {(form, row) for (form, row, _col) in dataset.workbook.values}
    added_rows = sorted(
        ((form, row) for form, rows in dataset.workbook.present_rows.items() for row in rows
         if (form, row) not in rows_with_values),
        key=lambda item: (order.get(item[0], 99), item[1]),
    )
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "unit": dataset.unit.to_dict(),
        "year": dataset.year,
        "money_unit": dataset.money_unit,
        "status": dataset.status,
        "code_editions": {kind: table.edition for kind, table in dataset.codes.items()},
        "values": [
            {"form": form, "row": row, "column": column, "value": format_amount(value)}
            for (form, row, column), value in values
        ],
    }
    if added_rows:
        document["rows"] = [{"form": form, "row": row} for form, row in added_rows]
    return document


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def read_document(path: str | Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise InputError(f"找不到文件“{path}”。")
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise InputError(f"文件“{path.name}”过大，不是 BudgetDesk 数据文件。")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"文件“{path.name}”不是 UTF-8 编码的 JSON 文本，不是 BudgetDesk 数据文件。") from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(f"文件“{path.name}”不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}。") from None


def _schema_problems(document: object) -> list[str]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return ["文件不是 BudgetDesk 数据交换文件（format 应为 budgetdesk.dataset）。"]
    if document.get("format_version") != FORMAT_VERSION:
        return [f"不支持的数据格式版本 {document.get('format_version')}，本软件支持版本 {FORMAT_VERSION}。"]
    problems = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "（文件根）"
        problems.append(f"{where}：{_translate(error)}")
    return problems


def _translate(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return f"缺少必填项 {error.message.split(' ')[0]}"
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] == "value":
        return f"金额“{error.instance}”格式不对，应为最多两位小数的数字字符串"
    if error.validator == "type":
        return f"类型不对（{error.instance!r}）"
    if error.validator == "additionalProperties":
        return f"有无法识别的字段（{error.message}）"
    if error.validator in ("enum", "const"):
        return f"取值“{error.instance}”不在允许范围内"
    return f"不符合格式要求（{error.message}）"


def validate_document(store: Store, document: dict) -> tuple[UnitInfo, int, Workbook]:
    """Everything that can be wrong with a document, found before anything is written."""
    problems = _schema_problems(document)
    if problems:
        raise InputError("数据文件格式有误，未导入任何数据：\n" + "\n".join(problems[:20]))
    year = check_year(document["year"])
    unit_data = document["unit"]
    unit = UnitInfo(**{key: unit_data.get(key, "") for key in ("code", "name", *UNIT_TEXT_FIELDS)},
                    parent_code=unit_data.get("parent_code"))
    codes = store.code_tables(year)
    workbook = Workbook(codes)
    errors: list[str] = []
    for index, row in enumerate(document.get("rows", []), start=1):
        try:
            form = form_by_id(row["form"])
            if form.code_kind is None or row["row"] not in codes[form.code_kind]:
                raise InputError(f"《{form.title}》不能增加行“{row['row']}”。")
            workbook.present_rows.setdefault(form.id, set()).add(row["row"])
        except (InputError, NotFoundError) as exc:
            errors.append(f"rows 第 {index} 项：{exc}")
    seen: set[tuple[str, str, str]] = set()
    for index, item in enumerate(document["values"], start=1):
        key = (item["form"], item["row"], item["column"])
        try:
            form_by_id(item["form"]).column(item["column"])
            if key in seen:
                raise InputError("同一单元格出现了两次。")
            seen.add(key)
            workbook.values[key] = parse_amount(item["value"])
        except (InputError, NotFoundError) as exc:
            errors.append(f"values 第 {index} 项（{item['form']} / {item['row']} / {item['column']}）：{exc}")
    if not errors:
        workbook.invalidate()
        for index, item in enumerate(document["values"], start=1):
            try:
                workbook.check_settable(item["form"], item["row"], item["column"])
            except (InputError, NotFoundError) as exc:
                errors.append(f"values 第 {index} 项（{item['form']} / {item['row']} / {item['column']}）：{exc}")
    if errors:
        more = f"\n……另有 {len(errors) - 20} 处问题。" if len(errors) > 20 else ""
        raise InputError(f"数据文件有 {len(errors)} 处问题，未导入任何数据：\n" + "\n".join(errors[:20]) + more)
    return unit, year, workbook


def import_document(store: Store, document: dict, *, replace: bool = False) -> BudgetDataset:
    from sqlalchemy import select

    unit, year, workbook = validate_document(store, document)
    Store._validate_unit(unit)
    with store.Session.begin() as session:
        record = session.scalar(select(models.Unit).where(models.Unit.code == unit.code))
        if record is not None:
            existing = Store._find_dataset(session, record.id, year)
            if existing is not None and not replace:
                raise ConflictError(
                    f"单位 {unit.code} {record.name} 的 {year} 年度预算已存在；如要覆盖，请使用 --replace。"
                )
            if record.name != unit.name and not replace:
                raise ConflictError(
                    f"单位编码 {unit.code} 已属于“{record.name}”，与文件中的“{unit.name}”不一致，未导入；"
                    "如确认是同一单位，请使用 --replace。"
                )
            if existing is not None:
                session.delete(existing)
                session.flush()
        else:
            record = models.Unit(code=unit.code)
            session.add(record)
        store._apply_unit(session, record, unit)
        session.flush()
        dataset = models.Dataset(unit_id=record.id, year=year, money_unit=document["money_unit"],
                                 status=document.get("status", "draft"))
        session.add(dataset)
        session.flush()
        for (form, row, column), value in workbook.values.items():
            session.add(models.CellValue(dataset_id=dataset.id, form=form, row_key=row, column_key=column,
                                         hundredths=to_hundredths(value)))
        for form, rows in workbook.present_rows.items():
            for row in rows:
                session.add(models.FormRow(dataset_id=dataset.id, form=form, row_key=row))
    return store.open_dataset(unit.code, year)


def import_file(store: Store, path: str | Path, *, replace: bool = False) -> BudgetDataset:
    return import_document(store, read_document(path), replace=replace)
