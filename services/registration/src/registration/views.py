"""Registration's read-only queries: each checks that the caller may see what they ask for (the
domain's access rules) and returns plain data shaped like its response schema, with the `actions`
the caller may take on each resource."""

from __future__ import annotations

from typing import Any, TypeAlias

from registration.domain import access, gdpr
from registration.domain.actions import branch_actions, cohort_actions, library_actions, person_actions
from registration.domain.cohorts import Cohort, Enrolment
from registration.domain.errors import Hidden
from registration.domain.library import Branch, Library
from registration.domain.people import Person
from registration.domain.reference import municipalities as municipality_names
from registration.store import Repositories
from shared.uow import UnitOfWork

Uow: TypeAlias = UnitOfWork[Repositories]

_PERSON_FIELDS = ("person_id", "library_id", "name", "email", "role", "status", "language", "invited_by",
                  "created_at", "activated_at", "deactivated_at", "reactivated_at", "updated_at", "version")
_LIBRARY_FIELDS = ("library_id", "name", "isil", "municipality", "kind", "staff_count", "website", "address",
                   "status", "origin", "registered_at", "activated_at", "withdrawn_at", "updated_at", "version")


def _person(person: Person, actor: access.Actor, colleagues: list[Person]) -> dict[str, Any]:
    return {**{name: getattr(person, name) for name in _PERSON_FIELDS},
            "actions": person_actions(person, actor, colleagues)}


def _branch(library: Library, branch: Branch, actor: access.Actor) -> dict[str, Any]:
    return {"branch_id": branch.branch_id, "library_id": library.library_id, "name": branch.name,
            "isil": branch.isil, "address": branch.address, "municipality": branch.municipality,
            "status": branch.status,
            "opened_at": branch.opened_at, "closed_at": branch.closed_at,
            "actions": branch_actions(library, branch, actor)}


def _library(library: Library, enrolment: Enrolment | None, actor: access.Actor) -> dict[str, Any]:
    return {**{name: getattr(library, name) for name in _LIBRARY_FIELDS},
            "branches": [_branch(library, b, actor) for b in library.branches],
            "enrolment": enrolment, "actions": library_actions(library, enrolment, actor)}


def _cohort(cohort: Cohort, actor: access.Actor) -> dict[str, Any]:
    return {"cohort_id": cohort.cohort_id, "name": cohort.name, "start_year": cohort.start_year,
            "end_year": cohort.end_year, "state": cohort.state, "actions": cohort_actions(cohort, actor)}


# -- people --------------------------------------------------------------------------------------------


def person(person_id: str, actor: access.Actor, uow: Uow) -> dict[str, Any]:
    """A person: for themselves, programme staff, or staff of the same library."""
    found = access.see_person(actor, uow.repos.people.get(person_id))
    # Whether this is the library's last active coordinator decides what a manager may do.
    needs_colleagues = found.library_id and found.is_active_coordinator and access.may_manage_person(actor, found)
    colleagues = uow.repos.people.of_library(found.library_id) if needs_colleagues and found.library_id else []
    return _person(found, actor, colleagues)


def people_of_library(library_id: str, actor: access.Actor, uow: Uow) -> dict[str, Any]:
    """The people of a library, any status: for its staff and programme staff."""
    access.see_library(actor, uow.repos.libraries.get(library_id))
    everyone = uow.repos.people.of_library(library_id)
    return {"items": [_person(p, actor, everyone) for p in everyone]}


def export_person(person_id: str, actor: access.Actor, uow: Uow) -> dict[str, Any]:
    """Everything held about a person (GDPR access): for the person, or an administrator."""
    found = access.export_person(actor, uow.repos.people.get(person_id))
    library = uow.repos.libraries.get(found.library_id) if found.library_id else None
    return {**gdpr.export_person(found), "library_name": library.name if library else None}


# -- libraries -----------------------------------------------------------------------------------------


def libraries(actor: access.Actor, uow: Uow, *, status: str | None = None, municipality: str | None = None,
              cohort_id: str | None = None) -> dict[str, Any]:
    """Every library matching the filters (programme staff), with its active enrolment."""
    access.programme_staff(actor)
    ids = uow.repos.enrolments.library_ids_in_cohort(cohort_id) if cohort_id else None
    found = uow.repos.libraries.find(status=status, municipality=municipality, library_ids=ids)
    enrolments = uow.repos.enrolments.active_of_many([lib.library_id for lib in found])
    items = [_library(lib, enrolments.get(lib.library_id), actor) for lib in found]
    return {"items": items, "total": len(items)}


def library(library_id: str, actor: access.Actor, uow: Uow) -> dict[str, Any]:
    """A library with its branches and active enrolment: for its staff and programme staff."""
    found = access.see_library(actor, uow.repos.libraries.get(library_id))
    return _library(found, uow.repos.enrolments.active_of(library_id), actor)


def branch(library_id: str, branch_id: str, actor: access.Actor, uow: Uow) -> dict[str, Any]:
    """One of a library's branches."""
    found = access.see_library(actor, uow.repos.libraries.get(library_id))
    return _branch(found, found.branch(branch_id), actor)


def branches(library_id: str, actor: access.Actor, uow: Uow) -> dict[str, Any]:
    """A library's branches, open ones first, each by name."""
    found = access.see_library(actor, uow.repos.libraries.get(library_id))
    ordered = sorted(found.branches, key=lambda b: (b.status != "open", b.name.casefold()))
    return {"library_id": library_id, "branches": [_branch(found, b, actor) for b in ordered],
            "actions": ["add_branch"] if "add_branch" in library_actions(found, None, actor) else []}


def enrolment(library_id: str, actor: access.Actor, uow: Uow) -> Enrolment:
    """A library's active enrolment."""
    access.see_library(actor, uow.repos.libraries.get(library_id))
    current = uow.repos.enrolments.active_of(library_id)
    if current is None:
        raise Hidden("enrolment")
    return current


# -- cohorts and reference data ------------------------------------------------------------------------


def cohorts(actor: access.Actor, uow: Uow) -> dict[str, Any]:
    """Every cohort (anyone signed in)."""
    access.signed_in(actor)
    return {"items": [_cohort(cohort, actor) for cohort in uow.repos.cohorts.all()]}


def cohort(cohort_id: str, actor: access.Actor, uow: Uow) -> dict[str, Any]:
    """One cohort (anyone signed in)."""
    access.signed_in(actor)
    found = uow.repos.cohorts.get(cohort_id)
    if found is None:
        raise Hidden("cohort")
    return _cohort(found, actor)


def municipalities() -> dict[str, Any]:
    """The 98 Danish municipalities, official spelling."""
    return {"items": list(municipality_names())}
