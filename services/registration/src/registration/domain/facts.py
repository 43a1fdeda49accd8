"""Facts: what the domain reports happened, as event type names and JSON-ready payloads.

The payload shapes are declared in shared.events.registration; handlers put facts in the outbox
with the same write as the state change, and shared.events validates them on publish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

LIBRARY_REGISTERED = "library.registered"
LIBRARY_ACTIVATED = "library.activated"
LIBRARY_UPDATED = "library.updated"
LIBRARY_WITHDRAWN = "library.withdrawn"
BRANCH_ADDED = "branch.added"
BRANCH_CHANGED = "branch.changed"
PERSON_INVITED = "person.invited"
PERSON_JOINED = "person.joined"
PERSON_ROLE_CHANGED = "person.role_changed"
PERSON_PROFILE_CHANGED = "person.profile_changed"
PERSON_DEACTIVATED = "person.deactivated"
PERSON_REACTIVATED = "person.reactivated"
PERSON_ERASED = "person.erased"
PERSON_PASSWORD_RESET_REQUESTED = "person.password_reset_requested"
PERSON_EMAIL_CONFIRMATION_REQUESTED = "person.email_confirmation_requested"
ENROLMENT_STARTED = "enrolment.started"
ENROLMENT_WITHDRAWN = "enrolment.withdrawn"
COHORT_CREATED = "cohort.created"
COHORT_UPDATED = "cohort.updated"


@dataclass(frozen=True)
class Fact:
    """Something that happened: an event type (the routing key) and its payload."""

    type: str
    payload: dict[str, Any]
    occurred_at: datetime


def iso(moment: datetime | None) -> str | None:
    """Render an aware datetime as an ISO 8601 UTC string for a payload."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat()


def require_aware(now: datetime) -> datetime:
    """Refuse naive datetimes: every timestamp in this domain is UTC-aware."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the clock must give timezone-aware datetimes")
    return now


@dataclass
class Aggregate:
    """Base for aggregates: a version for consumers' order guards and the facts not yet stored."""

    version: int = field(default=0, kw_only=True)
    events: list[Fact] = field(default_factory=list, kw_only=True, repr=False, compare=False)
    # The version it had when it was loaded (None: never stored). A repository saves only over
    # that version, so a concurrent change is refused instead of silently overwritten.
    stored_version: int | None = field(default=None, kw_only=True, repr=False, compare=False)

    def _record(self, type_: str, payload: dict[str, Any], now: datetime, *, versioned: bool = True) -> Fact:
        """Bump the version and record a fact; the payload carries the new version."""
        self.version += 1
        if versioned:
            payload = {**payload, "version": self.version}
        fact = Fact(type_, payload, require_aware(now))
        self.events.append(fact)
        return fact


def collect_events(*aggregates: Aggregate) -> list[Fact]:
    """Drain and return the facts recorded on the given aggregates, oldest aggregate first."""
    facts: list[Fact] = []
    for aggregate in aggregates:
        facts.extend(aggregate.events)
        aggregate.events.clear()
    return facts
