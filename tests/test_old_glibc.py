"""The glibc-2.28 build recipe (installer/old_glibc.py), for x86-64 and arm64 alike.

The full build takes minutes and runs in CI's installer block; these tests hold the recipe's
choices: which wheels it accepts, which zig target it compiles for, how the compiler wrappers
rewrite what zig's linker lacks, and that setup.py is kept off the build machine's headers.
"""

import os
import re
import subprocess
import sys

import pytest

from installer import old_glibc


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_wheels_are_manylinux_2_28_or_older(arch):
    tags = old_glibc.wheel_platforms(arch)
    assert tags[0] == f"manylinux_2_28_{arch}"
    assert f"manylinux2014_{arch}" in tags and f"manylinux_2_17_{arch}" in tags
    newest = max(int(match.group(1)) for tag in tags if (match := re.match(r"manylinux_2_(\d+)_", tag)))
    assert newest == 28
    assert all(tag.endswith(arch) for tag in tags)


def test_zig_targets_glibc_2_28_on_both_architectures():
    assert old_glibc.zig_target("x86_64") == "x86_64-linux-gnu.2.28"
    assert old_glibc.zig_target("aarch64") == "aarch64-linux-gnu.2.28"


def test_arm64_recipe_cross_compiles_into_its_own_folder(tmp_path):
    recipe = old_glibc.Recipe("aarch64", work=tmp_path / "aarch64")
    if os.uname().machine != "aarch64":
        assert recipe.cross
        assert "--host=aarch64-linux-gnu" in recipe.host_flags()
    assert recipe.python == tmp_path / "aarch64" / "python" / "bin" / "python3.11"
    with pytest.raises(SystemExit, match="不支持的架构"):
        old_glibc.Recipe("riscv64")


def test_frozen_build_uses_the_project_pins():
    requirements = old_glibc.Recipe("x86_64").requirements()
    assert "PySide6-Essentials==6.9.3" in requirements
    assert any(requirement.startswith("pyinstaller==") for requirement in requirements)
    assert any(requirement.startswith("cryptography==") for requirement in requirements)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX shell wrappers")
def test_compiler_wrapper_targets_2_28_and_spells_soname_for_zig(tmp_path, monkeypatch):
    fake_zig = tmp_path / "zig"
    fake_zig.write_text('#!/bin/sh\nfor arg do echo "$arg"; done\n')
    fake_zig.chmod(0o755)
    recipe = old_glibc.Recipe("aarch64", work=tmp_path / "work")
    monkeypatch.setattr(old_glibc.Recipe, "zig", staticmethod(lambda: f'"{fake_zig}"'))
    recipe.write_tools()
    output = subprocess.run([str(recipe.tools / "cc"), "-shared", "-o", "libx.so.1", "-Wl,-hlibx.so.1", "a b.o"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert output[:3] == ["cc", "-target", "aarch64-linux-gnu.2.28"]
    assert "-Wl,-soname,libx.so.1" in output and "-Wl,-hlibx.so.1" not in output
    assert "a b.o" in output  # arguments with spaces pass through whole


def test_setup_py_gets_no_build_machine_include_dirs(tmp_path):
    setup_py = tmp_path / "setup.py"
    setup_py.write_text(
        "    def configure_compiler(self):\n"
        "        if not CROSS_COMPILING:\n"
        "            add_dir_to_list(self.compiler.library_dirs, '/usr/local/lib')\n"
        "            add_dir_to_list(self.compiler.include_dirs, '/usr/local/include')\n"
        "        self.add_multiarch_paths()\n"
        "        self.add_ldflags_cppflags()\n")
    old_glibc.keep_build_machine_headers_out(setup_py)
    text = setup_py.read_text()
    assert "/usr/local" not in text and "self.add_multiarch_paths()" not in text
    assert "self.add_ldflags_cppflags()" in text
    compile(text.replace("    def", "def", 1).replace("\n    ", "\n"), "setup.py", "exec")  # still Python


def test_an_interpreter_that_cannot_run_here_gets_a_chinese_message(tmp_path):
    recipe = old_glibc.Recipe("aarch64", work=tmp_path / "aarch64")
    recipe.python.parent.mkdir(parents=True)
    recipe.python.write_bytes(b"\x7fELF" + b"\0" * 60)  # not runnable: exec fails as for a foreign binary
    recipe.python.chmod(0o755)
    with pytest.raises(SystemExit, match="qemu-user-static"):
        recipe.build_venv()
    assert not recipe.venv.exists()
