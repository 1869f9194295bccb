"""Where shipped resources live, both in a source checkout and in a PyInstaller bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root:
        return Path(bundle_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def readable(text: str | os.PathLike) -> str:
    """A file name as a person reads it. A name that is not UTF-8 (GBK, written by Windows on a USB stick)
    arrives with surrogate escapes (``os.fsdecode``): its bytes are decoded as GB18030, else shown with
    replacement characters, so it can be printed, logged and stored."""
    text = os.fspath(text)
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    raw = os.fsencode(text)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")
