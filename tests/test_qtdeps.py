"""make run's check of the X11 libraries Qt needs (app.system.qtdeps), with ldd and apt-get stood in for."""

import io
from pathlib import Path

from app.system import qtdeps

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibEGL.so.1 => not found
\tlibweird.so.9 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""


def test_missing_libraries_map_to_debian_packages():
    libraries = qtdeps.missing_libraries(LDD)
    assert libraries == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libEGL.so.1", "libweird.so.9"]
    assert qtdeps.packages_for(libraries) == (["libxcb-icccm4", "libxcb-keysyms1", "libegl1"], ["libweird.so.9"])


def test_not_root_stops_with_the_exact_apt_get_line():
    out = io.StringIO()
    ran = []
    code = qtdeps.ensure(ldd=lambda _p: LDD.replace("libweird.so.9 => not found", ""), plugin=Path("libqxcb.so"),
                         is_root=False, run=ran.append, environ={}, platform="linux", out=out)
    assert code == 1 and ran == []
    assert "sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1 libegl1" in out.getvalue()
    assert "libxcb-icccm.so.4" in out.getvalue()


def test_root_installs_and_checks_again(monkeypatch):
    monkeypatch.setattr(qtdeps.shutil, "which", lambda name: f"/usr/bin/{name}")
    outputs = iter([LDD, ""])
    ran = []
    out = io.StringIO()
    code = qtdeps.ensure(ldd=lambda _p: next(outputs), plugin=Path("libqxcb.so"), is_root=True,
                         run=lambda command: ran.append(command) or 0, environ={}, platform="linux", out=out)
    assert code == 0
    assert ran == [["apt-get", "install", "-y", "libxcb-icccm4", "libxcb-keysyms1", "libegl1"]]
    assert "正在安装：apt-get install -y libxcb-icccm4" in out.getvalue()


def test_root_install_failure_retries_after_update(monkeypatch):
    monkeypatch.setattr(qtdeps.shutil, "which", lambda name: f"/usr/bin/{name}")
    results = iter([100, 0, 0])
    ran = []
    code = qtdeps.ensure(ldd=lambda _p: "\tlibxcb-cursor.so.0 => not found\n" if not ran or len(ran) < 3 else "",
                         plugin=Path("x"), is_root=True, run=lambda command: ran.append(command) or next(results),
                         environ={}, platform="linux", out=io.StringIO())
    assert [command[:2] for command in ran] == [["apt-get", "install"], ["apt-get", "update"], ["apt-get", "install"]]
    assert code == 0


def test_skipped_offscreen_and_off_linux():
    def never(_path):
        raise AssertionError("ldd must not run")

    assert qtdeps.ensure(ldd=never, plugin=Path("x"), environ={"QT_QPA_PLATFORM": "offscreen"}, platform="linux") == 0
    assert qtdeps.ensure(ldd=never, plugin=Path("x"), environ={}, platform="win32") == 0
    assert qtdeps.needs_check({"QT_QPA_PLATFORM": "xcb"}, "linux")


def test_this_machine_has_what_the_plugin_needs():
    plugin = qtdeps.platform_plugin()
    if plugin is not None and qtdeps.shutil.which("ldd"):
        assert qtdeps.missing_libraries(qtdeps.run_ldd(plugin)) == []
