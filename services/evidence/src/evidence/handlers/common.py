"""What every handler shares: the clock, new ids, the outbox, and the load-decide-save of one item or plan."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from evidence import domain as d
from shared.uow import UnitOfWork, Work

if TYPE_CHECKING:
    from evidence.store import Repositories

Clock = Callable[[], datetime]
Uow = UnitOfWork["Repositories"]
T = TypeVar("T")
# The name this service's inbox marks carry (one consumer per service, however many replicas).
CONSUMER = "evidence"


def utc_now() -> datetime:
    """The real clock (bootstrap injects it; tests inject their own)."""
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Saved(Generic[T]):
    """A draft save: what was stored, and the fields that were not (each with its problem)."""

    new: T
    problems: list[d.EvidenceError] = field(default_factory=list)


def emit(work: Work[Any], events: Iterable[d.DomainEvent]) -> None:
    """Put the domain's events in the unit of work's outbox."""
    for event in events:
        work.emit(event.type, event.payload)


def change_item(uow: Uow, item_id: str, actor: d.Actor,
                step: Callable[[d.EvidenceItem], d.Outcome[d.EvidenceItem]]) -> d.Outcome[d.EvidenceItem]:
    """Load the item in a unit of work, let the domain decide, save what changed, emit its events."""
    def work(w: Work[Repositories]) -> d.Outcome[d.EvidenceItem]:
        item = d.visible_item(w.repos.items.get(item_id), actor)
        outcome = step(item)
        if outcome.new.revision != item.revision:
            w.repos.items.save(outcome.new, item.revision)
        emit(w, outcome.events)
        return outcome

    return uow.run(work)


def change_plan(uow: Uow, library_id: str, actor: d.Actor,
                step: Callable[[d.ActionPlan], d.Outcome[d.ActionPlan]]) -> d.ActionPlan:
    """Load the library's plan in a unit of work, let the domain decide, save, emit."""
    d.require_library_visible(actor, library_id)

    def work(w: Work[Repositories]) -> d.ActionPlan:
        plan = d.visible_plan(w.repos.plans.get(library_id), actor, library_id)
        outcome = step(plan)
        w.repos.plans.save(outcome.new, plan.revision)
        emit(w, outcome.events)
        return outcome.new

    return uow.run(work)


def current(based_on: int | None, doc: d.Reviewed) -> int:
    """The revision a change is based on: the one given, else the stored one."""
    return doc.revision if based_on is None else based_on
