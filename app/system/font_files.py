"""Font files the program knows about: the Chinese face it ships, and where "the system's fonts" are.

Kept free of reportlab and Qt so that both printing (app.printing.fonts) and the interface
(ui.app) can ask it at start-up without loading either.

``BUDGETDESK_FONT_DIRS`` restricts what counts as the system's fonts to the named folders
(separated by ``os.pathsep``; set but empty means "no system fonts at all"). Printing then looks
only there (and at what fontconfig offers, which ``FONTCONFIG_FILE`` governs), the interface
only at the fonts in those folders. Tests use it to stand in for a machine without Chinese fonts;
a support desk can use it to reproduce one.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.base.paths import resource

FONT_DIRS_ENV = "BUDGETDESK_FONT_DIRS"
# AR PL UMing (Debian fonts-arphic-uming): a TrueType collection; face 0 is the mainland (CN) one.
SHIPPED_FONT_PARTS = ("fonts", "uming.ttc")
SHIPPED_SUBFONT = 0
SHIPPED_FAMILY = "AR PL UMing CN"
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")


def shipped_font_path() -> Path:
    return resource(*SHIPPED_FONT_PARTS)


def restricted_font_dirs() -> list[Path] | None:
    """The folders named by BUDGETDESK_FONT_DIRS, or None when the whole system is searched."""
    value = os.environ.get(FONT_DIRS_ENV)
    if value is None:
        return None
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]


def font_files_in(folders: list[Path]) -> list[Path]:
    """Font files in these folders and below, in a stable order."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            found += sorted(path for path in folder.rglob("*")
                            if path.suffix.lower() in FONT_SUFFIXES and path.is_file())
    return found


def has_cff_outlines(path: Path, subfont: int = 0) -> bool:
    """Whether a font file's face has PostScript (CFF) outlines, as Noto Sans CJK and Source Han
    Sans do: reportlab embeds TrueType outlines only, so such a face cannot go into a PDF."""
    try:
        with open(path, "rb") as file:
            tag = file.read(4)
            if tag == b"ttcf":
                file.seek(12 + 4 * subfont)
                offset = int.from_bytes(file.read(4), "big")
                file.seek(offset)
                tag = file.read(4)
    except OSError:
        return False
    return tag == b"OTTO"
