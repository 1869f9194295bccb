"""Print the seeds' forms from their fixtures and measure them against the published texts.

``python -m devtools.seed_prints OUT_DIR [--seeds DIR]`` writes ``seed000.pdf`` (批复表), ``seed002.pdf``
(汇总表 of a small dataset) and ``seed003.pdf`` (部门整体支出绩效自评表) into OUT_DIR. With ``--seeds``, a
folder holding the published texts (``000_*.txt``, ``002_*.txt``, ``003_*.txt``), it prints for each
“fields matching N of M” and the fields not found.

A field is a piece of the published text between white space (tabs, spaces, line ends, 　); it
matches when it occurs in the printed PDF's text read back with white space removed. For seed 002 only
the rows of the projects in the small dataset (name and the four amounts) and 合计 are fields.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from app.base.jsondoc import read_document
from app.exchange.interchange import import_document
from app.printing.document import build_document
from app.store.service import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
_SPACE = re.compile(r"[\s\u3000]+")


# What a page break inserts into a cell divided between pages: the merged label printed again.
CONTINUED_LABELS = ("年度总体目标（续）",)


def pdf_text(path: Path) -> str:
    """The PDF's text, white space, footers and repeated (续) labels removed, so a cell divided between
    pages reads as one."""
    document = pdfium.PdfDocument(str(path))
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    text = _SPACE.sub("", re.sub(r"第\s*\d+\s*页\s*共\s*\d+\s*页", "", text))
    for label in CONTINUED_LABELS:
        text = text.replace(label, "")
    return text


def print_seed000(store: Store, out: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from app.domain.records import UnitInfo
    from app.projects import ProjectBook
    from tests.fixtures import seed000

    unit = seed000.UNIT
    store.create_unit(UnitInfo(code=unit["code"], name=unit["name"], preparer=unit["preparer"], phone=unit["phone"]))
    store.create_dataset(unit["code"], 2021)
    dataset = store.open_dataset(unit["code"], 2021)
    ProjectBook(dataset).add_project(seed000.build_project())
    build_document(dataset, out, forms=["project_approval"])
    return out


def print_seed002(store: Store, out: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.fixtures import seed002

    build_document(seed002.build(store), out, forms=["project_targets_summary"])
    return out


def print_seed003(store: Store, out: Path) -> Path:
    dataset = import_document(store, read_document(FIXTURES / "seed003_2020.json"))
    build_document(dataset, out, forms=["department_self_evaluation"])
    return out


def published_fields(number: str, text: str) -> list[str]:
    if number != "002":
        return [field for field in _SPACE.split(text) if field]
    sys.path.insert(0, str(ROOT))
    from tests.fixtures import seed002

    wanted = {"合计", *(name for name, _unit, _amount in seed002.PROJECTS)}
    fields: list[str] = []
    for line in text.split("\n"):
        cells = line.split("\t")
        if cells and cells[0] in wanted and len(cells) > 4:
            fields += [cell for cell in cells[:5] if cell.strip()]
    return fields


def fields_matching(fields: list[str], printed: str) -> tuple[int, int, list[str]]:
    missing = [field for field in fields if field not in printed]
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
                published_fields(number, published[0].read_text(encoding="utf-8")), pdf_text(pdf))
            print(f"  fields matching {matched} of {total}")
            for field in missing:
                print(f"  not printed: {field}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
