"""``budgetdesk comment add/list/answer/resolve`` and ``budgetdesk import-return``: 批注 on the command line.

``add_commands(commands)`` adds them to the parser ``app.cli.main.build_parser`` builds.
"""

from __future__ import annotations

import argparse
import sys

from app.bureau.comment_terms import KINDS, SIDES, STATUS_NAMES
from app.cli.common import EXIT_OK, Commands, add_unit_year, open_store, print_json


def cmd_comment_add(args: argparse.Namespace) -> int:
    from app.bureau.comments import add_comment  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    comment = add_comment(store, args.unit, args.year, kind=args.kind, text=args.text, side=args.side,
                          form=args.form or "", row=args.row or "", column=args.column or "",
                          project=args.project or "", indicator=args.indicator or "", finding=args.finding or "",
                          follow_up=args.follow_up)
    if args.json:
        print_json(comment.to_dict())
    print(f"已添加批注 {comment.uuid[:8]}（{comment.side}，{comment.place()}"
          + ("，需跟进" if comment.follow_up else "") + "）。", file=sys.stderr)
    return EXIT_OK


def cmd_comment_list(args: argparse.Namespace) -> int:
    from app.bureau.comments import list_comments  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    store.dataset_info(args.unit, args.year)
    comments = list_comments(store, args.unit, args.year, status=args.status, open_only=args.open)
    if args.json:
        print_json({"unit": args.unit, "year": args.year, "comments": [c.to_dict() for c in comments]})
        return EXIT_OK
    dataset = store.open_dataset(args.unit, args.year)
    for comment in comments:
        flag = "【需跟进】" if comment.follow_up else ""
        print(f"{comment.uuid[:8]}\t{comment.status_name}\t{comment.side}\t{comment.place(dataset.describe_cell)}\t"
              f"{flag}{comment.text}" + (f"\t回复：{comment.answer}" if comment.answer else ""))
    print(f"共 {len(comments)} 条批注。", file=sys.stderr)
    return EXIT_OK


def cmd_comment_answer(args: argparse.Namespace) -> int:
    from app.bureau.comments import answer_comment  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    comment = answer_comment(store, args.id, args.text or "", fixed=args.fixed)
    if args.json:
        print_json(comment.to_dict())
    print(f"已回复批注 {comment.uuid[:8]}：{comment.answer}", file=sys.stderr)
    return EXIT_OK


def cmd_comment_resolve(args: argparse.Namespace) -> int:
    from app.bureau.comments import resolve_comment  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    comment = resolve_comment(store, args.id, reopen=args.reopen)
    if args.json:
        print_json(comment.to_dict())
    print(f"批注 {comment.uuid[:8]}：{comment.status_name}", file=sys.stderr)
    return EXIT_OK


def cmd_import_return(args: argparse.Namespace) -> int:
    from app.bureau.comments import import_return  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    outcome = import_return(store, args.file, expected_unit=args.unit, expected_year=args.year,
                            accept_new_key=args.accept_new_key, trust_fingerprints=args.trust_fingerprint or ())
    trust = "首次收到，已记住财政局密钥" if outcome.first_trust else "密钥与记住的一致"
    print(f"已导入退回文件：{outcome.unit_code} {outcome.unit_name} {outcome.year} 年度"
          f"（{'已退回为编制中' if outcome.status_changed else '原已是编制中'}；原因：{outcome.reason}；"
          f"批注 新增 {outcome.merge.added} 条、更新 {outcome.merge.updated} 条；指纹 {outcome.fingerprint}，{trust}）",
          file=sys.stderr)
    if args.json:
        print_json({"unit": outcome.unit_code, "year": outcome.year, "reason": outcome.reason,
                    "status_changed": outcome.status_changed, "fingerprint": outcome.fingerprint,
                    "first_trust": outcome.first_trust, "added": outcome.merge.added,
                    "updated": outcome.merge.updated, "package_sha256": outcome.package_sha256 or None})
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    comment = commands.add_parser(
        "comment", help="批注：财政局/主管部门对单元格、项目、绩效指标或审核问题的批注，单位的回复（随退回文件和数据包往返）")
    comment_commands = comment.add_subparsers(dest="comment_command", required=True)
    sub = comment_commands.add_parser("add", help="添加批注（已上报的预算也可以批注；记入修改记录）")
    add_unit_year(sub)
    sub.add_argument("--kind", choices=sorted(KINDS), default="cell",
                     help="批注对象：cell 单元格（--form --row --column）、project 项目（--project）、"
                          "indicator 绩效指标（--project --indicator）、finding 审核问题（--finding）")
    sub.add_argument("--form", help="表（编号或表名，如 expenditure_summary）")
    sub.add_argument("--row", help="行（科目编码或行键）")
    sub.add_argument("--column", help="栏（栏目键）")
    sub.add_argument("--project", help="项目名称")
    sub.add_argument("--indicator", help="三级指标名称")
    sub.add_argument("--finding", help="审核问题（check --json 中的 key，如 rule:行）")
    sub.add_argument("--text", required=True, help="批注内容")
    sub.add_argument("--side", choices=SIDES, default="财政局", help="批注方（默认 财政局）")
    sub.add_argument("--follow-up", action="store_true", help="标记为需跟进")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_comment_add)

    sub = comment_commands.add_parser("list", help="列出一份预算的批注")
    add_unit_year(sub)
    sub.add_argument("--status", choices=sorted(STATUS_NAMES), help="只列出某状态：open 待处理、answered 已回复、resolved 已解决")
    sub.add_argument("--open", action="store_true", help="只列出未解决的批注")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_comment_list)

    sub = comment_commands.add_parser("answer", help="单位回复批注（--fixed：标记已修改）")
    sub.add_argument("id", help="批注编号（list 中的前 8 位或完整编号）")
    sub.add_argument("--text", help="回复内容（--fixed 时可省略，记为“已修改。”）")
    sub.add_argument("--fixed", action="store_true", help="标记已修改")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_comment_answer)

    sub = comment_commands.add_parser("resolve", help="财政局/主管部门：标记批注已解决（--reopen 重新打开）")
    sub.add_argument("id", help="批注编号")
    sub.add_argument("--reopen", action="store_true", help="重新打开（回复不满意）")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_comment_resolve)

    sub = commands.add_parser("import-return", help="单位：导入财政局的退回文件（.bdr）：核对签名，预算回到编制中，收下批注")
    sub.add_argument("file", help="退回文件（.bdr）")
    sub.add_argument("--unit", help="预期的单位编码（不符则拒绝）")
    sub.add_argument("--year", type=int, help="预期的预算年度（不符则拒绝）")
    sub.add_argument("--accept-new-key", action="store_true",
                     help="财政局确已更换签名密钥时：接受新密钥（请先向财政局核实指纹）")
    sub.add_argument("--trust-fingerprint", action="append", metavar="XXXX-XXXX-XXXX-XXXX",
                     help="第一次收到财政局的退回文件时：与财政局纸质材料核对一致的密钥指纹")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_import_return)
