"""The interchange document ``budgetdesk.dataset`` v1 (docs/interchange.md): JSON out and in.

Import is all-or-nothing: the whole document is validated (``document_schema``: schema and texts, then
every form, row, column and amount against the form definitions and the year's code tables, then the
projects with their performance targets, the 部门整体绩效目标, 政府采购 and 固定资产 (``document_book``)
and the notes (``document_notes``)) before one transaction writes it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from app import selfeval
from app.base.errors import InputError, NotFoundError
from app.base.jsondoc import read_document
from app.base.money import exact_text, parse_amount
from app.base.progress import Progress, step
from app.base.textcheck import check_code
from app.basic.book import BasicInfoBook
from app.basic.records import BasicInfo, basic_info_from_json, basic_info_to_json, refuse_identity_column
from app.checks.rules import submission_blockers
from app.domain.compute import Workbook
from app.domain.forms import all_forms, form_by_id, using_edition
from app.domain.records import UNIT_TEXT_FIELDS, UnitInfo
from app.exchange.document_book import export_book, validate_book
from app.exchange.document_notes import export_notes, validate_notes
from app.exchange.document_schema import FORMAT, FORMAT_VERSION, schema_problems, text_problems
from app.projects import BookContent, ProjectBook
from app.projects.levels import (
    LevelItem,
    check_level_rows,
    levels_in_use,
    load_local_levels,
    local_levels,
    write_levels,
)
from app.store.backup import backup_before
from app.store.editions import prepare_document
from app.store.service import BudgetDataset, Store, check_year


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
        "editions": _export_editions(dataset),
        "values": [
            {"form": form, "row": row, "column": column, "value": exact_text(value)}
            for (form, row, column), value in values
        ],
    }
    if added_rows:
        document["rows"] = [{"form": form, "row": row} for form, row in added_rows]
    content = ProjectBook(dataset).content()
    document.update(export_book(content))
    document.update(_export_levels(content))
    document.update(export_notes(dataset))
    document.update(_export_self_evaluation(dataset))
    basic_info = BasicInfoBook(dataset).content()
    if not basic_info.is_empty():  # optional: a file without it imports as before
        document["basic_info"] = basic_info_to_json(basic_info)
    return document


def refuse_identity_fields(document: object) -> None:
    """A 人员 item carrying an identity number is refused with the reason (personal data not kept)."""
    basic = document.get("basic_info") if isinstance(document, dict) else None
    staff = basic.get("staff") if isinstance(basic, dict) else None
    for index, item in enumerate(staff if isinstance(staff, list) else [], start=1):
        for key in item if isinstance(item, dict) else ():
            try:
                refuse_identity_column(str(key))
            except InputError as exc:
                raise InputError(f"数据文件 basic_info 人员第 {index} 项：{exc}未导入任何数据。") from None


def validate_basic_info(document: dict) -> BasicInfo:
    """The document's 基础信息 (人员, 车辆), validated (raises InputError naming the item)."""
    return basic_info_from_json(document.get("basic_info"))


def _export_editions(dataset: BudgetDataset) -> dict:
    """The editions the dataset was made with (app.store.editions); codes as the year uses them now."""
    order = ("forms", "rules", "indicators")
    editions = {key: dataset.editions[key] for key in order if key in dataset.editions}
    editions.update({key: value for key, value in sorted(dataset.editions.items()) if key not in (*order, "codes")})
    editions["codes"] = {kind: table.edition for kind, table in sorted(dataset.codes.items())}
    return editions


# ---- the local 一级/二级 indicator levels the dataset uses (the receiver may not have them) -------------
def _export_levels(content: BookContent) -> dict:
    local = {item.code: item for item in local_levels()}
    indicators = [*(i for p in content.projects for i in p.indicators), *content.overall.indicators]
    used: dict[str, None] = {}
    for indicator in indicators:
        for code in (indicator.level1, indicator.level2):
            if code in local:
                parent = local[code].parent
                if parent in local:
                    used.setdefault(parent)
                used.setdefault(code)
    items = [local[code] for code in local if code in used]  # the framework's order: a 一级 before its 二级
    return {"indicator_levels": [[item.code, item.name, item.parent] for item in items]} if items else {}


def document_levels(document: dict) -> list:
    """The local levels a document carries, as LevelItem (shape checked; meaning checked on import)."""
    rows = document.get("indicator_levels", []) if isinstance(document, dict) else []
    if not isinstance(rows, list) or not all(
            isinstance(row, list) and len(row) == 3 and all(isinstance(part, str) or part is None for part in row)
            and isinstance(row[0], str) and isinstance(row[1], str) for row in rows):
        raise InputError("数据文件中的 indicator_levels（本地指标体系）应为 [编码, 名称, 上级编码或 null] 的列表，未导入。")
    if len(rows) > 1000:
        raise InputError("数据文件中的本地指标体系超过 1000 项，未导入。")
    # the bureau's own items keep their names: a file may not rename them
    return check_level_rows(rows, renames=False) if rows else [LevelItem(*row) for row in rows]


# ---- 绩效自评 (项目绩效自评表, 部门整体支出绩效自评表): written only when it has content -------------------
def _export_self_evaluation(dataset: BudgetDataset) -> dict:
    content = selfeval.SelfEvaluationBook(dataset).content()
    return {} if content.is_empty() else {"self_evaluation": selfeval.content_to_json(content)}


def validate_self_evaluation(document: dict) -> selfeval.SelfEvaluationContent:
    """The document's 绩效自评 part, validated (raises InputError naming the place)."""
    return selfeval.content_from_json(document.get("self_evaluation"), document["money_unit"])


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _refuse(problems: list[str], what: str = "处问题") -> None:
    more = f"\n……另有 {len(problems) - 20} 处问题。" if len(problems) > 20 else ""
    raise InputError(f"数据文件有 {len(problems)} {what}，未导入任何数据：\n" + "\n".join(problems[:20]) + more)


def validate_document(store: Store, document: dict) -> tuple[UnitInfo, int, Workbook, BookContent, dict[str, str]]:
    """Everything that can be wrong with a document, found before anything is written."""
    refuse_identity_fields(document)  # said plainly, before the schema's "unknown field"
    problems = schema_problems(document)
    if problems:
        raise InputError("数据文件格式有误，未导入任何数据：\n" + "\n".join(problems[:20]))
    problems = text_problems(document)
    if problems:
        _refuse(problems, "处文字问题")
    year = check_year(document["year"])
    unit_data = document["unit"]
    # Codes are kept in their normalised form (full-width ３５９ is the unit 359), as the core keeps them.
    parent_code = unit_data.get("parent_code")
    unit = UnitInfo(**{key: unit_data.get(key, "") for key in ("name", *UNIT_TEXT_FIELDS)},
                    code=check_code(unit_data["code"], "单位编码"),
                    parent_code=check_code(parent_code, "上级单位编码") if parent_code and parent_code.strip() else None)
    codes = store.code_tables(year)
    workbook = Workbook(codes)
    errors: list[str] = []
    for index, row in enumerate(document.get("rows", []), start=1):
        try:
            form, row_code = form_by_id(check_code(row["form"], "表样编号", 64)), check_code(row["row"], "行", 64)
            if form.code_kind is None or row_code not in codes[form.code_kind]:
                raise InputError(f"《{form.title}》不能增加行“{row_code}”。")
            workbook.present_rows.setdefault(form.id, set()).add(row_code)
        except (InputError, NotFoundError) as exc:
            errors.append(f"rows 第 {index} 项：{exc}")
    seen: set[tuple[str, str, str]] = set()
    keys = [(check_code(item["form"], "表样编号", 64), check_code(item["row"], "行", 64),
             check_code(item["column"], "栏目", 64)) for item in document["values"]]
    for index, (item, key) in enumerate(zip(document["values"], keys, strict=True), start=1):
        try:
            form_by_id(key[0]).column(key[2])
            if key in seen:
                raise InputError("同一单元格出现了两次。")
            seen.add(key)
            amount = parse_amount(item["value"], document["money_unit"])
            if amount is None:  # the schema asks for digits; a blank is no amount
                raise InputError("金额是空的。")
            workbook.values[key] = amount
        except (InputError, NotFoundError) as exc:
            errors.append(f"values 第 {index} 项（{' / '.join(key)}）：{exc}")
    if not errors:
        workbook.invalidate()
        for index, key in enumerate(keys, start=1):
            try:
                workbook.check_settable(*key)
            except (InputError, NotFoundError) as exc:
                errors.append(f"values 第 {index} 项（{' / '.join(key)}）：{exc}")
    book, book_errors = validate_book(document, codes, document["money_unit"])
    errors.extend(book_errors)
    notes, note_errors = validate_notes(document)
    errors.extend(note_errors)
    try:
        validate_self_evaluation(document)
    except InputError as exc:
        errors.append(f"self_evaluation：{exc}")
    try:
        validate_basic_info(document)
    except InputError as exc:
        errors.append(f"basic_info（基础信息）：{exc}")
    if errors:
        _refuse(errors)
    return unit, year, workbook, book, notes


def import_document(store: Store, document: dict, *, replace: bool = False, source: str = "导入",
                    progress: Progress | None = None, backup: bool = True,
                    event: str = "数据导入", note: str = "") -> BudgetDataset:
    """Validate the whole document, then write it through the core in one transaction (all or nothing).
    ``note`` (where the data came from) is added to the import's first audit row.

    A document that says ``"status": "submitted"`` becomes 已上报 only when the same rule as
    ``status submitted`` passes on exactly its content; otherwise nothing is imported. A document of
    an older form edition is migrated (app.store.editions.prepare_document; one 已上报 keeps its edition),
    one of an unknown or newer edition refused. ``event``: the audit trail's name for the write."""
    step(progress, 0, 3, "正在检查数据文件……")
    if not isinstance(document, dict) or not isinstance(document.get("values", []), list):
        validate_document(store, document)  # refuses with the schema's words
    carried = document_levels(document)
    if not carried:
        return _import_checked(store, document, replace=replace, source=source, progress=progress,
                               backup=backup, event=event, note=note)
    if backup:  # before the write transaction below opens
        backup_before(store, "replace" if replace else "import")
    try:
        with levels_in_use(carried), store.transaction():
            dataset = _import_checked(store, document, replace=replace, source=source, progress=progress,
                                      backup=False, event=event, note=note)
            # the levels the file's indicators use, stored where this database lacks them (audited)
            with store.write() as session:
                write_levels(store, session, [(item.code, item.name, item.parent) for item in carried],
                             renames=False, note="随数据文件带入")
    finally:
        load_local_levels(store)
    return store.open_dataset(dataset.unit.code, dataset.year)


def _import_checked(store: Store, document: dict, *, replace: bool, source: str, progress: Progress | None,
                    backup: bool, event: str, note: str) -> BudgetDataset:
    prepared = prepare_document(document)
    with using_edition(prepared.edition):
        unit, year, workbook, book, notes = validate_document(store, prepared.document)
    document = prepared.document
    status = document.get("status", "draft")
    editions = {key: value for key, value in prepared.editions.items()  # what the file says it was made with
                if key in ("rules", "indicators") and isinstance(value, str)}
    editions["forms"] = prepared.edition
    self_evaluation = validate_self_evaluation(document)
    basic_info = validate_basic_info(document)
    if status == "submitted" and prepared.checked is not None:
        step(progress, 1, 3, "正在审核“已上报”的数据……")
        if prepared.checked is document and not document.get("indicator_levels"):  # validated just now, as is
            blockers = _blockers_of_validated(document, unit, year, workbook, book, notes, self_evaluation, editions,
                                              basic_info)
        else:
            blockers = blockers_in_document(prepared.checked)
        if blockers:
            lines = [f"{finding.rule} {finding.message}" + ("" if finding.severity == "error" else "（缺少说明）")
                     for finding in blockers[:20]]
            raise UnresolvedFindingsError(f"数据文件标记为“已上报”，但还有 {len(blockers)} 条审核问题未处理（错误，或提示缺少说明），"
                                          "未导入任何数据：\n" + "\n".join(lines), len(blockers))
    step(progress, 2, 3, "正在写入数据库……")
    store.import_dataset(unit, year, document["money_unit"], status, workbook, book, notes,
                         replace=replace, source=source, backup=backup, self_evaluation=self_evaluation,
                         editions=editions, event=event, note=note, basic_info=basic_info)
    step(progress, 3, 3, "导入完成")
    return store.open_dataset(unit.code, year)


class UnresolvedFindingsError(InputError):
    """A document marked 已上报 whose content does not pass 审核: ``count`` open findings."""

    def __init__(self, message: str, count: int = 0) -> None:
        super().__init__(message)
        self.count = count


def blockers_in_document(document: dict) -> list:
    """审核 the document as it would be stored, in a scratch in-memory database (nothing else is touched)."""
    scratch = Store.scratch()
    try:
        # the scratch database holds no other unit: a 所属单位's link to its 部门 is left out of the check
        unit = {key: value for key, value in document["unit"].items() if key != "parent_code"}
        import_document(scratch, {**document, "unit": unit, "status": "draft"}, backup=False)
        return submission_blockers(scratch.open_dataset(document["unit"]["code"], document["year"]))
    finally:
        scratch.close()


def _blockers_of_validated(document: dict, unit: UnitInfo, year: int, workbook: Workbook, book: BookContent,
                           notes: dict[str, str], self_evaluation: selfeval.SelfEvaluationContent,
                           editions: dict, basic_info: BasicInfo) -> list:
    """``blockers_in_document`` of a document just validated in full (current edition, no local levels):
    its validated content written straight into the scratch database instead of validating it twice."""
    scratch = Store.scratch()
    try:
        # the scratch database holds no other unit: a 所属单位's link to its 部门 is left out of the check
        scratch.import_dataset(dataclasses.replace(unit, parent_code=None), year, document["money_unit"], "draft",
                               workbook, book, notes, backup=False, self_evaluation=self_evaluation,
                               editions=editions, basic_info=basic_info)
        return submission_blockers(scratch.open_dataset(unit.code, year))
    finally:
        scratch.close()


def import_file(store: Store, path: str | Path, *, replace: bool = False, source: str = "导入",
                progress: Progress | None = None) -> BudgetDataset:
    return import_document(store, read_document(path), replace=replace, source=source, progress=progress)
