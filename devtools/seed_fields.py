"""How much of each published seed the program prints: every seed fixture loaded and printed the way the
program does it (the interchange import or the fixture's own entry, then ``build_document``), the PDF
text read back with pypdfium2, and the seed text's fields (cells split on tabs and lines) looked for in it,
whitespace removed and full-width/half-width punctuation made one (NFKC).

    python -m devtools.seed_fields                 # every seed with a fixture
    python -m devtools.seed_fields --seed 002      # one seed
    python -m devtools.seed_fields --pdf-dir build/seeds   # keep the PDFs (to render them as PNG)

    python -m devtools.seed_fields --all-missing   # and every missing field after the table

Prints a table: seed | fields matching N of M | fields missing (first 10). It reads whatever fixtures
exist in ``tests/fixtures`` (``seedNNN_*.json``, or ``seedNNN.py``), so a fixture another change
extends is measured as it stands.

A field matches only where it is printed whole: the PDF text keeps where its white space was (the
boundaries between printed cells and lines, ``Printed``), and a field must start and end at such
boundaries, so 经济效益 is not found inside 经济效益指标, nor 242.5 in 242.50. Allowances for a seed text
that wrapped cells differently from the print (``fields_matching``): a field longer than eight characters
needs a boundary at one end only, and a field may be part of up to four neighbouring fields joined (一级 /
绩效指标 printed as 一级绩效指标); a figure matches only whole, never run together with another figure. Page footers and the （续）
labels a page break repeats are removed from the PDF text first, so a divided cell reads as one.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.base.errors import InputError
from app.base.jsondoc import read_document
from app.domain.records import UnitInfo
from app.exchange.interchange import import_document
from app.printing.document import build_document
from app.projects import ProjectBook
from app.projects.levels import import_local_levels
from app.store.service import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PUBLISHED = FIXTURES / "published"

# Which print each seed is: the form ids handed to build_document (None: the whole 公开 document).
SEED_PRINTS: dict[str, list[str] | None] = {
    "000": ["project_approval"],  # 项目支出绩效目标批复表
    "001": ["self_evaluation"],  # 项目绩效自评表
    "002": ["project_targets_summary"],  # 项目支出绩效目标表（含转移支付项目）
    "003": ["department_self_evaluation"],  # 部门整体支出绩效自评表
    "004": None,  # 部门预算信息公开: every table and the 情况说明
}
_TEXT = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")


def normalised(text: str) -> str:
    """NFKC (full-width ：；（），％ and digits to their half-width forms) with all whitespace removed:
    a PDF breaks lines where the seed did not, and the seeds mix ： and :."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def seed_fields(text: str, *, once: bool = True) -> list[str]:
    """The seed's cells, split on tabs and lines, normalised, each once, in order; rules and separators
    (cells without a letter, digit or Chinese character, such as ``-------``) are not fields; with
    ``once`` false every cell in its place, repeats too (neighbours for ``fields_matching``). A line
    without a tab is a table whose cells the text kept apart by spaces (seed 000), so it splits there."""
    fields: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        for cell in line.split("\t") if "\t" in line else line.split():
            field = normalised(cell)
            if field and _TEXT.search(field) and not (once and field in seen):
                seen.add(field)
                fields.append(field)
    return fields


def pdf_text(path: Path) -> str:
    """The PDF's text, its pages one after another (a page end is a boundary)."""
    import pypdfium2 as pdfium  # deferred: only the measuring reads PDFs

    document = pdfium.PdfDocument(str(path))
    try:
        # pdfium reads a hyphen that ends a printed line as U+FFFE: it is the printed "-"
        return "\n".join(page.get_textpage().get_text_range() for page in document).replace("\ufffe", "-")
    finally:
        document.close()


@dataclass
class Measure:
    seed: str
    fixture: str
    fields: list[str]
    missing: list[str]

    @property
    def matching(self) -> int:
        return len(self.fields) - len(self.missing)


# What a page break inserts into a cell divided between pages: the merged label printed again.
CONTINUED_LABELS = ("年度总体目标（续）",)
LONG_FIELD = 8  # characters: a longer field may be a piece of a cell the seed's text wrapped elsewhere
ANYWHERE = 24  # characters: text this long found anywhere is the same text (a line from a long cell)
JOINED = 4  # a field may be part of a cell the seed's text wrapped: up to this many neighbours joined
_FIGURE = re.compile(r"^[-+]?[\d.,]+%?$")
_SPACE = re.compile(r"\s+")
_SEAM = re.compile(r"[\d.,][\d.,]")


class Printed:
    """Printed text (a PDF's, see ``pdf_text``) normalised and with white space removed, and where the
    white space was: the boundaries between printed cells and lines (page footers and repeated （续）
    labels removed, so a divided cell reads as one)."""

    def __init__(self, raw: str) -> None:
        raw = unicodedata.normalize("NFKC", re.sub(r"第\s*\d+\s*页\s*共\s*\d+\s*页", " ", raw))
        for label in CONTINUED_LABELS:
            raw = re.sub(r"\s*".join(map(re.escape, unicodedata.normalize("NFKC", label))), "", raw)
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


def _printed_at(fields: Sequence[str], printed: Printed) -> list[bool]:
    """For each of ``fields`` (the seed's cells in order), whether it is printed (see ``fields_matching``)."""
    def printed_field(index: int) -> bool:
        for size in range(1, JOINED + 1):
            for first in range(max(0, index - size + 1), min(index, len(fields) - size) + 1):
                window = fields[first:first + size]
                if any(_SEAM.match(left[-1] + right[0]) for left, right in zip(window[:-1], window[1:], strict=True)):
                    continue  # 1 joined to 0 is not 10: figures are never run together
                text = "".join(window)
                if any(_FIGURE.match(field) for field in window):  # a figure only whole: 242.5 is not 242.50
                    if printed.holds(text):
                        return True
                    continue
                neighbours_long = all(len(field) > LONG_FIELD for number, field in enumerate(window, first)
                                      if number != index)
                if printed.holds(text, anywhere=len(text) >= ANYWHERE and neighbours_long,
                                 one_boundary=size == 1 and len(text) > LONG_FIELD):
                    return True
        return False

    return [printed_field(index) for index in range(len(fields))]


def fields_matching(fields: Sequence[str], printed: Printed) -> tuple[int, int, list[str]]:
    """How many ``fields`` are printed, and the ones that are not. A field longer than ``LONG_FIELD``
    needs a boundary at one end only, one of ``ANYWHERE`` characters none (the seed's text wraps long
    cells elsewhere); a field may also be part of up to ``JOINED`` neighbours joined into one printed
    cell (一级 / 绩效指标 is our 一级绩效指标), bounded at both ends unless all its neighbours are long.
    A figure (242.5, 8,777.20, 100%) matches only bounded at both ends, alone or joined to words (预算年度:
    / 2023), never to another figure."""
    found = _printed_at(fields, printed)
    missing = [field for field, here in zip(fields, found, strict=True) if not here]
    return len(fields) - len(missing), len(fields), missing


def compare(seed_text: str, printed: str) -> tuple[list[str], list[str]]:
    """The seed text's fields (each once) and those not printed in ``printed`` (a PDF's text): a field
    the seed has more than once is printed when any of its places matches."""
    cells = seed_fields(seed_text, once=False)
    found = _printed_at(cells, Printed(printed))
    matched = {cell for cell, here in zip(cells, found, strict=True) if here}
    fields = seed_fields(seed_text)
    return fields, [field for field in fields if field not in matched]


# ---- loading a fixture the way the program enters it ------------------------------------------------

def _load_json(store: Store, path: Path):
    return import_document(store, read_document(path))


def _load_seed000(store: Store, path: Path):
    """Seed 000's fixture is the clerk's entry as code (``build_project``): its unit, any local indicator
    levels it needs, and the project added through the ProjectBook, as the editor adds it."""
    module = importlib.import_module(f"tests.fixtures.{path.stem}")
    local = getattr(module, "LOCAL_LEVELS", None)
    if local:
        try:
            import_local_levels(store, local)
        except InputError:
            pass  # the framework already ships them
    unit = module.UNIT
    store.create_unit(UnitInfo(code=unit["code"], name=unit["name"], preparer=unit.get("preparer", ""),
                               phone=unit.get("phone", "")))
    project = module.build_project()
    year = project.period_start.year if project.period_start else 2021
    store.create_dataset(unit["code"], year)
    dataset = store.open_dataset(unit["code"], year)
    ProjectBook(dataset).add_project(project)
    return dataset


def fixtures(folder: Path = FIXTURES) -> dict[str, tuple[Path, Callable]]:
    """Each seed's fixture: ``seedNNN_*.json`` (preferred) or ``seedNNN.py``."""
    found: dict[str, tuple[Path, Callable]] = {}
    for path in sorted(folder.glob("seed[0-9][0-9][0-9].py")):
        found[path.stem[4:7]] = (path, _load_seed000)
    for path in sorted(folder.glob("seed[0-9][0-9][0-9]_*.json")):
        found[path.stem[4:7]] = (path, _load_json)
    return dict(sorted(found.items()))


def measure(seed: str, *, published: Path = PUBLISHED, fixtures_folder: Path = FIXTURES,
            pdf_dir: Path | None = None) -> Measure:
    path, load = fixtures(fixtures_folder)[seed]
    with tempfile.TemporaryDirectory() as temporary:
        store = Store(str(Path(temporary) / "seed.sqlite3"))
        try:
            dataset = load(store, path)
            out = (pdf_dir or Path(temporary)) / f"seed{seed}.pdf"
            out.parent.mkdir(parents=True, exist_ok=True)
            build_document(dataset, out, forms=SEED_PRINTS.get(seed))
            printed = pdf_text(out)
        finally:
            store.close()
    fields, missing = compare((published / f"seed{seed}.txt").read_text(encoding="utf-8"), printed)
    return Measure(seed, path.name, fields, missing)


def table(measures: Sequence[Measure]) -> str:
    lines = ["| seed | fields matching N of M | fields missing (first 10) |", "|---|---|---|"]
    for item in measures:
        shown = "; ".join(field if len(field) <= 40 else field[:38] + "…" for field in item.missing[:10])
        lines.append(f"| {item.seed} ({item.fixture}) | {item.matching} of {len(item.fields)} | {shown or '—'} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Count the published seeds' fields in the printed fixtures.")
    parser.add_argument("--seed", action="append", help="only this seed (000 … 004); may repeat")
    parser.add_argument("--published", type=Path, default=PUBLISHED, help="folder of seedNNN.txt")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="folder of the seed fixtures")
    parser.add_argument("--pdf-dir", type=Path, help="keep the printed PDFs here")
    parser.add_argument("--all-missing", action="store_true", help="list every missing field after the table")
    args = parser.parse_args(argv)
    seeds = args.seed or [seed for seed in fixtures(args.fixtures) if (args.published / f"seed{seed}.txt").exists()]
    measures = [measure(seed, published=args.published, fixtures_folder=args.fixtures, pdf_dir=args.pdf_dir)
                for seed in seeds]
    print(table(measures))
    if args.all_missing:
        for item in measures:
            print(f"\n## {item.seed}: {len(item.missing)} missing")
            print("\n".join(item.missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
