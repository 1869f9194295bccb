"""One entered cell's new value: what an edit, a paste, a link or an edition step asks the door to write."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CellChange:
    form: str
    row: str
    column: str
    value: Decimal | None
