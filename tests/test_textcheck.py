"""app.base.textcheck: the rules for codes and texts, and bounded reading (files, FIFOs, streams, /dev/zero)."""

import io
import os
import sys
import unicodedata
from pathlib import Path

import pytest

from app.base.errors import InputError
from app.base.textcheck import _SUSPECT, check_code, check_text, read_bounded, shown


def test_refused_characters_cover_every_control_format_and_surrogate_code_point():
    missing = [f"U+{point:04X}" for point in range(0x110000)
               if unicodedata.category(chr(point)) in ("Cc", "Cf", "Cs", "Zl", "Zp") and not _SUSPECT.match(chr(point))]
    assert missing == []
    for allowed in ("秦", "（", "Ａ", "\u3000", "\ue000", "𠀀", "™", "①", " "):
        assert not _SUSPECT.match(allowed)


@pytest.mark.parametrize(("value", "code"), [("359", "359"), ("３５９", "359"), (" 359\t", "359"),
                                             ("ＡＢ-０１", "AB-01"), ("13030024-2023.001", "13030024-2023.001")])
def test_codes_are_normalised_like_the_core_stores_them(value, code):
    assert check_code(value, "单位编码") == code


@pytest.mark.parametrize(("value", "words"), [
    ("359\u200b", "零宽空格（U+200B）"),
    ("\u202e953", "从右至左覆盖符（U+202E）"),
    ("35\u20609", "零宽不换行符"),
    ("\ufeff359", "BOM"),
    ("35\x009", "空字符 NUL"),
    ("35\udc009", "不成对的代理码位"),
    ("35 9", "含有空格"),
    ("三五九", "含有“三”"),
    ("", "不能为空"),
    ("9" * 33, "最多 32 个字符"),
])
def test_bad_codes_are_refused_naming_the_field_and_the_character(value, words):
    with pytest.raises(InputError) as refused:
        check_code(value, "单位编码")
    message = str(refused.value)
    assert message.startswith("单位编码") and words in message
    assert "\u202e" not in message and "\u200b" not in message and "\x00" not in message  # shown, not embedded


@pytest.mark.parametrize(("value", "words"), [
    ("秦皇岛\x00融媒体中心", "空字符 NUL（U+0000）"),
    ("秦皇岛\udc00", "不成对的代理码位（U+DC00"),
    ("融媒体\u202d中心", "从左至右覆盖符（U+202D）"),
    ("融媒体\u2066中心", "从左至右隔离符（U+2066）"),
    ("融媒\u200d体", "零宽连字（U+200D）"),
    ("融媒\ufeff体", "BOM"),
    ("融媒\x1b体", "控制字符（U+001B）"),
    ("第一行\n第二行", "换行（U+000A）"),
    ("融媒\u2028体", "行分隔符"),
])
def test_bad_texts_are_refused_naming_the_field(value, words):
    with pytest.raises(InputError) as refused:
        check_text(value, "单位名称", 200)
    message = str(refused.value)
    assert message.startswith("单位名称") and words in message and "请删去" in message


def test_multiline_texts_keep_line_breaks_and_tabs_but_nothing_else_invisible():
    assert check_text("第一段\n第二段\t续\r\n", "年度绩效目标", 100, multiline=True) == "第一段\n第二段\t续\r\n"
    with pytest.raises(InputError, match="换行和制表符除外"):
        check_text("第一段\n\u202e第二段", "年度绩效目标", 100, multiline=True)


def test_length_limits_name_the_field_and_the_count():
    assert check_text("字" * 200, "单位名称", 200) == "字" * 200
    with pytest.raises(InputError, match="单位名称过长：最多 200 个字，现有 201 个字"):
        check_text("字" * 201, "单位名称", 200)


def test_shown_quotes_values_safely():
    assert shown("a\u202eb") == "a<U+202E>b"
    assert shown("x" * 100, 10) == "xxxxxxxxxx…（共 100 个字）"


def test_read_bounded_reads_small_files_and_streams_whole(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 1000)
    assert read_bounded(path, 1000, "测试文件") == b"x" * 1000
    assert read_bounded(io.BytesIO(b"y" * 10), 10, "测试文件") == b"y" * 10


def test_read_bounded_refuses_more_than_the_limit_without_stat(tmp_path):
    with pytest.raises(InputError, match="超过 1 KB"):
        read_bounded(io.BytesIO(b"y" * 1025), 1024, "测试文件")
    with pytest.raises(InputError, match="找不到文件"):
        read_bounded(tmp_path / "missing", 10, "测试文件")
    with pytest.raises(InputError, match="是文件夹"):
        read_bounded(tmp_path, 10, "测试文件")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_read_bounded_refuses_dev_zero():
    with pytest.raises(InputError, match="不是普通文件"):  # a device: refused before it is opened (issue 22)
        read_bounded("/dev/zero", 4 << 20, "测试文件")


def test_read_bounded_check_start_refuses_on_the_first_chunk():
    class Endless(io.RawIOBase):
        reads = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            Endless.reads += 1
            buffer[:] = b"\0" * len(buffer)
            return len(buffer)

    def starts_with_brace(head: bytes) -> None:
        if not head.startswith(b"{"):
            raise InputError("不是 JSON。")

    with pytest.raises(InputError, match="不是 JSON"):
        read_bounded(Endless(), 64 << 20, "测试文件", check_start=starts_with_brace)
    assert Endless.reads == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_read_bounded_refuses_a_fifo_before_opening_it(tmp_path):
    """Opening a FIFO would wait for a writer (import-json on a FIFO hung): it is refused unopened."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="不是普通文件"):
        read_bounded(fifo, 1 << 20, "测试文件")


def test_read_bounded_refuses_an_empty_file(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="空文件"):
        read_bounded(empty, 1 << 20, "测试文件")


def test_read_bounded_dash_is_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"{}")))
    assert read_bounded("-", 10, "测试文件") == b"{}"
