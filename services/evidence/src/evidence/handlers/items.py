"""Handlers of the commands on evidence items (drafts, workflow, threads, sharing, copying)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evidence import domain as d
from evidence.domain import commands as c
from shared.uow import Work

from .common import Clock, Saved, Uow, change_item, current, emit, new_id

if TYPE_CHECKING:
    from evidence.store import FileStore, Repositories


def create_item(cmd: c.CreateItem, uow: Uow, clock: Clock) -> d.EvidenceItem:
    """Start a draft; refused whole (nothing stored) if any field is invalid."""
    d.require_library_visible(cmd.actor, cmd.library_id)
    if cmd.actor.is_staff:
        _, problems = d.validate_draft(cmd.data)
        if problems:
            raise d.InvalidEvidence(problems)

    def work(w: Work[Repositories]) -> d.EvidenceItem:
        outcome = d.create_item(cmd.data, cmd.actor, item_id=new_id(), now=clock(),
                                library_name=w.repos.libraries.name_of(cmd.library_id))
        w.repos.items.add(outcome.new)
        return outcome.new

    return uow.run(work)


def edit_item(cmd: c.EditItem, uow: Uow, clock: Clock) -> Saved[d.EvidenceItem]:
    """Save every valid field (conditional on the revision); report the invalid ones."""
    outcome = change_item(uow, cmd.item_id, cmd.actor, lambda item: d.edit_item(
        item, cmd.changes, cmd.actor, based_on=cmd.based_on, now=clock()))
    return Saved(outcome.new, outcome.problems)


def submit_item(cmd: c.SubmitItem, uow: Uow, clock: Clock) -> d.EvidenceItem:
    return change_item(uow, cmd.item_id, cmd.actor, lambda item: d.submit_item(
        item, cmd.actor, based_on=cmd.based_on, now=clock())).new


def withdraw_item(cmd: c.WithdrawItem, uow: Uow, clock: Clock) -> d.EvidenceItem:
    return change_item(uow, cmd.item_id, cmd.actor, lambda item: d.withdraw_item(
        item, cmd.actor, based_on=cmd.based_on, now=clock(), reason=cmd.reason)).new


def review_item(cmd: c.ReviewItem, uow: Uow, clock: Clock) -> d.EvidenceItem:
    return change_item(uow, cmd.item_id, cmd.actor, lambda item: d.review_item(
        item, cmd.actor, based_on=current(cmd.based_on, item), now=clock(), decision=cmd.decision,
        comment=cmd.comment, deadline=cmd.deadline)).new


def answer_clarification(cmd: c.AnswerClarification, uow: Uow, clock: Clock) -> d.EvidenceItem:
    return change_item(uow, cmd.item_id, cmd.actor, lambda item: d.answer_clarification(
        item, cmd.actor, based_on=current(cmd.based_on, item), now=clock(), message=cmd.message,
        changes=cmd.changes)).new


def post_message(cmd: c.PostMessage, uow: Uow, clock: Clock) -> d.EvidenceItem:
    return change_item(uow, cmd.item_id, cmd.actor, lambda item: d.post_message(
        item, cmd.actor, now=clock(), message=cmd.message, based_on=cmd.based_on)).new


def delete_item(cmd: c.DeleteItem, uow: Uow, files: FileStore) -> None:
    """Delete a never-submitted draft; its files' bytes go once the deletion committed."""
    def work(w: Work[Repositories]) -> d.EvidenceItem:
        item = d.visible_item(w.repos.items.get(cmd.item_id), cmd.actor)
        d.delete_item(item, cmd.actor, based_on=current(cmd.based_on, item))
        w.repos.items.remove(item.item_id, item.revision)
        return item

    deleted = uow.run(work)
    for attachment in deleted.attachments:
        files.delete(attachment.file_id)
        files.delete(attachment.thumbnail_id)


@dataclass(frozen=True)
class Shared:
    """The new shared case and the item it was shared from (at its new revision)."""

    case: d.SharedCase
    item: d.EvidenceItem


def share_item(cmd: c.ShareItem, uow: Uow, clock: Clock) -> Shared:
    """Publish a shared case from a submitted or approved item."""
    def work(w: Work[Repositories]) -> Shared:
        item = d.visible_item(w.repos.items.get(cmd.item_id), cmd.actor)
        case, outcome = d.share_case(item, cmd.actor, case_id=new_id(), based_on=current(cmd.based_on, item),
                                     now=clock())
        w.repos.cases.add(case)
        w.repos.items.save(outcome.new, item.revision)
        emit(w, outcome.events)
        return Shared(case, outcome.new)

    return uow.run(work)


def copy_case(cmd: c.CopyCase, uow: Uow, clock: Clock) -> Saved[d.EvidenceItem] | Saved[d.ActionPlan]:
    """Copy a shared case into a new draft item, or as a goal into the library's action plan."""
    d.require_library_visible(cmd.actor, cmd.library_id)
    d.require_staff_of(cmd.actor, cmd.library_id, "kopiere erfaringer", "copy shared cases")

    def work(w: Work[Repositories]) -> Saved[d.EvidenceItem] | Saved[d.ActionPlan]:
        case = d.existing_case(w.repos.cases.get(cmd.case_id))
        now, name = clock(), w.repos.libraries.name_of(cmd.library_id)
        if cmd.into == "plan":
            plan = w.repos.plans.get(cmd.library_id)
            into_plan = d.copy_case_into_plan(case, plan, cmd.actor, plan_id=new_id(), now=now, library_name=name)
            if plan is None:
                w.repos.plans.add(into_plan.new)
            else:
                w.repos.plans.save(into_plan.new, plan.revision)
            return Saved(into_plan.new)
        outcome = d.copy_case(case, cmd.actor, item_id=new_id(), now=now, library_name=name)
        w.repos.items.add(outcome.new)
        return Saved(outcome.new, outcome.problems)

    return uow.run(work)
