"""Who is acting, and what their role lets them do to a library's documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Forbidden

COORDINATOR, MEMBER, ASSESSOR, ADMINISTRATOR = "coordinator", "member", "assessor", "administrator"
ROLES: tuple[str, ...] = (COORDINATOR, MEMBER, ASSESSOR, ADMINISTRATOR)
STAFF_ROLES = (COORDINATOR, MEMBER)


@dataclass(frozen=True)
class Actor:
    """The authenticated person: id, role, their library (staff only), and name/email for records."""

    person_id: str
    role: str
    library_id: str | None = None
    name: str | None = None
    email: str | None = None

    @classmethod
    def of(cls, identity: Actor | Mapping[str, Any]) -> Actor:
        """Accept an Actor or the gateway's identity mapping `{person_id, role, library_id, ...}`."""
        if isinstance(identity, Actor):
            actor = identity
        else:
            actor = cls(
                person_id=str(identity.get("person_id") or ""),
                role=str(identity.get("role") or ""),
                library_id=identity.get("library_id"),
                name=identity.get("name"),
                email=identity.get("email"),
            )
        if not actor.person_id or actor.role not in ROLES:
            raise Forbidden(
                "unknown_identity",
                "Ukendt bruger eller rolle.",
                "Unknown person or role.",
            )
        return actor

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def ref(self) -> dict:
        """Return how the actor is recorded in audit trails, threads and events."""
        return {"person_id": self.person_id, "name": self.name, "role": self.role}

    def person(self) -> dict:
        """Return the contact record used for `submitted_by` (notification mails this person)."""
        return {"person_id": self.person_id, "name": self.name, "email": self.email}


def require_staff_of(actor: Actor, library_id: str | None, doing_da: str, doing_en: str) -> None:
    """Allow only coordinators and members of the owning library."""
    if not (actor.is_staff and actor.library_id and actor.library_id == library_id):
        raise Forbidden(
            "not_library_staff",
            f"Kun bibliotekets egne medarbejdere kan {doing_da}.",
            f"Only the library's own staff can {doing_en}.",
        )


def require_assessor(actor: Actor, doing_da: str, doing_en: str) -> None:
    """Allow only assessors."""
    if actor.role != ASSESSOR:
        raise Forbidden(
            "not_assessor",
            f"Kun en bedømmer kan {doing_da}.",
            f"Only an assessor can {doing_en}.",
        )


def can_view(doc: Mapping[str, Any], identity: Actor | Mapping[str, Any]) -> bool:
    """Tell whether a person may read a document: own library's staff, assessors, administrators."""
    actor = Actor.of(identity)
    if actor.role in (ASSESSOR, ADMINISTRATOR):
        return True
    return actor.library_id is not None and actor.library_id == doc.get("library_id")


def is_publicly_visible(item: Mapping[str, Any]) -> bool:
    """Tell whether the public directory may show an item: marked public and approved."""
    return bool(item.get("public")) and item.get("status") == "approved"
