"""The installers' inputs: what the frozen build keeps, the Inno Setup script, the .deb's files."""

import configparser
import platform
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import app
from installer import deb, layout
from installer.version_info import project_version, version_tuple, windows_version_resource

ROOT = Path(__file__).resolve().parent.parent
ISS = ROOT / "installer" / "budgetdesk.iss"
FROZEN = ROOT / layout.DIST_DIR
LINUX = ROOT / "installer" / "linux"


def test_version_is_the_same_everywhere():
    version = project_version()
    assert app.__version__ == version
    resource = windows_version_resource(version)
    assert f"filevers={version_tuple(version)}" in resource
    assert f"StringStruct('ProductVersion', '{version}')" in resource
    iss_default = re.search(r'#define AppVersion "([^"]+)"', ISS.read_text(encoding="utf-8")).group(1)
    assert iss_default == version


@pytest.mark.parametrize("destination, platform, kept", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "linux", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", "linux", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", "linux", False),
    ("PySide6\\plugins\\platforms\\qwindows.dll", "win32", True),
    ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", "win32", True),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", "linux", True),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "linux", False),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "linux", True),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", "linux", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "linux", False),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", "linux", True),
    ("PySide6/Qt/translations/qtbase_de.qm", "linux", False),
    ("PySide6/Qt/translations/qtdeclarative_zh_CN.qm", "linux", False),
    ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "linux", False),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", "linux", True),
    ("PySide6\\opengl32sw.dll", "win32", False),
    ("PySide6\\Qt6Network.dll", "win32", True),  # the local socket of the single instance
    ("PySide6/Qt/lib/libQt6Network.so.6", "linux", True),
    ("PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so", "linux", False),
    ("PySide6\\Qt6Widgets.dll", "win32", True),
    ("libX11.so.6", "linux", False),  # the desktop's own, declared in Depends
    ("libxcb-cursor.so.0", "linux", False),
    ("libexpat.so.1", "linux", False),  # Debian 12's needs GLIBC_2.36: fontconfig's, from the system
    ("liblzma.so.5", "linux", False),
    ("libffi.so.8", "linux", False),
    ("libxcb-util.so.1", "linux", True),  # carried: Debian 10 / UOS 20 have no libxcb-util1 package
    ("liblzma-de26b416.so.5.8.4", "linux", True),  # Pillow's own copy, which its libtiff loads
    ("libpython3.11.so.1.0", "linux", True),
    ("libsqlite3.so.0", "linux", True),
    ("libstdc++.so.6", "win32", True),  # the Linux rule does not touch Windows builds
    ("resources/forms/01_income_expenditure_summary.json", "linux", True),
    ("resources/fonts/uming.ttc", "linux", True),  # the shipped Chinese font, for machines without one
    ("resources\\fonts\\uming.ttc", "win32", True),
])
def test_frozen_build_keeps_only_what_the_program_uses(destination, platform, kept):
    assert layout.keep_entry(destination, platform) is kept


def test_no_test_or_development_package_is_frozen():
    for name in ("pytest", "pytestqt", "ruff", "psycopg", "PyInstaller", "tkinter"):
        assert name in layout.EXCLUDED_MODULES
    spec = (ROOT / "build_installer.spec").read_text(encoding="utf-8")
    assert "console=False" in spec or "console=console" in spec
    assert '"budgetdesk-cli"' in spec  # Windows: a console executable for selftest and the CLI


def iss_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        if re.fullmatch(r"\[\w+\]", line):
            current = line[1:-1]
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def iss_value(line: str, key: str) -> str | None:
    match = re.search(rf'(?:^|;\s*){key}:\s*"([^"]*)"', line)
    return match.group(1) if match else None


def test_inno_setup_script_names_only_files_of_the_frozen_build():
    text = ISS.read_text(encoding="utf-8")
    defines = dict(re.findall(r'#define (\w+) "([^"]*)"', text))
    sections = iss_sections(text)
    expected_top = {layout.GUI_EXECUTABLE["windows"], layout.CLI_EXECUTABLE["windows"], layout.INTERNAL_DIR}
    sources = [iss_value(line, "Source") for line in sections["Files"]]
    assert sources and all(sources)
    for source in sources:
        source = re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], source)
        assert source.startswith("..\\dist\\BudgetDesk\\"), source
        relative = source[len("..\\dist\\BudgetDesk\\"):].split("\\")
        assert relative[0] in expected_top, source
        if FROZEN.exists() and sys.platform.startswith("win"):
            assert list(FROZEN.glob("/".join(relative))), f"{source} is not in {FROZEN}"
    assert defines["AppExe"] == layout.GUI_EXECUTABLE["windows"]
    for line in sections["Icons"] + sections["Registry"]:
        for exe in re.findall(r"\{app\}\\([\w.-]+\.exe)", line):
            assert exe in expected_top
    # the icon it embeds is in the repository
    icon = re.search(r"SetupIconFile=(.+)", text).group(1).strip()
    assert (ISS.parent / icon.replace("\\", "/")).is_file()


def test_inno_setup_installs_per_user_and_keeps_the_data():
    text = ISS.read_text(encoding="utf-8")
    sections = iss_sections(text)
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"].startswith("{localappdata}\\Programs\\")
    assert all(line.startswith("Root: HKCU;") for line in sections["Registry"])
    assert any('"Software\\Classes\\.bdp"' in line for line in sections["Registry"])
    assert "UninstallDelete" not in sections  # the data lives outside {app} and stays
    names = [iss_value(line, "Name") for line in sections["Icons"]]
    assert "{autoprograms}\\{#AppName}" in names and "{autodesktop}\\{#AppName}" in names
    assert re.search(r'#define AppName "部门预算填报"', text)


def test_desktop_entry_and_mime_type_agree():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(LINUX / "budgetdesk.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Name"] == "部门预算填报" and desktop["Type"] == "Application"
    assert {"Office", "Finance"} <= set(desktop["Categories"].strip(";").split(";"))
    assert desktop["Exec"].split()[:2] == ["budgetdesk", "gui"] and desktop["Icon"] == "budgetdesk"
    mime = ET.parse(LINUX / "budgetdesk-mime.xml").getroot()
    namespace = "{http://www.freedesktop.org/standards/shared-mime-info}"
    mime_type = mime.find(f"{namespace}mime-type")
    assert mime_type.find(f"{namespace}glob").get("pattern") == "*.bdp"
    assert desktop["MimeType"].strip(";") == mime_type.get("type") == deb.MIME_TYPE
    launcher = (LINUX / "budgetdesk.sh").read_text(encoding="utf-8")
    assert f"/{deb.INSTALL_DIR}/{layout.GUI_EXECUTABLE['linux']}" in launcher
    for script in ("postinst", "postrm"):
        text = (LINUX / script).read_text(encoding="utf-8")
        assert "update-mime-database" in text and "rm " not in text  # removal never deletes user data


def test_icon_files_hold_every_size():
    images = deb.ico_images(ROOT / "resources" / "icons" / "budgetdesk.ico")
    assert set(deb.ICON_SIZES) <= set(images)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in images.values())
    assert (ROOT / "resources" / "icons" / "budgetdesk.png").read_bytes() == images[256]


def test_deb_control_lists_the_xcb_libraries_qt_needs():
    control = deb.control_text("0.1.0", "amd64", sorted(deb.BASE_DEPENDS), 117000)
    fields = dict(line.split(": ", 1) for line in control.splitlines() if ": " in line and not line.startswith(" "))
    assert fields["Package"] == "budgetdesk" and fields["Architecture"] == "amd64"
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-xinerama0", "libegl1", "libgl1"):
        assert package in fields["Depends"]
    assert "fonts-wqy-zenhei" in fields["Recommends"]


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("readelf"),
                    reason="reads ELF files with readelf")
def test_deb_dependencies_come_from_what_the_binaries_link_to(tmp_path):
    program = tmp_path / "BudgetDesk"
    shutil.copyfile(sys.executable if Path(sys.executable).stat().st_size > 10_000 else "/bin/ls", program)
    needed = deb.needed_libraries(program)
    assert needed
    resolved, missing = deb.shared_library_paths(tmp_path)
    assert not missing
    assert any(Path(path).name == "libc.so.6" for path in resolved)
    (tmp_path / "_internal").mkdir()
    (tmp_path / "_internal" / needed[0]).write_bytes(b"")  # a library the build carries is no dependency
    resolved, _missing = deb.shared_library_paths(tmp_path)
    assert all(Path(path).name != needed[0] for path in resolved)


@pytest.mark.skipif(not (FROZEN / layout.GUI_EXECUTABLE["linux"]).exists() or not sys.platform.startswith("linux"),
                    reason="no frozen build (make dist)")
def test_frozen_build_layout_and_selftest():
    internal = FROZEN / layout.INTERNAL_DIR
    qt = internal / "PySide6" / "Qt"
    assert (qt / "plugins" / "platforms" / "libqxcb.so").exists()
    assert not list(qt.glob("plugins/wayland*")) and not list(qt.glob("plugins/platforms/libqwayland*"))
    assert [path.name for path in (qt / "translations").iterdir()] == ["qtbase_zh_CN.qm"]
    assert (internal / "resources" / "samples" / "seed004_2023.json").exists()
    assert (internal / "resources" / "fonts" / "uming.ttc").stat().st_size > 20_000_000
    assert (internal / "resources" / "fonts" / "ARPHICPL.TXT").exists()  # the licence travels with the font
    assert not list(internal.glob("pytest*")) and not list(internal.glob("psycopg*"))
    assert not list(internal.glob("fontTools*"))  # a test tool only
    result = subprocess.run([str(FROZEN / layout.GUI_EXECUTABLE["linux"]), "selftest"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("自检通过。")


def test_deb_depends_names_the_glibc_the_binaries_need_and_older_package_names():
    depends = deb.declared_depends({"libc6", "libgcc-s1", "libxcb-cursor0"}, "2.28")
    assert depends[0] == "libc6 (>= 2.28)"
    assert "libc6" not in depends[1:]
    assert "libgcc-s1 | libgcc1" in depends  # Debian 10 / 统信UOS 20 call it libgcc1
    assert "libxcb-cursor0" in depends


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads a Linux program's ELF header")
def test_deb_architecture_is_read_from_the_program(tmp_path):
    program = Path(sys.executable).resolve()
    expected = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine())
    if expected is None:
        pytest.skip("neither x86-64 nor arm64")
    assert deb.elf_architecture(program) == expected
    arm = tmp_path / "arm"
    arm.write_bytes(program.read_bytes()[:18] + (183).to_bytes(2, "little") + b"\0" * 44)
    assert deb.elf_architecture(arm) == "arm64"


def test_size_table_groups_cryptography_and_prints_markdown(tmp_path, capsys):
    from installer import sizes

    internal = tmp_path / "_internal"
    for relative, size in (("cryptography/hazmat/_rust.abi3.so", 3_000_000), ("_cffi_backend.cpython-311.so", 500_000),
                           ("PySide6/Qt/lib/libQt6Core.so.6", 7_000_000), ("libpython3.11.so.1.0", 1_000_000)):
        (internal / relative).parent.mkdir(parents=True, exist_ok=True)
        (internal / relative).write_bytes(b"\0" * size)
    (tmp_path / "BudgetDesk").write_bytes(b"\0" * 200_000)
    parts = dict(sizes.part_sizes(tmp_path))
    assert parts["cryptography (Ed25519 signatures of data packages)"] == 3_500_000
    assert sizes.main([str(tmp_path), "--markdown"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[:2] == ["| part | MB |", "| --- | ---: |"]
    assert table[2] == "| Qt (PySide6, Qt libraries, ICU) | 7.0 |"
    assert "| cryptography (Ed25519 signatures of data packages) | 3.5 |" in table
    assert "| the rest (executables) | 0.2 |" in table  # parts under 0.5 MB share one row
    assert table[-1] == "| **total unpacked** | **11.7** |"
    assert sizes.main([str(tmp_path / "absent")]) == 2


def read_desktop_entry(name: str):
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(LINUX / name, encoding="utf-8")
    return entry["Desktop Entry"]


def test_linux_has_a_selftest_menu_entry_like_windows():
    """部门预算填报 自检 shows its steps in a window (Terminal=false): a terminal would close with the
    result, and not every desktop names one."""
    assert deb.DESKTOP_ENTRIES == ("budgetdesk.desktop", "budgetdesk-selftest.desktop")
    selftest = read_desktop_entry("budgetdesk-selftest.desktop")
    assert selftest["Name"] == "部门预算填报 自检" and selftest["Type"] == "Application"
    assert selftest["Exec"].split() == ["budgetdesk", "gui", "--selftest"] and selftest["Terminal"] == "false"
    assert selftest["Icon"] == read_desktop_entry("budgetdesk.desktop")["Icon"]
    assert "MimeType" not in selftest  # a double-clicked .bdp opens the program, not the self-test
    from app.cli.main import build_parser

    assert build_parser().parse_args(["gui", "--selftest"]).selftest is True
    assert "自检" in ISS.read_text(encoding="utf-8")  # the Windows Start-menu entry it mirrors


@pytest.mark.skipif(not sys.platform.startswith("linux") or not all(shutil.which(tool) for tool in
                                                                    ("dpkg-deb", "readelf", "dpkg")),
                    reason="builds a .deb with dpkg-deb")
def test_the_deb_installs_both_menu_entries(tmp_path):
    frozen = tmp_path / "frozen"
    frozen.mkdir()
    shutil.copyfile("/bin/true", frozen / layout.GUI_EXECUTABLE["linux"])  # a stand-in for the frozen program
    package = deb.build(frozen, tmp_path / "out")
    listing = subprocess.run(["dpkg-deb", "-c", str(package)], capture_output=True, text=True, check=True).stdout
    for entry in deb.DESKTOP_ENTRIES:
        assert f"./usr/share/applications/{entry}" in listing
    extracted = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(package), str(extracted)], check=True)
    for entry in deb.DESKTOP_ENTRIES:
        assert (extracted / "usr/share/applications" / entry).read_bytes() == (LINUX / entry).read_bytes()
