"""What each part of the frozen build costs on disk: ``python -m installer.sizes dist/BudgetDesk``.

``--markdown`` prints the same table for the README (its size table is this output, pasted).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Files at the top of _internal, grouped under a readable name (first match wins).
GROUPS = (
    ("Qt (PySide6, Qt libraries, ICU)", ("PySide6", "shiboken6", "libQt6", "libicu", "libpyside6", "libshiboken6")),
    ("Python runtime", ("libpython", "python3", "base_library.zip", "lib-dynload")),
    ("pypdfium2 (print preview, selftest)", ("pypdfium2",)),
    ("cryptography (Ed25519 signatures of data packages)", ("cryptography", "_cffi_backend")),
    ("Pillow (needed by reportlab)", ("PIL", "pillow.libs")),
    ("SQLite", ("libsqlite3",)),
    ("SQLAlchemy", ("sqlalchemy",)),
    ("jsonschema (checks imported files)", ("jsonschema", "fastjsonschema", "rpds", "referencing", "attrs")),
    ("resources (forms, rules, code tables, help, sample, the Chinese font)", ("resources",)),
)


def tree_size(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(child.lstat().st_size for child in path.rglob("*") if child.is_symlink() or child.is_file())


def part_sizes(frozen: Path) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    internal = frozen / "_internal"
    for entry in frozen.iterdir():
        if entry != internal:
            totals["executables"] = totals.get("executables", 0) + tree_size(entry)
    for entry in internal.iterdir():
        group = next((name for name, prefixes in GROUPS if entry.name.startswith(prefixes)), None)
        if group is None and entry.name.endswith(".dist-info"):
            group = "package metadata (.dist-info)"
        if group is None:
            group = "other libraries" if ".so" in entry.name or entry.suffix in (".dll", ".pyd") else entry.name
        totals[group] = totals.get(group, 0) + tree_size(entry)
    return sorted(totals.items(), key=lambda item: -item[1])


def markdown_table(parts: list[tuple[str, int]], smallest: int = 500_000) -> str:
    """The README's table: parts under ``smallest`` bytes summed into one last row."""
    total = sum(size for _name, size in parts)
    lines = ["| part | MB |", "| --- | ---: |"]
    lines += [f"| {name} | {size / 1e6:.1f} |" for name, size in parts if size >= smallest]
    small = [(name, size) for name, size in parts if size < smallest]
    if small:
        names = ", ".join(name for name, _size in small)
        lines.append(f"| the rest ({names}) | {sum(size for _name, size in small) / 1e6:.1f} |")
    lines.append(f"| **total unpacked** | **{total / 1e6:.1f}** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    markdown = "--markdown" in args
    args = [arg for arg in args if arg != "--markdown"]
    frozen = Path(args[0] if args else "dist/BudgetDesk")
    if not (frozen / "_internal").is_dir():
        print(f"没有找到冻结版程序 {frozen}：请先运行 make dist。", file=sys.stderr)
        return 2
    parts = part_sizes(frozen)
    if markdown:
        print(markdown_table(parts))
        return 0
    total = sum(size for _name, size in parts)
    for name, size in parts:
        print(f"{size / 1e6:8.1f} MB  {name}")
    print(f"{total / 1e6:8.1f} MB  total unpacked ({frozen})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
