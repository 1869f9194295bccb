"""Dataset commands: forms, units, import-json/export-json, show, set, check, status, explain, history,
profile, prior and new-year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.base.jsondoc import read_document
from app.base.money import exact_text, format_amount
from app.cli.common import EXIT_OK, EXIT_REFUSED, Commands, add_unit_year, open_store, print_json
from app.domain import prior, profile
from app.domain.codes import default_shipped_table
from app.domain.forms import all_forms, find_form
from app.domain.quantities import prior_names, quantity_def


def cmd_forms(args: argparse.Namespace) -> int:
    forms = []
    function_codes = default_shipped_table("function")
    for form in all_forms():
        entry = {
            "id": form.id,
            "number": form.number,
            "title": form.title,
            "row_kind": form.row_kind,
            "rows": [],
            "columns": [
                {"key": column.key, "title": column.title, "group": list(column.group), "entered": column.entered,
                 **({"side": column.side} if column.side else {})}
                for column in form.columns
            ],
        }
        if form.row_kind == "fixed":
            entry["rows"] = [
                {"key": row.key, "title": row.title, **({"side": row.side} if row.side else {}),
                 "entered": row.entered and not row.sum_of and not row.cells}
                for row in form.fixed_rows(function_codes)
            ]
        forms.append(entry)
    if args.json:
        print_json(forms)
    else:
        for entry in forms:
            print(f"{entry['number']:>2}  {entry['id']:<36} {entry['title']}")
    return EXIT_OK


def cmd_units(args: argparse.Namespace) -> int:
    store = open_store(args)
    datasets = store.list_datasets()
    if args.json:
        print_json([{"unit": d.unit_code, "name": d.unit_name, "year": d.year, "money_unit": d.money_unit,
                     "status": d.status} for d in datasets])
    else:
        for d in datasets:
            print(f"{d.unit_code}\t{d.unit_name}\t{d.year}\t{d.money_unit}\t{d.status_name}")
    return EXIT_OK


def cmd_import_json(args: argparse.Namespace) -> int:
    document = read_document(args.file)  # bounded, and before the database is opened
    from app.exchange.interchange import import_document  # deferred: SQLAlchemy

    store = open_store(args)
    dataset = import_document(store, document, replace=args.replace)
    print(f"已导入：{dataset.unit.code} {dataset.unit.name} {dataset.year} 年度，"
          f"{len(dataset.entered_values())} 个录入单元格。", file=sys.stderr)
    return EXIT_OK


def cmd_export_json(args: argparse.Namespace) -> int:
    from app.exchange.interchange import dumps, export_document  # deferred: SQLAlchemy

    store = open_store(args)
    text = dumps(export_document(store.open_dataset(args.unit, args.year)))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"已导出到 {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    form = find_form(args.form)
    view = dataset.view(form.id)
    if args.json:
        print_json({
            "form": form.id,
            "title": form.title,
            "unit": dataset.unit.code,
            "year": dataset.year,
            "money_unit": dataset.money_unit,
            "rows": [
                {"key": row.key, "title": row.title, **({"side": row.side} if row.side else {}),
                 "values": {column.key: (None if (v := view.values.get((row.key, column.key))) is None
                                         else exact_text(v))
                            for column in form.columns if (row.key, column.key) in view.values}}
                for row in view.rows
            ],
        })
        return EXIT_OK
    print(form.title)
    print(f"{dataset.unit.code} {dataset.unit.name}    预算年度：{dataset.year}    单位：{dataset.money_unit}")
    header = ["编码/项目", "名称"] + [column.title for column in form.columns]
    print("\t".join(header))
    for row in view.rows:
        cells = [format_amount(view.values.get((row.key, column.key)), grouping=True) for column in form.columns]
        print("\t".join([row.code or "", ("  " * max(row.level - 1, 0)) + row.title, *cells]))
    return EXIT_OK


def cmd_set(args: argparse.Namespace) -> int:
    store = open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    form = find_form(args.form)
    value = dataset.set_cell(form.id, args.row, args.column, args.value)
    print(f"已保存：{form.id} / {args.row} / {args.column} = {format_amount(value) or '（空）'}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from app.checks.rules import SEVERITY_NAMES, check_dataset  # deferred: SQLAlchemy

    store = open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    findings = check_dataset(dataset)
    errors = sum(1 for finding in findings if finding.severity == "error")
    if args.json:
        print_json({"unit": dataset.unit.code, "year": dataset.year,
                    "findings": [finding.to_dict() for finding in findings]})
    else:
        for finding in findings:
            explained = f"（说明：{finding.explanation}）" if finding.explanation else ""
            print(f"[{SEVERITY_NAMES[finding.severity]}] {finding.rule} {finding.message}{explained}")
        print(f"审核完成：错误 {errors} 条，提示 {len(findings) - errors} 条。", file=sys.stderr)
    return EXIT_REFUSED if errors else EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    store = open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    dataset.set_status(args.status, reason=args.reason)
    print(f"{dataset.unit.code} {dataset.unit.name} {dataset.year} 年度：{dataset.info.status_name}", file=sys.stderr)
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from app.checks.rules import set_explanation  # deferred: SQLAlchemy

    store = open_store(args)
    set_explanation(store.open_dataset(args.unit, args.year), args.finding, args.text)
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from app.store.audit import history, history_document  # deferred: SQLAlchemy

    store = open_store(args)
    store.get_unit(args.unit)
    filters = {"form": args.form, "row": args.row, "column": args.column}
    if args.form:
        filters["form"] = find_form(args.form).id
    if args.json:
        print_json(history_document(store, args.unit, args.year, **filters))
        return EXIT_OK
    records = history(store, args.unit, args.year, **filters)
    for record in records:
        old = "（空）" if record.old is None else record.old
        new = "（空）" if record.new is None else record.new
        print(f"{record.time}\t{record.user}\t{record.source}\t{record.place}\t{old} → {new}")
    print(f"共 {len(records)} 条修改记录。", file=sys.stderr)
    return EXIT_OK


def cmd_new_year(args: argparse.Namespace) -> int:
    from app.exchange.year_cycle import new_year  # deferred: SQLAlchemy

    store = open_store(args)
    result = new_year(store, args.unit, args.from_year, args.to_year)
    print(result.summary, file=sys.stderr)
    return EXIT_OK


def cmd_profile(args: argparse.Namespace) -> int:
    store = open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    if args.key is None:
        for field in profile.PROFILE_FIELDS:
            text = profile.profile(dataset)[field.key]
            print(f"[{field.key}] {field.title}：" + (text if text else f"（未填写；打印：{field.default or '不打印'}）"))
        return EXIT_OK
    text = Path(args.file).read_text(encoding="utf-8") if args.file else (args.text or "")
    profile.set_profile(dataset, args.key, text)
    print(f"已保存单位情况“{args.key}”。", file=sys.stderr)
    return EXIT_OK


def cmd_prior(args: argparse.Namespace) -> int:
    store = open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    if args.name is None:
        figures = prior.prior_figures(dataset)
        source = {"dataset": f"{dataset.year - 1} 年度数据", "typed": "填写的上年数", "": "无"}[figures.source]
        print(f"上年数来源：{source}")
        for name in prior_names():
            amount = figures.values.get(name)
            print(f"{name}\t{quantity_def(name).title}\t{format_amount(amount) if amount is not None else '（无）'}")
        return EXIT_OK
    if args.reason is not None:
        prior.set_reason(dataset, args.name, args.reason)
    if args.value is not None:
        prior.set_prior(dataset, args.name, args.value)
    print(f"已保存“{args.name}”。", file=sys.stderr)
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    sub = commands.add_parser("forms", help="列出全部表样")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_forms)

    sub = commands.add_parser("import-json", help="导入数据交换文件（JSON）")
    sub.add_argument("file")
    sub.add_argument("--replace", action="store_true", help="覆盖已存在的同单位同年度数据")
    sub.set_defaults(handler=cmd_import_json)

    sub = commands.add_parser("export-json", help="导出数据交换文件（JSON）")
    add_unit_year(sub)
    sub.add_argument("--out", help="输出文件（默认：标准输出）")
    sub.set_defaults(handler=cmd_export_json)

    sub = commands.add_parser("show", help="显示一张表（含计算单元格）")
    sub.add_argument("form")
    add_unit_year(sub)
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_show)

    sub = commands.add_parser("set", help="录入一个单元格（VALUE 为空字符串表示清除）")
    sub.add_argument("form")
    sub.add_argument("row")
    sub.add_argument("column")
    sub.add_argument("value")
    add_unit_year(sub)
    sub.set_defaults(handler=cmd_set)

    sub = commands.add_parser("check", help="审核：列出错误和提示（有错误时退出码为 1）")
    add_unit_year(sub)
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_check)

    sub = commands.add_parser("status", help="标记预算状态：submitted（已上报，须无错误且提示均有说明）或 draft（编制中）")
    sub.add_argument("status", choices=["draft", "submitted"])
    sub.add_argument("--reason", help="撤销上报（draft）时必填：原因，记入修改记录")
    add_unit_year(sub)
    sub.set_defaults(handler=cmd_status)

    sub = commands.add_parser("history", help="修改记录：谁在何时把哪个单元格从什么改成什么（来源：录入、粘贴、导入、撤销……）")
    add_unit_year(sub)
    sub.add_argument("--form", help="只看一张表（表的编号，如 expenditure_summary）")
    sub.add_argument("--row", help="只看一行（行编码，或项目名称如 项目“…”）")
    sub.add_argument("--column", help="只看一栏（栏的编号，或项目字段名）")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_history)

    sub = commands.add_parser("explain", help="为一条提示填写说明（FINDING 为 check --json 中的 rule，或 rule:行）")
    sub.add_argument("finding")
    sub.add_argument("text")
    add_unit_year(sub)
    sub.set_defaults(handler=cmd_explain)

    sub = commands.add_parser("units", help="列出单位和预算年度")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_units)

    sub = commands.add_parser("new-year", help="以某年度为基础建立下一年度：单位情况、科目行、经常性/延续性项目（金额清空），本年数作为上年数")
    sub.add_argument("--unit", required=True, help="单位编码")
    sub.add_argument("--from", dest="from_year", required=True, type=int, help="来源年度，例如 2023")
    sub.add_argument("--to", dest="to_year", required=True, type=int, help="新年度，例如 2024")
    sub.set_defaults(handler=cmd_new_year)

    sub = commands.add_parser("profile", help="单位情况（部门职责、内设机构、工作保障措施、专项资金、其他事项、名词解释）：不带 KEY 时列出")
    add_unit_year(sub)
    sub.add_argument("key", nargs="?", help="duties / institutions / safeguards / special_funds / other_matters / glossary")
    sub.add_argument("text", nargs="?", help="文字（空字符串表示清除）")
    sub.add_argument("--file", help="从 UTF-8 文本文件读取文字")
    sub.set_defaults(handler=cmd_profile)

    sub = commands.add_parser("prior", help="上年数和增减变化原因：不带 NAME 时列出")
    add_unit_year(sub)
    sub.add_argument("name", nargs="?", help="命名数量，例如 basic、project、three_public_reception")
    sub.add_argument("value", nargs="?", help="上年数（空字符串表示清除）")
    sub.add_argument("--reason", help="增减变化原因，例如“主要为人员经费增加”")
    sub.set_defaults(handler=cmd_prior)
