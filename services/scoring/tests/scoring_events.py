"""Registration and evidence payloads shaped exactly as shared/src/shared/events declares them, for
every level of scoring's tests (tests/conftest.py puts this folder on the path)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chora_testing.identity import as_caller

from shared import identity

ACTOR = {"person_id": "p-coord", "name": "Karen", "role": "coordinator"}
ASSESSOR = {"person_id": "p-assessor", "name": "Asger", "role": "assessor"}


def headers(settings, role: str, library_id: str | None = None, person_id: str = "p1") -> dict[str, str]:
    ident = identity.Identity(person_id=person_id, role=role, library_id=library_id, name="Test")
    return as_caller(ident)


def library(library_id: str, name: str = "Roskilde Bibliotek", staff_count: int = 25, version: int = 1,
            municipality: str = "Roskilde", status: str = "active") -> dict[str, Any]:
    return {
        "library_id": library_id, "version": version, "name": name, "municipality": municipality,
        "kind": "folkebibliotek", "isil": "DK-" + str(abs(hash(library_id)) % 1_000_000).zfill(6),
        "staff_count": staff_count, "status": status, "open_branch_count": 1,
        "registered_at": datetime.now(UTC).isoformat(), "coordinator": None, "confirmation_token": None,
        "token_expires_at": None,
    }


def snapshot(library_id: str, kind: str, dimension: str, *, status: str = "submitted", revision: int = 1,
             item_id: str | None = None, **content: Any) -> dict[str, Any]:
    return {
        "item_id": item_id or uuid.uuid4().hex, "library_id": library_id, "revision": revision, "status": status,
        "kind": kind, "title": f"{kind} {dimension}", "dimension": dimension,
        "date": content.pop("date", date.today().isoformat()), **content,
    }


def evidence_payload(snap: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The event the evidence service would publish for this snapshot's status."""
    header = {k: snap[k] for k in ("item_id", "library_id", "revision", "status", "kind", "title")}
    if snap["status"] in ("approved", "rejected"):
        return "evidence.reviewed", {**header, "item": snap, "actor": ASSESSOR, "reviewer": ASSESSOR,
                                     "decision": snap["status"]}
    return "evidence.submitted", {**header, "item": snap, "actor": ACTOR}


def plan_approved(library_id: str, plan_id: str = "plan-1") -> dict[str, Any]:
    snap = {"plan_id": plan_id, "library_id": library_id, "revision": 2, "version": 1, "status": "approved",
            "start_year": 2024, "end_year": 2026, "goals": [{"dimension": "drift", "title": "Mindre affald",
                                                              "sdgs": [12]}]}
    return {"plan_id": plan_id, "library_id": library_id, "revision": 2, "version": 1, "status": "approved",
            "plan": snap, "actor": ASSESSOR}


def case_shared(library_id: str) -> dict[str, Any]:
    return {"case_id": uuid.uuid4().hex, "item_id": uuid.uuid4().hex, "library_id": library_id, "revision": 1,
            "kind": "activity", "title": "Reparationscafé", "dimension": "faellesskaber", "sdgs": [12],
            "actor": ACTOR}


def full_evidence(library_id: str, status: str = "approved") -> list[dict[str, Any]]:
    """Item snapshots that meet every MODEL_V1 requirement of a library with 10+ staff (except D1, D4)."""
    recent = (date.today() - timedelta(days=10)).isoformat()
    items = [
        snapshot(library_id, "operations_measure", "drift", status=status, before=100, after=80, unit="kWh"),
        snapshot(library_id, "staff_training", "drift", status=status, staff_share=95),
    ]
    for sdgs in ([4], [5], [13], [15]):
        items.append(snapshot(library_id, "communication", "formidling", status=status, sdgs=sdgs, date=recent))
    for ages, partner in ((["children"], "Repair Café"), (["youth"], "DN Roskilde"), (["seniors"], "Ældresagen")):
        items.append(snapshot(library_id, "activity", "faellesskaber", status=status, co_created=True,
                              age_groups=ages, partners=[partner], sdgs=[11], participants=12, date=recent))
    return items


def export_item(snap: dict[str, Any]) -> dict[str, Any]:
    """The evidence service's export form of an item (partners as objects, extra columns)."""
    return {**snap, "partners": [{"name": p} for p in snap.get("partners", [])], "description": "",
            "links": [], "attachments": [], "public": False, "decided_at": None}
