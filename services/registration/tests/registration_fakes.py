"""In-memory twins of registration's repositories (store.py), for handler tests that need no server:
the same methods, the same version guard and the same domain errors for a duplicate. The contract
tests (tests/integration/test_registration_repositories.py) hold both to one behaviour.

(A unique module name: every service's tests share one sys.path under pytest.)"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from argon2 import PasswordHasher
from chora_testing.uow import FakeUnitOfWork

from registration.domain.cohorts import Cohort, Enrolment
from registration.domain.errors import ConcurrentChange, EmailInUse, IsilInUse, RegistrationError
from registration.domain.facts import Aggregate
from registration.domain.gdpr import Erasure
from registration.domain.library import Library
from registration.domain.people import LIVE_STATUSES, Person
from registration.domain.tokens import hash_token
from registration.passwords import Argon2Passwords

A = TypeVar("A", bound=Aggregate)


def cheap_passwords() -> Argon2Passwords:
    """Real argon2id with the cheapest parameters: fast enough for many unit tests."""
    return Argon2Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _loaded(aggregate: A | None) -> A | None:
    return copy.deepcopy(aggregate) if aggregate is not None else None


def _save(docs: dict[str, A], key: str, aggregate: A,
          clashes: Sequence[tuple[Callable[[A], bool], Callable[[], RegistrationError]]] = ()) -> None:
    """Save like the store: insert if new, else only over the version it was loaded at; a unique
    value another document holds raises that index's domain error."""
    existing = docs.get(key)
    if aggregate.stored_version is None and existing is not None:
        raise ConcurrentChange()
    if aggregate.stored_version is not None and (existing is None or existing.version != aggregate.stored_version):
        raise ConcurrentChange()
    for other_key, other in docs.items():
        for clash, error in clashes:
            if other_key != key and clash(other):
                raise error()
    stored = copy.deepcopy(aggregate)
    stored.events.clear()  # events are never stored with the aggregate
    stored.stored_version = aggregate.stored_version = aggregate.version
    docs[key] = stored


class FakeLibraries:
    def __init__(self) -> None:
        self.docs: dict[str, Library] = {}

    def get(self, library_id: str) -> Library | None:
        return _loaded(self.docs.get(library_id))

    def id_with_isil(self, isil: str) -> str | None:
        return next((lib.library_id for lib in self.docs.values() if lib.isil == isil), None)

    def id_with_branch(self, branch_id: str) -> str | None:
        return next((lib.library_id for lib in self.docs.values()
                     if any(b.branch_id == branch_id for b in lib.branches)), None)

    def find(self, *, status: str | None = None, municipality: str | None = None,
             library_ids: Sequence[str] | None = None) -> list[Library]:
        found = [lib for lib in self.docs.values()
                 if (not status or lib.status == status) and (not municipality or lib.municipality == municipality)
                 and (library_ids is None or lib.library_id in library_ids)]
        return [copy.deepcopy(lib) for lib in sorted(found, key=lambda lib: (lib.name, lib.library_id))]

    def save(self, library: Library) -> None:
        _save(self.docs, library.library_id, library, [(lambda o: o.isil == library.isil, lambda: IsilInUse(library.isil))])


class FakePeople:
    def __init__(self) -> None:
        self.docs: dict[str, Person] = {}

    def get(self, person_id: str) -> Person | None:
        return _loaded(self.docs.get(person_id))

    def with_email(self, email: str) -> list[Person]:
        return [copy.deepcopy(p) for p in self.docs.values() if p.email == email]

    def live_with_email(self, email: str) -> Person | None:
        return _loaded(next((p for p in self.docs.values() if _live_email(p) == email), None))

    def with_token(self, token: str) -> Person | None:
        if not 0 < len(token) <= 200:
            return None
        wanted = hash_token(token)
        return _loaded(next((p for p in self.docs.values() if any(t.token_hash == wanted for t in p.tokens)), None))

    def of_library(self, library_id: str) -> list[Person]:
        found = [p for p in self.docs.values() if p.library_id == library_id]
        return [copy.deepcopy(p) for p in sorted(found, key=lambda p: p.created_at)]

    def save(self, person: Person) -> None:
        live = _live_email(person)
        _save(self.docs, person.person_id, person, [(lambda o: live is not None and _live_email(o) == live, EmailInUse)])

    def delete(self, person_id: str) -> None:
        self.docs.pop(person_id, None)

    def upgrade_password_hash(self, person_id: str, old_hash: str, new_hash: str) -> None:
        person = self.docs.get(person_id)
        if person is not None and person.password_hash == old_hash:
            person.password_hash = new_hash


def _live_email(person: Person) -> str | None:
    return person.email if person.status in LIVE_STATUSES and person.email else None


class FakeErasures:
    def __init__(self) -> None:
        self.docs: dict[str, Erasure] = {}

    def get(self, person_id: str) -> Erasure | None:
        return self.docs.get(person_id)

    def add(self, erasure: Erasure) -> None:
        if erasure.person_id in self.docs:
            raise ConcurrentChange()
        self.docs[erasure.person_id] = erasure


class FakeCohorts:
    def __init__(self) -> None:
        self.docs: dict[str, Cohort] = {}

    def get(self, cohort_id: str) -> Cohort | None:
        return _loaded(self.docs.get(cohort_id))

    def all(self) -> list[Cohort]:
        return [copy.deepcopy(c) for c in sorted(self.docs.values(), key=lambda c: (c.start_year, c.name))]

    def save(self, cohort: Cohort) -> None:
        _save(self.docs, cohort.cohort_id, cohort)


class FakeEnrolments:
    def __init__(self) -> None:
        self.docs: dict[str, Enrolment] = {}

    def active_of(self, library_id: str) -> Enrolment | None:
        return _loaded(next((e for e in self.docs.values() if e.is_active and e.library_id == library_id), None))

    def active_of_many(self, library_ids: Sequence[str]) -> dict[str, Enrolment]:
        return {e.library_id: copy.deepcopy(e) for e in self.docs.values() if e.is_active and e.library_id in library_ids}

    def library_ids_in_cohort(self, cohort_id: str) -> list[str]:
        return [e.library_id for e in self.docs.values() if e.cohort_id == cohort_id and e.is_active]

    def save(self, enrolment: Enrolment) -> None:
        clash = (lambda o: enrolment.is_active and o.is_active and o.library_id == enrolment.library_id, ConcurrentChange)
        _save(self.docs, enrolment.enrolment_id, enrolment, [clash])


class FakeSignInFailures:
    def __init__(self) -> None:
        self.docs: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def add(self, keys: Sequence[str], at: datetime, expires_at: datetime) -> list[Any]:
        ids = []
        for key in keys:
            ids.append(next(self._ids))
            self.docs[ids[-1]] = {"key": key, "at": at, "expires_at": expires_at}
        return ids

    def counts(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        return {key: sum(1 for d in self.docs.values() if d["key"] == key and d["at"] >= since) for key in keys}

    def remove(self, ids: Sequence[Any], *, keys: Sequence[str] = ()) -> None:
        self.docs = {i: d for i, d in self.docs.items() if i not in ids and d["key"] not in keys}


class FakeSchema:
    def __init__(self) -> None:
        self.recorded: int | None = None

    def version(self) -> int | None:
        return self.recorded

    def record(self, version: int, at: datetime) -> None:
        self.recorded = version


class FakeRepositories:
    """Every repository, in memory (what store.Repositories is over MongoDB)."""

    def __init__(self) -> None:
        self.libraries = FakeLibraries()
        self.people = FakePeople()
        self.erasures = FakeErasures()
        self.cohorts = FakeCohorts()
        self.enrolments = FakeEnrolments()
        self.signin_failures = FakeSignInFailures()
        self.schema = FakeSchema()


def fake_uow() -> FakeUnitOfWork[FakeRepositories]:
    return FakeUnitOfWork(FakeRepositories(), producer="registration")
