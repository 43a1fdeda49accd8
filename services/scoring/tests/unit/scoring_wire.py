"""Evidence events exactly as the evidence service publishes them, validated by the shared catalogue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.events import Event, new_event

ACTOR = {"person_id": "p1", "name": "Karen", "role": "coordinator"}
ASSESSOR = {"person_id": "a1", "name": "Assessor", "role": "assessor"}


def snapshot(item_id: str, revision: int, status: str, library_id: str = "lib1", **content: Any) -> dict:
    return {
        "item_id": item_id,
        "library_id": library_id,
        "revision": revision,
        "status": status,
        "kind": "activity",
        "title": "Reparationscafé",
        "dimension": "faellesskaber",
        **content,
    }


def evidence(type_: str, snap: dict, at: datetime | None = None, **extra: Any) -> Event:
    # The evidence service repeats a few snapshot fields at the top of the payload.
    header = {k: snap.get(k) for k in ("item_id", "library_id", "revision", "status", "kind", "title")}
    payload = {**header, "item": snap, "actor": ASSESSOR if type_ == "evidence.reviewed" else ACTOR, **extra}
    if type_ == "evidence.reviewed":
        payload["reviewer"] = ASSESSOR
        payload.setdefault("decision", snap["status"])
    return new_event(type_, payload, producer="evidence", now=at or datetime(2024, 5, 1, tzinfo=UTC))


def plan(type_: str, plan_id: str, revision: int, status: str, version: int = 1, at: datetime | None = None) -> Event:
    snap = {
        "plan_id": plan_id,
        "library_id": "lib1",
        "revision": revision,
        "version": version,
        "status": status,
        "start_year": 2024,
        "end_year": 2026,
        "goals": [{"dimension": "drift", "title": "Mindre affald", "sdgs": [12]}],
    }
    payload = {
        "plan_id": plan_id,
        "library_id": "lib1",
        "revision": revision,
        "version": version,
        "status": status,
        "plan": snap,
        "actor": ACTOR,
    }
    return new_event(type_, payload, producer="evidence", now=at or datetime(2024, 5, 1, tzinfo=UTC))
