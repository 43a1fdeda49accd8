"""The review lifecycle shared by evidence items and action plans.

One counter, `revision`, is bumped by every write. It is both the optimistic-concurrency token
(every change presents the revision it is based on) and the ordering guard carried by every event
(consumers ignore an event whose revision is not newer than the last one they applied).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .errors import Conflict, EvidenceError, InvalidField
from .identity import Actor
from .values import as_date

DRAFT, SUBMITTED, CLARIFICATION, APPROVED, REJECTED, WITHDRAWN = (
    "draft",
    "submitted",
    "clarification_requested",
    "approved",
    "rejected",
    "withdrawn",
)
STATUSES: tuple[str, ...] = (DRAFT, SUBMITTED, CLARIFICATION, APPROVED, REJECTED, WITHDRAWN)
STATUS_LABELS = {
    DRAFT: ("kladde", "draft"),
    SUBMITTED: ("indsendt", "submitted"),
    CLARIFICATION: ("afventer uddybning", "awaiting clarification"),
    APPROVED: ("godkendt", "approved"),
    REJECTED: ("afvist", "rejected"),
    WITHDRAWN: ("trukket tilbage", "withdrawn"),
}
ACTION_LABELS = {
    "create": ("oprette", "create"),
    "edit": ("redigere", "edit"),
    "submit": ("indsende", "submit"),
    "withdraw": ("trække tilbage", "withdraw"),
    "review": ("bedømme", "review"),
    "answer": ("besvare", "answer"),
    "message": ("skrive i tråden til", "post to the thread of"),
    "attach": ("vedhæfte filer til", "attach files to"),
    "share": ("dele", "share"),
}
MAX_DEADLINE_DAYS = 365


@dataclass(frozen=True)
class DomainEvent:
    """An event to put in the outbox in the same write as the document: routing key and payload."""

    type: str
    payload: dict


@dataclass
class Outcome:
    """What a command produced: the new document, its events, and (drafts) fields left unsaved."""

    doc: dict
    events: list[DomainEvent] = field(default_factory=list)
    problems: list[EvidenceError] = field(default_factory=list)


def check_revision(doc: Mapping[str, Any], based_on: int | None) -> None:
    """Refuse a change based on an older (or missing) revision than the stored one."""
    current = doc.get("revision", 0)
    if based_on != current:
        raise Conflict(
            "stale_revision",
            f"Dokumentet er ændret af en anden i mellemtiden (du redigerede version {based_on}, "
            f"den aktuelle er {current}). Hent det igen og prøv på ny.",
            f"The document was changed in the meantime (you edited revision {based_on}, "
            f"the current one is {current}). Reload it and try again.",
            field="revision",
        )


def check_state(doc: Mapping[str, Any], allowed: Iterable[str], action: str) -> None:
    """Refuse a transition that is not allowed from the document's current status."""
    status = doc.get("status", DRAFT)
    if status not in allowed:
        da_status, en_status = STATUS_LABELS.get(status, (status, status))
        da_action, en_action = ACTION_LABELS.get(action, (action, action))
        error = Conflict(
            "illegal_transition",
            f"Kan ikke {da_action} dokumentet, fordi det er {da_status} ({status}).",
            f"Cannot {en_action} the document because it is {en_status} ({status}).",
            field="status",
        )
        error.current_state = status  # named in the 409 answer so a client can show it
        raise error


def advance(
    doc: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
    action: str,
    status: str | None = None,
    changed: Iterable[str] = (),
    note: str | None = None,
) -> dict:
    """Return a copy of `doc` with a new revision, status and one appended audit entry."""
    new = copy.deepcopy(dict(doc))
    before = new.get("status", DRAFT)
    new["revision"] = new.get("revision", 0) + 1
    new["status"] = status or before
    new["updated_at"] = now
    entry = {
        "at": now,
        "action": action,
        "by": actor.ref(),
        "revision": new["revision"],
        "from_status": before,
        "to_status": new["status"],
        "changed": sorted(changed),
    }
    if note:
        entry["note"] = note
    new.setdefault("audit", []).append(entry)
    return new


def thread_message(actor: Actor, text: str, now: datetime, *, deadline: str | None = None) -> dict:
    """Build one clarification-thread message."""
    message = {"at": now, "by": actor.ref(), "side": "assessor" if actor.role == "assessor" else "library"}
    message["text"] = text
    if deadline:
        message["deadline"] = deadline
    return message


def message_text(value: Any, field: str = "message") -> str:
    """Validate a thread message (1..5000 characters)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidField("required", "Skriv en besked.", "Write a message.", field=field)
    if len(value.strip()) > 5000:
        raise InvalidField(
            "too_long", "Beskeden må højst være 5000 tegn.", "The message may be at most 5000 characters.", field=field
        )
    return value.strip()


def optional_text(field: str, value: Any) -> str | None:
    """Validate an optional free-text note (up to 5000 characters); blank means none."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value.strip()) > 5000:
        raise InvalidField(
            "bad_text", "Teksten må højst være 5000 tegn.", "The text may be at most 5000 characters.", field=field
        )
    return value.strip() or None


def clarification_deadline(value: Any, now: datetime) -> str:
    """Validate a clarification deadline: a date after today and within a year; return ISO."""
    value = as_date(value)
    if value is None:
        raise InvalidField(
            "not_date",
            "Angiv en frist som dato (ÅÅÅÅ-MM-DD).",
            "Give the deadline as a date (YYYY-MM-DD).",
            field="deadline",
        )
    today = now.date()
    if value <= today:
        raise InvalidField(
            "deadline_not_future",
            "Fristen skal ligge i fremtiden.",
            "The deadline must be in the future.",
            field="deadline",
        )
    if value > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise InvalidField(
            "deadline_too_far",
            "Fristen må højst ligge et år ude i fremtiden.",
            "The deadline may be at most a year ahead.",
            field="deadline",
        )
    return value.isoformat()
