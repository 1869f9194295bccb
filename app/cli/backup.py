"""``budgetdesk backup list/create/restore`` (SQLite databases)."""

from __future__ import annotations

import argparse
import sys

from app.base.faults import CorruptDatabaseError
from app.cli.common import EXIT_OK, ChineseArgumentParser, Commands, open_store, print_json


def cmd_backup(args: argparse.Namespace) -> int:
    from app.store import backup  # deferred: SQLAlchemy (the store's backups read the database)

    action = args.backup_command
    if action == "restore":
        try:
            store = open_store(args)
        except CorruptDatabaseError as exc:
            from db.engine import sqlite_path  # deferred: SQLAlchemy

            path = sqlite_path(args.db)
            if path is None:
                raise
            print(f"{exc}", file=sys.stderr)
            info, aside = backup.restore_over_corrupt(path, args.name)
            store = open_store(args)
            backup.record_restore(store, info)
            print(f"已从备份 {info.name} 恢复；损坏的文件已移到 {aside}。", file=sys.stderr)
            return EXIT_OK
        from app.exchange.restore import restore_backup  # deferred: SQLAlchemy, jsonschema

        info = restore_backup(store, args.name)
        print(f"已从备份 {info.name}（{info.time:%Y-%m-%d %H:%M:%S}，{info.reason_text}）恢复；"
              "恢复前的数据也已另行备份。", file=sys.stderr)
        return EXIT_OK
    store = open_store(args)
    if store.path is None:  # a database on a server: its own tools back it up
        raise backup.BackupUnavailableError(backup.POSTGRES_MESSAGE)
    if action == "create":
        made = backup.create_backup(store, "manual")
        assert made is not None  # only a backup made with only_if_changed may be skipped
        print(f"已备份到 {made.path}（{backup.human_size(made.size)}）", file=sys.stderr)
        return EXIT_OK
    backups = backup.list_backups(store)
    if args.json:
        print_json({"folder": str(backup.backups_dir(store.path)), "keep": backup.keep_count(),
                    "backups": [info.to_dict() for info in backups]})
    elif not backups:
        print(f"还没有备份（备份文件夹：{backup.backups_dir(store.path)}）。", file=sys.stderr)
    else:
        for info in backups:
            print(f"{info.name}\t{info.time:%Y-%m-%d %H:%M:%S}\t{backup.human_size(info.size)}\t{info.reason_text}")
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    backup_parser = commands.add_parser(
        "backup", help="备份与恢复（SQLite 数据库；PostgreSQL 请用服务器的备份）",
        description="备份放在数据库旁的 backups 文件夹中，保留最新 20 个（环境变量 BUDGETDESK_BACKUP_KEEP 可改）。")
    backup_commands = backup_parser.add_subparsers(dest="backup_command", parser_class=ChineseArgumentParser,
                                                   required=True)
    sub = backup_commands.add_parser("list", help="列出备份：名称、时间、大小、原因")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_backup)
    sub = backup_commands.add_parser("create", help="立即备份")
    sub.set_defaults(handler=cmd_backup)
    sub = backup_commands.add_parser("restore", help="从备份恢复（先另行备份当前数据）；不给名称时用最新的完好备份")
    sub.add_argument("name", nargs="?", metavar="NAME", help="备份名称（backup list 所列，可只写开头）")
    sub.set_defaults(handler=cmd_backup)
