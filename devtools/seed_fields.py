"""How much of each published seed the program prints: every seed fixture loaded and printed the way the
program does it (the interchange import or the fixture's own entry, then ``build_document``), the PDF
text read back with pypdfium2, and the seed text's fields (cells split on tabs and lines) looked for in it,
whitespace removed and full-width/half-width punctuation made one (NFKC).

    python -m devtools.seed_fields                 # every seed with a fixture
    python -m devtools.seed_fields --seed 002      # one seed
    python -m devtools.seed_fields --pdf-dir build/seeds   # keep the PDFs (to render them as PNG)

Prints a table: seed | fields matching N of M | fields missing (first 10). It reads whatever fixtures
exist in ``tests/fixtures`` (``seedNNN_*.json``, or ``seed000.py``), so a fixture another change
extends is measured as it stands.
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


def seed_fields(text: str) -> list[str]:
    """The seed's cells, split on tabs and lines, normalised, each once, in order; rules and separators
    (cells without a letter, digit or Chinese character, such as ``-------``) are not fields. A line
    without a tab is a table whose cells the text kept apart by spaces (seed 000), so it splits there."""
    fields: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        for cell in line.split("\t") if "\t" in line else line.split():
            field = normalised(cell)
            if field and _TEXT.search(field) and field not in seen:
                seen.add(field)
                fields.append(field)
    return fields


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium  # deferred: only the measuring reads PDFs

    document = pdfium.PdfDocument(str(path))
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
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


_FIGURE = re.compile(r"^[-+]?[\d.,]+%?$")


def found_in(field: str, flat: str, spaced: str) -> bool:
    """A field is in the printed text (``flat``: no whitespace) as a substring; a figure only as a whole
    figure, between spaces or words (``spaced``: whitespace kept as one space), so 242.5 is not found in
    242.50, nor 0 in 0.00: the figure printed differs."""
    if _FIGURE.match(field):
        return re.search(rf"(?<![\d.,]){re.escape(field)}(?![\d.,]*\d)", spaced) is not None
    return field in flat


def compare(seed_text: str, printed: str) -> tuple[list[str], list[str]]:
    fields = seed_fields(seed_text)
    flat = normalised(printed)
    spaced = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", printed))
    return fields, [field for field in fields if not found_in(field, flat, spaced)]


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
