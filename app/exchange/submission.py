"""What 上报 is about to hand in, read before anything is asked or written: the unit, the year, 收支总计,
the 审核 as 上报 sees it (``app.checks.rules.submission_findings``) and the unit's signing-key fingerprint.

The window checks this first: a dataset that may not go is refused before a file is asked for, and one
that may is shown to the clerk for confirmation. The core still refuses on its own (``BudgetDataset.set_status``,
``export_package``), so the command line and the package export cannot hand in what the window would not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.base.errors import ConflictError
from app.checks.findings import Finding
from app.checks.rules import blocker_lines, submission_findings
from app.domain.quantities import quantity_def, value
from app.exchange.signing import existing_fingerprint

# The figure the confirmation shows as the size of the budget (《支出总表》合计, titled 收支总计).
TOTAL_QUANTITY = "expenditure_total"


@dataclass(frozen=True)
class SubmissionSummary:
    unit_code: str
    unit_name: str
    year: int
    money_unit: str
    total_title: str
    total: Decimal
    errors: int
    warnings: int
    fingerprint: str | None  # None: the unit has no signing key yet (the package export creates it)
    blockers: tuple[Finding, ...]

    @property
    def ready(self) -> bool:
        return not self.blockers

    def refusal(self, what: str = "上报") -> ConflictError:
        """The refusal the core gives, in the same words (every blocker on its own line)."""
        return ConflictError(f"还有 {len(self.blockers)} 条审核问题未处理，不能{what}：\n"
                             + "\n".join(blocker_lines(self.blockers)))


def submission_summary(dataset) -> SubmissionSummary:
    """Read (never write) what 上报 of ``dataset`` would hand in; ``blockers`` are what stops it."""
    findings = submission_findings(dataset)
    errors = sum(1 for finding in findings if finding.severity == "error")
    blockers = tuple(finding for finding in findings if finding.severity == "error" or not finding.explanation)
    return SubmissionSummary(dataset.unit.code, dataset.unit.name, dataset.year, dataset.money_unit,
                             quantity_def(TOTAL_QUANTITY).title, value(dataset, TOTAL_QUANTITY), errors,
                             len(findings) - errors, existing_fingerprint(dataset.unit.code), blockers)


__all__ = ["SubmissionSummary", "submission_summary"]
