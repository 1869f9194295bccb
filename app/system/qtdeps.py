"""Before the window opens on Linux: are the X11 (xcb) system libraries Qt needs installed?

Qt's own message when one is missing ("xcb-cursor0 … is needed", "no Qt platform plugin could be
initialized") often names the wrong library. This check asks ``ldd`` which libraries the xcb platform
plugin cannot find, names the Debian/Ubuntu packages that provide them, installs them with apt-get
when run as root, and otherwise stops with the exact ``sudo apt-get install …`` line.

``python -m app.system.qtdeps`` (``make run`` calls it) exits 0 when the GUI can start, 1 otherwise. Nothing
is checked on Windows or macOS, or when ``QT_QPA_PLATFORM`` names a platform other than xcb.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

# shared library (soname) → Debian/Ubuntu package providing it
DEBIAN_PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libICE.so.6": "libice6",
    "libSM.so.6": "libsm6",
}


def platform_plugin() -> Path | None:
    """PySide6's xcb platform plugin, found without importing Qt (which would fail on a missing library)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_libraries(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as ``not found``, in order, once each."""
    missing: list[str] = []
    for line in ldd_output.splitlines():
        if "not found" in line and "=>" in line:
            name = line.split("=>", 1)[0].strip()
            if name and name not in missing:
                missing.append(name)
    return missing


def packages_for(libraries: list[str]) -> tuple[list[str], list[str]]:
    """(packages to install, libraries no package is known for)."""
    packages, unknown = [], []
    for library in libraries:
        package = DEBIAN_PACKAGES.get(library)
        if package is None:
            unknown.append(library)
        elif package not in packages:
            packages.append(package)
    return packages, unknown


def needs_check(environ=os.environ, platform: str = sys.platform) -> bool:
    if not platform.startswith("linux"):
        return False
    wanted = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    return wanted in ("", "xcb")


def run_ldd(path: Path) -> str:
    result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
    return result.stdout


def ensure(*, ldd: Callable[[Path], str] = run_ldd, plugin: Path | None = None, is_root: bool | None = None,
           run: Callable[[list[str]], int] = lambda command: subprocess.call(command),
           environ=os.environ, platform: str = sys.platform, out=sys.stderr) -> int:
    """0 when the GUI's system libraries are there (or were just installed); 1 otherwise, with the line to run."""
    if not needs_check(environ, platform):
        return 0
    plugin = plugin or platform_plugin()
    if plugin is None or shutil.which("ldd") is None and ldd is run_ldd:
        return 0  # nothing to look at: let Qt speak for itself
    libraries = missing_libraries(ldd(plugin))
    if not libraries:
        return 0
    packages, unknown = packages_for(libraries)
    print(f"图形界面缺少系统库：{'、'.join(libraries)}", file=out)
    if unknown:
        print(f"以下库没有对应的已知软件包，请用 apt-file search 查找：{'、'.join(unknown)}", file=out)
    if not packages:
        return 1
    command = ["apt-get", "install", "-y", *packages]
    if is_root is None:
        is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root and shutil.which("apt-get"):
        print("正在安装：" + " ".join(command), file=out, flush=True)
        if run(command) != 0:
            print("安装失败，先更新软件源后重试：apt-get update", file=out, flush=True)
            if run(["apt-get", "update"]) != 0 or run(command) != 0:
                print("仍未安装成功，请手动运行：" + " ".join(command), file=out)
                return 1
        still = missing_libraries(ldd(plugin))
        if still:
            print(f"安装后仍缺少：{'、'.join(still)}", file=out)
            return 1
        print("系统库已安装。", file=out)
        return 0
    print("请先安装这些软件包（需要管理员权限），然后再运行 make run：", file=out)
    print("  sudo " + " ".join(command), file=out)
    return 1


if __name__ == "__main__":
    sys.exit(ensure())
