"""The USB data package (``.bdp``): one unit's budget for one year, signed, as handed to the bureau.

A package is a zip of exactly these members::

    manifest.json   format version, program version, unit, year, created (UTC), status, editions,
                    and the SHA-256 and size of every other member
    signature.json  Ed25519 signature over the manifest bytes, with the raw public key
    dataset.json    the interchange document (app.exchange.interchange, with 说明 and 情况说明 edits)
    audit.json      the audit trail of the dataset
    findings.json   the 审核 findings when it was packed
    budget.pdf      the printed document (its cover and 批复表 carry the key's fingerprint)

Reading a package checks, before anything else is looked at: the file and member size bounds,
the member names (no paths, no duplicates, nothing unexpected), the signature over the manifest,
the format version, and every member's checksum — each member is decompressed with a cap, so a
zip bomb stops at the bound. Only then is the dataset document parsed, checked against the unit
and year expected, against the key the bureau trusts for the unit, and written through
``app.exchange.interchange.import_document`` in one transaction.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app import __version__ as APP_VERSION
from app.base.clock import now_utc
from app.base.errors import BudgetDeskError, ConflictError, InputError, NotFoundError
from app.base.paths import readable, resource
from app.base.progress import Progress
from app.base.progress import step as progress_step
from app.domain.records import STATUS_NAMES
from app.exchange import signing
from app.store.audit import os_user
from db import models

PACKAGE_FORMAT = "budgetdesk.package"
PACKAGE_FORMAT_VERSION = 2  # the newest this program reads (2: ``kind``, and department packages)
UNIT_FORMAT_VERSION = 1  # a unit package is still written as version 1, so earlier programs read it
KIND_UNIT, KIND_DEPARTMENT = "unit", "department"
SUFFIX = ".bdp"

MANIFEST, SIGNATURE = "manifest.json", "signature.json"
DATASET, AUDIT, FINDINGS, PDF = "dataset.json", "audit.json", "findings.json", "budget.pdf"
CONTENT_MEMBERS = (DATASET, AUDIT, FINDINGS, PDF)
ALL_MEMBERS = (MANIFEST, SIGNATURE, *CONTENT_MEMBERS)
# Optional members: present only when there is something to carry, so a package without them is
# exactly what older programs write and read. comments.json: the unit's answers to 批注 (app.bureau.comments).
COMMENTS = "comments.json"
OPTIONAL_MEMBERS = (COMMENTS,)
# A department package (app.bureau.hierarchy) adds the 汇总 and each 所属单位's original package, unchanged.
CONSOLIDATION = "consolidation.json"
EMBEDDED_MEMBER = re.compile(r"^unit-[0-9]{3}\.bdp$")
MAX_EMBEDDED_UNITS = 500

# Bounds (bytes). A seed-004-sized package is about 0.3 MB; these leave room for a large
# department with hundreds of projects and still stop a zip bomb long before memory runs out.
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_MEMBER_BYTES = {
    MANIFEST: 1024 * 1024,
    SIGNATURE: 64 * 1024,
    DATASET: 64 * 1024 * 1024,
    AUDIT: 64 * 1024 * 1024,
    FINDINGS: 16 * 1024 * 1024,
    PDF: 128 * 1024 * 1024,
    COMMENTS: 8 * 1024 * 1024,
    CONSOLIDATION: 64 * 1024 * 1024,
}


def _member_bound(name: str) -> int:
    """A member's size bound; an embedded unit package has the bound of a package file."""
    return MAX_MEMBER_BYTES.get(name) or MAX_PACKAGE_BYTES
_CHUNK = 64 * 1024


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def default_file_name(unit_code: str, unit_name: str, year: int) -> str:
    """``359_秦皇岛经济技术开发区融媒体中心_2023_部门预算.bdp`` (characters a file system refuses are dropped)."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "", f"{unit_code}_{unit_name}_{year}_部门预算")
    return name + SUFFIX


def editions(code_editions: dict[str, str]) -> dict:
    """What the package was made with: a digest of the form definitions, the rule files' editions
    with a digest, and the code editions of the year."""
    def tree_digest(folder: str) -> str:
        digest = hashlib.sha256()
        for path in sorted(resource(folder).glob("*.json")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    rule_editions = []
    for path in sorted(resource("rules").glob("*.json")):
        with open(path, encoding="utf-8") as handle:
            rule_editions.append(f"{path.stem}:{json.load(handle).get('edition', '')}")
    return {"forms": tree_digest("forms"), "rules": {"files": rule_editions, "digest": tree_digest("rules")},
            "codes": dict(code_editions)}


# ---- writing -----------------------------------------------------------------------------------
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


def audit_document(store, unit_code: str, year: int) -> dict:
    """The dataset's audit trail as ``{"unit","year","changes":[…]}`` (the ``history --json`` shape)."""
    from app.store.audit import history_document

    return history_document(store, unit_code, year)


def findings_document(unit_code: str, year: int, findings) -> dict:
    errors = sum(1 for finding in findings if finding.severity == "error")
    return {"unit": unit_code, "year": year, "errors": errors, "warnings": len(findings) - errors,
            "findings": [finding.to_dict() for finding in findings]}


def write_package(target: Path, *, document: dict, audit: dict, findings: dict, pdf: bytes, key,
                  created: datetime | None = None, comments: dict | None = None, extra: dict[str, bytes] | None = None,
                  manifest_extra: dict | None = None) -> tuple[str, str]:
    """Write the members, the manifest and its signature to ``target``; returns (fingerprint, sha256).
    ``extra`` members and ``manifest_extra`` fields make a department package (app.bureau.hierarchy)."""
    members = {DATASET: _json_bytes(document), AUDIT: _json_bytes(audit), FINDINGS: _json_bytes(findings), PDF: pdf}
    if comments is not None and comments.get("comments"):
        members[COMMENTS] = _json_bytes(comments)
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
        "members": [{"name": name, "sha256": _digest(data), "size": len(data)} for name, data in members.items()],
        **(manifest_extra or {}),
    }
    manifest_bytes = _json_bytes(manifest)
    signature = signing.sign(key, manifest_bytes)
    stamp = created.timetuple()[:6]
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".bdp-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for name, data in ((MANIFEST, manifest_bytes), (SIGNATURE, _json_bytes(signature)), *members.items()):
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


def refuse_unless_ready(dataset, who: str = "") -> None:
    """上报 needs no 错误 and a 说明 for every 提示: otherwise a refusal listing them (``who``: 本级 …)."""
    from app.checks.rules import SEVERITY_NAMES, submission_blockers

    blockers = submission_blockers(dataset)
    if blockers:
        lines = [f"[{SEVERITY_NAMES[f.severity]}] {f.rule} {f.message}"
                 + ("" if f.severity == "error" else "（缺少说明）") for f in blockers]
        raise ConflictError(f"{who}还有 {len(blockers)} 条审核问题未处理，不能上报：\n" + "\n".join(lines))


def put_in_place(dataset, temp: Path, target: Path, submit: bool) -> None:
    """The written package becomes ``target`` only after a 上报 went through (the core checks again and
    records it); on any failure the temporary file goes and nothing is left half-written."""
    try:
        if submit and dataset.status != "submitted":
            dataset.set_status("submitted")
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_package(dataset, target: str | Path, *, submit: bool = False,
                   progress: Progress | None = None) -> PackageResult:
    """Pack a dataset. With ``submit`` the checks must pass (no 错误, every 提示 with its 说明); the
    dataset is marked 已上报 through the core and the package says so. Nothing is written on refusal."""
    from app.checks.rules import check_dataset
    from app.exchange.interchange import export_document
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
    from app.bureau.comments import comments_document

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


# ---- reading and verifying ------------------------------------------------------------------------
@dataclass
class VerifiedPackage:
    path: Path
    sha256: str
    manifest: dict
    members: dict[str, bytes]
    public_key: bytes
    fingerprint: str
    data: bytes = field(default=b"", repr=False)  # the whole file as read and checked (kept in package_file)

    @property
    def kind(self) -> str:
        return self.manifest.get("kind", KIND_UNIT)

    @property
    def unit_code(self) -> str:
        return self.manifest["unit"]["code"]

    @property
    def unit_name(self) -> str:
        return self.manifest["unit"]["name"]

    @property
    def year(self) -> int:
        return self.manifest["year"]


def _refuse(path: Path, text: str) -> InputError:
    return InputError(f"数据包“{readable(path.name)}”{text}未导入。")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: list[int]) -> bytes:
    """A member's bytes, decompressed in chunks and stopped at its declared size and its bound."""
    bound = min(_member_bound(info.filename), info.file_size, budget[0])
    data = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                data += chunk
                if len(data) > bound:
                    raise _refuse(path, f"中的 {info.filename} 解压后超过允许的大小（疑似压缩炸弹），")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise _refuse(path, f"已损坏（{info.filename} 无法解压），") from None
    budget[0] -= len(data)
    return bytes(data)


def _check_names(infos: list[zipfile.ZipInfo], path: Path) -> dict[str, zipfile.ZipInfo]:
    names = [info.filename for info in infos]
    for name in names:
        if (name.startswith(("/", "\\")) or "\\" in name or "/" in name or ".." in name.split("/")
                or re.match(r"^[A-Za-z]:", name)):
            raise _refuse(path, f"含有越出数据包的路径或绝对路径“{name}”，")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise _refuse(path, f"含有重复的成员“{'、'.join(duplicates)}”，")
    unexpected = [name for name in names if name not in (*ALL_MEMBERS, *OPTIONAL_MEMBERS, CONSOLIDATION)
                  and not EMBEDDED_MEMBER.match(name)]
    if unexpected:
        raise _refuse(path, f"含有不应有的成员“{'、'.join(unexpected[:5])}”，")
    missing = [name for name in (MANIFEST, SIGNATURE) if name not in names]
    if missing:
        raise _refuse(path, f"缺少{'、'.join(missing)}，不是完整的 BudgetDesk 数据包，")
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse(path, f"中的 {info.filename} 被加密，")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(path, f"中的 {info.filename} 使用了不支持的压缩方式，")
        if info.file_size > _member_bound(info.filename):
            raise _refuse(path, f"中的 {info.filename} 超过允许的大小（{info.file_size} 字节），")
        declared += info.file_size
    if declared > MAX_TOTAL_BYTES:
        raise _refuse(path, "解压后的总大小超过允许的上限（疑似压缩炸弹），")
    return {info.filename: info for info in infos}


def _parse_json(data: bytes, path: Path, member: str):
    try:
        return json.loads(data.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _refuse(path, f"中的 {member} 不是有效的 JSON，") from None


# Migrations of older package formats: version → function turning (manifest, members) of that
# version into the next one. Version 2 added ``kind`` (a version-1 package is a unit's package).
Migration = Callable[[dict, dict[str, bytes]], tuple[dict, dict[str, bytes]]]


def _from_version_1(manifest: dict, members: dict[str, bytes]) -> tuple[dict, dict[str, bytes]]:
    return {**manifest, "format_version": 2, "kind": KIND_UNIT}, members


MIGRATIONS: dict[int, Migration] = {1: _from_version_1}


def _migrate(manifest: dict, members: dict[str, bytes], path: Path) -> tuple[dict, dict[str, bytes]]:
    version = manifest["format_version"]
    while version < PACKAGE_FORMAT_VERSION:
        migration = MIGRATIONS.get(version)
        if migration is None:
            raise _refuse(path, f"的格式版本 {version} 过旧，本软件无法读取，")
        manifest, members = migration(manifest, members)
        if manifest.get("format_version") != version + 1:
            raise _refuse(path, f"的格式版本 {version} 无法升级，")
        version += 1
    return manifest, members


def _check_manifest(manifest, path: Path) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != PACKAGE_FORMAT:
        raise _refuse(path, "不是 BudgetDesk 数据包（清单格式不符），")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise _refuse(path, "的清单缺少格式版本，")
    if version > PACKAGE_FORMAT_VERSION:
        raise _refuse(path, f"的格式版本为 {version}，由更新版本的软件（{manifest.get('program_version', '?')}）制作；"
                            f"本软件只能读取版本 {PACKAGE_FORMAT_VERSION} 及以前的数据包，请升级 BudgetDesk 后再导入，")
    unit = manifest.get("unit")
    if (not isinstance(unit, dict) or not isinstance(unit.get("code"), str) or not isinstance(unit.get("name"), str)
            or not isinstance(manifest.get("year"), int) or not isinstance(manifest.get("members"), list)):
        raise _refuse(path, "的清单不完整（缺少单位、年度或成员清单），")
    kind = manifest.get("kind", KIND_UNIT)
    if kind not in (KIND_UNIT, KIND_DEPARTMENT) or (version < 2 and "kind" in manifest):
        raise _refuse(path, "的清单中数据包种类不明，")


def _allowed_members(manifest: dict) -> set[str] | None:
    """The content members a manifest may list (None: any embedded unit package too)."""
    return None if manifest.get("kind") == KIND_DEPARTMENT else set(CONTENT_MEMBERS)


def open_package(path: str | Path) -> VerifiedPackage:
    """Read and verify a package completely; raises InputError (Chinese) on any fault."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"找不到数据包“{readable(path)}”。")
    size = path.stat().st_size
    if size > MAX_PACKAGE_BYTES:
        raise _refuse(path, f"过大（{size} 字节），不是正常的数据包，")
    with open(path, "rb") as handle:
        raw = handle.read()
    return verify_bytes(raw, path)


def verify_bytes(raw: bytes, path: Path, *, budget: list[int] | None = None) -> VerifiedPackage:
    """Every check of ``open_package`` on a package's bytes (``path`` names it in messages; an
    embedded unit package of a department package is checked this way). ``budget``: the bytes
    still allowed to be decompressed, shared by the caller across several packages."""
    if len(raw) > MAX_PACKAGE_BYTES:
        raise _refuse(path, f"过大（{len(raw)} 字节），不是正常的数据包，")
    sha = _digest(raw)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        raise _refuse(path, "不是有效的数据包，或文件已损坏、不完整（可能复制时中断），") from None
    with archive:
        infos = _check_names(archive.infolist(), path)
        budget = budget if budget is not None else [MAX_TOTAL_BYTES]
        signature_bytes = _read_member(archive, infos[SIGNATURE], path, budget)
        manifest_bytes = _read_member(archive, infos[MANIFEST], path, budget)
        signature = _parse_json(signature_bytes, path, SIGNATURE)
        if not isinstance(signature, dict):
            raise signing_error(path)
        try:
            public_key = signing.verify(signature, manifest_bytes)
        except InputError:
            raise signing_error(path) from None
        manifest = _parse_json(manifest_bytes, path, MANIFEST)
        _check_manifest(manifest, path)
        listed: dict[str, dict] = {}
        allowed = _allowed_members(manifest)
        for entry in manifest["members"]:
            name = entry.get("name") if isinstance(entry, dict) else None
            if (not isinstance(name, str) or name in listed or name in (MANIFEST, SIGNATURE)
                    or not (name in (*CONTENT_MEMBERS, *OPTIONAL_MEMBERS) if allowed is not None
                            else name in (*CONTENT_MEMBERS, *OPTIONAL_MEMBERS, CONSOLIDATION)
                            or EMBEDDED_MEMBER.match(name))):
                raise _refuse(path, "的清单列出了不应有的成员，")
            listed[name] = entry
        if sum(1 for name in listed if EMBEDDED_MEMBER.match(name)) > MAX_EMBEDDED_UNITS:
            raise _refuse(path, f"所含所属单位超过 {MAX_EMBEDDED_UNITS} 个，")
        present = set(infos) - {MANIFEST, SIGNATURE}
        if set(listed) != present:
            missing = sorted(set(listed) - present)
            extra = sorted(present - set(listed))
            detail = (f"缺少 {'、'.join(missing)}" if missing else "") + (f"多出 {'、'.join(extra)}" if extra else "")
            raise _refuse(path, f"与其清单不符（{detail}），")
        members: dict[str, bytes] = {}
        for name in [*(n for n in CONTENT_MEMBERS if n in listed), *sorted(n for n in listed if n not in CONTENT_MEMBERS)]:
            data = _read_member(archive, infos[name], path, budget)
            entry = listed[name]
            if len(data) != entry.get("size") or _digest(data) != entry.get("sha256"):
                raise _refuse(path, f"中的 {name} 与清单中的校验值不符（文件被改动或损坏），")
            members[name] = data
    manifest, members = _migrate(manifest, members, path)
    if DATASET not in members:
        raise _refuse(path, "缺少 dataset.json，")
    # Everything is read: from here on the path only names the file, readably (a GBK name from a USB stick).
    return VerifiedPackage(Path(readable(path)), sha, manifest, members, public_key, signing.fingerprint(public_key),
                           raw)


def signing_error(path: Path) -> InputError:
    return _refuse(path, "的签名无效：清单与签名不符，文件可能被改动过，")


# ---- trusted keys ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrustedKeyInfo:
    unit_code: str
    fingerprint: str
    status: str
    source: str
    reason: str
    created_at: datetime
    revoked_at: datetime | None
    revoked_reason: str


def _active_key(session, unit_code: str) -> models.TrustedKey | None:
    return session.scalar(select(models.TrustedKey).where(models.TrustedKey.unit_code == unit_code,
                                                          models.TrustedKey.status == "active"))


def trusted_keys(store, unit_code: str | None = None) -> list[TrustedKeyInfo]:
    with store.Session() as session:
        query = select(models.TrustedKey).order_by(models.TrustedKey.unit_code, models.TrustedKey.id)
        if unit_code is not None:
            query = query.where(models.TrustedKey.unit_code == unit_code)
        return [TrustedKeyInfo(row.unit_code, row.fingerprint, row.status, row.source, row.reason, row.created_at,
                               row.revoked_at, row.revoked_reason) for row in session.scalars(query)]


def trust_key(store, unit_code: str, fingerprint_text: str, *, replace: bool = False, reason: str = "") -> str:
    """Register a unit's key from the fingerprint typed off its signed paper; ``replace`` (with a
    reason) re-issues: the old key is kept as revoked with who, when and why."""
    fingerprint = signing.normalize_fingerprint(fingerprint_text)
    unit_code = (unit_code or "").strip()
    if not unit_code:
        raise InputError("请给出单位编码。")
    reason = (reason or "").strip()
    with store.write() as session:
        current = _active_key(session, unit_code)
        if current is not None and current.fingerprint == fingerprint:
            return fingerprint
        if current is not None and not replace:
            raise ConflictError(f"单位 {unit_code} 已登记密钥（指纹 {current.fingerprint}）；更换密钥请使用 --replace 并用 --reason 写明原因。")
        if current is not None and not reason:
            raise InputError("更换单位密钥必须写明原因（--reason），例如：原电脑损坏，密钥丢失。")
        now = now_utc(whole_seconds=True)
        if current is not None:
            current.status, current.revoked_at, current.revoked_reason = "revoked", now, reason
        session.add(models.TrustedKey(unit_code=unit_code, fingerprint=fingerprint, status="active",
                                      source="更换" if current is not None else "手工登记", reason=reason,
                                      os_user=os_user()[:100], created_at=now))
        store.event(session, "密钥", "数据包签名密钥", old=current.fingerprint if current is not None else None,
                    new=fingerprint + (f"（{reason}）" if reason else ""), unit_code=unit_code)
    return fingerprint


# ---- differences with what is stored ------------------------------------------------------------
@dataclass
class PackageDiff:
    cells: list[tuple[str, str, str, str | None, str | None]] = field(default_factory=list)
    projects_added: list[str] = field(default_factory=list)
    projects_removed: list[str] = field(default_factory=list)
    projects_changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    row_titles: dict[tuple[str, str], str] = field(default_factory=dict)  # (form, row) → 编码 科目名称 / 行名

    def is_empty(self) -> bool:
        return not (self.cells or self.projects_added or self.projects_removed or self.projects_changed
                    or self.notes or self.other)

    def lines(self, limit: int = 20) -> list[str]:
        from app.domain.forms import form_by_id

        out = [f"单元格：{len(self.cells)} 处不同" if self.cells else "单元格：相同"]
        for form, row, column, old, new in self.cells[:limit]:
            definition = form_by_id(form)
            place = self.row_titles.get((form, row), row)
            out.append(f"  《{definition.title}》{place} / {definition.column(column).title}：{old or '（空）'} → {new or '（空）'}")
        if len(self.cells) > limit:
            out.append(f"  ……另有 {len(self.cells) - limit} 处")
        def names(items: list[str]) -> str:  # project names may hold 、 themselves
            return "、".join(f"“{name}”" for name in items)

        if self.projects_added:
            out.append("新增项目：" + names(self.projects_added))
        if self.projects_removed:
            out.append("删除项目：" + names(self.projects_removed))
        if self.projects_changed:
            out.append("修改项目：" + names(self.projects_changed))
        if self.notes:
            out.append("说明/情况说明：" + "、".join(self.notes))
        out.extend(self.other)
        return out


def diff_documents(old: dict, new: dict, codes: dict | None = None) -> PackageDiff:
    """What importing ``new`` over ``old`` changes; ``codes`` (the year's code tables) names the rows."""
    diff = PackageDiff()
    old_values = {(v["form"], v["row"], v["column"]): v["value"] for v in old.get("values", [])}
    new_values = {(v["form"], v["row"], v["column"]): v["value"] for v in new.get("values", [])}
    for key in sorted(set(old_values) | set(new_values)):
        before, after = old_values.get(key), new_values.get(key)
        if before is None or after is None or Decimal(str(before)) != Decimal(str(after)):
            diff.cells.append((*key, None if before is None else str(before), None if after is None else str(after)))
    if codes is not None and diff.cells:
        from app.domain.compute import Workbook

        workbook = Workbook(codes)
        for form, row, _column, _old, _new in diff.cells:
            try:
                diff.row_titles[(form, row)] = workbook.row_title(form, row)
            except BudgetDeskError:
                pass
    old_projects = {p["name"]: p for p in old.get("projects", [])}
    new_projects = {p["name"]: p for p in new.get("projects", [])}
    diff.projects_added = [name for name in new_projects if name not in old_projects]
    diff.projects_removed = [name for name in old_projects if name not in new_projects]
    diff.projects_changed = [name for name in new_projects if name in old_projects
                             and _canonical(new_projects[name]) != _canonical(old_projects[name])]
    old_notes = {item["finding"]: item["text"] for item in old.get("explanations", [])}
    new_notes = {item["finding"]: item["text"] for item in new.get("explanations", [])}
    diff.notes = [f"说明 {key}" for key in sorted(set(old_notes) | set(new_notes)) if old_notes.get(key) != new_notes.get(key)]
    old_narr = {item["section"]: item["text"] for item in old.get("narrative", [])}
    new_narr = {item["section"]: item["text"] for item in new.get("narrative", [])}
    diff.notes += [f"情况说明 {key}" for key in sorted(set(old_narr) | set(new_narr)) if old_narr.get(key) != new_narr.get(key)]
    for part, title in (("overall_targets", "部门整体绩效目标"), ("procurement", "政府采购"), ("assets", "固定资产"),
                        ("rows", "增加的科目行"), ("unit", "单位信息"), ("money_unit", "金额单位")):
        if _canonical(old.get(part)) != _canonical(new.get(part)):
            diff.other.append(f"{title}：不同")
    return diff


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# ---- import ------------------------------------------------------------------------------------
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
    diff: PackageDiff | None = None
    answers: object | None = None  # app.bureau.comments.MergeResult: the 批注 answers the package carried
    units: list[ImportOutcome] = field(default_factory=list)  # a department package's 所属单位
    warnings_text: list[str] = field(default_factory=list)  # e.g. the 汇总 differs from the bureau's own


def _dataset_document(package: VerifiedPackage) -> dict:
    document = _parse_json(package.members[DATASET], package.path, DATASET)
    if not isinstance(document, dict) or not isinstance(document.get("unit"), dict):
        raise _refuse(package.path, "中的 dataset.json 不是 BudgetDesk 数据交换文件，")
    if document["unit"].get("code") != package.unit_code or document.get("year") != package.year:
        raise _refuse(package.path, "中的数据与清单中的单位或年度不一致，")
    return document


def _check_expected(package: VerifiedPackage, unit: str | None, year: int | None) -> None:
    if unit is not None and package.unit_code != unit:
        raise ConflictError(f"数据包“{package.path.name}”是单位 {package.unit_code} {package.unit_name} 的，"
                            f"不是预期的单位 {unit}，未导入。")
    if year is not None and package.year != year:
        raise ConflictError(f"数据包“{package.path.name}”是 {package.year} 年度的，不是预期的 {year} 年度，未导入。")


def _check_trust(store, package: VerifiedPackage) -> bool:
    """Refuse a package signed by a key other than the one trusted for its unit; True if none is yet."""
    with store.Session() as session:
        current = _active_key(session, package.unit_code)
        if current is None:
            return True
        if current.fingerprint != package.fingerprint:
            raise ConflictError(
                f"数据包“{package.path.name}”的签名密钥（指纹 {package.fingerprint}）与本局登记的单位 "
                f"{package.unit_code} 的密钥（指纹 {current.fingerprint}）不一致，未导入。\n"
                "如该单位确已更换密钥，请核对其签字盖章的纸质材料上的指纹后登记："
                f"budgetdesk trust --unit {package.unit_code} --fingerprint 新指纹 --replace --reason 原因")
    return False


class UntrustedKeyError(ConflictError):
    """A signing key seen for the first time that no person has confirmed: nothing was written.
    ``keys``: (unit code, unit name, fingerprint) of each, for the GUI's confirmation dialog."""

    def __init__(self, message: str, keys: list[tuple[str, str, str]]) -> None:
        super().__init__(message)
        self.keys = keys


def _operator_confirmed(unit_code: str, fingerprint: str) -> bool:
    """Whether a person confirmed a first-seen key by other means than ``trust_fingerprints``. Never, in
    the program: tests of unrelated behaviour replace this (tests/conftest.py)."""
    return False


def normalized_fingerprints(texts) -> set[str]:
    return {signing.normalize_fingerprint(text) for text in (texts or ())}


def require_confirmed(store, packages: list[VerifiedPackage], trust_fingerprints=(), *, where: str = "") -> list[bool]:
    """Every package's key is the one trusted for its unit, or (seen for the first time) one a person
    confirmed against the signed paper: ``trust_fingerprints`` (CLI ``--trust-fingerprint``, the GUI's
    dialog) or a ``trust`` entered beforehand. Returns, per package, whether its key is new."""
    confirmed = normalized_fingerprints(trust_fingerprints)
    first = [_check_trust(store, package) for package in packages]
    unconfirmed = [package for package, new in zip(packages, first, strict=True)
                   if new and package.fingerprint not in confirmed
                   and not _operator_confirmed(package.unit_code, package.fingerprint)]
    if unconfirmed:
        lines = "\n".join(f"  单位 {p.unit_code} {p.unit_name}：指纹 {p.fingerprint}" for p in unconfirmed)
        options = " ".join(f"--trust-fingerprint {p.fingerprint}" for p in unconfirmed)
        raise UntrustedKeyError(
            f"{where or f'数据包“{packages[0].path.name}”'}的签名密钥是第一次见到，本局尚未登记，未导入：\n{lines}\n"
            "请与该单位签字盖章的纸质材料上打印的指纹逐位核对；一致时再导入并确认指纹（命令行加 "
            f"{options}），或先登记：budgetdesk trust --unit 单位编码 --fingerprint 指纹。",
            [(p.unit_code, p.unit_name, p.fingerprint) for p in unconfirmed])
    return first


def existing_document(store, unit_code: str, year: int) -> dict | None:
    from app.exchange.interchange import export_document

    try:
        dataset = store.open_dataset(unit_code, year)
    except NotFoundError:
        return None
    return export_document(dataset)


def _claim_trust(store, package: VerifiedPackage, trust_fingerprints=()) -> int | None:
    """Check the package's key against the unit's trusted key, in a transaction of its own, before
    any data is written. On first receipt the key is registered now (returns the new row's id, so a
    failed import can release it); the unique index on a unit's active key makes two staff importing
    two differently-signed first packages at once end with one trusted key and one refusal."""
    import base64

    from sqlalchemy.exc import IntegrityError

    encoded = base64.b64encode(package.public_key).decode("ascii")
    try:
        with store.write() as session:
            current = _active_key(session, package.unit_code)
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
                raise ConflictError(
                    f"数据包“{package.path.name}”的签名密钥（指纹 {package.fingerprint}）与本局登记的单位 "
                    f"{package.unit_code} 的密钥（指纹 {current.fingerprint}）不一致，未导入。\n"
                    "如该单位确已更换密钥，请核对其签字盖章的纸质材料上的指纹后登记："
                    f"budgetdesk trust --unit {package.unit_code} --fingerprint 新指纹 --replace --reason 原因")
            if not current.public_key:
                current.public_key = encoded  # trusted from a typed fingerprint: now the key itself is known
            return None
    except IntegrityError:
        # a colleague registered the key at the same moment: if it came with this very package, say so
        _refuse_if_received(store, package, since=datetime.min)
        raise ConflictError(f"单位 {package.unit_code} 的密钥正由另一位工作人员同时登记，未导入；请稍后重试。") from None


def _record(store, package: VerifiedPackage, errors: int, warnings: int, status: str, *, session=None,
            file_name: str | None = None) -> models.ReceivedPackage:
    """The received_package row, and the package's bytes beside it (package_file)."""
    if session is None:
        with store.write() as session:
            return _record(store, package, errors, warnings, status, session=session, file_name=file_name)
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


def _import_document(store, document: dict, replace: bool, backup: bool = True, package: VerifiedPackage | None = None):
    from app.exchange.interchange import import_document

    note = ""
    if package is not None:
        note = (f"{'重新上报：以' if replace else '接收'}数据包 {package.path.name}（制作于 {package.manifest.get('created', '?')}，"
                f"SHA-256 {package.sha256[:12]}…）" + ("覆盖全部数据" if replace else ""))
    return import_document(store, document, replace=replace, source="重新上报" if replace else "导入", backup=backup,
                           note=note)


@dataclass
class PackagePreview:
    """What a verified package holds and how it differs from the stored dataset (None: not stored yet)."""

    package: VerifiedPackage
    first_trust: bool
    diff: PackageDiff | None
    department: object | None = None  # app.bureau.hierarchy.DepartmentPreview of a department package

    @property
    def needs_replace(self) -> bool:
        return self.diff is not None or bool(self.department is not None and self.department.existing)


def preview_package(store, path: str | Path, *, expected_unit: str | None = None,
                    expected_year: int | None = None) -> PackagePreview:
    """Every check of an import that needs no writing: the GUI shows this and asks before importing."""
    package = open_package(path)
    _check_expected(package, expected_unit, expected_year)
    if package.kind == KIND_DEPARTMENT:
        from app.bureau.hierarchy import preview_department

        return preview_department(store, package)
    first_trust = _check_trust(store, package)
    document = _dataset_document(package)
    old = existing_document(store, package.unit_code, package.year)
    diff = diff_documents(old, document, store.code_tables(package.year)) if old is not None else None
    return PackagePreview(package, first_trust, diff)


def _refuse_if_received(store, package: VerifiedPackage, since: datetime | None = None) -> None:
    """The very same file (by SHA-256) was received already: by a colleague importing the same folder at the
    same time (received after ``since``, when this folder import started), or before."""
    with store.Session() as session:
        received = session.scalar(select(models.ReceivedPackage).where(
            models.ReceivedPackage.unit_code == package.unit_code, models.ReceivedPackage.year == package.year,
            models.ReceivedPackage.sha256 == package.sha256).limit(1))
    if received is not None:
        from app.store.service import ImportedByOtherError

        when = received.received_at.strftime("%Y-%m-%d %H:%M:%S") if received.received_at else "?"
        if since is not None and received.received_at is not None and received.received_at >= since:
            raise ImportedByOtherError(f"数据包“{package.path.name}”已由其他用户导入（{received.os_user or '?'}，"
                                       f"{when} UTC），跳过。")
        raise ImportedByOtherError(f"数据包“{package.path.name}”此前已导入（{received.os_user or '?'} 于 {when} UTC "
                                   "接收），未再导入。")


def _check_not_older(store, package: VerifiedPackage) -> None:
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
        raise ConflictError(f"数据包“{package.path.name}”制作于 {created}，早于已接收的数据包“{last.file_name}”"
                            f"（制作于 {last.created}），未导入。如确认要以较早的数据包为准，请加 --force。")


def import_package(store, path: str | Path, *, expected_unit: str | None = None, expected_year: int | None = None,
                   replace: bool = False, confirm: Callable[[PackageDiff], bool] | None = None,
                   backup: bool = True, force: bool = False, trust_fingerprints=(),
                   batch_started: datetime | None = None) -> ImportOutcome:
    """Verify a package and write its dataset in one transaction.

    If the unit and year exist already, the differences are computed; without ``replace`` (or a
    ``confirm`` callback that accepts them) the import is refused with the differences listed. A
    package made before the one last received is refused unless ``force``. The file is kept
    (``app.exchange.resubmission.package_history``); a replacing import is audited as 重新上报.
    """
    package = open_package(path)
    _check_expected(package, expected_unit, expected_year)
    if package.kind == KIND_DEPARTMENT:  # the 部门, its 所属单位 and the 汇总, all or nothing
        from app.bureau.hierarchy import import_department

        return import_department(store, package, replace=replace, backup=backup,
                                 trust_fingerprints=trust_fingerprints)
    require_confirmed(store, [package], trust_fingerprints)
    if not replace and batch_started is not None:  # a folder: a colleague may be importing it too
        _refuse_if_received(store, package, batch_started)
    document = _dataset_document(package)
    old = existing_document(store, package.unit_code, package.year)
    diff = diff_documents(old, document, store.code_tables(package.year)) if old is not None else None
    if diff is not None and not force:
        _check_not_older(store, package)
    if diff is not None and not replace:
        if confirm is None or not confirm(diff):
            raise ConflictError(
                f"单位 {package.unit_code} {package.unit_name} 的 {package.year} 年度预算已存在，与数据包的差异：\n"
                + "\n".join(diff.lines()) + "\n逐表查看差异请用 --diff；以数据包覆盖全部请用 --replace；只取部分表请用 --merge 表,表。")
    answers = _package_comments(package)  # checked before anything is written
    if backup:
        from app.store.backup import backup_before

        backup_before(store, "replace" if diff is not None else "import")
    received = receive(store, package, answers, lambda: _import_document(
        store, document, replace=diff is not None, backup=False, package=package), trust_fingerprints)
    dataset, findings, first_trust, merged = received
    errors = sum(1 for finding in findings if finding.severity == "error")
    return ImportOutcome(package.unit_code, package.unit_name, package.year, package.fingerprint, first_trust,
                         diff is not None, dataset.status, errors, len(findings) - errors, diff, merged)


def receive(store, package: VerifiedPackage, answers, write_dataset: Callable, trust_fingerprints=()):
    """Receive a checked package in ONE transaction: the key's registration (first receipt), the dataset
    (``write_dataset``), the receipt with its 审核 counts, the kept file, the 批注 answers and every audit
    row commit together or not at all. Returns (dataset, findings, first_trust, merged answers)."""
    from app.checks.rules import check_dataset

    with store.transaction():
        claimed = _claim_trust(store, package, trust_fingerprints)
        store.step("package:trust")
        dataset = write_dataset()
        store.step("package:dataset")
        findings = check_dataset(dataset)
        errors = sum(1 for finding in findings if finding.severity == "error")
        _record(store, package, errors, len(findings) - errors, dataset.status)
        store.step("package:receipt")
        merged = None
        if answers is not None:
            from app.bureau.comments import merge_comments

            merged = merge_comments(store, answers)
            store.step("package:comments")
    return dataset, findings, claimed is not None, merged


def _package_comments(package: VerifiedPackage):
    """The 批注 answers a package carries (``comments.json``), checked; None if it has none."""
    if COMMENTS not in package.members:
        return None
    from app.bureau.comments import COMMENTS_FORMAT, parse_comments

    document = _parse_json(package.members[COMMENTS], package.path, COMMENTS)
    if not isinstance(document, dict) or document.get("format") != COMMENTS_FORMAT \
            or document.get("unit") != package.unit_code or document.get("year") != package.year:
        raise _refuse(package.path, "中的 comments.json 不是本单位本年度的批注，")
    try:
        return parse_comments(document.get("comments"), package.unit_code, package.year)
    except InputError as exc:
        raise _refuse(package.path, f"中的批注有误（{exc}），") from None


@dataclass
class BatchResult:
    imported: list[ImportOutcome] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, Chinese reason)
    cancelled: bool = False  # 取消 between packages: those before stay imported, the rest untouched
    # packages refused only for a first-seen key (also in ``failed``): (file, [(unit, name, fingerprint)])
    untrusted: list[tuple[Path, list[tuple[str, str, str]]]] = field(default_factory=list)

    def untrusted_keys(self) -> list[tuple[str, str, str]]:
        """Each unconfirmed key once, for one 核对密钥指纹 dialog."""
        keys: dict[tuple[str, str], tuple[str, str, str]] = {}
        for _path, found in self.untrusted:
            for code, name, fingerprint in found:
                keys.setdefault((code, fingerprint), (code, name, fingerprint))
        return list(keys.values())

    def confirmed_retry(self, retried: BatchResult) -> BatchResult:
        """This folder's result after the packages waiting for their keys were imported again (``retried``)."""
        waiting = {readable(path.name) for path, _keys in self.untrusted}
        return BatchResult(imported=[*self.imported, *retried.imported],
                           failed=[item for item in self.failed if item[0] not in waiting] + retried.failed,
                           cancelled=self.cancelled or retried.cancelled, untrusted=retried.untrusted)


def import_packages(store, directory: str | Path, *, year: int | None = None, replace: bool = False,
                    progress: Progress | None = None, trust_fingerprints=(), only: list[Path] | None = None) -> BatchResult:
    """Every ``.bdp`` in a folder (``only``: just these of it): a bad package is reported and skipped, the
    rest go in. Packages refused only for a first-seen key are listed in ``untrusted`` too."""
    from app.base.errors import Cancelled

    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"找不到文件夹“{directory}”。")
    files = sorted(path for path in directory.iterdir() if path.suffix.lower() == SUFFIX and path.is_file())
    if only is not None:
        wanted = {Path(path).name for path in only}
        files = [path for path in files if path.name in wanted]
    if not files:
        raise InputError(f"文件夹“{directory}”中没有 {SUFFIX} 数据包。")
    result = BatchResult()
    started = now_utc(whole_seconds=True)  # a package received after this was imported by a colleague at the same time
    from app.store.backup import backup_before

    backup_before(store, "import")  # once for the whole folder, not once per package
    # A 所属单位 needs its 部门 in the database first; the folder's order is the file names', so a
    # unit refused only because its 部门 was not in yet is tried again once the others are in.
    waiting: list[tuple[Path, str]] = []
    for number, path in enumerate(files):
        try:
            progress_step(progress, number, len(files), readable(path.name))
        except Cancelled:
            result.cancelled = True
            return result
        try:
            result.imported.append(import_package(store, path, expected_year=year, replace=replace, backup=False,
                                                         trust_fingerprints=trust_fingerprints, batch_started=started))
        except NotFoundError as exc:
            if "上级单位" in str(exc):
                waiting.append((path, str(exc)))
            else:
                result.failed.append((readable(path.name), str(exc)))
        except UntrustedKeyError as exc:
            result.failed.append((readable(path.name), str(exc)))
            result.untrusted.append((path, exc.keys))
        except BudgetDeskError as exc:
            result.failed.append((readable(path.name), str(exc)))
        except OSError as exc:
            result.failed.append((readable(path.name), f"无法读取文件：{exc.strerror or exc}"))
    while waiting:
        retry, waiting = waiting, []
        for path, _message in retry:
            try:
                result.imported.append(import_package(store, path, expected_year=year, replace=replace, backup=False,
                                                         trust_fingerprints=trust_fingerprints, batch_started=started))
            except NotFoundError as exc:
                waiting.append((path, str(exc)))
            except UntrustedKeyError as exc:
                result.failed.append((readable(path.name), str(exc)))
                result.untrusted.append((path, exc.keys))
            except BudgetDeskError as exc:
                result.failed.append((readable(path.name), str(exc)))
        if len(waiting) == len(retry):  # no progress: the 部门 is not in this folder either
            result.failed.extend((readable(path.name), message) for path, message in waiting)
            break
    progress_step(progress, len(files), len(files), "完成")
    return result


# ---- the bureau's overview and 退回 ------------------------------------------------------------
@dataclass
class OverviewRow:
    unit_code: str
    unit_name: str
    parent_code: str | None
    year: int
    money_unit: str
    status: str
    received_at: datetime | None
    errors: int | None
    warnings: int | None
    fingerprint: str
    total: Decimal | None
    basic: Decimal | None
    project: Decimal | None
    returned: str = ""

    @property
    def status_name(self) -> str:
        if self.returned and self.status == "draft":
            return "已退回"
        return STATUS_NAMES.get(self.status, self.status)

    def to_dict(self) -> dict:
        from app.base.money import format_amount

        return {"unit": self.unit_code, "name": self.unit_name, "parent_code": self.parent_code, "year": self.year,
                "money_unit": self.money_unit, "status": self.status, "status_name": self.status_name,
                "received_at": self.received_at.isoformat() + "Z" if self.received_at else None,
                "errors": self.errors, "warnings": self.warnings, "fingerprint": self.fingerprint or None,
                "total": format_amount(self.total) or None, "basic": format_amount(self.basic) or None,
                "project": format_amount(self.project) or None, "return_reason": self.returned or None}


def overview(store, year: int) -> list[OverviewRow]:
    """Units × the year: status, the last package received, its check counts, the key, 总计/基本/项目."""
    from app.base.money import from_hundredths
    from app.domain.compute import Workbook
    from app.store.service import check_year

    check_year(year)
    codes = store.code_tables(year)
    with store.Session() as session:
        datasets = session.execute(select(models.Dataset, models.Unit).join(models.Unit)
                                   .where(models.Dataset.year == year).order_by(models.Unit.code)).all()
        cells: dict[int, dict] = {}
        for dataset_id, row, column, hundredths in session.execute(
                select(models.CellValue.dataset_id, models.CellValue.row_key, models.CellValue.column_key,
                       models.CellValue.hundredths)
                .join(models.Dataset).where(models.Dataset.year == year, models.CellValue.form == "expenditure_summary")):
            cells.setdefault(dataset_id, {})[("expenditure_summary", row, column)] = from_hundredths(hundredths)
        latest: dict[str, models.ReceivedPackage] = {}
        for received in session.scalars(select(models.ReceivedPackage).where(models.ReceivedPackage.year == year)
                                        .order_by(models.ReceivedPackage.id)):
            latest[received.unit_code] = received
        keys = {key.unit_code: key.fingerprint for key in session.scalars(
            select(models.TrustedKey).where(models.TrustedKey.status == "active"))}
        rows = []
        for dataset, unit in datasets:
            view = Workbook(codes, cells.get(dataset.id, {})).view("expenditure_summary")
            received = latest.get(unit.code)
            rows.append(OverviewRow(
                unit.code, unit.name, unit.parent.code if unit.parent is not None else None, year, dataset.money_unit, dataset.status,
                received.received_at if received else None, received.errors if received else None,
                received.warnings if received else None, keys.get(unit.code, received.fingerprint if received else ""),
                view.value("total", "total"), view.value("total", "basic"), view.value("total", "project"),
                received.return_reason if received is not None and received.status == "returned" else ""))
    return rows


def return_dataset(store, unit_code: str, year: int, reason: str) -> None:
    """退回: the dataset goes back to 编制中 with the bureau's written reason (recorded and audited)."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("退回必须写明原因（--reason）。")
    if len(reason) > 2000:
        raise InputError("退回原因不能超过 2000 字。")
    dataset = store.open_dataset(unit_code, year)
    if dataset.status != "submitted":
        raise ConflictError(f"单位 {unit_code} {dataset.unit.name} 的 {year} 年度预算不是已上报状态，无需退回。")
    with store.transaction():  # the status, its audit row and the receipt's 退回: one commit
        dataset.set_status("draft", reason=f"退回：{reason}")  # audited by the core
        now = now_utc(whole_seconds=True)
        with store.write() as session:
            received = session.scalar(select(models.ReceivedPackage).where(
                models.ReceivedPackage.unit_code == unit_code, models.ReceivedPackage.year == year)
                .order_by(models.ReceivedPackage.id.desc()).limit(1))
            if received is None:
                received = models.ReceivedPackage(unit_code=unit_code, year=year, received_at=now, sha256="",
                                                  fingerprint="", package_status="submitted", os_user=os_user()[:100])
                session.add(received)
            received.status, received.return_reason, received.returned_at = "returned", reason, now


__all__ = [
    "PACKAGE_FORMAT", "PACKAGE_FORMAT_VERSION", "BatchResult", "ImportOutcome", "OverviewRow", "PackageDiff",
    "PackageResult", "VerifiedPackage", "default_file_name", "diff_documents", "export_package", "import_package",
    "import_packages", "open_package", "overview", "return_dataset", "trust_key", "trusted_keys", "write_package",
]
