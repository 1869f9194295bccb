"""Official-layout Excel workbooks (xlsx) out and in, generated from the form definitions.

* ``export.export_workbook(source, path)`` writes one sheet per form (title, unit line, merged
  multi-level header, 栏次, live formulas for every computed cell), the project part and the
  unit's information; ``source_from_dataset`` makes the source of a stored dataset, and any object
  with the same attributes (the bureau's 汇总) exports with the same code.
* ``importer.read_workbook(store, path)`` reads such a workbook back into an interchange document
  (all-or-nothing: every unreadable cell is reported with its sheet and address);
  ``importer.import_workbook`` writes it through ``app.exchange.interchange.import_document``.

Qt-free; openpyxl reads through defusedxml (``safety``).
"""

from app.exchange.excel.export import ExportSource, export_workbook, source_from_dataset
from app.exchange.excel.importer import ImportPlan, diff_against, import_workbook, read_workbook

__all__ = ["ExportSource", "ImportPlan", "diff_against", "export_workbook", "import_workbook", "read_workbook",
           "source_from_dataset"]
