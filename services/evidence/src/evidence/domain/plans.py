"""The 3-year action plan (handleplan): goals per dimension, tagged with SDGs and optional targets.

Reviewed like evidence: draft -> submitted -> approved | clarification_requested -> submitted.
Editing an approved plan starts a new version in draft; the approved one stays in force (and is
kept in `previous_versions`) until the new version is approved, so no event is sent for the edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from shared.vocabulary import DIMENSIONS

from . import lifecycle as lc
from . import values as v
from .errors import EvidenceError, InvalidEvidence, InvalidField
from .identity import Actor, require_assessor, require_staff_of
from .lifecycle import APPROVED, CLARIFICATION, DRAFT, SUBMITTED, Outcome
from .model import ActionPlan, Decision, Goal, PlanVersion
from .snapshots import contact, plan_event

Identity = Actor | Mapping[str, Any]
PERIOD_YEARS = 3
MIN_START_YEAR, MAX_START_YEAR = 2020, 2100
MAX_GOALS = 60
MAX_GOAL_TITLE, MAX_GOAL_DESCRIPTION = 500, 5000
PLAN_DECISIONS = (APPROVED, CLARIFICATION)

# The statuses each action on a plan is allowed from (the transitions and `actions` share them).
PLAN_STATES: Mapping[str, tuple[str, ...]] = {
    "edit": (DRAFT, CLARIFICATION, APPROVED),
    "submit": (DRAFT, CLARIFICATION),
    "review": (SUBMITTED,),
    "answer": (CLARIFICATION,),
}


def validate_plan_draft(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[EvidenceError]]:
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


def validate_plan_for_submit(plan: ActionPlan) -> None:
    """Raise InvalidEvidence unless the plan has a period and a complete goal in every dimension."""
    problems: list[EvidenceError] = []
    if not plan.start_year:
        problems.append(
            InvalidField("required", "Angiv handleplanens startår.", "Give the plan's start year.", field="start_year")
        )
    for i, goal in enumerate(plan.goals):
        where = f"goals.{i}"
        if not goal.title:
            problems.append(
                InvalidField(
                    "required", f"Mål {i + 1} mangler en titel.", f"Goal {i + 1} needs a title.", field=f"{where}.title"
                )
            )
        if not goal.sdgs:
            problems.append(
                InvalidField(
                    "required",
                    f"Mål {i + 1} skal have mindst ét verdensmål.",
                    f"Goal {i + 1} needs at least one SDG.",
                    field=f"{where}.sdgs",
                )
            )
        try:
            v.targets_within_sdgs(goal.targets, goal.sdgs, field=f"{where}.targets")
        except InvalidField as exc:
            problems.append(exc)
    covered = {g.dimension for g in plan.goals}
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
) -> Outcome[ActionPlan]:
    """Start a draft action plan for the actor's library."""
    actor = Actor.of(identity)
    library_id = require_staff_of(actor, actor.library_id, "oprette en handleplan", "create an action plan")
    clean, problems = validate_plan_draft(data)
    plan = ActionPlan(
        plan_id=plan_id, library_id=library_id, library_name=library_name, created_at=now, updated_at=now, **clean
    )
    return Outcome(lc.advance(plan, actor=actor, now=now, action="create", changed=clean), [], problems)


def edit_plan(
    plan: ActionPlan, changes: Mapping[str, Any], identity: Identity, *, based_on: int, now: datetime
) -> Outcome[ActionPlan]:
    """Apply valid changes; editing an approved plan opens the next version as a draft."""
    actor = _staff(plan, identity, "redigere handleplanen", "edit the action plan")
    lc.check_revision(plan, based_on)
    lc.check_state(plan, PLAN_STATES["edit"], "edit")
    clean, problems = validate_plan_draft(changes)
    changed = {k: val for k, val in clean.items() if getattr(plan, k) != val}
    if not changed:
        return Outcome(plan, [], problems)
    status = CLARIFICATION if plan.status == CLARIFICATION else DRAFT
    new = lc.advance(plan, actor=actor, now=now, action="edit", status=status, changed=changed, **changed)
    if plan.status == APPROVED:
        archived = version_of(plan, approved_at=plan.decision.at if plan.decision else None)
        new = replace(new, previous_versions=(*plan.previous_versions, archived), version=plan.version + 1,
                      decision=None)
    return Outcome(new, [], problems)


def submit_plan(plan: ActionPlan, identity: Identity, *, based_on: int, now: datetime) -> Outcome[ActionPlan]:
    """Submit the plan for the assessor's approval."""
    actor = _staff(plan, identity, "indsende handleplanen", "submit the action plan")
    lc.check_revision(plan, based_on)
    lc.check_state(plan, PLAN_STATES["submit"], "submit")
    validate_plan_for_submit(plan)
    new = _submitted(plan, actor, now, action="submit")
    return Outcome(new, [plan_event("action_plan.submitted", new, actor, message=None)])


def review_plan(
    plan: ActionPlan,
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    decision: str,
    comment: str | None = None,
    deadline: Any = None,
) -> Outcome[ActionPlan]:
    """Approve the plan, or ask for clarification with a message and a future deadline."""
    actor = Actor.of(identity)
    require_assessor(actor, "godkende handleplaner", "approve action plans")
    lc.check_revision(plan, based_on)
    lc.check_state(plan, PLAN_STATES["review"], "review")
    if decision not in PLAN_DECISIONS:
        raise InvalidField(
            "unknown_decision",
            "En handleplan kan godkendes (approved) eller sendes til uddybning (clarification_requested).",
            "An action plan can be approved or sent back for clarification (clarification_requested).",
            field="decision",
        )
    due: str | None = None
    if decision == CLARIFICATION:
        comment = lc.message_text(comment, field="comment")
        due = lc.clarification_deadline(deadline, now)
    else:
        comment = lc.optional_text("comment", comment)
    new = lc.advance(plan, actor=actor, now=now, action="review", status=decision, note=comment,
                     decision=Decision(decision, comment, due, actor.ref(), now), deadline=due)
    if decision == APPROVED:
        new = replace(new, approved_version=new.version)
        return Outcome(new, [plan_event("action_plan.approved", new, actor, comment=comment)])
    new = replace(new, thread=(*new.thread, lc.thread_message(actor, comment or "", now, deadline=due)))
    event = plan_event(
        "action_plan.clarification_requested", new, actor, message=comment, deadline=due,
        submitter=contact(new.submitted_by),
    )
    return Outcome(new, [event])


def answer_plan_clarification(
    plan: ActionPlan,
    identity: Identity,
    *,
    based_on: int,
    now: datetime,
    message: str,
    changes: Mapping[str, Any] | None = None,
) -> Outcome[ActionPlan]:
    """Answer the assessor's question, optionally with changes, and resubmit the plan."""
    actor = _staff(plan, identity, "besvare spørgsmålet", "answer the question")
    lc.check_revision(plan, based_on)
    lc.check_state(plan, PLAN_STATES["answer"], "answer")
    message = lc.message_text(message)
    clean, problems = validate_plan_draft(changes or {})
    if problems:
        raise InvalidEvidence(problems)
    merged = replace(plan, **clean)
    validate_plan_for_submit(merged)
    changed = [k for k, val in clean.items() if getattr(plan, k) != val]
    new = _submitted(merged, actor, now, action="answer", changed=changed)
    new = replace(new, thread=(*new.thread, lc.thread_message(actor, message, now)))
    return Outcome(new, [plan_event("action_plan.submitted", new, actor, message=message)])


def version_of(plan: ActionPlan, *, approved_at: datetime | None) -> PlanVersion:
    """The plan as an archived version (the goals without their descriptions)."""
    return PlanVersion(
        plan_id=plan.plan_id,
        library_id=plan.library_id,
        library_name=plan.library_name,
        revision=plan.revision,
        version=plan.version,
        status=plan.status,
        start_year=plan.start_year,
        end_year=plan.end_year,
        goals=tuple(replace(g, description="") for g in plan.goals),
        submitted_by=plan.submitted_by,
        approved_at=approved_at,
    )


def goal_data(goal: Goal) -> dict[str, Any]:
    """A goal as the plan's input gives it (to resubmit the goals a plan already has)."""
    return {"dimension": goal.dimension, "title": goal.title, "description": goal.description,
            "sdgs": list(goal.sdgs), "targets": list(goal.targets)}


def _goals(raw: Any) -> tuple[tuple[Goal, ...], list[EvidenceError]]:
    if not isinstance(raw, (list, tuple)) or len(raw) > MAX_GOALS:
        raise InvalidField(
            "bad_goals",
            f"Målene skal være en liste med højst {MAX_GOALS} mål.",
            f"Goals must be a list of at most {MAX_GOALS}.",
            field="goals",
        )
    goals: list[Goal] = []
    errors: list[EvidenceError] = []
    for i, goal in enumerate(raw):
        where = f"goals.{i}"
        try:
            if not isinstance(goal, Mapping):
                raise InvalidField("bad_goal", "Et mål skal være et objekt.", "A goal must be an object.", field=where)
            goals.append(Goal(
                dimension=v.dimension(goal.get("dimension"), field=f"{where}.dimension"),
                title=v.text(f"{where}.title", goal.get("title") or "", max_len=MAX_GOAL_TITLE, label_da="Målets titel"),
                description=v.text(f"{where}.description", goal.get("description") or "", max_len=MAX_GOAL_DESCRIPTION),
                sdgs=v.sdg_list(goal.get("sdgs") or [], field=f"{where}.sdgs"),
                targets=v.target_list(goal.get("targets") or [], field=f"{where}.targets"),
            ))
        except InvalidField as exc:
            errors.append(exc)
    return tuple(goals), errors


def _staff(plan: ActionPlan, identity: Identity, doing_da: str, doing_en: str) -> Actor:
    actor = Actor.of(identity)
    require_staff_of(actor, plan.library_id, doing_da, doing_en)
    return actor


def _submitted(
    plan: ActionPlan, actor: Actor, now: datetime, *, action: str, changed: list[str] | None = None
) -> ActionPlan:
    return lc.advance(plan, actor=actor, now=now, action=action, status=SUBMITTED, changed=changed or (),
                      submitted_by=actor.contact(), submitted_at=now, deadline=None)
