"""Every built-in list check, by the name a rule file gives it (``"check": "projects_total"``).

The one list of check modules: a new module's ``CHECKS`` is added here, nowhere else. The rule engine
(``app.checks.rules``) looks a rule's check up in ``LIST_CHECKS``; nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.checks import basic, lists, narrative, selfeval
from app.checks.findings import ListCheck

CHECK_MODULES: tuple[Mapping[str, ListCheck], ...] = (lists.CHECKS, narrative.CHECKS, selfeval.CHECKS, basic.CHECKS)


def _gather(tables: tuple[Mapping[str, ListCheck], ...]) -> dict[str, ListCheck]:
    gathered: dict[str, ListCheck] = {}
    for table in tables:
        for name, check in table.items():
            if name in gathered:
                raise ValueError(f"list check {name!r} is defined twice ({gathered[name].__module__}, {check.__module__})")
            gathered[name] = check
    return gathered


LIST_CHECKS: Mapping[str, ListCheck] = _gather(CHECK_MODULES)
