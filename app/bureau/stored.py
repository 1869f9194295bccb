"""Stored 进度 / 筛查 results: what each dataset contributes, worked out once and kept in the database.

进度 (``app.bureau.dashboard``) needs each dataset's 审核 counts and empty tables; 筛查
(``app.bureau.screening``) needs its named quantities this year and last. Working them out means opening
the dataset and running every rule (about 25 ms a dataset, 13 s at 500 units), so each result is kept in
``dataset_summary`` with what it was worked out from:

* the dataset's ``token`` and ``version`` — every write through the door bumps the version, a replacing
  package import (覆盖) makes a new token, a restore bumps the version;
* a ``basis`` hash of the definitions (forms, rules, code lists and the code editions the year uses, the
  indicator framework; for 筛查 also which quantities the threshold file asks for) and of last year's
  dataset (token and version: 上年数 and the change rules read it).

A stored result whose key differs from today's is stale and is worked out again the next time it is
asked for; the rest are read as they are. The thresholds themselves are not part of the key: the
comparison against them runs on the stored figures every time (it takes milliseconds). A deleted
dataset takes its results with it (foreign key, ON DELETE CASCADE).

Keeping a result is a cache write through the store (``Store.write``); a read-only database, or a write
that fails because another user wrote the same result at the same moment, only means the result is
worked out again next time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from app.base.clock import now_utc
from app.base.errors import BudgetDeskError, NotFoundError
from app.base.paths import resource
from app.base.progress import Progress
from app.base.progress import step as progress_step
from db import models

log = logging.getLogger(__name__)

AUDIT, MEASURES = "audit", "measures"
# Bumped when a payload's shape or meaning changes: every stored result is then stale.
PAYLOAD_FORMAT = "1"
# The definitions a result depends on (resources/…): a changed file makes every result stale.
DEFINITIONS = ("forms", "rules", "codes", "selfeval_framework.json", "indicator_library.json", "links.json")
# Results are kept in batches: one transaction per batch, not per dataset (SQLite syncs every commit).
WRITE_EVERY_S = 1.0

_file_digests: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    status = path.stat()
    key = (str(path), status.st_mtime_ns, status.st_size)
    if key not in _file_digests:
        _file_digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _file_digests[key]


_definitions_digests: dict[str, str] = {}


def definitions_digest() -> str:
    """One hash over every definition file a result depends on. Worked out once per resources folder and
    process: the program reads its forms and rules once too, so a changed file counts from the next start."""
    folder = str(resource("forms").parent)
    if folder not in _definitions_digests:
        _definitions_digests[folder] = _digest_definitions()
    return _definitions_digests[folder]


def _digest_definitions() -> str:
    digest = hashlib.sha256(PAYLOAD_FORMAT.encode())
    for name in DEFINITIONS:
        root = resource(name)
        files = sorted(root.rglob("*.json")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(f"{path.relative_to(root.parent)}={_file_digest(path)};".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class HeldDataset:
    dataset_id: int
    unit_code: str
    token: str
    version: int
    previous: str  # last year's dataset as "token:version", "" when not held


@dataclass
class StoredRun:
    """What one call did: how many results were read as stored and how many worked out again."""

    kind: str
    held: int = 0
    reused: int = 0
    computed: int = 0


def held_datasets(store, year: int) -> list[HeldDataset]:
    """The datasets of ``year`` with their keys, in unit-code order (two queries)."""
    columns = (models.Dataset.id, models.Unit.code, models.Dataset.token, models.Dataset.version)
    with store.Session() as session:
        rows = session.execute(select(*columns).join(models.Unit, models.Dataset.unit_id == models.Unit.id)
                               .where(models.Dataset.year == year).order_by(models.Unit.code)).all()
        previous = {code: f"{token}:{version}" for _id, code, token, version in session.execute(
            select(*columns).join(models.Unit, models.Dataset.unit_id == models.Unit.id)
            .where(models.Dataset.year == year - 1)).all()}
    return [HeldDataset(dataset_id, code, token or "", version or 0, previous.get(code, ""))
            for dataset_id, code, token, version in rows]


def editions_key(store, year: int) -> str:
    """The code editions a year's results are worked out with (last year's figures with last year's codes)."""
    editions = []
    for edition_year in (year, year - 1):
        tables = store.code_tables(edition_year)
        editions += [f"{edition_year}/{kind_name}={tables[kind_name].edition}" for kind_name in sorted(tables)]
    return "|".join(editions)


def year_basis(store, year: int, kind: str, extra: str = "", *, editions: str | None = None) -> str:
    """What every result of ``kind`` for ``year`` depends on besides its own dataset."""
    return "|".join([kind, definitions_digest(), editions_key(store, year) if editions is None else editions, extra])


def _basis(year_key: str, held: HeldDataset) -> str:
    return hashlib.sha256(f"{year_key}|previous={held.previous}".encode()).hexdigest()


def stored_results(store, year: int, kind: str, compute: Callable[[object], dict], *, extra_basis: str = "",
                   progress: Progress | None = None, label: str = "审核",
                   names: dict[str, str] | None = None) -> tuple[dict[str, dict], StoredRun]:
    """Unit code → the result of ``compute(dataset)`` (a JSON-able dict) for every dataset of ``year``:
    stored ones as stored, stale or missing ones worked out now (and kept). Progress counts only the
    datasets worked out; 取消 between two of them keeps those already worked out."""
    held = held_datasets(store, year)
    year_key = year_basis(store, year, kind, extra_basis)
    run = StoredRun(kind, held=len(held))
    stored: dict[int, tuple[str, int, str, str]] = {}
    with store.Session() as session:
        for row in session.execute(select(models.DatasetSummary.dataset_id, models.DatasetSummary.dataset_token,
                                          models.DatasetSummary.dataset_version, models.DatasetSummary.basis,
                                          models.DatasetSummary.payload)
                                   .where(models.DatasetSummary.kind == kind,
                                          models.DatasetSummary.dataset_id.in_([h.dataset_id for h in held]))):
            stored[row[0]] = (row[1], row[2], row[3], row[4])
    results: dict[str, dict] = {}
    stale: list[tuple[HeldDataset, str]] = []
    for dataset in held:
        basis = _basis(year_key, dataset)
        kept = stored.get(dataset.dataset_id)
        if kept is not None and kept[:3] == (dataset.token, dataset.version, basis):
            try:
                results[dataset.unit_code] = json.loads(kept[3])
                run.reused += 1
                continue
            except ValueError:  # a damaged row: work it out again
                pass
        stale.append((dataset, basis))
    pending: list[tuple[HeldDataset, str, dict]] = []
    last_write = time.monotonic()
    try:
        for number, (dataset, basis) in enumerate(stale):
            name = (names or {}).get(dataset.unit_code, "")
            progress_step(progress, number, len(stale), f"{label} {dataset.unit_code} {name}".strip())
            try:
                opened = store.open_dataset(dataset.unit_code, year)
            except NotFoundError:  # deleted meanwhile
                continue
            result = compute(opened)
            results[dataset.unit_code] = result
            pending.append((dataset, basis, result))
            run.computed += 1
            if time.monotonic() - last_write >= WRITE_EVERY_S:
                _keep(store, kind, pending)
                pending, last_write = [], time.monotonic()
    finally:  # after 取消 too: what was worked out is not worked out twice
        _keep(store, kind, pending)
    if stale:
        progress_step(progress, len(stale), len(stale), "完成")
    log.info("stored %s results for %s: %d held, %d as stored, %d worked out", kind, year, run.held, run.reused,
             run.computed)
    return results, run


def _upsert(session, kind: str, pending: list[tuple[HeldDataset, str, dict]], *,
            kinds: list[str] | None = None) -> None:
    """Write results, replacing any kept for the same dataset and kind (one statement, no race between two
    officers keeping the same result at once). ``kinds``: each row's own kind instead of ``kind``."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    computed_at = now_utc()
    statement = insert(models.DatasetSummary).values([
        {"dataset_id": dataset.dataset_id, "kind": kinds[number] if kinds else kind, "dataset_token": dataset.token,
         "dataset_version": dataset.version, "basis": basis, "payload": json.dumps(result, ensure_ascii=False),
         "computed_at": computed_at} for number, (dataset, basis, result) in enumerate(pending)])
    session.execute(statement.on_conflict_do_update(
        index_elements=["dataset_id", "kind"],
        set_={name: statement.excluded[name]
              for name in ("dataset_token", "dataset_version", "basis", "payload", "computed_at")}))


def _keep(store, kind: str, pending: list[tuple[HeldDataset, str, dict]]) -> None:
    if not pending or getattr(store, "read_only", False):
        return
    try:
        with store.write() as session:
            _upsert(session, kind, pending)
    except (SQLAlchemyError, BudgetDeskError) as exc:  # e.g. a dataset deleted meanwhile (foreign key)
        log.warning("stored %s results not kept (%s); they are worked out again next time", kind, exc)


def keep_written(store, dataset, results: dict[str, tuple[dict, str]]) -> None:
    """Keep results for a dataset just written, inside the writer's transaction (a received package: its
    审核 ran anyway, so 进度 need not run it again). ``results``: kind → (result, extra basis)."""
    with store.Session() as session:
        previous = session.execute(
            select(models.Dataset.token, models.Dataset.version)
            .join(models.Unit, models.Dataset.unit_id == models.Unit.id)
            .where(models.Unit.code == dataset.unit_code, models.Dataset.year == dataset.year - 1)).first()
    held = HeldDataset(dataset.dataset_id, dataset.unit_code, dataset.token or "", dataset.version or 0,
                       "" if previous is None else f"{previous[0]}:{previous[1]}")
    editions = editions_key(store, dataset.year)
    rows = [(held, _basis(year_basis(store, dataset.year, kind, extra, editions=editions), held), result)
            for kind, (result, extra) in results.items()]
    with store.write() as session:
        _upsert(session, "", rows, kinds=list(results))


__all__ = ["AUDIT", "MEASURES", "HeldDataset", "StoredRun", "definitions_digest", "editions_key", "held_datasets",
           "keep_written",
           "stored_results", "year_basis"]
