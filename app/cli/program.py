"""The program itself: ``selftest`` and ``gui`` (the window)."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_OK, EXIT_REFUSED, Commands
from app.cli.selftest import run_selftest


def cmd_selftest(args: argparse.Namespace) -> int:
    return EXIT_OK if run_selftest(lambda line: print(line, flush=True)) else EXIT_REFUSED


def cmd_gui(args: argparse.Namespace) -> int:
    from ui.app import run_gui  # deferred: PySide6

    return run_gui(db=args.db, read_only=True if getattr(args, "read_only", False) else None,
                   exit_after_show=getattr(args, "exit_after_show", False), open_file=getattr(args, "file", None),
                   bureau=getattr(args, "bureau", False), selftest=getattr(args, "selftest", False))


def add_commands(commands: Commands) -> None:
    sub = commands.add_parser("selftest", help="自检：在临时目录中导入示例数据、审核、打印、导出，逐步报告（不动用户数据）")
    sub.set_defaults(handler=cmd_selftest)

    sub = commands.add_parser("gui", help="启动图形界面（给出 .bdp 文件则打开导入；--bureau 为财政局接收与汇总）")
    sub.add_argument("file", nargs="?", help="要导入的数据包（.bdp，双击数据包时由系统传入）")
    sub.add_argument("--bureau", action="store_true", help="财政局模式：各单位概览、导入数据包、退回、汇总")
    sub.add_argument("--selftest", action="store_true",
                     help="自检，结果显示在窗口中（菜单项“部门预算填报 自检”；不打开用户数据）")
    sub.add_argument("--exit-after-show", action="store_true", help=argparse.SUPPRESS)  # start-up benchmark
    sub.set_defaults(handler=cmd_gui)
