"""Who is acting, and what their role lets them see and do to a library's documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from shared.vocabulary import ADMINISTRATOR, ASSESSOR, PROGRAMME_ROLES, ROLES, STAFF_ROLES

from .errors import Forbidden, NotFound
from .model import Contact, PersonRef

T = TypeVar("T")


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
        """Accept an Actor or an identity mapping `{person_id, role, library_id, ...}`."""
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
            raise Forbidden("unknown_identity", "Ukendt bruger eller rolle.", "Unknown person or role.")
        return actor

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_assessor(self) -> bool:
        return self.role == ASSESSOR

    def is_staff_of(self, library_id: str | None) -> bool:
        """Tell whether the actor is a coordinator or member of that library."""
        return self.is_staff and self.library_id is not None and self.library_id == library_id

    def may_see_library(self, library_id: str | None) -> bool:
        """Library staff see their own library only; the programme's people see every library."""
        return self.role in PROGRAMME_ROLES or self.is_staff_of(library_id)

    def ref(self) -> PersonRef:
        """Return how the actor is recorded in audit trails, threads and events."""
        return PersonRef(self.person_id, self.name, self.role)

    def contact(self) -> Contact:
        """Return the contact record used for `submitted_by` (notification mails this person)."""
        return Contact(self.person_id, self.name, self.email)


def require_staff_of(actor: Actor, library_id: str | None, doing_da: str, doing_en: str) -> str:
    """Allow only coordinators and members of the owning library; return that library's id."""
    if library_id is None or not actor.is_staff_of(library_id):
        raise Forbidden(
            "not_library_staff",
            f"Kun bibliotekets egne medarbejdere kan {doing_da}.",
            f"Only the library's own staff can {doing_en}.",
        )
    return library_id


def require_assessor(actor: Actor, doing_da: str, doing_en: str) -> None:
    """Allow only assessors."""
    if not actor.is_assessor:
        raise Forbidden(
            "not_assessor",
            f"Kun en bedømmer kan {doing_da}.",
            f"Only an assessor can {doing_en}.",
        )


def require_programme_staff(actor: Actor, doing_da: str, doing_en: str) -> None:
    """Allow only assessors and administrators."""
    if actor.role not in (ASSESSOR, ADMINISTRATOR):
        raise Forbidden("not_assessor", f"Kun bedømmere {doing_da}.", f"Only assessors {doing_en}.")


def require_library_visible(actor: Actor, library_id: str) -> None:
    """Answer another library's staff exactly as for a library that does not exist (404)."""
    if not actor.may_see_library(library_id):
        raise NotFound("library_not_found", "Biblioteket findes ikke.", "The library does not exist.")


def visible(doc: T | None, actor: Actor, what_da: str, what_en: str) -> T:
    """The document if the actor may read it; else NotFound, exactly as for a missing one."""
    if doc is None or not actor.may_see_library(getattr(doc, "library_id", None)):
        raise NotFound("not_found", f"{what_da} findes ikke.", f"{what_en} does not exist.")
    return doc


def visible_item(item: T | None, actor: Actor) -> T:
    """The item if the actor may see it; another library's item is answered as a missing one."""
    return visible(item, actor, "Bidraget", "The evidence")


def visible_plan(plan: T | None, actor: Actor, library_id: str) -> T:
    """The library's action plan if the actor may see the library and it has a plan."""
    require_library_visible(actor, library_id)
    return visible(plan, actor, "Handleplanen", "The action plan")


def existing_case(case: T | None) -> T:
    """A shared case (any signed-in person may read it), or NotFound."""
    if case is None:
        raise NotFound("not_found", "Den delte erfaring findes ikke.", "The shared case does not exist.")
    return case
