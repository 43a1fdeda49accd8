"""Scoring a library and keeping its stored score, certificate state and figures summary in step.

`evaluate` is the one place a library is scored: after an evidence or registration event, an
adjustment, a rebuild, a model publication or a daily re-score. It returns the changes to store
and the events to emit; callers write both in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from scoring import store
from scoring.domain import (
    MODEL_V1,
    CertificateState,
    Counts,
    Emit,
    Model,
    Profile,
    Projection,
    Score,
    count_items,
    new_certificate_state,
    observe_score,
    score,
    score_counts,
    summarize_library,
)
from scoring.domain.evidence import items_from_rows
from scoring.domain.progress import READY_FOR_REVIEW
from shared.mongo import ServiceStore, Tx

Clock = Callable[[], datetime]
BATCH_SIZE = 200


def utcnow() -> datetime:
    return datetime.now(UTC)


def profile_of(lib: Mapping[str, Any]) -> Profile:
    return Profile.from_dict({"library_id": lib["_id"], "adjustments": lib.get("adjustments") or []})


def lifecycle_of(lib: Mapping[str, Any]) -> CertificateState:
    data = lib.get("lifecycle")
    return CertificateState.from_dict(data) if data else new_certificate_state(lib["_id"])


def compute(model: Model, lib: Mapping[str, Any], now: datetime, projection: Callable[[], Projection]) -> Score:
    """The library's score now: from the counts stored with its last score when they cover the
    model today, else by counting the items of `projection()` (read only then)."""
    counts = stored_counts(store.score_of(lib), model, now)
    if counts is not None:
        return score_counts(model, profile_of(lib), counts, lib.get("staff_count"))
    return score(model, profile_of(lib), projection().items(), lib.get("staff_count"), now.date())


def stored_counts(previous: Mapping[str, Any], model: Model, now: datetime) -> Counts | None:
    """The counts stored with a library's last score (`store.score_of`), if they score `model` today."""
    data = previous.get("counts")
    if not data:
        return None
    counts = Counts.from_dict(data)
    return counts if counts.covers(model, now.date()) else None


def _comparable(payload: Mapping[str, Any] | None) -> dict[str, Any] | None:
    # A new model version alone is not a change of the library's score.
    return None if payload is None else {k: v for k, v in payload.items() if k != "model_version"}


def evaluate(
    model: Model, lib: Mapping[str, Any], proj: Projection, now: datetime
) -> tuple[dict[str, Any], list[Emit]]:
    """Score one library; return the fields to $set on its document and the events to emit."""
    return evaluate_items(model, lib, proj.items(), now)


def evaluate_items(
    model: Model, lib: Mapping[str, Any], items: list, now: datetime, previous: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[Emit]]:
    """`evaluate` with the projection's items already built (they are the costly part)."""
    counts = count_items(model, items, now.date())
    changes, events = evaluate_counts(model, lib, counts, now, previous)
    summary = summarize_library(lib["_id"], items, status="")
    # Packed as a JSON string (store.summary_of reads it); it depends on the items only.
    changes["summary"] = store.pack_value({
        "by_month": {m: list(v) for m, v in summary.by_month.items()},
        "undated": list(summary.undated),
        "sdgs": list(summary.sdgs),
        "partners": list(summary.partners),
    })
    return changes, events


def evaluate_counts(
    model: Model, lib: Mapping[str, Any], counts: Counts, now: datetime, previous: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[Emit]]:
    """Score one library from its counts: the fields to $set (all but the figures summary, which
    depends on the items alone) and the events to emit. `previous` is `store.score_of(lib)` when
    the caller has already unpacked it."""
    s = score_counts(model, profile_of(lib), counts, lib.get("staff_count"))
    payload = s.changed_payload()
    events: list[Emit] = []
    previous = store.score_of(lib) if previous is None else previous
    if _comparable(payload) != _comparable(previous.get("payload")):
        events.append(Emit("score.changed", payload))
    before = lifecycle_of(lib)
    after, emits = observe_score(before, s, now, lib.get("name"))
    events += emits
    changes: dict[str, Any] = {
        # Packed as a JSON string (store.score_of reads it), with the counts it was scored from.
        "score": store.pack_value({"payload": payload, "missing_en": list(s.missing_en), "counts": counts.to_dict()}),
        "score_status": s.status,
        "overall_provisional": payload["provisional"],
        "model_version": model.version,
        "scored_on": now.date().isoformat(),
        "scored_at": now,
    }
    if after != before:
        changes["lifecycle"] = after.to_dict()
    if after.status == READY_FOR_REVIEW and before.status != READY_FOR_REVIEW:
        changes["ready_at"] = now
    return changes, events


_MISSING = object()


def changed_fields(lib: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes that differ from what the library document holds (the rest need no write)."""
    return {k: v for k, v in changes.items() if lib.get(k, _MISSING) != v}


def emit_all(tx: Tx, events: list[Emit]) -> None:
    for e in events:
        tx.emit(e.type, e.payload)


def model_in(tx: Tx) -> Model:
    return store.current_model(tx.db, tx.session) or MODEL_V1


def rescore_in(tx: Tx, library_id: str, now: datetime, proj: Projection | None = None,
              lib: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Re-score one library inside a transaction, storing the result and emitting what changed.

    `lib` is the library document as it stands in this transaction, when the caller has it."""
    lib = lib if lib is not None else store.ensure_library(tx.db, library_id, now, tx.session)
    proj = proj if proj is not None else store.projection(tx.db, library_id, tx.session)
    changes, events = evaluate(model_in(tx), lib, proj, now)
    store.update_library(tx.db, library_id, changed_fields(lib, changes), tx.session)
    emit_all(tx, events)
    return {**lib, **changes}


def rescore_all(
    service_store: ServiceStore, now: datetime, query: Mapping[str, Any] | None = None, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """Re-score every library matching `query`, `batch_size` libraries per transaction.

    The matching ids are listed first; each batch then reads its span of libraries (still
    matching) and their evidence with one range query each, scores them in memory and writes
    the changed fields with one bulk write plus the batch's events, all in one commit.
    """
    query = dict(query or {})
    ids = store.library_ids(service_store.db, query)
    totals = {"libraries": 0, "changed": 0}
    for start in range(0, len(ids), batch_size):
        first, last = ids[start], ids[min(start + batch_size, len(ids)) - 1]

        def batch(tx: Tx, first: str = first, last: str = last) -> tuple[int, int]:
            libs = store.libraries_between(tx.db, query, first, last, tx.session)
            if not libs:
                return 0, 0
            model = model_in(tx)
            # A model version that changes only targets, weights or texts is scored from the
            # counts stored with each library's score; the evidence is read only when it must be
            # counted again (the model counts differently, or the counts are from another day).
            previous = {lib["_id"]: store.score_of(lib) for lib in libs}  # each unpacked once
            counts = {lid: stored_counts(score, model, now) for lid, score in previous.items()}
            rows = (store.evidence_rows_between(tx.db, first, last, tx.session)
                    if any(c is None for c in counts.values()) else {})
            updates, changed = [], 0
            for lib in libs:
                lid = lib["_id"]
                known = counts[lid]
                if known is not None:
                    changes, events = evaluate_counts(model, lib, known, now, previous[lid])
                else:
                    changes, events = evaluate_items(model, lib, items_from_rows(rows.get(lid) or {}), now,
                                                     previous[lid])
                updates.append((lid, changed_fields(lib, changes)))
                emit_all(tx, events)
                changed += any(e.type == "score.changed" for e in events)
            store.bulk_update_libraries(tx.db, updates, tx.session)
            return len(libs), changed

        n, changed = service_store.transact(batch)
        totals["libraries"] += n
        totals["changed"] += changed
    return totals
