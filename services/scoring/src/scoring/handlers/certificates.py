"""Certificates: award, renew, revoke and check in (assessor decisions), the time-driven
scheduler (check-in reminders, lapses, the daily re-score) and public verification."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from scoring import store
from scoring.domain import award, complete_checkin, renew, revoke, tick, verification_status
from scoring.domain.certificate import CERTIFIED, CHECKIN_DUE
from scoring.handlers.core import compute, lifecycle_of, model_in, rescore_all, utcnow
from shared.mongo import ServiceStore, Tx

log = logging.getLogger(__name__)

DECISIONS = ("award", "renew", "revoke", "check_in")


class LibraryNotFound(LookupError):
    code = "library_not_found"
    field = "library_id"
    message_da = "Biblioteket findes ikke"
    message_en = "No such library"


def _library(tx: Tx, library_id: str) -> dict:
    lib = store.library(tx.db, library_id, tx.session)
    if lib is None:
        raise LibraryNotFound(library_id)
    return lib


def decide(service_store: ServiceStore, library_id: str, decision: str, *, by: str, reason: str | None,
           now: datetime) -> dict[str, Any]:
    """Carry out an assessor's certification decision; events in the same commit."""

    def fn(tx: Tx) -> dict[str, Any]:
        lib = _library(tx, library_id)
        state = lifecycle_of(lib)
        if decision == "award":
            current = compute(model_in(tx), lib, now, lambda: store.projection(tx.db, library_id, tx.session))
            new, events = award(state, current, awarded_by=by, now=now)
        elif decision == "renew":
            proj = store.projection(tx.db, library_id, tx.session)
            new, events = renew(state, renewed_by=by, now=now, action_plan_approved_at=proj.latest_plan_approval())
        elif decision == "revoke":
            new, events = revoke(state, revoked_by=by, reason=reason or "", now=now)
        else:
            new, events = complete_checkin(state, by=by, now=now)
        store.update_library(tx.db, library_id, {"lifecycle": new.to_dict(), "certificate_id": new.certificate_id},
                             tx.session)
        for e in events:
            tx.emit(e.type, e.payload)
        return certificate_view(lib | {"lifecycle": new.to_dict()}, now)

    return service_store.transact(fn)


def certificate_view(lib: dict, now: datetime) -> dict[str, Any]:
    """A library's certificate as its staff and assessors see it."""
    state = lifecycle_of(lib)
    ticked = tick(state, now)[0]
    return {
        "library_id": lib["_id"],
        "certificate_id": state.certificate_id,
        "status": ticked.status,
        "verification": verification_status(state, now),
        "awarded_at": state.awarded_at,
        "awarded_by": state.awarded_by,
        "valid_until": state.valid_until,
        "cycle": state.cycle,
        "cycle_start": state.cycle_start,
        "checkins_done": list(state.checkins_done),
        "revoked_at": state.revoked_at,
        "revoke_reason": state.revoke_reason,
        "history": [dict(h) for h in state.history],
    }


def public_certificate(service_store: ServiceStore, certificate_id: str, now: datetime) -> dict[str, Any]:
    """What anyone may know about a certificate id: valid, checkin_due, lapsed, revoked or unknown."""
    lib = store.by_certificate(service_store.db, certificate_id)
    if lib is None:
        return {"certificate_id": certificate_id, "status": "unknown", "library_id": None, "library_name": None,
                "municipality": None, "awarded_at": None, "valid_until": None}
    state = lifecycle_of(lib)
    return {
        "certificate_id": certificate_id,
        "status": verification_status(state, now),
        "library_id": lib["_id"],
        "library_name": lib.get("name"),
        "municipality": lib.get("municipality"),
        "awarded_at": state.awarded_at,
        "valid_until": state.valid_until,
    }


def run_scheduler_once(service_store: ServiceStore, now: datetime | None = None) -> dict[str, int]:
    """Send due check-in reminders, lapse overdue certificates and re-score yesterday's scores.

    Idempotent: the certificate state remembers each reminder and lapse it emitted, so running
    again at the same or a later time never sends one twice.
    """
    now = now or utcnow()
    ids = store.library_ids_by_state(service_store.db, {"lifecycle_status": {"$in": [CERTIFIED, CHECKIN_DUE]}})
    sent = 0
    for library_id in ids:
        def fn(tx: Tx, library_id: str = library_id) -> int:
            lib = store.library(tx.db, library_id, tx.session)
            state = lifecycle_of(lib)
            new, events = tick(state, now)
            if new == state:
                return 0
            store.update_library(tx.db, library_id, {"lifecycle": new.to_dict()}, tx.session)
            for e in events:
                tx.emit(e.type, e.payload)
            return len(events)

        sent += service_store.transact(fn)
    # Scores depend on the date ("in the last 12 months"): re-score what was scored on an earlier day.
    rescored = rescore_all(service_store, now, {"scored_on": {"$lt": now.date().isoformat()}})
    return {"certificates": len(ids), "events": sent, "rescored": rescored["libraries"]}


class Scheduler:
    """Runs run_scheduler_once every `interval` seconds in a daemon thread."""

    def __init__(self, service_store: ServiceStore, interval: float = 3600.0, clock=utcnow):
        self.store, self.interval, self.clock = service_store, interval, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="scoring-scheduler")

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = run_scheduler_once(self.store, self.clock())
                log.info("scheduler ran", extra=result)
            except Exception:  # the next run tries again; a failure must not kill the thread
                log.exception("scheduler run failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
