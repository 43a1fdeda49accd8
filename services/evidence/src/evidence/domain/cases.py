"""Shared cases: a library publishes a copy of an activity; other libraries copy it into a draft.

The shared case is a frozen public snapshot: later edits of the source item do not change it, and it
holds no personal data (no names of staff, no audit trail, no thread, no attachments, which may show
people). A copy keeps what is reusable (idea, goals, audience) and leaves out what belongs to the
original (dates, participant numbers, partners, figures).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import lifecycle as lc
from .errors import Conflict
from .identity import Actor, require_staff_of
from .lifecycle import APPROVED, SUBMITTED, DomainEvent, Outcome
from .values import CONTENT_FIELDS
from .workflow import Identity, create_item

SHAREABLE_STATES = (SUBMITTED, APPROVED)
PUBLIC_FIELDS = CONTENT_FIELDS
COPIED_FIELDS = ("kind", "title", "description", "dimension", "sdgs", "targets", "age_groups", "co_created", "links")


def share_case(
    item: Mapping[str, Any], identity: Identity, *, case_id: str, based_on: int, now: datetime
) -> tuple[dict, Outcome]:
    """Publish a snapshot of a submitted or approved item; return the case and the updated item."""
    actor = Actor.of(identity)
    require_staff_of(actor, item.get("library_id"), "dele bidraget", "share the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, SHAREABLE_STATES, "share")
    if item.get("shared_case_id"):
        raise Conflict(
            "already_shared",
            "Bidraget er allerede delt med andre biblioteker.",
            "The evidence is already shared with other libraries.",
        )
    case = {
        "case_id": case_id,
        "source_item_id": item["item_id"],
        "source_revision": item["revision"],
        "library_id": item["library_id"],
        "library_name": item.get("library_name"),
        "shared_at": now,
        **{name: _copy(item.get(name)) for name in PUBLIC_FIELDS},
        "partners": [{"name": p["name"], "kind": p.get("kind")} for p in item.get("partners") or []],
    }
    new = lc.advance(item, actor=actor, now=now, action="share", changed=["shared_case_id"])
    new["shared_case_id"] = case_id
    event = DomainEvent(
        "case.shared",
        {
            "case_id": case_id,
            "item_id": item["item_id"],
            "library_id": item["library_id"],
            "library_name": item.get("library_name"),
            "revision": new["revision"],
            "kind": item.get("kind"),
            "title": item.get("title"),
            "dimension": item.get("dimension"),
            "sdgs": list(item.get("sdgs") or []),
            "targets": list(item.get("targets") or []),
            "actor": actor.ref(),
        },
    )
    return case, Outcome(new, [event])


def case_draft_data(case: Mapping[str, Any]) -> dict:
    """Return the fields of a shared case that another library may reuse in its own draft."""
    return {name: _copy(case.get(name)) for name in COPIED_FIELDS if case.get(name) not in (None, "", [])}


def copy_case(
    case: Mapping[str, Any], identity: Identity, *, item_id: str, now: datetime, library_name: str | None = None
) -> Outcome:
    """Start a draft in the actor's library from a shared case, remembering where it came from."""
    origin = {
        "case_id": case["case_id"],
        "library_id": case["library_id"],
        "library_name": case.get("library_name"),
    }
    return create_item(
        case_draft_data(case), identity, item_id=item_id, now=now, library_name=library_name, copied_from=origin
    )


def public_case(case: Mapping[str, Any]) -> dict:
    """Return a shared case in JSON form for the public directory."""
    out = {k: _copy(val) for k, val in case.items() if k != "_id"}
    shared_at = out.get("shared_at")
    if isinstance(shared_at, datetime):
        out["shared_at"] = shared_at.isoformat()
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(x) if isinstance(x, Mapping) else x for x in value]
    return value
