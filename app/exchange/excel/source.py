"""What an exported workbook is made of (``ExportSource``), and the source of a stored dataset.

Any object with the same attributes exports with the same code: the bureau's 汇总 passes its
summed workbook and no project part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.compute import FormView, Workbook
from app.domain.records import UnitInfo
from app.exchange.document_notes import export_notes
from app.projects import BookContent, ProjectBook
from app.selfeval import SelfEvaluationBook, SelfEvaluationContent
from app.store.service import BudgetDataset


@dataclass
class ExportSource:
    """What a workbook is made of. ``workbook`` answers ``view(form_id)``; ``book`` is the project
    part (None: no project sheets); ``notes`` the interchange document's ``explanations`` /
    ``narrative`` lists (optional); ``self_evaluation`` None: no 绩效自评 sheets."""

    workbook: Workbook
    unit: UnitInfo
    year: int
    money_unit: str
    status: str = "draft"
    book: BookContent | None = None
    notes: dict = field(default_factory=dict)
    self_evaluation: SelfEvaluationContent | None = None

    def view(self, form_id: str) -> FormView:
        return self.workbook.view(form_id)


def source_from_dataset(dataset: BudgetDataset) -> ExportSource:
    """The source of a stored dataset: its tables, projects and notes."""
    # A copy of the entered values: the export may run in a worker while the clerk keeps typing.
    snapshot = Workbook(dataset.codes, dict(dataset.workbook.values), dataset.workbook.present_rows)
    return ExportSource(snapshot, dataset.unit, dataset.year, dataset.money_unit, dataset.status,
                        ProjectBook(dataset).content(), export_notes(dataset),
                        SelfEvaluationBook(dataset).content())
