"""installer/glibc.py reads the glibc versions ELF files need and stops a build above the ceiling.

The ELF files are compiled here from a few lines of C, so the test reads what a real linker wrote:
one shared library uses only ``puts`` (in glibc since the beginning), the other ``close_range``
(GLIBC_2.34, the kind of symbol that keeps a program off 统信UOS 20 / 银河麒麟 V10). Libraries, not
programs: a program linked on glibc ≥ 2.34 needs GLIBC_2.34 for its start-up code alone.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from installer import glibc

COMPILER = shutil.which("cc") or shutil.which("gcc")
pytestmark = pytest.mark.skipif(COMPILER is None, reason="no C compiler to build the sample ELF files")

OLD_PROGRAM = '#include <stdio.h>\nint say(void) { return puts("ok"); }\n'
NEW_PROGRAM = ('#define _GNU_SOURCE\n#include <unistd.h>\n'
               'int close_range(unsigned int, unsigned int, int);\n'
               'int close_one(void) { return close_range(3, 3, 0); }\n')


def compile_program(folder: Path, name: str, source: str) -> Path | None:
    (folder / f"{name}.c").write_text(source)
    result = subprocess.run([COMPILER, "-shared", "-fPIC", "-o", str(folder / name), str(folder / f"{name}.c")],
                            capture_output=True)
    (folder / f"{name}.c").unlink()
    return folder / name if result.returncode == 0 else None


@pytest.fixture
def frozen(tmp_path):
    """A folder like dist/BudgetDesk: two libraries, a symlink, a data file and a sub-folder."""
    (tmp_path / "_internal").mkdir()
    if compile_program(tmp_path, "old", OLD_PROGRAM) is None:
        pytest.skip("the C compiler cannot build a program here")
    if compile_program(tmp_path / "_internal", "new", NEW_PROGRAM) is None:
        pytest.skip("this machine's glibc has no close_range (older than 2.34)")
    (tmp_path / "_internal" / "link").symlink_to("new")
    (tmp_path / "_internal" / "data.json").write_text("{}")
    return tmp_path


def test_reads_the_versions_the_linker_wrote(frozen):
    needs = glibc.needed_versions(frozen / "_internal" / "new")
    assert "GLIBC_2.34" in needs["libc.so.6"]
    old = glibc.needed_versions(frozen / "old")
    assert all(glibc.version_key(name.split("_", 1)[1]) <= (2, 28) for name in old["libc.so.6"])


def test_agrees_with_readelf(frozen):
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) not installed")
    for path in (frozen / "old", frozen / "_internal" / "new"):
        output = subprocess.run(["readelf", "-V", str(path)], capture_output=True, text=True, check=True).stdout
        needs_part = output[output.index("Version needs section"):]
        from_readelf = set(re.findall(r"Name: (\S+)", needs_part))
        assert set().union(*glibc.needed_versions(path).values()) == from_readelf


def test_files_above_the_ceiling_are_named(frozen):
    report = glibc.check_folder(frozen, {"GLIBC": "2.28"})
    assert report.highest["GLIBC"] == "2.34"
    assert report.files_read == 2  # the symlink is read once, through its target; data.json is no ELF
    assert list(report.too_new["GLIBC"]) == ["_internal/new"]
    assert "GLIBC_2.34" in report.too_new["GLIBC"]["_internal/new"]
    assert glibc.check_folder(frozen, {"GLIBC": "2.34"}).too_new == {}
    assert glibc.minimum_glibc(frozen) == "2.34"


def test_command_fails_with_a_chinese_list_above_the_ceiling(frozen, capsys):
    assert glibc.main([str(frozen), "--glibc", "2.28"]) == 1
    captured = capsys.readouterr()
    assert "最高 GLIBC_2.34（上限 2.28）" in captured.out
    assert "_internal/new: GLIBC_2.34" in captured.err
    (frozen / "_internal" / "new").unlink()
    assert glibc.main([str(frozen), "--glibc", "2.28"]) == 0


def test_command_refuses_a_missing_folder(tmp_path, capsys):
    assert glibc.main([str(tmp_path / "absent")]) == 2
    assert "目录不存在" in capsys.readouterr().err


def test_a_truncated_file_is_not_an_elf(tmp_path):
    broken = tmp_path / "broken.so"
    broken.write_bytes(b"\x7fELF\x02\x01")
    with pytest.raises(glibc.NotElf):
        glibc.needed_versions(broken)
    assert glibc.check_folder(tmp_path).files_read == 0
