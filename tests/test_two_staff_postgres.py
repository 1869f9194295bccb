"""Two bureau staff on one PostgreSQL (issue 22, item 8), as two real processes:

- ``import-packages`` on the same folder at once: every package is imported exactly once; the other
  process skips it saying “已由其他用户导入” and goes on with the rest; nobody sees 意外问题;
- ``import-package P --replace`` at once: one replaces, the other is told in words (or, coming second,
  replaces the first's result again) — never a traceback or 意外问题; the receipts and the history count
  the replacements in order, and the data is the package's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bureau import intake, standing
from app.exchange.document_diff import diff_documents, existing_document
from app.exchange.package import reader
from app.store.service import Store
from db import models
from tests.conftest import PG_URL, _drop_all
from tests.test_package import make_package, seed_document

ROOT = Path(__file__).resolve().parent.parent
UNITS = [(f"90{n}", f"第{n}单位") for n in range(1, 7)]
pytestmark = [pytest.mark.usefixtures("key_dir"),
              pytest.mark.skipif(not PG_URL, reason="BUDGETDESK_TEST_POSTGRES_URL not set")]


@pytest.fixture
def server():
    store = Store(PG_URL)  # the schema is made once, before the two processes start
    _drop_all(store)
    store.close()
    store = Store(PG_URL)
    yield store
    _drop_all(store)
    store.close()


def both(*args: str) -> list[subprocess.CompletedProcess]:
    """The same command started twice at once, as two staff would."""
    env = {key: value for key, value in os.environ.items() if key != "BUDGETDESK_KILL_AT_STEP"}
    started = [subprocess.Popen([sys.executable, "-m", "app", "--db", PG_URL, *args], cwd=str(ROOT), env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for process in started:
        out, err = process.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    for result in results:
        assert "意外" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    return results


def test_two_staff_import_the_same_folder_at_once(server, tmp_path):
    folder = tmp_path / "usb"
    paths = [make_package(folder / f"{code}.bdp", seed_document(code, name, status="submitted")) for code, name in UNITS]
    keys = [option for path in paths for option in ("--trust-fingerprint", reader.open_package(path).fingerprint)]
    results = both("import-packages", str(folder), *keys)
    with server.Session() as session:
        received = session.execute(select(models.ReceivedPackage.unit_code, func.count())
                                   .group_by(models.ReceivedPackage.unit_code)).all()
        assert sorted(received) == [(code, 1) for code, _name in UNITS]  # each package exactly once
        assert session.scalar(select(func.count()).select_from(models.PackageFile)) == len(UNITS)
    imported = [int(result.stderr.split("成功 ")[1].split(" 个")[0]) for result in results]
    assert sum(imported) == len(UNITS)
    for result, count in zip(results, imported, strict=True):
        skipped = result.stderr.count("已由其他用户导入")
        assert count + skipped == len(UNITS), result.stderr  # the rest were skipped, and said so
    assert [row.status for row in standing.overview(server, 2023)] == ["submitted"] * len(UNITS)


def test_two_staff_replace_the_same_package_at_once(server, tmp_path):
    first = make_package(tmp_path / "a.bdp", seed_document(status="draft"))
    fingerprint = reader.open_package(first).fingerprint
    intake.import_package(server, first, backup=False, trust_fingerprints=[fingerprint])
    second = make_package(tmp_path / "b.bdp", seed_document(scale=2, status="draft"))
    results = both("import-package", str(second), "--replace")
    assert any(result.returncode == 0 for result in results)
    for result in results:
        # the loser is refused in words: the other's write seen at the lock, or after its own check of the package
        assert result.returncode == 0 or any(words in result.stderr for words in ("其他用户", "另一个", "现有数据已被修改")), \
            result.stderr
    # One wins: a loser refused in words left nothing; a second success (the other process already done)
    # replaced the first's result again. Either way the receipts and the history say how many replacements
    # there were, in order, and the data is the package's.
    replaced = sum(1 for result in results if result.returncode == 0)
    with server.Session() as session:
        receipts = session.scalars(select(models.ReceivedPackage.file_name).where(models.ReceivedPackage.unit_code == "359")
                                   .order_by(models.ReceivedPackage.id)).all()
        events = session.scalars(select(models.AuditEntry.id).where(
            models.AuditEntry.unit_code == "359", models.AuditEntry.source == "重新上报",
            models.AuditEntry.new.contains("替换原有数据")).order_by(models.AuditEntry.id)).all()
        kept = session.scalar(select(func.count()).select_from(models.PackageFile))
    assert receipts == ["a.bdp"] + ["b.bdp"] * replaced, (receipts, [result.stderr for result in results])
    assert len(events) == replaced and kept == 1 + replaced
    package = reader.open_package(second)
    held = existing_document(server, "359", 2023)
    assert held is not None and diff_documents(held, reader.dataset_document(package)).is_empty()
    assert server.dataset_info("359", 2023).status == "draft"
