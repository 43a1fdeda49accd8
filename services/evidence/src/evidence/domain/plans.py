"""The 3-year action plan (handleplan): goals per dimension, tagged with SDGs and optional targets.

Reviewed like evidence: draft -> submitted -> approved | clarification_requested -> submitted.
Editing an approved plan starts a new version in draft; the approved one stays in force (and is
kept in `previous_versions`) until the new version is approved, so no event is sent for the edit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import lifecycle as lc
from . import values as v
from .errors import EvidenceError, InvalidEvidence, InvalidField
from .identity import Actor, require_assessor, require_staff_of
from .lifecycle import APPROVED, CLARIFICATION, DRAFT, SUBMITTED, Outcome
from .sdgs import DIMENSIONS
from .snapshots import plan_event, plan_snapshot

Identity = Actor | Mapping[str, Any]
PERIOD_YEARS = 3
MIN_START_YEAR, MAX_START_YEAR = 2020, 2100
MAX_GOALS = 60


def validate_plan_draft(data: Mapping[str, Any]) -> tuple[dict, list[EvidenceError]]:
    """Keep valid plan fields and goals; report invalid ones (missing values are fine in a draft)."""
    clean: dict[str, Any] = {}
    errors: list[EvidenceError] = []
    for name, raw in data.items():
        try:
            if name == "start_year":
                if raw is None:
                    clean.update(start_year=None, end_year=None)
                else:
                    year = v.integer("start_year", raw, minimum=MIN_START_YEAR, maximum=MAX_START_YEAR)
                    clean.update(start_year=year, end_year=year + PERIOD_YEARS - 1)
            elif name == "goals":
                goals, goal_errors = _goals(raw if raw is not None else [])
                clean["goals"] = goals
                errors.extend(goal_errors)
            else:
                raise InvalidField(
                    "unknown_field",
                    f"Feltet {name!r} kan ikke angives i en handleplan.",
                    f"The field {name!r} cannot be set in an action plan.",
                    field=name,
                )
        except InvalidField as exc:
            errors.append(exc)
    return clean, errors


def validate_plan_for_submit(plan: Mapping[str, Any]) -> None:
    """Raise InvalidEvidence unless the plan has a period and a complete goal in every dimension."""
    problems: list[EvidenceError] = []
    if not plan.get("start_year"):
        problems.append(
            InvalidField("required", "Angiv handleplanens startår.", "Give the plan's start year.", field="start_year")
        )
    goals = plan.get("goals") or []
    for i, goal in enumerate(goals):
        where = f"goals.{i}"
        if not goal.get("title"):
            problems.append(
                InvalidField(
                    "required", f"Mål {i + 1} mangler en titel.", f"Goal {i + 1} needs a title.", field=f"{where}.title"
                )
            )
        if not goal.get("sdgs"):
            problems.append(
                InvalidField(
                    "required",
                    f"Mål {i + 1} skal have mindst ét verdensmål.",
                    f"Goal {i + 1} needs at least one SDG.",
                    field=f"{where}.sdgs",
                )
            )
        try:
            v.targets_within_sdgs(goal.get("targets") or [], goal.get("sdgs") or [], field=f"{where}.targets")
        except InvalidField as exc:
            problems.append(exc)
    covered = {g.get("dimension") for g in goals}
    for dim in DIMENSIONS:
        if dim not in covered:
            problems.append(
                InvalidField(
                    "dimension_without_goal",
                    f"Handleplanen mangler et mål i dimensionen {dim}.",
                    f"The plan needs a goal in the dimension {dim}.",
                    field="goals",
                )
            )
    if problems:
        raise InvalidEvidence(problems)


def create_plan(
    data: Mapping[str, Any], identity: Identity, *, plan_id: str, now: datetime, library_name: str | None = None
) -> Outcome:
    """Start a draft action plan for the actor's library."""
    actor = Actor.of(identity)
    require_staff_of(actor, actor.library_id, "oprette en handleplan", "create an action plan")
    clean, problems = validate_plan_draft(data)
    plan = {
        "plan_id": plan_id,
        "library_id": actor.library_id,
        "library_name": library_name,
        "status": DRAFT,
        "revision": 0,
        "version": 1,
        "approved_version": None,
        "start_year": None,
        "end_year": None,
        "goals": [],
        **clean,
        "created_at": now,
        "submitted_by": None,
        "submitted_at": None,
        "decision": None,
        "deadline": None,
        "thread": [],
        "audit": [],
        "previous_versions": [],
    }
    return Outcome(lc.advance(plan, actor=actor, now=now, action="create", changed=clean), [], problems)


def edit_plan(
    plan: Mapping[str, Any], changes: Mapping[str, Any], identity: Identity, *, based_on: int, now: datetime
) -> Outcome:
    """Apply valid changes; editing an approved plan opens the next version as a draft."""
    actor = _staff(plan, identity, "redigere handleplanen", "edit the action plan")
    lc.check_revision(plan, based_on)
    lc.check_state(plan, (DRAFT, CLARIFICATION, APPROVED), "edit")
    clean, problems = validate_plan_draft(changes)
    changed = [k for k, val in clean.items() if plan.get(k) != val]
    if not changed:
        return Outcome(dict(plan), [], problems)
    status = CLARIFICATION if plan["status"] == CLARIFICATION else DRAFT
    new = lc.advance(plan, actor=actor, now=now, action="edit", status=status, changed=changed)
    if plan["status"] == APPROVED:
        archived = plan_snapshot(plan)
        archived["approved_at"] = (plan.get("decision") or {}).get("at")
        new["previous_versions"] = [*copy.deepcopy(plan.get("previous_versions") or []), archived]
        new["version"] = plan.get("version", 1) + 1
        new["decision"] = None
    new.update({k: clean[k] for k in changed})
    return Outcome(new, [], problems)


def submit_plan(plan: Mapping[str, Any], identity: Identity, *, based_on: int, now: datetime) -> Outcome:
    """Submit the plan for the assessor's approval."""
    actor = _staff(plan, identity, "indsende handleplanen", "submit the action plan")
    lc.check_revision(plan, based_on)
    lc.check_state(plan, (DRAFT, CLARIFICATION), "submit")
    validate_plan_for_submit(plan)
    new = _submitted(plan, actor, now, action="submit")
    return Outcome(new, [plan_event("action_plan.submitted", new, actor, message=None)])


def review_plan(
    plan: Mapping[str, Any],
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    decision: str,
    comment: str | None = None,
    deadline: Any = None,
) -> Outcome:
    """Approve the plan, or ask for clarification with a message and a future deadline."""
    actor = Actor.of(identity)
    require_assessor(actor, "godkende handleplaner", "approve action plans")
    lc.check_revision(plan, based_on)
    lc.check_state(plan, (SUBMITTED,), "review")
    if decision not in (APPROVED, CLARIFICATION):
        raise InvalidField(
            "unknown_decision",
            "En handleplan kan godkendes (approved) eller sendes til uddybning (clarification_requested).",
            "An action plan can be approved or sent back for clarification (clarification_requested).",
            field="decision",
        )
    if decision == CLARIFICATION:
        comment = lc.message_text(comment, field="comment")
        deadline = lc.clarification_deadline(deadline, now)
    else:
        comment = lc.optional_text("comment", comment)
        deadline = None
    new = lc.advance(plan, actor=actor, now=now, action="review", status=decision, note=comment)
    new["decision"] = {
        "decision": decision,
        "comment": comment,
        "deadline": deadline,
        "reviewer": actor.ref(),
        "at": now,
    }
    new["deadline"] = deadline
    if decision == APPROVED:
        new["approved_version"] = new.get("version", 1)
        return Outcome(new, [plan_event("action_plan.approved", new, actor, comment=comment)])
    new.setdefault("thread", []).append(lc.thread_message(actor, comment or "", now, deadline=deadline))
    submitter = plan_snapshot(new)["submitted_by"]
    event = plan_event(
        "action_plan.clarification_requested", new, actor, message=comment, deadline=deadline, submitter=submitter
    )
    return Outcome(new, [event])


def answer_plan_clarification(
    plan: Mapping[str, Any],
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    message: str,
    changes: Mapping[str, Any] | None = None,
) -> Outcome:
    """Answer the assessor's question, optionally with changes, and resubmit the plan."""
    actor = _staff(plan, identity, "besvare spørgsmålet", "answer the question")
    lc.check_revision(plan, based_on)
    lc.check_state(plan, (CLARIFICATION,), "answer")
    message = lc.message_text(message)
    clean, problems = validate_plan_draft(changes or {})
    if problems:
        raise InvalidEvidence(problems)
    merged = {**plan, **clean}
    validate_plan_for_submit(merged)
    changed = [k for k, val in clean.items() if plan.get(k) != val]
    new = _submitted(merged, actor, now, action="answer", changed=changed)
    new.setdefault("thread", []).append(lc.thread_message(actor, message, now))
    return Outcome(new, [plan_event("action_plan.submitted", new, actor, message=message)])


def _goals(raw: Any) -> tuple[list[dict], list[EvidenceError]]:
    if not isinstance(raw, list) or len(raw) > MAX_GOALS:
        raise InvalidField(
            "bad_goals",
            f"Målene skal være en liste med højst {MAX_GOALS} mål.",
            f"Goals must be a list of at most {MAX_GOALS}.",
            field="goals",
        )
    goals: list[dict] = []
    errors: list[EvidenceError] = []
    for i, goal in enumerate(raw):
        where = f"goals.{i}"
        try:
            if not isinstance(goal, Mapping):
                raise InvalidField("bad_goal", "Et mål skal være et objekt.", "A goal must be an object.", field=where)
            clean = {
                "dimension": v.dimension(goal.get("dimension"), field=f"{where}.dimension"),
                "title": v.text(f"{where}.title", goal.get("title") or "", max_len=500, label_da="Målets titel"),
                "description": v.text(f"{where}.description", goal.get("description") or "", max_len=5000),
                "sdgs": v.sdg_list(goal.get("sdgs") or [], field=f"{where}.sdgs"),
                "targets": v.target_list(goal.get("targets") or [], field=f"{where}.targets"),
            }
        except InvalidField as exc:
            errors.append(exc)
            continue
        goals.append(clean)
    return goals, errors


def _staff(plan: Mapping[str, Any], identity: Identity, doing_da: str, doing_en: str) -> Actor:
    actor = Actor.of(identity)
    require_staff_of(actor, plan.get("library_id"), doing_da, doing_en)
    return actor


def _submitted(plan: Mapping[str, Any], actor: Actor, now: datetime, *, action: str, changed=()) -> dict:
    new = lc.advance(plan, actor=actor, now=now, action=action, status=SUBMITTED, changed=changed)
    new.update(submitted_by=actor.person(), submitted_at=now, deadline=None)
    return new
