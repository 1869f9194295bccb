"""What importing a workbook would change in the stored dataset of its unit and year, cell by cell
and part by part, shown to the clerk before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from app.base.errors import InputError, NotFoundError
from app.domain.compute import Workbook
from app.domain.forms import all_forms, form_by_id
from app.exchange.excel import labels
from app.exchange.excel.importer import ImportPlan
from app.exchange.interchange import export_document
from app.store.service import Store


@dataclass
class Change:
    kind: str  # 单元格 / 项目 / 其他
    where: str
    before: str
    after: str


def diff_against(store: Store, plan: ImportPlan) -> list[Change]:
    """What importing the plan would change in the stored dataset of its unit and year (everything
    is new when there is none)."""
    try:
        current = export_document(store.open_dataset(plan.unit_code, plan.year))
    except (NotFoundError, InputError):
        current = {"values": [], "unit": {}}
    new = plan.document
    changes: list[Change] = []
    codes = store.code_tables(plan.year)
    workbook = Workbook(codes)

    def cell_name(form_id: str, row: str, column: str) -> str:
        form = form_by_id(form_id)
        try:
            row_title = workbook.row_title(form_id, row)
        except (InputError, NotFoundError):
            row_title = row
        return f"《{form.short_title}》{row_title} / {form.column(column).title}"

    old_values = {(v["form"], v["row"], v["column"]): v["value"] for v in current.get("values", [])}
    new_values = {(v["form"], v["row"], v["column"]): v["value"] for v in new.get("values", [])}
    order = {form.id: index for index, form in enumerate(all_forms())}
    for key in sorted(old_values.keys() | new_values.keys(), key=lambda k: (order.get(k[0], 99), k[1], k[2])):
        before, after = old_values.get(key, ""), new_values.get(key, "")
        if before != after:
            changes.append(Change("单元格", cell_name(*key), before or "空", after or "空"))
    old_projects = {p["name"]: p for p in current.get("projects", [])}
    new_projects = {p["name"]: p for p in new.get("projects", [])}
    for name in new_projects:
        if name not in old_projects:
            changes.append(Change("项目", name, "无", "新增"))
        elif old_projects[name] != new_projects[name]:
            changes.append(Change("项目", name, "原内容", "修改"))
    for name in old_projects:
        if name not in new_projects:
            changes.append(Change("项目", name, "原有", "删除"))
    if [p for p in old_projects if p in new_projects] != [p for p in new_projects if p in old_projects]:
        changes.append(Change("项目", "项目顺序", "原顺序", "按工作簿中的顺序"))
    for part, part_label in (("overall_targets", "部门整体绩效目标"), ("procurement", "政府采购预算表"),
                             ("assets", "部门固定资产占用情况表"), ("unit", "单位基本信息"), ("status", "填报状态"),
                             ("money_unit", "金额单位"), *labels.NOTE_KINDS.items()):
        if current.get(part) != new.get(part) and (current.get(part) or new.get(part)):
            changes.append(Change("其他", part_label, "原内容" if current.get(part) else "无",
                                  "修改" if new.get(part) else "清空"))
    return changes
