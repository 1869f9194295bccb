"""The cover's own fields kept with the dataset: 填报日期 (printed as today's date only while unset)."""

from __future__ import annotations

from datetime import date

from app.base.dates import parse_date

FILLED_ON_NOTE = "cover:filled_on"


def cover_date(dataset) -> date | None:
    """The 填报日期 the clerk set for this dataset, or None (then the cover shows the printing day)."""
    text = dataset.notes(FILLED_ON_NOTE).get(FILLED_ON_NOTE)
    try:
        return parse_date(text, "填报日期") if text else None
    except ValueError:
        return None


def set_cover_date(dataset, value: str | date | None) -> date | None:
    """Store the 填报日期 (any date form clerks write; empty clears it). Raises InputError when invalid."""
    day = parse_date(value, "填报日期")
    dataset.set_note(FILLED_ON_NOTE, day.isoformat() if day else None)
    return day
