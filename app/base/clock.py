"""The one clock of stored times: UTC without a zone (the database columns are naive UTC)."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc(*, whole_seconds: bool = False) -> datetime:
    moment = datetime.now(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0) if whole_seconds else moment
