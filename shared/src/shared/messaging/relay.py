"""The outbox relay: publishes pending outbox events, then marks them sent by
removing them (the outbox holds exactly the events not yet confirmed by the broker; a delete is
the cheapest per-event write on the store).

Woken at once after each commit in its own process; a slower poll is only the safety net that
picks up what another (crashed) process left behind. One relay drains a service's outbox at a
time, under a short lease renewed every batch: events go out in commit order without two relays
racing, and a relay that dies mid-pass leaves a lease that simply expires. Everything is
at-least-once: an event published but not yet marked is published again, and consumers' inboxes
absorb the repeat.
"""

from __future__ import annotations

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

    # -- lifecycle ----------------------------------------------------------------------------
    def wake(self, *_events) -> None:
        self._wake.set()

    def start(self) -> OutboxRelay:
        self._thread = threading.Thread(target=self._run, name=f"outbox-relay-{self.service}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.publisher.close()
        self._marker.shutdown(wait=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            woken = self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.drain(patience=self.poll_interval if woken else 0.0)
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

    # -- passes -------------------------------------------------------------------------------
    def drain(self, patience: float = 0.0) -> int:
        """Publish everything due. If another relay holds the lease, retry for up to `patience`
        seconds (it is most likely publishing our events already).

        Marking a batch sent (a store write per event) overlaps with reading and publishing the
        next batch: the pass walks forward from the position it reached, so an event whose
        mark is still in flight is never read twice in one pass. Events committed behind that
        position while the pass ran are taken by the next pass, which starts from the beginning.
        """
        deadline = time.monotonic() + patience
        while not self._acquire():
            if time.monotonic() >= deadline or self._stop.is_set():
                return 0
            time.sleep(0.01)
        total = 0
        position: Any = EPOCH
        done: set[str] = set()
        marks: list[Future] = []
        try:
            while not self._stop.is_set():
                n, position, ok = self._publish_batch(position, done, marks)
                total += n
                if n < self.batch_size or not ok:
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

    def relay_once(self) -> int:
        """One pass under the lease (for tests and tools)."""
        return self.drain()

    def _due(self, position, done: set[str]) -> list[dict]:
        at = now()
        # An ordered index scan (a range on created_at); the few events backing off because
        # nobody is bound to their type are skipped here rather than in the query, which would
        # make the store sort the whole outbox.
        docs: list[dict] = []
        cursor = (self.outbox.find({"created_at": {"$gte": position}})
                  .sort("created_at", ASCENDING).batch_size(self.batch_size))
        try:
            for doc in cursor:
                if doc["_id"] not in done and doc.get("not_before", EPOCH) <= at:
                    docs.append(doc)
                    if len(docs) >= self.batch_size:
                        break
        finally:
            cursor.close()
        return docs

    def _publish_batch(self, position, done: set[str], marks: list[Future]) -> tuple[int, object, bool]:
        docs = self._due(position, done)
        if not docs:
            metrics.OUTBOX_PENDING.labels(self.service).set(0)
            return 0, position, True
        result = self.publisher.publish_batch([d["envelope"] for d in docs])
        at = now()
        types = {d["_id"]: d["type"] for d in docs}
        ops: list = [DeleteOne({"_id": event_id}) for event_id in result.confirmed]
        for event_id, reason in result.unroutable.items():
            # Nobody is bound to this type: keep it pending (nothing is lost), back off, report.
            log.error("event unroutable; kept in outbox", extra={"event_id": event_id, "type": types[event_id]})
            metrics.EVENTS_UNROUTABLE.labels(self.service, types[event_id]).inc()
            ops.append(UpdateOne({"_id": event_id}, {
                "$set": {"not_before": at + self.unroutable_backoff, "last_error": reason}, "$inc": {"attempts": 1}}))
        for event_id, reason in result.failed.items():
            ops.append(UpdateOne({"_id": event_id}, {"$set": {"last_error": reason}, "$inc": {"attempts": 1}}))
        if ops:
            marks.append(self._marker.submit(self.outbox.bulk_write, ops, ordered=False))
        done.update(d["_id"] for d in docs)
        counts: dict[str, int] = {}
        for event_id in result.confirmed:
            counts[types[event_id]] = counts.get(types[event_id], 0) + 1
        for type_, n in counts.items():
            metrics.EVENTS_PUBLISHED.labels(self.service, type_).inc(n)
        if result.failed:
            metrics.PUBLISH_FAILURES.labels(self.service).inc(len(result.failed))
            self._stop.wait(0.5)  # the broker is away: do not spin
            return 0, position, False
        return len(docs), docs[-1]["created_at"], True

    def pending_count(self) -> int:
        return self.outbox.count_documents({})
