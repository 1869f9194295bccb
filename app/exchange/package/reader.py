"""Reading a package: every check before anything is looked at.

The file and member size bounds, the member names (no paths, no duplicates, nothing unexpected), the
signature over the manifest, the format version, and every member's checksum — each member is
decompressed with a cap, so a zip bomb stops at the bound. Older format versions are migrated here.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.base.errors import ConflictError, InputError
from app.base.paths import readable
from app.base.textcheck import read_bounded
from app.exchange import signing
from app.exchange.package.spec import (
    ALL_MEMBERS,
    CONSOLIDATION,
    CONTENT_MEMBERS,
    DATASET,
    EMBEDDED_MEMBER,
    KIND_DEPARTMENT,
    KIND_UNIT,
    MANIFEST,
    MAX_EMBEDDED_UNITS,
    MAX_PACKAGE_BYTES,
    MAX_TOTAL_BYTES,
    OPTIONAL_MEMBERS,
    PACKAGE_FORMAT,
    PACKAGE_FORMAT_VERSION,
    SIGNATURE,
    digest,
    member_bound,
    parse_json,
    refuse,
)

_CHUNK = 64 * 1024  # bytes decompressed at a time

@dataclass
class VerifiedPackage:
    path: Path
    sha256: str
    manifest: dict[str, Any]
    members: dict[str, bytes]
    public_key: bytes
    fingerprint: str
    data: bytes = field(default=b"", repr=False)  # the whole file as read and checked (kept in package_file)

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind", KIND_UNIT))

    @property
    def unit_code(self) -> str:
        return str(self.manifest["unit"]["code"])

    @property
    def unit_name(self) -> str:
        return str(self.manifest["unit"]["name"])

    @property
    def year(self) -> int:
        return int(self.manifest["year"])


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: list[int]) -> bytes:
    """A member's bytes, decompressed in chunks and stopped at its declared size and its bound."""
    bound = min(member_bound(info.filename), info.file_size, budget[0])
    data = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                data += chunk
                if len(data) > bound:
                    raise refuse(path, f"中的 {info.filename} 解压后超过允许的大小（疑似压缩炸弹），")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise refuse(path, f"已损坏（{info.filename} 无法解压），") from None
    budget[0] -= len(data)
    return bytes(data)


def _check_names(infos: list[zipfile.ZipInfo], path: Path) -> dict[str, zipfile.ZipInfo]:
    names = [info.filename for info in infos]
    for name in names:
        if (name.startswith(("/", "\\")) or "\\" in name or "/" in name or ".." in name.split("/")
                or re.match(r"^[A-Za-z]:", name)):
            raise refuse(path, f"含有越出数据包的路径或绝对路径“{name}”，")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise refuse(path, f"含有重复的成员“{'、'.join(duplicates)}”，")
    unexpected = [name for name in names if name not in (*ALL_MEMBERS, *OPTIONAL_MEMBERS, CONSOLIDATION)
                  and not EMBEDDED_MEMBER.match(name)]
    if unexpected:
        raise refuse(path, f"含有不应有的成员“{'、'.join(unexpected[:5])}”，")
    missing = [name for name in (MANIFEST, SIGNATURE) if name not in names]
    if missing:
        raise refuse(path, f"缺少{'、'.join(missing)}，不是完整的 BudgetDesk 数据包，")
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise refuse(path, f"中的 {info.filename} 被加密，")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse(path, f"中的 {info.filename} 使用了不支持的压缩方式，")
        if info.file_size > member_bound(info.filename):
            raise refuse(path, f"中的 {info.filename} 超过允许的大小（{info.file_size} 字节），")
        declared += info.file_size
    if declared > MAX_TOTAL_BYTES:
        raise refuse(path, "解压后的总大小超过允许的上限（疑似压缩炸弹），")
    return {info.filename: info for info in infos}


# Migrations of older package formats: version → function turning (manifest, members) of that
# version into the next one. Version 2 added ``kind`` (a version-1 package is a unit's package).
Migration = Callable[[dict[str, Any], dict[str, bytes]], tuple[dict[str, Any], dict[str, bytes]]]


def _from_version_1(manifest: dict[str, Any], members: dict[str, bytes]) -> tuple[dict[str, Any], dict[str, bytes]]:
    return {**manifest, "format_version": 2, "kind": KIND_UNIT}, members


MIGRATIONS: dict[int, Migration] = {1: _from_version_1}


def _migrate(manifest: dict[str, Any], members: dict[str, bytes],
             path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    version = manifest["format_version"]
    while version < PACKAGE_FORMAT_VERSION:
        migration = MIGRATIONS.get(version)
        if migration is None:
            raise refuse(path, f"的格式版本 {version} 过旧，本软件无法读取，")
        manifest, members = migration(manifest, members)
        if manifest.get("format_version") != version + 1:
            raise refuse(path, f"的格式版本 {version} 无法升级，")
        version += 1
    return manifest, members


def _check_manifest(manifest: object, path: Path) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != PACKAGE_FORMAT:
        raise refuse(path, "不是 BudgetDesk 数据包（清单格式不符），")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise refuse(path, "的清单缺少格式版本，")
    if version > PACKAGE_FORMAT_VERSION:
        raise refuse(path, f"的格式版本为 {version}，由更新版本的软件（{manifest.get('program_version', '?')}）制作；"
                            f"本软件只能读取版本 {PACKAGE_FORMAT_VERSION} 及以前的数据包，请升级 BudgetDesk 后再导入，")
    unit = manifest.get("unit")
    if (not isinstance(unit, dict) or not isinstance(unit.get("code"), str) or not isinstance(unit.get("name"), str)
            or not isinstance(manifest.get("year"), int) or not isinstance(manifest.get("members"), list)):
        raise refuse(path, "的清单不完整（缺少单位、年度或成员清单），")
    kind = manifest.get("kind", KIND_UNIT)
    if kind not in (KIND_UNIT, KIND_DEPARTMENT) or (version < 2 and "kind" in manifest):
        raise refuse(path, "的清单中数据包种类不明，")


def _allowed_members(manifest: dict[str, Any]) -> set[str] | None:
    """The content members a manifest may list (None: any embedded unit package too)."""
    return None if manifest.get("kind") == KIND_DEPARTMENT else set(CONTENT_MEMBERS)


def open_package(path: str | Path) -> VerifiedPackage:
    """Read and verify a package completely; raises InputError (Chinese) on any fault. The file is read by
    the one bounded reader: a folder, a device or a FIFO, an empty file and one over the size bound are
    refused in the words every other file gets (UnreadableFileError for the first three)."""
    path = Path(path)
    raw = read_bounded(path, MAX_PACKAGE_BYTES, "数据包")
    return verify_bytes(raw, path)


def verify_bytes(raw: bytes, path: Path, *, budget: list[int] | None = None) -> VerifiedPackage:
    """Every check of ``open_package`` on a package's bytes (``path`` names it in messages; an
    embedded unit package of a department package is checked this way). ``budget``: the bytes
    still allowed to be decompressed, shared by the caller across several packages."""
    if len(raw) > MAX_PACKAGE_BYTES:
        raise refuse(path, f"过大（{len(raw)} 字节），不是正常的数据包，")
    sha = digest(raw)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        raise refuse(path, "不是有效的数据包，或文件已损坏、不完整（可能复制时中断），") from None
    with archive:
        infos = _check_names(archive.infolist(), path)
        budget = budget if budget is not None else [MAX_TOTAL_BYTES]
        signature_bytes = _read_member(archive, infos[SIGNATURE], path, budget)
        manifest_bytes = _read_member(archive, infos[MANIFEST], path, budget)
        signature = parse_json(signature_bytes, path, SIGNATURE)
        if not isinstance(signature, dict):
            raise signing_error(path)
        try:
            public_key = signing.verify(signature, manifest_bytes)
        except InputError:
            raise signing_error(path) from None
        manifest = parse_json(manifest_bytes, path, MANIFEST)
        _check_manifest(manifest, path)
        listed: dict[str, dict[str, Any]] = {}
        allowed = _allowed_members(manifest)
        for entry in manifest["members"]:
            name = entry.get("name") if isinstance(entry, dict) else None
            if (not isinstance(name, str) or name in listed or name in (MANIFEST, SIGNATURE)
                    or not (name in (*CONTENT_MEMBERS, *OPTIONAL_MEMBERS) if allowed is not None
                            else name in (*CONTENT_MEMBERS, *OPTIONAL_MEMBERS, CONSOLIDATION)
                            or EMBEDDED_MEMBER.match(name))):
                raise refuse(path, "的清单列出了不应有的成员，")
            listed[name] = entry
        if sum(1 for name in listed if EMBEDDED_MEMBER.match(name)) > MAX_EMBEDDED_UNITS:
            raise refuse(path, f"所含所属单位超过 {MAX_EMBEDDED_UNITS} 个，")
        present = set(infos) - {MANIFEST, SIGNATURE}
        if set(listed) != present:
            missing = sorted(set(listed) - present)
            extra = sorted(present - set(listed))
            detail = (f"缺少 {'、'.join(missing)}" if missing else "") + (f"多出 {'、'.join(extra)}" if extra else "")
            raise refuse(path, f"与其清单不符（{detail}），")
        members: dict[str, bytes] = {}
        for name in [*(n for n in CONTENT_MEMBERS if n in listed), *sorted(n for n in listed if n not in CONTENT_MEMBERS)]:
            data = _read_member(archive, infos[name], path, budget)
            entry = listed[name]
            if len(data) != entry.get("size") or digest(data) != entry.get("sha256"):
                raise refuse(path, f"中的 {name} 与清单中的校验值不符（文件被改动或损坏），")
            members[name] = data
    manifest, members = _migrate(manifest, members, path)
    if DATASET not in members:
        raise refuse(path, "缺少 dataset.json，")
    # Everything is read: from here on the path only names the file, readably (a GBK name from a USB stick).
    return VerifiedPackage(Path(readable(path)), sha, manifest, members, public_key, signing.fingerprint(public_key),
                           raw)


def signing_error(path: Path) -> InputError:
    return refuse(path, "的签名无效：清单与签名不符，文件可能被改动过，")


def dataset_document(package: VerifiedPackage) -> dict[str, Any]:
    """The package's ``dataset.json``, checked to be the unit's and year's its manifest names."""
    document = parse_json(package.members[DATASET], package.path, DATASET)
    if not isinstance(document, dict) or not isinstance(document.get("unit"), dict):
        raise refuse(package.path, "中的 dataset.json 不是 BudgetDesk 数据交换文件，")
    if document["unit"].get("code") != package.unit_code or document.get("year") != package.year:
        raise refuse(package.path, "中的数据与清单中的单位或年度不一致，")
    return document


def check_expected(package: VerifiedPackage, unit: str | None, year: int | None) -> None:
    """Refuse a package of another unit or year than the one the caller expects (None: any)."""
    if unit is not None and package.unit_code != unit:
        raise ConflictError(f"数据包“{package.path.name}”是单位 {package.unit_code} {package.unit_name} 的，"
                            f"不是预期的单位 {unit}，未导入。")
    if year is not None and package.year != year:
        raise ConflictError(f"数据包“{package.path.name}”是 {package.year} 年度的，不是预期的 {year} 年度，未导入。")
