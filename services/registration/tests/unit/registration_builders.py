"""Builders shared by the registration unit tests (a unique module name: every service has a conftest)."""

from __future__ import annotations

from datetime import UTC, datetime

from registration.domain import Library, Person, accept_invitation, confirm_email, invite_person, register_library

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

FORM = {
    "name": "Ballerup Bibliotekerne",
    "municipality": "ballerup",
    "kind": "folkebibliotek",
    "isil": "DK-900001",
    "staff_count": 45,
    "website": "https://ballerup.bib.example",
    "branches": ["Skovlunde Bibliotek", "Måløv Bibliotek"],
    "coordinator_name": "Mette Hansen",
    "coordinator_email": "Mette.Hansen@Ballerup.example",
    "coordinator_language": "da",
    "password": "grøn omstilling på biblioteket",
}


def registered(**overrides):
    """Return a fresh Registration (pending library and coordinator) with a known token."""
    return register_library(
        {**FORM, **overrides},
        "argon2-hash",
        NOW,
        isil_taken_by=None,
        people_with_email=[],
        token="confirm-token",
    )


def active_library_with_coordinator() -> tuple[Library, Person]:
    """Return an active library and its active coordinator, events drained."""
    reg = registered()
    confirm_email(reg.coordinator, reg.library, "confirm-token", NOW)
    reg.library.events.clear()
    reg.coordinator.events.clear()
    return reg.library, reg.coordinator


def active_member(
    library: Library, inviter: Person, email: str = "ole@ballerup.example", role: str = "member"
) -> Person:
    """Invite and activate a colleague in the library."""
    inv = invite_person(
        email=email,
        role=role,
        library=library,
        inviter=inviter,
        people_with_email=[],
        now=NOW,
        name="Ole Jensen",
        token=f"invite-{email}",
    )
    accept_invitation(inv.person, library, f"invite-{email}", "hash", NOW)
    inv.person.events.clear()
    return inv.person
