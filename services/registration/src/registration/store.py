"""The pymongo repositories of registration: libraries, people, erasures, cohorts, enrolments, the
sign-in throttle's recent failures and the schema version, held together by `Repositories`
(built from (db, session): used as `MongoUnitOfWork(store, Repositories)`), and the `INDEXES`
that migrate creates.

Aggregates are saved with a version guard: a concurrent change to the same document makes the
save fail with ConcurrentChange instead of silently overwriting it. A write that collides with a
unique index becomes the domain error of that index (by the index's fields, never by the text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, TypeVar

from pymongo import ASCENDING, IndexModel
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import OperationFailure

from registration.domain.cohorts import Cohort, Enrolment
from registration.domain.errors import ConcurrentChange, EmailInUse, IsilInUse, RegistrationError
from registration.domain.facts import Aggregate
from registration.domain.gdpr import Erasure
from registration.domain.library import Branch, Library
from registration.domain.people import LIVE_STATUSES, Person
from registration.domain.tokens import TokenRecord, hash_token
from shared.uow import duplicate_key_fields

A = TypeVar("A", bound=Aggregate)

LIBRARIES, PEOPLE, COHORTS, ENROLMENTS, ERASURES = "libraries", "people", "cohorts", "enrolments", "erasures"
SIGNIN_FAILURES, SCHEMA = "signin_failures", "schema"

# The schema version migrate brings the database to; the API refuses to serve an older one.
SCHEMA_VERSION = 1

INDEXES: dict[str, Iterable[IndexModel]] = {
    LIBRARIES: [
        IndexModel([("isil", ASCENDING)], unique=True, name="unique_isil"),
        IndexModel([("status", ASCENDING), ("municipality", ASCENDING)]),
        IndexModel([("branches.branch_id", ASCENDING)]),
    ],
    PEOPLE: [
        # One login per address: only people who can still use the address (invited, pending,
        # active) carry live_email, so a deactivated person's address can be invited again.
        IndexModel([("live_email", ASCENDING)], unique=True, sparse=True, name="unique_live_email"),
        IndexModel([("email", ASCENDING)]),
        IndexModel([("library_id", ASCENDING)]),
        IndexModel([("tokens.token_hash", ASCENDING)]),
    ],
    ENROLMENTS: [
        IndexModel([("active_library_id", ASCENDING)], unique=True, sparse=True, name="one_active_enrolment"),
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

# -- mapping ----------------------------------------------------------------------------------------

_NOT_STORED = {"events", "stored_version"}


def _document(obj: Aggregate, id_field: str) -> dict[str, Any]:
    data = {f.name: getattr(obj, f.name) for f in fields(obj) if f.name not in _NOT_STORED}
    data = {k: ([asdict(x) for x in v] if k in ("tokens", "branches") else v) for k, v in data.items()}
    data["_id"] = data[id_field]
    return data


def _build(cls: type[A], doc: Mapping[str, Any]) -> A:
    names = {f.name for f in fields(cls)} - _NOT_STORED  # type: ignore[arg-type]
    return cls(**{k: v for k, v in doc.items() if k in names}, stored_version=doc["version"])


def library_from(doc: Mapping[str, Any]) -> Library:
    return _build(Library, {**doc, "branches": [Branch(**b) for b in doc.get("branches", [])]})


def person_from(doc: Mapping[str, Any]) -> Person:
    return _build(Person, {**doc, "tokens": [TokenRecord(**t) for t in doc.get("tokens", [])]})


def person_document(person: Person) -> dict[str, Any]:
    doc = _document(person, "person_id")
    if person.status in LIVE_STATUSES and person.email:
        doc["live_email"] = person.email
    return doc


def enrolment_document(enrolment: Enrolment) -> dict[str, Any]:
    doc = _document(enrolment, "enrolment_id")
    if enrolment.is_active:
        doc["active_library_id"] = enrolment.library_id
    return doc


class _Repository:
    name = ""

    def __init__(self, db: Database[Any], session: ClientSession | None) -> None:
        self.session = session
        self.collection: Collection[Any] = db[self.name]

    def _save(self, doc: dict[str, Any], aggregate: Aggregate,
              unique: Mapping[tuple[str, ...], Callable[[], RegistrationError]] | None = None) -> None:
        try:
            if aggregate.stored_version is None:
                self.collection.insert_one(doc, session=self.session)
            else:
                guard = {"_id": doc["_id"], "version": aggregate.stored_version}
                if self.collection.replace_one(guard, doc, session=self.session).matched_count != 1:
                    raise ConcurrentChange()
        except OperationFailure as exc:
            taken = duplicate_key_fields(exc)
            if taken is None:
                raise
            # Another write took the same key first (the _id: the same document, created twice).
            raise (unique or {}).get(taken, ConcurrentChange)() from exc
        aggregate.stored_version = aggregate.version


# -- libraries, people, erasures --------------------------------------------------------------------


class Libraries(_Repository):
    name = LIBRARIES

    def get(self, library_id: str) -> Library | None:
        doc = self.collection.find_one({"_id": library_id}, session=self.session)
        return library_from(doc) if doc else None

    def id_with_isil(self, isil: str) -> str | None:
        doc = self.collection.find_one({"isil": isil}, {"_id": 1}, session=self.session)
        return doc["_id"] if doc else None

    def id_with_branch(self, branch_id: str) -> str | None:
        """The id of the library that has this branch."""
        doc = self.collection.find_one({"branches.branch_id": branch_id}, {"_id": 1}, session=self.session)
        return doc["_id"] if doc else None

    def find(self, *, status: str | None = None, municipality: str | None = None,
             library_ids: Sequence[str] | None = None) -> list[Library]:
        """The libraries matching every filter given, by name."""
        query: dict[str, Any] = {}
        if status:
            query["status"] = status
        if municipality:
            query["municipality"] = municipality
        if library_ids is not None:
            query["_id"] = {"$in": list(library_ids)}
        docs = self.collection.find(query, session=self.session).sort([("name", ASCENDING), ("_id", ASCENDING)])
        return [library_from(d) for d in docs]

    def save(self, library: Library) -> None:
        self._save(_document(library, "library_id"), library, {("isil",): lambda: IsilInUse(library.isil)})


class People(_Repository):
    name = PEOPLE

    def get(self, person_id: str) -> Person | None:
        doc = self.collection.find_one({"_id": person_id}, session=self.session)
        return person_from(doc) if doc else None

    def with_email(self, email: str) -> list[Person]:
        """Everyone stored with this address, in any library and status."""
        return [person_from(d) for d in self.collection.find({"email": email}, session=self.session)]

    def live_with_email(self, email: str) -> Person | None:
        """The one invited, pending or active person with this address, if any."""
        doc = self.collection.find_one({"live_email": email}, session=self.session)
        return person_from(doc) if doc else None

    def with_token(self, token: str) -> Person | None:
        """The person holding a token (by its hash), if any."""
        if not 0 < len(token) <= 200:
            return None
        doc = self.collection.find_one({"tokens.token_hash": hash_token(token)}, session=self.session)
        return person_from(doc) if doc else None

    def of_library(self, library_id: str) -> list[Person]:
        docs = self.collection.find({"library_id": library_id}, session=self.session).sort([("created_at", ASCENDING)])
        return [person_from(d) for d in docs]

    def save(self, person: Person) -> None:
        self._save(person_document(person), person, {("live_email",): EmailInUse})

    def delete(self, person_id: str) -> None:
        self.collection.delete_one({"_id": person_id}, session=self.session)

    def upgrade_password_hash(self, person_id: str, old_hash: str, new_hash: str) -> None:
        """Replace a password hash made with older parameters by one of the same password made now
        (only if it is still the one that was checked: a password changed meanwhile stays)."""
        self.collection.update_one({"_id": person_id, "password_hash": old_hash},
                                   {"$set": {"password_hash": new_hash}}, session=self.session)


class Erasures(_Repository):
    name = ERASURES

    def get(self, person_id: str) -> Erasure | None:
        doc = self.collection.find_one({"_id": person_id}, session=self.session)
        if doc is None:
            return None
        return Erasure(doc["_id"], doc.get("library_id"), doc["role"], doc["erased_at"])

    def add(self, erasure: Erasure) -> None:
        self.collection.insert_one({"_id": erasure.person_id, "library_id": erasure.library_id,
                                    "role": erasure.role, "erased_at": erasure.erased_at}, session=self.session)


# -- cohorts and enrolments ---------------------------------------------------------------------------


class Cohorts(_Repository):
    name = COHORTS

    def get(self, cohort_id: str) -> Cohort | None:
        doc = self.collection.find_one({"_id": cohort_id}, session=self.session)
        return _build(Cohort, doc) if doc else None

    def all(self) -> list[Cohort]:
        docs = self.collection.find({}, session=self.session).sort([("start_year", ASCENDING), ("name", ASCENDING)])
        return [_build(Cohort, d) for d in docs]

    def save(self, cohort: Cohort) -> None:
        self._save(_document(cohort, "cohort_id"), cohort)


class Enrolments(_Repository):
    name = ENROLMENTS

    def active_of(self, library_id: str) -> Enrolment | None:
        doc = self.collection.find_one({"active_library_id": library_id}, session=self.session)
        return _build(Enrolment, doc) if doc else None

    def active_of_many(self, library_ids: Sequence[str]) -> dict[str, Enrolment]:
        docs = self.collection.find({"active_library_id": {"$in": list(library_ids)}}, session=self.session)
        return {d["library_id"]: _build(Enrolment, d) for d in docs}

    def library_ids_in_cohort(self, cohort_id: str) -> list[str]:
        docs = self.collection.find({"cohort_id": cohort_id, "status": "active"}, {"library_id": 1},
                                    session=self.session)
        return [d["library_id"] for d in docs]

    def save(self, enrolment: Enrolment) -> None:
        # A second active enrolment of one library can only come from a change made at the same moment.
        self._save(enrolment_document(enrolment), enrolment)


# -- the sign-in throttle and the schema version ------------------------------------------------------
# Used outside any transaction on purpose: a counter is not an aggregate and causes no event, and
# a failed sign-in must be counted even though nothing else changes.


class SignInFailures(_Repository):
    name = SIGNIN_FAILURES

    def add(self, keys: Sequence[str], at: datetime, expires_at: datetime) -> list[Any]:
        """Count one attempt against each key; return the ids written (to take it back)."""
        if not keys:
            return []
        docs = [{"key": key, "at": at, "expires_at": expires_at} for key in keys]
        return list(self.collection.insert_many(docs, ordered=False, session=self.session).inserted_ids)

    def counts(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        """How many attempts each key has counted since `since`."""
        return {key: self.collection.count_documents({"key": key, "at": {"$gte": since}}, session=self.session)
                for key in keys}

    def remove(self, ids: Sequence[Any], *, keys: Sequence[str] = ()) -> None:
        """Take back the given attempts, and every attempt counted against `keys`."""
        if ids:
            self.collection.delete_many({"_id": {"$in": list(ids)}}, session=self.session)
        if keys:
            self.collection.delete_many({"key": {"$in": list(keys)}}, session=self.session)


class Schema(_Repository):
    name = SCHEMA
    _ID = "registration"

    def version(self) -> int | None:
        """The schema version migrate last brought the database to (None: never migrated)."""
        doc = self.collection.find_one({"_id": self._ID}, session=self.session)
        return doc["version"] if doc else None

    def record(self, version: int, at: datetime) -> None:
        self.collection.update_one({"_id": self._ID}, {"$set": {"version": version, "migrated_at": at}},
                                   upsert=True, session=self.session)


class Repositories:
    """Every repository of registration on one database and session (None outside a transaction)."""

    def __init__(self, db: Database[Any], session: ClientSession | None) -> None:
        self.libraries = Libraries(db, session)
        self.people = People(db, session)
        self.erasures = Erasures(db, session)
        self.cohorts = Cohorts(db, session)
        self.enrolments = Enrolments(db, session)
        self.signin_failures = SignInFailures(db, session)
        self.schema = Schema(db, session)
