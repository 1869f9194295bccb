"""SelfEvaluationBook: both 绩效自评 forms of one open dataset, read from the database each time and
written through the dataset's door with one audit row per changed field."""

from __future__ import annotations

from dataclasses import replace

from app.base.errors import NotFoundError
from app.projects import ProjectBook
from app.selfeval.audit import content_entries, describe_entry
from app.selfeval.framework import default_groups, kinds
from app.selfeval.mapping import read_content, write_content
from app.selfeval.records import DepartmentEvaluation, ProjectEvaluation, SelfEvaluationContent
from app.selfeval.validation import validate_content


class SelfEvaluationBook:
    """Both self-evaluation forms of one open dataset (app.store.service.BudgetDataset)."""

    def __init__(self, dataset) -> None:
        self.dataset = dataset

    @property
    def money_unit(self) -> str:
        return self.dataset.money_unit

    def content(self) -> SelfEvaluationContent:
        with self.dataset.store.Session() as session:
            return read_content(session, self.dataset.dataset_id)

    def projects(self) -> list[ProjectEvaluation]:
        return self.content().projects

    def project(self, name: str) -> ProjectEvaluation:
        found = next((item for item in self.projects() if item.project_name == name), None)
        if found is None:
            raise NotFoundError(f"项目绩效自评表中没有项目“{name}”。")
        return found

    def department(self) -> DepartmentEvaluation:
        return self.content().department

    # ---- writing: one door, one audit row per changed field --------------------------------------
    def _write(self, change, *, source: str):
        """``change(content)`` returns the new content; write the difference through the door."""
        with self.dataset.door(source) as work:
            old = read_content(work.session, self.dataset.dataset_id)
            new = validate_content(change(old), self.money_unit)
            entries = content_entries(old, new)
            if entries:
                write_content(work.session, self.dataset.dataset_id, new)
                for form, row, column, before, after in entries:
                    work.record(describe_entry(form, row, column), before, after, form=form, row=row, column=column)
                work.changes.book = True
        return work.changes

    def set_content(self, content: SelfEvaluationContent, *, source: str = "录入"):
        return self._write(lambda _old: content, source=source)

    def set_project(self, evaluation: ProjectEvaluation, *, source: str = "录入", old_name: str | None = None):
        """Add or replace one project's row (``old_name``: the row it replaces, when renamed)."""
        target = old_name or evaluation.project_name

        def change(old: SelfEvaluationContent) -> SelfEvaluationContent:
            projects = list(old.projects)
            index = next((number for number, item in enumerate(projects) if item.project_name == target), None)
            if index is None:
                projects.append(evaluation)
            else:
                projects[index] = evaluation
            return SelfEvaluationContent(projects, old.department)

        return self._write(change, source=source)

    def delete_project(self, name: str, *, source: str = "录入"):
        def change(old: SelfEvaluationContent) -> SelfEvaluationContent:
            if not any(item.project_name == name for item in old.projects):
                raise NotFoundError(f"项目绩效自评表中没有项目“{name}”。")
            return SelfEvaluationContent([item for item in old.projects if item.project_name != name], old.department)

        return self._write(change, source=source)

    def set_department(self, department: DepartmentEvaluation, *, source: str = "录入"):
        return self._write(lambda old: SelfEvaluationContent(old.projects, department), source=source)

    # ---- prefilling from the targets ---------------------------------------------------------------
    def prefilled_project(self, project) -> ProjectEvaluation:
        """A self-evaluation row for a budget project (app.projects.Project): 项目年度预算金额, 年初绩效目标
        and 年度指标内容 per kind from its 绩效目标; the clerk writes the rest."""
        contents: dict[str, str] = {}
        for kind in kinds():
            texts = [f"{indicator.name}{indicator.display_value}" for indicator in project.indicators
                     if indicator.level2 == kind.level2]
            if texts:
                contents[kind.key] = "；".join(texts)
        return ProjectEvaluation(project_name=project.name,
                                 unit_name=project.implementing_unit or self.dataset.unit.name,
                                 budget=project.amount, initial_goal=project.annual_goal or project.period_goal,
                                 contents=contents)

    def prefill(self, *, source: str = "录入"):
        """Add a row for every budget project not yet in the 项目绩效自评表, and fill the 年初设定目标 and
        default 分解目标 of the department form where they are still empty. What the clerk wrote stays."""
        book = ProjectBook(self.dataset)
        budget_projects = book.list_projects()
        goal = book.overall_targets().goal

        def change(old: SelfEvaluationContent) -> SelfEvaluationContent:
            have = {item.project_name for item in old.projects}
            projects = [*old.projects, *(self.prefilled_project(project) for project in budget_projects
                                         if project.name not in have)]
            department = replace(old.department)
            if not department.initial_goal:
                department.initial_goal = goal
            if not department.groups:
                department.groups = default_groups()
            return SelfEvaluationContent(projects, department)

        return self._write(change, source=source)
