"""What every command module shares: exit codes, the Chinese argument parser, the stores a command
opened, JSON output and progress on stderr."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from app.base.progress import Progress

if TYPE_CHECKING:  # the annotation only: importing the store at run time loads SQLAlchemy
    from app.store.service import Store

EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its own English (usage:, options, the error messages) said in Chinese."""

    MESSAGES = [  # argparse's message patterns (gettext msgids) → Chinese
        (r"^the following arguments are required: (.*)$", r"缺少必需的参数：\1"),
        (r"^unrecognized arguments: (.*)$", r"无法识别的参数：\1"),
        (r"^argument (.*?): invalid choice: (.*?) \(choose from (.*)\)$", r"参数 \1 的值 \2 无效（可选：\3）"),
        (r"^argument (.*?): invalid (\w+) value: (.*)$", r"参数 \1 的值 \3 无效"),
        (r"^argument (.*?): expected one argument$", r"参数 \1 需要一个值"),
        (r"^argument (.*?): (.*)$", r"参数 \1：\2"),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示此帮助并退出"

    def _get_formatter(self) -> argparse.HelpFormatter:
        formatter = super()._get_formatter()
        add_usage = formatter.add_usage
        # argparse has no setting for the "usage: " prefix; the formatter's own method is wrapped
        formatter.add_usage = lambda usage, actions, groups, prefix=None: add_usage(  # type: ignore[method-assign]
            usage, actions, groups, "用法：" if prefix is None else prefix)
        return formatter

    def error(self, message: str) -> NoReturn:  # say what to do, in Chinese
        for pattern, chinese in self.MESSAGES:
            if re.match(pattern, message):
                message = re.sub(pattern, chinese, message)
                break
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误：{message}\n请使用 --help 查看命令说明。\n")
        raise SystemExit(EXIT_BAD_INPUT)


# what each module's add_commands(commands) receives: the subcommand list its parsers join
Commands: TypeAlias = "argparse._SubParsersAction[ChineseArgumentParser]"


def add_unit_year(parser: argparse.ArgumentParser) -> None:
    """The --unit/--year pair most commands take."""
    parser.add_argument("--unit", required=True, help="单位编码")
    parser.add_argument("--year", required=True, type=int, help="预算年度")


opened_stores: list[Store] = []  # stores a command opened, closed when it ends (their files are free again)


def open_store(args: argparse.Namespace) -> Store:
    # deferred: the store loads SQLAlchemy, which `--help` and a bad argument never need
    from app.store.service import Store

    store = Store(args.db, read_only=True if getattr(args, "read_only", False) else None)
    opened_stores.append(store)
    return store


def close_opened_stores() -> None:
    while opened_stores:
        opened_stores.pop().close()


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def stderr_progress(label: str) -> Progress:
    """A progress line rewritten in place on stderr: ``label done/total text``."""

    def report(done: int, total: int, text: str) -> None:
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{label} {done}/{total} {text[:60]:<60}{end}")
        sys.stderr.flush()

    return Progress(report)
