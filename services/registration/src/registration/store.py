"""The pymongo repository of registration: libraries, people, cohorts, enrolments, erasures and
the sign-in throttle's recent failures.

Every function takes (db, session) so it runs inside the caller's transaction. Aggregates are
saved with a version guard: a concurrent change to the same document makes the save fail with
ConcurrentChange instead of silently overwriting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.client_session import ClientSession
from pymongo.database import Database

from registration.domain import Branch, Cohort, Enrolment, Library, Person, TokenRecord, hash_token
from registration.domain.errors import Conflict
from registration.domain.people import LIVE_STATUSES

LIBRARIES, PEOPLE, COHORTS, ENROLMENTS, ERASURES = "libraries", "people", "cohorts", "enrolments", "erasures"
SIGNIN_FAILURES = "signin_failures"

# Index names are referred to when a duplicate key is translated into a domain error.
ISIL_INDEX = "unique_isil"
LIVE_EMAIL_INDEX = "unique_live_email"
ACTIVE_ENROLMENT_INDEX = "one_active_enrolment"

INDEXES = {
    LIBRARIES: [
        IndexModel([("isil", ASCENDING)], unique=True, name=ISIL_INDEX),
        IndexModel([("status", ASCENDING), ("municipality", ASCENDING)]),
    ],
    PEOPLE: [
        # One login per address: only people who can still use the address (invited, pending,
        # active) carry live_email, so a deactivated person's address can be invited again.
        IndexModel([("live_email", ASCENDING)], unique=True, sparse=True, name=LIVE_EMAIL_INDEX),
        IndexModel([("email", ASCENDING)]),
        IndexModel([("library_id", ASCENDING)]),
        IndexModel([("tokens.token_hash", ASCENDING)]),
    ],
    ENROLMENTS: [
        IndexModel([("active_library_id", ASCENDING)], unique=True, sparse=True, name=ACTIVE_ENROLMENT_INDEX),
        IndexModel([("library_id", ASCENDING)]),
        IndexModel([("cohort_id", ASCENDING), ("status", ASCENDING)]),
    ],
    SIGNIN_FAILURES: [
        IndexModel([("key", ASCENDING), ("at", ASCENDING)]),
        # Expired failures are removed by MongoDB; the window itself is checked on `at`, so the
        # answer never depends on when the TTL monitor last ran (and a changed window needs no
        # new index).
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="signin_failures_ttl"),
    ],
}


class ConcurrentChange(Conflict):
    code = "concurrent_change"

    def __init__(self) -> None:
        super().__init__(
            "Nogen ændrede det samme lige før dig. Hent siden igen og prøv igen.",
            "Someone changed the same thing just before you. Reload and try again.",
        )


# -- mapping --------------------------------------------------------------------------------------

_SKIP = {"events"}


def _plain(obj: Any, id_field: str) -> dict[str, Any]:
    data = {f.name: getattr(obj, f.name) for f in fields(obj) if f.name not in _SKIP}
    data = {k: ([asdict(x) for x in v] if k in ("tokens", "branches") else v) for k, v in data.items()}
    data["_id"] = data[id_field]
    return data


def _build(cls: type, doc: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)} - _SKIP
    obj = cls(**{k: v for k, v in doc.items() if k in names})
    obj._stored_version = obj.version  # the version the save guard expects
    return obj


def person_document(person: Person) -> dict[str, Any]:
    doc = _plain(person, "person_id")
    if person.status in LIVE_STATUSES and person.email:
        doc["live_email"] = person.email
    return doc


def library_from(doc: dict[str, Any] | None) -> Library | None:
    if doc is None:
        return None
    doc = {**doc, "branches": [Branch(**b) for b in doc.get("branches", [])]}
    return _build(Library, doc)


def person_from(doc: dict[str, Any] | None) -> Person | None:
    if doc is None:
        return None
    doc = {**doc, "tokens": [TokenRecord(**t) for t in doc.get("tokens", [])]}
    return _build(Person, doc)


def enrolment_from(doc: dict[str, Any] | None) -> Enrolment | None:
    return None if doc is None else _build(Enrolment, doc)


def cohort_from(doc: dict[str, Any] | None) -> Cohort | None:
    # Cohorts stored before they carried a version count as version 0.
    return None if doc is None else _build(Cohort, {"version": 0, **doc})


def _save(db: Database, session: ClientSession, collection: str, doc: dict[str, Any], obj: Any) -> None:
    expected = getattr(obj, "_stored_version", None)
    if expected is None:
        db[collection].insert_one(doc, session=session)
    else:
        result = db[collection].replace_one({"_id": doc["_id"], "version": expected}, doc, session=session)
        if result.matched_count != 1:
            raise ConcurrentChange()
    obj._stored_version = obj.version


# -- libraries ------------------------------------------------------------------------------------


def get_library(db: Database, session: ClientSession | None, library_id: str) -> Library | None:
    return library_from(db[LIBRARIES].find_one({"_id": library_id}, session=session))


def library_id_with_isil(db: Database, session: ClientSession | None, isil: str) -> str | None:
    doc = db[LIBRARIES].find_one({"isil": isil}, {"_id": 1}, session=session)
    return doc["_id"] if doc else None


def save_library(db: Database, session: ClientSession, library: Library) -> None:
    _save(db, session, LIBRARIES, _plain(library, "library_id"), library)


def find_libraries(
    db: Database, session: ClientSession | None, *, status: str | None = None, municipality: str | None = None,
    library_ids: list[str] | None = None,
) -> list[Library]:
    query: dict[str, Any] = {}
    if status:
        query["status"] = status
    if municipality:
        query["municipality"] = municipality
    if library_ids is not None:
        query["_id"] = {"$in": library_ids}
    docs = db[LIBRARIES].find(query, session=session).sort([("name", ASCENDING), ("_id", ASCENDING)])
    return [library_from(d) for d in docs]  # type: ignore[misc]


# -- people ---------------------------------------------------------------------------------------


def get_person(db: Database, session: ClientSession | None, person_id: str) -> Person | None:
    return person_from(db[PEOPLE].find_one({"_id": person_id}, session=session))


def people_with_email(db: Database, session: ClientSession | None, email: str) -> list[Person]:
    return [person_from(d) for d in db[PEOPLE].find({"email": email}, session=session)]  # type: ignore[misc]


def live_person_with_email(db: Database, session: ClientSession | None, email: str) -> Person | None:
    return person_from(db[PEOPLE].find_one({"live_email": email}, session=session))


def person_with_token(db: Database, session: ClientSession | None, token: str) -> Person | None:
    if not isinstance(token, str) or not 0 < len(token) <= 200:
        return None
    return person_from(db[PEOPLE].find_one({"tokens.token_hash": hash_token(token)}, session=session))


def people_of_library(db: Database, session: ClientSession | None, library_id: str) -> list[Person]:
    docs = db[PEOPLE].find({"library_id": library_id}, session=session).sort([("created_at", ASCENDING)])
    return [person_from(d) for d in docs]  # type: ignore[misc]


def save_person(db: Database, session: ClientSession, person: Person) -> None:
    _save(db, session, PEOPLE, person_document(person), person)


def upgrade_password_hash(db: Database, person_id: str, old_hash: str, new_hash: str) -> None:
    """Replace a password hash made with older parameters by one of the same password made now
    (only if it is still the one that was checked: a password changed meanwhile stays)."""
    db[PEOPLE].update_one({"_id": person_id, "password_hash": old_hash}, {"$set": {"password_hash": new_hash}})


def delete_person(db: Database, session: ClientSession, person: Person, erased_at: datetime) -> None:
    """Remove a person's document; keep only a tombstone of ids, for the audit trail."""
    db[PEOPLE].delete_one({"_id": person.person_id}, session=session)
    db[ERASURES].insert_one(
        {"_id": person.person_id, "library_id": person.library_id, "role": person.role, "erased_at": erased_at},
        session=session,
    )


def erasure(db: Database, session: ClientSession | None, person_id: str) -> dict[str, Any] | None:
    """The tombstone of an erased person (ids, role, time), or None."""
    return db[ERASURES].find_one({"_id": person_id}, session=session)


# -- cohorts and enrolments -------------------------------------------------------------------------


def get_cohort(db: Database, session: ClientSession | None, cohort_id: str) -> Cohort | None:
    return cohort_from(db[COHORTS].find_one({"_id": cohort_id}, session=session))


def list_cohorts(db: Database, session: ClientSession | None = None) -> list[Cohort]:
    docs = db[COHORTS].find({}, session=session).sort([("start_year", ASCENDING), ("name", ASCENDING)])
    return [cohort_from(d) for d in docs]  # type: ignore[misc]


def save_cohort(db: Database, session: ClientSession, cohort: Cohort) -> None:
    doc = _plain(cohort, "cohort_id")
    if getattr(cohort, "_stored_version", None) == 0:
        # A cohort stored before cohorts carried a version has no version field to guard on.
        result = db[COHORTS].replace_one({"_id": doc["_id"], "version": {"$in": [0, None]}}, doc, session=session)
        if result.matched_count != 1:
            raise ConcurrentChange()
        cohort._stored_version = cohort.version  # type: ignore[attr-defined]
        return
    _save(db, session, COHORTS, doc, cohort)


def active_enrolment(db: Database, session: ClientSession | None, library_id: str) -> Enrolment | None:
    return enrolment_from(db[ENROLMENTS].find_one({"active_library_id": library_id}, session=session))


def active_enrolments(db: Database, session: ClientSession | None, library_ids: list[str]) -> dict[str, Enrolment]:
    docs = db[ENROLMENTS].find({"active_library_id": {"$in": library_ids}}, session=session)
    return {d["library_id"]: enrolment_from(d) for d in docs}  # type: ignore[misc]


def library_ids_in_cohort(db: Database, session: ClientSession | None, cohort_id: str) -> list[str]:
    docs = db[ENROLMENTS].find({"cohort_id": cohort_id, "status": "active"}, {"library_id": 1}, session=session)
    return [d["library_id"] for d in docs]


def save_enrolment(db: Database, session: ClientSession, enrolment: Enrolment) -> None:
    doc = _plain(enrolment, "enrolment_id")
    if enrolment.is_active:
        doc["active_library_id"] = enrolment.library_id
    _save(db, session, ENROLMENTS, doc, enrolment)


# -- the sign-in throttle ---------------------------------------------------------------------------
# Outside any transaction on purpose: a counter is not an aggregate and causes no event, and a
# failed sign-in must be counted even though nothing else changes.


def add_signin_attempt(db: Database, keys: list[str], at: datetime, expires_at: datetime) -> list[Any]:
    """Count one attempt against each key; return the ids written (to take it back)."""
    if not keys:
        return []
    docs = [{"key": key, "at": at, "expires_at": expires_at} for key in keys]
    return list(db[SIGNIN_FAILURES].insert_many(docs, ordered=False).inserted_ids)


def recent_signin_attempts(db: Database, keys: list[str], since: datetime) -> dict[str, int]:
    """How many attempts each key has counted since `since`."""
    return {key: db[SIGNIN_FAILURES].count_documents({"key": key, "at": {"$gte": since}}) for key in keys}


def remove_signin_attempts(db: Database, ids: list[Any], *, keys: Sequence[str] = ()) -> None:
    """Take back the given attempts, and every attempt counted against `keys`."""
    if ids:
        db[SIGNIN_FAILURES].delete_many({"_id": {"$in": ids}})
    if keys:
        db[SIGNIN_FAILURES].delete_many({"key": {"$in": list(keys)}})
