"""Build event payloads (wire form: JSON types, ISO dates) from the aggregates.

Every payload carries everything scoring and notification need, so no consumer ever calls back.
The shapes match the schemas in `shared.events.evidence`.
"""

from __future__ import annotations

from typing import Any

from .identity import Actor
from .lifecycle import DomainEvent
from .model import ActionPlan, Contact, EvidenceItem, PersonRef

# Repeated at the top of each payload so a consumer that mails or logs needs no nesting.
ITEM_HEADER = ("item_id", "library_id", "library_name", "revision", "status", "kind", "title", "submitted_by")
PLAN_HEADER = ("plan_id", "library_id", "library_name", "revision", "version", "status", "submitted_by")


def person(ref: PersonRef) -> dict[str, Any]:
    """A person reference as events carry it."""
    return {"person_id": ref.person_id, "name": ref.name, "role": ref.role}


def contact(who: Contact | None) -> dict[str, Any] | None:
    """A submitter as events carry it (notification mails this address)."""
    if who is None:
        return None
    return {"person_id": who.person_id, "name": who.name, "email": who.email}


def item_snapshot(item: EvidenceItem) -> dict[str, Any]:
    """Return the item's state after a transition, as carried by every evidence event."""
    return {
        "item_id": item.item_id,
        "library_id": item.library_id,
        "library_name": item.library_name,
        "revision": item.revision,
        "status": item.status,
        "kind": item.kind,
        "title": item.title,
        "dimension": item.dimension,
        "sdgs": list(item.sdgs),
        "targets": list(item.targets),
        "date": item.date,
        "end_date": item.end_date,
        "participants": item.participants,
        "age_groups": list(item.age_groups),
        "partners": [p.name for p in item.partners],
        "co_created": item.co_created,
        "before": item.before,
        "after": item.after,
        "unit": item.unit,
        "staff_share": item.staff_share,
        "public": item.public,
        "attachment_count": len(item.attachments),
        "submitted_by": contact(item.submitted_by),
    }


def evidence_event(type_: str, item: EvidenceItem, actor: Actor, **extra: Any) -> DomainEvent:
    """Build an `evidence.*` event: identifying fields on top, the full snapshot nested."""
    snapshot = item_snapshot(item)
    payload = {key: snapshot[key] for key in ITEM_HEADER}
    payload.update(item=snapshot, actor=person(actor.ref()))
    payload.update(extra)
    return DomainEvent(type_, payload)


def plan_snapshot(plan: ActionPlan) -> dict[str, Any]:
    """Return an action plan's state after a transition."""
    return {
        "plan_id": plan.plan_id,
        "library_id": plan.library_id,
        "library_name": plan.library_name,
        "revision": plan.revision,
        "version": plan.version,
        "status": plan.status,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "goals": [
            {"dimension": g.dimension, "title": g.title, "sdgs": list(g.sdgs), "targets": list(g.targets)}
            for g in plan.goals
        ],
        "submitted_by": contact(plan.submitted_by),
    }


def plan_event(type_: str, plan: ActionPlan, actor: Actor, **extra: Any) -> DomainEvent:
    """Build an `action_plan.*` event."""
    snapshot = plan_snapshot(plan)
    payload = {key: snapshot[key] for key in PLAN_HEADER}
    payload.update(plan=snapshot, actor=person(actor.ref()))
    payload.update(extra)
    return DomainEvent(type_, payload)
