"""Who may see and do what: the tenant and role rules every command and query applies.

Library staff (coordinator, member) act for their own library only; programme staff (assessor,
administrator) for any. Something the caller may not see answers Hidden (it does not reveal that
it exists); something the caller may see but not change answers Forbidden. The `may_*` predicates
are the same rules as questions, for the actions an answer offers (domain.actions).
"""

from __future__ import annotations

from typing import Protocol

from registration.domain.errors import Forbidden, Hidden, PersonErased
from registration.domain.gdpr import Erasure
from registration.domain.library import Library
from registration.domain.people import Person
from shared.vocabulary import ADMINISTRATOR, COORDINATOR, PROGRAMME_ROLES, ROLES, STAFF_ROLES


class Actor(Protocol):
    """Who is asking: the identity the gateway signed (shared.identity.Identity fits)."""

    @property
    def person_id(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def library_id(self) -> str | None: ...


# -- the rules as questions ---------------------------------------------------------------------------


def is_programme_staff(actor: Actor) -> bool:
    return actor.role in PROGRAMME_ROLES


def may_act_for(actor: Actor, library_id: str | None) -> bool:
    """Library staff act for their own library only; programme staff for any."""
    if is_programme_staff(actor):
        return True
    return library_id is not None and actor.role in STAFF_ROLES and actor.library_id == library_id


def may_change_library(actor: Actor, library: Library) -> bool:
    """Its coordinator, or an administrator."""
    return may_act_for(actor, library.library_id) and actor.role in (ADMINISTRATOR, COORDINATOR)


def may_see_person(actor: Actor, person: Person) -> bool:
    """The person themselves, programme staff, or staff of the same library."""
    return actor.person_id == person.person_id or is_programme_staff(actor) or (
        person.library_id is not None and may_act_for(actor, person.library_id)
    )


def may_manage_person(actor: Actor, person: Person) -> bool:
    """Change the person's role or status: the coordinator of their library, or an administrator
    (programme staff are managed by administrators only)."""
    if actor.role == ADMINISTRATOR:
        return True
    return actor.role == COORDINATOR and person.library_id is not None and actor.library_id == person.library_id


def may_edit_profile(actor: Actor, person: Person) -> bool:
    """Change name and language: the person themselves, or an administrator."""
    return actor.person_id == person.person_id or actor.role == ADMINISTRATOR


def may_invite_to(actor: Actor, library_id: str | None) -> bool:
    """Coordinators invite to their own library; administrators to any, or to the programme staff."""
    if actor.role == ADMINISTRATOR:
        return True
    return actor.role == COORDINATOR and library_id is not None and library_id == actor.library_id


# -- the rules as guards (raise Hidden or Forbidden) -----------------------------------------------------


def signed_in(actor: Actor) -> None:
    if actor.role not in ROLES:
        raise Forbidden("se dette uden at være logget ind", "see this without signing in")


def programme_staff(actor: Actor) -> None:
    if not is_programme_staff(actor):
        raise Forbidden("se alle biblioteker", "list every library")


def administrator(actor: Actor, what_da: str, what_en: str) -> None:
    if actor.role != ADMINISTRATOR:
        raise Forbidden(what_da, what_en)


def see_library(actor: Actor, library: Library | None) -> Library:
    """Return the library if the caller may see it; otherwise Hidden."""
    if library is None or not may_act_for(actor, library.library_id):
        raise Hidden("library")
    return library


def change_library(actor: Actor, library: Library | None) -> Library:
    """Return the library if the caller may change it (its coordinator, or an administrator)."""
    seen = see_library(actor, library)
    if not may_change_library(actor, seen):
        raise Forbidden("ændre biblioteket", "change the library")
    return seen


def see_person(actor: Actor, person: Person | None) -> Person:
    """Return the person if the caller may see them; otherwise Hidden."""
    if person is None or not may_see_person(actor, person):
        raise Hidden("person")
    return person


def manage_person(actor: Actor, person: Person | None) -> Person:
    """Return the person if the caller may change their role or status."""
    seen = see_person(actor, person)
    if not may_manage_person(actor, seen):
        raise Forbidden("ændre personens rolle eller status", "change the person's role or status")
    return seen


def edit_profile(actor: Actor, person: Person | None) -> Person:
    """Return the person if the caller may change their name or language."""
    seen = see_person(actor, person)
    if not may_edit_profile(actor, seen):
        raise Forbidden("ændre en andens profil", "change someone else's profile")
    return seen


def export_person(actor: Actor, person: Person | None) -> Person:
    """Return the person if the caller may export their data (GDPR access): self or administrator."""
    seen = see_person(actor, person)
    if actor.person_id != seen.person_id and actor.role != ADMINISTRATOR:
        raise Forbidden("eksportere en andens data", "export someone else's data")
    return seen


def erased_person(actor: Actor, erasure: Erasure | None) -> None:
    """Refuse to act on an erased person: PersonErased for who could have managed them, Hidden
    for anyone else (who learns nothing, not even that the id was erased)."""
    if erasure is None:
        raise Hidden("person")
    if actor.role == ADMINISTRATOR or (
        actor.role == COORDINATOR and erasure.library_id is not None and actor.library_id == erasure.library_id
    ):
        raise PersonErased()
    raise Hidden("person")


def invite_to(actor: Actor, library_id: str | None) -> str | None:
    """Return the library an invitation goes to: coordinators invite to their own library,
    administrators to any library or (library_id None) to the programme staff."""
    if actor.role == ADMINISTRATOR:
        return library_id
    if actor.role == COORDINATOR:
        target = library_id or actor.library_id
        if target != actor.library_id:
            raise Hidden("library")
        return target
    if library_id is not None and not may_act_for(actor, library_id):
        raise Hidden("library")
    raise Forbidden("invitere personer", "invite people")
