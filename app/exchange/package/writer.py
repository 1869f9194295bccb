"""Packing a dataset: the members, the manifest and its signature, written whole or not at all."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__ as APP_VERSION
from app.base.errors import ConflictError, InputError
from app.base.progress import Progress
from app.base.progress import step as progress_step
from app.checks.rules import blocker_lines, check_dataset, submission_blockers
from app.exchange import signing
from app.exchange.comment_document import comments_document
from app.exchange.interchange import export_document
from app.exchange.package.spec import (
    AUDIT,
    COMMENTS,
    DATASET,
    FINDINGS,
    MANIFEST,
    PACKAGE_FORMAT,
    PACKAGE_FORMAT_VERSION,
    PDF,
    SIGNATURE,
    SUFFIX,
    UNIT_FORMAT_VERSION,
    default_file_name,
    digest,
    editions,
    json_bytes,
)
from app.store.audit import history_document, now_utc

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.checks.rules import Finding
    from app.store.database import Database
    from app.store.service import BudgetDataset

@dataclass(frozen=True)
class PackageResult:
    path: Path
    fingerprint: str
    sha256: str
    status: str
    errors: int
    warnings: int
    pages: int
    new_key: bool = False  # this export created the unit's signing key


def audit_document(store: Database, unit_code: str, year: int) -> dict[str, Any]:
    """The dataset's audit trail as ``{"unit","year","changes":[…]}`` (the ``history --json`` shape)."""
    return history_document(store, unit_code, year)


def findings_document(unit_code: str, year: int, findings: Sequence[Finding]) -> dict[str, Any]:
    errors = sum(1 for finding in findings if finding.severity == "error")
    return {"unit": unit_code, "year": year, "errors": errors, "warnings": len(findings) - errors,
            "findings": [finding.to_dict() for finding in findings]}


def write_package(target: Path, *, document: dict[str, Any], audit: dict[str, Any], findings: dict[str, Any],
                  pdf: bytes, key: Ed25519PrivateKey, created: datetime | None = None,
                  comments: dict[str, Any] | None = None, extra: dict[str, bytes] | None = None,
                  manifest_extra: dict[str, Any] | None = None) -> tuple[str, str]:
    """Write the members, the manifest and its signature to ``target``; returns (fingerprint, sha256).
    ``extra`` members and ``manifest_extra`` fields make a department package (app.bureau.hierarchy)."""
    members = {DATASET: json_bytes(document), AUDIT: json_bytes(audit), FINDINGS: json_bytes(findings), PDF: pdf}
    if comments is not None and comments.get("comments"):
        members[COMMENTS] = json_bytes(comments)
    members.update(extra or {})
    created = created or now_utc(whole_seconds=True)
    manifest = {
        "format": PACKAGE_FORMAT,
        "format_version": PACKAGE_FORMAT_VERSION if manifest_extra else UNIT_FORMAT_VERSION,
        "program_version": APP_VERSION,
        "unit": {"code": document["unit"]["code"], "name": document["unit"]["name"]},
        "year": document["year"],
        "created": created.isoformat() + "Z",
        "status": document.get("status", "draft"),
        # digests of this program's definitions, and the editions the dataset itself was made with
        "editions": {**editions(document.get("code_editions", {})), "dataset": document.get("editions", {})},
        "members": [{"name": name, "sha256": digest(data), "size": len(data)} for name, data in members.items()],
        **(manifest_extra or {}),
    }
    manifest_bytes = json_bytes(manifest)
    signature = signing.sign(key, manifest_bytes)
    stamp = created.timetuple()[:6]
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".bdp-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for name, data in ((MANIFEST, manifest_bytes), (SIGNATURE, json_bytes(signature)), *members.items()):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_STORED if name == PDF or name.endswith(SUFFIX) else zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        with open(temp_name, "rb") as written:
            sha = hashlib.file_digest(written, "sha256").hexdigest()
        os.chmod(temp_name, 0o644)  # a file to hand over, not a secret (mkstemp made it 0600)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return signature["fingerprint"], sha


def refuse_unless_ready(dataset: BudgetDataset, who: str = "") -> None:
    """上报 needs no 错误 and a 说明 for every 提示: otherwise a refusal listing them (``who``: 本级 …)."""
    blockers = submission_blockers(dataset)
    if blockers:
        raise ConflictError(f"{who}还有 {len(blockers)} 条审核问题未处理，不能上报：\n" + "\n".join(blocker_lines(blockers)))


def put_in_place(dataset: BudgetDataset, temp: Path, target: Path, submit: bool) -> None:
    """The written package becomes ``target`` only after a 上报 went through (the core checks again and
    records it); on any failure the temporary file goes and nothing is left half-written."""
    try:
        if submit and dataset.status != "submitted":
            dataset.set_status("submitted")
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_package(dataset: BudgetDataset, target: str | Path, *, submit: bool = False,
                   progress: Progress | None = None) -> PackageResult:
    """Pack a dataset. With ``submit`` the checks must pass (no 错误, every 提示 with its 说明); the
    dataset is marked 已上报 through the core and the package says so. Nothing is written on refusal."""
    # the printed document: reportlab is loaded only when a package is made
    from app.printing import build_document

    target = Path(target)
    if target.suffix.lower() != SUFFIX:
        raise InputError(f"数据包文件名应以 {SUFFIX} 结尾（如 {default_file_name(dataset.unit.code, dataset.unit.name, dataset.year)}）。")
    progress_step(progress, 0, 4, "审核")
    if submit and dataset.status != "submitted":
        refuse_unless_ready(dataset)
    findings = check_dataset(dataset)
    new_key = signing.load_key(dataset.unit.code) is None
    key = signing.unit_key(dataset.unit.code)
    fingerprint = signing.fingerprint(signing.public_raw(key.public_key()))
    progress_step(progress, 1, 4, "打印")
    buffer = io.BytesIO()
    # The packaged copy is the one signed on paper: with its cover (fingerprint, signatures).
    printed = build_document(dataset, buffer, fingerprint=fingerprint, cover=True)
    progress_step(progress, 2, 4, "打包")
    document = export_document(dataset)
    if submit:
        document["status"] = "submitted"
    audit = audit_document(dataset.store, dataset.unit.code, dataset.year)
    temp = target.with_name(f".{target.name}.new")
    _fingerprint, sha = write_package(temp, document=document, audit=audit,
                                      findings=findings_document(dataset.unit.code, dataset.year, findings),
                                      pdf=buffer.getvalue(), key=key,
                                      comments=comments_document(dataset.store, dataset.unit.code, dataset.year))
    progress_step(progress, 3, 4, "上报" if submit else "保存")
    put_in_place(dataset, temp, target, submit)
    progress_step(progress, 4, 4, "完成")
    errors = sum(1 for finding in findings if finding.severity == "error")
    return PackageResult(target, fingerprint, sha, document["status"], errors, len(findings) - errors, printed.pages,
                         new_key)
