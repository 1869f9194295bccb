"""Resubmission at the bureau: a newer package of a unit and year against the one held — the difference
part by part (``app.exchange.document_diff``), 覆盖 (replace all) or 合并 (take only the chosen parts,
``app.exchange.document_parts``), and every earlier package kept.

A 合并 builds the merged document (the held one with the chosen parts taken from the package),
validates it like any import and writes it with ``import_document(replace=True, source="合并")``:
one transaction, every differing cell audited, the audit's first row naming the package and the parts.
Every package taken in is stored (``package_file``), listed by ``package_history`` and written back out
by ``extract_package``. Nothing here imports Qt.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from app.base.errors import ConflictError, InputError, LockedError, NotFoundError
from app.base.progress import Progress
from app.base.progress import step as progress_step
from app.bureau.comments import MergeResult
from app.bureau.receipt import OlderPackageError, package_comments, receive
from app.checks.rules import blocker_lines
from app.exchange.document_diff import DocumentDiff, canonical, diff_documents, existing_document
from app.exchange.document_parts import PART_TITLES, merge_documents, parse_parts, part_title
from app.exchange.interchange import blockers_in_document, import_document, validate_document
from app.exchange.package.reader import VerifiedPackage, check_expected, dataset_document, open_package
from app.exchange.package.spec import KIND_DEPARTMENT
from app.exchange.package.trust import check_trust, require_confirmed
from app.store.backup import backup_before
from db import models

if TYPE_CHECKING:
    from app.store.service import Store


@dataclass(frozen=True)
class ReceivedInfo:
    """A package taken in for a unit and year (``received_package``), with whether its bytes are kept."""

    id: int
    unit_code: str
    year: int
    received_at: datetime
    file_name: str
    sha256: str
    fingerprint: str
    created: str
    package_status: str
    errors: int
    warnings: int
    status: str
    return_reason: str
    size: int | None  # bytes kept (None: received before packages were kept)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat() + "Z"
        data["kept"] = self.size is not None
        return data


def package_history(store: Store, unit_code: str, year: int) -> list[ReceivedInfo]:
    """Every package received for the unit and year, oldest first."""
    size = func.length(models.PackageFile.data)
    with store.Session() as session:
        rows = session.execute(
            select(models.ReceivedPackage, size)
            .outerjoin(models.PackageFile, models.PackageFile.received_package_id == models.ReceivedPackage.id)
            .where(models.ReceivedPackage.unit_code == unit_code, models.ReceivedPackage.year == year)
            .order_by(models.ReceivedPackage.id)).all()
    return [ReceivedInfo(row.id, row.unit_code, row.year, row.received_at, row.file_name, row.sha256, row.fingerprint,
                         row.created, row.package_status, row.errors, row.warnings, row.status, row.return_reason,
                         None if length is None else int(length)) for row, length in rows]


def extract_package(store: Store, received_id: int, target: str | Path) -> Path:
    """Write a kept package back to a file (checked against the SHA-256 recorded when it was received)."""
    with store.Session() as session:
        received = session.get(models.ReceivedPackage, received_id)
        if received is None:
            raise NotFoundError(f"没有编号为 {received_id} 的接收记录（见 budgetdesk packages）。")
        data = session.scalar(select(models.PackageFile.data)
                              .where(models.PackageFile.received_package_id == received_id).limit(1))
        name = received.file_name or f"package-{received_id}.bdp"
        sha = received.sha256
    if data is None:
        raise NotFoundError(f"接收记录 {received_id}（{name}）没有保存数据包文件（在保存数据包功能之前接收）。")
    data = bytes(data)
    if hashlib.sha256(data).hexdigest() != sha:
        raise ConflictError(f"保存的数据包 {name} 与接收时记录的校验值不符，数据库中的副本已损坏，未写出。")
    folder = str(target).endswith(("/", "\\"))
    target = Path(target)
    if target.is_dir() or folder:
        target = target / Path(name).name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".bdp-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target


def _latest_received(store: Store, unit_code: str, year: int) -> ReceivedInfo | None:
    history = package_history(store, unit_code, year)
    return history[-1] if history else None


def _created(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.removesuffix("Z"))
    except (ValueError, AttributeError):
        return None


# ---- preview and the two ways in ------------------------------------------------------------------
@dataclass
class ResubmissionPreview:
    """A verified package, the dataset it would meet, and their difference (nothing written)."""

    package: VerifiedPackage
    first_trust: bool
    document: dict[str, Any]
    held: dict[str, Any] | None  # the interchange document of the dataset held (None: not in the database)
    diff: DocumentDiff | None
    received: ReceivedInfo | None  # the last package received for the unit and year
    older: bool  # the package was made before the one last received
    same: bool  # the very package last received (same SHA-256)
    # a package marked 已上报 whose content does not pass 审核 here: what 覆盖 (or a new import) would refuse for
    open_findings: list[str] = field(default_factory=list)

    @property
    def held_status(self) -> str | None:
        return None if self.held is None else str(self.held.get("status", "draft"))

    def warnings(self) -> list[str]:
        out = []
        if self.received is not None and self.older:
            out.append(f"注意：此数据包制作于 {self.package.manifest.get('created', '?')}，早于已接收的数据包"
                       f"（{self.received.file_name}，制作于 {self.received.created}）；须确认以它为准后才能导入。")
        if self.same and self.received is not None:
            out.append(f"此数据包与 {self.received.received_at:%Y-%m-%d %H:%M}（UTC）接收的数据包完全相同。")
        if self.held_status == "submitted":
            out.append("现有数据已上报：须先退回，才能以数据包覆盖或合并。")
        return out

    def replace_refusals(self) -> list[str]:
        """Why 覆盖全部 (or, nothing held, 导入) would be refused, known before anyone confirms: in the window's words."""
        out = []
        if self.held_status == "submitted":
            out.append("现有数据已上报：须先在单位概览中选中该单位点“退回…”，才能以数据包覆盖或合并。")
        if self.open_findings:
            out.append(f"数据包标记为“已上报”，但还有 {len(self.open_findings)} 条审核问题未处理（错误，或提示缺少说明），"
                       + ("不能覆盖导入；可“合并所选”（合并后设为编制中），或请单位处理后重新上报。"
                          if self.held is not None else "不能导入；请单位处理后重新上报。"))
        return out

    def to_dict(self) -> dict[str, Any]:
        package = self.package
        return {"file": package.path.name, "unit": package.unit_code, "name": package.unit_name, "year": package.year,
                "created": package.manifest.get("created"), "sha256": package.sha256,
                "fingerprint": package.fingerprint, "first_trust": self.first_trust,
                "package_status": self.document.get("status", "draft"), "held_status": self.held_status,
                "held_package": None if self.received is None else self.received.to_dict(),
                "older": self.older, "same": self.same, "warnings": self.warnings(),
                "diff": None if self.diff is None else self.diff.to_dict()}


def preview_resubmission(store: Store, path: str | Path, *, expected_unit: str | None = None,
                         expected_year: int | None = None) -> ResubmissionPreview:
    """Every check of an import that needs no writing, and the full difference against the dataset held."""
    package = open_package(path)
    check_expected(package, expected_unit, expected_year)
    if package.kind == KIND_DEPARTMENT:  # its units come in together, never table by table
        raise InputError(f"“{package.path.name}”是部门数据包（含所属单位），只能整体导入（budgetdesk import-package 文件，"
                         "已有数据时加 --replace），不能按表查看差异或合并。")
    first_trust = check_trust(store, package)
    document = dataset_document(package)
    held = existing_document(store, package.unit_code, package.year)
    diff = diff_documents(held, document, store.code_tables(package.year)) if held is not None else None
    received = _latest_received(store, package.unit_code, package.year)
    older = same = False
    if received is not None:
        same = received.sha256 == package.sha256
        new_time, old_time = _created(str(package.manifest.get("created", ""))), _created(received.created)
        older = new_time is not None and old_time is not None and new_time < old_time
    open_findings = []
    if document.get("status") == "submitted":  # would 覆盖 be refused? (app.exchange.interchange, as the import checks)
        open_findings = blocker_lines(blockers_in_document(document))
    return ResubmissionPreview(package, first_trust, document, held, diff, received, older, same, open_findings)


@dataclass
class ResubmitOutcome:
    unit_code: str
    unit_name: str
    year: int
    mode: str  # "replace" (覆盖) / "merge" (合并) / "new" (nothing was held)
    parts: list[str]  # the parts taken (every part that differed for 覆盖)
    status: str
    errors: int
    warnings: int
    findings: list[dict[str, Any]]  # the 审核 re-run on the result (check --json shape)
    diff: DocumentDiff | None
    first_trust: bool
    note: str = ""  # why the status is what it is (a 合并 that did not pass 审核 stays 编制中)
    answers: MergeResult | None = None  # the 批注 answers the package carried

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit_code, "name": self.unit_name, "year": self.year, "mode": self.mode,
                "parts": self.parts, "status": self.status, "errors": self.errors, "warnings": self.warnings,
                "note": self.note or None, "first_trust": self.first_trust, "findings": self.findings,
                "diff": None if self.diff is None else self.diff.to_dict()}


def _package_words(package: VerifiedPackage) -> str:
    return (f"数据包 {package.path.name}（制作于 {package.manifest.get('created', '?')}，"
            f"SHA-256 {package.sha256[:12]}…，密钥 {package.fingerprint}）")


def resubmit(store: Store, path: str | Path, *, merge: Iterable[str] | None = None, force: bool = False,
             expected_unit: str | None = None, expected_year: int | None = None,
             preview: ResubmissionPreview | None = None, progress: Progress | None = None,
             backup: bool = True, replace_source: str = "重新上报",
             trust_fingerprints: Iterable[str] = ()) -> ResubmitOutcome:
    """覆盖 (``merge`` None: the package replaces the dataset held) or 合并 (``merge``: the part keys to take).

    Refused, with nothing changed: an older package than the one last received (unless ``force``), a
    dataset held that is 已上报 (the bureau 退回s it first), a 合并 of an unknown part, of a part that does
    not differ, across money units, or whose result fails the import checks. The merged dataset keeps the
    package's 已上报 only when the merged content passes 审核 (no 错误, every 提示 with its 说明); otherwise
    it is 编制中 and the outcome says why. Either way the 审核 is re-run and reported."""
    progress_step(progress, 0, 4, "核对数据包")
    if preview is None:
        preview = preview_resubmission(store, path, expected_unit=expected_unit, expected_year=expected_year)
    else:  # shown to someone a while ago: the dataset held must still be what they compared against
        current = existing_document(store, preview.package.unit_code, preview.package.year)
        if canonical(current) != canonical(preview.held):
            raise ConflictError("核对数据包之后，现有数据已被修改，未导入；请重新核对差异后再导入。")
    package, document, held, diff = preview.package, preview.document, preview.held, preview.diff
    where = f"单位 {package.unit_code} {package.unit_name} 的 {package.year} 年度预算"
    if preview.older and preview.received is not None and not force:  # older: compared with the last received
        raise OlderPackageError(
            f"数据包“{package.path.name}”制作于 {package.manifest.get('created', '?')}，早于已接收的数据包“"
            f"{preview.received.file_name}”（制作于 {preview.received.created}），未导入。"
            "如确认要以较早的数据包为准，请加 --force。")
    parts: list[str] = []
    if merge is not None:
        parts = parse_parts(list(merge))
        if held is None or diff is None:  # (a difference exactly when a dataset is held)
            raise ConflictError(f"{where}尚无数据，没有可合并的对象；请直接导入（不加 --merge）。")
        if diff.money_unit is not None:
            raise ConflictError(f"{where}的金额单位是{diff.money_unit[0]}，数据包是{diff.money_unit[1]}，"
                                "不能按表合并，未导入；如要以数据包为准，请覆盖（--replace）。")
        unchanged = [key for key in parts if diff.part(key) is None]
        if unchanged:
            raise InputError(f"所选的“{'、'.join(part_title(key) for key in unchanged)}”与现有数据没有差异，"
                             "未导入任何数据；请只选有差异的表或部分。")
    if held is not None and held.get("status") == "submitted":
        raise LockedError(f"{where}已上报，不能被重新上报的数据包{'合并' if parts else '覆盖'}，未导入。"
                            f"请先退回（budgetdesk return --unit {package.unit_code} --year {package.year} --reason 原因），"
                            "再导入新的数据包。")
    note = ""
    if held is None:
        mode, incoming, source = "new", document, "导入"
        words = f"接收{_package_words(package)}"
    elif not parts:
        mode, incoming, source = "replace", document, replace_source
        words = f"重新上报：以{_package_words(package)}覆盖全部数据"
        parts = [part.key for part in diff.parts] if diff is not None else []
    else:
        mode, source = "merge", "合并"
        incoming = merge_documents(held, document, parts)
        incoming["status"] = "draft"
        progress_step(progress, 1, 4, "检查合并后的数据")
        try:
            validate_document(store, incoming)
        except InputError as exc:
            raise InputError(f"合并后的数据无法导入（所选部分与其余部分不一致），未导入任何数据：\n{exc}") from None
        if document.get("status") == "submitted":
            blockers = blockers_in_document({**incoming, "status": "draft"})
            if blockers:
                note = (f"合并后的数据还有 {len(blockers)} 条审核问题未处理（错误，或提示缺少说明），"
                        "已设为编制中，未作为已上报接收。")
            else:
                incoming["status"] = "submitted"
        words = (f"合并：自{_package_words(package)}取 "
                 + "、".join(f"《{part_title(key)}》" if key not in PART_TITLES else part_title(key) for key in parts))
    answers = package_comments(package)  # the 批注 answers, checked before anything is written
    require_confirmed(store, [package], trust_fingerprints)
    progress_step(progress, 2, 4, "写入数据库")
    if backup:
        backup_before(store, "import" if held is None else "replace")
    dataset, findings, first_trust, merged = receive(store, package, answers, lambda: import_document(
        store, incoming, replace=held is not None, source=source, backup=False, note=words), trust_fingerprints)
    progress_step(progress, 3, 4, "审核")
    errors = sum(1 for finding in findings if finding.severity == "error")
    progress_step(progress, 4, 4, "完成")
    return ResubmitOutcome(package.unit_code, package.unit_name, package.year, mode, parts, dataset.status, errors,
                           len(findings) - errors, [finding.to_dict() for finding in findings], preview.diff,
                           first_trust, note, merged)
