"""GDPR: what is held about a person (name, email, role, language, ids, timestamps), export and erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registration.domain.errors import IllegalTransition
from registration.domain.facts import PERSON_ERASED, iso
from registration.domain.people import ERASED, Person

# Everything personal the registration service holds; the export and the erasure both follow it.
PERSONAL_FIELDS = ("name", "email", "role", "language")


@dataclass(frozen=True)
class Erasure:
    """What is kept of an erased person: ids, role and time, for the audit trail (no personal data)."""

    person_id: str
    library_id: str | None
    role: str
    erased_at: datetime


def export_person(person: Person) -> dict[str, Any]:
    """Return everything held about a person, as JSON-ready data (the password only as 'set or not')."""
    return {
        "person_id": person.person_id,
        "library_id": person.library_id,
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "language": person.language,
        "status": person.status,
        "password_set": person.password_hash is not None,
        "invited_by": person.invited_by,
        "created_at": iso(person.created_at),
        "activated_at": iso(person.activated_at),
        "deactivated_at": iso(person.deactivated_at),
        "reactivated_at": iso(person.reactivated_at),
        "updated_at": iso(person.updated_at),
        "erased_at": iso(person.erased_at),
    }


def erase(person: Person, now: datetime) -> Person:
    """Anonymise a person: drop name, email, password and tokens; keep the id for history.

    Erasure is a right, so the last-coordinator rule does not block it: the library is left
    without a coordinator until the programme invites a new one.
    """
    if person.status == ERASED:
        raise IllegalTransition("slette personen", "erase the person", person.status)
    person.name = None
    person.email = None
    person.password_hash = None
    person.invited_by = None
    person.tokens = []
    person.status = ERASED
    person.erased_at = person.updated_at = now
    # Only ids go on the bus: every consumer erases what it projected about this person.
    person._record(
        PERSON_ERASED, {"person_id": person.person_id, "library_id": person.library_id}, now, versioned=False
    )
    return person
