"""Finding a Chinese font to embed in printed budgets; the program ships one for machines without.

reportlab embeds TrueType outlines only (as a subset of the glyphs used), so the search looks for
TrueType CJK fonts: SimSun/SimHei on Windows, WenQuanYi Zen Hei or AR PL UMing on Linux, then
whatever fontconfig proposes for Chinese, and last the AR PL UMing face shipped in
resources/fonts. A candidate is accepted only if it loads, has TrueType (not CFF) outlines and
actually has Chinese glyphs (fc-match happily answers DejaVu on a machine without CJK fonts; the
usual UOS/Kylin font, Noto Sans CJK, is CFF). Every PDF therefore embeds its font: a file whose
Chinese text relied on the reader's fonts would show blanks at a bureau that lacks them.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import mmap
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from weakref import WeakKeyDictionary

import reportlab
from platformdirs import user_cache_dir
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

from app.base.errors import BudgetDeskError
from app.printing import speed
from app.system.font_files import (
    SHIPPED_SUBFONT,
    font_files_in,
    has_cff_outlines,
    restricted_font_dirs,
    shipped_font_path,
)

log = logging.getLogger(__name__)

# Characters every budget table prints; a font lacking them is no use however it is named.
_PROBE_TEXT = "部门预算收支总表单位万元（）：“”"
# Lets a bureau point at a font file of its own (path, optionally "path#subfont-index").
FONT_ENV = "BUDGETDESK_PRINT_FONT"
SHIPPED = "shipped"


class MissingFontError(BudgetDeskError):
    """Not even the shipped font could be loaded: a damaged installation."""


@dataclass(frozen=True)
class FontCandidate:
    path: Path
    subfont: int = 0
    source: str = ""


@dataclass(frozen=True)
class FontChoice:
    """One registered, embeddable font: ``name`` is what reportlab styles refer to."""

    name: str
    family: str
    path: Path
    subfont: int = 0
    source: str = ""

    @property
    def shipped(self) -> bool:
        return self.source == SHIPPED

    @property
    def description(self) -> str:
        """Shown in the settings dialog and the print dialog."""
        if self.shipped:
            return f"{self.family}（程序自带字体，嵌入子集）"
        return f"{self.family}（{self.path}，嵌入子集）"

    @property
    def metadata_text(self) -> str:
        """For the PDF Keywords: the family only (a file path could name the clerk's user folder)."""
        return f"{self.family}（{'程序自带，' if self.shipped else ''}嵌入子集）"


@dataclass(frozen=True)
class FontSet:
    body: FontChoice
    heading: FontChoice

    @property
    def description(self) -> str:
        if self.heading == self.body:
            return self.body.description
        return f"正文 {self.body.description}；标题 {self.heading.description}"

    @property
    def metadata_text(self) -> str:
        if self.heading == self.body:
            return f"字体：{self.body.metadata_text}"
        return f"字体：{self.body.metadata_text}；标题字体：{self.heading.metadata_text}"


def _windows_fonts_dir() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


_LINUX_BODY = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/arphic-uming/uming.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
]


def body_candidates() -> list[FontCandidate]:
    """Where the body font is looked for on this system, best first (SimSun reads like the
    printed originals). BUDGETDESK_FONT_DIRS replaces the system's places by its folders."""
    found: list[FontCandidate] = []
    override = os.environ.get(FONT_ENV, "").strip()
    if override:
        path, _, index = override.partition("#")
        found.append(FontCandidate(Path(path), int(index) if index.isdigit() else 0, "env"))
    restricted = restricted_font_dirs()
    if restricted is not None:
        return found + [FontCandidate(path, 0, "folder") for path in font_files_in(restricted)]
    if sys.platform.startswith("win"):
        fonts = _windows_fonts_dir()
        found += [FontCandidate(fonts / "simsun.ttc", 0, "windows"), FontCandidate(fonts / "simsun.ttf", 0, "windows"),
                  FontCandidate(fonts / "simhei.ttf", 0, "windows"), FontCandidate(fonts / "msyh.ttc", 0, "windows")]
    found += [FontCandidate(Path(path), 0, "linux") for path in _LINUX_BODY]
    for folder in (Path.home() / ".fonts", Path.home() / ".local" / "share" / "fonts"):
        found += [FontCandidate(folder / name, 0, "user") for name in ("simsun.ttc", "wqy-zenhei.ttc", "uming.ttc")]
    return found


def heading_candidates() -> list[FontCandidate]:
    """Titles are set in 黑体 where Windows has it; elsewhere the body font serves."""
    if sys.platform.startswith("win") and restricted_font_dirs() is None:
        return [FontCandidate(_windows_fonts_dir() / "simhei.ttf", 0, "windows")]
    return []


def shipped_candidate() -> FontCandidate:
    """AR PL UMing CN from resources/fonts: the last resort, present in every installation."""
    return FontCandidate(shipped_font_path(), SHIPPED_SUBFONT, SHIPPED)


def fc_match_candidate() -> FontCandidate | None:
    """Ask fontconfig for a Chinese TrueType font (Linux desktops with fonts in other places)."""
    executable = shutil.which("fc-match")
    if executable is None:
        return None
    try:
        result = subprocess.run(
            [executable, "-f", "%{file}|%{index}", ":lang=zh-cn:fontformat=TrueType"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = result.stdout.strip().partition("|")
    if result.returncode != 0 or not path:
        return None
    return FontCandidate(Path(path), int(index) if index.isdigit() else 0, "fc-match")


_loaded: dict[tuple[str, int], FontChoice | None] = {}

# ---- parsed-font cache ---------------------------------------------------------------------
# Parsing a CJK TrueType collection (cmap, metrics of ~20 000 glyphs) takes 0.2–0.3 s, more than
# laying out a short table. The parsed tables are kept in the user cache folder (marshal: plain
# dicts and lists, loaded in ~0.04 s) and the outlines are read from the font file only when a
# PDF embeds its subset. A cache entry names the font file's size and mtime, reportlab's and
# Python's versions; anything unreadable or stale is simply parsed again.
CACHE_ENV = "BUDGETDESK_CACHE_DIR"
_CACHE_FORMAT = 2
# Parts of a parsed face that measuring text never reads: kept marshalled in the entry and turned
# back into objects only when a PDF embeds its subset (outline positions, metrics by glyph) or
# when something asks for them (glyph → characters). Measuring needs charToGlyph/charWidths only.
_LAZY_FIELDS = ("glyphToChar", "hmetrics", "glyphPos")


def cache_dir() -> Path:
    """Where printing keeps what it can recompute (parsed fonts, page numbers of the last print)."""
    override = os.environ.get(CACHE_ENV, "").strip()
    if override:
        return Path(override)
    return Path(user_cache_dir("BudgetDesk", "BudgetDesk"))


class _CachedFace(TTFontFace):
    """A TrueType face restored from the cache; the font file's bytes are read on first need
    (making the subset of a PDF), not when measuring text."""

    def __getattr__(self, name):
        lazy = self.__dict__.get("_bd_lazy")
        if lazy is not None and name in lazy:
            value = marshal.loads(lazy[name])
            setattr(self, name, value)
            return value
        if name == "_ttf_data":
            # Mapped, not read: a subset touches a few hundred glyphs of a 17 MB collection, and
            # slicing a map gives the same bytes as slicing the file's contents.
            with open(self.filename, "rb") as file:
                try:
                    data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                except (OSError, ValueError):
                    data = file.read()
            self._ttf_data = data
            return data
        raise AttributeError(name)

    def get_table(self, tag):
        """The outlines ('glyf', 10 MB in a CJK font) are sliced glyph by glyph where they lie
        instead of being copied whole for every subset; other tables as reportlab reads them."""
        if tag != "glyf":
            return super().get_table(tag)
        start, length = self.get_table_pos(tag)
        return _TableSlices(self._ttf_data, start, length)


class _TableSlices:
    """A table of the font file that hands out ``table[a:b]`` as bytes (all makeSubset asks of it)."""

    def __init__(self, data, start: int, length: int) -> None:
        self.data, self.start, self.length = data, start, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("only plain slices of a font table")
        first, last, _step = key.indices(self.length)
        return bytes(self.data[self.start + first:self.start + max(first, last)])


def _cache_path(candidate: FontCandidate) -> Path | None:
    try:
        stat = candidate.path.stat()
    except OSError:
        return None
    key = "|".join(map(str, (_CACHE_FORMAT, candidate.path.resolve(), candidate.subfont, stat.st_size,
                             stat.st_mtime_ns, reportlab.Version, sys.version_info[:2])))
    return cache_dir() / "fonts" / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".marshal")


def _scale(units_per_em: int):
    if units_per_em == 1000:
        return lambda value: value
    factor = 1000 / units_per_em
    return lambda value: value * factor


_NAME_FIELDS = ("name", "familyName", "styleName", "fullName", "uniqueFontID")


def _restore_font(name: str, path: Path) -> TTFont | None:
    try:
        state = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(state, dict) or "charToGlyph" not in state:
        return None
    lazy = state.pop("_bd_lazy", None)
    if not isinstance(lazy, dict) or set(lazy) != set(_LAZY_FIELDS):
        return None
    face = _CachedFace.__new__(_CachedFace)
    face.__dict__.update(state)
    face._bd_lazy = dict(lazy)
    for field_name in _NAME_FIELDS:
        if isinstance(state.get(field_name), bytes):
            setattr(face, field_name, TTFNameBytes(state[field_name]))
    face._pdfScale = _scale(face.unitsPerEm)
    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = True
    return font


def _store_font(font: TTFont, path: Path) -> None:
    state = {key: (bytes(value) if isinstance(value, bytes) else value)
             for key, value in font.face.__dict__.items()
             if key not in ("_ttf_data", "_pdfScale", "_bd_lazy", *_LAZY_FIELDS)}
    state["_bd_lazy"] = {key: marshal.dumps(getattr(font.face, key)) for key in _LAZY_FIELDS}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(state))
        os.replace(temporary, path)
    except (OSError, ValueError):
        pass  # a read-only or full cache folder only costs the parse next time


def _open_font(name: str, candidate: FontCandidate) -> TTFont:
    cached = _cache_path(candidate)
    if cached is not None and cached.is_file():
        font = _restore_font(name, cached)
        if font is not None:
            return font
    font = TTFont(name, str(candidate.path), subfontIndex=candidate.subfont)
    if cached is not None:
        _store_font(font, cached)
    return font


def _load(candidate: FontCandidate) -> FontChoice | None:
    """Register a candidate with reportlab, or None if it is missing, unreadable, CFF-outlined
    (reportlab cannot embed it) or not Chinese."""
    cache_key = (str(candidate.path), candidate.subfont)
    if cache_key in _loaded:
        return _loaded[cache_key]
    choice = None
    if not candidate.path.is_file():
        pass
    elif has_cff_outlines(candidate.path, candidate.subfont):
        log.info("font %s skipped: CFF (PostScript) outlines cannot be embedded", candidate.path)
    else:
        name = f"BD-{candidate.path.stem}-{candidate.subfont}"
        try:
            font = _open_font(name, candidate)
        except Exception as exc:  # any broken font file just means "try the next one"
            log.info("font %s skipped: %s", candidate.path, exc)
            font = None
        if font is not None and all(ord(ch) in font.face.charToGlyph for ch in _PROBE_TEXT):
            pdfmetrics.registerFont(font)
            family = font.face.familyName
            family = family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)
            choice = FontChoice(name, family, candidate.path, candidate.subfont, candidate.source)
        elif font is not None:
            log.info("font %s skipped: no Chinese glyphs", candidate.path)
    _loaded[cache_key] = choice
    return choice


def _first(candidates: list[FontCandidate]) -> FontChoice | None:
    for candidate in candidates:
        choice = _load(candidate)
        if choice is not None:
            return choice
    return None


_current: FontSet | None = None


def print_fonts() -> FontSet:
    """The fonts printing uses, discovered once per process (loading a CJK font takes ~0.2 s):
    the system's embeddable Chinese TrueType font, else the shipped one. Raises MissingFontError
    (a damaged installation) rather than ever print with a font the PDF does not carry."""
    global _current
    if _current is None:
        body = _first(body_candidates())
        if body is None:
            fc = fc_match_candidate()
            body = _load(fc) if fc is not None else None
        if body is None:
            body = _load(shipped_candidate())
        if body is None:
            log.error("the shipped font %s is missing or unreadable", shipped_font_path())
            raise MissingFontError(
                f"找不到可嵌入的中文字体：程序自带的字体文件 {shipped_font_path()} 缺失或已损坏，安装不完整。"
                "请重新安装部门预算填报，或安装宋体、文泉驿正黑等 TrueType 中文字体后再打印。")
        log.info("printing font: %s (%s)", body.family, body.source)
        heading = _first(heading_candidates())
        _current = FontSet(body, heading or body)
    return _current


def reset() -> None:
    """Forget the discovered fonts (after installing a font, or in tests)."""
    global _current
    _current = None
    _loaded.clear()
    speed.forget()


def font_status() -> str:
    """One line for the settings dialog: which font printing embeds (or why there is none)."""
    try:
        return print_fonts().description
    except MissingFontError as exc:
        return str(exc)
