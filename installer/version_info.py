"""The program's version, read from pyproject.toml, and the Windows version resource made from it.

``build_installer.spec`` writes ``build/version_info.txt`` with :func:`windows_version_resource` and
hands it to PyInstaller, so BudgetDesk.exe's 属性 → 详细信息 show the same version as ``pyproject.toml``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def project_version(root: Path = ROOT) -> str:
    with open(root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def version_tuple(version: str) -> tuple[int, int, int, int]:
    numbers = [int(part) for part in re.findall(r"\d+", version)[:4]]
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def windows_version_resource(version: str) -> str:
    """PyInstaller's ``VSVersionInfo`` text (its ``version=`` file format)."""
    numbers = version_tuple(version)
    strings = {
        "CompanyName": "BudgetDesk",
        "FileDescription": "BudgetDesk 部门预算填报",
        "FileVersion": version,
        "InternalName": "BudgetDesk",
        "LegalCopyright": "BudgetDesk",
        "OriginalFilename": "BudgetDesk.exe",
        "ProductName": "部门预算填报 BudgetDesk",
        "ProductVersion": version,
    }
    string_structs = ",\n          ".join(f"StringStruct({key!r}, {value!r})" for key, value in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable('080404b0', [
          {string_structs}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [2052, 1200])])
  ]
)
"""


def write_windows_version_resource(path: Path, root: Path = ROOT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(windows_version_resource(project_version(root)), encoding="utf-8")
    return path
