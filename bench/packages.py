"""The bureau's intake: N signed packages (seed-004-like, varied) imported and checked, then 汇总.

Aims (issue 26): 500 submitted packages imported and checked ≤ 15 s on SQLite on a 2-core machine; 汇总
of 500 (``consolidate --json``, a whole process) < 1 s; 进度 (``dashboard``) and 筛查 (``screen``) of 500
≤ 1.5 s each; memory ≤ 300 MB. Every package is 已上报 as a real submission is (each 提示 with its 说明,
every project with its amount), so the intake's submission check passes; a run that imports none, or
refuses one, fails (``BenchFailure``) instead of printing figures of nothing. The measured part (import + check of the folder, then the 汇总) runs
in a child process so its peak RSS is its own, not the generator's.

Each package is a real signed package with its own unit key and a varied dataset (amounts scaled
per unit so every table still reconciles, a varying number of projects, some units under a 部门).
The printed PDF member is the seed-004 document printed once and reused for every package: the
import verifies its checksum like any member, and printing 500 documents would only slow the
generator. ``python -m bench.packages [N]`` runs it alone; BUDGETDESK_BENCH_POSTGRES_URL (or
BUDGETDESK_TEST_POSTGRES_URL) adds a PostgreSQL run of 5,000 packages (BUDGETDESK_BENCH_POSTGRES_PACKAGES).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from app.bureau import intake, standing
from app.bureau.consolidate import consolidate
from app.checks.rules import submission_blockers
from app.domain.quantities import value as quantity_value
from app.exchange.interchange import export_document, import_document, import_file
from app.exchange.package import reader, spec, writer
from app.projects import ProjectBook
from app.store.service import Store
from bench.measure import SEED004, BenchFailure, record, report, size, timed

DEFAULT_COUNT = 500
POSTGRES_COUNT = 5000  # BUDGETDESK_BENCH_POSTGRES_PACKAGES for another size


def _document(seed: dict, number: int) -> dict:
    document = json.loads(json.dumps(seed))
    code = f"{500 + number}"
    document["unit"]["code"] = code
    document["unit"]["name"] = f"测试单位{number:03d}"
    if number % 10 and number >= 10:
        document["unit"]["parent_code"] = f"{500 + number - number % 10}"  # 9 所属单位 under each 10th unit
    else:
        document["unit"].pop("parent_code", None)
    scale = Decimal(1 + number % 7)
    for item in document["values"]:
        item["value"] = str(Decimal(item["value"]) * scale)
    projects = document.get("projects", [])
    referenced = {item["project"] for item in document.get("procurement", [])}
    keep = len(projects) - number % 5
    document["projects"] = [p for i, p in enumerate(projects) if i < keep or p["name"] in referenced]
    document["status"] = "submitted"
    return document


def _complete_amounts(dataset) -> None:
    """Share what 项目支出 leaves among the projects without an amount (seed 004 leaves 17 without one,
    which 上报 refuses: P02 is an 错误 there)."""
    book = ProjectBook(dataset)
    choices = book.project_choices()
    missing = [project_id for project_id, _name, amount in choices if amount is None]
    rest = quantity_value(dataset, "project") - sum((amount for _id, _name, amount in choices if amount is not None),
                                                    Decimal(0))
    share = (rest / len(missing)).quantize(Decimal("0.01"), rounding=ROUND_DOWN) if missing else Decimal(0)
    for number, project_id in enumerate(missing):
        last = number == len(missing) - 1
        book.update_project_fields(project_id, amount=rest - share * (len(missing) - 1) if last else share)


def _explained(document: dict, known: dict[tuple[int, int], dict]) -> dict:
    """The document with every project's amount and a 说明 for each of its 提示, as a clerk gives before
    marking it 已上报 (the import refuses a submitted file without them). Found once per kind of generated
    document (its scale and kept projects, see ``_document``) by checking it as a draft in a scratch database."""
    number = int(document["unit"]["code"]) - 500
    variant = (number % 7, number % 5)
    if variant not in known:
        scratch = Store.scratch()
        try:
            unit = {key: value for key, value in document["unit"].items() if key != "parent_code"}
            dataset = import_document(scratch, {**document, "unit": unit, "status": "draft"}, backup=False)
            _complete_amounts(dataset)
            known[variant] = {
                "projects": export_document(dataset)["projects"],
                "explanations": [{"finding": finding.key, "text": "已核实。"}
                                 for finding in submission_blockers(dataset) if finding.severity == "warning"]}
        finally:
            scratch.close()
    return {**document, **known[variant]}


def generate(folder: Path, count: int, seed_path: Path, drafts: frozenset[int] = frozenset()) -> float:
    """Write ``count`` packages; returns the average package size in KB. The numbers in ``drafts`` are sent
    as 编制中 and unexplained, every odd-numbered one with a cell off by 1 (the bureau's check finds 错误 there)."""
    from app.printing import build_document  # deferred: reportlab, kept out of the measuring child

    with tempfile.TemporaryDirectory() as scratch:
        store = Store(str(Path(scratch) / "seed.sqlite3"))
        buffer = io.BytesIO()
        build_document(import_file(store, seed_path), buffer)
        store.close()
    pdf = buffer.getvalue()
    seed = json.loads(seed_path.read_text(encoding="utf-8"))
    # deferred: cryptography's key generation, kept out of the measuring child
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True)
    sizes = 0
    # Parents first in file order (010 before 011 …), as a bureau's folder sorted by code would be.
    explanations: dict[tuple[int, int], dict] = {}
    for number in range(count):
        document = _document(seed, number)
        if number in drafts:
            document["status"] = "draft"
            if number % 2:  # one cell off by 1: 收支 no longer reconcile, the check finds 错误
                first = document["values"][0]
                first["value"] = str(Decimal(first["value"]) + 1)
        else:
            document = _explained(document, explanations)
        target = folder / spec.default_file_name(document["unit"]["code"], document["unit"]["name"], document["year"])
        writer.write_package(target, document=document, audit={"unit": document["unit"]["code"], "year": 2023, "changes": []},
                          findings={"errors": 0, "warnings": 8, "findings": []}, pdf=pdf, key=Ed25519PrivateKey.generate())
        sizes += target.stat().st_size
    return sizes / count / 1024


def measure(folder: str, target: str) -> dict:
    """Child process: import + check the folder into ``target``, then the 汇总; times and peak RSS."""
    import resource  # deferred: Unix only

    store = Store(target)
    # the operator compared each key's fingerprint with the signed paper (not part of the timing)
    keys = [reader.open_package(path).fingerprint for path in sorted(Path(folder).glob("*.bdp"))]
    start, cpu_start = time.perf_counter(), time.process_time()
    result = intake.import_packages(store, folder, trust_fingerprints=keys)
    imported, imported_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    consolidated = overview = 0.0
    value, rows = None, []
    if result.imported:  # with none taken in there is nothing to sum: the parent reports the failure
        start = time.perf_counter()
        total = consolidate(store, 2023)
        value = total.value("expenditure_summary", "total", "total")
        total.view("general_budget_basic_expenditure")
        consolidated = time.perf_counter() - start
        start = time.perf_counter()
        rows = standing.overview(store, 2023)
        overview = time.perf_counter() - start
    if store.engine.url.get_backend_name() != "sqlite":
        from sqlalchemy import text

        from db.models import Base

        with store.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    store.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"imported": len(result.imported), "failed": len(result.failed), "import_s": imported,
            "import_cpu_s": imported_cpu,
            "consolidate_s": consolidated, "overview_s": overview, "overview_rows": len(rows), "total": str(value),
            "peak_mb": peak_kb / 1024, "first_failure": result.failed[0] if result.failed else None}


def measure_in_child(folder: Path, target: str) -> dict:
    env = dict(os.environ)
    output = subprocess.run([sys.executable, "-m", "bench.packages", "--measure", str(folder), target],
                            capture_output=True, text=True, env=env, check=False,
                            cwd=Path(__file__).resolve().parent.parent)
    if output.returncode != 0:
        raise RuntimeError(output.stderr[-2000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def run(workdir: Path, report, timed, seed_path: Path, count: int | None = None) -> None:
    count = count or int(os.environ.get("BUDGETDESK_BENCH_PACKAGES", size(DEFAULT_COUNT, 2)))
    folder = workdir / "packages"
    start = time.perf_counter()
    size_kb = generate(folder, count, seed_path)
    print(f"packages: generated {count} signed packages (avg {size_kb:.0f} KB) in {time.perf_counter() - start:.1f} s")
    targets = [("SQLite", str(workdir / "bureau.sqlite3"), folder, count, "500 ≤ 15 s")]
    postgres = os.environ.get("BUDGETDESK_BENCH_POSTGRES_URL") or os.environ.get("BUDGETDESK_TEST_POSTGRES_URL")
    if postgres:  # the bureau's server at its own scale: 5,000 packages (the smoke: 2)
        postgres_count = int(os.environ.get("BUDGETDESK_BENCH_POSTGRES_PACKAGES", size(POSTGRES_COUNT, 2)))
        postgres_folder = folder
        if postgres_count != count:
            postgres_folder = workdir / "packages-postgres"
            start = time.perf_counter()
            generate(postgres_folder, postgres_count, seed_path)
            print(f"packages: generated {postgres_count} for PostgreSQL in {time.perf_counter() - start:.1f} s")
        targets.append(("PostgreSQL", postgres, postgres_folder, postgres_count, "5,000 ≤ 180 s"))
    for name, target, source, count, aim in targets:
        figures = measure_in_child(source, target)
        print(f"packages on {name}: {figures['imported']} imported and checked in {figures['import_s']:.1f} s "
              f"({figures['import_s'] / max(figures['imported'], 1) * 1000:.0f} ms each; aim {aim}; "
              f"CPU {figures['import_cpu_s']:.1f} s of this process), "
              f"{figures['failed']} refused")
        print(f"packages on {name}: 汇总 of {figures['imported']} units {figures['consolidate_s']:.2f} s (aim < 1 s as a process), "
              f"overview {figures['overview_s']:.2f} s, 总计 {figures['total']}")
        print(f"packages on {name}: peak memory {figures['peak_mb']:.0f} MB (aim ≤ 300 MB)")
        if figures["first_failure"]:
            print(f"packages on {name}: first refusal: {figures['first_failure']}")
        if figures["imported"] == 0 or figures["failed"]:
            raise BenchFailure(f"packages on {name}: {figures['imported']} of {count} imported, {figures['failed']} "
                               f"refused (first: {figures['first_failure']})")
        record(f"packages on {name}: imported and checked", figures["imported"], "packages")
        record(f"packages on {name}: import and check", figures["import_s"], "s")
        record(f"packages on {name}: per package", figures["import_s"] / figures["imported"] * 1000, "ms")
        record(f"packages on {name}: 汇总 in process", figures["consolidate_s"], "s")
        record(f"packages on {name}: peak memory", figures["peak_mb"], "MB")
        if name == "SQLite":  # the bureau's commands as whole processes on the database just filled
            for label, command in (("consolidate --json", ["consolidate", "--year", "2023", "--json"]),
                                   ("dashboard --year", ["dashboard", "--year", "2023"]),
                                   ("screen --year", ["screen", "--year", "2023"])):
                report(f"packages on {name}: {label} (process)", timed(_command(target, command), 3))


def _command(database: str, arguments: list[str]):
    """One ``budgetdesk`` process on the bureau's database (from compiled bytecode, as installed)."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-m", "app", "--db", database, *arguments]

    def once() -> None:
        result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False,
                                cwd=Path(__file__).resolve().parent.parent)
        if result.returncode not in (0, 1):  # 1: findings reported (screen lists outliers)
            raise BenchFailure(f"{' '.join(arguments)}: exit {result.returncode}: {result.stderr[-500:]}")

    return once


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        print(json.dumps(measure(argv[1], argv[2]), ensure_ascii=False))
        return 0
    count = int(argv[0]) if argv else None
    with tempfile.TemporaryDirectory() as workdir:
        run(Path(workdir), report, timed, SEED004, count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
