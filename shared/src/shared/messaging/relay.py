"""The outbox relay: publishes pending outbox events, then marks them sent.

Woken at once after each commit in its own process; a slower poll is only the safety net that
picks up what another (crashed) process left behind. Claims use a lease, so several relays can
run against one outbox without publishing the same event at the same time, and a relay that
dies mid-batch leaves its claim to expire.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import timedelta

from pymongo import ASCENDING
from pymongo.database import Database

from shared import metrics
from shared.messaging.publisher import ConfirmingPublisher
from shared.mongo import OUTBOX, now

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        publisher: ConfirmingPublisher,
        *,
        service: str,
        poll_interval: float = 1.0,
        batch_size: int = 500,
        lease_seconds: float = 30.0,
        unroutable_backoff: float = 15.0,
    ):
        self.outbox = db[OUTBOX]
        self.publisher = publisher
        self.service = service
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self.unroutable_backoff = timedelta(seconds=unroutable_backoff)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

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

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                while self.relay_once() and not self._stop.is_set():
                    pass
                self.publisher.heartbeat_check()
            except Exception:
                log.exception("outbox relay pass failed; will retry")
                self._stop.wait(min(self.poll_interval, 1.0))

    # -- one pass -----------------------------------------------------------------------------
    def claim(self) -> list[dict]:
        """Lease a batch of due pending events to this relay, oldest first."""
        at = now()
        due = {"status": "pending", "lease_until": {"$lt": at}}
        ids = [d["_id"] for d in self.outbox.find(due, {"_id": 1}).sort("created_at", ASCENDING).limit(self.batch_size)]
        if not ids:
            return []
        token = uuid.uuid4().hex
        self.outbox.update_many(
            {"_id": {"$in": ids}, **due}, {"$set": {"lease_until": at + self.lease, "claim": token}}
        )
        return list(self.outbox.find({"claim": token, "status": "pending"}).sort("created_at", ASCENDING))

    def relay_once(self) -> int:
        """Publish one batch; return how many events it took (0 when nothing was due)."""
        docs = self.claim()
        if not docs:
            metrics.OUTBOX_PENDING.labels(self.service).set(0)
            return 0
        envelopes = [d["envelope"] for d in docs]
        bodies = [json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode() for e in envelopes]
        result = self.publisher.publish_batch(envelopes, bodies)
        at = now()
        if result.confirmed:
            self.outbox.update_many(
                {"_id": {"$in": result.confirmed}},
                {"$set": {"status": "sent", "sent_at": at, "claim": None}, "$inc": {"attempts": 1}},
            )
            by_type = {}
            for d in docs:
                if d["_id"] in set(result.confirmed):
                    by_type[d["type"]] = by_type.get(d["type"], 0) + 1
            for type_, n in by_type.items():
                metrics.EVENTS_PUBLISHED.labels(self.service, type_).inc(n)
        types = {d["_id"]: d["type"] for d in docs}
        for event_id, reason in result.unroutable.items():
            # Nobody is bound to this type: keep it pending (nothing is lost), back off, report.
            log.error("event unroutable; kept in outbox", extra={"event_id": event_id, "type": types[event_id]})
            metrics.EVENTS_UNROUTABLE.labels(self.service, types[event_id]).inc()
            self.outbox.update_one(
                {"_id": event_id},
                {"$set": {"lease_until": at + self.unroutable_backoff, "last_error": reason, "claim": None},
                 "$inc": {"attempts": 1}},
            )
        if result.failed:
            metrics.PUBLISH_FAILURES.labels(self.service).inc(len(result.failed))
            # Release the lease at once so the next pass retries them.
            self.outbox.update_many(
                {"_id": {"$in": list(result.failed)}},
                {"$set": {"lease_until": at, "claim": None, "last_error": next(iter(result.failed.values()))}},
            )
            self._stop.wait(0.5)
        return len(docs) if result.confirmed else 0

    def pending_count(self) -> int:
        return self.outbox.count_documents({"status": "pending"})
