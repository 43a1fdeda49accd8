"""Build event payloads (wire form: JSON types, ISO dates) from documents.

Every payload carries everything scoring and notification need, so no consumer ever calls back.
The shapes match the schemas in `shared.events.evidence`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .identity import Actor
from .lifecycle import DomainEvent

# Repeated at the top of each payload so a consumer that mails or logs needs no nesting.
ITEM_HEADER = ("item_id", "library_id", "library_name", "revision", "status", "kind", "title", "submitted_by")
PLAN_HEADER = ("plan_id", "library_id", "library_name", "revision", "version", "status", "submitted_by")


def item_snapshot(item: Mapping[str, Any]) -> dict:
    """Return the item's state after a transition, as carried by every evidence event."""
    return {
        "item_id": item["item_id"],
        "library_id": item["library_id"],
        "library_name": item.get("library_name"),
        "revision": item["revision"],
        "status": item["status"],
        "kind": item.get("kind"),
        "title": item.get("title"),
        "dimension": item.get("dimension"),
        "sdgs": list(item.get("sdgs") or []),
        "targets": list(item.get("targets") or []),
        "date": item.get("date"),
        "end_date": item.get("end_date"),
        "participants": item.get("participants"),
        "age_groups": list(item.get("age_groups") or []),
        "partners": [p["name"] for p in item.get("partners") or []],
        "co_created": bool(item.get("co_created")),
        "before": item.get("before"),
        "after": item.get("after"),
        "unit": item.get("unit"),
        "staff_share": item.get("staff_share"),
        "public": bool(item.get("public")),
        "attachment_count": len(item.get("attachments") or []),
        "submitted_by": _person(item.get("submitted_by")),
    }


def evidence_event(type_: str, item: Mapping[str, Any], actor: Actor, **extra: Any) -> DomainEvent:
    """Build an `evidence.*` event: identifying fields on top, the full snapshot nested."""
    snapshot = item_snapshot(item)
    payload = {key: snapshot[key] for key in ITEM_HEADER}
    payload.update(item=snapshot, actor=actor.ref())
    payload.update(extra)
    return DomainEvent(type_, payload)


def plan_snapshot(plan: Mapping[str, Any]) -> dict:
    """Return an action plan's state after a transition."""
    return {
        "plan_id": plan["plan_id"],
        "library_id": plan["library_id"],
        "library_name": plan.get("library_name"),
        "revision": plan["revision"],
        "version": plan.get("version", 1),
        "status": plan["status"],
        "start_year": plan.get("start_year"),
        "end_year": plan.get("end_year"),
        "goals": [
            {
                "dimension": g["dimension"],
                "title": g["title"],
                "sdgs": list(g.get("sdgs") or []),
                "targets": list(g.get("targets") or []),
            }
            for g in plan.get("goals") or []
        ],
        "submitted_by": _person(plan.get("submitted_by")),
    }


def plan_event(type_: str, plan: Mapping[str, Any], actor: Actor, **extra: Any) -> DomainEvent:
    """Build an `action_plan.*` event."""
    snapshot = plan_snapshot(plan)
    payload = {key: snapshot[key] for key in PLAN_HEADER}
    payload.update(plan=snapshot, actor=actor.ref())
    payload.update(extra)
    return DomainEvent(type_, payload)


def _person(person: Mapping[str, Any] | None) -> dict | None:
    if not person:
        return None
    return {"person_id": person["person_id"], "name": person.get("name"), "email": person.get("email")}
