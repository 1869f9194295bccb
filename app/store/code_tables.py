"""The code editions (科目表) a budget year uses, and the ones a 已上报 dataset keeps."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.base.errors import InputError
from app.base.textcheck import check_code
from app.domain.code_editions import refuse_orphans
from app.domain.codes import (
    CODE_KINDS,
    KIND_NAMES,
    CodeTable,
    build_table,
    default_shipped_table,
    normalized_rows,
)
from app.store.audit import store_event
from app.store.backup import backup_before
from app.store.database import Database
from app.store.units import check_year
from db import models


class CodeEditionsStore(Database):
    """The official code lists imported into a store, by budget year."""

    def code_tables(self, year: int) -> dict[str, CodeTable]:
        """The code editions a budget year uses: an imported one if the bureau set it, else shipped."""
        tables: dict[str, CodeTable] = {}
        with self.Session() as session:
            for kind in CODE_KINDS:
                link = session.get(models.YearEdition, (year, kind))
                if link is None:
                    tables[kind] = default_shipped_table(kind, year)
                    continue
                edition = session.get(models.CodeEdition, link.edition_id)
                tables[kind] = self._imported_table(edition)
        return tables

    _imported_cache: dict[tuple[int, str], CodeTable] = {}

    def _imported_table(self, edition: models.CodeEdition) -> CodeTable:
        cache_key = (id(self), f"{edition.kind}:{edition.edition}:{edition.id}")
        if cache_key not in self._imported_cache:
            rows = [(entry.code, entry.name, entry.attribute) for entry in edition.entries]
            self._imported_cache[cache_key] = build_table(edition.kind, edition.edition, edition.title, rows, edition.source)
        return self._imported_cache[cache_key]

    def import_code_edition(self, kind: str, edition: str, rows: list[tuple[str, str, str | None]],
                            *, year: int | None = None, title: str = "", source: str = "") -> CodeTable:
        """Validate an official code list and make it the one ``year`` (default: the edition) uses."""
        if kind not in CODE_KINDS:
            raise InputError(f"科目类型“{kind}”无效，只能是 function（功能分类）或 economic（经济分类）。")
        edition = check_code(edition, "版本", 4) if str(edition).strip() else ""
        if not edition.isdigit() or len(edition) != 4:
            raise InputError(f"版本“{edition}”无效，应为四位年份，例如 2024。")
        target_year = check_year(year if year is not None else int(edition))
        rows = normalized_rows(rows)
        if kind == "economic":
            # An official list has no 人员/公用 classification: keep the shipped one where the code exists.
            shipped = default_shipped_table(kind, target_year)
            rows = [(code, name, attr if attr is not None else
                     (shipped.items[code].attribute if code in shipped.items else None)) for code, name, attr in rows]
        table = build_table(kind, edition, title or f"{edition}年{KIND_NAMES[kind]}", rows, source)
        # Read-only, before the write: a list that lacks codes entered datasets use is refused.
        refuse_orphans(self, kind, edition, target_year, table.items)
        backup_before(self, "codes")
        with self.write() as session:
            existing = session.scalar(
                select(models.CodeEdition).where(models.CodeEdition.kind == kind, models.CodeEdition.edition == edition)
            )
            if existing is not None:
                session.delete(existing)
                session.flush()
            record = models.CodeEdition(kind=kind, edition=edition, title=table.title, source=source)
            record.entries = [models.CodeEntry(code=item.code, name=item.name, attribute=item.attribute)
                              for item in table.items.values()]
            session.add(record)
            session.flush()
            link = session.get(models.YearEdition, (target_year, kind))
            if link is None:
                session.add(models.YearEdition(year=target_year, kind=kind, edition_id=record.id))
            else:
                link.edition_id = record.id
            store_event(session, "科目表", f"{target_year} 年度使用的{KIND_NAMES[kind]}",
                        new=f"{table.title}（{edition} 版，{len(table.items)} 个科目）")
        self._imported_cache.clear()
        return table


FROZEN_CODES_NOTE = "frozen:codes"  # the code tables a 已上报 dataset was submitted with (never exported)


def frozen_codes_text(codes: dict[str, CodeTable]) -> str:

    return json.dumps({kind: {"edition": table.edition, "title": table.title, "source": table.source,
                              "rows": [[item.code, item.name, item.attribute] for item in table.items.values()]}
                       for kind, table in codes.items()}, ensure_ascii=False, sort_keys=True)


_frozen_cache: dict[str, dict[str, CodeTable]] = {}


def frozen_code_tables(text: str) -> dict[str, CodeTable] | None:
    """The code tables kept with a submitted dataset; None if the record cannot be read."""

    if text not in _frozen_cache:
        try:
            data = json.loads(text)
            _frozen_cache[text] = {kind: build_table(kind, part["edition"], part["title"],
                                                     [tuple(row) for row in part["rows"]], part.get("source", ""))
                                   for kind, part in data.items() if kind in CODE_KINDS}
        except (ValueError, KeyError, TypeError, InputError):
            return None
        if len(_frozen_cache) > 64:
            _frozen_cache.pop(next(iter(_frozen_cache)))
    return _frozen_cache[text]


def freeze_codes(session, dataset_id: int, codes: dict[str, CodeTable]) -> str:
    """Keep the code tables with a dataset as it becomes 已上报: later editions change drafts only."""
    text = frozen_codes_text(codes)
    note = session.get(models.DatasetNote, (dataset_id, FROZEN_CODES_NOTE))
    if note is None:
        session.add(models.DatasetNote(dataset_id=dataset_id, key=FROZEN_CODES_NOTE, text=text))
    else:
        note.text = text
    return "、".join(f"{KIND_NAMES[kind]} {table.edition} 版" for kind, table in codes.items())
