"""``budgetdesk print``: the whole document, or some of its forms, as a PDF."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.base.errors import InputError
from app.cli.common import EXIT_OK, Commands, add_unit_year, open_store
from app.domain.forms import find_form


def cmd_print(args: argparse.Namespace) -> int:
    # deferred: reportlab, SQLAlchemy
    from app.printing import build_document
    from app.printing.projects import EXTRA_SECTIONS, PROJECT_KINDS, find_project
    from app.printing.selfeval import SELFEVAL_SECTIONS

    forms = None
    if args.forms is not None:
        forms = [part.strip() for part in args.forms.split(",") if part.strip()]
        if not forms:
            raise InputError("--forms 需要至少一个表样编号（用逗号分隔），可用 budgetdesk forms 查看。")
        # a form named by id or title; an unknown one is refused before anything is opened or written
        forms = [form_id if form_id in EXTRA_SECTIONS or form_id in SELFEVAL_SECTIONS else find_form(form_id).id
                 for form_id in forms]
    if args.project is not None and forms is not None and not set(forms) & set(PROJECT_KINDS):
        raise InputError(f"--project 只用于 {'、'.join(PROJECT_KINDS)}；请在 --forms 中加上它们，或不用 --forms。")
    store = open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    projects = None
    if args.project is not None:
        projects = [find_project(dataset, args.project).id]
    from app.exchange.signing import existing_fingerprint  # deferred: cryptography

    printed_on = None
    if args.cover_date:
        try:
            printed_on = date.fromisoformat(args.cover_date)
        except ValueError:
            raise InputError(f"封面日期“{args.cover_date}”应写成 YYYY-MM-DD。") from None
    result = build_document(dataset, Path(args.out), forms=forms, projects=projects,
                            fingerprint=existing_fingerprint(dataset.unit.code),
                            cover=True if args.cover else None, printed_on=printed_on, charts=args.charts)
    print(f"已打印到 {args.out}：共 {result.pages} 页；{result.fonts.metadata_text}", file=sys.stderr)
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    # The ids besides the form ids (app.printing.projects.EXTRA_SECTIONS; written out here so that
    # building the parser does not import reportlab; a test keeps the two in step).
    sub = commands.add_parser(
        "print", help="打印为 PDF：封面、目录、全部公开表和情况说明",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="--forms 除表样编号（budgetdesk forms）外还可用：\n"
               "  overall_targets          部门整体绩效目标\n"
               "  project_targets_summary  项目支出绩效目标表（含转移支付项目）\n"
               "  project_targets          项目支出绩效目标表（每个项目一张）\n"
               "  project_approval         项目支出绩效目标批复表（每个项目一张）\n"
               "  procurement              政府采购预算表\n"
               "  assets                   部门固定资产占用情况表\n"
               "  self_evaluation          项目绩效自评表（A3 横向）\n"
               "  department_self_evaluation  部门整体支出绩效自评表\n"
               "--project 项目名称：只打印这个项目的项目支出绩效目标表和批复表（加 --forms project_approval 等只打印其一）。",
    )
    add_unit_year(sub)
    sub.add_argument("--out", required=True, help="输出的 PDF 文件")
    sub.add_argument("--forms", help="只打印这些表（编号用逗号分隔，见下；不含封面、目录和情况说明）")
    sub.add_argument("--project", metavar="NAME", help="只打印这个项目（项目名称或项目编码）的绩效目标表和批复表")
    sub.add_argument("--cover", action="store_true", help="加印封面（内部审签用；信息公开默认不印封面）")
    sub.add_argument("--cover-date", metavar="YYYY-MM-DD", help="封面的填报日期（默认：当天）")
    sub.add_argument("--charts", action="store_true", help="在“二、部门预算安排的总体情况”中加印收入、支出结构图")
    sub.set_defaults(handler=cmd_print)
