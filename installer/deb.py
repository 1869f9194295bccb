"""``make deb``: wrap the frozen build (dist/BudgetDesk) in a .deb for 统信UOS, 银河麒麟 and Debian/Ubuntu.

Layout of the package:
  /opt/budgetdesk/                      the frozen program (BudgetDesk + _internal/)
  /usr/bin/budgetdesk                   launcher (installer/linux/budgetdesk.sh)
  /usr/share/applications/budgetdesk.desktop               Chinese menu entry 部门预算填报
  /usr/share/applications/budgetdesk-selftest.desktop      menu entry 部门预算填报 自检 (result in a window)
  /usr/share/icons/hicolor/<n>x<n>/apps/budgetdesk.png      icon (from resources/icons/budgetdesk.ico)
  /usr/share/icons/hicolor/<n>x<n>/mimetypes/application-x-budgetdesk-package.png
  /usr/share/mime/packages/budgetdesk.xml                   the .bdp file type

``Depends:`` is read off the frozen build: every shared library its executables, Python extensions
and Qt plugins load that the build does not carry is looked up with ``ldd`` and ``dpkg -S``; the
xcb set Qt's X11 platform plugin needs is always listed. A library that resolves nowhere stops the
build, so the package never installs a program that cannot start. ``libc6`` is declared at the
newest glibc version any carried file asks for (installer/glibc.py): 2.28 for the build
``make dist`` makes, so 统信UOS 20 and 银河麒麟 V10 accept the package. No fpm: ``dpkg-deb --build``.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installer.glibc import is_elf, minimum_glibc  # noqa: E402
from installer.version_info import project_version  # noqa: E402

PACKAGE = "budgetdesk"
INSTALL_DIR = "opt/budgetdesk"
MIME_TYPE = "application/x-budgetdesk-package"
# Qt's xcb platform plugin and what it opens at run time; always declared.
BASE_DEPENDS = [
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0", "libxcb-render-util0", "libxcb-shape0",
    "libxcb-xinerama0", "libxcb-xkb1", "libxkbcommon-x11-0", "libegl1", "libfontconfig1", "libgl1", "libdbus-1-3",
]
# Packages this build machine (Debian 12) names differently from the glibc-2.28 systems (Debian 10,
# 统信UOS 20): either satisfies the dependency.
OLDER_NAMES = {"libgcc-s1": "libgcc1"}
# ELF e_machine → Debian architecture name.
DEBIAN_ARCHITECTURES = {62: "amd64", 183: "arm64"}
RECOMMENDS = ["fonts-wqy-zenhei | fonts-noto-cjk | fonts-wqy-microhei"]
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
# installer/linux/<name> → /usr/share/applications/<name>
DESKTOP_ENTRIES = ("budgetdesk.desktop", "budgetdesk-selftest.desktop")


def needed_libraries(path: Path) -> list[str]:
    """The DT_NEEDED entries of one ELF file (what it links to directly)."""
    output = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", output)


def system_library_index() -> dict[str, str]:
    """Library name → path, from the dynamic linker's cache (``ldconfig -p``), this machine's word size."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    output = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, check=True).stdout
    wanted = "x86-64" if sys.maxsize > 2**32 else ""
    index: dict[str, str] = {}
    for line in output.splitlines():
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match and (not wanted or wanted in match.group(2) or "64" in match.group(2)):
            index.setdefault(match.group(1), match.group(3))
    return index


def shared_library_paths(frozen: Path) -> tuple[set[str], set[str]]:
    """(system paths, names found nowhere) of the libraries the frozen build links to but does not carry."""
    files = [path for path in sorted(frozen.rglob("*")) if path.is_file() and not path.is_symlink() and is_elf(path)]
    bundled = {path.name for path in frozen.rglob("*") if path.is_file()}
    system = system_library_index()
    resolved, missing = set(), set()
    for path in files:
        for name in needed_libraries(path):
            if name in bundled or name.startswith("ld-linux"):
                continue
            if name in system:
                resolved.add(system[name])
            else:
                missing.add(f"{name}（{path.relative_to(frozen)}）")
    return resolved, missing


def owning_package(path: str) -> str | None:
    candidates = [path, str(Path(path).resolve())]
    for candidate in list(candidates):  # merged /usr: dpkg knows one spelling only
        if candidate.startswith("/usr/lib/"):
            candidates.append(candidate[len("/usr"):])
        elif candidate.startswith("/lib/"):
            candidates.append("/usr" + candidate)
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def compute_depends(frozen: Path) -> list[str]:
    resolved, missing = shared_library_paths(frozen)
    if missing:
        raise SystemExit("以下系统库在本机找不到，无法确定依赖（先用 apt-get 安装它们）：\n  " + "\n  ".join(sorted(missing)))
    packages = set(BASE_DEPENDS)
    unowned = []
    for path in sorted(resolved):
        package = owning_package(path)
        if package is None:
            unowned.append(path)
        else:
            packages.add(package)
    if unowned:
        raise SystemExit("以下库不属于任何已安装的软件包，不能作为依赖声明：\n  " + "\n  ".join(unowned))
    return declared_depends(packages, minimum_glibc(frozen))


def declared_depends(packages: set[str], glibc: str | None) -> list[str]:
    """The Depends entries: libc6 at the glibc version the binaries need, older package names as alternatives."""
    entries = []
    for package in sorted(packages - {"libc6"}):
        entries.append(f"{package} | {OLDER_NAMES[package]}" if package in OLDER_NAMES else package)
    return [f"libc6 (>= {glibc})" if glibc else "libc6", *entries]


def elf_architecture(program: Path) -> str:
    """The Debian architecture of a program, read from its ELF header (an arm64 build is packed anywhere)."""
    header = program.read_bytes()[:20]
    order = "<" if header[5] == 1 else ">"
    machine, = struct.unpack_from(order + "H", header, 18)
    if machine not in DEBIAN_ARCHITECTURES:
        raise SystemExit(f"不支持的程序架构（ELF e_machine={machine}）：{program}")
    return DEBIAN_ARCHITECTURES[machine]


def ico_images(ico: Path) -> dict[int, bytes]:
    """The PNG images inside our ICO (installer/make_icon.py writes PNG entries)."""
    data = ico.read_bytes()
    _reserved, _kind, count = struct.unpack_from("<HHH", data, 0)
    images = {}
    for index in range(count):
        width, _h, _c, _r, _p, _b, size, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        images[width or 256] = data[offset:offset + size]
    return images


def control_text(version: str, architecture: str, depends: list[str], installed_kb: int) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {architecture}\n"
        "Maintainer: BudgetDesk <budgetdesk@localhost>\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {', '.join(depends)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Description: 部门预算填报 BudgetDesk\n"
        " Departmental budget (部门预算) and performance targets (绩效目标) for county\n"
        " offices: enter the official forms, check them, print them for signature and\n"
        " hand in one data file. Works offline; data stays in each user's home folder\n"
        " and is kept when the package is removed.\n"
    )


def build(frozen: Path, out_dir: Path) -> Path:
    if not (frozen / "BudgetDesk").exists():
        raise SystemExit(f"没有找到冻结版程序 {frozen}/BudgetDesk：请先运行 make dist。")
    version = project_version()
    architecture = elf_architecture(frozen / "BudgetDesk")
    depends = compute_depends(frozen)
    staging = ROOT / "build" / "deb" / f"{PACKAGE}_{version}_{architecture}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(frozen, staging / INSTALL_DIR, symlinks=True)
    linux = ROOT / "installer" / "linux"

    def place(source: Path | bytes, relative: str, mode: int = 0o644) -> None:
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, bytes):
            target.write_bytes(source)
        else:
            shutil.copyfile(source, target)
        target.chmod(mode)

    place(linux / "budgetdesk.sh", "usr/bin/budgetdesk", 0o755)
    for entry in DESKTOP_ENTRIES:
        place(linux / entry, f"usr/share/applications/{entry}")
    place(linux / "budgetdesk-mime.xml", "usr/share/mime/packages/budgetdesk.xml")
    for size, png in ico_images(ROOT / "resources" / "icons" / "budgetdesk.ico").items():
        if size in ICON_SIZES:
            place(png, f"usr/share/icons/hicolor/{size}x{size}/apps/budgetdesk.png")
            place(png, f"usr/share/icons/hicolor/{size}x{size}/mimetypes/{MIME_TYPE.replace('/', '-')}.png")
    installed_kb = sum(path.lstat().st_size for path in staging.rglob("*") if not path.is_dir()) // 1024
    place(control_text(version, architecture, depends, installed_kb).encode("utf-8"), "DEBIAN/control")
    place(linux / "postinst", "DEBIAN/postinst", 0o755)
    place(linux / "postrm", "DEBIAN/postrm", 0o755)
    for path in staging.rglob("*"):  # dpkg wants 0755 directories whatever the umask said
        if path.is_dir():
            path.chmod(0o755)
    out_dir.mkdir(parents=True, exist_ok=True)
    package = out_dir / f"{PACKAGE}_{version}_{architecture}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(staging), str(package)], check=True)
    print(f"{package}  ({package.stat().st_size / 1e6:.1f} MB, 安装后 {installed_kb / 1024:.0f} MB)")
    print("Depends: " + ", ".join(depends))
    return package


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    frozen = Path(args[0]) if args else ROOT / "dist" / "BudgetDesk"
    build(frozen, ROOT / "dist")
    return 0


if __name__ == "__main__":
    sys.exit(main())
