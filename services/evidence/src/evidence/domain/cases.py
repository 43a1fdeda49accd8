"""Shared cases: a library publishes a copy of an activity; other libraries copy it into a draft.

The shared case is a frozen public snapshot: later edits of the source item do not change it, and it
holds no personal data (no names of staff, no audit trail, no thread, no attachments, which may show
people). A copy keeps what is reusable (idea, goals, audience) and leaves out what belongs to the
original (dates, participant numbers, partners, figures).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import lifecycle as lc
from .errors import Conflict, InvalidEvidence
from .identity import Actor, require_staff_of
from .items import CONTENT_FIELDS
from .lifecycle import DomainEvent, Outcome
from .model import ActionPlan, CopiedFrom, EvidenceItem, SharedCase
from .plans import create_plan, edit_plan, goal_data
from .snapshots import person
from .workflow import ITEM_STATES, Identity, create_item

COPIED_FIELDS = ("kind", "title", "description", "dimension", "sdgs", "targets", "age_groups", "co_created", "links")


def share_case(
    item: EvidenceItem, identity: Identity, *, case_id: str, based_on: int, now: datetime
) -> tuple[SharedCase, Outcome[EvidenceItem]]:
    """Publish a snapshot of a submitted or approved item; return the case and the updated item."""
    actor = Actor.of(identity)
    require_staff_of(actor, item.library_id, "dele bidraget", "share the evidence")
    lc.check_revision(item, based_on)
    lc.check_state(item, ITEM_STATES["share"], "share")
    if item.shared_case_id:
        raise Conflict(
            "already_shared",
            "Bidraget er allerede delt med andre biblioteker.",
            "The evidence is already shared with other libraries.",
        )
    case = SharedCase(
        case_id=case_id,
        source_item_id=item.item_id,
        source_revision=item.revision,
        library_id=item.library_id,
        library_name=item.library_name,
        shared_at=now,
        **{name: getattr(item, name) for name in CONTENT_FIELDS},
    )
    new = lc.advance(item, actor=actor, now=now, action="share", changed=["shared_case_id"], shared_case_id=case_id)
    event = DomainEvent(
        "case.shared",
        {
            "case_id": case_id,
            "item_id": item.item_id,
            "library_id": item.library_id,
            "library_name": item.library_name,
            "revision": new.revision,
            "kind": item.kind,
            "title": item.title,
            "dimension": item.dimension,
            "sdgs": list(item.sdgs),
            "targets": list(item.targets),
            "actor": person(actor.ref()),
        },
    )
    return case, Outcome(new, [event])


def case_draft_data(case: SharedCase) -> dict[str, Any]:
    """Return the fields of a shared case that another library may reuse in its own draft."""
    data = {name: getattr(case, name) for name in COPIED_FIELDS}
    return {name: value for name, value in data.items() if value not in (None, "", ())}


def copy_case(
    case: SharedCase, identity: Identity, *, item_id: str, now: datetime, library_name: str | None = None
) -> Outcome[EvidenceItem]:
    """Start a draft in the actor's library from a shared case, remembering where it came from."""
    origin = CopiedFrom(case.case_id, case.library_id, case.library_name)
    return create_item(
        case_draft_data(case), identity, item_id=item_id, now=now, library_name=library_name, copied_from=origin
    )


def copy_case_into_plan(
    case: SharedCase,
    plan: ActionPlan | None,
    identity: Identity,
    *,
    plan_id: str,
    now: datetime,
    library_name: str | None = None,
) -> Outcome[ActionPlan]:
    """Add the case as a goal to the actor's action plan (starting the plan if there is none)."""
    goal = {"dimension": case.dimension, "title": case.title, "sdgs": list(case.sdgs), "targets": list(case.targets)}
    if plan is None:
        outcome = create_plan({"goals": [goal]}, identity, plan_id=plan_id, now=now, library_name=library_name)
    else:
        goals = [*(goal_data(g) for g in plan.goals), goal]
        outcome = edit_plan(plan, {"goals": goals}, identity, based_on=plan.revision, now=now)
    if outcome.problems:  # a copy is one request: all of it, or nothing
        raise InvalidEvidence(outcome.problems)
    return outcome
