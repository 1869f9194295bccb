"""``budgetdesk`` command line: every batch action, scriptable by the bureau and used by the tests.

Exit codes: 0 success; 1 refusal (for example the dataset exists and --replace was not given) or a
database fault (locked, damaged, full, read-only, newer schema, server unreachable); 2 bad input or usage,
or an unexpected error (its traceback goes to the log file only). Messages for people are in Chinese on
stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from app.base.errors import BudgetDeskError, ConflictError, InputError
from app.base.money import format_amount
from app.domain.forms import all_forms, find_form

EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2
log = logging.getLogger(__name__)


class _ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its own English (usage:, options, the error messages) said in Chinese."""

    MESSAGES = [  # argparse's message patterns (gettext msgids) → Chinese
        (r"^the following arguments are required: (.*)$", r"缺少必需的参数：\1"),
        (r"^unrecognized arguments: (.*)$", r"无法识别的参数：\1"),
        (r"^argument (.*?): invalid choice: (.*?) \(choose from (.*)\)$", r"参数 \1 的值 \2 无效（可选：\3）"),
        (r"^argument (.*?): invalid (\w+) value: (.*)$", r"参数 \1 的值 \3 无效"),
        (r"^argument (.*?): expected one argument$", r"参数 \1 需要一个值"),
        (r"^argument (.*?): (.*)$", r"参数 \1：\2"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示此帮助并退出"

    def _get_formatter(self):
        formatter = super()._get_formatter()
        add_usage = formatter.add_usage
        formatter.add_usage = lambda usage, actions, groups, prefix=None: add_usage(
            usage, actions, groups, "用法：" if prefix is None else prefix)
        return formatter

    def error(self, message: str) -> None:  # say what to do, in Chinese
        import re

        for pattern, chinese in self.MESSAGES:
            if re.match(pattern, message):
                message = re.sub(pattern, chinese, message)
                break
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误：{message}\n请使用 --help 查看命令说明。\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _open_store(args):
    from app.store.service import Store

    store = Store(args.db, read_only=True if getattr(args, "read_only", False) else None)
    _opened.append(store)
    return store


_opened: list = []  # stores a command opened, closed when it ends (their files are free again)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def cmd_forms(args) -> int:
    forms = []
    from app.domain.codes import default_shipped_table

    function_codes = default_shipped_table("function")
    for form in all_forms():
        entry = {
            "id": form.id,
            "number": form.number,
            "title": form.title,
            "row_kind": form.row_kind,
            "rows": [],
            "columns": [
                {"key": column.key, "title": column.title, "group": list(column.group), "entered": column.entered,
                 **({"side": column.side} if column.side else {})}
                for column in form.columns
            ],
        }
        if form.row_kind == "fixed":
            entry["rows"] = [
                {"key": row.key, "title": row.title, **({"side": row.side} if row.side else {}),
                 "entered": row.entered and not row.sum_of and not row.cells}
                for row in form.fixed_rows(function_codes)
            ]
        forms.append(entry)
    if args.json:
        _print_json(forms)
    else:
        for entry in forms:
            print(f"{entry['number']:>2}  {entry['id']:<36} {entry['title']}")
    return EXIT_OK


def cmd_import_json(args) -> int:
    from app.base.jsondoc import read_document

    document = read_document(args.file)  # bounded, and before the database is opened
    from app.exchange.interchange import import_document

    store = _open_store(args)
    dataset = import_document(store, document, replace=args.replace)
    print(f"已导入：{dataset.unit.code} {dataset.unit.name} {dataset.year} 年度，"
          f"{len(dataset.entered_values())} 个录入单元格。", file=sys.stderr)
    return EXIT_OK


def cmd_export_json(args) -> int:
    from app.exchange.interchange import dumps, export_document

    store = _open_store(args)
    text = dumps(export_document(store.open_dataset(args.unit, args.year)))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"已导出到 {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_export_xlsx(args) -> int:
    from app.exchange.excel import export_workbook, source_from_dataset

    store = _open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise BudgetDeskError(f"输出文件“{out.name}”的扩展名应为 .xlsx。")
    export_workbook(source_from_dataset(dataset), out)
    print(f"已导出到 {out}", file=sys.stderr)
    return EXIT_OK


def cmd_import_xlsx(args) -> int:
    from app.exchange.excel import import_workbook, read_workbook

    store = _open_store(args)
    plan = read_workbook(store, args.file)
    for warning in plan.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    dataset = import_workbook(store, plan, replace=args.replace)
    print(f"已导入：{dataset.unit.code} {dataset.unit.name} {dataset.year} 年度，"
          f"{len(dataset.entered_values())} 个录入单元格。", file=sys.stderr)
    return EXIT_OK


def cmd_show(args) -> int:
    store = _open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    form = find_form(args.form)
    view = dataset.view(form.id)
    if args.json:
        _print_json({
            "form": form.id,
            "title": form.title,
            "unit": dataset.unit.code,
            "year": dataset.year,
            "money_unit": dataset.money_unit,
            "rows": [
                {"key": row.key, "title": row.title, **({"side": row.side} if row.side else {}),
                 "values": {column.key: (None if (v := view.values.get((row.key, column.key))) is None
                                         else format_amount(v))
                            for column in form.columns if (row.key, column.key) in view.values}}
                for row in view.rows
            ],
        })
        return EXIT_OK
    print(form.title)
    print(f"{dataset.unit.code} {dataset.unit.name}    预算年度：{dataset.year}    单位：{dataset.money_unit}")
    header = ["编码/项目", "名称"] + [column.title for column in form.columns]
    print("\t".join(header))
    for row in view.rows:
        cells = [format_amount(view.values.get((row.key, column.key)), grouping=True) for column in form.columns]
        print("\t".join([row.code or "", ("  " * max(row.level - 1, 0)) + row.title, *cells]))
    return EXIT_OK


def cmd_set(args) -> int:
    store = _open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    form = find_form(args.form)
    value = dataset.set_cell(form.id, args.row, args.column, args.value)
    print(f"已保存：{form.id} / {args.row} / {args.column} = {format_amount(value) or '（空）'}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args) -> int:
    from app.checks.rules import SEVERITY_NAMES, check_dataset

    store = _open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    findings = check_dataset(dataset)
    errors = sum(1 for finding in findings if finding.severity == "error")
    if args.json:
        _print_json({"unit": dataset.unit.code, "year": dataset.year,
                     "findings": [finding.to_dict() for finding in findings]})
    else:
        for finding in findings:
            explained = f"（说明：{finding.explanation}）" if finding.explanation else ""
            print(f"[{SEVERITY_NAMES[finding.severity]}] {finding.rule} {finding.message}{explained}")
        print(f"审核完成：错误 {errors} 条，提示 {len(findings) - errors} 条。", file=sys.stderr)
    return EXIT_REFUSED if errors else EXIT_OK


def cmd_status(args) -> int:
    store = _open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    dataset.set_status(args.status, reason=args.reason)
    print(f"{dataset.unit.code} {dataset.unit.name} {dataset.year} 年度：{dataset.info.status_name}", file=sys.stderr)
    return EXIT_OK


def cmd_explain(args) -> int:
    from app.checks.rules import set_explanation

    store = _open_store(args)
    set_explanation(store.open_dataset(args.unit, args.year), args.finding, args.text)
    return EXIT_OK


def cmd_history(args) -> int:
    from app.store.audit import history, history_document

    store = _open_store(args)
    store.get_unit(args.unit)
    filters = {"form": args.form, "row": args.row, "column": args.column}
    if args.form:
        filters["form"] = find_form(args.form).id
    if args.json:
        _print_json(history_document(store, args.unit, args.year, **filters))
        return EXIT_OK
    records = history(store, args.unit, args.year, **filters)
    for record in records:
        old = "（空）" if record.old is None else record.old
        new = "（空）" if record.new is None else record.new
        print(f"{record.time}\t{record.user}\t{record.source}\t{record.place}\t{old} → {new}")
    print(f"共 {len(records)} 条修改记录。", file=sys.stderr)
    return EXIT_OK


def cmd_units(args) -> int:
    store = _open_store(args)
    datasets = store.list_datasets()
    if args.json:
        _print_json([{"unit": d.unit_code, "name": d.unit_name, "year": d.year, "money_unit": d.money_unit,
                      "status": d.status} for d in datasets])
    else:
        for d in datasets:
            print(f"{d.unit_code}\t{d.unit_name}\t{d.year}\t{d.money_unit}\t{d.status_name}")
    return EXIT_OK


def cmd_codes_import(args) -> int:
    from app.exchange.codes_io import read_code_file

    rows = read_code_file(args.file, args.kind)  # bounded, and before the database is opened
    store = _open_store(args)
    table = store.import_code_edition(args.kind, args.edition, rows, year=args.year, source=str(Path(args.file).name))
    year = args.year or int(args.edition)
    print(f"已导入{table.title}：{len(table.items)} 个科目，{year} 年度预算将使用此版本。", file=sys.stderr)
    kept = [item for item in store.list_datasets() if item.year == year and item.status == "submitted"]
    if kept:
        print(f"其中已上报的 {len(kept)} 份预算仍按上报时的科目表显示和打印；新科目表只用于编制中的预算"
              "（退回后重新上报时采用）。", file=sys.stderr)
    return EXIT_OK


def cmd_codes_show(args) -> int:
    store = _open_store(args)
    table = store.code_tables(args.year)[args.kind]
    if args.json:
        _print_json({"kind": table.kind, "edition": table.edition, "title": table.title,
                     "items": [[i.code, i.name, i.attribute] for i in table.items.values()]})
    else:
        print(f"{table.title}（{table.edition}版，{len(table.items)} 个科目）")
        for item in table.items.values():
            print(f"{'  ' * (item.level - 1)}{item.code}\t{item.name}")
    return EXIT_OK


def cmd_print(args) -> int:
    from app.base.errors import InputError
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
    store = _open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    projects = None
    if args.project is not None:
        projects = [find_project(dataset, args.project).id]
    from app.exchange.signing import existing_fingerprint

    printed_on = None
    if args.cover_date:
        from datetime import date

        try:
            printed_on = date.fromisoformat(args.cover_date)
        except ValueError:
            raise InputError(f"封面日期“{args.cover_date}”应写成 YYYY-MM-DD。") from None
    result = build_document(dataset, Path(args.out), forms=forms, projects=projects,
                            fingerprint=existing_fingerprint(dataset.unit.code),
                            cover=True if args.cover else None, printed_on=printed_on, charts=args.charts)
    print(f"已打印到 {args.out}：共 {result.pages} 页；{result.fonts.metadata_text}", file=sys.stderr)
    return EXIT_OK


def cmd_backup(args) -> int:
    from app.base.faults import CorruptDatabaseError
    from app.store import backup

    action = args.backup_command
    if action == "restore":
        try:
            store = _open_store(args)
        except CorruptDatabaseError as exc:
            from db.engine import sqlite_path

            path = sqlite_path(args.db)
            if path is None:
                raise
            print(f"{exc}", file=sys.stderr)
            info, aside = backup.restore_over_corrupt(path, args.name)
            store = _open_store(args)
            backup.record_restore(store, info)
            print(f"已从备份 {info.name} 恢复；损坏的文件已移到 {aside}。", file=sys.stderr)
            return EXIT_OK
        info = backup.restore_backup(store, args.name)
        print(f"已从备份 {info.name}（{info.time:%Y-%m-%d %H:%M:%S}，{info.reason_text}）恢复；"
              "恢复前的数据也已另行备份。", file=sys.stderr)
        return EXIT_OK
    store = _open_store(args)
    if not backup.is_sqlite(store):
        raise backup.BackupUnavailableError(backup.POSTGRES_MESSAGE)
    if action == "create":
        info = backup.create_backup(store, "manual")
        print(f"已备份到 {info.path}（{backup.human_size(info.size)}）", file=sys.stderr)
        return EXIT_OK
    backups = backup.list_backups(store)
    if args.json:
        _print_json({"folder": str(backup.backups_dir(store.path)), "keep": backup.keep_count(),
                     "backups": [info.to_dict() for info in backups]})
    elif not backups:
        print(f"还没有备份（备份文件夹：{backup.backups_dir(store.path)}）。", file=sys.stderr)
    else:
        for info in backups:
            print(f"{info.name}\t{info.time:%Y-%m-%d %H:%M:%S}\t{backup.human_size(info.size)}\t{info.reason_text}")
    return EXIT_OK


def cmd_selftest(args) -> int:
    from app.system.selftest import run_selftest

    return EXIT_OK if run_selftest(lambda line: print(line, flush=True)) else EXIT_REFUSED


def cmd_new_year(args) -> int:
    from app.exchange.year_cycle import new_year

    store = _open_store(args)
    result = new_year(store, args.unit, args.from_year, args.to_year)
    print(result.summary, file=sys.stderr)
    return EXIT_OK


def cmd_editions(args) -> int:
    """The editions each dataset was made with; ``--migrate``: move every dataset 编制中 on an older
    form edition to the current one (已上报 ones keep theirs and print as submitted)."""
    from app.store.editions import current_editions, describe_editions, migrate_store

    store = _open_store(args)
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
    rows = []
    for info in store.list_datasets():
        dataset = store.open_dataset(info.unit_code, info.year)
        rows.append({"unit": info.unit_code, "year": info.year, "status": info.status, "editions": dataset.editions})
    if args.json:
        _print_json({"current": current_editions(), "datasets": rows})
        return EXIT_OK
    print(f"当前：{describe_editions(current_editions())}")
    for row in rows:
        print(f"{row['unit']}\t{row['year']}\t{describe_editions(row['editions'])}")
    return EXIT_OK


def cmd_profile(args) -> int:
    from app.domain import profile

    store = _open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    if args.key is None:
        for field in profile.PROFILE_FIELDS:
            text = profile.profile(dataset)[field.key]
            print(f"[{field.key}] {field.title}：" + (text if text else f"（未填写；打印：{field.default or '不打印'}）"))
        return EXIT_OK
    text = Path(args.file).read_text(encoding="utf-8") if args.file else (args.text or "")
    profile.set_profile(dataset, args.key, text)
    print(f"已保存单位情况“{args.key}”。", file=sys.stderr)
    return EXIT_OK


def cmd_prior(args) -> int:
    from app.domain import prior
    from app.domain.quantities import prior_names, quantity_def

    store = _open_store(args)
    dataset = store.open_dataset(args.unit, args.year)
    if args.name is None:
        figures = prior.prior_figures(dataset)
        source = {"dataset": f"{dataset.year - 1} 年度数据", "typed": "填写的上年数", "": "无"}[figures.source]
        print(f"上年数来源：{source}")
        for name in prior_names():
            amount = figures.values.get(name)
            print(f"{name}\t{quantity_def(name).title}\t{format_amount(amount) if amount is not None else '（无）'}")
        return EXIT_OK
    if args.reason is not None:
        prior.set_reason(dataset, args.name, args.reason)
    if args.value is not None:
        prior.set_prior(dataset, args.name, args.value)
    print(f"已保存“{args.name}”。", file=sys.stderr)
    return EXIT_OK


MAX_LEVELS_FILE_BYTES = 4 * 1024 * 1024  # thousands of 一级/二级 items are well under 1 MB


def cmd_levels(args) -> int:
    from app.projects import indicator_levels
    from app.projects.levels import import_local_levels, local_levels

    if args.levels_command == "import":
        from app.base.textcheck import read_bounded

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
            import csv
            import io

            rows = [row + [""] * (3 - len(row)) for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
            if rows and not rows[0][0].strip().isdigit():
                rows = rows[1:]  # a header line (编码,名称,上级)
        if not rows:
            raise InputError(f"指标文件“{path.name}”中没有任何指标，未导入（现有的本地增补没有改动）。")
        store = _open_store(args)
        added = import_local_levels(store, [(row[0], row[1], row[2] or None) for row in rows],
                                    note=f"导入 {path.name}")
        print(f"已导入本地指标 {len(added)} 项（在随附版本之外；其余已有，未改动）。", file=sys.stderr)
        return EXIT_OK
    _open_store(args)  # loads this database's local additions
    local = {item.code for item in local_levels()}
    for item in indicator_levels().values():
        print(f"{'  ' if item.parent else ''}{item.code}\t{item.name}{'（本地）' if item.code in local else ''}")
    return EXIT_OK


def cmd_gui(args) -> int:
    from ui.app import run_gui

    return run_gui(db=args.db, read_only=True if getattr(args, "read_only", False) else None,
                   exit_after_show=getattr(args, "exit_after_show", False), open_file=getattr(args, "file", None),
                   bureau=getattr(args, "bureau", False), selftest=getattr(args, "selftest", False))

# ---- data packages and the finance bureau (app.exchange.package, app.bureau.consolidate) --------------------------
def _stderr_progress(label: str):
    from app.base.progress import Progress

    def report(done: int, total: int, text: str) -> None:
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{label} {done}/{total} {text[:60]:<60}{end}")
        sys.stderr.flush()

    return Progress(report)


def cmd_export_package(args) -> int:
    from app.exchange.package import default_file_name, export_package

    store = _open_store(args)
    if getattr(args, "with_units", False):
        return cmd_export_department_package(args, store)
    dataset = store.open_dataset(args.unit, args.year)
    out = Path(args.out) if args.out else Path(default_file_name(dataset.unit.code, dataset.unit.name, dataset.year))
    if out.is_dir():
        out = out / default_file_name(dataset.unit.code, dataset.unit.name, dataset.year)
    result = export_package(dataset, out, submit=args.submit)
    print(f"已生成数据包 {result.path}（{'已上报' if result.status == 'submitted' else '编制中'}；"
          f"审核：错误 {result.errors} 条，提示 {result.warnings} 条；PDF {result.pages} 页）。\n"
          f"签名密钥指纹：{result.fingerprint}（已印在封面和批复表上，请与纸质材料一并报送）", file=sys.stderr)
    if result.new_key:
        from app.exchange.signing import key_dir

        print(f"首次上报：已为本单位生成签名密钥，保存在 {key_dir()}；请备份该文件夹，更换电脑时一并复制。", file=sys.stderr)
    return EXIT_OK


def cmd_export_department_package(args, store) -> int:
    """export-package --with-units: the 部门's own data, each 所属单位's original package and the 汇总."""
    from app.bureau.hierarchy import default_file_name, export_department_package

    dataset = store.open_dataset(args.unit, args.year)
    name = default_file_name(dataset.unit.code, dataset.unit.name, dataset.year)
    out = Path(args.out) if args.out else Path(name)
    if out.is_dir():
        out = out / name
    result = export_department_package(store, args.unit, args.year, out, submit=args.submit)
    print(f"已生成部门数据包 {result.path}（本级和 {len(result.units)} 个所属单位：{'、'.join(c for c, _n in result.units)}；"
          f"{'已上报' if result.status == 'submitted' else '编制中'}；本级审核：错误 {result.errors} 条，提示 {result.warnings} 条）。\n"
          f"部门签名密钥指纹：{result.fingerprint}；各所属单位的数据包原样附入，保留其各自的签名。", file=sys.stderr)
    return EXIT_OK


def _print_outcome(outcome) -> None:
    trust = "首次接收，已登记密钥" if outcome.first_trust else "密钥与登记一致"
    print(f"已导入：{outcome.unit_code} {outcome.unit_name} {outcome.year} 年度（{'覆盖原有数据' if outcome.replaced else '新数据'}；"
          f"{'已上报' if outcome.status == 'submitted' else '编制中'}；错误 {outcome.errors} 条，提示 {outcome.warnings} 条；"
          f"指纹 {outcome.fingerprint}，{trust}）", file=sys.stderr)
    if outcome.answers is not None and outcome.answers.answered:  # 批注 answers the package carried
        print(f"收到单位对批注的回复 {outcome.answers.answered} 条：\n  " + "\n  ".join(outcome.answers.details),
              file=sys.stderr)
    for unit in getattr(outcome, "units", []):  # a department package: each 所属单位
        print("  所属单位 ", end="", file=sys.stderr)
        _print_outcome(unit)
    for warning in getattr(outcome, "warnings_text", []):
        print(f"注意：{warning}", file=sys.stderr)


def cmd_import_package(args) -> int:
    from app.exchange.package import import_package

    if sum(bool(choice) for choice in (args.diff, args.replace, args.merge)) > 1:
        raise InputError("--diff、--replace 和 --merge 只能选一个，未导入任何数据。")
    if args.diff or args.replace or args.merge:
        from app.exchange.package import KIND_DEPARTMENT, open_package

        if not (args.replace and open_package(args.file).kind == KIND_DEPARTMENT):
            return _resubmission(args)
    if args.json:
        raise InputError("--json 须与 --diff、--replace 或 --merge 一起使用。")
    store = _open_store(args)
    outcome = import_package(store, args.file, expected_unit=args.unit, expected_year=args.year,
                             replace=bool(args.replace), force=args.force,  # --replace here: a department package
                             trust_fingerprints=args.trust_fingerprint or ())
    if outcome.diff is not None:
        print("与原有数据的差异：\n" + "\n".join(outcome.diff.lines()), file=sys.stderr)
    _print_outcome(outcome)
    return EXIT_OK


def _resubmission(args) -> int:
    """import-package --diff / --replace (覆盖) / --merge PARTS (合并): app.exchange.resubmission."""
    from app.domain.records import STATUS_NAMES
    from app.exchange.resubmission import parse_parts, preview_resubmission, resubmit

    parts = parse_parts(args.merge) if args.merge else None  # an unknown name is refused before anything is read
    store = _open_store(args)
    preview = preview_resubmission(store, args.file, expected_unit=args.unit, expected_year=args.year)
    package = preview.package
    if args.diff:
        if args.json:
            _print_json(preview.to_dict())
            return EXIT_OK
        print(f"数据包：{package.path.name}（{package.unit_code} {package.unit_name}，{package.year} 年度，"
              f"制作于 {package.manifest.get('created', '?')}，{STATUS_NAMES.get(preview.document.get('status'), '')}）")
        if preview.received is not None:
            print(f"已接收：{preview.received.file_name}（制作于 {preview.received.created}，"
                  f"接收于 {preview.received.received_at:%Y-%m-%d %H:%M} UTC）")
        for line in preview.warnings():
            print(line)
        if preview.diff is None:
            print("本单位本年度尚无数据：导入将新建。")
        else:
            print("与现有数据的差异：")
            print("\n".join(preview.diff.lines()))
        return EXIT_OK
    outcome = resubmit(store, args.file, merge=parts, force=args.force, preview=preview,
                       progress=_stderr_progress("合并" if parts else "导入数据包"),
                       trust_fingerprints=args.trust_fingerprint or ())
    if outcome.diff is not None:
        print("与原有数据的差异：\n" + "\n".join(outcome.diff.lines(20)), file=sys.stderr)
    taken = "、".join(outcome.parts)
    mode = {"merge": f"合并（取 {taken}）", "replace": "重新上报，覆盖原有数据", "new": "新数据"}[outcome.mode]
    trust = "首次接收，已登记密钥" if outcome.first_trust else "密钥与登记一致"
    print(f"已导入：{outcome.unit_code} {outcome.unit_name} {outcome.year} 年度（{mode}；"
          f"{STATUS_NAMES.get(outcome.status, outcome.status)}；审核：错误 {outcome.errors} 条，提示 {outcome.warnings} 条；"
          f"{trust}）", file=sys.stderr)
    if outcome.note:
        print(outcome.note, file=sys.stderr)
    if outcome.answers is not None and outcome.answers.answered:  # 批注 answers the package carried
        print(f"收到单位对批注的回复 {outcome.answers.answered} 条：\n  " + "\n  ".join(outcome.answers.details),
              file=sys.stderr)
    for finding in outcome.findings:
        if finding.get("severity") == "error":
            print(f"  [错误] {finding.get('rule')} {finding.get('message')}", file=sys.stderr)
    if args.json:
        _print_json(outcome.to_dict())
    return EXIT_OK


def cmd_packages(args) -> int:
    from app.exchange.resubmission import extract_package, package_history

    store = _open_store(args)
    history = package_history(store, args.unit, args.year)
    if args.extract is not None:
        if args.extract not in {item.id for item in history}:
            raise InputError(f"单位 {args.unit} {args.year} 年度没有编号为 {args.extract} 的接收记录"
                             f"（可用：{'、'.join(str(item.id) for item in history) or '无'}）。")
        if not args.out:
            raise InputError("请用 --out 给出写出的文件或文件夹。")
        target = extract_package(store, args.extract, args.out)
        print(f"已写出接收记录 {args.extract} 的数据包：{target}", file=sys.stderr)
        return EXIT_OK
    if args.json:
        _print_json({"unit": args.unit, "year": args.year, "packages": [item.to_dict() for item in history]})
        return EXIT_OK
    print("\t".join(["编号", "接收时间(UTC)", "文件", "制作时间", "状态", "错误", "提示", "密钥指纹", "大小(字节)"]))
    for item in history:
        state = "已退回：" + item.return_reason if item.status == "returned" else (
            "已上报" if item.package_status == "submitted" else "编制中")
        print("\t".join([str(item.id), f"{item.received_at:%Y-%m-%d %H:%M}", item.file_name, item.created, state,
                         str(item.errors), str(item.warnings), item.fingerprint,
                         "未保存" if item.size is None else str(item.size)]))
    print(f"单位 {args.unit} {args.year} 年度共接收 {len(history)} 个数据包。", file=sys.stderr)
    return EXIT_OK


def cmd_import_packages(args) -> int:
    from app.exchange.package import import_packages

    store = _open_store(args)
    result = import_packages(store, args.dir, year=args.year, replace=args.replace,
                             progress=_stderr_progress("导入数据包"), trust_fingerprints=args.trust_fingerprint or ())
    for name, reason in result.failed:
        print(f"未导入 {name}：{reason}", file=sys.stderr)
    print(f"导入完成：成功 {len(result.imported)} 个，未导入 {len(result.failed)} 个。", file=sys.stderr)
    if args.json:
        _print_json({"imported": [{"unit": o.unit_code, "year": o.year, "errors": o.errors, "warnings": o.warnings,
                                   "fingerprint": o.fingerprint, "replaced": o.replaced,
                                   **({"units": [u.unit_code for u in o.units]} if o.units else {})}
                                  for o in result.imported],
                     "failed": [{"file": name, "reason": reason} for name, reason in result.failed]})
    return EXIT_REFUSED if result.failed else EXIT_OK


def cmd_overview(args) -> int:
    from app.base.money import format_amount
    from app.exchange.package import overview

    store = _open_store(args)
    rows = overview(store, args.year)
    if args.json:
        _print_json({"year": args.year, "units": [row.to_dict() for row in rows]})
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


def cmd_return(args) -> int:
    from app.exchange.package import return_dataset

    if args.with_units and args.out:
        raise InputError("--with-units 与 --out 不能同时使用：整体退回部门后，请为需要批注的单位分别生成退回文件"
                         "（budgetdesk comment 与 return --out 逐个单位进行）。")
    store = _open_store(args)
    if args.with_units:
        from app.bureau.hierarchy import return_department

        codes = return_department(store, args.unit, args.year, args.reason)
        print(f"已整体退回部门 {args.unit} {args.year} 年度预算：{'、'.join(codes)}（编制中），原因：{args.reason}", file=sys.stderr)
        return EXIT_OK
    if args.out:  # the signed 退回 file (reason + open 批注) is checked and written before the status moves
        from app.bureau.comments import write_return

        if store.dataset_info(args.unit, args.year).status != "submitted":
            raise ConflictError(f"单位 {args.unit} 的 {args.year} 年度预算不是已上报状态，无需退回。")
        written = write_return(store, args.unit, args.year, args.reason, args.out)
        print(f"已生成退回文件 {written.path}（批注 {written.comments} 条；财政局签名密钥指纹 {written.fingerprint}）。",
              file=sys.stderr)
    return_dataset(store, args.unit, args.year, args.reason)
    print(f"已退回 {args.unit} {args.year} 年度预算（编制中），原因：{args.reason}", file=sys.stderr)
    return EXIT_OK


def cmd_bureau_tree(args) -> int:
    from app.base.money import format_amount
    from app.bureau.hierarchy import tree, tree_json

    store = _open_store(args)
    nodes = tree(store, args.year)
    if args.json:
        _print_json(tree_json(nodes, args.year))
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


def cmd_trust(args) -> int:
    from app.exchange.package import trust_key, trusted_keys

    store = _open_store(args)
    if args.fingerprint:
        fingerprint = trust_key(store, args.unit, args.fingerprint, replace=args.replace, reason=args.reason or "")
        print(f"已登记单位 {args.unit} 的签名密钥指纹 {fingerprint}。", file=sys.stderr)
    for key in trusted_keys(store, args.unit):
        state = "有效" if key.status == "active" else f"已停用（{key.revoked_at:%Y-%m-%d %H:%M}，{key.revoked_reason}）"
        print(f"{key.unit_code}\t{key.fingerprint}\t{key.source}\t{key.created_at:%Y-%m-%d %H:%M}\t{state}")
    return EXIT_OK


def cmd_consolidate(args) -> int:
    from app.base.errors import InputError
    from app.bureau.consolidate import consolidate, consolidation_json, print_consolidation

    if not (args.json or args.pdf or args.out):
        raise InputError("请指定输出：--json、--pdf 文件或 --out 文件.xlsx。")
    units = [code for code in args.units.split(",") if code.strip()] if args.units is not None else None
    if args.units is not None and not units:
        raise InputError("--units 需要至少一个单位编码（用逗号分隔）。")
    store = _open_store(args)
    result = consolidate(store, args.year, units=units, parent=args.parent)
    if args.out:
        from app.exchange.excel.export import ExportSource, export_workbook

        # The 汇总 is a workbook of summed values: the form sheets, no project part.
        export_workbook(ExportSource(result.workbook, result.unit, result.year, result.money_unit), Path(args.out))
        print(f"已导出汇总表到 {args.out}", file=sys.stderr)
    if args.pdf:
        pages = print_consolidation(result, Path(args.pdf))
        print(f"已打印汇总表到 {args.pdf}：共 {pages} 页", file=sys.stderr)
    if args.json:
        _print_json(consolidation_json(result))
    print(f"{result.title}：{len(result.units)} 个单位，金额单位 {result.money_unit}。", file=sys.stderr)
    return EXIT_OK


def cmd_screen(args) -> int:
    from app.bureau.screening import PEERS, load_config, print_screening, screen

    config = load_config(args.thresholds) if args.thresholds else load_config()
    store = _open_store(args)
    result = screen(store, args.year, peers=args.peers, config=config)
    if args.pdf:
        pages = print_screening(result, Path(args.pdf))
        print(f"已打印筛查结果到 {args.pdf}：共 {pages} 页", file=sys.stderr)
    if args.json:
        _print_json(result.to_dict())
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


def cmd_dashboard(args) -> int:
    from app.bureau.dashboard import COLUMNS, dashboard

    store = _open_store(args)
    board = dashboard(store, args.year)
    if args.json:
        _print_json(board.to_dict())
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


def build_parser() -> argparse.ArgumentParser:
    parser = _ChineseArgumentParser(prog="budgetdesk", description="BudgetDesk 部门预算填报")
    parser.add_argument("--db", help="数据库：文件路径或 SQLAlchemy 地址（默认：用户数据目录中的 SQLite）")
    parser.add_argument("--read-only", action="store_true",
                        help="只读打开数据库：可以查看、审核、打印和导出，不能修改（只读介质上的数据库会自动只读打开）")
    commands = parser.add_subparsers(dest="command", parser_class=_ChineseArgumentParser)

    sub = commands.add_parser("forms", help="列出全部表样")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_forms)

    sub = commands.add_parser("import-json", help="导入数据交换文件（JSON）")
    sub.add_argument("file")
    sub.add_argument("--replace", action="store_true", help="覆盖已存在的同单位同年度数据")
    sub.set_defaults(handler=cmd_import_json)

    def unit_year(sub_parser):
        sub_parser.add_argument("--unit", required=True, help="单位编码")
        sub_parser.add_argument("--year", required=True, type=int, help="预算年度")

    sub = commands.add_parser("export-json", help="导出数据交换文件（JSON）")
    unit_year(sub)
    sub.add_argument("--out", help="输出文件（默认：标准输出）")
    sub.set_defaults(handler=cmd_export_json)

    sub = commands.add_parser("export-xlsx", help="导出 Excel 工作簿（.xlsx，公开表样式，计算单元格为公式）")
    unit_year(sub)
    sub.add_argument("--out", required=True, help="输出的 .xlsx 文件")
    sub.set_defaults(handler=cmd_export_xlsx)

    sub = commands.add_parser("import-xlsx", help="从 Excel 工作簿（.xlsx）导入；任何单元格无法读取时不导入")
    sub.add_argument("file")
    sub.add_argument("--replace", action="store_true", help="覆盖已存在的同单位同年度数据")
    sub.set_defaults(handler=cmd_import_xlsx)

    sub = commands.add_parser("show", help="显示一张表（含计算单元格）")
    sub.add_argument("form")
    unit_year(sub)
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_show)

    sub = commands.add_parser("set", help="录入一个单元格（VALUE 为空字符串表示清除）")
    sub.add_argument("form")
    sub.add_argument("row")
    sub.add_argument("column")
    sub.add_argument("value")
    unit_year(sub)
    sub.set_defaults(handler=cmd_set)

    sub = commands.add_parser("check", help="审核：列出错误和提示（有错误时退出码为 1）")
    unit_year(sub)
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_check)

    sub = commands.add_parser("status", help="标记预算状态：submitted（已上报，须无错误且提示均有说明）或 draft（编制中）")
    sub.add_argument("status", choices=["draft", "submitted"])
    sub.add_argument("--reason", help="撤销上报（draft）时必填：原因，记入修改记录")
    unit_year(sub)
    sub.set_defaults(handler=cmd_status)

    sub = commands.add_parser("history", help="修改记录：谁在何时把哪个单元格从什么改成什么（来源：录入、粘贴、导入、撤销……）")
    unit_year(sub)
    sub.add_argument("--form", help="只看一张表（表的编号，如 expenditure_summary）")
    sub.add_argument("--row", help="只看一行（行编码，或项目名称如 项目“…”）")
    sub.add_argument("--column", help="只看一栏（栏的编号，或项目字段名）")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_history)

    sub = commands.add_parser("explain", help="为一条提示填写说明（FINDING 为 check --json 中的 rule，或 rule:行）")
    sub.add_argument("finding")
    sub.add_argument("text")
    unit_year(sub)
    sub.set_defaults(handler=cmd_explain)

    sub = commands.add_parser("units", help="列出单位和预算年度")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_units)

    codes = commands.add_parser("codes", help="科目代码表")
    code_commands = codes.add_subparsers(dest="codes_command", parser_class=_ChineseArgumentParser, required=True)
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
    unit_year(sub)
    sub.add_argument("--out", required=True, help="输出的 PDF 文件")
    sub.add_argument("--forms", help="只打印这些表（编号用逗号分隔，见下；不含封面、目录和情况说明）")
    sub.add_argument("--project", metavar="NAME", help="只打印这个项目（项目名称或项目编码）的绩效目标表和批复表")
    sub.add_argument("--cover", action="store_true", help="加印封面（内部审签用；信息公开默认不印封面）")
    sub.add_argument("--cover-date", metavar="YYYY-MM-DD", help="封面的填报日期（默认：当天）")
    sub.add_argument("--charts", action="store_true", help="在“二、部门预算安排的总体情况”中加印收入、支出结构图")
    sub.set_defaults(handler=cmd_print)

    backup_parser = commands.add_parser(
        "backup", help="备份与恢复（SQLite 数据库；PostgreSQL 请用服务器的备份）",
        description="备份放在数据库旁的 backups 文件夹中，保留最新 20 个（环境变量 BUDGETDESK_BACKUP_KEEP 可改）。")
    backup_commands = backup_parser.add_subparsers(dest="backup_command", parser_class=_ChineseArgumentParser,
                                                   required=True)
    sub = backup_commands.add_parser("list", help="列出备份：名称、时间、大小、原因")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_backup)
    sub = backup_commands.add_parser("create", help="立即备份")
    sub.set_defaults(handler=cmd_backup)
    sub = backup_commands.add_parser("restore", help="从备份恢复（先另行备份当前数据）；不给名称时用最新的完好备份")
    sub.add_argument("name", nargs="?", metavar="NAME", help="备份名称（backup list 所列，可只写开头）")
    sub.set_defaults(handler=cmd_backup)

    sub = commands.add_parser("selftest", help="自检：在临时目录中导入示例数据、审核、打印、导出，逐步报告（不动用户数据）")
    sub.set_defaults(handler=cmd_selftest)

    # ---- data packages and the finance bureau ----
    sub = commands.add_parser("export-package", help="生成上报数据包（.bdp：数据、审核结果、打印件、签名）；--submit 同时上报")
    unit_year(sub)
    sub.add_argument("--out", help="数据包文件或文件夹（默认：当前文件夹，文件名如 359_单位名称_2023_部门预算.bdp）")
    sub.add_argument("--submit", action="store_true", help="上报：须无错误且每条提示都有说明，成功后标记为已上报")
    sub.add_argument("--with-units", action="store_true",
                     help="主管部门：生成部门数据包，含本级数据、各所属单位收到的原始数据包（保留各自签名）和汇总；"
                          "有所属单位未收到、已退回或有错误时拒绝并列出")
    sub.set_defaults(handler=cmd_export_package)

    sub = commands.add_parser("import-package", help="导入一个数据包：先核对签名、清单和校验值，再导入；部门数据包（本级、各所属单位、汇总）全部核对无误才一次导入")
    sub.add_argument("file")
    sub.add_argument("--unit", help="预期的单位编码（数据包不是该单位的则拒绝）")
    sub.add_argument("--year", type=int, help="预期的预算年度（数据包不是该年度的则拒绝）")
    sub.add_argument("--diff", action="store_true",
                     help="只列出与现有数据的差异（逐表逐单元格、项目、绩效指标、说明），不导入")
    sub.add_argument("--replace", action="store_true",
                     help="覆盖：同单位同年度数据已存在时，以数据包替换全部数据（记为“重新上报”，先列出差异）")
    sub.add_argument("--merge", metavar="PARTS",
                     help="合并：只取数据包中的这些表或部分，逗号分隔：表样编号（budgetdesk forms）、"
                          "projects（项目及绩效指标）、notes（说明与情况说明）、overall、assets、profile、"
                          "self_evaluation、unit；合并后重新审核")
    sub.add_argument("--force", action="store_true", help="数据包早于已接收的数据包时，仍然导入")
    sub.add_argument("--json", action="store_true", help="与 --diff/--replace/--merge 一起：结果以 JSON 输出到标准输出")
    sub.add_argument("--trust-fingerprint", action="append", metavar="XXXX-XXXX-XXXX-XXXX",
                     help="第一次收到某单位的数据包时：与其纸质材料核对一致的密钥指纹（可重复）")
    sub.set_defaults(handler=cmd_import_package)

    sub = commands.add_parser("packages", help="财政局：某单位某年度接收过的全部数据包（较早的也保留）；--extract 写出其中一个")
    unit_year(sub)
    sub.add_argument("--extract", type=int, metavar="ID", help="写出这个编号的数据包（编号见列表第一栏）")
    sub.add_argument("--out", help="与 --extract 一起：写出的文件或文件夹")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_packages)

    sub = commands.add_parser("import-packages", help="财政局：导入文件夹中的全部数据包（有问题的数据包报告后跳过）")
    sub.add_argument("dir")
    sub.add_argument("--year", type=int, help="只接受该预算年度的数据包")
    sub.add_argument("--replace", action="store_true", help="已存在的单位年度以数据包覆盖")
    sub.add_argument("--json", action="store_true", help="结果以 JSON 输出到标准输出")
    sub.add_argument("--trust-fingerprint", action="append", metavar="XXXX-XXXX-XXXX-XXXX",
                     help="第一次收到某单位的数据包时：与其纸质材料核对一致的密钥指纹（可重复）")
    sub.set_defaults(handler=cmd_import_packages)

    sub = commands.add_parser("overview", help="财政局：各单位某年度的状态、接收时间、错误/提示数、密钥指纹、总计")
    sub.add_argument("--year", required=True, type=int, help="预算年度")
    sub.add_argument("--json", action="store_true")
    sub.set_defaults(handler=cmd_overview)

    sub = commands.add_parser("return", help="财政局：退回已上报的预算（回到编制中），须写明原因")
    unit_year(sub)
    sub.add_argument("--reason", required=True, help="退回原因")
    sub.add_argument("--out", help="同时生成签名的退回文件（.bdr：退回原因和未解决的批注），交给单位导入")
    sub.add_argument("--with-units", action="store_true", help="整体退回部门：本级和其全部已上报的所属单位（一次完成）")
    sub.set_defaults(handler=cmd_return)
    from app.cli.comments import add_comment_commands

    add_comment_commands(commands, unit_year)  # comment add/list/answer/resolve, import-return

    sub = commands.add_parser("bureau-tree", help="财政局：按部门显示本级和所属单位的接收状态（未收到/已收到/已退回/有错误/有提示）")
    sub.add_argument("--year", required=True, type=int, help="预算年度")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出（部门含 children）")
    sub.set_defaults(handler=cmd_bureau_tree)

    sub = commands.add_parser("trust", help="财政局：登记或更换单位的签名密钥指纹（不带 --fingerprint 时列出已登记的密钥）")
    sub.add_argument("--unit", required=True, help="单位编码")
    sub.add_argument("--fingerprint", help="纸质材料上印的密钥指纹，如 ABCD-EF01-2345-6789")
    sub.add_argument("--replace", action="store_true", help="更换已登记的密钥（密钥丢失、重新生成），须用 --reason 写明原因")
    sub.add_argument("--reason", help="登记或更换的原因（记入密钥历史和审计记录）")
    sub.set_defaults(handler=cmd_trust)

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

    sub = commands.add_parser("gui", help="启动图形界面（给出 .bdp 文件则打开导入；--bureau 为财政局接收与汇总）")
    sub.add_argument("file", nargs="?", help="要导入的数据包（.bdp，双击数据包时由系统传入）")
    sub.add_argument("--bureau", action="store_true", help="财政局模式：各单位概览、导入数据包、退回、汇总")
    sub.add_argument("--selftest", action="store_true",
                     help="自检，结果显示在窗口中（菜单项“部门预算填报 自检”；不打开用户数据）")
    sub.add_argument("--exit-after-show", action="store_true", help=argparse.SUPPRESS)  # start-up benchmark
    sub.set_defaults(handler=cmd_gui)

    levels = commands.add_parser("indicator-levels", help="绩效指标体系（一级/二级指标）：随附版本加本地增补")
    level_commands = levels.add_subparsers(dest="levels_command", parser_class=_ChineseArgumentParser, required=True)
    sub = level_commands.add_parser("import", help="导入本地增补的一级/二级指标（csv：编码,名称,上级编码；或 JSON），加入当前数据库（已有的本地增补保留，同编码的改名）")
    sub.add_argument("file")
    sub.set_defaults(handler=cmd_levels)
    sub = level_commands.add_parser("show", help="列出指标体系")
    sub.set_defaults(handler=cmd_levels)

    sub = commands.add_parser("new-year", help="以某年度为基础建立下一年度：单位情况、科目行、经常性/延续性项目（金额清空），本年数作为上年数")
    sub.add_argument("--unit", required=True, help="单位编码")
    sub.add_argument("--from", dest="from_year", required=True, type=int, help="来源年度，例如 2023")
    sub.add_argument("--to", dest="to_year", required=True, type=int, help="新年度，例如 2024")
    sub.set_defaults(handler=cmd_new_year)

    sub = commands.add_parser("editions", help="列出各年度预算数据所用的定义版本（表样、审核规则、指标体系、科目表）；"
                                               "--migrate 把编制中的旧版数据迁移到当前表样版本")
    sub.add_argument("--migrate", action="store_true", help="迁移编制中的旧版数据（已上报的保留原版本）")
    sub.add_argument("--json", action="store_true", help="以 JSON 输出")
    sub.set_defaults(handler=cmd_editions)

    sub = commands.add_parser("profile", help="单位情况（部门职责、内设机构、工作保障措施、专项资金、其他事项、名词解释）：不带 KEY 时列出")
    unit_year(sub)
    sub.add_argument("key", nargs="?", help="duties / institutions / safeguards / special_funds / other_matters / glossary")
    sub.add_argument("text", nargs="?", help="文字（空字符串表示清除）")
    sub.add_argument("--file", help="从 UTF-8 文本文件读取文字")
    sub.set_defaults(handler=cmd_profile)

    sub = commands.add_parser("prior", help="上年数和增减变化原因：不带 NAME 时列出")
    unit_year(sub)
    sub.add_argument("name", nargs="?", help="命名数量，例如 basic、project、three_public_reception")
    sub.add_argument("value", nargs="?", help="上年数（空字符串表示清除）")
    sub.add_argument("--reason", help="增减变化原因，例如“主要为人员经费增加”")
    sub.set_defaults(handler=cmd_prior)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            # a name that is not UTF-8 (surrogate escapes) is shown escaped rather than ending in a traceback
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    from app.system.logsetup import setup_logging

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
        while _opened:
            _opened.pop().close()
        if argv_given is None and args.handler is not cmd_gui:  # the GUI's exit is left as Qt expects it
            _leave_heap_alone()


def _leave_heap_alone() -> None:
    """The program ends with the command (``argv`` not passed in, as from the ``budgetdesk`` entry
    point): have the interpreter's exit skip walking the heap for cycles. After a print that walk
    over the document's objects costs more than the whole 打印 of a short table (~0.15 s); freed
    memory goes back with the process anyway. Calls from tests (argv given) keep collecting."""
    import gc

    gc.freeze()


def report_error(exc: BaseException, log_path: Path | None) -> int:
    """Print the clerk's message for ``exc`` on stderr and return the exit code."""
    from app.base.faults import translate

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
