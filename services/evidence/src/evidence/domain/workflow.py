"""Evidence item workflow: draft -> submitted -> approved | rejected | clarification_requested.

A clarification is answered by the library, which resubmits the item (new revision). An item can be
withdrawn before a decision. Editing a decided (approved or rejected) item opens a new revision in
draft that must be reviewed again; a submitted item is not edited in place (withdraw it first), so
an assessor never reviews a moving target. A draft that was never submitted can be deleted. Each
function takes the stored item and returns an Outcome: the new item, the events for the outbox
and, for edits, the fields left unsaved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from shared.vocabulary import REVIEW_DECISIONS

from . import lifecycle as lc
from .errors import Conflict, InvalidEvidence, InvalidField
from .identity import Actor, require_assessor, require_staff_of
from .items import validate_draft, validate_for_submit
from .lifecycle import APPROVED, CLARIFICATION, DRAFT, REJECTED, SUBMITTED, WITHDRAWN, DomainEvent, Outcome
from .model import CopiedFrom, Decision, EvidenceItem
from .snapshots import contact, evidence_event, person

Identity = Actor | Mapping[str, Any]
EDITABLE_STATES = (DRAFT, WITHDRAWN, CLARIFICATION, APPROVED, REJECTED)
SHAREABLE_STATES = (SUBMITTED, APPROVED)
DECISIONS = REVIEW_DECISIONS  # approved, rejected, clarification_requested

# The statuses each action on an item is allowed from: the transitions check them, and
# `actions.item_actions` offers exactly these to the caller.
ITEM_STATES: Mapping[str, tuple[str, ...]] = {
    "edit": EDITABLE_STATES,
    "submit": (DRAFT, WITHDRAWN, CLARIFICATION),
    "withdraw": (DRAFT, SUBMITTED, CLARIFICATION),
    "delete": (DRAFT,),
    "review": (SUBMITTED,),
    "answer": (CLARIFICATION,),
    "message": (CLARIFICATION,),
    "attach": EDITABLE_STATES,
    "share": SHAREABLE_STATES,
}


def create_item(
    data: Mapping[str, Any],
    identity: Identity,
    *,
    item_id: str,
    now: datetime,
    library_name: str | None = None,
    copied_from: CopiedFrom | None = None,
) -> Outcome[EvidenceItem]:
    """Start a draft for the actor's library, keeping every valid field of `data`."""
    actor = Actor.of(identity)
    library_id = require_staff_of(actor, actor.library_id, "oprette bidrag", "create evidence")
    clean, problems = validate_draft(data)
    item = EvidenceItem(
        item_id=item_id,
        library_id=library_id,
        library_name=library_name,
        created_at=now,
        updated_at=now,
        created_by=actor.ref(),
        copied_from=copied_from,
        **clean,
    )
    return Outcome(lc.advance(item, actor=actor, now=now, action="create", changed=clean), [], problems)


def edit_item(
    item: EvidenceItem, changes: Mapping[str, Any], identity: Identity, *, based_on: int, now: datetime
) -> Outcome[EvidenceItem]:
    """Apply the valid changes to a draft (or reopen a decided item as a new draft revision)."""
    actor = _staff(item, identity, "redigere bidraget", "edit the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["edit"], "edit")
    clean, problems = validate_draft(changes, base=item)
    changed = {k: val for k, val in clean.items() if getattr(item, k) != val}
    if not changed:
        return Outcome(item, [], problems)
    new = lc.advance(item, actor=actor, now=now, action="edit", status=_status_after_edit(item), changed=changed,
                     **changed)
    return Outcome(new, revised_events(item, new, actor, list(changed)), problems)


def submit_item(item: EvidenceItem, identity: Identity, *, based_on: int, now: datetime) -> Outcome[EvidenceItem]:
    """Submit a draft (or resubmit a withdrawn or questioned item) for review."""
    actor = _staff(item, identity, "indsende bidraget", "submit the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["submit"], "submit")
    validate_for_submit(item)
    new = _submitted(item, actor, now, action="submit")
    return Outcome(new, [evidence_event("evidence.submitted", new, actor, resubmission=item.ever_submitted)])


def withdraw_item(
    item: EvidenceItem, identity: Identity, *, based_on: int, now: datetime, reason: str | None = None
) -> Outcome[EvidenceItem]:
    """Withdraw an item that has not been decided."""
    actor = _staff(item, identity, "trække bidraget tilbage", "withdraw the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["withdraw"], "withdraw")
    reason = lc.optional_text("reason", reason)
    new = lc.advance(item, actor=actor, now=now, action="withdraw", status=WITHDRAWN, note=reason, deadline=None)
    events = []
    if item.ever_submitted:
        events.append(evidence_event("evidence.withdrawn", new, actor, reason=reason, previous_status=item.status))
    return Outcome(new, events)


def delete_item(item: EvidenceItem, identity: Identity, *, based_on: int) -> None:
    """Allow deleting a draft that was never submitted (nobody outside the library has seen it)."""
    _staff(item, identity, "slette bidraget", "delete the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["delete"], "delete")
    if item.ever_submitted:
        raise Conflict(
            "was_submitted",
            "Bidraget har været indsendt og kan ikke slettes; træk det tilbage i stedet.",
            "The evidence has been submitted and cannot be deleted; withdraw it instead.",
            field="status",
        )


def review_item(
    item: EvidenceItem,
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    decision: str,
    comment: str | None = None,
    deadline: Any = None,
) -> Outcome[EvidenceItem]:
    """Record an assessor's decision; a clarification request needs a message and a future deadline."""
    actor = Actor.of(identity)
    require_assessor(actor, "bedømme bidrag", "review evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["review"], "review")
    if decision not in DECISIONS:
        raise InvalidField(
            "unknown_decision",
            f"Ukendt afgørelse {decision!r}; vælg approved, rejected eller clarification_requested.",
            f"Unknown decision {decision!r}; choose approved, rejected or clarification_requested.",
            field="decision",
        )
    due: str | None = None
    if decision == APPROVED:
        comment = lc.optional_text("comment", comment)
    else:
        # A rejection or a question must say why, so the library can act on it.
        comment = lc.message_text(comment, field="comment")
        due = lc.clarification_deadline(deadline, now) if decision == CLARIFICATION else None
    new = lc.advance(item, actor=actor, now=now, action="review", status=decision, note=comment)
    thread = (*new.thread, lc.thread_message(actor, comment or "", now, deadline=due)) \
        if decision == CLARIFICATION else new.thread
    new = replace(
        new,
        decision=Decision(decision, comment, due, actor.ref(), now, new.revision),
        decided_at=now if decision != CLARIFICATION else item.decided_at,
        deadline=due,
        thread=thread,
    )
    events = [
        evidence_event(
            "evidence.reviewed", new, actor, decision=decision, comment=comment, deadline=due,
            reviewer=person(actor.ref()),
        )
    ]
    if decision == CLARIFICATION:
        events.append(
            evidence_event(
                "evidence.clarification_requested", new, actor, message=comment, deadline=due,
                submitter=contact(new.submitted_by),
            )
        )
    return Outcome(new, events)


def answer_clarification(
    item: EvidenceItem,
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    message: str,
    changes: Mapping[str, Any] | None = None,
) -> Outcome[EvidenceItem]:
    """Answer the assessor's question, optionally with changes, and resubmit (new revision)."""
    actor = _staff(item, identity, "besvare spørgsmålet", "answer the question")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["answer"], "answer")
    message = lc.message_text(message)
    clean, problems = validate_draft(changes or {}, base=item)
    if problems:
        raise InvalidEvidence(problems)
    changed = [k for k, val in clean.items() if getattr(item, k) != val]
    merged = replace(item, **clean)
    validate_for_submit(merged)
    new = _submitted(merged, actor, now, action="answer", changed=changed)
    new = replace(new, thread=(*new.thread, lc.thread_message(actor, message, now)))
    return Outcome(
        new,
        [evidence_event("evidence.clarification_answered", new, actor, message=message, changed_fields=changed)],
    )


def post_message(
    item: EvidenceItem, identity: Identity, *, now: datetime, message: str, based_on: int | None = None
) -> Outcome[EvidenceItem]:
    """Add a message to an open clarification thread without changing the item's status."""
    actor = Actor.of(identity)
    if not actor.is_assessor:
        require_staff_of(actor, item.library_id, "skrive i tråden", "post to the thread")
    if based_on is not None:
        lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["message"], "message")
    message = lc.message_text(message)
    new = lc.advance(item, actor=actor, now=now, action="message")
    return Outcome(replace(new, thread=(*new.thread, lc.thread_message(actor, message, now))))


def _staff(item: EvidenceItem, identity: Identity, doing_da: str, doing_en: str) -> Actor:
    actor = Actor.of(identity)
    require_staff_of(actor, item.library_id, doing_da, doing_en)
    return actor


def _status_after_edit(item: EvidenceItem) -> str:
    """An edit keeps an open question open; any other edit leaves (or makes) a draft."""
    return CLARIFICATION if item.status == CLARIFICATION else DRAFT


def _submitted(
    item: EvidenceItem, actor: Actor, now: datetime, *, action: str, changed: list[str] | None = None
) -> EvidenceItem:
    return lc.advance(
        item, actor=actor, now=now, action=action, status=SUBMITTED, changed=changed or (),
        submitted_by=actor.contact(), submitted_at=now, ever_submitted=True, deadline=None,
    )


def revised_events(old: EvidenceItem, new: EvidenceItem, actor: Actor, changed: list[str]) -> list[DomainEvent]:
    """Tell consumers about edits only once the item has been submitted (they never saw drafts)."""
    if not old.ever_submitted:
        return []
    return [
        evidence_event("evidence.revised", new, actor, changed_fields=sorted(changed), previous_status=old.status)
    ]
