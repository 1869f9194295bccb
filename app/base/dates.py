"""Dates as clerks write them (项目实施周期, 固定资产 截止时间, the cover's 填报日期)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from app.base.errors import InputError


def parse_date(value: date | str | None, label: str, *, end: bool = False) -> date | None:
    """A date as clerks write it: 2023-01-01, 2023.1.1, 2023/1/1, 2023年1月1日, 20230101; or just a
    month (2023-01, 2023.12, 2023年1月), which means its first day — or its last with ``end``."""
    if value is None or isinstance(value, date):
        return value
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not cleaned:
        return None
    match = (re.match(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$", cleaned)
             or re.match(r"^(\d{4})(\d{2})(\d{2})$", cleaned))
    month = re.match(r"^(\d{4})[-./年](\d{1,2})月?$", cleaned)
    try:
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if month:
            year, number = int(month.group(1)), int(month.group(2))
            first = date(year, number, 1)  # refuses month 13
            if not end:
                return first
            following = date(year + number // 12, number % 12 + 1, 1)
            return following - timedelta(days=1)
    except ValueError:
        pass
    raise InputError(f"{label}“{value}”不是有效的日期，请按 2023-01-01（或 2023-01 表示整月）的格式填写。")
