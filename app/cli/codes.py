"""Code tables and definition editions: codes import/show, editions, indicator-levels."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from app.base.errors import InputError
from app.base.textcheck import read_bounded
from app.cli.common import EXIT_OK, EXIT_REFUSED, ChineseArgumentParser, Commands, open_store, print_json
from app.exchange.codes_io import read_code_file


def cmd_codes_import(args: argparse.Namespace) -> int:
    rows = read_code_file(args.file, args.kind)  # bounded, and before the database is opened
    store = open_store(args)
    table = store.import_code_edition(args.kind, args.edition, rows, year=args.year, source=str(Path(args.file).name))
    year = args.year or int(args.edition)
    print(f"已导入{table.title}：{len(table.items)} 个科目，{year} 年度预算将使用此版本。", file=sys.stderr)
    kept = [item for item in store.list_datasets() if item.year == year and item.status == "submitted"]
    if kept:
        print(f"其中已上报的 {len(kept)} 份预算仍按上报时的科目表显示和打印；新科目表只用于编制中的预算"
              "（退回后重新上报时采用）。", file=sys.stderr)
    return EXIT_OK


def cmd_codes_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    table = store.code_tables(args.year)[args.kind]
    if args.json:
        print_json({"kind": table.kind, "edition": table.edition, "title": table.title,
                    "items": [[i.code, i.name, i.attribute] for i in table.items.values()]})
    else:
        print(f"{table.title}（{table.edition}版，{len(table.items)} 个科目）")
        for item in table.items.values():
            print(f"{'  ' * (item.level - 1)}{item.code}\t{item.name}")
    return EXIT_OK


def cmd_editions(args: argparse.Namespace) -> int:
    """The editions each dataset was made with; ``--migrate``: move every dataset 编制中 on an older
    form edition to the current one (已上报 ones keep theirs and print as submitted)."""
    # deferred: SQLAlchemy (the editions read the indicator levels stored in the database)
    from app.store.editions import current_editions, describe_editions, migrate_store

    store = open_store(args)
    if args.migrate:
        report = migrate_store(store)
        for line in report.migrated:
            print(f"已迁移：{line}")
        for line in report.kept:
            print(f"未迁移：{line}")
        for line in report.refused:
            print(f"拒绝迁移：{line}", file=sys.stderr)
        if not (report.migrated or report.kept or report.refused):
            print("所有预算数据都已是当前版本的定义。")
        return EXIT_REFUSED if report.refused else EXIT_OK
    rows: list[dict[str, Any]] = []  # JSON output: unit, year, status and the editions dict
    for info in store.list_datasets():
        dataset = store.open_dataset(info.unit_code, info.year)
        rows.append({"unit": info.unit_code, "year": info.year, "status": info.status, "editions": dataset.editions})
    if args.json:
        print_json({"current": current_editions(), "datasets": rows})
        return EXIT_OK
    print(f"当前：{describe_editions(current_editions())}")
    for row in rows:
        print(f"{row['unit']}\t{row['year']}\t{describe_editions(row['editions'])}")
    return EXIT_OK


MAX_LEVELS_FILE_BYTES = 4 * 1024 * 1024  # thousands of 一级/二级 items are well under 1 MB


def cmd_levels(args: argparse.Namespace) -> int:
    # deferred: the indicator system loads SQLAlchemy
    from app.projects import indicator_levels
    from app.projects.levels import import_local_levels, local_levels

    if args.levels_command == "import":
        path = Path(args.file)
        # bounded, and refused when empty, a device, a FIFO or a folder: never "replace with nothing"
        raw = read_bounded(path, MAX_LEVELS_FILE_BYTES, "指标文件")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"指标文件“{path.name}”不是 UTF-8 编码的文本，未导入。") from None
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                raise InputError(f"指标文件“{path.name}”不是有效的 JSON，未导入。") from None
            rows = data.get("items") if isinstance(data, dict) else data
            if not isinstance(rows, list) or not all(isinstance(row, list) and len(row) >= 2 for row in rows):
                raise InputError(f"指标文件“{path.name}”应为 [编码, 名称, 上级] 的列表，未导入。")
            rows = [[*row, ""][:3] for row in rows]
        else:
            rows = [row + [""] * (3 - len(row)) for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
            if rows and not rows[0][0].strip().isdigit():
                rows = rows[1:]  # a header line (编码,名称,上级)
        if not rows:
            raise InputError(f"指标文件“{path.name}”中没有任何指标，未导入（现有的本地增补没有改动）。")
        store = open_store(args)
        added = import_local_levels(store, [(row[0], row[1], row[2] or None) for row in rows],
                                    note=f"导入 {path.name}")
        print(f"已导入本地指标 {len(added)} 项（在随附版本之外；其余已有，未改动）。", file=sys.stderr)
        return EXIT_OK
    open_store(args)  # loads this database's local additions
    local = {item.code for item in local_levels()}
    for item in indicator_levels().values():
        print(f"{'  ' if item.parent else ''}{item.code}\t{item.name}{'（本地）' if item.code in local else ''}")
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    codes = commands.add_parser("codes", help="科目代码表")
    code_commands = codes.add_subparsers(dest="codes_command", parser_class=ChineseArgumentParser, required=True)
    sub = code_commands.add_parser("import", help="导入财政部门下发的科目表（xlsx/csv：编码、名称）")
    sub.add_argument("file")
    sub.add_argument("--kind", required=True, choices=["function", "economic"])
    sub.add_argument("--edition", required=True, help="版本年份，例如 2024")
    sub.add_argument("--year", type=int, help="使用此版本的预算年度（默认与版本年份相同）")
    sub.set_defaults(handler=cmd_codes_import)
    sub = code_commands.add_parser("show", help="显示某预算年度使用的科目表")
    sub.add_argument("--kind", required=True, choices=["function", "economic"])
    sub.add_argument("--year", required=True, type=int)
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_codes_show)

    levels = commands.add_parser("indicator-levels", help="绩效指标体系（一级/二级指标）：随附版本加本地增补")
    level_commands = levels.add_subparsers(dest="levels_command", parser_class=ChineseArgumentParser, required=True)
    sub = level_commands.add_parser("import", help="导入本地增补的一级/二级指标（csv：编码,名称,上级编码；或 JSON），加入当前数据库（已有的本地增补保留，同编码的改名）")
    sub.add_argument("file")
    sub.set_defaults(handler=cmd_levels)
    sub = level_commands.add_parser("show", help="列出指标体系")
    sub.set_defaults(handler=cmd_levels)

    sub = commands.add_parser("editions", help="列出各年度预算数据所用的定义版本（表样、审核规则、指标体系、科目表）；"
                                               "--migrate 把编制中的旧版数据迁移到当前表样版本")
    sub.add_argument("--migrate", action="store_true", help="迁移编制中的旧版数据（已上报的保留原版本）")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出")
    sub.set_defaults(handler=cmd_editions)
