"""Excel commands: export-xlsx and import-xlsx."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.base.errors import BudgetDeskError
from app.cli.common import EXIT_OK, Commands, add_unit_year, open_store


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    from app.exchange.excel import export_workbook, source_from_dataset  # deferred: openpyxl, SQLAlchemy

    store = open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise BudgetDeskError(f"输出文件“{out.name}”的扩展名应为 .xlsx。")
    export_workbook(source_from_dataset(dataset), out)
    print(f"已导出到 {out}", file=sys.stderr)
    return EXIT_OK


def cmd_import_xlsx(args: argparse.Namespace) -> int:
    from app.exchange.excel import import_workbook, read_workbook  # deferred: openpyxl, SQLAlchemy

    store = open_store(args)
    plan = read_workbook(store, args.file)
    for warning in plan.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    dataset = import_workbook(store, plan, replace=args.replace)
    print(f"已导入：{dataset.unit.code} {dataset.unit.name} {dataset.year} 年度，"
          f"{len(dataset.entered_values())} 个录入单元格。", file=sys.stderr)
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    sub = commands.add_parser("export-xlsx", help="导出 Excel 工作簿（.xlsx，公开表样式，计算单元格为公式）")
    add_unit_year(sub)
    sub.add_argument("--out", required=True, help="输出的 .xlsx 文件")
    sub.set_defaults(handler=cmd_export_xlsx)

    sub = commands.add_parser("import-xlsx", help="从 Excel 工作簿（.xlsx）导入；任何单元格无法读取时不导入")
    sub.add_argument("file")
    sub.add_argument("--replace", action="store_true", help="覆盖已存在的同单位同年度数据")
    sub.set_defaults(handler=cmd_import_xlsx)
