"""The finance bureau's views over many units: overview, return, bureau-tree, consolidate, screen,
dashboard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.base.errors import ConflictError, InputError
from app.base.money import format_amount
from app.cli.common import EXIT_OK, Commands, add_unit_year, open_store, print_json


def cmd_overview(args: argparse.Namespace) -> int:
    from app.bureau.standing import overview  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    rows = overview(store, args.year)
    if args.json:
        print_json({"year": args.year, "units": [row.to_dict() for row in rows]})
        return EXIT_OK
    print("\t".join(["单位编码", "单位名称", "状态", "接收时间(UTC)", "错误", "提示", "密钥指纹", "总计", "基本支出", "项目支出", "金额单位"]))
    for row in rows:
        print("\t".join([row.unit_code, row.unit_name, row.status_name,
                         row.received_at.strftime("%Y-%m-%d %H:%M") if row.received_at else "",
                         "" if row.errors is None else str(row.errors), "" if row.warnings is None else str(row.warnings),
                         row.fingerprint, format_amount(row.total, grouping=True), format_amount(row.basic, grouping=True),
                         format_amount(row.project, grouping=True), row.money_unit]))
        if row.returned:
            print(f"\t退回原因：{row.returned}")
    print(f"{args.year} 年度共 {len(rows)} 个单位。", file=sys.stderr)
    return EXIT_OK


def cmd_return(args: argparse.Namespace) -> int:
    from app.bureau.standing import return_dataset  # deferred: cryptography, SQLAlchemy

    if args.with_units and args.out:
        raise InputError("--with-units 与 --out 不能同时使用：整体退回部门后，请为需要批注的单位分别生成退回文件"
                         "（budgetdesk comment 与 return --out 逐个单位进行）。")
    store = open_store(args)
    if args.with_units:
        from app.bureau.hierarchy import return_department  # deferred: cryptography, SQLAlchemy

        codes = return_department(store, args.unit, args.year, args.reason)
        print(f"已整体退回部门 {args.unit} {args.year} 年度预算：{'、'.join(codes)}（编制中），原因：{args.reason}", file=sys.stderr)
        return EXIT_OK
    if args.out:  # the signed 退回 file (reason + open 批注) is checked and written before the status moves
        from app.bureau.comments import write_return  # deferred: cryptography, SQLAlchemy

        if store.dataset_info(args.unit, args.year).status != "submitted":
            raise ConflictError(f"单位 {args.unit} 的 {args.year} 年度预算不是已上报状态，无需退回。")
        written = write_return(store, args.unit, args.year, args.reason, args.out)
        print(f"已生成退回文件 {written.path}（批注 {written.comments} 条；财政局签名密钥指纹 {written.fingerprint}）。",
              file=sys.stderr)
    return_dataset(store, args.unit, args.year, args.reason)
    print(f"已退回 {args.unit} {args.year} 年度预算（编制中），原因：{args.reason}", file=sys.stderr)
    return EXIT_OK


def cmd_bureau_tree(args: argparse.Namespace) -> int:
    from app.bureau.hierarchy import tree, tree_json  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    nodes = tree(store, args.year)
    if args.json:
        print_json(tree_json(nodes, args.year))
        return EXIT_OK

    def show(node, depth: int) -> None:
        row = node.row
        label = {"department": "部门", "own": "本级"}.get(node.role, "")
        cells = [("  " * depth) + (f"[{label}] " if label else "") + f"{node.code} {node.name}", node.status_name]
        if node.children:
            total, money_unit = node.total
            cells += [node.summary, f"总计 {format_amount(total, grouping=True)} {money_unit}" if total is not None else ""]
        elif row is not None:
            cells += [row.received_at.strftime("%Y-%m-%d %H:%M") if row.received_at else "",
                      f"错误 {row.errors or 0} 提示 {row.warnings or 0}" if row.received_at else "",
                      f"总计 {format_amount(row.total, grouping=True)} {row.money_unit}" if row.total is not None else ""]
            if node.status == "returned":
                cells.append(f"退回原因：{row.returned}")
        print("\t".join(cell for cell in cells if cell))
        for child in node.children:
            show(child, depth + 1)

    for node in nodes:
        show(node, 0)
    print(f"{args.year} 年度：{len(nodes)} 个部门或单位（不含所属单位）。", file=sys.stderr)
    return EXIT_OK


def cmd_consolidate(args: argparse.Namespace) -> int:
    from app.bureau.consolidate import (  # deferred: SQLAlchemy
        consolidate,
        consolidation_json,
        export_consolidation,
        print_consolidation,
    )

    if not (args.json or args.pdf or args.out):
        raise InputError("请指定输出：--json、--pdf 文件或 --out 文件.xlsx。")
    units = [code for code in args.units.split(",") if code.strip()] if args.units is not None else None
    if args.units is not None and not units:
        raise InputError("--units 需要至少一个单位编码（用逗号分隔）。")
    store = open_store(args)
    result = consolidate(store, args.year, units=units, parent=args.parent)
    if args.out:
        export_consolidation(result, Path(args.out))
        print(f"已导出汇总表到 {args.out}", file=sys.stderr)
    if args.pdf:
        pages = print_consolidation(result, Path(args.pdf))
        print(f"已打印汇总表到 {args.pdf}：共 {pages} 页", file=sys.stderr)
    if args.json:
        print_json(consolidation_json(result))
    print(f"{result.title}：{len(result.units)} 个单位，金额单位 {result.money_unit}。", file=sys.stderr)
    return EXIT_OK


def cmd_screen(args: argparse.Namespace) -> int:
    from app.bureau.screening import PEERS, load_config, print_screening, screen  # deferred: SQLAlchemy

    config = load_config(args.thresholds) if args.thresholds else load_config()
    store = open_store(args)
    result = screen(store, args.year, peers=args.peers, config=config)
    if args.pdf:
        pages = print_screening(result, Path(args.pdf))
        print(f"已打印筛查结果到 {args.pdf}：共 {pages} 页", file=sys.stderr)
    if args.json:
        print_json(result.to_dict())
    else:
        print("\t".join(["单位编码", "单位名称", "部门", "指标", "本年", "上年/中位数", "偏离", "阈值", "跟进"]))
        for o in result.outliers:
            print("\t".join([o.unit_code, o.unit_name, o.department_name, o.title, o.value_text, o.reference_text,
                             o.deviation_text, o.threshold, o.note]))
        missing = [u for u in result.units if not u.prior_source]
        for unit in missing:
            print(f"{unit.unit_code} {unit.unit_name}：无上年数，未比较增长。", file=sys.stderr)
    print(f"{args.year} 年度筛查 {len(result.units)} 个单位（同组：{PEERS[result.peers]}），"
          f"需跟进 {len(result.outliers)} 项。", file=sys.stderr)
    return EXIT_OK


def cmd_dashboard(args: argparse.Namespace) -> int:
    from app.bureau.dashboard import COLUMNS, dashboard  # deferred: SQLAlchemy

    store = open_store(args)
    board = dashboard(store, args.year)
    if args.json:
        print_json(board.to_dict())
        return EXIT_OK
    print("\t".join(["部门编码", "部门"] + [title for _key, title in COLUMNS]))
    for counts in [*board.departments, board.total]:
        print("\t".join([counts.code, counts.name] + [str(getattr(counts, key)) for key, _title in COLUMNS]))
    print()
    print("\t".join(["单位编码", "单位名称", "部门", "状态", "错误", "未说明提示", "空表（空表说明）", "退回原因"]))
    for unit in board.units:
        empty = "；".join(f"{table.title}（{table.note}）" for table in unit.empty_tables)
        print("\t".join([unit.unit_code, unit.unit_name, unit.department_name, unit.state_name,
                         "" if unit.errors is None else str(unit.errors),
                         "" if unit.unexplained is None else str(unit.unexplained), empty, unit.return_reason]))
    total = board.total
    print(f"{args.year} 年度：应报 {total.expected} 个单位，已上报 {total.submitted} 个，已退回 {total.returned} 个，"
          f"未上报 {total.not_submitted} 个。", file=sys.stderr)
    return EXIT_OK


def cmd_bureau_key(args: argparse.Namespace) -> int:
    from app.exchange import signing  # deferred: cryptography

    existed = signing.load_key("财政局", path=signing.bureau_key_path()) is not None
    raw = signing.public_raw(signing.bureau_key().public_key())
    fingerprint = signing.fingerprint(raw)
    if args.json:
        print_json({"fingerprint": fingerprint, "created": not existed})
        return EXIT_OK
    print(fingerprint)
    if not existed:
        print("已为财政局生成签名密钥；请把上面的密钥指纹印在任务通知上，单位导入任务包时核对。", file=sys.stderr)
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    sub = commands.add_parser("bureau-key", help="财政局：显示本局签名密钥的指纹（第一次使用时生成密钥），供单位核对")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出（fingerprint、created）")
    sub.set_defaults(handler=cmd_bureau_key)

    sub = commands.add_parser("overview", help="财政局：各单位某年度的状态、接收时间、错误/提示数、密钥指纹、总计")
    sub.add_argument("--year", required=True, type=int, help="预算年度")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_overview)

    sub = commands.add_parser("return", help="财政局：退回已上报的预算（回到编制中），须写明原因")
    add_unit_year(sub)
    sub.add_argument("--reason", required=True, help="退回原因")
    sub.add_argument("--out", help="同时生成签名的退回文件（.bdr：退回原因和未解决的批注），交给单位导入")
    sub.add_argument("--with-units", action="store_true", help="整体退回部门：本级和其全部已上报的所属单位（一次完成）")
    sub.set_defaults(handler=cmd_return)

    sub = commands.add_parser("bureau-tree", help="财政局：按部门显示本级和所属单位的接收状态（未收到/已收到/已退回/有错误/有提示）")
    sub.add_argument("--year", required=True, type=int, help="预算年度")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出（部门含 children）")
    sub.set_defaults(handler=cmd_bureau_tree)

    sub = commands.add_parser("consolidate", help="财政局：汇总多个单位的公开表（按表样、科目、栏目求和）")
    sub.add_argument("--year", required=True, type=int, help="预算年度")
    group = sub.add_mutually_exclusive_group()
    group.add_argument("--units", help="只汇总这些单位（编码用逗号分隔；默认全部单位）")
    group.add_argument("--parent", metavar="CODE", help="汇总一个部门：本级和它的所属单位")
    sub.add_argument("--out", help="汇总表导出为 Excel 文件（.xlsx）")
    sub.add_argument("--pdf", help="汇总表打印为 PDF 文件")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出到标准输出（与 show --json 同形）")
    sub.set_defaults(handler=cmd_consolidate)

    text = "财政局：筛查各单位——各总数较上年的增减、三公/基本/项目占比与同组中位数的偏离，列出需跟进的异常"
    sub = commands.add_parser("screen", help=text, description=text + "（阈值见 resources/screening.json）")
    sub.add_argument("--year", required=True, type=int, help="预算年度")
    sub.add_argument("--peers", metavar="parent|all",
                     help="同组方式：parent 同一主管部门（部门及其所属单位），all 全部单位（默认取阈值文件的 peers）")
    sub.add_argument("--thresholds", metavar="FILE", help="阈值文件（JSON，默认 resources/screening.json）")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出到标准输出（各单位指标和异常）")
    sub.add_argument("--pdf", metavar="FILE", help="筛查结果打印为 PDF 文件")
    sub.set_defaults(handler=cmd_screen)

    text = "财政局：上报进度——各部门及合计的应报、已上报、已退回、未上报、审核通过、有未说明提示、有空表的单位数"
    sub = commands.add_parser("dashboard", help=text, description=text + "，及各单位的空表和空表说明、退回原因")
    sub.add_argument("--year", required=True, type=int, help="预算年度")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出到标准输出（合计、各部门、各单位）")
    sub.set_defaults(handler=cmd_dashboard)
