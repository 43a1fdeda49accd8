"""The unit of work every service's handlers are given: one atomic change of the service's
repositories, the events it causes (the outbox) and, for a consumer, the event it answers (the
inbox), committed together or not at all.

Handlers see only `Work`: the service's repositories and `emit`. `MongoUnitOfWork` runs the work in
a MongoDB transaction (shared.mongo.ServiceStore.transact); the test harness has an in-memory one
(chora_testing.uow.FakeUnitOfWork) with the same contract, so handler tests need no server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, OperationFailure

from shared.events import CATALOGUE, Event, EventError, new_event
from shared.mongo import AlreadyProcessed, ServiceStore, Tx

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
T = TypeVar("T")

# (consumer, event id): the event a consumer's work answers, marked processed in the same commit.
InboxMark = tuple[str, str]

__all__ = ["AlreadyProcessed", "InboxMark", "MongoUnitOfWork", "UnitOfWork", "Work", "duplicate_key_fields"]


@dataclass
class Work(Generic[R]):
    """What a handler gets inside a unit of work: the repositories and an event sink."""

    repos: R
    producer: str
    events: list[Event] = field(default_factory=list)
    # The transaction's own emit (shared.mongo.Tx.emit: seals secrets, keeps the trace context);
    # None for the in-memory unit of work.
    tx: Tx | None = None

    def emit(self, type_: str, payload: dict[str, Any], *, correlation_id: str | None = None) -> Event:
        """Record an event, validated against the catalogue, to be published once the work commits."""
        if self.tx is not None:
            return self.tx.emit(type_, payload, correlation_id=correlation_id)
        spec = CATALOGUE.get(type_)
        if spec is not None and spec.producer != self.producer:
            raise EventError(f"{self.producer} may not emit {type_}: its producer is {spec.producer}")
        evt = new_event(type_, payload, producer=self.producer, correlation_id=correlation_id)
        self.events.append(evt)
        return evt


class UnitOfWork(Protocol[R_co]):
    """Runs a handler's work atomically and gives read-only access outside one."""

    def run(self, fn: Callable[[Work[Any]], T], *, inbox: InboxMark | list[InboxMark] | None = None) -> T:
        """Run fn in one atomic commit with its events (and the inbox marks); AlreadyProcessed
        if a single inbox mark was there already."""
        ...

    @property
    def repos(self) -> R_co:
        """The repositories outside a transaction, for queries."""
        ...


class MongoUnitOfWork(Generic[R]):
    """A unit of work over one service's MongoDB database (transaction, outbox, inbox)."""

    def __init__(self, store: ServiceStore, repositories: Callable[[Database[Any], ClientSession | None], R]):
        self.store = store
        self._repositories = repositories
        self._reader = repositories(store.db, None)

    @property
    def repos(self) -> R:
        return self._reader

    def run(self, fn: Callable[[Work[R]], T], *, inbox: InboxMark | list[InboxMark] | None = None) -> T:
        def in_transaction(tx: Tx) -> T:
            work = Work(self._repositories(tx.db, tx.session), tx.producer, tx.events, tx)
            return fn(work)

        return self.store.transact(in_transaction, inbox=inbox)


def duplicate_key_fields(exc: BaseException) -> tuple[str, ...] | None:
    """The fields of the unique index a write collided on (from the server's keyPattern), or None
    if exc is no duplicate-key error. Repositories map these to domain errors by index, not text."""
    if isinstance(exc, DuplicateKeyError) or (isinstance(exc, OperationFailure) and exc.code == 11000):
        details: Mapping[str, Any] = exc.details or {}
        pattern = details.get("keyPattern") or {}
        return tuple(pattern)
    return None
