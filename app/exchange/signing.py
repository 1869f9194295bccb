"""Each unit's signing key (Ed25519): created on the first package export, kept in the user data dir.

The private key never leaves the clerk's machine; a package carries the raw public key and the
signature of its manifest. The short fingerprint (first 16 hex digits of the SHA-256 of the raw
public key, grouped ``ABCD-EF01-2345-6789``) is printed on the cover and the 批复表 so the signed
paper vouches for the file.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from app.base.errors import InputError

if TYPE_CHECKING:  # annotations only: cryptography is imported by the functions that sign, verify or read a key,
    # so printing and the first window, which only ask whether a unit has a key, do not load it
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_DIR_ENV = "BUDGETDESK_KEY_DIR"
ALGORITHM = "Ed25519"
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


def key_dir() -> Path:
    override = os.environ.get(KEY_DIR_ENV)
    if override:
        return Path(override)
    return Path(user_data_dir("BudgetDesk", "BudgetDesk")) / "keys"


def _key_path(unit_code: str) -> Path:
    # Unit codes are short and space-free; anything unusual for a file name is spelled in hex.
    name = unit_code if _SAFE_CODE.match(unit_code) and not unit_code.startswith(".") else "x" + unit_code.encode().hex()
    return key_dir() / f"unit-{name}.ed25519.pem"


def public_raw(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization  # deferred: cryptography

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(raw_public_key: bytes) -> str:
    digest = hashlib.sha256(raw_public_key).hexdigest()[:16].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 16, 4))


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as typed from paper (any case, spaces or dashes) in its printed form."""
    digits = re.sub(r"[\s\-:：]", "", text or "").upper()
    if not re.fullmatch(r"[0-9A-F]{16}", digits):
        raise InputError(f"密钥指纹“{text}”格式不对：应为 16 位十六进制数字，如 ABCD-EF01-2345-6789。")
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


def load_key(unit_code: str, *, path: Path | None = None) -> Ed25519PrivateKey | None:
    path = path or _key_path(unit_code)
    if not path.exists():
        return None
    # deferred: cryptography, loaded only when there is a key to read
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise InputError(f"单位 {unit_code} 的签名密钥文件“{path}”已损坏；请联系财政局登记新密钥。") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"单位 {unit_code} 的签名密钥文件“{path}”不是 Ed25519 密钥。")
    return key


def unit_key(unit_code: str, *, path: Path | None = None) -> Ed25519PrivateKey:
    """The unit's private key, created (mode 0600 in a 0700 directory) on first use."""
    key = load_key(unit_code, path=path)
    if key is not None:
        return key
    # deferred: cryptography, loaded only when a key is made
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    path = path or _key_path(unit_code)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:  # pragma: no cover - a file system without modes (Windows keeps the user profile private)
        pass
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key


BUREAU_KEY_ID = "bureau"  # the 财政局's own key (it signs 退回 files), beside the unit keys


def bureau_key_path() -> Path:
    return key_dir() / f"{BUREAU_KEY_ID}.ed25519.pem"


def bureau_key() -> Ed25519PrivateKey:
    """The 财政局's signing key for 退回 files, created like a unit key on first use."""
    return unit_key("财政局", path=bureau_key_path())


def existing_fingerprint(unit_code: str) -> str | None:
    """The fingerprint of the unit's key if it has one (printing shows it; it never creates a key)."""
    try:
        key = load_key(unit_code)
    except InputError:
        return None
    return None if key is None else fingerprint(public_raw(key.public_key()))


def sign(key: Ed25519PrivateKey, data: bytes) -> dict:
    raw = public_raw(key.public_key())
    return {"algorithm": ALGORITHM, "public_key": base64.b64encode(raw).decode("ascii"),
            "fingerprint": fingerprint(raw), "signature": base64.b64encode(key.sign(data)).decode("ascii")}


def verify(signature: dict, data: bytes) -> bytes:
    """Check a signature block against ``data``; returns the raw public key. Raises InputError."""
    # deferred: cryptography, loaded only when a signature is checked
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        if signature.get("algorithm") != ALGORITHM:
            raise ValueError
        raw = base64.b64decode(signature["public_key"], validate=True)
        sig = base64.b64decode(signature["signature"], validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(sig, data)
    except (InvalidSignature, ValueError, KeyError, TypeError, AttributeError):
        raise InputError("数据包签名无效：清单与签名不符，文件可能被改动过，未导入。") from None
    return raw
