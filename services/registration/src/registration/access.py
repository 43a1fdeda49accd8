"""Who may see and do what: the service-side tenant check on every call.

Library staff (coordinator, member) act for their own library only; programme staff (assessor,
administrator) for any. Something the caller may not see answers 404 (it does not reveal that it
exists); something the caller may see but not change answers 403.
"""

from __future__ import annotations

from registration.domain import Library, Person
from registration.domain.errors import NotFound, PersonErased, RegistrationError
from shared.identity import Identity

ADMINISTRATOR, ASSESSOR, COORDINATOR, MEMBER = "administrator", "assessor", "coordinator", "member"


class Hidden(NotFound):
    """The thing does not exist, or the caller may not know that it does."""

    code = "not_found"

    def __init__(self, what: str = "resource") -> None:
        super().__init__("Findes ikke.", "Not found.", field=None)
        self.what = what


class Forbidden(RegistrationError):
    code = "forbidden"
    kind = "forbidden"

    def __init__(self, what_da: str, what_en: str) -> None:
        super().__init__(f"Du har ikke adgang til at {what_da}.", f"You are not allowed to {what_en}.")


def signed_in(identity: Identity) -> None:
    if identity.role not in (ADMINISTRATOR, ASSESSOR, COORDINATOR, MEMBER):
        raise Forbidden("se dette uden at være logget ind", "see this without signing in")


def programme_staff(identity: Identity, what_da: str = "se alle biblioteker", what_en: str = "list every library") -> None:
    if not identity.is_programme_staff:
        raise Forbidden(what_da, what_en)


def administrator(identity: Identity, what_da: str, what_en: str) -> None:
    if identity.role != ADMINISTRATOR:
        raise Forbidden(what_da, what_en)


def see_library(identity: Identity, library: Library | None) -> Library:
    """Return the library if the caller may see it; otherwise 404."""
    if library is None or not identity.may_act_for(library.library_id):
        raise Hidden("library")
    return library


def change_library(identity: Identity, library: Library | None) -> Library:
    """Return the library if the caller may change it (its coordinator, or an administrator)."""
    see_library(identity, library)
    if identity.role not in (ADMINISTRATOR, COORDINATOR):
        raise Forbidden("ændre biblioteket", "change the library")
    return library  # type: ignore[return-value]


def see_person(identity: Identity, person: Person | None) -> Person:
    """Return the person if the caller is that person, programme staff, or staff of the same library."""
    if person is None:
        raise Hidden("person")
    if identity.person_id == person.person_id or identity.is_programme_staff:
        return person
    if person.library_id is not None and identity.may_act_for(person.library_id):
        return person
    raise Hidden("person")


def manage_person(identity: Identity, person: Person | None) -> Person:
    """Return the person if the caller may change their role or status (coordinator of their
    library, or an administrator; programme staff are managed by administrators only)."""
    see_person(identity, person)
    assert person is not None
    if identity.role == ADMINISTRATOR:
        return person
    if identity.role == COORDINATOR and person.library_id is not None and identity.library_id == person.library_id:
        return person
    raise Forbidden("ændre personens rolle eller status", "change the person's role or status")


def erased_person(identity: Identity, tombstone: dict | None) -> None:
    """Refuse to act on an erased person: 409 for who could have managed them, 404 for anyone else."""
    if tombstone is None:
        raise Hidden("person")
    library_id = tombstone.get("library_id")
    if identity.role == ADMINISTRATOR or (
        identity.role == COORDINATOR and library_id is not None and identity.library_id == library_id
    ):
        raise PersonErased()
    raise Hidden("person")


def edit_profile(identity: Identity, person: Person | None) -> Person:
    """Return the person if the caller may change their name or language (self or administrator)."""
    see_person(identity, person)
    assert person is not None
    if identity.person_id == person.person_id or identity.role == ADMINISTRATOR:
        return person
    raise Forbidden("ændre en andens profil", "change someone else's profile")


def invite_to(identity: Identity, library_id: str | None) -> str | None:
    """Return the library an invitation goes to: coordinators invite to their own library,
    administrators to any library or (library_id None) to the programme staff."""
    if identity.role == ADMINISTRATOR:
        return library_id
    if identity.role == COORDINATOR:
        target = library_id or identity.library_id
        if target != identity.library_id:
            raise Hidden("library")
        return target
    if library_id is not None and not identity.may_act_for(library_id):
        raise Hidden("library")
    raise Forbidden("invitere personer", "invite people")
