"""Consumed events: registration events keep the library projection, evidence events the
evidence projection; each is applied, the library re-scored and the inbox marked in one commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scoring import store
from scoring.domain import apply
from scoring.domain.evidence import EVENT_TYPES as EVIDENCE_EVENT_TYPES
from scoring.handlers.core import rescore_in, utcnow
from shared.config import Settings
from shared.events import Event
from shared.mongo import ServiceStore, Tx

CONSUMER = "scoring"

# Injectable clock for consumed events (tests replace it; production uses the wall clock).
clock: Callable[[], datetime] = utcnow

LIBRARY_FIELDS = ("name", "municipality", "kind", "isil", "staff_count", "status", "open_branch_count")


def _transact(service_store: ServiceStore, evt: Event, fn: Callable[[Tx], Any]) -> Any:
    return service_store.transact(fn, inbox=(CONSUMER, evt.id))


def on_library_event(service_store: ServiceStore, evt: Event, settings: Settings | None = None) -> None:
    """library.registered / activated / updated / withdrawn: keep the newest snapshot, re-score."""
    p = evt.payload
    now = clock()

    def fn(tx: Tx) -> None:
        lib = store.ensure_library(tx.db, p["library_id"], now, tx.session)
        if p["version"] <= lib.get("reg_version", 0):
            return  # an older snapshot than the one we hold: order guard
        changes = {k: p.get(k) for k in LIBRARY_FIELDS}
        changes.update(reg_version=p["version"], registered=True)
        if evt.type == "library.registered":
            changes["registered_at"] = p.get("registered_at")
        store.update_library(tx.db, p["library_id"], changes, tx.session)
        rescore_in(tx, p["library_id"], now, lib={**lib, **changes})

    _transact(service_store, evt, fn)


def on_enrolment_started(service_store: ServiceStore, evt: Event, settings: Settings | None = None) -> None:
    """A library joined a cohort; the latest started enrolment that has not ended is the cohort."""
    p = evt.payload
    now = clock()

    def fn(tx: Tx) -> None:
        lib = store.ensure_library(tx.db, p["library_id"], now, tx.session)
        if p["enrolment_id"] in (lib.get("ended_enrolments") or []):
            return  # its withdrawal overtook it
        current = lib.get("enrolment_started_at")
        started = p["started_at"]
        if current is not None and str(current) > str(started):
            return
        store.update_library(tx.db, p["library_id"], {
            "cohort_id": p["cohort_id"], "cohort_name": p["cohort_name"], "enrolment_id": p["enrolment_id"],
            "enrolment_started_at": started,
            **({"municipality": p["municipality"]} if not lib.get("municipality") else {}),
            **({"name": p["library_name"]} if not lib.get("name") else {}),
        }, tx.session)
        rescore_in(tx, p["library_id"], now)

    _transact(service_store, evt, fn)


def on_enrolment_withdrawn(service_store: ServiceStore, evt: Event, settings: Settings | None = None) -> None:
    p = evt.payload
    now = clock()

    def fn(tx: Tx) -> None:
        lib = store.ensure_library(tx.db, p["library_id"], now, tx.session)
        ended = sorted({*(lib.get("ended_enrolments") or []), p["enrolment_id"]})
        changes: dict[str, Any] = {"ended_enrolments": ended}
        if lib.get("enrolment_id") == p["enrolment_id"]:
            changes.update(cohort_id=None, cohort_name=None, enrolment_id=None)
        store.update_library(tx.db, p["library_id"], changes, tx.session)
        rescore_in(tx, p["library_id"], now)

    _transact(service_store, evt, fn)


def on_evidence_event(service_store: ServiceStore, evt: Event, settings: Settings | None = None) -> None:
    """evidence.*, action_plan.*, case.shared: fold into the projection; re-score if it moved."""
    library_id = evt.payload["library_id"]
    now = clock()

    def fn(tx: Tx) -> None:
        before = store.projection(tx.db, library_id, tx.session)
        after = apply(before, evt)
        if after == before:
            return  # a duplicate or an older revision: nothing to score
        store.replace_projection(tx.db, after, tx.session)
        rescore_in(tx, library_id, now, after)

    _transact(service_store, evt, fn)


EVENT_HANDLERS: dict[str, Callable[[ServiceStore, Event, Settings], None]] = {
    "library.registered": on_library_event,
    "library.activated": on_library_event,
    "library.updated": on_library_event,
    "library.withdrawn": on_library_event,
    "enrolment.started": on_enrolment_started,
    "enrolment.withdrawn": on_enrolment_withdrawn,
    **{t: on_evidence_event for t in sorted(EVIDENCE_EVENT_TYPES)},
}
