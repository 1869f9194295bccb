"""Official-layout Excel workbooks (xlsx) out and in, generated from the form definitions.

* ``export.export_workbook(source, path)`` writes one sheet per form (``form_sheets``: title, unit
  line, merged multi-level header, 栏次, live formulas for every computed cell), the project part
  (``project_sheets``), the 绩效自评 sheets (``selfeval_sheets``) and the unit's information; the cells go
  through ``sheet.Sheet`` with the shared ``styles``. ``source.source_from_dataset`` makes the source
  of a stored dataset, and any object with the same attributes (the bureau's 汇总) exports with the
  same code.
* ``importer.read_workbook(store, path)`` reads such a workbook back into an interchange document
  (all-or-nothing: every unreadable cell is reported with its sheet and address; ``grid``,
  ``form_reader``, ``project_reader``); ``diff.diff_against`` lists what it would change, and
  ``importer.import_workbook`` writes it through ``app.exchange.interchange.import_document``.
* ``labels`` holds what export and import agree on (sheet names, field labels).

Qt-free; openpyxl reads through defusedxml (``safety``).

The names below load on first use: exporting does not pay for the reader (which lays columns out as print
does, with reportlab), and importing the package pays for neither.
"""

from importlib import import_module

_LAZY = {
    "Change": "app.exchange.excel.diff",
    "diff_against": "app.exchange.excel.diff",
    "default_file_name": "app.exchange.excel.export",
    "export_workbook": "app.exchange.excel.export",
    "ImportPlan": "app.exchange.excel.importer",
    "import_workbook": "app.exchange.excel.importer",
    "read_workbook": "app.exchange.excel.importer",
    "ExportSource": "app.exchange.excel.source",
    "source_from_dataset": "app.exchange.excel.source",
}

__all__ = ["Change", "ExportSource", "ImportPlan", "default_file_name", "diff_against", "export_workbook",
           "import_workbook", "read_workbook", "source_from_dataset"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'app.exchange.excel' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
