"""The outbox relay: publishes pending outbox events, then marks them sent by
removing them (the outbox holds exactly the events not yet confirmed by the broker). A
transaction's events share one outbox document, removed once the broker confirmed them all; a
document some of whose events were not confirmed keeps just those.

The live path: after each commit in its process the relay is handed the events just committed
and publishes them from memory at once, then removes them from the outbox. The sweep is the
safety net: under a short lease (one sweeper per outbox; a dead sweeper's lease expires) it scans
the outbox in commit order for events older than a grace period, which only a crashed process,
a failed publish or an unroutable type leaves there. Everything is at-least-once: an event
published but not yet removed may be published again, and consumers' inboxes absorb the repeat.

Nothing is kept pending without bound: the topology routes every declared type somewhere (a
consumer's queue or the archive), so an event the broker returns as unroutable means a
misconfiguration. It is tried again after a growing back-off (outbox_backoff doubling up to
outbox_backoff_cap) and after outbox_max_attempts tries its document is parked: moved to the
`outbox_parked` collection with the reason, counted, listed by `chora-bus outbox SERVICE` and put
back by `chora-bus outbox-replay SERVICE`. The sweep reads only `outbox`, so it never rereads a
parked document, however many there are.
"""

from __future__ import annotations

import collections
import functools
import logging
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DeleteOne, ReplaceOne, ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared import metrics
from shared.messaging.publisher import ConfirmingPublisher
from shared.mongo import EPOCH, OUTBOX, PARKED, now

log = logging.getLogger(__name__)

LOCKS = "outbox_lock"


class OutboxRelay:
    def __init__(
        self,
        db: Database[Any],
        publisher: ConfirmingPublisher,
        *,
        service: str,
        poll_interval: float = 1.0,
        batch_size: int = 500,
        lease_seconds: float = 15.0,
        unroutable_backoff: float = 2.0,
        unroutable_backoff_cap: float = 120.0,
        max_attempts: int = 10,
        grace_seconds: float = 5.0,
        max_fresh: int = 10_000,
    ):
        self.outbox = db[OUTBOX]
        self.parked = db[PARKED]
        self.locks = db[LOCKS]
        self.publisher = publisher
        self.service = service
        self.owner = uuid.uuid4().hex
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self.unroutable_backoff = unroutable_backoff
        self.unroutable_backoff_cap = unroutable_backoff_cap
        self.max_attempts = max_attempts
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._marker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"outbox-mark-{service}")
        self.grace = timedelta(seconds=grace_seconds)
        self.max_fresh = max_fresh
        self._fresh: collections.deque[dict[str, Any]] = collections.deque()
        self._fresh_events = 0  # events in the documents held in _fresh
        # Ids of the documents the live path holds or is publishing: the sweep leaves them alone
        # (a document delayed past the grace period would otherwise be published twice).
        self._fresh_ids: set[str] = set()
        self._fresh_lock = threading.Lock()
        self._next_sweep = 0.0

    # -- lifecycle ----------------------------------------------------------------------------
    def wake(self, docs: list[dict[str, Any]] | None = None) -> None:
        """Called after a commit with the outbox documents it wrote: publish them now."""
        if docs:
            events = sum(len(d["events"]) for d in docs)
            with self._fresh_lock:
                if self._fresh_events + events <= self.max_fresh:  # else the sweep takes them
                    self._fresh.extend(docs)
                    self._fresh_events += events
                    self._fresh_ids.update(d["_id"] for d in docs)
        self._wake.set()

    def start(self) -> OutboxRelay:
        self._thread = threading.Thread(target=self._run, name=f"outbox-relay-{self.service}", daemon=True)
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        """Whether the relay's thread is running (a consumer process's liveness asks)."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.publisher.close()
        self._marker.shutdown(wait=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.publish_fresh()
                if time.monotonic() >= self._next_sweep:
                    self.drain(min_age=self.grace)
                    self._next_sweep = time.monotonic() + self.poll_interval
                self.publisher.heartbeat_check()
            except Exception:
                log.exception("outbox relay pass failed; will retry")
                self._stop.wait(min(self.poll_interval, 1.0))

    # -- the lease ----------------------------------------------------------------------------
    def _acquire(self) -> bool:
        at = now()
        try:
            doc = self.locks.find_one_and_update(
                {"_id": "relay", "$or": [{"until": {"$lt": at}}, {"owner": self.owner}]},
                {"$set": {"owner": self.owner, "until": at + self.lease}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False  # held by another relay
        return doc is not None and doc.get("owner") == self.owner

    def _release(self) -> None:
        self.locks.update_one({"_id": "relay", "owner": self.owner}, {"$set": {"until": EPOCH}})

    # -- the live path ------------------------------------------------------------------------
    def publish_fresh(self) -> int:
        """Publish the events this process just committed, straight from memory."""
        total = 0
        while not self._stop.is_set():
            with self._fresh_lock:
                batch, events = [], 0
                while self._fresh and events < self.batch_size:
                    batch.append(self._fresh.popleft())
                    events += len(batch[-1]["events"])
                self._fresh_events -= events
            if not batch:
                break
            marks: list[Future[Any]] = []
            try:
                published, ok = self._publish(batch, marks)
            finally:
                # The sweep may take these documents again once their marks are written.
                ids = [d["_id"] for d in batch]
                if marks:
                    marks[-1].add_done_callback(functools.partial(self._release_fresh, ids))
                else:
                    self._release_fresh(ids)
            total += published
            if not ok:
                with self._fresh_lock:
                    self._fresh.clear()  # the broker is away: the sweep retries them from the store
                    self._fresh_events = 0
                    self._fresh_ids.clear()
                break
        return total

    def _release_fresh(self, ids: list[str], _mark: Future[Any] | None = None) -> None:
        with self._fresh_lock:
            self._fresh_ids.difference_update(ids)

    # -- the sweep ----------------------------------------------------------------------------
    def drain(self, min_age: timedelta | None = None) -> int:
        """Publish everything due, unless another relay holds the lease (it is sweeping already).

        With min_age, only events committed at least that long ago are taken (the live path owns
        the younger ones). Marking a batch sent (a store write per outbox document) overlaps with reading
        and publishing the next batch: the pass walks forward from the position it reached, so an event whose
        mark is still in flight is never read twice in one pass. Events committed behind that
        position while the pass ran are taken by the next pass, which starts from the beginning.
        """
        if not self._acquire():
            return 0
        total = 0
        position: Any = EPOCH
        done: set[str] = set()
        marks: list[Future[Any]] = []
        try:
            while not self._stop.is_set():
                n, position, more, ok = self._publish_batch(position, done, marks, min_age)
                total += n
                if not more or not ok:
                    break
                self._acquire()  # renew the lease between batches
        finally:
            for mark in marks:
                try:
                    mark.result(timeout=60)
                except Exception:
                    log.exception("marking sent events failed; they will be published again")
            self._release()
        return total

    def _due(self, position: Any, done: set[str], min_age: timedelta | None = None) -> tuple[list[dict[str, Any]], bool]:
        """Outbox documents due from `position` on, up to about batch_size events, and whether
        more may follow."""
        at = now()
        cutoff = at - min_age if min_age else None
        # An ordered index scan (a range on created_at); the few documents backing off (unroutable,
        # at most outbox_max_attempts tries before they are parked elsewhere) are skipped here
        # rather than in the query, which would make the store sort the whole outbox.
        docs: list[dict[str, Any]] = []
        events = 0
        cursor = (self.outbox.find({"created_at": {"$gte": position}})
                  .sort("created_at", ASCENDING).batch_size(self.batch_size))
        try:
            for doc in cursor:
                if cutoff is not None and doc["created_at"] > cutoff:
                    break  # younger events belong to the live path of the process that wrote them
                if doc["_id"] not in done and doc["_id"] not in self._fresh_ids \
                        and doc.get("not_before", EPOCH) <= at:
                    docs.append(doc)
                    events += len(doc["events"])
                    if events >= self.batch_size:
                        return docs, True
        finally:
            cursor.close()
        return docs, False

    def _publish_batch(self, position: Any, done: set[str], marks: list[Future[Any]],
                       min_age: timedelta | None = None) -> tuple[int, Any, bool, bool]:
        """Publish one batch of due documents: (events published, new position, more may
        follow, broker reachable)."""
        docs, more = self._due(position, done, min_age)
        if not docs:
            return 0, position, False, True
        published, ok = self._publish(docs, marks)
        done.update(d["_id"] for d in docs)
        return published, docs[-1]["created_at"], more, ok

    def backoff(self, attempts: int) -> timedelta:
        """How long an event unroutable `attempts` times waits before the next try."""
        return timedelta(seconds=min(self.unroutable_backoff_cap, self.unroutable_backoff * 2 ** max(0, attempts - 1)))

    def _publish(self, docs: list[dict[str, Any]], marks: list[Future[Any]] | None = None) -> tuple[int, bool]:
        """Publish the events of outbox documents with confirms; remove the documents whose events
        the broker all confirmed and keep the rest of the others (in the marker thread), back off
        or park what could not be routed, and report (events published, broker reachable)."""
        events = [e for d in docs for e in d["events"]]
        result = self.publisher.publish_batch(
            [{"id": e["id"], "type": e["type"], "correlation_id": e.get("correlation_id"),
              "producer": e.get("producer"), "trace": e.get("trace")} for e in events],
            [e["body"].encode() for e in events],
        )
        at = now()
        confirmed = set(result.confirmed)
        types = {e["id"]: e["type"] for e in events}
        for event_id in result.unroutable:
            log.warning("event unroutable; kept in outbox", extra={"event_id": event_id, "type": types[event_id]})
            metrics.EVENTS_UNROUTABLE.labels(self.service, types[event_id]).inc()
        ops: list[Any] = []
        parked: list[dict[str, Any]] = []
        for doc in docs:
            left = [e for e in doc["events"] if e["id"] not in confirmed]
            for e in doc["events"]:
                if e["id"] in confirmed:
                    metrics.RELAY_LAG.labels(self.service).observe(max(0.0, (at - _aware(doc["created_at"])).total_seconds()))
            if not left:
                ops.append(DeleteOne({"_id": doc["_id"]}))
                continue
            reasons = [result.unroutable.get(e["id"]) or result.failed.get(e["id"]) for e in left]
            reason = next((r for r in reasons if r), None)
            update: dict[str, Any] = {"events": left, "last_error": reason}
            if any(e["id"] in result.unroutable for e in left):
                attempts = int(doc.get("attempts", 0)) + 1
                if attempts >= self.max_attempts:
                    parked.append({**doc, **update, "attempts": attempts, "parked_at": at,
                                   "parked_reason": f"unroutable after {attempts} attempts: {reason}"})
                    ops.append(DeleteOne({"_id": doc["_id"]}))
                    for e in left:
                        log.error("event parked: still unroutable", extra={
                            "event_id": e["id"], "type": e["type"], "attempts": attempts})
                        metrics.EVENTS_PARKED.labels(self.service, e["type"]).inc()
                    continue
                update["attempts"] = attempts
                update["not_before"] = at + self.backoff(attempts)
            ops.append(UpdateOne({"_id": doc["_id"]}, {"$set": update}))
        if ops:
            mark = self._marker.submit(self._mark, parked, ops)
            if marks is not None:
                marks.append(mark)
        counts: dict[str, int] = {}
        for event_id in result.confirmed:
            counts[types[event_id]] = counts.get(types[event_id], 0) + 1
        for type_, n in counts.items():
            metrics.EVENTS_PUBLISHED.labels(self.service, type_).inc(n)
        if result.failed:
            metrics.PUBLISH_FAILURES.labels(self.service).inc(len(result.failed))
            self._stop.wait(0.5)  # the broker is away: do not spin
            return len(result.confirmed), False
        return len(events), True

    def _mark(self, parked: list[dict[str, Any]], ops: list[Any]) -> None:
        """Write the outcome of a publish: park first (a crash in between leaves a document in both
        places, published again at worst), then update and remove the outbox documents."""
        if parked:
            self.parked.bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in parked], ordered=False)
        self.outbox.bulk_write(ops, ordered=False)


def _aware(at: datetime) -> datetime:
    """Datetimes from a store without tz_aware come back naive: they are UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=now().tzinfo)


def replay_parked(db: Database[Any], event_ids: list[str] | None = None) -> int:
    """Put parked outbox documents (all, or those holding one of event_ids) back for the relay; return how many."""
    query: dict[str, Any] = {} if event_ids is None else {"events.id": {"$in": event_ids}}
    moved = 0
    for doc in db[PARKED].find(query):
        doc = {k: v for k, v in doc.items() if k not in ("parked_at", "parked_reason")}
        doc.update(attempts=0, not_before=EPOCH, last_error=None)
        db[OUTBOX].replace_one({"_id": doc["_id"]}, doc, upsert=True)
        db[PARKED].delete_one({"_id": doc["_id"]})
        moved += 1
    return moved
