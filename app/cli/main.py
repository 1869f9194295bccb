"""``budgetdesk`` command line: every batch action, scriptable by the bureau and used by the tests.

Exit codes: 0 success; 1 refusal (for example the dataset exists and --replace was not given) or a
database fault (locked, damaged, full, read-only, newer schema, server unreachable); 2 bad input or usage,
or an unexpected error (its traceback goes to the log file only). Messages for people are in Chinese on
stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path

from app.base.errors import BudgetDeskError, ConflictError
from app.base.faults import translate
from app.cli import backup, basic, bureau, codes, comments, data, excel, packages, printing, program
from app.cli.common import EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED, ChineseArgumentParser, close_opened_stores
from app.cli.program import cmd_gui
from app.system.logsetup import setup_logging

# the exit codes belong to the command line's interface (see above): scripts and tests take them from here
__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "EXIT_REFUSED", "build_parser", "main", "report_error"]

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="budgetdesk", description="BudgetDesk 部门预算填报")
    parser.add_argument("--db", help="数据库：文件路径或 SQLAlchemy 地址（默认：用户数据目录中的 SQLite）")
    parser.add_argument("--read-only", action="store_true",
                        help="只读打开数据库：可以查看、审核、打印和导出，不能修改（只读介质上的数据库会自动只读打开）")
    commands = parser.add_subparsers(dest="command", parser_class=ChineseArgumentParser)
    # one module per command group; this order is the order `budgetdesk --help` lists them in
    for group in (data, excel, basic, codes, printing, backup, packages, bureau, comments, program):
        group.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            # a name that is not UTF-8 (surrogate escapes) is shown escaped rather than ending in a traceback
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    log_path = setup_logging()
    parser = build_parser()
    argv_given = argv
    argv = sys.argv[1:] if argv is None else list(argv)
    if len(argv) == 1 and argv[0].lower().endswith(".bdp"):
        argv = ["gui", argv[0]]  # a double-clicked data package: open it for import
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        args.handler = cmd_gui  # a double-clicked BudgetDesk.exe has no arguments: open the window
    try:
        return args.handler(args)
    except Exception as exc:  # every error ends as a Chinese sentence; the traceback only in the log
        return report_error(exc, log_path)
    except KeyboardInterrupt:
        print("已中断。正在进行的一步没有保存，已保存的数据不受影响。", file=sys.stderr)
        return 130
    finally:
        close_opened_stores()
        if argv_given is None and args.handler is not cmd_gui:  # the GUI's exit is left as Qt expects it
            _leave_heap_alone()


def _leave_heap_alone() -> None:
    """The program ends with the command (``argv`` not passed in, as from the ``budgetdesk`` entry
    point): have the interpreter's exit skip walking the heap for cycles. After a print that walk
    over the document's objects costs more than the whole 打印 of a short table (~0.15 s); freed
    memory goes back with the process anyway. Calls from tests (argv given) keep collecting."""
    gc.freeze()


def report_error(exc: BaseException, log_path: Path | None) -> int:
    """Print the clerk's message for ``exc`` on stderr and return the exit code."""
    error = translate(exc)
    if isinstance(error, ConflictError):
        print(f"拒绝：{error}", file=sys.stderr)
        return EXIT_REFUSED
    if isinstance(error, BudgetDeskError) and getattr(error, "exit_code", None) == EXIT_REFUSED:
        log.info("command failed: %s", error)  # a database fault (app.base.faults) or another refusal
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_REFUSED
    if isinstance(error, BudgetDeskError):
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(exc, OSError):
        log.warning("file error: %r", exc)
        print(f"错误：无法读写文件：{exc.strerror or exc}（{exc.filename or ''}）", file=sys.stderr)
        return EXIT_BAD_INPUT
    log.error("unexpected error in %s", " ".join(sys.argv[1:]) or "budgetdesk", exc_info=exc)
    where = f"详细信息已写入日志文件：{log_path}" if log_path else "（日志文件无法写入）"
    print(f"错误：程序遇到了意外问题，这一步没有完成。已保存的数据不受影响。{where}。"
          "请把该日志文件发给技术人员。", file=sys.stderr)
    return EXIT_BAD_INPUT
