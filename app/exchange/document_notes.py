"""The notes of the interchange document, both ways: the 说明 beside each 提示, the clerk's wording
of 情况说明 sections, the unit profile (``app.domain.profile``), typed 上年数 and the reasons for
changes (``app.domain.prior``), from a dataset and back into dataset notes.

The finance bureau reads the 说明 beside each 提示 and prints the 情况说明 as the clerk wrote it.
"""

from __future__ import annotations

from app.base.errors import InputError, NotFoundError
from app.base.money import parse_amount
from app.checks.rules import explanation_note, explanations
from app.domain import prior, profile
from app.domain.quantities import prior_names, quantities
from app.projects import narrative
from app.store.service import BudgetDataset

NARRATIVE_MAX_CHARS = 20000


def export_notes(dataset: BudgetDataset) -> dict:
    """The document's notes parts of a dataset (each only when it has content)."""
    part: dict = {}
    notes = explanations(dataset)
    if notes:
        part["explanations"] = [{"finding": key, "text": text} for key, text in sorted(notes.items())]
    texts = {key: text for key, text in profile.profile(dataset).items() if text}
    if texts:
        part["profile"] = texts
    order = {name: index for index, name in enumerate(prior_names())}  # a stable order, whatever the database's

    def ordered(values: dict) -> dict:
        return dict(sorted(values.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))

    typed = prior.typed_prior(dataset)
    if typed:
        part["prior"] = ordered({name: str(amount) for name, amount in typed.items()})
    own_reasons = {key.removeprefix(prior.REASON_PREFIX): text for key, text in dataset.notes(prior.REASON_PREFIX).items()}
    if own_reasons:
        part["reasons"] = ordered(own_reasons)
    edits = narrative.stored_edits(dataset)
    if edits:
        part["narrative"] = [{"section": key, "text": edits[key][0], "based_on": edits[key][1]}
                             for key in narrative.SECTION_KEYS if key in edits]
    return part


def validate_notes(document: dict) -> tuple[dict[str, str], list[str]]:
    """The dataset notes the document's explanations and narrative edits become, and their problems."""
    notes: dict[str, str] = {}
    errors: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(document.get("explanations", []), start=1):
        try:
            if item["finding"] in seen:
                raise InputError("同一条审核结果的说明出现了两次。")
            seen.add(item["finding"])
            key, text = explanation_note(item["finding"], item["text"])
            if text is None:
                raise InputError("说明是空的。")
            notes[key] = text
        except InputError as exc:
            errors.append(f"explanations 第 {index} 项（{item['finding']}）：{exc}")
    seen = set()
    for index, item in enumerate(document.get("narrative", []), start=1):
        try:
            if item["section"] in seen:
                raise InputError("同一部分出现了两次。")
            seen.add(item["section"])
            if not item["text"].strip():
                raise InputError("文字是空的。")
            if len(item["text"]) > NARRATIVE_MAX_CHARS or len(item.get("based_on", "")) > NARRATIVE_MAX_CHARS:
                raise InputError(f"文字超过 {NARRATIVE_MAX_CHARS} 字。")
            notes.update(narrative.edit_notes(item["section"], item["text"], item.get("based_on", "")))
        except (InputError, NotFoundError) as exc:
            errors.append(f"narrative 第 {index} 项（{item['section']}）：{exc}")
    _validate_profile_notes(document, notes, errors)
    return notes, errors


def _validate_profile_notes(document: dict, notes: dict[str, str], errors: list[str]) -> None:
    """Unit profile, typed 上年数 and reasons (app.domain.profile, app.domain.prior) as dataset notes."""
    for key, text in document.get("profile", {}).items():
        if key not in profile.PROFILE_KEYS:
            errors.append(f"profile 中的“{key}”不是单位情况的一项（可用：{'、'.join(profile.PROFILE_KEYS)}）。")
        elif len(text) > profile.PROFILE_MAX_CHARS:
            errors.append(f"profile“{key}”超过 {profile.PROFILE_MAX_CHARS} 字。")
        elif key == "glossary" and text.strip():
            try:
                profile.parse_glossary(text)
            except InputError as exc:
                errors.append(f"profile“glossary”：{exc}")
            else:
                notes[profile.PROFILE_PREFIX + key] = text.strip()
        elif text.strip():
            notes[profile.PROFILE_PREFIX + key] = text.strip()
    for name, amount in document.get("prior", {}).items():
        if name not in prior_names():
            errors.append(f"prior 中的“{name}”没有上年数（可用：{'、'.join(prior_names())}）。")
            continue
        try:
            notes[prior.PRIOR_PREFIX + name] = str(parse_amount(amount, document["money_unit"]))
        except InputError as exc:
            errors.append(f"prior“{name}”：{exc}")
    for name, text in document.get("reasons", {}).items():
        if name not in quantities():
            errors.append(f"reasons 中的“{name}”不是命名数量。")
        elif len(text) > prior.REASON_MAX_CHARS:
            errors.append(f"reasons“{name}”超过 {prior.REASON_MAX_CHARS} 字。")
        elif text.strip():
            notes[prior.REASON_PREFIX + name] = text.strip()
