"""Data packages: export-package, import-package, packages, import-packages, trust."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from app.base.errors import InputError
from app.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    Commands,
    add_unit_year,
    open_store,
    print_json,
    stderr_progress,
)
from app.domain.records import STATUS_NAMES

if TYPE_CHECKING:  # annotations only: these load SQLAlchemy and cryptography
    from app.bureau.comments import MergeResult
    from app.bureau.receipt import ImportOutcome
    from app.store.service import Store


def cmd_export_package(args: argparse.Namespace) -> int:
    # deferred: cryptography, SQLAlchemy
    from app.exchange.package.spec import default_file_name
    from app.exchange.package.writer import export_package

    store = open_store(args)
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
        from app.exchange.signing import key_dir  # deferred: cryptography

        print(f"首次上报：已为本单位生成签名密钥，保存在 {key_dir()}；请备份该文件夹，更换电脑时一并复制。", file=sys.stderr)
    return EXIT_OK


def cmd_export_department_package(args: argparse.Namespace, store: Store) -> int:
    """export-package --with-units: the 部门's own data, each 所属单位's original package and the 汇总."""
    from app.bureau.hierarchy import default_file_name, export_department_package  # deferred: cryptography

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


def _print_answers(answers: object | None) -> None:
    """The 批注 answers a package carried. app.exchange holds them as ``object``: it may not name
    app.bureau's MergeResult, which sits above it."""
    merged = cast("MergeResult | None", answers)
    if merged is not None and merged.answered:
        print(f"收到单位对批注的回复 {merged.answered} 条：\n  " + "\n  ".join(merged.details), file=sys.stderr)


def _print_outcome(outcome: ImportOutcome) -> None:
    trust = "首次接收，已登记密钥" if outcome.first_trust else "密钥与登记一致"
    print(f"已导入：{outcome.unit_code} {outcome.unit_name} {outcome.year} 年度（{'覆盖原有数据' if outcome.replaced else '新数据'}；"
          f"{'已上报' if outcome.status == 'submitted' else '编制中'}；错误 {outcome.errors} 条，提示 {outcome.warnings} 条；"
          f"指纹 {outcome.fingerprint}，{trust}）", file=sys.stderr)
    _print_answers(outcome.answers)
    for unit in getattr(outcome, "units", []):  # a department package: each 所属单位
        print("  所属单位 ", end="", file=sys.stderr)
        _print_outcome(unit)
    for warning in getattr(outcome, "warnings_text", []):
        print(f"注意：{warning}", file=sys.stderr)


def cmd_import_package(args: argparse.Namespace) -> int:
    from app.bureau.intake import import_package  # deferred: cryptography, SQLAlchemy

    if sum(bool(choice) for choice in (args.diff, args.replace, args.merge)) > 1:
        raise InputError("--diff、--replace 和 --merge 只能选一个，未导入任何数据。")
    if args.diff or args.replace or args.merge:
        # deferred: cryptography, SQLAlchemy
        from app.exchange.package.reader import open_package
        from app.exchange.package.spec import KIND_DEPARTMENT

        if not (args.replace and open_package(args.file).kind == KIND_DEPARTMENT):
            return _resubmission(args)
    if args.json:
        raise InputError("--json 须与 --diff、--replace 或 --merge 一起使用。")
    store = open_store(args)
    outcome = import_package(store, args.file, expected_unit=args.unit, expected_year=args.year,
                             replace=bool(args.replace), force=args.force,  # --replace here: a department package
                             trust_fingerprints=args.trust_fingerprint or ())
    if outcome.diff is not None:
        print("与原有数据的差异：\n" + "\n".join(outcome.diff.summary()), file=sys.stderr)
    _print_outcome(outcome)
    return EXIT_OK


def _resubmission(args: argparse.Namespace) -> int:
    """import-package --diff / --replace (覆盖) / --merge PARTS (合并): app.bureau.resubmission."""
    # deferred: SQLAlchemy
    from app.bureau.resubmission import preview_resubmission, resubmit
    from app.exchange.document_parts import parse_parts

    parts = parse_parts(args.merge) if args.merge else None  # an unknown name is refused before anything is read
    store = open_store(args)
    preview = preview_resubmission(store, args.file, expected_unit=args.unit, expected_year=args.year)
    package = preview.package
    if args.diff:
        if args.json:
            print_json(preview.to_dict())
            return EXIT_OK
        print(f"数据包：{package.path.name}（{package.unit_code} {package.unit_name}，{package.year} 年度，"
              f"制作于 {package.manifest.get('created', '?')}，{STATUS_NAMES.get(preview.document.get('status', ''), '')}）")
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
                       progress=stderr_progress("合并" if parts else "导入数据包"),
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
    _print_answers(outcome.answers)
    for finding in outcome.findings:
        if finding.get("severity") == "error":
            print(f"  [错误] {finding.get('rule')} {finding.get('message')}", file=sys.stderr)
    if args.json:
        print_json(outcome.to_dict())
    return EXIT_OK


def cmd_packages(args: argparse.Namespace) -> int:
    from app.bureau.resubmission import extract_package, package_history  # deferred: SQLAlchemy

    store = open_store(args)
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
        print_json({"unit": args.unit, "year": args.year, "packages": [item.to_dict() for item in history]})
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


def cmd_import_packages(args: argparse.Namespace) -> int:
    from app.bureau.intake import import_packages  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    result = import_packages(store, args.dir, year=args.year, replace=args.replace,
                             progress=stderr_progress("导入数据包"), trust_fingerprints=args.trust_fingerprint or ())
    for name, reason in result.failed:
        print(f"未导入 {name}：{reason}", file=sys.stderr)
    print(f"导入完成：成功 {len(result.imported)} 个，未导入 {len(result.failed)} 个。", file=sys.stderr)
    if args.json:
        print_json({"imported": [{"unit": o.unit_code, "year": o.year, "errors": o.errors, "warnings": o.warnings,
                                  "fingerprint": o.fingerprint, "replaced": o.replaced,
                                  **({"units": [u.unit_code for u in o.units]} if o.units else {})}
                                 for o in result.imported],
                    "failed": [{"file": name, "reason": reason} for name, reason in result.failed]})
    return EXIT_REFUSED if result.failed else EXIT_OK


def cmd_trust(args: argparse.Namespace) -> int:
    from app.exchange.package.trust import trust_key, trusted_keys  # deferred: cryptography, SQLAlchemy

    store = open_store(args)
    if args.fingerprint:
        fingerprint = trust_key(store, args.unit, args.fingerprint, replace=args.replace, reason=args.reason or "")
        print(f"已登记单位 {args.unit} 的签名密钥指纹 {fingerprint}。", file=sys.stderr)
    for key in trusted_keys(store, args.unit):
        state = "有效" if key.status == "active" else f"已停用（{key.revoked_at:%Y-%m-%d %H:%M}，{key.revoked_reason}）"
        print(f"{key.unit_code}\t{key.fingerprint}\t{key.source}\t{key.created_at:%Y-%m-%d %H:%M}\t{state}")
    return EXIT_OK


def add_commands(commands: Commands) -> None:
    sub = commands.add_parser("export-package", help="生成上报数据包（.bdp：数据、审核结果、打印件、签名）；--submit 同时上报")
    add_unit_year(sub)
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
                          "self_evaluation、basic_info（人员、车辆）、unit；合并后重新审核")
    sub.add_argument("--force", action="store_true", help="数据包早于已接收的数据包时，仍然导入")
    sub.add_argument("--json", action="store_true", help="与 --diff/--replace/--merge 一起：结果以 JSON 输出到标准输出")
    sub.add_argument("--trust-fingerprint", action="append", metavar="XXXX-XXXX-XXXX-XXXX",
                     help="第一次收到某单位的数据包时：与其纸质材料核对一致的密钥指纹（可重复）")
    sub.set_defaults(handler=cmd_import_package)

    sub = commands.add_parser("packages", help="财政局：某单位某年度接收过的全部数据包（较早的也保留）；--extract 写出其中一个")
    add_unit_year(sub)
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

    sub = commands.add_parser("trust", help="财政局：登记或更换单位的签名密钥指纹（不带 --fingerprint 时列出已登记的密钥）")
    sub.add_argument("--unit", required=True, help="单位编码")
    sub.add_argument("--fingerprint", help="纸质材料上印的密钥指纹，如 ABCD-EF01-2345-6789")
    sub.add_argument("--replace", action="store_true", help="更换已登记的密钥（密钥丢失、重新生成），须用 --reason 写明原因")
    sub.add_argument("--reason", help="登记或更换的原因（记入密钥历史和审计记录）")
    sub.set_defaults(handler=cmd_trust)
