"""批注: comments of the 财政局 (or 主管部门) on a unit's budget, and the unit's answers, as they travel.

A comment points at a cell (form, row, column), a project (its name), an indicator (project name and
三级指标) or a 审核 finding (rule id and its anchor). It carries the author's side and OS user, a
follow-up mark (需跟进), a status (open 待处理 → answered 已回复 → resolved 已解决), the unit's
answer, and a uuid so the same comment is recognised on both machines:

* the bureau adds comments to a received budget (already 已上报: comments are not budget content,
  so they do not pass the dataset's door, but every add/answer/resolve is audited with source 批注);
* ``write_return`` makes the signed 退回 file (``.bdr``): the reason, the comments not yet resolved
  and the SHA-256 of the package it answers, signed with the bureau's key;
* ``import_return`` on the clerk's machine checks the file (size, format, signature, the bureau's key
  as first seen, unit and year), sets the budget back to 编制中 through the door and stores the comments;
* the clerk answers (``answer_comment``); the next ``.bdp`` package carries ``comments.json``
  and the bureau's package import takes the answers in (``merge_comments``).

The comment record, its JSON form and ``comments.json`` are ``app.exchange.comment_document`` (the
package writer needs them, and the exchange wing does not import the bureau's).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from app.base.clock import now_utc
from app.base.errors import ConflictError, InputError, NotFoundError
from app.base.textcheck import read_bounded
from app.domain.forms import find_form, form_by_id
from app.exchange import signing
from app.exchange.comment_document import (
    MAX_TEXT,
    Comment,
    check_target,
    comment_from_row,
    comment_to_row,
    list_comments,
    parse_comments,
)
from app.exchange.comment_terms import SIDES, STATUS_NAMES
from app.exchange.package import trust
from app.store.audit import os_user, store_event
from db import models

SOURCE = "批注"

RETURN_FORMAT = "budgetdesk.return"
RETURN_FORMAT_VERSION = 1
RETURN_SUFFIX = ".bdr"
MAX_RETURN_BYTES = 16 * 1024 * 1024
BUREAU_TRUST_CODE = "@财政局"  # the bureau's key as the clerk's program trusts it (no unit code has @)


def _clean_text(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InputError(f"{what}不能为空。")
    if len(text) > MAX_TEXT:
        raise InputError(f"{what}不能超过 {MAX_TEXT} 字。")
    return text


def describe_target(comment: Comment) -> str:
    """Where a comment points, in the form's words, from the form definitions alone."""
    if comment.kind == "cell":
        try:
            form = form_by_id(comment.form)
            return f"《{form.title}》{comment.row} / {form.column(comment.column).title}"
        except Exception:  # noqa: BLE001 - a form this version does not know: its codes will do
            pass
    return comment.place()


def _audit(session, comment: Comment, action: str, old: str | None, new: str | None) -> None:
    """One audit row (source 批注) for the comment's unit and year; a cell comment names its cell, so
    the cell's 修改记录 shows it too."""
    store_event(session, SOURCE, f"批注（{action}）：{describe_target(comment)}", old=old, new=new,
                unit_code=comment.unit_code, year=comment.year, form=comment.form, row=comment.row,
                column=comment.column)


# ---- the core API ---------------------------------------------------------------------------------
def add_comment(store, unit_code: str, year: int, *, kind: str, text: str, side: str = "财政局",
                form: str = "", row: str = "", column: str = "", project: str = "", indicator: str = "",
                finding: str = "", follow_up: bool = False) -> Comment:
    """A new comment on a stored budget (any status: 已上报 included). Audited."""
    store.dataset_info(unit_code, year)  # NotFoundError (Chinese) if there is no such budget
    if side not in SIDES:
        raise InputError(f"批注作者“{side}”无效（应为 {'、'.join(SIDES)}）。")
    rule, _sep, anchor = (finding or "").partition(":")
    if kind == "cell" and form:
        form = find_form(form).id
    now = now_utc(whole_seconds=True)
    comment = Comment(uuid=str(uuid_module.uuid4()), unit_code=unit_code, year=year, kind=kind,
                      text=_clean_text(text, "批注内容"), side=side, form=form.strip(), row=row.strip(),
                      column=column.strip(), project=project.strip(), indicator=indicator.strip(), rule=rule.strip(),
                      anchor=anchor.strip(), author=os_user()[:100], follow_up=follow_up, created_at=now,
                      updated_at=now)
    check_target(comment)
    if kind == "cell":
        dataset = store.open_dataset(unit_code, year)
        if comment.row not in {info.key for info in dataset.view(comment.form).rows}:
            raise InputError(f"表“{comment.form}”中没有行“{comment.row}”。")
    with store.write() as session:
        session.add(comment_to_row(comment))
        _audit(session, comment, f"{side}添加" + ("，需跟进" if follow_up else ""), None, comment.text)
    return comment


def get_comment(store, identity: str) -> Comment:
    with store.Session() as session:
        return comment_from_row(_find(session, identity))


def _find(session, identity: str) -> models.CellComment:
    identity = (identity or "").strip()
    row = None
    if len(identity) >= 8:  # the full uuid, or its first characters as the list shows them
        rows = list(session.scalars(select(models.CellComment).where(models.CellComment.uuid.startswith(identity, autoescape=True))
                                    .limit(2)))
        if len(rows) > 1:
            raise InputError(f"批注编号“{identity}”不唯一，请写出更多位。")
        row = rows[0] if rows else None
    if row is None:
        raise NotFoundError(f"没有编号为“{identity}”的批注。")
    return row


def answer_comment(store, identity: str, text: str = "", *, fixed: bool = False) -> Comment:
    """The unit's answer (回复), or 标记已修改 (``fixed``: the cell was corrected). Audited."""
    if fixed and not (text or "").strip():
        text = "已修改。"
    text = _clean_text(text, "回复内容")
    with store.write() as session:
        row = _find(session, identity)
        if row.status == "resolved":
            raise ConflictError("该批注已由财政局标记为已解决，无需再回复。")
        old = row.answer or None
        now = now_utc(whole_seconds=True)
        row.answer, row.fixed, row.status = text, fixed or row.fixed, "answered"
        row.answered_by, row.answered_at, row.updated_at = os_user()[:100], now, now
        comment = comment_from_row(row)
        _audit(session, comment, "已修改" if fixed else "回复", old, text)
    return comment


def resolve_comment(store, identity: str, *, reopen: bool = False) -> Comment:
    """The author side closes a comment (已解决), or opens it again (``reopen``). Audited."""
    with store.write() as session:
        row = _find(session, identity)
        new = "open" if reopen else "resolved"
        if row.status == new:
            raise ConflictError(f"该批注已经是“{STATUS_NAMES[new]}”。")
        old = row.status
        now = now_utc(whole_seconds=True)
        row.status, row.updated_at = new, now
        row.resolved_at = None if reopen else now
        comment = comment_from_row(row)
        _audit(session, comment, "重新打开" if reopen else "已解决", STATUS_NAMES[old], STATUS_NAMES[new])
    return comment


@dataclass
class MergeResult:
    added: int = 0
    updated: int = 0
    answered: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)


def _merge(session, comments: list[Comment], *, from_bureau: bool) -> MergeResult:
    """Store comments that came in a file, matched by uuid. The bureau side owns the text, the
    follow-up mark and 已解决; the unit side owns the answer."""
    result = MergeResult()
    if not comments:
        return result
    existing = {row.uuid: row for row in session.scalars(
        select(models.CellComment).where(models.CellComment.uuid.in_([c.uuid for c in comments])))}
    for comment in comments:
        row = existing.get(comment.uuid)
        if row is not None and (row.unit_code, row.year) != (comment.unit_code, comment.year):
            raise ConflictError(f"批注 {comment.uuid[:8]} 在本机属于另一单位或年度，未导入。")
        if row is None:
            session.add(comment_to_row(comment))
            _audit(session, comment, "收到", None, comment.text)
            result.added += 1
            continue
        before = comment_from_row(row)
        if from_bureau:
            row.text, row.follow_up, row.side = comment.text, comment.follow_up, comment.side
            if comment.status == "resolved":
                row.status, row.resolved_at = "resolved", comment.resolved_at or now_utc(whole_seconds=True)
            elif comment.status == "open" and row.status != "open" and comment.answer and comment.answer == row.answer:
                row.status, row.resolved_at = "open", None  # the bureau read the answer and opened it again
        elif comment.answer and row.status != "resolved" and comment.answer != row.answer:
            row.answer, row.answered_by, row.answered_at = comment.answer, comment.answered_by, comment.answered_at
            row.fixed, row.status = comment.fixed, "answered"
            result.answered += 1
            result.details.append(f"{comment_from_row(row).place()}：{comment.answer}")
        after = comment_from_row(row)
        if (after.text, after.follow_up, after.status, after.answer) != (before.text, before.follow_up, before.status,
                                                                         before.answer):
            row.updated_at = max(now_utc(whole_seconds=True), row.updated_at or now_utc(whole_seconds=True))
            _audit(session, after, "收到回复" if not from_bureau else "更新",
                   f"{before.status_name} {before.answer}".strip(), f"{after.status_name} {after.answer}".strip())
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def merge_comments(store, comments: list[Comment]) -> MergeResult:
    """The bureau takes in the comments of a unit's package (its ``comments.json``): answers by uuid."""
    with store.write() as session:
        return _merge(session, comments, from_bureau=False)


# ---- the signed 退回 file -------------------------------------------------------------------------
@dataclass(frozen=True)
class ReturnResult:
    path: Path
    fingerprint: str
    comments: int
    package_sha256: str


def default_return_name(unit_code: str, year: int) -> str:
    return f"{unit_code}_{year}_退回{RETURN_SUFFIX}"


def write_return(store, unit_code: str, year: int, reason: str, target: str | Path, *,
                 side: str = "财政局") -> ReturnResult:
    """The signed 退回 file for a unit: the reason, the comments not yet resolved, and which
    received package it answers. The 退回 itself (status) is ``app.bureau.standing.return_dataset``."""
    target = Path(target)
    if target.suffix.lower() != RETURN_SUFFIX:
        raise InputError(f"退回文件名应以 {RETURN_SUFFIX} 结尾（如 {default_return_name(unit_code, year)}）。")
    reason = (reason or "").strip()
    if not reason:
        raise InputError("退回必须写明原因（--reason）。")
    info = store.dataset_info(unit_code, year)
    unit = store.get_unit(unit_code)
    with store.Session() as session:
        received = session.scalar(select(models.ReceivedPackage).where(
            models.ReceivedPackage.unit_code == unit_code, models.ReceivedPackage.year == year,
            models.ReceivedPackage.sha256 != "").order_by(models.ReceivedPackage.id.desc()).limit(1))
        package_sha = received.sha256 if received is not None else ""
    comments = list_comments(store, unit_code, year, open_only=True)
    payload = {"format": RETURN_FORMAT, "format_version": RETURN_FORMAT_VERSION,
               "unit": {"code": unit_code, "name": unit.name}, "year": info.year, "side": side,
               "id": uuid_module.uuid4().hex,  # the clerk's program applies each file once (a replay is refused)
               # to the microsecond: compared with the clerk's last 上报, which may be in the same second
               "reason": reason, "created": now_utc().isoformat() + "Z", "os_user": os_user()[:100],
               "package_sha256": package_sha,
               "comments": [c.to_dict() for c in comments]}
    payload_bytes = json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
    key = signing.bureau_key()
    signature = signing.sign(key, payload_bytes)
    document = {"format": RETURN_FORMAT, "payload": base64.b64encode(payload_bytes).decode("ascii"),
                "signature": signature}
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".bdr-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=1)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    with store.write() as session:
        store_event(session, SOURCE, f"退回文件 {target.name}（批注 {len(comments)} 条）", new=reason,
                    unit_code=unit_code, year=year)
    return ReturnResult(target, signature["fingerprint"], len(comments), package_sha)


@dataclass
class VerifiedReturn:
    path: Path
    payload: dict
    public_key: bytes
    fingerprint: str
    comments: list[Comment]

    @property
    def unit_code(self) -> str:
        return self.payload["unit"]["code"]

    @property
    def unit_name(self) -> str:
        return self.payload["unit"].get("name", "")

    @property
    def year(self) -> int:
        return self.payload["year"]

    @property
    def reason(self) -> str:
        return self.payload["reason"]


def _refuse(path: Path, text: str) -> InputError:
    return InputError(f"退回文件“{path.name}”{text}未导入。")


def open_return(path: str | Path) -> VerifiedReturn:
    """Read and verify a 退回 file (size, format, signature, contents); InputError in Chinese."""
    path = Path(path)
    if not os.path.lexists(path):
        raise InputError(f"找不到退回文件“{path}”。")
    raw = read_bounded(path, MAX_RETURN_BYTES, "退回文件")  # a FIFO, device, folder or empty file: refused
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _refuse(path, "不是有效的退回文件（或已损坏），") from None
    if not isinstance(document, dict) or document.get("format") != RETURN_FORMAT \
            or not isinstance(document.get("signature"), dict) or not isinstance(document.get("payload"), str):
        raise _refuse(path, "不是 BudgetDesk 退回文件，")
    try:
        payload_bytes = base64.b64decode(document["payload"], validate=True)
    except ValueError:
        raise _refuse(path, "已损坏，") from None
    try:
        public_key = signing.verify(document["signature"], payload_bytes)
    except InputError:
        raise _refuse(path, "的签名无效：内容与签名不符，文件可能被改动过，") from None
    try:
        payload = json.loads(payload_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _refuse(path, "的内容不是有效的 JSON，") from None
    if not isinstance(payload, dict) or payload.get("format") != RETURN_FORMAT:
        raise _refuse(path, "不是 BudgetDesk 退回文件，")
    version = payload.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > RETURN_FORMAT_VERSION:
        raise _refuse(path, f"的格式版本为 {version}，本软件无法读取（请升级 BudgetDesk），")
    unit, year = payload.get("unit"), payload.get("year")
    if not isinstance(unit, dict) or not isinstance(unit.get("code"), str) or not isinstance(year, int) \
            or not isinstance(payload.get("reason"), str) or not payload["reason"].strip():
        raise _refuse(path, "缺少单位、年度或退回原因，")
    if not isinstance(payload.get("id"), str) or not re.fullmatch(r"[0-9a-f]{32}", payload["id"]) \
            or not isinstance(payload.get("created"), str):
        raise _refuse(path, "没有编号或制作时间（由旧版程序生成，无法确认是否已导入过），请财政局用新版程序重新生成；")
    try:
        comments = parse_comments(payload.get("comments", []), unit["code"], year)
    except InputError as exc:
        raise _refuse(path, f"中的批注有误（{exc}），") from None
    return VerifiedReturn(path, payload, public_key, signing.fingerprint(public_key), comments)


@dataclass
class ReturnOutcome:
    unit_code: str
    unit_name: str
    year: int
    reason: str
    fingerprint: str
    first_trust: bool
    status_changed: bool
    merge: MergeResult
    package_sha256: str


def _trusted_bureau(session) -> models.TrustedKey | None:
    return session.scalar(select(models.TrustedKey).where(models.TrustedKey.unit_code == BUREAU_TRUST_CODE,
                                                          models.TrustedKey.status == "active"))


def bureau_fingerprint(store) -> str | None:
    """The bureau key this program trusts (first seen on a 退回 file), if any."""
    with store.Session() as session:
        row = _trusted_bureau(session)
        return None if row is None else row.fingerprint


def check_return(store, returned: VerifiedReturn, *, expected_unit: str | None = None,
                 expected_year: int | None = None, accept_new_key: bool = False, trust_fingerprints=()) -> bool:
    """Every check that needs no writing; returns True if the bureau's key is seen for the first time."""
    name = returned.path.name
    if expected_unit is not None and returned.unit_code != expected_unit:
        raise ConflictError(f"退回文件“{name}”是给单位 {returned.unit_code} {returned.unit_name} 的，"
                            f"不是本单位 {expected_unit}，未导入。")
    if expected_year is not None and returned.year != expected_year:
        raise ConflictError(f"退回文件“{name}”是 {returned.year} 年度的，不是当前的 {expected_year} 年度，未导入。")
    try:
        store.dataset_info(returned.unit_code, returned.year)
    except NotFoundError:
        raise ConflictError(f"退回文件“{name}”是给单位 {returned.unit_code} {returned.unit_name} 的 {returned.year} "
                            "年度预算的，本机没有这份预算，未导入。") from None
    with store.Session() as session:
        trusted = _trusted_bureau(session)
        uuids = [c.uuid for c in returned.comments]
        foreign = session.scalar(select(models.CellComment.uuid).where(
            models.CellComment.uuid.in_(uuids),
            (models.CellComment.unit_code != returned.unit_code) | (models.CellComment.year != returned.year))
            .limit(1)) if uuids else None
    if foreign is not None:
        raise ConflictError(f"退回文件“{name}”中的批注 {foreign[:8]} 在本机属于另一单位或年度，未导入。")
    _refuse_replay(store, returned)
    if trusted is None:
        if not trust.confirmed_by_person(BUREAU_TRUST_CODE, returned.fingerprint, trust_fingerprints):
            raise trust.UntrustedKeyError(
                f"退回文件“{name}”的签名密钥（指纹 {returned.fingerprint}）是本机第一次见到的财政局密钥，未导入。\n"
                "请与财政局提供的纸质材料（或电话核实）上的指纹逐位核对；一致时再导入并确认指纹（命令行加 "
                f"--trust-fingerprint {returned.fingerprint}）。",
                [(BUREAU_TRUST_CODE, "财政局", returned.fingerprint)])
    if trusted is not None and trusted.fingerprint != returned.fingerprint and not accept_new_key:
        raise ConflictError(
            f"退回文件“{name}”的签名密钥（指纹 {returned.fingerprint}）与本机记住的财政局密钥（指纹 "
            f"{trusted.fingerprint}）不一致，未导入。\n请向财政局核实其密钥是否确已更换；确认后可用 --accept-new-key "
            "（或在对话框中确认）导入，并记住新密钥。")
    return trusted is None


def _refuse_replay(store, returned: VerifiedReturn) -> None:
    """A file applied before (by its id), or one written before the budget's last 上报 (it answers data
    that has since been re-submitted), is refused in words."""
    name = returned.path.name
    with store.Session() as session:
        applied = session.get(models.AppliedReturn, returned.payload["id"])
        submitted = session.scalar(select(func.max(models.AuditEntry.time)).where(
            models.AuditEntry.unit_code == returned.unit_code, models.AuditEntry.year == returned.year,
            models.AuditEntry.source == "状态", models.AuditEntry.new.startswith("已上报")))
    if applied is not None:
        raise ConflictError(f"退回文件“{name}”已于 {_local(applied.applied_at)} 导入过（文件“{applied.file_name}”），"
                            "同一份退回文件不能再次导入，未导入。")
    try:
        created = datetime.fromisoformat(returned.payload["created"].removesuffix("Z")).replace(tzinfo=None)
    except ValueError:
        raise ConflictError(f"退回文件“{name}”的制作时间无法识别，未导入。") from None
    if submitted is not None and created < submitted:
        raise ConflictError(f"退回文件“{name}”制作于 {_local(created)}，早于本单位最近一次上报（{_local(submitted)}），"
                            "它答复的是此前上报的数据，未导入。如财政局要再次退回，请向其索取新的退回文件。")


def _local(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def import_return(store, path: str | Path, *, expected_unit: str | None = None, expected_year: int | None = None,
                  accept_new_key: bool = False, trust_fingerprints=()) -> ReturnOutcome:
    """The clerk takes in a 退回 file: checks, remembers the bureau key (first seen), sets the budget
    back to 编制中 through the door (with the reason) and stores the comments. A refusal changes nothing."""
    returned = open_return(path)
    first = check_return(store, returned, expected_unit=expected_unit, expected_year=expected_year,
                         accept_new_key=accept_new_key, trust_fingerprints=trust_fingerprints)
    with store.transaction():  # status, key, comments and audit: one commit
        dataset = store.open_dataset(returned.unit_code, returned.year)
        side = returned.payload.get("side") or "财政局"
        changed = False
        if dataset.status == "submitted":
            dataset.set_status("draft", reason=f"{side}退回：{returned.reason}"[:2000])  # the door, audited
            changed = True
            store.step("return:status")
        now = now_utc(whole_seconds=True)
        encoded = base64.b64encode(returned.public_key).decode("ascii")
        with store.write() as session:
            trusted = _trusted_bureau(session)
            if trusted is None or trusted.fingerprint != returned.fingerprint:
                if trusted is not None:
                    trusted.status, trusted.revoked_at = "revoked", now
                    trusted.revoked_reason = f"收到以新密钥签名的退回文件 {returned.path.name}，经确认更换"[:2000]
                session.flush()
                session.add(models.TrustedKey(unit_code=BUREAU_TRUST_CODE, fingerprint=returned.fingerprint,
                                              public_key=encoded, status="active",
                                              source="首次接收" if trusted is None else "更换",
                                              reason=f"退回文件 {returned.path.name}"[:2000], os_user=os_user()[:100],
                                              created_at=now))
                store_event(session, "密钥", "财政局签名密钥", old=None if trusted is None else trusted.fingerprint,
                            new=returned.fingerprint, unit_code=returned.unit_code, year=returned.year)
            merge = _merge(session, returned.comments, from_bureau=True)
            session.add(models.AppliedReturn(
                id=returned.payload["id"], unit_code=returned.unit_code, year=returned.year,
                file_name=returned.path.name[:500], created=str(returned.payload["created"])[:40],
                package_sha256=str(returned.payload.get("package_sha256") or "")[:64], applied_at=now))
            session.flush()
            store.step("return:comments")
            store_event(session, SOURCE, f"导入退回文件 {returned.path.name}（批注 {len(returned.comments)} 条）",
                        new=returned.reason, unit_code=returned.unit_code, year=returned.year)
    return ReturnOutcome(returned.unit_code, returned.unit_name, returned.year, returned.reason, returned.fingerprint,
                         first, changed, merge, str(returned.payload.get("package_sha256") or ""))


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
