"""``budgetdesk selftest``: after an install, prove the program works on this machine, headless.

Every step runs the real code paths on a database in a temporary directory (the clerk's own data
is never touched): forms, rules and code tables load; the bundled seed-004 sample imports; the
checks run; the whole document prints to PDF and is read back; an Excel workbook and a data package
are exported when this build has those features. One Chinese line per step, ✓ or ✗; the result
is True only when no step failed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from app import __version__
from app.base.paths import resource
from app.domain.codes import CODE_KINDS, default_shipped_table
from app.domain.forms import all_forms

SAMPLE_FILE = ("samples", "seed004_2023.json")
SAMPLE_UNIT, SAMPLE_YEAR, SAMPLE_UNIT_NAME = "359", 2023, "秦皇岛经济技术开发区融媒体中心"

# The steps import the heavy parts (SQLAlchemy, reportlab, openpyxl, cryptography, pypdfium2) themselves:
# `budgetdesk --help` stays light, and a part this build lacks or cannot load fails its own step only.


def unembedded_fonts(document) -> list[str]:
    """Names of the fonts the text of a PDF (a pypdfium2 document) is set in but that the file does
    not carry."""
    import ctypes  # only to call pypdfium2's C functions, so deferred with it

    import pypdfium2.raw as pdfium_c  # deferred: pypdfium2

    missing: set[str] = set()
    for page in document:
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(item.raw)
            if font and not pdfium_c.FPDFFont_GetIsEmbedded(font):
                size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
                name = ctypes.create_string_buffer(max(size, 1))
                pdfium_c.FPDFFont_GetBaseFontName(font, name, size)
                missing.add(name.value.decode("utf-8", "replace") or "?")
    return sorted(missing)


def sample_path() -> Path:
    return resource(*SAMPLE_FILE)


class _Run:
    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self.failed = 0
        self.state: dict = {}

    def step(self, title: str, action: Callable[[], str | object]) -> None:
        start = time.perf_counter()
        try:
            detail = action()
        except Exception as exc:  # a self-test reports every fault as a failed step, never a traceback
            self.failed += 1
            self.write(f"✗ {title}：失败 — {type(exc).__name__}: {exc}")
            if "--verbose" in sys.argv:
                self.write(traceback.format_exc())
            return
        elapsed = time.perf_counter() - start
        self.write(f"✓ {title}：{detail}（{elapsed:.2f} 秒）")


def run_selftest(write: Callable[[str], None] = print) -> bool:
    run = _Run(write)
    write(f"BudgetDesk 部门预算填报 {__version__} 自检")
    with tempfile.TemporaryDirectory(prefix="budgetdesk-selftest-") as workdir:
        work = Path(workdir)
        state = run.state

        def open_database() -> str:
            from app.store.service import Store  # deferred: SQLAlchemy

            state["store"] = Store(str(work / "selftest.sqlite3"))
            return f"临时数据库 {work / 'selftest.sqlite3'}"

        def load_forms() -> str:
            forms = all_forms()
            if len(forms) < 9:
                raise RuntimeError(f"只载入 {len(forms)} 张表样")
            return f"{len(forms)} 张表样"

        def load_rules() -> str:
            from app.checks.rules import all_rules  # deferred: SQLAlchemy

            rules = all_rules()
            if not rules:
                raise RuntimeError("没有审核规则")
            return f"{len(rules)} 条审核规则"

        def load_codes() -> str:
            sizes = {kind: len(default_shipped_table(kind).items) for kind in CODE_KINDS}
            empty = [kind for kind, size in sizes.items() if not size]
            if empty:
                raise RuntimeError(f"代码表为空：{'、'.join(empty)}")
            return f"{len(sizes)} 种代码表，共 {sum(sizes.values())} 个科目"

        def import_sample() -> str:
            from app.exchange.interchange import import_file  # deferred: SQLAlchemy

            dataset = import_file(state["store"], sample_path())
            state["dataset"] = dataset
            return f"{dataset.unit.code} {dataset.unit.name} {dataset.year} 年度，{len(dataset.entered_values())} 个录入单元格"

        def run_checks() -> str:
            from app.checks.rules import check_dataset  # deferred: SQLAlchemy

            findings = check_dataset(state["dataset"])
            errors = sum(1 for finding in findings if finding.severity == "error")
            if errors:  # the published sample reconciles: an error means the rules or the import broke
                raise RuntimeError(f"示例数据出现 {errors} 条错误")
            return f"错误 0 条，提示 {len(findings)} 条"

        def print_pdf() -> str:
            import pypdfium2 as pdfium  # deferred: pypdfium2, and reportlab in build_document

            from app.printing import build_document

            target = work / "selftest.pdf"
            result = build_document(state["dataset"], target)
            document = pdfium.PdfDocument(str(target))
            try:
                pages = len(document)
                text = "".join(document[index].get_textpage().get_text_range() for index in range(min(pages, 3)))
                missing = unembedded_fonts(document)
            finally:
                document.close()
            if pages != result.pages or pages < 2:
                raise RuntimeError(f"PDF 页数 {pages} 与排版结果 {result.pages} 不符")
            if missing:  # such a PDF shows blanks on a machine without these fonts
                raise RuntimeError(f"PDF 中有未嵌入的字体：{'、'.join(missing)}")
            if SAMPLE_UNIT_NAME not in text.replace("\r", "").replace("\n", ""):
                raise RuntimeError("PDF 中读不到单位名称（字体未嵌入或文字丢失）")
            return f"共 {pages} 页，{result.fonts.metadata_text}"

        def export_excel() -> object:
            # deferred: openpyxl, SQLAlchemy
            from app.exchange.excel import export_workbook, read_workbook, source_from_dataset
            from app.exchange.interchange import export_document

            target = work / "selftest.xlsx"
            export_workbook(source_from_dataset(state["dataset"]), target)
            with zipfile.ZipFile(target) as archive:
                sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
            plan = read_workbook(state["store"], target)  # and read back, as an import would
            def cells(document: dict) -> dict:
                return {(v["form"], v["row"], v["column"]): Decimal(v["value"]) for v in document["values"]}

            if cells(plan.document) != cells(export_document(state["dataset"])):
                raise RuntimeError("读回的工作簿与数据不一致")
            return f"{len(sheets)} 个工作表，{target.stat().st_size // 1024} KB，读回一致"

        def export_package() -> object:
            # deferred: cryptography, SQLAlchemy
            from app.exchange.package import export_package, open_package
            from app.exchange.signing import KEY_DIR_ENV

            target = work / "selftest.bdp"
            previous = os.environ.get(KEY_DIR_ENV)
            os.environ[KEY_DIR_ENV] = str(work / "keys")  # a throw-away key, never the unit's own
            try:
                result = export_package(state["dataset"], target)
            finally:
                if previous is None:
                    os.environ.pop(KEY_DIR_ENV, None)
                else:
                    os.environ[KEY_DIR_ENV] = previous
            verified = open_package(target)  # signature, manifest and every checksum
            return f"{target.stat().st_size // 1024} KB，签名已核验（指纹 {verified.fingerprint or result.fingerprint}）"

        steps = [
            ("创建临时数据库", open_database),
            ("载入表样", load_forms),
            ("载入审核规则", load_rules),
            ("载入科目代码表", load_codes),
            ("导入示例数据（秦皇岛经济技术开发区融媒体中心 2023）", import_sample),
            ("审核", run_checks),
            ("打印整套文件为 PDF 并读回", print_pdf),
            ("导出 Excel 工作簿", export_excel),
            ("导出数据包", export_package),
        ]
        needs = {"import_sample": "store", "run_checks": "dataset", "print_pdf": "dataset",
                 "export_excel": "dataset", "export_package": "dataset"}
        try:
            for title, action in steps:
                needed = needs.get(action.__name__)
                if needed and needed not in state:
                    run.failed += 1
                    write(f"✗ {title}：未执行（前面的步骤失败）")
                    continue
                run.step(title, action)
        finally:  # also when the window's 取消 stops it: the temporary folder can then be removed
            store = state.get("store")
            if store is not None:
                store.close()
    if run.failed:
        write(f"自检未通过：{run.failed} 个步骤失败。")
    else:
        write("自检通过。")
    return not run.failed
