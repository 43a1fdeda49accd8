"""Evidence item workflow: draft -> submitted -> approved | rejected | clarification_requested.

A clarification is answered by the library, which resubmits the item (new revision). An item can be
withdrawn before a decision. Editing a decided (approved or rejected) item opens a new revision in
draft that must be reviewed again; a submitted item is not edited in place (withdraw it first), so
an assessor never reviews a moving target. Each function takes the stored item and returns an
Outcome: the new document, the events for the outbox and, for edits, the fields left unsaved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import lifecycle as lc
from .errors import InvalidEvidence, InvalidField
from .identity import Actor, require_assessor, require_staff_of
from .items import empty_content, validate_draft, validate_for_submit
from .lifecycle import APPROVED, CLARIFICATION, DRAFT, REJECTED, SUBMITTED, WITHDRAWN, Outcome
from .snapshots import evidence_event

Identity = Actor | Mapping[str, Any]
EDITABLE_STATES = (DRAFT, WITHDRAWN, CLARIFICATION, APPROVED, REJECTED)
DECISIONS = (APPROVED, REJECTED, CLARIFICATION)


def create_item(
    data: Mapping[str, Any],
    identity: Identity,
    *,
    item_id: str,
    now: datetime,
    library_name: str | None = None,
    copied_from: dict | None = None,
) -> Outcome:
    """Start a draft for the actor's library, keeping every valid field of `data`."""
    actor = Actor.of(identity)
    require_staff_of(actor, actor.library_id, "oprette bidrag", "create evidence")
    clean, problems = validate_draft(data)
    item = {
        "item_id": item_id,
        "library_id": actor.library_id,
        "library_name": library_name,
        "status": DRAFT,
        "revision": 0,
        **empty_content(),
        **clean,
        "attachments": [],
        "created_at": now,
        "created_by": actor.ref(),
        "submitted_by": None,
        "submitted_at": None,
        "ever_submitted": False,
        "decision": None,
        "deadline": None,
        "thread": [],
        "audit": [],
        "shared_case_id": None,
        "copied_from": copied_from,
    }
    item = lc.advance(item, actor=actor, now=now, action="create", changed=clean)
    return Outcome(item, [], problems)


def edit_item(
    item: Mapping[str, Any], changes: Mapping[str, Any], identity: Identity, *, based_on: int, now: datetime
) -> Outcome:
    """Apply the valid changes to a draft (or reopen a decided item as a new draft revision)."""
    actor = _staff(item, identity, "redigere bidraget", "edit the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, EDITABLE_STATES, "edit")
    clean, problems = validate_draft(changes, base=item)
    changed = [k for k, val in clean.items() if item.get(k) != val]
    if not changed:
        return Outcome(dict(item), [], problems)
    status = CLARIFICATION if item["status"] == CLARIFICATION else DRAFT
    new = lc.advance(item, actor=actor, now=now, action="edit", status=status, changed=changed)
    new.update({k: clean[k] for k in changed})
    return Outcome(new, revised_events(item, new, actor, changed), problems)


def submit_item(item: Mapping[str, Any], identity: Identity, *, based_on: int, now: datetime) -> Outcome:
    """Submit a draft (or resubmit a withdrawn or questioned item) for review."""
    actor = _staff(item, identity, "indsende bidraget", "submit the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, (DRAFT, WITHDRAWN, CLARIFICATION), "submit")
    validate_for_submit(item)
    resubmission = bool(item.get("ever_submitted"))
    new = _submitted(item, actor, now, action="submit")
    return Outcome(new, [evidence_event("evidence.submitted", new, actor, resubmission=resubmission)])


def withdraw_item(
    item: Mapping[str, Any], identity: Identity, *, based_on: int, now: datetime, reason: str | None = None
) -> Outcome:
    """Withdraw an item that has not been decided."""
    actor = _staff(item, identity, "trække bidraget tilbage", "withdraw the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, (DRAFT, SUBMITTED, CLARIFICATION), "withdraw")
    reason = lc.optional_text("reason", reason)
    new = lc.advance(item, actor=actor, now=now, action="withdraw", status=WITHDRAWN, note=reason)
    new["deadline"] = None
    events = []
    if item.get("ever_submitted"):
        events.append(evidence_event("evidence.withdrawn", new, actor, reason=reason, previous_status=item["status"]))
    return Outcome(new, events)


def review_item(
    item: Mapping[str, Any],
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    decision: str,
    comment: str | None = None,
    deadline: Any = None,
) -> Outcome:
    """Record an assessor's decision; a clarification request needs a message and a future deadline."""
    actor = Actor.of(identity)
    require_assessor(actor, "bedømme bidrag", "review evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, (SUBMITTED,), "review")
    if decision not in DECISIONS:
        raise InvalidField(
            "unknown_decision",
            f"Ukendt afgørelse {decision!r}; vælg approved, rejected eller clarification_requested.",
            f"Unknown decision {decision!r}; choose approved, rejected or clarification_requested.",
            field="decision",
        )
    if decision == APPROVED:
        comment = lc.optional_text("comment", comment)
        deadline = None
    else:
        # A rejection or a question must say why, so the library can act on it.
        comment = lc.message_text(comment, field="comment")
        deadline = lc.clarification_deadline(deadline, now) if decision == CLARIFICATION else None
    new = lc.advance(item, actor=actor, now=now, action="review", status=decision, note=comment)
    new["decision"] = {
        "decision": decision,
        "comment": comment,
        "deadline": deadline,
        "reviewer": actor.ref(),
        "at": now,
        "revision": new["revision"],
    }
    new["decided_at"] = now if decision != CLARIFICATION else item.get("decided_at")
    new["deadline"] = deadline
    if decision == CLARIFICATION:
        new.setdefault("thread", []).append(lc.thread_message(actor, comment or "", now, deadline=deadline))
    events = [
        evidence_event(
            "evidence.reviewed",
            new,
            actor,
            decision=decision,
            comment=comment,
            deadline=deadline,
            reviewer=actor.ref(),
        )
    ]
    if decision == CLARIFICATION:
        events.append(
            evidence_event(
                "evidence.clarification_requested",
                new,
                actor,
                message=comment,
                deadline=deadline,
                submitter=_submitter(new),
            )
        )
    return Outcome(new, events)


def answer_clarification(
    item: Mapping[str, Any],
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    message: str,
    changes: Mapping[str, Any] | None = None,
) -> Outcome:
    """Answer the assessor's question, optionally with changes, and resubmit (new revision)."""
    actor = _staff(item, identity, "besvare spørgsmålet", "answer the question")
    lc.check_revision(item, based_on)
    lc.check_state(item, (CLARIFICATION,), "answer")
    message = lc.message_text(message)
    clean, problems = validate_draft(changes or {}, base=item)
    if problems:
        raise InvalidEvidence(problems)
    changed = [k for k, val in clean.items() if item.get(k) != val]
    merged = {**item, **clean}
    validate_for_submit(merged)
    new = _submitted(merged, actor, now, action="answer", changed=changed)
    new.setdefault("thread", []).append(lc.thread_message(actor, message, now))
    return Outcome(
        new,
        [evidence_event("evidence.clarification_answered", new, actor, message=message, changed_fields=changed)],
    )


def post_message(
    item: Mapping[str, Any], identity: Identity, *, now: datetime, message: str, based_on: int | None = None
) -> Outcome:
    """Add a message to an open clarification thread without changing the item's status."""
    actor = Actor.of(identity)
    if actor.role != "assessor":
        require_staff_of(actor, item.get("library_id"), "skrive i tråden", "post to the thread")
    if based_on is not None:
        lc.check_revision(item, based_on)
    lc.check_state(item, (CLARIFICATION,), "message")
    message = lc.message_text(message)
    new = lc.advance(item, actor=actor, now=now, action="message")
    new.setdefault("thread", []).append(lc.thread_message(actor, message, now))
    return Outcome(new)


def _staff(item: Mapping[str, Any], identity: Identity, doing_da: str, doing_en: str) -> Actor:
    actor = Actor.of(identity)
    require_staff_of(actor, item.get("library_id"), doing_da, doing_en)
    return actor


def _submitted(item: Mapping[str, Any], actor: Actor, now: datetime, *, action: str, changed=()) -> dict:
    new = lc.advance(item, actor=actor, now=now, action=action, status=SUBMITTED, changed=changed)
    new.update(submitted_by=actor.person(), submitted_at=now, ever_submitted=True, deadline=None)
    return new


def _submitter(item: Mapping[str, Any]) -> dict | None:
    person = item.get("submitted_by")
    return (
        {"person_id": person["person_id"], "name": person.get("name"), "email": person.get("email")} if person else None
    )


def revised_events(old: Mapping[str, Any], new: Mapping[str, Any], actor: Actor, changed: list[str]) -> list:
    """Tell consumers about edits only once the item has been submitted (they never saw drafts)."""
    if not old.get("ever_submitted"):
        return []
    return [
        evidence_event("evidence.revised", new, actor, changed_fields=sorted(changed), previous_status=old["status"])
    ]
