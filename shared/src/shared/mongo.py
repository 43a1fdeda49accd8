"""Storage helpers on pymongo: one database per service, a transactional unit of work that
writes a state change, its outbox events and the consumer's inbox mark in one commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo import ASCENDING, IndexModel, MongoClient
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, OperationFailure

from shared import idempotency, tracing
from shared.events import CATALOGUE, Event, EventError, new_event
from shared.events.sealing import Sealer, sealed_fields

log = logging.getLogger(__name__)
T = TypeVar("T")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

OUTBOX = "outbox"
PARKED = "outbox_parked"  # outbox documents the relay gave up on (unroutable), kept for an operator
INBOX = "inbox"


def connect(url: str, *, app_name: str) -> MongoClient[Any]:
    """Create a client; call after fork (pymongo clients are not fork-safe)."""
    return MongoClient(url, appname=app_name, tz_aware=True, serverSelectionTimeoutMS=5000)


def now() -> datetime:
    return datetime.now(UTC)


class AlreadyProcessed(Exception):
    """The event was already handled by this consumer (inbox hit)."""


@dataclass
class Tx:
    """What a handler gets inside a transaction: the database, the session and an event sink."""

    db: Database[Any]
    session: ClientSession
    producer: str
    events: list[Event] = field(default_factory=list)
    sealer: Sealer | None = None
    traces: dict[str, dict[str, str]] = field(default_factory=dict)  # event id -> trace context

    def emit(self, type_: str, payload: dict[str, Any], *, correlation_id: str | None = None) -> Event:
        """Record an event to be published once this transaction commits (its secrets sealed)."""
        spec = CATALOGUE.get(type_)
        if spec is not None and spec.producer != self.producer:
            raise EventError(f"{self.producer} may not emit {type_}: its producer is {spec.producer}")
        evt = new_event(type_, payload, producer=self.producer, correlation_id=correlation_id)
        if sealed_fields(type_):
            if self.sealer is None:
                raise EventError(f"{type_} carries sealed fields and this store has no sealing key")
            evt = self.sealer.seal_event(evt)
        self.events.append(evt)
        self.traces[evt.id] = tracing.carrier()
        return evt


# A transaction's events share one outbox document (up to this many each): one write to the store
# for the whole transaction, one delete once the broker confirmed them all.
EVENTS_PER_OUTBOX_DOCUMENT = 100


def outbox_documents(events: list[Event], at: datetime,
                     traces: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """The outbox documents holding a transaction's events, in order."""
    step = EVENTS_PER_OUTBOX_DOCUMENT
    return [outbox_document(events[i:i + step], at, traces) for i in range(0, len(events), step)]


def outbox_document(events: list[Event], at: datetime, traces: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "_id": events[0].id,
        "created_at": at,
        "not_before": EPOCH,
        "attempts": 0,
        "last_error": None,
        "events": [
            {
                "id": e.id,
                "type": e.type,
                "correlation_id": e.correlation_id,
                "producer": e.producer,
                # The wire body as one string: the relay publishes it as it is, and the store
                # reads one string far faster than a nested document.
                "body": e.to_json().decode(),
                # W3C trace context of the work that emitted it: the relay's publish joins that trace.
                "trace": (traces or {}).get(e.id) or None,
            }
            for e in events
        ],
    }


class ServiceStore:
    """A service's database with the outbox and inbox collections and its unit of work."""

    def __init__(self, client: MongoClient[Any], db_name: str, producer: str, sealer: Sealer | None = None):
        self.client = client
        self.db: Database[Any] = client[db_name]
        self.producer = producer
        self.sealer = sealer
        self._on_commit: list[Callable[[list[dict[str, Any]]], None]] = []

    def on_commit(self, callback: Callable[[list[dict[str, Any]]], None]) -> None:
        """Call back with the outbox documents of every commit that recorded events (the outbox
        relay publishes them at once)."""
        self._on_commit.append(callback)

    def ensure_indexes(self, extra: dict[str, Iterable[IndexModel]] | None = None) -> None:
        """Create the outbox and inbox indexes and those the service declares."""
        self.db[OUTBOX].create_indexes([
            # The relay reads in commit order; not_before (a back-off for unroutable events) is
            # filtered during that ordered scan.
            IndexModel([("created_at", ASCENDING)]),
        ])
        self.db[PARKED].create_indexes([IndexModel([("parked_at", ASCENDING)])])
        self.db[INBOX].create_indexes([IndexModel([("processed_at", ASCENDING)])])
        self.db[idempotency.COLLECTION].create_indexes(idempotency.INDEXES)
        for collection, indexes in (extra or {}).items():
            self.db[collection].create_indexes(list(indexes))

    def transact(self, fn: Callable[[Tx], T], *, inbox: tuple[str, str] | list[tuple[str, str]] | None = None) -> T:
        """Run fn in one transaction; its events go to the outbox in the same commit.

        With inbox=(consumer, event_id) the event is marked processed in that commit too, and
        AlreadyProcessed is raised if it had been. With a list of them (a batch), every event is
        marked; if any had been processed the whole transaction fails (DuplicateKeyError) and
        the caller handles the events one by one.
        """
        single = inbox if isinstance(inbox, tuple) else None
        marks = [single] if single is not None else list(inbox or [])
        holder: dict[str, Any] = {}

        def callback(session: ClientSession) -> T:
            tx = Tx(self.db, session, self.producer, sealer=self.sealer)
            if single is not None and self.db[INBOX].find_one({"_id": _inbox_id(*single)}, session=session):
                raise AlreadyProcessed(single[1])
            result = fn(tx)
            at = now()
            if marks:
                self.db[INBOX].insert_many(
                    [{"_id": _inbox_id(c, e), "consumer": c, "event_id": e, "processed_at": at} for c, e in marks],
                    session=session,
                )
            docs = holder["docs"] = outbox_documents(tx.events, at, tx.traces)
            if docs:
                self.db[OUTBOX].insert_many(docs, session=session)
            # A request's Idempotency-Key is kept in the commit of the change it asked for.
            holder["claim"] = idempotency.write_claim(self.db, session, at)
            return result

        with tracing.span(self.producer, f"{self.producer} transaction"), self.client.start_session() as session:
            try:
                result = session.with_transaction(callback)
            except DuplicateKeyError as exc:
                # Another consumer committed the same event meanwhile: its mark is there now.
                if single is not None and self.db[INBOX].find_one({"_id": _inbox_id(*single)}) is not None:
                    raise AlreadyProcessed(single[1]) from exc
                # Another request with the same Idempotency-Key committed first.
                claim = idempotency.current.get()
                if claim is not None and not claim.written and idempotency.find(self.db, claim.record_id):
                    raise idempotency.IdempotencyConflict() from exc
                raise
        if holder.get("claim") is not None:
            holder["claim"].written = True
        if holder["docs"]:
            for callback_ in self._on_commit:
                try:
                    callback_(holder["docs"])
                except Exception:  # a wake-up failure must never undo a commit
                    log.exception("on-commit callback failed")
        return result

    def emit_now(self, type_: str, payload: dict[str, Any]) -> Event:
        """Record a lone event (no other state change) through the outbox."""
        return self.transact(lambda tx: tx.emit(type_, payload))

    def ping(self) -> None:
        self.client.admin.command("ping")


def _inbox_id(consumer: str, event_id: str) -> str:
    return f"{consumer}:{event_id}"


def is_duplicate_key(exc: Exception) -> bool:
    return isinstance(exc, DuplicateKeyError) or (isinstance(exc, OperationFailure) and exc.code == 11000)


__all__ = [
    "PARKED", "AlreadyProcessed", "ServiceStore", "Tx", "connect", "now", "is_duplicate_key", "outbox_document", "outbox_documents",
]
