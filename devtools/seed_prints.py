"""Print the seeds' forms from their fixtures and measure them against the published texts.

``python -m devtools.seed_prints OUT_DIR [--seeds DIR]`` writes ``seed000.pdf`` (批复表), ``seed002.pdf``
(汇总表 of a small dataset) and ``seed003.pdf`` (部门整体支出绩效自评表) into OUT_DIR. With ``--seeds``, a
folder holding the published texts (``000_*.txt``, ``002_*.txt``, ``003_*.txt``), it prints for each
“fields matching N of M” and the fields not found.

A field is a piece of the published text between white space (tabs, spaces, line ends, 　); it
matches when the printed PDF's text, read back with white space removed, holds it starting and ending
where printed cells or lines start and end (so 242.5 does not match 242.50, nor 经济效益 经济效益指标); a
field longer than eight characters needs only one of the two (the seed's text wraps long cells at
other places), and a field also matches as part of up to four neighbouring fields joined that start
and end at boundaries (a cell the seed's text broke over lines: 一级 / 绩效指标); text of 24 characters or
more matches wherever it is found (a line from the middle of a long cell), see ``fields_matching``.
For seed 002 only the rows of the projects in the small dataset (name and the four
amounts) and 合计 are fields.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from app.base.jsondoc import read_document
from app.domain.records import UnitInfo
from app.exchange.interchange import import_document
from app.printing.document import build_document
from app.projects import ProjectBook
from app.store.service import Store
from tests.fixtures import seed000, seed002  # run from the repository's root: python -m devtools.seed_prints

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
_SPACE = re.compile(r"[\s\u3000]+")


# What a page break inserts into a cell divided between pages: the merged label printed again.
CONTINUED_LABELS = ("年度总体目标（续）",)
LONG_FIELD = 8  # characters: a longer field may be a piece of a cell the seed's text wrapped elsewhere
ANYWHERE = 24  # characters: text this long found anywhere is the same text (a line from a long cell)
JOINED = 4  # a field may be part of a cell the seed's text wrapped: up to this many neighbours joined


class Printed:
    """A PDF's text with white space removed, and where the white space was: the boundaries between
    printed cells and lines (footers and repeated （续） labels removed, so a divided cell reads as one)."""

    def __init__(self, path: Path) -> None:
        document = pdfium.PdfDocument(str(path))
        try:
            raw = "\n".join(page.get_textpage().get_text_range() for page in document)
        finally:
            document.close()
        raw = re.sub(r"第\s*\d+\s*页\s*共\s*\d+\s*页", " ", raw)
        for label in CONTINUED_LABELS:
            raw = re.sub(r"\s*".join(map(re.escape, label)), "", raw)
        self.text = ""
        self.boundaries = {0}
        for piece in _SPACE.split(raw):
            self.text += piece
            self.boundaries.add(len(self.text))

    def holds(self, field: str, *, anywhere: bool = False, one_boundary: bool = False) -> bool:
        """``field`` is printed, starting and ending at cell or line boundaries (with ``one_boundary``
        at one of them; with ``anywhere`` at neither)."""
        start = self.text.find(field)
        while start >= 0:
            at_start, at_end = start in self.boundaries, start + len(field) in self.boundaries
            if anywhere or (at_start and at_end) or (one_boundary and (at_start or at_end)):
                return True
            start = self.text.find(field, start + 1)
        return False


def pdf_text(path: Path) -> str:
    return Printed(path).text


def print_seed000(store: Store, out: Path) -> Path:
    unit = seed000.UNIT
    store.create_unit(UnitInfo(code=unit["code"], name=unit["name"], preparer=unit["preparer"], phone=unit["phone"]))
    store.create_dataset(unit["code"], 2021)
    dataset = store.open_dataset(unit["code"], 2021)
    ProjectBook(dataset).add_project(seed000.build_project())
    build_document(dataset, out, forms=["project_approval"])
    return out


def print_seed002(store: Store, out: Path) -> Path:
    build_document(seed002.build(store), out, forms=["project_targets_summary"])
    return out


def print_seed003(store: Store, out: Path) -> Path:
    dataset = import_document(store, read_document(FIXTURES / "seed003_2020.json"))
    build_document(dataset, out, forms=["department_self_evaluation"])
    return out


def published_fields(number: str, text: str) -> list[str]:
    if number != "002":
        return [field for field in _SPACE.split(text) if field]
    wanted = {"合计", *(name for name, _unit, _amount in seed002.PROJECTS)}
    fields: list[str] = []
    for line in text.split("\n"):
        cells = line.split("\t")
        if cells and cells[0] in wanted and len(cells) > 4:
            fields += [cell for cell in cells[:5] if cell.strip()]
    return fields


def fields_matching(fields: list[str], printed: Printed) -> tuple[int, int, list[str]]:
    """How many ``fields`` are printed, and the ones that are not. A field longer than ``LONG_FIELD``
    needs a boundary at one end only, one of ``ANYWHERE`` characters none (the seed's text wraps long
    cells elsewhere); a field may also be part of up to ``JOINED`` neighbours joined into one printed
    cell (一级 / 绩效指标 is our 一级绩效指标), bounded at both ends unless all its neighbours are long."""
    def printed_field(index: int) -> bool:
        for size in range(1, JOINED + 1):
            for first in range(max(0, index - size + 1), min(index, len(fields) - size) + 1):
                window = fields[first:first + size]
                text = "".join(window)
                neighbours_long = all(len(field) > LONG_FIELD for number, field in enumerate(window, first)
                                      if number != index)
                if printed.holds(text, anywhere=len(text) >= ANYWHERE and neighbours_long,
                                 one_boundary=size == 1 and len(text) > LONG_FIELD):
                    return True
        return False

    missing = [field for index, field in enumerate(fields) if not printed_field(index)]
    return len(fields) - len(missing), len(fields), missing


PRINTERS = {"000": print_seed000, "002": print_seed002, "003": print_seed003}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seeds", type=Path, help="folder with the published texts NNN_*.txt")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    for number, printer in PRINTERS.items():
        with tempfile.TemporaryDirectory() as folder:
            store = Store(str(Path(folder) / "seed.sqlite3"))
            try:
                pdf = printer(store, options.out / f"seed{number}.pdf")
            finally:
                store.close()
        print(f"seed {number}: {pdf}")
        if options.seeds:
            published = sorted(options.seeds.glob(f"{number}_*.txt"))
            if not published:
                print(f"  no {number}_*.txt in {options.seeds}")
                continue
            matched, total, missing = fields_matching(
                published_fields(number, published[0].read_text(encoding="utf-8")), Printed(pdf))
            print(f"  fields matching {matched} of {total}")
            for field in missing:
                print(f"  not printed: {field}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
