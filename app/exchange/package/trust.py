"""The unit keys the bureau trusts: registered from the fingerprint on a unit's signed paper, or on first
receipt once a person has confirmed that fingerprint; a re-issued key keeps the old one as revoked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.base.errors import ConflictError, InputError
from app.exchange import signing
from app.exchange.package.reader import VerifiedPackage
from app.store.audit import now_utc, os_user
from db import models

if TYPE_CHECKING:
    from app.store.service import Store

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


def active_key(session: Session, unit_code: str) -> models.TrustedKey | None:
    """The key trusted for a unit now (a unit has at most one active key)."""
    return session.scalar(select(models.TrustedKey).where(models.TrustedKey.unit_code == unit_code,
                                                          models.TrustedKey.status == "active"))


def trusted_keys(store: Store, unit_code: str | None = None) -> list[TrustedKeyInfo]:
    with store.Session() as session:
        query = select(models.TrustedKey).order_by(models.TrustedKey.unit_code, models.TrustedKey.id)
        if unit_code is not None:
            query = query.where(models.TrustedKey.unit_code == unit_code)
        return [TrustedKeyInfo(row.unit_code, row.fingerprint, row.status, row.source, row.reason, row.created_at,
                               row.revoked_at, row.revoked_reason) for row in session.scalars(query)]


def trust_key(store: Store, unit_code: str, fingerprint_text: str, *, replace: bool = False, reason: str = "") -> str:
    """Register a unit's key from the fingerprint typed off its signed paper; ``replace`` (with a
    reason) re-issues: the old key is kept as revoked with who, when and why."""
    fingerprint = signing.normalize_fingerprint(fingerprint_text)
    unit_code = (unit_code or "").strip()
    if not unit_code:
        raise InputError("请给出单位编码。")
    reason = (reason or "").strip()
    with store.write() as session:
        current = active_key(session, unit_code)
        if current is not None and current.fingerprint == fingerprint:
            return fingerprint
        if current is not None and not replace:
            raise KeyRegisteredError(f"单位 {unit_code} 已登记密钥（指纹 {current.fingerprint}）；更换密钥请使用 --replace 并用 --reason 写明原因。",
                                     f"单位 {unit_code} 已登记密钥（指纹 {current.fingerprint}）；如要更换，请勾选“更换已登记的密钥”并写明原因。")
        if current is not None and not reason:
            raise ReasonRequiredError("更换单位密钥必须写明原因（--reason），例如：原电脑损坏，密钥丢失。",
                                      "更换单位密钥必须写明原因，例如：原电脑损坏，密钥丢失。")
        now = now_utc(whole_seconds=True)
        if current is not None:
            current.status, current.revoked_at, current.revoked_reason = "revoked", now, reason
        session.add(models.TrustedKey(unit_code=unit_code, fingerprint=fingerprint, status="active",
                                      source="更换" if current is not None else "手工登记", reason=reason,
                                      os_user=os_user()[:100], created_at=now))
        store.event(session, "密钥", "数据包签名密钥", old=current.fingerprint if current is not None else None,
                    new=fingerprint + (f"（{reason}）" if reason else ""), unit_code=unit_code)
    return fingerprint


def check_trust(store: Store, package: VerifiedPackage) -> bool:
    """Refuse a package signed by a key other than the one trusted for its unit; True if none is yet."""
    with store.Session() as session:
        current = active_key(session, package.unit_code)
        if current is None:
            return True
        if current.fingerprint != package.fingerprint:
            raise KeyMismatchError.of(package, current.fingerprint)
    return False


class KeyRegisteredError(ConflictError):
    """登记 refused: the unit has a key already (更换 must be asked for). ``window_text`` says it with the
    dialog's words instead of the command line's options."""

    def __init__(self, message: str, window_text: str = "") -> None:
        super().__init__(message)
        self.window_text = window_text or message


class ReasonRequiredError(InputError):
    """更换 of a unit's key without a reason; ``window_text`` as for ``KeyRegisteredError``."""

    def __init__(self, message: str, window_text: str = "") -> None:
        super().__init__(message)
        self.window_text = window_text or message


class KeyMismatchError(ConflictError):
    """A package signed by another key than the one registered for its unit: nothing was written.
    The message names the command line's way out; a window says it in its own words from the fields
    (empty when the refusal was re-worded for a package inside a department's)."""

    def __init__(self, message: str, unit_code: str = "", unit_name: str = "", fingerprint: str = "",
                 registered: str = "") -> None:
        super().__init__(message)
        self.unit_code, self.unit_name, self.fingerprint, self.registered = unit_code, unit_name, fingerprint, registered

    @classmethod
    def of(cls, package: VerifiedPackage, registered: str) -> KeyMismatchError:
        return cls(f"数据包“{package.path.name}”的签名密钥（指纹 {package.fingerprint}）与本局登记的单位 "
                   f"{package.unit_code} 的密钥（指纹 {registered}）不一致，未导入。\n"
                   "如该单位确已更换密钥，请核对其签字盖章的纸质材料上的指纹后登记："
                   f"budgetdesk trust --unit {package.unit_code} --fingerprint 新指纹 --replace --reason 原因",
                   package.unit_code, package.unit_name, package.fingerprint, registered)


class UntrustedKeyError(ConflictError):
    """A signing key seen for the first time that no person has confirmed: nothing was written.
    ``keys``: (unit code, unit name, fingerprint) of each, for the GUI's confirmation dialog."""

    def __init__(self, message: str, keys: list[tuple[str, str, str]]) -> None:
        super().__init__(message)
        self.keys = keys


def operator_confirmed(unit_code: str, fingerprint: str) -> bool:
    """Whether a person confirmed a first-seen key by other means than ``trust_fingerprints``. Never, in
    the program: tests of unrelated behaviour replace this (tests/conftest.py); callers look it up on
    this module at call time so that the replacement is seen."""
    return False


class NormalizedFingerprints(frozenset):
    """Fingerprints already in their printed form: a folder of 500 packages checks each package's key
    against them twice, which must not normalise the whole list again each time."""


def normalized_fingerprints(texts: Iterable[str] | None) -> NormalizedFingerprints:
    if isinstance(texts, NormalizedFingerprints):
        return texts
    return NormalizedFingerprints(signing.normalize_fingerprint(text) for text in (texts or ()))


def confirmed_by_person(owner: str, fingerprint: str, trust_fingerprints: Iterable[str] = ()) -> bool:
    """A first-seen key a person confirmed: among ``trust_fingerprints`` (CLI, the GUI's dialog) or otherwise."""
    return fingerprint in normalized_fingerprints(trust_fingerprints) or operator_confirmed(owner, fingerprint)


def require_confirmed(store: Store, packages: list[VerifiedPackage], trust_fingerprints: Iterable[str] = (), *,
                      where: str = "") -> list[bool]:
    """Every package's key is the one trusted for its unit, or (seen for the first time) one a person
    confirmed against the signed paper: ``trust_fingerprints`` (CLI ``--trust-fingerprint``, the GUI's
    dialog) or a ``trust`` entered beforehand. Returns, per package, whether its key is new."""
    confirmed = trust_fingerprints if isinstance(trust_fingerprints, NormalizedFingerprints) else list(trust_fingerprints)
    first = [check_trust(store, package) for package in packages]
    unconfirmed = [package for package, new in zip(packages, first, strict=True)
                   if new and not confirmed_by_person(package.unit_code, package.fingerprint, confirmed)]
    if unconfirmed:
        lines = "\n".join(f"  单位 {p.unit_code} {p.unit_name}：指纹 {p.fingerprint}" for p in unconfirmed)
        options = " ".join(f"--trust-fingerprint {p.fingerprint}" for p in unconfirmed)
        raise UntrustedKeyError(
            f"{where or f'数据包“{packages[0].path.name}”'}的签名密钥是第一次见到，本局尚未登记，未导入：\n{lines}\n"
            "请与该单位签字盖章的纸质材料上打印的指纹逐位核对；一致时再导入并确认指纹（命令行加 "
            f"{options}），或先登记：budgetdesk trust --unit 单位编码 --fingerprint 指纹。",
            [(p.unit_code, p.unit_name, p.fingerprint) for p in unconfirmed])
    return first
