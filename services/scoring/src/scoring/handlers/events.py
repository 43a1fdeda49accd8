"""Consumed events: registration events keep the library projection (and cohort events the cohort
names), evidence events the evidence projection; each is applied, the library re-scored and the
inbox marked in one commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scoring import store
from scoring.config import Settings
from scoring.domain import Projection, apply
from scoring.domain.evidence import EVENT_TYPES as EVIDENCE_EVENT_TYPES
from scoring.handlers.core import rescore_in, utcnow
from shared.events import Event
from shared.mongo import ServiceStore, Tx

CONSUMER = "scoring"

# Injectable clock for consumed events (tests replace it; production uses the wall clock).
clock: Callable[[], datetime] = utcnow

LIBRARY_FIELDS = ("name", "municipality", "kind", "isil", "staff_count", "status", "open_branch_count")


def _transact(service_store: ServiceStore, evt: Event, fn: Callable[[Tx], Any]) -> Any:
    return service_store.transact(fn, inbox=(CONSUMER, evt.id))


def library_event_in(tx: Tx, evt: Event, now: datetime) -> None:
    """library.registered / activated / updated / withdrawn: keep the newest snapshot, re-score."""
    p = evt.payload
    lib = store.ensure_library(tx.db, p["library_id"], now, tx.session)
    if p["version"] <= lib.get("reg_version", 0):
        return  # an older snapshot than the one we hold: order guard
    changes = {k: p.get(k) for k in LIBRARY_FIELDS}
    changes.update(reg_version=p["version"], registered=True)
    if evt.type == "library.registered":
        changes["registered_at"] = p.get("registered_at")
    store.update_library(tx.db, p["library_id"], changes, tx.session)
    rescore_in(tx, p["library_id"], now, lib={**lib, **changes})


def enrolment_started_in(tx: Tx, evt: Event, now: datetime) -> None:
    """A library joined a cohort; the latest started enrolment that has not ended is the cohort."""
    p = evt.payload
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


def enrolment_withdrawn_in(tx: Tx, evt: Event, now: datetime) -> None:
    p = evt.payload
    lib = store.ensure_library(tx.db, p["library_id"], now, tx.session)
    ended = sorted({*(lib.get("ended_enrolments") or []), p["enrolment_id"]})
    changes: dict[str, Any] = {"ended_enrolments": ended}
    if lib.get("enrolment_id") == p["enrolment_id"]:
        changes.update(cohort_id=None, cohort_name=None, enrolment_id=None)
    store.update_library(tx.db, p["library_id"], changes, tx.session)
    rescore_in(tx, p["library_id"], now)


def cohort_event_in(tx: Tx, evt: Event, now: datetime) -> None:
    """cohort.created / cohort.updated: keep the newest name for the figures (nothing to re-score)."""
    store.save_cohort_if_newer(tx.db, evt.payload, tx.session)


def evidence_event_in(tx: Tx, evt: Event, now: datetime) -> None:
    """evidence.*, action_plan.*, case.shared: fold into the projection; re-score if it moved."""
    library_id = evt.payload["library_id"]
    before = store.projection(tx.db, library_id, tx.session)
    after = apply(before, evt)
    if after == before:
        return  # a duplicate or an older revision: nothing to score
    store.replace_projection(tx.db, after, tx.session)
    rescore_in(tx, library_id, now, after)


IN_TX: dict[str, Callable[[Tx, Event, datetime], None]] = {
    "library.registered": library_event_in,
    "library.activated": library_event_in,
    "library.updated": library_event_in,
    "library.withdrawn": library_event_in,
    "enrolment.started": enrolment_started_in,
    "enrolment.withdrawn": enrolment_withdrawn_in,
    "cohort.created": cohort_event_in,
    "cohort.updated": cohort_event_in,
    **{t: evidence_event_in for t in sorted(EVIDENCE_EVENT_TYPES)},
}


def handle(service_store: ServiceStore, evt: Event, settings: Settings | None = None) -> None:
    """One event, in one transaction with its inbox mark."""
    now = clock()
    _transact(service_store, evt, lambda tx: IN_TX[evt.type](tx, evt, now))


def handle_batch(service_store: ServiceStore, events: list[Event], settings: Settings | None = None) -> None:
    """The events already waiting, in one transaction marking each in the inbox.

    Evidence events are folded into their library's projection in order and each library is
    scored once, at the end (or before a registration event for it, which scores it itself):
    under load a library's burst of evidence costs one read, one score and one write. If any
    event was already processed the transaction fails and the consumer handles them one by one.
    """
    now = clock()

    def fn(tx: Tx) -> None:
        folded: dict[str, tuple[Projection, Projection]] = {}

        def settle(library_id: str | None = None) -> None:
            for lid in [library_id] if library_id is not None else list(folded):
                if lid in folded:
                    before, after = folded.pop(lid)
                    if after != before:
                        store.replace_projection(tx.db, after, tx.session)
                        rescore_in(tx, lid, now, after)

        for evt in events:
            if evt.type in EVIDENCE_EVENT_TYPES:
                lid = evt.payload["library_id"]
                if lid not in folded:
                    current = store.projection(tx.db, lid, tx.session)
                    folded[lid] = (current, current)
                before, after = folded[lid]
                folded[lid] = (before, apply(after, evt))
            else:
                settle(evt.payload.get("library_id"))
                IN_TX[evt.type](tx, evt, now)
        settle()

    service_store.transact(fn, inbox=[(CONSUMER, e.id) for e in events])


EVENT_HANDLERS: dict[str, Callable[[ServiceStore, Event, Settings], None]] = {t: handle for t in IN_TX}
