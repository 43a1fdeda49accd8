"""The recipients projection: who the libraries and people are, built from registration events.

State is a plain, JSON/BSON-friendly dict so the store can persist it as it is:

    {
      "libraries": {library_id: {"name", "status"}},
      "people": {person_id: {"name", "email", "language", "role", "library_id", "active",
                             "prefs", "as_of"}},
      "erased": [person_id, ...],
    }

`apply_registration_event` never mutates its input and is idempotent: applying the same event
twice gives the same state. `as_of` (the envelope's `occurred_at`, when given) is a version guard:
an event older than what a record already reflects is ignored, so a redelivered `person.joined`
cannot reactivate someone deactivated later. `erased` keeps only pseudonymous ids (no personal
data) so that a late or redelivered event can never bring an erased person back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.vocabulary import COORDINATOR

State = dict[str, Any]

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"

# Library statuses as this service sees them.
REGISTERED, ACTIVE, WITHDRAWN = "registered", "active", "withdrawn"

REGISTRATION_EVENTS = frozenset(
    {
        "library.registered",
        "library.activated",
        "library.updated",
        "library.withdrawn",
        "person.invited",
        "person.joined",
        "person.role_changed",
        "person.profile_changed",
        "person.deactivated",
        "person.reactivated",
        "person.erased",
        "person.password_reset_requested",
        "person.email_confirmation_requested",
    }
)


def empty_state() -> State:
    """Return the projection before any event."""
    return {"libraries": {}, "people": {}, "erased": []}


def language_of(value: str | None) -> str:
    """Return a supported language code, Danish unless English is asked for."""
    value = (value or "").strip().lower()[:2]
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def default_prefs() -> dict[str, bool]:
    """Return the preferences of someone who has not opted out of anything."""
    return {"non_essential": True}


def apply_registration_event(
    state: Mapping[str, Any],
    event_type: str,
    payload: Mapping[str, Any],
    *,
    occurred_at: str | None = None,
) -> State:
    """Return the state after one registration event; unknown event types leave it unchanged."""
    new: State = {
        "libraries": dict(state.get("libraries", {})),
        "people": dict(state.get("people", {})),
        "erased": list(state.get("erased", [])),
    }
    handler = _HANDLERS.get(event_type)
    if handler is not None:
        handler(new, payload, occurred_at)
    return new


def is_erased(state: Mapping[str, Any], person_id: str | None) -> bool:
    """Tell whether a person was erased (their mail must never be sent again)."""
    return person_id is not None and person_id in state.get("erased", ())


def library_name(state: Mapping[str, Any], library_id: str | None) -> str:
    """Return a library's name as the projection knows it, or an empty string."""
    library = state.get("libraries", {}).get(library_id or "")
    return str((library or {}).get("name", ""))


def library_status(state: Mapping[str, Any], library_id: str | None) -> str | None:
    """Return a library's status, or None when it is unknown."""
    library = state.get("libraries", {}).get(library_id or "")
    return None if library is None else library.get("status")


def active_people(state: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return (person_id, person) of every active person, in a stable order."""
    people = state.get("people", {})
    return [(pid, people[pid]) for pid in sorted(people) if people[pid].get("active")]


# --- the part of the projection one event reads -------------------------------------------------


def _ids(values: Iterable[Any]) -> frozenset[str]:
    return frozenset(v for v in values if isinstance(v, str) and v)


@dataclass(frozen=True)
class Scope:
    """The part of the projection one event reads, so the consumer loads these people, not everyone.

    A person is in scope when named in `person_ids`, or active and one of `staff` (library_id, role;
    role None: any role) or of `roles` (in any library). Libraries are `library_ids`, plus, with
    `their_libraries`, those of every person in scope. `erased` is narrowed to `person_ids`: people
    found by library or role are in the projection, so they cannot be erased.
    """

    person_ids: frozenset[str] = frozenset()
    library_ids: frozenset[str] = frozenset()
    staff: frozenset[tuple[str, str | None]] = frozenset()
    roles: frozenset[str] = frozenset()
    their_libraries: bool = False

    def __or__(self, other: Scope) -> Scope:
        return Scope(
            self.person_ids | other.person_ids,
            self.library_ids | other.library_ids,
            self.staff | other.staff,
            self.roles | other.roles,
            self.their_libraries or other.their_libraries,
        )

    @classmethod
    def of(cls, person_ids: Iterable[Any] = (), library_ids: Iterable[Any] = (),
           staff: Iterable[tuple[Any, str | None]] = (), roles: Iterable[str] = (),
           their_libraries: bool = False) -> Scope:
        """Build a scope from payload values, dropping missing ids."""
        return cls(_ids(person_ids), _ids(library_ids),
                   frozenset((lid, role) for lid, role in staff if isinstance(lid, str) and lid),
                   frozenset(roles), their_libraries)

    def covers(self, person_id: str, person: Mapping[str, Any]) -> bool:
        """Tell whether one person of the projection is in scope."""
        if person_id in self.person_ids:
            return True
        if not person.get("active"):
            return False
        library_id, role = person.get("library_id"), person.get("role")
        return role in self.roles or (library_id, role) in self.staff or (library_id, None) in self.staff


def restrict(state: Mapping[str, Any], scope: Scope) -> State:
    """Return the part of a projection a scope covers (what the store loads for that scope)."""
    people = {pid: p for pid, p in state.get("people", {}).items() if scope.covers(pid, p)}
    library_ids = set(scope.library_ids)
    if scope.their_libraries:
        library_ids |= {p["library_id"] for p in people.values() if p.get("library_id")}
    return {
        "libraries": {lid: lib for lid, lib in state.get("libraries", {}).items() if lid in library_ids},
        "people": people,
        "erased": [pid for pid in state.get("erased", ()) if pid in scope.person_ids],
    }


def registration_scope(event_type: str, payload: Mapping[str, Any]) -> Scope:
    """Return what applying one registration event reads and writes: the person and library it names."""
    if event_type not in REGISTRATION_EVENTS:
        return Scope()
    coordinator = payload.get("coordinator") or {}
    return Scope.of(person_ids=(payload.get("person_id"), coordinator.get("person_id")),
                    library_ids=(payload.get("library_id"),))


# --- handlers: each mutates the fresh copy made by apply_registration_event -------------------


def _is_stale(record: Mapping[str, Any] | None, occurred_at: str | None) -> bool:
    if record is None or occurred_at is None or not record.get("as_of"):
        return False
    try:
        return _parse(occurred_at) < _parse(record["as_of"])
    except ValueError:
        return False


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # Naive timestamps are taken as UTC, as the envelope promises.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _stamp(record: dict[str, Any], occurred_at: str | None) -> dict[str, Any]:
    if occurred_at is not None:
        record["as_of"] = occurred_at
    return record


def _set_library(state: State, library_id: str, occurred_at: str | None, **changes: Any) -> None:
    current = state["libraries"].get(library_id)
    if _is_stale(current, occurred_at):
        return
    record = dict(current or {"name": "", "status": REGISTERED})
    record.update({k: v for k, v in changes.items() if v is not None})
    state["libraries"][library_id] = _stamp(record, occurred_at)


def _set_person(
    state: State,
    person_id: str | None,
    occurred_at: str | None,
    create: bool,
    stamp: bool = True,
    **changes: Any,
) -> None:
    if not person_id or is_erased(state, person_id):
        return
    current = state["people"].get(person_id)
    if (current is None and not create) or _is_stale(current, occurred_at):
        return
    record = dict(
        current
        or {
            "name": "",
            "email": "",
            "language": DEFAULT_LANGUAGE,
            "role": None,
            "library_id": None,
            "active": False,
            "prefs": default_prefs(),
        }
    )
    if "language" in changes:
        changes["language"] = language_of(changes["language"])
    record.update({k: v for k, v in changes.items() if v is not None})
    record["prefs"] = dict(record.get("prefs") or default_prefs())
    state["people"][person_id] = _stamp(record, occurred_at) if stamp else record


def _library_registered(state: State, p: Mapping[str, Any], at: str | None) -> None:
    _set_library(state, p["library_id"], at, name=p.get("name"))
    coordinator = p.get("coordinator") or {}
    _set_person(
        state,
        coordinator.get("person_id"),
        at,
        True,
        name=coordinator.get("name"),
        email=coordinator.get("email"),
        language=coordinator.get("language"),
        role=COORDINATOR,
        library_id=p["library_id"],
        active=True,
    )


def _library_activated(state: State, p: Mapping[str, Any], at: str | None) -> None:
    _set_library(state, p["library_id"], at, name=p.get("name"), status=ACTIVE)


def _library_updated(state: State, p: Mapping[str, Any], at: str | None) -> None:
    if p.get("library_id") in state["libraries"]:
        _set_library(state, p["library_id"], at, name=p.get("name"))


def _library_withdrawn(state: State, p: Mapping[str, Any], at: str | None) -> None:
    _set_library(state, p["library_id"], at, status=WITHDRAWN)


def _person_invited(state: State, p: Mapping[str, Any], at: str | None) -> None:
    current = state["people"].get(p.get("person_id", ""))
    # A redelivered invitation must not turn someone who has joined back into an invitee.
    if current is not None and current.get("active"):
        return
    _set_staff_member(state, p, at, active=False)


def _person_joined(state: State, p: Mapping[str, Any], at: str | None) -> None:
    # Also person.reactivated: it carries the same contact, so a projection that never held the
    # person (or lost them) gets them back whole. The version guard keeps a late reactivation
    # from undoing a later deactivation; the erased list keeps erased people out for good.
    _set_staff_member(state, p, at, active=True)


def _set_staff_member(state: State, p: Mapping[str, Any], at: str | None, *, active: bool) -> None:
    """A person with the contact an invitation or joining event carries, and their library's name
    if the projection does not know the library yet."""
    _set_person(state, p.get("person_id"), at, True, name=p.get("name"), email=p.get("email"),
                language=p.get("language"), role=p.get("role"), library_id=p.get("library_id"), active=active)
    if p.get("library_id") and p["library_id"] not in state["libraries"] and p.get("library_name"):
        _set_library(state, p["library_id"], None, name=p["library_name"])


def _person_role_changed(state: State, p: Mapping[str, Any], at: str | None) -> None:
    _set_person(state, p.get("person_id"), at, False, role=p.get("role"), library_id=p.get("library_id"))


def _person_profile_changed(state: State, p: Mapping[str, Any], at: str | None) -> None:
    _set_person(
        state, p.get("person_id"), at, False, name=p.get("name"), email=p.get("email"), language=p.get("language")
    )


def _person_deactivated(state: State, p: Mapping[str, Any], at: str | None) -> None:
    _set_person(state, p.get("person_id"), at, False, active=False)


def _person_erased(state: State, p: Mapping[str, Any], at: str | None) -> None:
    person_id = p.get("person_id")
    if not person_id:
        return
    state["people"].pop(person_id, None)
    if person_id not in state["erased"]:
        state["erased"].append(person_id)


def _person_contact(state: State, p: Mapping[str, Any], at: str | None) -> None:
    # Reset and confirmation requests carry the current address and language: keep them fresh,
    # without advancing the version guard (they say nothing about role or active status).
    _set_person(
        state,
        p.get("person_id"),
        at,
        False,
        False,
        email=p.get("email"),
        name=p.get("name"),
        language=p.get("language"),
    )


_HANDLERS = {
    "library.registered": _library_registered,
    "library.activated": _library_activated,
    "library.updated": _library_updated,
    "library.withdrawn": _library_withdrawn,
    "person.invited": _person_invited,
    "person.joined": _person_joined,
    "person.role_changed": _person_role_changed,
    "person.profile_changed": _person_profile_changed,
    "person.deactivated": _person_deactivated,
    "person.reactivated": _person_joined,
    "person.erased": _person_erased,
    "person.password_reset_requested": _person_contact,
    "person.email_confirmation_requested": _person_contact,
}
