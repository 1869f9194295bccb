"""Receiving one verified package at the bureau (财政局 or 主管部门): the key's claim on first receipt, the
dataset, the receipt row with its 审核 counts and the kept file, and the 批注 answers it carries — in one
transaction (``receive``). The ways in (``app.bureau.intake``, ``app.bureau.hierarchy``,
``app.bureau.resubmission``) build on this."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.base.errors import ConflictError, InputError
from app.bureau.comments import MergeResult, merge_comments
from app.bureau.kept import keep_received
from app.checks.rules import check_dataset
from app.exchange.comment_document import COMMENTS_FORMAT, Comment, parse_comments
from app.exchange.document_diff import DocumentDiff
from app.exchange.interchange import import_document
from app.exchange.package.reader import VerifiedPackage
from app.exchange.package.spec import COMMENTS, parse_json, refuse
from app.exchange.package.trust import KeyMismatchError, active_key, require_confirmed
from app.store.audit import now_utc, os_user
from app.store.service import ImportedByOtherError
from db import models

if TYPE_CHECKING:
    from app.checks.rules import Finding
    from app.store.service import BudgetDataset, Store


@dataclass
class ImportOutcome:
    unit_code: str
    unit_name: str
    year: int
    fingerprint: str
    first_trust: bool
    replaced: bool
    status: str
    errors: int
    warnings: int
    diff: DocumentDiff | None = None
    answers: MergeResult | None = None  # the 批注 answers the package carried
    units: list[ImportOutcome] = field(default_factory=list)  # a department package's 所属单位
    warnings_text: list[str] = field(default_factory=list)  # e.g. the 汇总 differs from the bureau's own


@dataclass
class DepartmentPreview:
    lines: list[str]
    existing: list[str]  # codes whose dataset of the year is held already (to be replaced)


@dataclass
class PackagePreview:
    """What a verified package holds and how it differs from the stored dataset (None: not stored yet)."""

    package: VerifiedPackage
    first_trust: bool
    diff: DocumentDiff | None
    department: DepartmentPreview | None = None  # of a department package (app.bureau.hierarchy)

    @property
    def needs_replace(self) -> bool:
        return self.diff is not None or bool(self.department is not None and self.department.existing)


def claim_trust(store: Store, package: VerifiedPackage, trust_fingerprints: Iterable[str] = ()) -> int | None:
    """Check the package's key against the unit's trusted key, in a transaction of its own, before
    any data is written. On first receipt the key is registered now (returns the new row's id, so a
    failed import can release it); the unique index on a unit's active key makes two staff importing
    two differently-signed first packages at once end with one trusted key and one refusal."""
    encoded = base64.b64encode(package.public_key).decode("ascii")
    try:
        with store.write() as session:
            current = active_key(session, package.unit_code)
            if current is None:
                require_confirmed(store, [package], trust_fingerprints)  # (checked before; again under the lock)
                row = models.TrustedKey(unit_code=package.unit_code, fingerprint=package.fingerprint,
                                        public_key=encoded, status="active", source="首次接收",
                                        reason=f"首次接收数据包 {package.path.name}，指纹经人工核对"[:2000], os_user=os_user()[:100],
                                        created_at=now_utc(whole_seconds=True))
                session.add(row)
                session.flush()
                return row.id
            if current.fingerprint != package.fingerprint:
                raise KeyMismatchError.of(package, current.fingerprint)
            if not current.public_key:
                current.public_key = encoded  # trusted from a typed fingerprint: now the key itself is known
            return None
    except IntegrityError:
        # a colleague registered the key at the same moment: if it came with this very package, say so
        refuse_if_received(store, package, since=datetime.min)
        raise ConflictError(f"单位 {package.unit_code} 的密钥正由另一位工作人员同时登记，未导入；请稍后重试。") from None


def record(store: Store, package: VerifiedPackage, errors: int, warnings: int, status: str, *,
           file_name: str | None = None) -> models.ReceivedPackage:
    """The received_package row, and the package's bytes beside it (package_file)."""
    with store.write() as session:
        row = models.ReceivedPackage(
            unit_code=package.unit_code, year=package.year, received_at=now_utc(whole_seconds=True),
            file_name=(file_name or package.path.name)[:500], sha256=package.sha256, fingerprint=package.fingerprint,
            created=str(package.manifest.get("created", ""))[:40], package_status=status, errors=errors,
            warnings=warnings, status="received", os_user=os_user()[:100])
        session.add(row)
        session.flush()
        if package.data:
            session.add(models.PackageFile(received_package_id=row.id, data=package.data))
        return row


def write_document(store: Store, document: dict[str, Any], replace: bool, backup: bool = True,
                   package: VerifiedPackage | None = None) -> BudgetDataset:
    """A received package's dataset through the interchange import, its audit naming the package."""
    note = ""
    if package is not None:
        note = (f"{'重新上报：以' if replace else '接收'}数据包 {package.path.name}（制作于 {package.manifest.get('created', '?')}，"
                f"SHA-256 {package.sha256[:12]}…）" + ("覆盖全部数据" if replace else ""))
    return import_document(store, document, replace=replace, source="重新上报" if replace else "导入", backup=backup,
                           note=note)


def refuse_if_received(store: Store, package: VerifiedPackage, since: datetime | None = None) -> None:
    """The very same file (by SHA-256) was received already: by a colleague importing the same folder at the
    same time (received after ``since``, when this folder import started), or before."""
    with store.Session() as session:
        received = session.scalar(select(models.ReceivedPackage).where(
            models.ReceivedPackage.unit_code == package.unit_code, models.ReceivedPackage.year == package.year,
            models.ReceivedPackage.sha256 == package.sha256).limit(1))
    if received is not None:
        when = received.received_at.strftime("%Y-%m-%d %H:%M:%S") if received.received_at else "?"
        if since is not None and received.received_at is not None and received.received_at >= since:
            raise ImportedByOtherError(f"数据包“{package.path.name}”已由其他用户导入（{received.os_user or '?'}，"
                                       f"{when} UTC），跳过。")
        raise AlreadyReceivedError(f"数据包“{package.path.name}”此前已导入（{received.os_user or '?'} 于 {when} UTC "
                                   "接收），未再导入。")


class AlreadyReceivedError(ImportedByOtherError):
    """The very same file (by SHA-256) was received before, not by a colleague just now."""


class OlderPackageError(ConflictError):
    """A package made before the one last received for its unit and year (taken only when confirmed)."""


def check_not_older(store: Store, package: VerifiedPackage) -> None:
    """Refuse a package made before the one last received for its unit and year (``force`` skips this)."""
    with store.Session() as session:
        last = session.scalar(select(models.ReceivedPackage).where(
            models.ReceivedPackage.unit_code == package.unit_code, models.ReceivedPackage.year == package.year)
            .order_by(models.ReceivedPackage.id.desc()).limit(1))
    if last is None or not last.created:
        return
    created = str(package.manifest.get("created", ""))
    try:
        older = datetime.fromisoformat(created.removesuffix("Z")) < datetime.fromisoformat(last.created.removesuffix("Z"))
    except ValueError:
        return
    if older:
        raise OlderPackageError(f"数据包“{package.path.name}”制作于 {created}，早于已接收的数据包“{last.file_name}”"
                            f"（制作于 {last.created}），未导入。如确认要以较早的数据包为准，请加 --force。")


def receive(store: Store, package: VerifiedPackage, answers: list[Comment] | None,
            write_dataset: Callable[[], BudgetDataset], trust_fingerprints: Iterable[str] = (),
            ) -> tuple[BudgetDataset, list[Finding], bool, MergeResult | None]:
    """Receive a checked package in ONE transaction: the key's registration (first receipt), the dataset
    (``write_dataset``), the receipt with its 审核 counts, the kept file, the 批注 answers and every audit
    row commit together or not at all. Returns (dataset, findings, first_trust, merged answers)."""
    with store.transaction():
        claimed = claim_trust(store, package, trust_fingerprints)
        store.step("package:trust")
        dataset = write_dataset()
        store.step("package:dataset")
        findings = check_dataset(dataset)
        errors = sum(1 for finding in findings if finding.severity == "error")
        record(store, package, errors, len(findings) - errors, dataset.status)
        keep_received(store, dataset, findings)  # 进度 and 筛查 read these instead of checking it again
        store.step("package:receipt")
        merged = None
        if answers is not None:
            merged = merge_comments(store, answers)
            store.step("package:comments")
    return dataset, findings, claimed is not None, merged


def package_comments(package: VerifiedPackage) -> list[Comment] | None:
    """The 批注 answers a package carries (``comments.json``), checked; None if it has none."""
    if COMMENTS not in package.members:
        return None
    document = parse_json(package.members[COMMENTS], package.path, COMMENTS)
    if not isinstance(document, dict) or document.get("format") != COMMENTS_FORMAT \
            or document.get("unit") != package.unit_code or document.get("year") != package.year:
        raise refuse(package.path, "中的 comments.json 不是本单位本年度的批注，")
    try:
        return parse_comments(document.get("comments"), package.unit_code, package.year)
    except InputError as exc:
        raise refuse(package.path, f"中的批注有误（{exc}），") from None
