"""The newest glibc (and libstdc++) symbol versions a folder of ELF files needs.

``python -m installer.glibc dist/BudgetDesk --glibc 2.28`` reads every ELF file in the folder
(executables, ``.so`` libraries, Python extension modules), lists the versions each one asks of the
system's C and C++ libraries (the ``.gnu.version_r`` section the dynamic linker checks at start-up)
and fails when any of them is newer than the ceiling: a file that needs ``GLIBC_2.34`` does not load
on 统信UOS 20 or 银河麒麟 V10 (glibc 2.28), whatever else is right. ``installer/deb.py`` writes
``Depends: libc6 (>= …)`` from the same reading.

The ELF reading is done here rather than with ``readelf`` so that it works for any architecture's
files (an arm64 build checked on an x86-64 machine) and needs no tool installed.
"""

from __future__ import annotations

import argparse
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

SHT_GNU_VERNEED = 0x6FFFFFFE
# GCC 8 (the libstdc++ of 统信UOS 20 / 银河麒麟 V10 / Debian 10) provides GLIBCXX_3.4.25 and CXXABI_1.3.11.
DEFAULT_CEILINGS = {"GLIBC": "2.28", "GLIBCXX": "3.4.25", "CXXABI": "1.3.11"}
_VERSION_NAME = re.compile(r"^(GLIBC|GLIBCXX|CXXABI)_(\d+(?:\.\d+)*)$")


class NotElf(ValueError):
    """The file is not an ELF file this reader understands."""


def version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def _string(data: bytes, start: int) -> str:
    return data[start:data.index(b"\0", start)].decode("ascii", "replace")


def needed_versions(path: Path) -> dict[str, set[str]]:
    """Library file name → the symbol version names this ELF file needs from it (``GLIBC_2.17`` …)."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or len(data) < 0x40:
        raise NotElf(str(path))
    word = {1: 32, 2: 64}.get(data[4])
    order = {1: "<", 2: ">"}.get(data[5])
    if word is None or order is None:
        raise NotElf(str(path))
    if word == 64:
        section_offset, = struct.unpack_from(order + "Q", data, 0x28)
        entry_size, count, _names = struct.unpack_from(order + "HHH", data, 0x3A)
        header = order + "IIQQQQIIQQ"
    else:
        section_offset, = struct.unpack_from(order + "I", data, 0x20)
        entry_size, count, _names = struct.unpack_from(order + "HHH", data, 0x2E)
        header = order + "IIIIIIIIII"
    sections = [struct.unpack_from(header, data, section_offset + index * entry_size) for index in range(count)]
    needs: dict[str, set[str]] = {}
    for section in sections:
        _name, kind, _flags, _address, offset, _size, link, info = section[:8]
        if kind != SHT_GNU_VERNEED or link >= len(sections):
            continue
        strings_offset = sections[link][4]
        entry = offset
        for _ in range(info):  # Elf_Verneed: version, count, file, aux, next
            _version, aux_count, file_name, aux, following = struct.unpack_from(order + "HHIII", data, entry)
            versions = needs.setdefault(_string(data, strings_offset + file_name), set())
            aux_entry = entry + aux
            for _ in range(aux_count):  # Elf_Vernaux: hash, flags, other, name, next
                _hash, _aux_flags, _other, version_name, aux_next = struct.unpack_from(order + "IHHII", data, aux_entry)
                versions.add(_string(data, strings_offset + version_name))
                if not aux_next:
                    break
                aux_entry += aux_next
            if not following:
                break
            entry += following
    return needs


@dataclass
class Report:
    """What a folder needs: the highest version per family and the files above a ceiling."""

    highest: dict[str, str] = field(default_factory=dict)
    # family → {relative file → versions above the ceiling}
    too_new: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    files_read: int = 0


def check_folder(folder: Path, ceilings: dict[str, str] | None = None) -> Report:
    limits = dict(DEFAULT_CEILINGS if ceilings is None else ceilings)
    report = Report()
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or not is_elf(path):
            continue
        try:
            needs = needed_versions(path)
        except (NotElf, struct.error, ValueError):
            continue
        report.files_read += 1
        relative = str(path.relative_to(folder))
        for version_name in sorted(set().union(*needs.values()) if needs else set()):
            match = _VERSION_NAME.match(version_name)
            if version_name == "GLIBC_PRIVATE":  # glibc's own internals: only a copied glibc part asks for them
                report.too_new.setdefault("GLIBC", {}).setdefault(relative, []).append(version_name)
                continue
            if not match:
                continue
            family, number = match.groups()
            if family not in report.highest or version_key(number) > version_key(report.highest[family]):
                report.highest[family] = number
            if family in limits and version_key(number) > version_key(limits[family]):
                report.too_new.setdefault(family, {}).setdefault(relative, []).append(version_name)
    return report


def minimum_glibc(folder: Path) -> str | None:
    """The glibc release the folder's files need at least (``Depends: libc6 (>= …)``)."""
    return check_folder(folder, ceilings={}).highest.get("GLIBC")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="检查一个目录里所有 ELF 文件所需的 glibc/libstdc++ 版本不超过上限")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--glibc", default=DEFAULT_CEILINGS["GLIBC"], help="GLIBC_ 上限（默认 %(default)s）")
    parser.add_argument("--glibcxx", default=DEFAULT_CEILINGS["GLIBCXX"], help="GLIBCXX_ 上限（默认 %(default)s）")
    parser.add_argument("--cxxabi", default=DEFAULT_CEILINGS["CXXABI"], help="CXXABI_ 上限（默认 %(default)s）")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"目录不存在：{args.folder}", file=sys.stderr)
        return 2
    ceilings = {"GLIBC": args.glibc, "GLIBCXX": args.glibcxx, "CXXABI": args.cxxabi}
    report = check_folder(args.folder, ceilings)
    print(f"读取了 {report.files_read} 个 ELF 文件（{args.folder}）")
    for family in ("GLIBC", "GLIBCXX", "CXXABI"):
        highest = report.highest.get(family, "—")
        print(f"  最高 {family}_{highest}（上限 {ceilings[family]}）")
    if not report.too_new:
        return 0
    print("以下文件需要比上限更新的系统库版本，在 glibc "
          f"{args.glibc} 的系统（统信UOS 20、银河麒麟 V10、Debian 10）上无法加载：", file=sys.stderr)
    for _family, files in sorted(report.too_new.items()):
        for relative, versions in sorted(files.items()):
            print(f"  {relative}: {', '.join(versions)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
