"""Named recipient selectors: who receives the mail of one event.

A selector reads the event payload and the recipients projection and returns recipients in a
stable order, without duplicates. Nobody erased is ever selected, even when a (late) payload still
carries their address; nobody deactivated is selected for library mail. Libraries that have
withdrawn get no programme mail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from notification.domain.recipients import (
    WITHDRAWN,
    Scope,
    active_people,
    default_prefs,
    is_erased,
    language_of,
    library_status,
)
from shared.vocabulary import ASSESSOR, COORDINATOR

Payload = Mapping[str, Any]
StateView = Mapping[str, Any]


@dataclass(frozen=True)
class Recipient:
    """One person to mail, with the language and preferences the projection knows."""

    person_id: str
    name: str
    email: str
    language: str
    prefs: Mapping[str, Any] = field(default_factory=default_prefs)


@dataclass(frozen=True)
class Selector:
    """A named rule picking recipients; the name appears in the README routing table.

    `scope` says which part of the projection `pick` reads, so the consumer loads only that.
    """

    name: str
    description: str
    pick: Callable[[Payload, StateView], list[Recipient]]
    scope: Callable[[Payload], Scope]

    def __call__(self, payload: Payload, state: StateView) -> list[Recipient]:
        return _unique(self.pick(payload, state))


def _unique(recipients: Iterable[Recipient]) -> list[Recipient]:
    seen: set[str] = set()
    unique = []
    for recipient in recipients:
        if recipient.person_id in seen or not recipient.email:
            continue
        seen.add(recipient.person_id)
        unique.append(recipient)
    return unique


def _from_state(person_id: str, person: Mapping[str, Any]) -> Recipient:
    return Recipient(
        person_id=person_id,
        name=person.get("name", ""),
        email=person.get("email", ""),
        language=language_of(person.get("language")),
        prefs=dict(person.get("prefs") or default_prefs()),
    )


def _from_payload(person: Mapping[str, Any] | None, state: StateView) -> list[Recipient]:
    """Build a recipient from a person embedded in a payload, completed by the projection."""
    if not person or not person.get("person_id") or is_erased(state, person["person_id"]):
        return []
    known = state.get("people", {}).get(person["person_id"], {})
    return [
        Recipient(
            person_id=person["person_id"],
            name=person.get("name") or known.get("name", ""),
            email=person.get("email") or known.get("email", ""),
            language=language_of(person.get("language") or known.get("language")),
            prefs=dict(known.get("prefs") or default_prefs()),
        )
    ]


def _active_member(person: Recipient, state: StateView) -> bool:
    known = state.get("people", {}).get(person.person_id)
    # Someone the projection has not heard of yet still gets their own receipt.
    return known is None or bool(known.get("active"))


def _library_open(payload: Payload, state: StateView) -> bool:
    return library_status(state, payload.get("library_id")) != WITHDRAWN


def _coordinators(library_id: str | None, state: StateView) -> list[Recipient]:
    return [
        _from_state(pid, person)
        for pid, person in active_people(state)
        if person.get("role") == COORDINATOR and person.get("library_id") == library_id
    ]


def _registering_coordinator(payload: Payload, state: StateView) -> list[Recipient]:
    return _from_payload(payload.get("coordinator"), state)


def _person(payload: Payload, state: StateView) -> list[Recipient]:
    return _from_payload(payload, state)


def _reactivated_person(payload: Payload, state: StateView) -> list[Recipient]:
    # Read after the reactivation was projected: if a later deactivation overtook it (events may
    # arrive out of order), the person is not active and must not be told their access is back.
    known = state.get("people", {}).get(payload.get("person_id"))
    if not known or not known.get("active"):
        return []
    return _from_payload(payload, state)


def _submitter(payload: Payload, state: StateView) -> list[Recipient]:
    # evidence.clarification_requested names the submitter in `submitter` too; either will do.
    person = payload.get("submitted_by") or payload.get("submitter")
    return [r for r in _from_payload(person, state) if _active_member(r, state)]


def _library_coordinators(payload: Payload, state: StateView) -> list[Recipient]:
    if not _library_open(payload, state):
        return []
    return _coordinators(payload.get("library_id"), state)


def _submitter_and_coordinators(payload: Payload, state: StateView) -> list[Recipient]:
    if not _library_open(payload, state):
        return []
    return _submitter(payload, state) + _coordinators(payload.get("library_id"), state)


def _library_active_staff(payload: Payload, state: StateView) -> list[Recipient]:
    if not _library_open(payload, state):
        return []
    return [
        _from_state(pid, person)
        for pid, person in active_people(state)
        if person.get("library_id") == payload.get("library_id")
    ]


def _all_assessors(payload: Payload, state: StateView) -> list[Recipient]:
    return [_from_state(pid, p) for pid, p in active_people(state) if p.get("role") == ASSESSOR]


def _all_coordinators(payload: Payload, state: StateView) -> list[Recipient]:
    return [
        _from_state(pid, person)
        for pid, person in active_people(state)
        if person.get("role") == COORDINATOR and library_status(state, person.get("library_id")) != WITHDRAWN
    ]


# -- what each selector reads ----------------------------------------------------------------------


def _person_id(person: Any) -> Any:
    return person.get("person_id") if isinstance(person, Mapping) else None


def _registering_coordinator_scope(payload: Payload) -> Scope:
    return Scope.of(person_ids=[_person_id(payload.get("coordinator"))])


def _person_scope(payload: Payload) -> Scope:
    return Scope.of(person_ids=[payload.get("person_id")])


def _submitter_scope(payload: Payload) -> Scope:
    return Scope.of(person_ids=[_person_id(payload.get("submitted_by")), _person_id(payload.get("submitter"))])


def _library_coordinators_scope(payload: Payload) -> Scope:
    library_id = payload.get("library_id")
    return Scope.of(library_ids=[library_id], staff=[(library_id, COORDINATOR)])


def _submitter_and_coordinators_scope(payload: Payload) -> Scope:
    return _submitter_scope(payload) | _library_coordinators_scope(payload)


def _library_active_staff_scope(payload: Payload) -> Scope:
    library_id = payload.get("library_id")
    return Scope.of(library_ids=[library_id], staff=[(library_id, None)])


def _all_assessors_scope(payload: Payload) -> Scope:
    return Scope.of(roles=[ASSESSOR])


def _all_coordinators_scope(payload: Payload) -> Scope:
    # Their libraries too: coordinators of a withdrawn library are skipped.
    return Scope.of(roles=[COORDINATOR], their_libraries=True)


REGISTERING_COORDINATOR = Selector(
    "registering_coordinator",
    "the coordinator named in the registration payload",
    _registering_coordinator,
    _registering_coordinator_scope,
)
INVITEE = Selector("invitee", "the invited person named in the payload", _person, _person_scope)
PERSON = Selector("person", "the person named in the payload", _person, _person_scope)
REACTIVATED_PERSON = Selector(
    "reactivated_person",
    "the person named in the payload, if still active once the event is projected",
    _reactivated_person,
    _person_scope,
)
SUBMITTER = Selector("submitter", "the person who submitted the evidence item", _submitter, _submitter_scope)
LIBRARY_COORDINATORS = Selector(
    "library_coordinators", "active coordinators of the library", _library_coordinators, _library_coordinators_scope
)
SUBMITTER_AND_COORDINATORS = Selector(
    "submitter_and_coordinators",
    "the submitter and the active coordinators of the library, each once",
    _submitter_and_coordinators,
    _submitter_and_coordinators_scope,
)
LIBRARY_ACTIVE_STAFF = Selector(
    "library_active_staff", "every active person of the library", _library_active_staff, _library_active_staff_scope
)
ALL_ASSESSORS = Selector("all_assessors", "every active assessor", _all_assessors, _all_assessors_scope)
ALL_COORDINATORS = Selector(
    "all_coordinators",
    "active coordinators of every library that has not withdrawn",
    _all_coordinators,
    _all_coordinators_scope,
)

SELECTORS: dict[str, Selector] = {
    s.name: s
    for s in (
        REGISTERING_COORDINATOR,
        INVITEE,
        PERSON,
        REACTIVATED_PERSON,
        SUBMITTER,
        LIBRARY_COORDINATORS,
        SUBMITTER_AND_COORDINATORS,
        LIBRARY_ACTIVE_STAFF,
        ALL_ASSESSORS,
        ALL_COORDINATORS,
    )
}
