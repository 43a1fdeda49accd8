"""The review lifecycle shared by evidence items and action plans.

One counter, `revision`, is bumped by every write. It is both the optimistic-concurrency token
(every change presents the revision it is based on) and the ordering guard carried by every event
(consumers ignore an event whose revision is not newer than the last one they applied).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from shared.vocabulary import (
    APPROVED,
    ASSESSOR,
    CLARIFICATION_REQUESTED,
    DRAFT,
    EVIDENCE_STATUS_LABELS,
    EVIDENCE_STATUSES,
    REJECTED,
    SUBMITTED,
    WITHDRAWN,
)

from .errors import Conflict, EvidenceError, InvalidField
from .identity import Actor
from .model import AuditEntry, Message, Reviewed
from .values import as_date

CLARIFICATION = CLARIFICATION_REQUESTED
STATUSES = EVIDENCE_STATUSES
# The statuses (defined in shared.vocabulary), named here for the domain's modules.
__all__ = ["APPROVED", "CLARIFICATION", "DRAFT", "REJECTED", "STATUSES", "SUBMITTED", "WITHDRAWN"]

# How a refused action is named in the 409's message ("Cannot <action> the document...").
ACTION_LABELS = {
    "create": ("oprette", "create"),
    "edit": ("redigere", "edit"),
    "submit": ("indsende", "submit"),
    "withdraw": ("trække tilbage", "withdraw"),
    "delete": ("slette", "delete"),
    "review": ("bedømme", "review"),
    "answer": ("besvare", "answer"),
    "message": ("skrive i tråden til", "post to the thread of"),
    "attach": ("vedhæfte filer til", "attach files to"),
    "share": ("dele", "share"),
}
MAX_DEADLINE_DAYS = 365
MAX_TEXT = 5000

R = TypeVar("R", bound=Reviewed)


@dataclass(frozen=True)
class DomainEvent:
    """An event to put in the outbox in the same write as the document: routing key and payload."""

    type: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What a command produced: the new item or plan, its events, and (drafts) fields left unsaved."""

    new: R
    events: list[DomainEvent] = field(default_factory=list)
    problems: list[EvidenceError] = field(default_factory=list)


def check_revision(doc: Reviewed, based_on: int | None) -> None:
    """Refuse a change based on an older (or missing) revision than the stored one."""
    current = doc.revision
    if based_on != current:
        raise Conflict(
            "stale_revision",
            f"Dokumentet er ændret af en anden i mellemtiden (du redigerede version {based_on}, "
            f"den aktuelle er {current}). Hent det igen og prøv på ny.",
            f"The document was changed in the meantime (you edited revision {based_on}, "
            f"the current one is {current}). Reload it and try again.",
            field="revision",
        )


def stale_revision(based_on: int | None) -> Conflict:
    """The conflict of a change whose revision was overtaken (by a concurrent change, say)."""
    return Conflict(
        "stale_revision",
        f"Dokumentet er ændret af en anden i mellemtiden (du redigerede version {based_on}). "
        "Hent det igen og prøv på ny.",
        f"The document was changed in the meantime (you edited revision {based_on}). Reload it and try again.",
        field="revision",
    )


def check_state(doc: Reviewed, allowed: Iterable[str], action: str) -> None:
    """Refuse a transition that is not allowed from the document's current status."""
    status = doc.status
    if status not in allowed:
        da_status, en_status = EVIDENCE_STATUS_LABELS.get(status, (status, status))
        da_action, en_action = ACTION_LABELS.get(action, (action, action))
        error = Conflict(
            "illegal_transition",
            f"Kan ikke {da_action} dokumentet, fordi det er {da_status.lower()} ({status}).",
            f"Cannot {en_action} the document because it is {en_status.lower()} ({status}).",
            field="status",
        )
        error.current_state = status  # named in the 409 answer so a client can show it
        raise error


def advance(
    doc: R,
    *,
    actor: Actor,
    now: datetime,
    action: str,
    status: str | None = None,
    changed: Iterable[str] = (),
    note: str | None = None,
    **changes: Any,
) -> R:
    """Return `doc` with a new revision, status, the given changes and one more audit entry."""
    revision = doc.revision + 1
    after = status or doc.status
    entry = AuditEntry(
        at=now,
        action=action,
        by=actor.ref(),
        revision=revision,
        from_status=doc.status,
        to_status=after,
        changed=tuple(sorted(changed)),
        note=note or None,
    )
    return replace(doc, revision=revision, status=after, updated_at=now, audit=(*doc.audit, entry), **changes)


def thread_message(actor: Actor, text: str, now: datetime, *, deadline: str | None = None) -> Message:
    """Build one clarification-thread message."""
    side = "assessor" if actor.role == ASSESSOR else "library"
    return Message(at=now, by=actor.ref(), side=side, text=text, deadline=deadline or None)


def message_text(value: Any, field: str = "message") -> str:
    """Validate a thread message (1..5000 characters)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidField("required", "Skriv en besked.", "Write a message.", field=field)
    if len(value.strip()) > MAX_TEXT:
        raise InvalidField(
            "too_long", "Beskeden må højst være 5000 tegn.", "The message may be at most 5000 characters.", field=field
        )
    return value.strip()


def optional_text(field: str, value: Any) -> str | None:
    """Validate an optional free-text note (up to 5000 characters); blank means none."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value.strip()) > MAX_TEXT:
        raise InvalidField(
            "bad_text", "Teksten må højst være 5000 tegn.", "The text may be at most 5000 characters.", field=field
        )
    return value.strip() or None


def clarification_deadline(value: Any, now: datetime) -> str:
    """Validate a clarification deadline: a date after today and within a year; return ISO."""
    day = as_date(value)
    if day is None:
        raise InvalidField(
            "not_date",
            "Angiv en frist som dato (ÅÅÅÅ-MM-DD).",
            "Give the deadline as a date (YYYY-MM-DD).",
            field="deadline",
        )
    today = now.date()
    if day <= today:
        raise InvalidField(
            "deadline_not_future",
            "Fristen skal ligge i fremtiden.",
            "The deadline must be in the future.",
            field="deadline",
        )
    if day > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise InvalidField(
            "deadline_too_far",
            "Fristen må højst ligge et år ude i fremtiden.",
            "The deadline may be at most a year ahead.",
            field="deadline",
        )
    return day.isoformat()
