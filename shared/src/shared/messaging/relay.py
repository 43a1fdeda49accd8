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
"""

from __future__ import annotations

import collections
import functools
import logging
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, DeleteOne, ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from shared import metrics
from shared.messaging.publisher import ConfirmingPublisher
from shared.mongo import EPOCH, OUTBOX, now

log = logging.getLogger(__name__)

LOCKS = "outbox_lock"


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        publisher: ConfirmingPublisher,
        *,
        service: str,
        poll_interval: float = 1.0,
        batch_size: int = 500,
        lease_seconds: float = 15.0,
        unroutable_backoff: float = 15.0,
        grace_seconds: float = 5.0,
        max_fresh: int = 10_000,
    ):
        self.outbox = db[OUTBOX]
        self.locks = db[LOCKS]
        self.publisher = publisher
        self.service = service
        self.owner = uuid.uuid4().hex
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self.unroutable_backoff = timedelta(seconds=unroutable_backoff)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._marker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"outbox-mark-{service}")
        self.grace = timedelta(seconds=grace_seconds)
        self.max_fresh = max_fresh
        self._fresh: collections.deque[dict] = collections.deque()
        self._fresh_events = 0  # events in the documents held in _fresh
        # Ids of the documents the live path holds or is publishing: the sweep leaves them alone
        # (a document delayed past the grace period would otherwise be published twice).
        self._fresh_ids: set[str] = set()
        self._fresh_lock = threading.Lock()
        self._next_sweep = 0.0

    # -- lifecycle ----------------------------------------------------------------------------
    def wake(self, docs: list[dict] | None = None) -> None:
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
            marks: list[Future] = []
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

    def _release_fresh(self, ids: list[str], _mark: Future | None = None) -> None:
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
        marks: list[Future] = []
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

    def _due(self, position, done: set[str], min_age: timedelta | None = None) -> tuple[list[dict], bool]:
        """Outbox documents due from `position` on, up to about batch_size events, and whether
        more may follow."""
        at = now()
        cutoff = at - min_age if min_age else None
        # An ordered index scan (a range on created_at); the few documents backing off because
        # nobody is bound to an event's type are skipped here rather than in the query, which
        # would make the store sort the whole outbox.
        docs: list[dict] = []
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

    def _publish_batch(self, position, done: set[str], marks: list[Future],
                       min_age: timedelta | None = None) -> tuple[int, Any, bool, bool]:
        """Publish one batch of due documents: (events published, new position, more may
        follow, broker reachable)."""
        docs, more = self._due(position, done, min_age)
        if not docs:
            metrics.OUTBOX_PENDING.labels(self.service).set(0)
            return 0, position, False, True
        published, ok = self._publish(docs, marks)
        done.update(d["_id"] for d in docs)
        return published, docs[-1]["created_at"], more, ok

    def _publish(self, docs: list[dict], marks: list[Future] | None = None) -> tuple[int, bool]:
        """Publish the events of outbox documents with confirms; remove the documents whose events
        the broker all confirmed and keep the rest of the others (in the marker thread), back off
        what nobody is bound to, and report (events published, broker reachable)."""
        events = [e for d in docs for e in d["events"]]
        result = self.publisher.publish_batch(
            [{"id": e["id"], "type": e["type"], "correlation_id": e.get("correlation_id"), "producer": e.get("producer")}
             for e in events],
            [e["body"].encode() for e in events],
        )
        at = now()
        confirmed = set(result.confirmed)
        types = {e["id"]: e["type"] for e in events}
        for event_id in result.unroutable:
            # Nobody is bound to this type: keep it pending (nothing is lost), back off, report.
            log.error("event unroutable; kept in outbox", extra={"event_id": event_id, "type": types[event_id]})
            metrics.EVENTS_UNROUTABLE.labels(self.service, types[event_id]).inc()
        ops: list = []
        for doc in docs:
            left = [e for e in doc["events"] if e["id"] not in confirmed]
            if not left:
                ops.append(DeleteOne({"_id": doc["_id"]}))
                continue
            reasons = [result.unroutable.get(e["id"]) or result.failed.get(e["id"]) for e in left]
            update: dict[str, Any] = {"events": left, "last_error": next((r for r in reasons if r), None)}
            if any(e["id"] in result.unroutable for e in left):
                update["not_before"] = at + self.unroutable_backoff
            ops.append(UpdateOne({"_id": doc["_id"]}, {"$set": update, "$inc": {"attempts": 1}}))
        if ops:
            mark = self._marker.submit(self.outbox.bulk_write, ops, ordered=False)
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
