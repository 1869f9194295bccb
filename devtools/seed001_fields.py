"""Seed 001 printed and read back, field by field: ``python -m devtools.seed001_fields [out.pdf]``.

Unlike ``devtools.seed_fields`` (every seed, a field found whole anywhere in the print), this places each
field in its own row. The published 项目绩效自评表 (``tests/fixtures/published/seed001.txt``, the seed text as published: one
table row a line, cells separated by tabs, empty cells left out) is compared with the text of the
PDF the fixture ``tests/fixtures/seed001_2020.json`` prints, read back with pypdfium2. Both sides are
normalised alike (NFKC, so the seed's half-width ``,:()`` equal the full-width marks; whitespace
removed). A field matches when the body text, aligned with the published fields in order, holds
exactly that field at its place (``91`` printed as ``91.00`` does not match); an amount that differs
only in its printed decimals is counted apart. Prints ``fields matching N of M``.
"""

from __future__ import annotations

import difflib
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "tests" / "fixtures" / "published" / "seed001.txt"  # the copy seed_fields measures too
FIXTURE = ROOT / "tests" / "fixtures" / "seed001_2020.json"
_BOTTOM_HEADER = re.compile(r"(?:年度指标内容完成情况)+")
_FOOTER = re.compile(r"第\d+页共\d+页")


def normal(text: str) -> str:
    # pdfium reads a hyphen that ends a line as U+FFFE (its soft-hyphen mark): it is the printed "-"
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text.replace("\ufffe", "-")))


@dataclass
class Published:
    title: str
    unit_line: str
    unit_names: list[str]
    rows: list[list[str]]  # each row's non-empty cells in order, 单位名称 left out (a merged cell)


def published(path: Path = PUBLISHED) -> Published:
    lines = path.read_text(encoding="utf-8").split("\n")
    texts = [line.strip() for line in lines if line.strip() and "\t" not in line]
    title = next(text for text in texts if text.endswith("自评表"))
    unit_line = next(text for text in texts if text.startswith("单位"))
    rows: list[list[str]] = []
    units: list[str] = []
    for line in lines:
        cells = line.split("\t")
        if len(cells) > 3 and cells[0].strip().isdigit():
            if cells[1].strip():
                units.append(cells[1].strip())
            rows.append([cell.strip() for index, cell in enumerate(cells) if cell.strip() and index != 1])
    return Published(title, unit_line, units, rows)


def printed_body(pages: list[str], unit_names: list[str]) -> str:
    """The table's body text of every page: footer, title, unit line and repeated header cut off,
    the merged 单位名称 taken out (it is counted on its own)."""
    body = []
    for page in pages:
        text = _FOOTER.sub("", normal(page))
        header = _BOTTOM_HEADER.search(text)
        text = text[header.end():] if header else text
        for name in unit_names:
            text = text.replace(normal(name), "")
        body.append(text)
    return "".join(body)


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text) if re.fullmatch(r"-?\d+(?:\.\d+)?", text) else None
    except InvalidOperation:
        return None


@dataclass
class Measure:
    total: int = 0
    matching: int = 0
    rounded: list[tuple[str, str]] = field(default_factory=list)  # (published, printed) amounts
    differing: list[tuple[str, str]] = field(default_factory=list)  # (published, printed at its place)

    def line(self) -> str:
        text = f"fields matching {self.matching} of {self.total}"
        if self.rounded:
            text += f"; {len(self.rounded)} more amounts equal at the printed decimals: " + ", ".join(
                f"{a} → {b}" for a, b in self.rounded)
        return text


def measure(pages: list[str], source: Published) -> Measure:
    """Field by field: the published fields, in order, aligned with the printed body text."""
    result = Measure()
    whole = normal("".join(pages))
    for single in (source.title, source.unit_line, *source.unit_names):
        result.total += 1
        if normal(single) in whole:
            result.matching += 1
        else:
            result.differing.append((single, ""))
    fields = [normal(cell) for row in source.rows for cell in row]
    expected = "".join(fields)
    body = printed_body(pages, source.unit_names)
    matcher = difflib.SequenceMatcher(None, expected, body, autojunk=False)
    # For every character of the expected text: where it sits in the body, or None; and for every
    # field boundary whether something was printed in between that the seed does not have.
    place: list[int | None] = [None] * len(expected)
    inserted_at: set[int] = set()
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                place[i1 + offset] = j1 + offset
        elif tag in ("insert", "replace"):
            inserted_at.update(range(i1, i2 + 1))
    start = 0
    for text in fields:
        end = start + len(text)
        result.total += 1
        exact = all(place[i] is not None for i in range(start, end)) and not any(
            i in inserted_at for i in range(start + 1, end + 1))
        if exact:
            result.matching += 1
        else:
            found = [place[i] for i in range(start, end) if place[i] is not None]
            at = found[0] if found else (place[start - 1] + 1 if start and place[start - 1] is not None else 0)
            shown = re.match(r"-?\d+(?:\.\d{1,2})?%?|.{0,20}", body[at:]).group(0)
            value, printed_value = _amount(text), _amount(shown)
            if value is not None and printed_value is not None and \
                    value.quantize(Decimal("0.01")) == printed_value.quantize(Decimal("0.01")):
                result.rounded.append((text, shown))
            else:
                result.differing.append((text, shown))
        start = end
    return result


def print_and_measure(pdf_path: Path) -> Measure:
    # pypdfium2 and the store are heavy: imported here, when the tool runs
    import pypdfium2

    from app.base.jsondoc import read_document
    from app.exchange.interchange import import_document
    from app.printing.document import build_document
    from app.store.service import Store

    store = Store("sqlite://")
    try:
        dataset = import_document(store, read_document(FIXTURE))
        build_document(dataset, pdf_path, forms=["self_evaluation"])
    finally:
        store.close()
    document = pypdfium2.PdfDocument(str(pdf_path))
    pages = [page.get_textpage().get_text_range() for page in document]
    document.close()
    return measure(pages, published())


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(argv[0]) if argv else Path(folder) / "seed001.pdf"
        result = print_and_measure(path)
    print(result.line())
    for seed, shown in result.differing:
        print(f"  differs: {seed[:40]!r} printed {shown[:40]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
