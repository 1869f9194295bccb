"""Write a dataset (or any source shaped like one) as an official-layout xlsx workbook.

The workbook is assembled here: 单位信息 first, then the nine form sheets (``form_sheets``), the project
part (``project_sheets``), the 绩效自评 sheets (``selfeval_sheets``) and the 说明 sheet. Every computed cell is a
live formula over its sources, so a total follows an edit in Excel or WPS:

* column sums (合计 = 基本 + 项目 …) and row sums (parents = Σ children, 合计 = Σ 类, fixed rows'
  ``sum_of``) as ``SUM``;
* derived tables (收支总表, 财政拨款收支总表) reference the source sheets' cells;
* a formula shows a blank, like the printed form, while none of its sources has a figure
  (``IF(COUNT(…)=0,"",…)``), and blanks count as zero beside figures, as ``app.domain.expr`` does.

Text that Excel or WPS would run as a formula is written as text with a quote prefix (``sheet``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook as XlsxBook
from openpyxl.worksheet.worksheet import Worksheet

from app.base.errors import InputError
from app.base.progress import Progress, step
from app.domain.forms import all_forms, form_by_id
from app.domain.records import STATUS_NAMES
from app.exchange.excel import labels, selfeval_sheets
from app.exchange.excel.form_sheets import PlacedForm, plan_form, write_form
from app.exchange.excel.project_sheets import (
    ProjectCells,
    write_assets,
    write_no_projects,
    write_overall,
    write_procurement,
    write_project,
    write_summary,
)
from app.exchange.excel.sheet import Sheet
from app.exchange.excel.source import ExportSource
from app.exchange.excel.styles import BOLD, CENTER, HEADER_FILL

# ---- unit information and notes ---------------------------------------------------------------

def _write_unit(ws: Worksheet, source: ExportSource) -> None:
    sheet = Sheet(ws)
    sheet.title(labels.UNIT_SHEET_TITLE, 2)
    row = 2
    unit = source.unit
    for key, label_text in labels.UNIT_LABELS:
        row += 1
        sheet.text(row, 1, label_text, font=BOLD, fill=HEADER_FILL)
        sheet.text(row, 2, getattr(unit, key) or "")
    for label_text, value in ((labels.YEAR_LABEL, str(source.year)), (labels.MONEY_UNIT_LABEL, source.money_unit),
                              (labels.STATUS_LABEL, STATUS_NAMES.get(source.status, source.status))):
        row += 1
        sheet.text(row, 1, label_text, font=BOLD, fill=HEADER_FILL)
        sheet.text(row, 2, value)
    sheet.widths([18, 50])
    sheet.page("portrait", 0)


def _write_notes(ws: Worksheet, notes: dict) -> None:
    sheet = Sheet(ws)
    sheet.title(labels.NOTES_SHEET_TITLE, 4)
    for index, title in enumerate(labels.NOTES_HEADER, start=1):
        sheet.text(2, index, title, align=CENTER, font=BOLD, fill=HEADER_FILL)
    row = 2
    for item in notes.get("explanations", []):
        row += 1
        for index, text in enumerate((labels.NOTE_KINDS["explanations"], item["finding"], item["text"], ""), start=1):
            sheet.text(row, index, text)
    for item in notes.get("narrative", []):
        row += 1
        for index, text in enumerate((labels.NOTE_KINDS["narrative"], item["section"], item["text"],
                                      item.get("based_on", "")), start=1):
            sheet.text(row, index, text)
    for kind in labels.KEYED_NOTE_KINDS:
        for key, text in notes.get(kind, {}).items():
            row += 1
            for index, value in enumerate((labels.NOTE_KINDS[kind], key, text, ""), start=1):
                sheet.text(row, index, value)
    sheet.widths([12, 30, 80, 40])
    sheet.page("landscape", 2, freeze="A3")


# ---- the workbook -----------------------------------------------------------------------------

def export_workbook(source: ExportSource, path: str | Path, *, forms: Sequence[str] | None = None,
                    progress: Progress | None = None) -> Path:
    """Write the workbook to ``path`` (written to a temporary file first, then moved into place,
    so a cancelled or failed export leaves no half file). ``forms`` limits the form sheets."""
    path = Path(path)
    chosen = [form_by_id(form_id) for form_id in forms] if forms is not None else list(all_forms())
    book = source.book
    projects = book.projects if book is not None else []
    total = len(chosen) + len(projects) + 6
    done = 0

    def advance(text: str) -> None:
        nonlocal done
        done += 1
        step(progress, done, total, text)

    xlsx = XlsxBook()
    taken: set[str] = set()
    unit_ws = xlsx.active
    unit_ws.title = labels.sheet_name(labels.UNIT_SHEET_NAME, taken)
    _write_unit(unit_ws, source)
    layouts: dict[str, PlacedForm] = {}
    plans = []
    for form in chosen:
        name = labels.sheet_name(form.short_title, taken)
        placed, columns, lines = plan_form(form, source.view(form.id), name)
        layouts[form.id] = placed
        plans.append((placed, columns, lines))
    for placed, columns, lines in plans:
        advance(f"导出《{placed.form.title}》")
        write_form(xlsx.create_sheet(placed.sheet), placed, columns, lines, layouts, source)
    if book is not None:
        summary_ws = xlsx.create_sheet(labels.sheet_name("项目绩效目标汇总表", taken))
        overall_ws = xlsx.create_sheet(labels.sheet_name("部门整体绩效目标", taken))
        cells: list[ProjectCells] = []
        for position, project in enumerate(projects, start=1):
            advance(f"导出项目“{project.name}”")
            ws = xlsx.create_sheet(labels.sheet_name(f"绩效-{project.name}", taken))
            cells.append(write_project(ws, project, position, source))
        if not projects:
            write_no_projects(xlsx.create_sheet(labels.sheet_name("项目支出绩效目标表", taken)))
        write_summary(summary_ws, projects, cells, source)
        write_overall(overall_ws, book, source)
        write_procurement(xlsx.create_sheet(labels.sheet_name("政府采购预算表", taken)), book, cells, source)
        write_assets(xlsx.create_sheet(labels.sheet_name("固定资产占用情况表", taken)), book, source)
    selfeval_sheets.write_sheets(xlsx, taken, source.self_evaluation, source.unit, source.year, source.money_unit)
    if any(source.notes.get(kind) for kind in labels.NOTE_KINDS):
        _write_notes(xlsx.create_sheet(labels.sheet_name(labels.NOTES_SHEET_NAME, taken)), source.notes)
    advance("保存工作簿")
    xlsx.active = 1 if len(xlsx.worksheets) > 1 else 0
    xlsx.properties.creator = "BudgetDesk"
    xlsx.properties.title = f"{source.unit.name}{source.year}年部门预算"
    temporary = path.with_name(path.name + ".part")
    try:
        xlsx.save(temporary)
        temporary.replace(path)
    except PermissionError:
        raise InputError(f"无法写入“{path}”：没有权限，或文件正在 Excel/WPS 中打开。请关闭该文件或换一个位置。") from None
    except OSError as exc:
        raise InputError(f"无法写入“{path}”：{exc.strerror or exc}。") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


def default_file_name(source: ExportSource) -> str:
    return f"{source.unit.code}{source.unit.name}{source.year}年部门预算.xlsx"


