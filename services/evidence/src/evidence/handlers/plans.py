"""Handlers of the commands on a library's action plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence import domain as d
from evidence.domain import commands as c
from shared.uow import Work

from .common import Clock, Saved, Uow, change_plan, current, emit, new_id

if TYPE_CHECKING:
    from evidence.store import Repositories


def save_plan(cmd: c.SavePlan, uow: Uow, clock: Clock) -> Saved[d.ActionPlan]:
    """Create the plan (first save) or apply its valid changes, conditional on the revision."""
    d.require_library_visible(cmd.actor, cmd.library_id)

    def work(w: Work[Repositories]) -> Saved[d.ActionPlan]:
        plan = w.repos.plans.get(cmd.library_id)
        now = clock()
        if plan is None:
            if cmd.based_on not in (None, 0):
                raise d.stale_revision(cmd.based_on)
            created = d.create_plan(cmd.data, cmd.actor, plan_id=new_id(), now=now,
                                    library_name=w.repos.libraries.name_of(cmd.library_id))
            w.repos.plans.add(created.new)
            return Saved(created.new, created.problems)
        outcome = d.edit_plan(plan, cmd.data, cmd.actor, based_on=current(cmd.based_on, plan), now=now)
        if outcome.new.revision != plan.revision:
            w.repos.plans.save(outcome.new, plan.revision)
        emit(w, outcome.events)
        return Saved(outcome.new, outcome.problems)

    return uow.run(work)


def submit_plan(cmd: c.SubmitPlan, uow: Uow, clock: Clock) -> d.ActionPlan:
    return change_plan(uow, cmd.library_id, cmd.actor, lambda plan: d.submit_plan(
        plan, cmd.actor, based_on=current(cmd.based_on, plan), now=clock()))


def review_plan(cmd: c.ReviewPlan, uow: Uow, clock: Clock) -> d.ActionPlan:
    return change_plan(uow, cmd.library_id, cmd.actor, lambda plan: d.review_plan(
        plan, cmd.actor, based_on=current(cmd.based_on, plan), now=clock(), decision=cmd.decision,
        comment=cmd.comment, deadline=cmd.deadline))


def answer_plan_clarification(cmd: c.AnswerPlanClarification, uow: Uow, clock: Clock) -> d.ActionPlan:
    return change_plan(uow, cmd.library_id, cmd.actor, lambda plan: d.answer_plan_clarification(
        plan, cmd.actor, based_on=current(cmd.based_on, plan), now=clock(), message=cmd.message,
        changes=cmd.changes))
