"""基础信息 and 基本支出测算 commands: ``staff template`` / ``staff import``, ``vehicles import`` and ``estimate``."""

from __future__ import annotations

import argparse
import sys

from app.base.errors import BudgetDeskError
from app.cli.common import EXIT_OK, ChineseArgumentParser, Commands, add_unit_year, open_store, print_json


def _open_editable(args: argparse.Namespace):
    dataset = open_store(args).open_dataset(args.unit, args.year)
    if dataset.status == "submitted":  # the door refuses too; said here before any file is read
        raise BudgetDeskError(f"{dataset.label}已上报，不能修改；如需修改，请先撤销上报（须填写原因）。")
    return dataset


def _follow_estimate(dataset, standards_path: str | None = None) -> None:
    """保持跟随: after a roster import, bring the 测算 into the 基本支出表 again (as the window does)."""
    from app.basic.estimate import ESTIMATE_SOURCE, estimate_dataset, following  # deferred: SQLAlchemy
    from app.basic.standards import load_standards
    from app.store.editing import DatasetEditing

    if not following(dataset):
        return
    changes = [change for change in estimate_dataset(dataset, load_standards(standards_path)).changes()
               if dataset.value(change.form, change.row, change.column) != change.value]
    for change in changes:
        dataset.workbook.check_settable(change.form, change.row, change.column)
    if changes:
        DatasetEditing(dataset).write_cells(changes, source=ESTIMATE_SOURCE)
        print(f"保持跟随：已将测算结果重新带入基本支出表（{len(changes)} 个单元格）。", file=sys.stderr)


def cmd_staff_template(args: argparse.Namespace) -> int:
    from app.exchange.excel.basic_sheets import write_template  # deferred: openpyxl

    path = write_template(args.out)
    print(f"已生成人员和车辆模板：{path}", file=sys.stderr)
    return EXIT_OK


def cmd_staff_import(args: argparse.Namespace) -> int:
    from app.basic.book import BasicInfoBook  # deferred: SQLAlchemy
    from app.exchange.excel.basic_sheets import read_staff  # deferred: openpyxl

    dataset = _open_editable(args)
    staff = read_staff(args.file)
    BasicInfoBook(dataset).replace_staff(staff, source="Excel导入")
    print(f"已导入人员 {len(staff)} 人：{dataset.label}", file=sys.stderr)
    _follow_estimate(dataset)
    return EXIT_OK


def cmd_vehicles_import(args: argparse.Namespace) -> int:
    from app.basic.book import BasicInfoBook  # deferred: SQLAlchemy
    from app.exchange.excel.basic_sheets import read_vehicles  # deferred: openpyxl

    dataset = _open_editable(args)
    vehicles = read_vehicles(args.file)
    BasicInfoBook(dataset).replace_vehicles(vehicles, source="Excel导入")
    print(f"已导入车辆 {len(vehicles)} 辆：{dataset.label}", file=sys.stderr)
    _follow_estimate(dataset)
    return EXIT_OK


def cmd_estimate(args: argparse.Namespace) -> int:
    from app.base.money import exact_amount
    from app.basic.estimate import ESTIMATE_SOURCE, estimate_dataset  # deferred: SQLAlchemy
    from app.basic.standards import load_standards
    from app.store.editing import DatasetEditing

    standards = load_standards(args.standards)
    dataset = _open_editable(args) if args.apply else open_store(args).open_dataset(args.unit, args.year)
    estimate = estimate_dataset(dataset, standards)
    if args.apply:
        changes = estimate.changes()
        for change in changes:
            dataset.workbook.check_settable(change.form, change.row, change.column)
        DatasetEditing(dataset).write_cells(changes, source=ESTIMATE_SOURCE)
        print(f"已将测算结果带入基本支出表（{len(changes)} 个单元格）：{dataset.label}", file=sys.stderr)
    if args.json:
        print_json(estimate.to_json())
    else:
        print(f"{dataset.label} 基本支出测算（{estimate.standards.title}；来源：{estimate.standards.source}）")
        print(f"在职 {estimate.staff_count} 人，离退休 {estimate.retired_count} 人，车辆 {estimate.vehicle_count} 辆；"
              f"单位类别：{estimate.unit_class}；金额单位：{dataset.money_unit}")
        for line in estimate.lines:
            print(f"{line.code} {line.name}  {exact_amount(estimate.amount(line.code))}  {line.formula}")
        print(f"人员经费合计 {exact_amount(estimate.total('personnel'))}，"
              f"公用经费合计 {exact_amount(estimate.total('public'))}")
    return EXIT_OK


def cmd_basic_print(args: argparse.Namespace) -> int:
    from app.basic.standards import load_standards  # deferred: SQLAlchemy, reportlab
    from app.printing.basic import print_basic_worksheets

    if not args.out.lower().endswith(".pdf"):
        raise BudgetDeskError(f"输出文件“{args.out}”的扩展名应为 .pdf。")
    standards = load_standards(args.standards)
    dataset = open_store(args).open_dataset(args.unit, args.year)
    path = print_basic_worksheets(dataset, standards, args.out, names=args.names)
    print(f"已打印人员情况表、车辆情况表和基本支出测算表到 {path}", file=sys.stderr)
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    staff = commands.add_parser("staff", help="基础信息：人员（Excel 模板与导入）")
    staff_commands = staff.add_subparsers(dest="staff_command", parser_class=ChineseArgumentParser, required=True)
    sub = staff_commands.add_parser("template", help="生成人员和车辆的 Excel 模板")
    sub.add_argument("--out", required=True, help="输出的 .xlsx 文件")
    sub.set_defaults(handler=cmd_staff_template)
    sub = staff_commands.add_parser("import", help="从 Excel 导入人员（替换该预算的人员表；任何单元格无法读取时不导入）")
    sub.add_argument("file")
    add_unit_year(sub)
    sub.set_defaults(handler=cmd_staff_import)

    vehicles = commands.add_parser("vehicles", help="基础信息：车辆（Excel 导入）")
    vehicle_commands = vehicles.add_subparsers(dest="vehicles_command", parser_class=ChineseArgumentParser,
                                               required=True)
    sub = vehicle_commands.add_parser("import", help="从 Excel 导入车辆（替换该预算的车辆表；任何单元格无法读取时不导入）")
    sub.add_argument("file")
    add_unit_year(sub)
    sub.set_defaults(handler=cmd_vehicles_import)

    sub = commands.add_parser("estimate", help="基本支出测算：按人员、车辆和测算标准计算各经济科目金额")
    add_unit_year(sub)
    sub.add_argument("--json", action="store_true", help="以 JSON 输出")
    sub.add_argument("--apply", action="store_true", help="把测算结果带入基本支出表和“三公”经费表（记入修改记录：测算带入）")
    sub.add_argument("--standards", help="测算标准文件（JSON；默认：设置 BUDGETDESK_STANDARDS 或内置示例标准）")
    sub.set_defaults(handler=cmd_estimate)

    sub = commands.add_parser("basic-print", help="打印人员情况表、车辆情况表（按类别计数）和基本支出测算表（PDF，供签字）")
    add_unit_year(sub)
    sub.add_argument("--out", required=True, help="输出的 PDF 文件")
    sub.add_argument("--names", action="store_true", help="加印人员名单和车辆明细（默认只印按类别的人数和车辆数）")
    sub.add_argument("--standards", help="测算标准文件（JSON；默认：设置 BUDGETDESK_STANDARDS 或内置示例标准）")
    sub.set_defaults(handler=cmd_basic_print)
