"""The interface has a Chinese font on every machine: the system's where it has one, else the shipped
AR PL UMing CN (no boxes in place of every character on a machine without Chinese fonts)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QFontMetrics
from PySide6.QtWidgets import QLabel

from app.system.font_files import FONT_DIRS_ENV, SHIPPED_FAMILY
from tests.test_font_embedding import fontconfig_file
from ui.app import install_interface_font

ROOT = Path(__file__).resolve().parent.parent
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
SAMPLE = "部门预算收支总表"


@pytest.fixture
def app_font(qapp):
    """Puts the application font back and takes the shipped face away again after the test."""
    saved = QFont(qapp.font())
    yield qapp
    qapp.setFont(saved)
    font_id = getattr(qapp, "_budgetdesk_font_id", None)
    if font_id is not None:
        QFontDatabase.removeApplicationFont(font_id)
        qapp._budgetdesk_font_id = None


def test_no_system_chinese_font_uses_the_shipped_face(app_font, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv(FONT_DIRS_ENV, str(tmp_path))  # an empty folder: the system has no font
    assert install_interface_font(app_font) == SHIPPED_FAMILY
    assert QFontInfo(app_font.font()).family() == SHIPPED_FAMILY
    label = QLabel(SAMPLE)
    qtbot.addWidget(label)
    label.show()
    assert QFontInfo(label.font()).family() == SHIPPED_FAMILY
    assert all(QFontMetrics(label.font()).inFontUcs4(ord(ch)) for ch in SAMPLE)


def test_a_system_chinese_font_is_kept(app_font, qtbot, tmp_path, monkeypatch):
    if not WQY.is_file():
        pytest.skip("needs WenQuanYi Zen Hei")
    (tmp_path / WQY.name).symlink_to(WQY)
    monkeypatch.setenv(FONT_DIRS_ENV, str(tmp_path))
    before = QFont(app_font.font())
    assert install_interface_font(app_font) == "WenQuanYi Zen Hei"
    assert app_font.font() == before  # the system's own look is left alone
    assert getattr(app_font, "_budgetdesk_font_id", None) is None
    assert SHIPPED_FAMILY not in QFontDatabase.families()


def _resolved_family(tmp_path: Path, font_dirs: list[Path]) -> str:
    """The application font's family as a freshly started program resolves it, with fontconfig
    knowing only ``font_dirs`` (the production path: no BUDGETDESK_FONT_DIRS)."""
    env = {key: value for key, value in os.environ.items() if key != FONT_DIRS_ENV}
    env.update({"FONTCONFIG_FILE": str(fontconfig_file(tmp_path, font_dirs)), "QT_QPA_PLATFORM": "offscreen",
                "HOME": str(tmp_path)})
    code = ("from PySide6.QtGui import QFontInfo\nfrom ui.app import make_application\n"
            "print(QFontInfo(make_application().font()).family())")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_machine_without_fonts_starts_with_the_shipped_face(tmp_path):
    assert _resolved_family(tmp_path, []) == SHIPPED_FAMILY


def test_a_machine_with_a_chinese_font_starts_with_it(tmp_path):
    if not WQY.is_file():
        pytest.skip("needs WenQuanYi Zen Hei")
    assert _resolved_family(tmp_path, [WQY.parent]) == "WenQuanYi Zen Hei"
