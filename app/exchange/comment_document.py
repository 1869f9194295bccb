"""批注 as records and as they travel: the comment (what it points at, its side, status and answer),
its JSON form, a budget's list of comments, and ``comments.json`` — the answers a unit's package carries.

Adding, answering and resolving comments and the signed 退回 file are ``app.bureau.comments``; the
package writer needs only what is here, so the exchange wing does not reach up into the bureau's.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.base.errors import InputError
from app.domain.forms import form_by_id
from app.exchange.comment_terms import KINDS, SIDES, STATUS_NAMES
from app.store.audit import now_utc
from db import models

if TYPE_CHECKING:
    from app.store.database import Database

MAX_TEXT = 2000
MAX_COMMENTS = 5000  # per file: far above any real 退回, far below a memory problem
COMMENTS_FORMAT = "budgetdesk.comments"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat() + "Z"


def _parse_time(text: object, default: datetime | None = None) -> datetime | None:
    if not text:
        return default
    try:
        return datetime.fromisoformat(str(text).rstrip("Z")).replace(tzinfo=None, microsecond=0)
    except ValueError:
        raise InputError(f"批注中的时间“{text}”格式不对。") from None


@dataclass
class Comment:
    uuid: str
    unit_code: str
    year: int
    kind: str
    text: str
    side: str
    form: str = ""
    row: str = ""
    column: str = ""
    project: str = ""
    indicator: str = ""
    rule: str = ""
    anchor: str = ""
    author: str = ""
    follow_up: bool = False
    status: str = "open"
    answer: str = ""
    answered_by: str = ""
    fixed: bool = False
    created_at: datetime | None = None
    answered_at: datetime | None = None
    resolved_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def cell(self) -> tuple[str, str, str] | None:
        return (self.form, self.row, self.column) if self.kind == "cell" else None

    @property
    def finding_key(self) -> str:
        return f"{self.rule}:{self.anchor}" if self.anchor else self.rule

    def place(self, describe: Callable[[str, str, str], str] | None = None) -> str:
        """Where the comment points, in the form's words (``describe(form,row,column)`` names a cell)."""
        if self.kind == "cell":
            if describe is not None:
                try:
                    return describe(self.form, self.row, self.column)
                except Exception:  # noqa: BLE001 - a row the dataset no longer has: its codes will do
                    pass
            return f"{self.form} / {self.row} / {self.column}"
        if self.kind == "project":
            return f"项目“{self.project}”"
        if self.kind == "indicator":
            return f"项目“{self.project}” / 绩效指标“{self.indicator}”"
        return f"审核问题 {self.finding_key}"

    def to_dict(self) -> dict[str, Any]:
        target: dict[str, str] = {"kind": self.kind}
        if self.kind == "cell":
            target |= {"form": self.form, "row": self.row, "column": self.column}
        elif self.kind == "project":
            target |= {"project": self.project}
        elif self.kind == "indicator":
            target |= {"project": self.project, "indicator": self.indicator}
        else:
            target |= {"rule": self.rule, "anchor": self.anchor}
        return {"uuid": self.uuid, "unit": self.unit_code, "year": self.year, "target": target, "text": self.text,
                "side": self.side, "author": self.author, "follow_up": self.follow_up, "status": self.status,
                "status_name": self.status_name, "answer": self.answer, "answered_by": self.answered_by,
                "fixed": self.fixed, "created_at": _iso(self.created_at), "answered_at": _iso(self.answered_at),
                "resolved_at": _iso(self.resolved_at), "updated_at": _iso(self.updated_at)}

    @classmethod
    def from_dict(cls, data: object, unit_code: str, year: int) -> Comment:
        """A comment read from a file, checked field by field (InputError in Chinese on any fault)."""
        if not isinstance(data, dict) or not isinstance(data.get("target"), dict):
            raise InputError("批注格式不对（缺少 target）。")
        target = data["target"]

        def text_of(source: dict[str, Any], key: str, limit: int, required: bool = False) -> str:
            value = source.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
                raise InputError(f"批注的“{key}”缺失或不对。")
            return value

        try:
            identity = str(uuid_module.UUID(str(data.get("uuid"))))
        except ValueError:
            raise InputError(f"批注编号“{data.get('uuid')}”不是有效的 UUID。") from None
        if data.get("unit", unit_code) != unit_code or data.get("year", year) != year:
            raise InputError("批注所属的单位或年度与文件不一致。")
        comment = cls(uuid=identity, unit_code=unit_code, year=year, kind=text_of(target, "kind", 16, True),
                      text=text_of(data, "text", MAX_TEXT, True), side=text_of(data, "side", 16, True),
                      form=text_of(target, "form", 64), row=text_of(target, "row", 300),
                      column=text_of(target, "column", 64), project=text_of(target, "project", 300),
                      indicator=text_of(target, "indicator", 300), rule=text_of(target, "rule", 64),
                      anchor=text_of(target, "anchor", 300), author=text_of(data, "author", 100),
                      follow_up=bool(data.get("follow_up", False)), status=text_of(data, "status", 16, True),
                      answer=text_of(data, "answer", MAX_TEXT), answered_by=text_of(data, "answered_by", 100),
                      fixed=bool(data.get("fixed", False)))
        comment.created_at = _parse_time(data.get("created_at"), now_utc(whole_seconds=True))
        comment.answered_at = _parse_time(data.get("answered_at"))
        comment.resolved_at = _parse_time(data.get("resolved_at"))
        comment.updated_at = _parse_time(data.get("updated_at"), comment.created_at)
        check_target(comment)
        if comment.side not in SIDES:
            raise InputError(f"批注的作者“{comment.side}”无效（应为 {'、'.join(SIDES)}）。")
        if comment.status not in STATUS_NAMES:
            raise InputError(f"批注状态“{comment.status}”无效。")
        return comment


def check_target(comment: Comment) -> None:
    if comment.kind not in KINDS:
        raise InputError(f"批注对象“{comment.kind}”无效（应为 cell、project、indicator 或 finding）。")
    if comment.kind == "cell":
        if not comment.form or not comment.row or not comment.column:
            raise InputError("单元格批注须给出表、行和栏（--form --row --column）。")
        try:
            form = form_by_id(comment.form)
            form.column(comment.column)
        except Exception:  # noqa: BLE001 - an unknown form or column: say so in words
            raise InputError(f"没有表“{comment.form}”或其中没有栏“{comment.column}”。") from None
    elif comment.kind in ("project", "indicator"):
        if not comment.project.strip():
            raise InputError("项目批注须给出项目名称（--project）。")
        if comment.kind == "indicator" and not comment.indicator.strip():
            raise InputError("绩效指标批注须给出三级指标名称（--indicator）。")
    elif not comment.rule.strip():
        raise InputError("审核问题批注须给出审核问题（--finding，如 check --json 中的 key）。")


def comment_from_row(row: models.CellComment) -> Comment:
    """A stored comment as the record both sides work with."""
    return Comment(uuid=row.uuid, unit_code=row.unit_code, year=row.year, kind=row.kind, text=row.text, side=row.side,
                   form=row.form, row=row.row_key, column=row.column_key, project=row.project,
                   indicator=row.indicator, rule=row.rule, anchor=row.anchor, author=row.author,
                   follow_up=bool(row.follow_up), status=row.status, answer=row.answer, answered_by=row.answered_by,
                   fixed=bool(row.fixed), created_at=row.created_at, answered_at=row.answered_at,
                   resolved_at=row.resolved_at, updated_at=row.updated_at)


def comment_to_row(comment: Comment, row: models.CellComment | None = None) -> models.CellComment:
    """The comment written onto its row (a new row unless ``row`` is given)."""
    row = row or models.CellComment(uuid=comment.uuid, unit_code=comment.unit_code, year=comment.year)
    row.kind, row.form, row.row_key, row.column_key = comment.kind, comment.form, comment.row, comment.column
    row.project, row.indicator, row.rule, row.anchor = comment.project, comment.indicator, comment.rule, comment.anchor
    row.text, row.side, row.author, row.follow_up = comment.text, comment.side, comment.author, comment.follow_up
    row.status, row.answer, row.answered_by, row.fixed = comment.status, comment.answer, comment.answered_by, comment.fixed
    row.created_at = comment.created_at or now_utc(whole_seconds=True)
    row.answered_at, row.resolved_at = comment.answered_at, comment.resolved_at
    row.updated_at = comment.updated_at or row.created_at
    return row


def list_comments(store: Database, unit_code: str, year: int, *, status: str | None = None,
                  open_only: bool = False) -> list[Comment]:
    """The comments of one budget, oldest first; ``open_only``: those not yet resolved."""
    query = select(models.CellComment).where(models.CellComment.unit_code == unit_code,
                                             models.CellComment.year == year).order_by(models.CellComment.id)
    if status is not None:
        if status not in STATUS_NAMES:
            raise InputError(f"批注状态“{status}”无效（应为 open、answered 或 resolved）。")
        query = query.where(models.CellComment.status == status)
    if open_only:
        query = query.where(models.CellComment.status != "resolved")
    with store.Session() as session:
        return [comment_from_row(row) for row in session.scalars(query)]


def comments_document(store: Database, unit_code: str, year: int, *, open_only: bool = False) -> dict[str, Any]:
    """``comments.json`` as a unit's package carries it: the budget's comments with their answers."""
    return {"format": COMMENTS_FORMAT, "unit": unit_code, "year": year,
            "comments": [c.to_dict() for c in list_comments(store, unit_code, year, open_only=open_only)]}


def parse_comments(items: object, unit_code: str, year: int) -> list[Comment]:
    """The comments of a file (a package's comments.json, a 退回 file), each checked; InputError in Chinese."""
    if not isinstance(items, list):
        raise InputError("批注列表格式不对。")
    if len(items) > MAX_COMMENTS:
        raise InputError(f"批注过多（{len(items)} 条，上限 {MAX_COMMENTS}）。")
    comments = [Comment.from_dict(item, unit_code, year) for item in items]
    if len({c.uuid for c in comments}) != len(comments):
        raise InputError("批注编号重复。")
    return comments
