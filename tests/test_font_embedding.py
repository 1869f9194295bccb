"""Every PDF carries its fonts, whatever the machine has installed (pdffonts: emb yes on every row).

The machines are simulated in a child process, through the production search: ``FONTCONFIG_FILE``
names a fontconfig file without any font folder (so ``fc-match`` finds nothing, or only what the
test puts there) and ``BUDGETDESK_FONT_DIRS`` replaces the system's font places (Windows' Fonts
folder, the usual Linux paths, the user's font folders) by the test's folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.printing import fonts
from app.system.font_files import FONT_DIRS_ENV, SHIPPED_FAMILY, has_cff_outlines
from tests.conftest import SEED004
from tests.test_printing import UNIT_LINE, Pdf

ROOT = Path(__file__).resolve().parent.parent
needs_pdffonts = pytest.mark.skipif(shutil.which("pdffonts") is None,
                                    reason="pdffonts (poppler-utils) is not installed; .ci/run installs it")
# Characters the tiny CFF font draws: everything the font search probes for, and a few more.
CFF_TEXT = "部门预算收支总表单位万元（）：“”三公经费"


def pdf_fonts(path: Path) -> list[tuple[str, str, str]]:
    """(name, type, emb) for each font row ``pdffonts`` lists."""
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in output.splitlines()[2:]:
        fields = line.split()
        # name type [type...] encoding emb sub uni object-id generation: emb is the 5th from the end
        rows.append((fields[0], " ".join(fields[1:-6]), fields[-5]))
    return rows


def assert_all_embedded(path: Path) -> list[tuple[str, str, str]]:
    rows = pdf_fonts(path)
    assert rows, "pdffonts listed no font at all"
    assert [row for row in rows if row[2] != "yes"] == [], f"fonts not embedded in {path.name}: {rows}"
    return rows


def make_cff_font(path: Path) -> None:
    """A minimal OpenType font with CFF (PostScript) outlines covering CFF_TEXT, like Noto Sans CJK
    but a few kilobytes: each glyph a square."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    chars = sorted(set(CFF_TEXT))
    names = [".notdef", *[f"uni{ord(ch):04X}" for ch in chars]]
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(ch): f"uni{ord(ch):04X}" for ch in chars})
    charstrings = {}
    for name in names:
        pen = T2CharStringPen(1000, None)
        pen.moveTo((100, -100))
        pen.lineTo((900, -100))
        pen.lineTo((900, 800))
        pen.lineTo((100, 800))
        pen.closePath()
        charstrings[name] = pen.getCharString()
    builder.setupCFF("TestCJKSansCFF-Regular", {"FullName": "Test CJK Sans CFF"}, charstrings, {})
    builder.setupHorizontalMetrics({name: (1000, 100) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Test CJK Sans CFF", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120, ulCodePageRange1=1 << 18)
    builder.setupPost()
    builder.save(str(path))


def fontconfig_file(folder: Path, font_dirs: list[Path]) -> Path:
    """A fonts.conf naming only ``font_dirs`` (none: fontconfig knows no font at all)."""
    dirs = "".join(f"  <dir>{d}</dir>\n" for d in font_dirs)
    path = folder / "fonts.conf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig>\n{dirs}  <cachedir>{folder / 'fc-cache'}</cachedir>\n</fontconfig>\n",
                    encoding="utf-8")
    return path


def machine_env(tmp_path: Path, font_dirs: list[Path]) -> dict[str, str]:
    """The environment of a machine whose only fonts are in ``font_dirs``."""
    env = {key: value for key, value in os.environ.items() if key != fonts.FONT_ENV}
    env.update({"FONTCONFIG_FILE": str(fontconfig_file(tmp_path, font_dirs)),
                FONT_DIRS_ENV: os.pathsep.join(map(str, font_dirs)),
                fonts.CACHE_ENV: str(tmp_path / "cache"), "HOME": str(tmp_path / "home"),
                "QT_QPA_PLATFORM": "offscreen"})
    return env


def cli(env: dict[str, str], db: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "app", "--db", str(db), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done


def print_seed(tmp_path: Path, font_dirs: list[Path]) -> tuple[Path, str]:
    env = machine_env(tmp_path, font_dirs)
    db, out = tmp_path / "seed.sqlite3", tmp_path / "seed004.pdf"
    cli(env, db, "import-json", str(SEED004))
    done = cli(env, db, "print", "--unit", "359", "--year", "2023", "--out", str(out), "--cover", "--charts")
    return out, done.stderr


def assert_reads_back(path: Path) -> None:
    pdf = Pdf(path)
    everything = "".join(pdf.flat)
    assert "2023年部门预算信息公开" in pdf.page(1)
    assert "部门预算收支总表" in everything and UNIT_LINE in everything
    assert "秦皇岛经济技术开发区融媒体中心2023年部门预算信息公开情况说明" in everything


@needs_pdffonts
def test_no_system_font_at_all_prints_with_the_shipped_font_embedded(tmp_path):
    out, stderr = print_seed(tmp_path, [])
    assert f"字体：{SHIPPED_FAMILY}（程序自带，嵌入子集）" in stderr
    rows = assert_all_embedded(out)
    assert all(name.endswith("+UMingCN-0") and kind == "TrueType" for name, kind, _emb in rows), rows
    assert_reads_back(out)
    assert SHIPPED_FAMILY in Pdf(out).document.get_metadata_dict()["Keywords"]


@needs_pdffonts
def test_only_a_cff_cjk_font_installed_prints_with_the_shipped_font_embedded(tmp_path):
    folder = tmp_path / "fonts"
    folder.mkdir()
    make_cff_font(folder / "TestCJKSans.otf")
    out, stderr = print_seed(tmp_path, [folder])
    assert f"字体：{SHIPPED_FAMILY}（程序自带，嵌入子集）" in stderr
    assert_all_embedded(out)
    assert_reads_back(out)


def test_a_cff_font_is_recognised_and_skipped_without_an_error(tmp_path, monkeypatch):
    """The CFF font really would do otherwise: it has every probed character."""
    from fontTools.ttLib import TTFont

    path = tmp_path / "TestCJKSans.otf"
    make_cff_font(path)
    assert "CFF " in TTFont(str(path)) and all(ord(ch) in TTFont(str(path)).getBestCmap() for ch in CFF_TEXT)
    assert has_cff_outlines(path) and not has_cff_outlines(fonts.shipped_font_path())
    monkeypatch.setenv(FONT_DIRS_ENV, str(tmp_path))
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    monkeypatch.setattr(fonts, "fc_match_candidate", lambda: fonts.FontCandidate(path, 0, "fc-match"))
    fonts.reset()
    try:
        assert [candidate.path for candidate in fonts.body_candidates()] == [path]
        assert fonts.print_fonts().body.shipped
    finally:
        fonts.reset()


def test_the_font_search_restricted_to_folders_finds_a_truetype_font_there(tmp_path, monkeypatch):
    wqy = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    if not wqy.is_file():
        pytest.skip("needs WenQuanYi Zen Hei")
    (tmp_path / "wqy").mkdir()
    (tmp_path / "wqy" / wqy.name).symlink_to(wqy)
    monkeypatch.setenv(FONT_DIRS_ENV, str(tmp_path / "wqy"))
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    fonts.reset()
    try:
        body = fonts.print_fonts().body
        assert body.family == "WenQuanYi Zen Hei" and body.source == "folder" and not body.shipped
    finally:
        fonts.reset()


def test_the_shipped_font_uses_the_parsed_font_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(fonts.CACHE_ENV, str(tmp_path))
    candidate = fonts.shipped_candidate()
    parsed = fonts._open_font("BD-test-shipped-parsed", candidate)
    restored = fonts._open_font("BD-test-shipped-restored", candidate)
    assert isinstance(restored.face, fonts._CachedFace) and not isinstance(parsed.face, fonts._CachedFace)
    assert restored.face.charWidths == parsed.face.charWidths
    assert restored.stringWidth("部门预算收支总表", 10) == parsed.stringWidth("部门预算收支总表", 10)


@needs_pdffonts
def test_a_packages_budget_pdf_embeds_its_fonts_on_a_machine_without_fonts(tmp_path):
    env = machine_env(tmp_path, [])
    env["BUDGETDESK_KEY_DIR"] = str(tmp_path / "keys")
    db = tmp_path / "seed.sqlite3"
    cli(env, db, "import-json", str(SEED004))
    cli(env, db, "export-package", "--unit", "359", "--year", "2023", "--out", str(tmp_path / "359.bdp"))
    with zipfile.ZipFile(tmp_path / "359.bdp") as archive:
        (tmp_path / "budget.pdf").write_bytes(archive.read("budget.pdf"))
    rows = assert_all_embedded(tmp_path / "budget.pdf")
    assert all("UMingCN" in name for name, _kind, _emb in rows)
    assert_reads_back(tmp_path / "budget.pdf")


def test_the_selftest_finds_a_font_a_pdf_does_not_carry(tmp_path, seed_dataset):
    import pypdfium2 as pdfium
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    from app.cli.selftest import unembedded_fonts
    from app.printing import build_document

    # What printing wrote before: the reader's STSong-Light, not in the file.
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    canvas = Canvas(str(tmp_path / "cid.pdf"))
    canvas.setFont("STSong-Light", 12)
    canvas.drawString(72, 700, "部门预算")
    canvas.save()
    build_document(seed_dataset, tmp_path / "printed.pdf", forms=["three_public_expenses"])
    for name, expected in (("cid.pdf", ["STSong-Light"]), ("printed.pdf", [])):
        document = pdfium.PdfDocument(str(tmp_path / name))
        try:
            assert unembedded_fonts(document) == expected
        finally:
            document.close()
