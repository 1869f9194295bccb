"""Level by level: 单位 → 主管部门 → 财政局.

A 主管部门 receives its 所属单位's packages (``import-package(s)``, each kept byte for byte in
``package_file``), checks and 汇总s them, and hands one **department package** upward: a ``.bdp``
of format version 2 with ``"kind": "department"`` whose members are the 部门's own (本级) dataset,
audit, findings and printed document, as in a unit package, plus

* ``consolidation.json`` — the 汇总 of the 部门 and its 所属单位 (``app.bureau.consolidate.consolidation_json``);
* ``unit-001.bdp`` … — each 所属单位's ORIGINAL signed package, unchanged, so the 财政局 verifies
  every unit's own signature against the key it trusts for that unit.

The 部门 signs the manifest, which lists every member's SHA-256 and, under ``units``, which unit
each embedded package is. The 财政局 imports the whole file in ONE database transaction
(``Store.transaction``): every embedded package passes the same checks as a single unit package
(signature, trusted key, unit and year, size bounds) before anything is written, and a fault
anywhere refuses the whole file with the database unchanged. The 汇总 is then computed again from
what was imported and a difference is reported.

The 财政局 sees the hierarchy with each node's status (``tree``) and can 退回 one unit
(``app.bureau.standing.return_dataset``) or the whole 部门 (``return_department``: the 部门 and every unit
under it, in one transaction, audited).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.base.errors import BudgetDeskError, ConflictError, InputError, NotFoundError
from app.base.money import exact_text
from app.base.progress import Progress
from app.base.progress import step as progress_step
from app.bureau import receipt, standing
from app.bureau.consolidate import consolidate, consolidation_json
from app.checks.rules import check_dataset
from app.exchange import signing
from app.exchange.document_diff import diff_documents, existing_document
from app.exchange.document_parts import UNIT
from app.exchange.interchange import export_document
from app.exchange.package import reader, spec, trust, writer
from app.store.backup import backup_before
from app.store.service import check_year
from db import models

if TYPE_CHECKING:
    pass

# Every embedded package together may decompress to at most this much (each one also keeps its own bound).
MAX_DEPARTMENT_TOTAL_BYTES = 2 * spec.MAX_TOTAL_BYTES


# ---- the 主管部门: a department package --------------------------------------------------------
@dataclass(frozen=True)
class DepartmentPackageResult:
    path: Path
    fingerprint: str
    sha256: str
    status: str
    units: list[tuple[str, str]]  # (code, name) of the 所属单位 embedded
    errors: int
    warnings: int
    pages: int
    new_key: bool = False


def _children(session, unit: models.Unit) -> list[models.Unit]:
    return list(session.scalars(select(models.Unit).where(models.Unit.parent_id == unit.id).order_by(models.Unit.code)))


def _latest_received(session, unit_code: str, year: int) -> models.ReceivedPackage | None:
    return session.scalar(select(models.ReceivedPackage).where(
        models.ReceivedPackage.unit_code == unit_code, models.ReceivedPackage.year == year)
        .order_by(models.ReceivedPackage.id.desc()).limit(1))


def _unit_packages(store, department: str, year: int) -> list[tuple[str, str, bytes]]:
    """Each 所属单位's original package as received: (code, name, bytes). Refuses, listing every
    unit, when one has not been received, was 退回, has 错误, was not 已上报, or was changed here since."""
    problems: list[str] = []
    found: list[tuple[str, str, bytes]] = []
    with store.Session() as session:
        unit = session.scalar(select(models.Unit).where(models.Unit.code == department))
        if unit is None:
            raise NotFoundError(f"没有单位编码为“{department}”的部门。")
        children = _children(session, unit)
        if not children:
            raise ConflictError(f"{department} {unit.name} 没有所属单位（所属单位是“上级单位编码”为 {department} 的单位），"
                                "不能生成部门数据包；本单位自己的数据包请不带 --with-units 生成。")
        for child in children:
            label = f"{child.code} {child.name}"
            received = _latest_received(session, child.code, year)
            if received is None:
                problems.append(f"{label}：未收到 {year} 年度数据包")
                continue
            if received.status == "returned":
                problems.append(f"{label}：已退回（{received.return_reason}），尚未重新报送")
                continue
            if received.errors:
                problems.append(f"{label}：审核有错误 {received.errors} 条")
                continue
            if received.package_status != "submitted":
                problems.append(f"{label}：收到的数据包是编制中的，不是已上报的")
                continue
            stored = session.scalar(select(models.PackageFile.data).where(
                models.PackageFile.received_package_id == received.id))
            if stored is None:
                problems.append(f"{label}：收到的原始数据包没有保存（旧版本软件接收），请该单位重新报送后再导入")
                continue
            found.append((child.code, child.name, bytes(stored)))
    for code, name, raw in found:  # the data held must still be exactly the package's
        package = reader.verify_bytes(raw, Path(f"{code}.bdp"))
        held = existing_document(store, code, year)
        if held is None:
            problems.append(f"{code} {name}：未收到 {year} 年度数据包")
            continue
        # the 部门 sets a unit's 上级单位 on receipt: its cover information is not a change
        diff = diff_documents(held, reader.dataset_document(package)).without(UNIT)
        if not diff.is_empty():
            problems.append(f"{code} {name}：本部门收到后数据有改动，与收到的数据包不一致（请退回该单位修改后重新报送）")
    if problems:
        raise ConflictError(f"以下 {len(problems)} 个所属单位的数据包还不能随部门上报，未生成部门数据包：\n"
                            + "\n".join(problems))
    return found


def export_department_package(store, department: str, year: int, target: str | Path, *, submit: bool = False,
                              progress: Progress | None = None) -> DepartmentPackageResult:
    """One signed package of the 部门: its own data, each 所属单位's original package, and the 汇总."""
    # the printed document: reportlab is loaded only when a package is made
    from app.printing import build_document

    target = Path(target)
    dataset = store.open_dataset(department, year)
    if target.suffix.lower() != spec.SUFFIX:
        raise InputError(f"数据包文件名应以 {spec.SUFFIX} 结尾（如 {default_file_name(dataset.unit.code, dataset.unit.name, year)}）。")
    progress_step(progress, 0, 5, "核对所属单位")
    units = _unit_packages(store, department, year)
    progress_step(progress, 1, 5, "审核")
    if submit and dataset.status != "submitted":
        writer.refuse_unless_ready(dataset, "本级")
    findings = check_dataset(dataset)
    progress_step(progress, 2, 5, "汇总")
    consolidation = consolidation_json(consolidate(store, year, units=[department, *(code for code, _n, _r in units)]))
    new_key = signing.load_key(department) is None
    key = signing.unit_key(department)
    fingerprint = signing.fingerprint(signing.public_raw(key.public_key()))
    progress_step(progress, 3, 5, "打印")
    buffer = io.BytesIO()
    printed = build_document(dataset, buffer, fingerprint=fingerprint, cover=True)
    document = export_document(dataset)
    if submit:
        document["status"] = "submitted"
    extra = {spec.CONSOLIDATION: spec.json_bytes(consolidation)}
    listed = []
    for number, (code, name, raw) in enumerate(units, start=1):
        member = f"unit-{number:03d}.bdp"
        extra[member] = raw
        listed.append({"member": member, "code": code, "name": name, "sha256": spec.digest(raw)})
    progress_step(progress, 4, 5, "打包")
    temp = target.with_name(f".{target.name}.new")
    _fingerprint, sha = writer.write_package(
        temp, document=document, audit=writer.audit_document(store, department, year),
        findings=writer.findings_document(department, year, findings), pdf=buffer.getvalue(), key=key, extra=extra,
        manifest_extra={"kind": spec.KIND_DEPARTMENT, "units": listed})
    writer.put_in_place(dataset, temp, target, submit)
    progress_step(progress, 5, 5, "完成")
    errors = sum(1 for finding in findings if finding.severity == "error")
    return DepartmentPackageResult(target, fingerprint, sha, document["status"], [(c, n) for c, n, _r in units],
                                   errors, len(findings) - errors, printed.pages, new_key)


def default_file_name(code: str, name: str, year: int) -> str:
    """``001_某某局_2023_部门预算_含所属单位.bdp``"""
    return spec.default_file_name(code, name, year).removesuffix(spec.SUFFIX) + "_含所属单位" + spec.SUFFIX


# ---- the 财政局: reading a department package ---------------------------------------------------
@dataclass
class Department:
    package: reader.VerifiedPackage  # the 部门's own, verified
    document: dict  # its dataset
    units: list[tuple[reader.VerifiedPackage, dict]]  # each 所属单位's package, verified, and its dataset
    consolidation: dict


def _refuse_embedded(package: reader.VerifiedPackage, code: str, exc: BudgetDeskError) -> BudgetDeskError:
    return type(exc)(f"部门数据包“{package.path.name}”中所属单位 {code} 的数据包未通过核对，整个部门数据包未导入：\n{exc}")


def verify_department(package: reader.VerifiedPackage) -> Department:
    """Check a department package's own parts and every embedded unit package, as a single package is."""
    path = package.path
    if package.kind != spec.KIND_DEPARTMENT:
        raise InputError(f"数据包“{path.name}”不是部门数据包。")
    document = reader.dataset_document(package)
    if spec.CONSOLIDATION not in package.members:
        raise spec.refuse(path, f"缺少 {spec.CONSOLIDATION}（汇总），")
    consolidation = spec.parse_json(package.members[spec.CONSOLIDATION], path, spec.CONSOLIDATION)
    if not isinstance(consolidation, dict) or not isinstance(consolidation.get("forms"), dict):
        raise spec.refuse(path, f"中的 {spec.CONSOLIDATION} 不是汇总表，")
    listed = package.manifest.get("units")
    embedded = sorted(name for name in package.members if spec.EMBEDDED_MEMBER.match(name))
    if (not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed)
            or sorted(str(item.get("member")) for item in listed) != embedded or not embedded):
        raise spec.refuse(path, "的清单中所属单位与所附数据包不一致，")
    budget = [MAX_DEPARTMENT_TOTAL_BYTES]
    units: list[tuple[reader.VerifiedPackage, dict]] = []
    seen = {package.unit_code}
    for item in listed:
        code = str(item.get("code", ""))
        raw = package.members[item["member"]]
        try:
            unit = reader.verify_bytes(raw, Path(f"{path.name} 中的 {item['member']}"), budget=budget)
            if unit.kind != spec.KIND_UNIT:
                raise spec.refuse(unit.path, "不是单位数据包（部门数据包中只能附单位数据包），")
            if unit.unit_code != code or unit.sha256 != item.get("sha256"):
                raise spec.refuse(unit.path, f"与部门清单所列的单位 {code} 不符，")
            if unit.year != package.year:
                raise ConflictError(f"数据包“{unit.path.name}”是 {unit.year} 年度的，不是部门的 {package.year} 年度，未导入。")
            if unit.unit_code in seen:
                raise spec.refuse(unit.path, f"的单位 {unit.unit_code} 在部门数据包中重复出现，")
            seen.add(unit.unit_code)
            unit_document = reader.dataset_document(unit)
            parent = (unit_document["unit"].get("parent_code") or "").strip()
            if parent and parent != package.unit_code:
                raise ConflictError(f"数据包“{unit.path.name}”的上级单位是 {parent}，不是部门 {package.unit_code}，未导入。")
            unit_document["unit"]["parent_code"] = package.unit_code  # the signed department manifest says so
        except BudgetDeskError as exc:
            raise _refuse_embedded(package, code, exc) from None
        units.append((unit, unit_document))
    return Department(package, document, units, consolidation)


def _check_all_trust(store, department: Department) -> dict[str, bool]:
    first = {department.package.unit_code: trust.check_trust(store, department.package)}
    for unit, _document in department.units:
        try:
            first[unit.unit_code] = trust.check_trust(store, unit)
        except BudgetDeskError as exc:
            raise _refuse_embedded(department.package, unit.unit_code, exc) from None
    return first


def preview_department(store, package: reader.VerifiedPackage) -> receipt.PackagePreview:
    """What the GUI shows before importing a department package (every check that needs no writing)."""
    department = verify_department(package)
    first = _check_all_trust(store, department)
    old = existing_document(store, package.unit_code, package.year)
    diff = diff_documents(old, department.document, store.code_tables(package.year)) if old is not None else None
    lines = [f"部门数据包：本级和 {len(department.units)} 个所属单位（各单位的原始签名均已核对）"]
    existing = [package.unit_code] if old is not None else []
    for unit, _document in department.units:
        held = existing_document(store, unit.unit_code, unit.year) is not None
        if held:
            existing.append(unit.unit_code)
        lines.append(f"  {unit.unit_code} {unit.unit_name}　指纹 {unit.fingerprint}"
                     + ("（首次接收）" if first[unit.unit_code] else "") + ("（将覆盖已有数据）" if held else ""))
    return receipt.PackagePreview(package, first[package.unit_code], diff, receipt.DepartmentPreview(lines, existing))


def _flatten(consolidation: dict) -> dict[tuple[str, str, str], Decimal]:
    values = {}
    for form, rows in (consolidation.get("forms") or {}).items():
        for row in rows if isinstance(rows, list) else []:
            for column, value in (row.get("values") or {}).items() if isinstance(row, dict) else []:
                if value is not None:
                    values[(form, str(row.get("key")), column)] = Decimal(str(value))
    return values


def consolidation_differences(declared: dict, computed: dict) -> list[str]:
    """Where the 汇总 in a package differs from one computed here (form / row / column: 包内 → 本局)."""
    lines = []
    if declared.get("money_unit") != computed.get("money_unit"):
        lines.append(f"金额单位：{declared.get('money_unit')} → {computed.get('money_unit')}")
    ours, theirs = _flatten(computed), _flatten(declared)
    for key in sorted(set(ours) | set(theirs)):
        if ours.get(key) != theirs.get(key):
            lines.append(f"{' / '.join(key)}：{theirs.get(key, '（空）')} → {ours.get(key, '（空）')}")
    return lines


def import_department(store, package: reader.VerifiedPackage, *, replace: bool = False,
                      backup: bool = True, trust_fingerprints=()) -> receipt.ImportOutcome:
    """The 部门, each 所属单位 and the records of their receipt, in one transaction (all or nothing)."""
    department = verify_department(package)
    first = _check_all_trust(store, department)
    nodes = [(package, department.document), *department.units]
    # the 部门's key and every 所属单位's: a first-seen one only when a person confirmed its fingerprint
    trust.require_confirmed(store, [node for node, _d in nodes], trust_fingerprints,
                          where=f"部门数据包“{package.path.name}”中")
    held = {node.unit_code: existing_document(store, node.unit_code, node.year) is not None for node, _d in nodes}
    if any(held.values()) and not replace:
        names = "、".join(f"{node.unit_code} {node.unit_name}" for node, _d in nodes if held[node.unit_code])
        raise ConflictError(f"以下单位的 {package.year} 年度预算已存在：{names}；部门数据包未导入。如要以数据包覆盖，请使用 --replace。")
    if backup:
        backup_before(store, "import")
    rows: dict[str, int] = {}
    try:
        with store.transaction():  # every node, the receipts, the 审核 counts and the audit: one commit
            for node, document in nodes:
                receipt.claim_trust(store, node, trust_fingerprints)
                receipt.write_document(store, document, replace=held[node.unit_code], backup=False)
                name = package.path.name if node is package else f"{package.path.name} / {node.unit_code}"
                rows[node.unit_code] = receipt.record(store, node, 0, 0, document.get("status", "draft"), file_name=name).id
                store.step("department:unit")
            # The 审核 counts of each node, and the 汇总 checked against the bureau's own.
            outcomes = []
            counts: dict[str, tuple[int, int]] = {}
            for node, _document in nodes:
                dataset = store.open_dataset(node.unit_code, node.year)
                findings = check_dataset(dataset)
                errors = sum(1 for finding in findings if finding.severity == "error")
                counts[node.unit_code] = (errors, len(findings) - errors)
                outcomes.append(receipt.ImportOutcome(node.unit_code, node.unit_name, node.year, node.fingerprint,
                                                  first[node.unit_code], held[node.unit_code], dataset.status, errors,
                                                  len(findings) - errors))
            computed = consolidation_json(consolidate(store, package.year, units=[node.unit_code for node, _d in nodes]))
            differences = consolidation_differences(department.consolidation, computed)
            warnings = []
            if differences:
                warnings.append(f"部门数据包中的汇总与本局按各单位数据重新汇总的结果有 {len(differences)} 处不同（包内 → 本局）：\n"
                                + "\n".join(differences[:20])
                                + (f"\n……另有 {len(differences) - 20} 处" if len(differences) > 20 else ""))
            with store.write() as session:
                for code, row_id in rows.items():
                    row = session.get(models.ReceivedPackage, row_id)
                    row.errors, row.warnings = counts[code]
                store.event(session, "导入", f"部门数据包 {package.path.name}（本级和 {len(department.units)} 个所属单位）",
                            new="汇总一致" if not differences else f"汇总有 {len(differences)} 处与本局汇总不同",
                            unit_code=package.unit_code, year=package.year)
            store.step("department:audit")
    except BudgetDeskError as exc:
        if not str(exc).startswith("部门数据包"):
            raise type(exc)(f"部门数据包“{package.path.name}”未导入（数据库未作任何改动）：\n{exc}") from None
        raise
    outcome = outcomes[0]
    outcome.units = outcomes[1:]
    outcome.warnings_text = warnings
    return outcome


# ---- the tree ----------------------------------------------------------------------------------
STATUS_ORDER = ("errors", "returned", "missing", "draft", "warnings", "received")  # worst first
NODE_STATUS_NAMES = {"errors": "有错误", "returned": "已退回", "missing": "未收到", "draft": "编制中（未上报）",
                     "warnings": "有提示", "received": "已收到"}
ROLE_NAMES = {"department": "部门", "own": "本级", "unit": "所属单位", "single": "单位"}


@dataclass
class TreeNode:
    code: str
    name: str
    role: str  # department (a 部门 with its units), own (its 本级 figures), unit (a 所属单位), single
    status: str  # a key of NODE_STATUS_NAMES
    row: standing.OverviewRow | None = None
    children: list[TreeNode] = field(default_factory=list)

    @property
    def status_name(self) -> str:
        return NODE_STATUS_NAMES[self.status]

    def leaves(self) -> list[TreeNode]:
        return [self] if not self.children else [leaf for child in self.children for leaf in child.leaves()]

    @property
    def summary(self) -> str:
        """A 部门's count of its nodes by status: 共 4：已收到 2，已退回 1，未收到 1."""
        if not self.children:
            return ""
        leaves = self.leaves()
        parts = [f"{NODE_STATUS_NAMES[key]} {count}" for key in STATUS_ORDER
                 if (count := sum(1 for leaf in leaves if leaf.status == key))]
        return f"共 {len(leaves)}：" + "，".join(parts)

    @property
    def total(self) -> tuple[Decimal | None, str]:
        """总计 of a leaf; of a 部门 the sum of its nodes' (when they keep one money unit), with the unit."""
        if not self.children:
            return (self.row.total, self.row.money_unit) if self.row is not None else (None, "")
        totals = [(leaf.row.total, leaf.row.money_unit) for leaf in self.leaves()
                  if leaf.row is not None and leaf.row.total is not None]
        units = {money_unit for _total, money_unit in totals}
        if len(units) != 1:
            return None, ""
        return sum((total for total, _unit in totals if total is not None), Decimal(0)), units.pop()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "name": self.name, "role": self.role,
                                "role_name": ROLE_NAMES[self.role], "status": self.status,
                                "status_name": self.status_name}
        if self.children:
            total, money_unit = self.total
            data.update({"total": exact_text(total) or None, "money_unit": money_unit or None})
        elif self.row is not None:
            row = self.row.to_dict()
            data.update({key: row[key] for key in ("received_at", "errors", "warnings", "fingerprint", "total",
                                                    "basic", "project", "money_unit", "return_reason")})
            data["dataset_status"] = row["status"]
        if self.children:
            data["summary"] = self.summary
            data["children"] = [child.to_dict() for child in self.children]
        return data


def _leaf_status(row: standing.OverviewRow | None) -> str:
    if row is None or (row.received_at is None and not row.returned):
        return "missing"
    if row.returned and row.status == "draft":
        return "returned"
    if row.errors:
        return "errors"
    if row.status != "submitted":
        return "draft"
    return "warnings" if row.warnings else "received"


def tree(store, year: int, overview: list[standing.OverviewRow] | None = None) -> list[TreeNode]:
    """部门 → (本级, 所属单位 …) for the year; every unit the bureau knows appears (未收到 when it has
    no package of the year). A 部门 node's status is the worst of its nodes. ``overview``: the year's
    overview when the caller has just read it (the 财政局 window), else it is read here."""
    rows = {row.unit_code: row for row in (standing.overview(store, year) if overview is None else overview)}
    parent = aliased(models.Unit)
    with store.Session() as session:  # each unit with its parent's code: one query, not one per unit
        units = [(code, name, parent_code) for code, name, parent_code in session.execute(
            select(models.Unit.code, models.Unit.name, parent.code)
            .outerjoin(parent, models.Unit.parent_id == parent.id).order_by(models.Unit.code))]
    children: dict[str, list[tuple[str, str]]] = {}
    known = {code for code, _name, _parent in units}
    for code, name, parent in units:
        if parent is not None and parent in known:
            children.setdefault(parent, []).append((code, name))

    def build(code: str, name: str, role: str, trail: frozenset[str]) -> TreeNode:
        own = TreeNode(code, name, role if code not in children else "own", _leaf_status(rows.get(code)), rows.get(code))
        if code not in children or code in trail:
            return own
        nodes = [own, *(build(child, child_name, "unit", trail | {code}) for child, child_name in children[code])]
        worst = min((leaf.status for node in nodes for leaf in node.leaves()), key=STATUS_ORDER.index)
        return TreeNode(code, name, "department", worst, rows.get(code), nodes)

    return [build(code, name, "single", frozenset()) for code, name, parent in units if parent not in known]


def tree_json(nodes: list[TreeNode], year: int) -> dict:
    return {"year": year, "nodes": [node.to_dict() for node in nodes]}


# ---- 退回 of a whole 部门 ------------------------------------------------------------------------
def department_codes(store, department: str) -> list[str]:
    """The 部门 and every unit under it (any depth), the 部门 first."""
    with store.Session() as session:
        unit = session.scalar(select(models.Unit).where(models.Unit.code == department))
        if unit is None:
            raise NotFoundError(f"没有单位编码为“{department}”的部门。")
        codes, queue = [unit.code], [unit]
        while queue:
            for child in _children(session, queue.pop(0)):
                if child.code not in codes:
                    codes.append(child.code)
                    queue.append(child)
    return codes


def department_returnable(store, department: str, year: int) -> list[str]:
    """The units a 整体退回 of ``department`` would return (its 本级 and 所属单位 that are 已上报 now);
    refused when it has no 所属单位 or none is 已上报 — checked before the officer is asked for a reason."""
    codes = department_codes(store, department)
    if len(codes) == 1:
        raise ConflictError(f"{department} 没有所属单位；退回单个单位请不带 --with-units。")
    submitted = []
    for code in codes:
        try:
            if store.dataset_info(code, year).status == "submitted":
                submitted.append(code)
        except NotFoundError:
            continue
    if not submitted:
        raise ConflictError(f"部门 {department} 及其所属单位的 {year} 年度预算都不是已上报状态，无需退回。")
    return submitted


def return_department(store, department: str, year: int, reason: str) -> list[str]:
    """退回 the 部门 and every unit under it that is 已上报, with one reason, in one transaction;
    each unit's 退回 is audited as a single one is, and the whole-部门 退回 once more. Returns the codes."""
    check_year(year)
    reason = (reason or "").strip()
    if not reason:
        raise InputError("退回必须写明原因（--reason）。")
    submitted = department_returnable(store, department, year)
    with store.transaction():
        for code in submitted:
            standing.return_dataset(store, code, year, reason)
        with store.write() as session:
            store.event(session, "退回", f"整体退回部门 {department}（{len(submitted)} 个单位：{'、'.join(submitted)}）",
                        new=reason[:2000], unit_code=department, year=year)
    return submitted


__all__ = ["Department", "DepartmentPackageResult", "TreeNode", "consolidation_differences", "department_returnable",
           "export_department_package",
           "import_department", "return_department", "tree", "tree_json", "verify_department"]

