"""What a caller may do to a resource, decided here so that no client re-derives the workflow.

Each answer about an item, a plan or a shared case carries `actions`: the transitions the person
asking may attempt now. They follow the same tables the transitions check (workflow.ITEM_STATES,
plans.PLAN_STATES), so an action offered is one the service accepts, short of a stale revision or
an invalid field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from .identity import Actor
from .model import ActionPlan, SharedCase
from .plans import PLAN_STATES
from .workflow import ITEM_STATES

# Every action an item, a plan or a shared case can offer, in the order they are listed.
ITEM_ACTIONS = ("edit", "submit", "withdraw", "delete", "review", "answer", "message", "attach", "share")
PLAN_ACTIONS = ("edit", "submit", "review", "answer")
CASE_ACTIONS = ("copy",)

# Who takes each action on an item or plan: the library's own staff, or an assessor.
BY_ASSESSOR = frozenset({"review"})
BY_EITHER = frozenset({"message"})

T = TypeVar("T")


class Judged(Protocol):
    """What deciding an item's actions needs (a full item or a list summary)."""

    @property
    def library_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def ever_submitted(self) -> bool: ...
    @property
    def shared_case_id(self) -> str | None: ...


@dataclass(frozen=True)
class Seen(Generic[T]):
    """A resource as one caller sees it: the resource, the actions they may take on it, and any
    related resources answered with it (the item a thread post changed, say)."""

    resource: T
    actions: tuple[str, ...] = ()
    also: Mapping[str, Any] = field(default_factory=dict)


def item_actions(item: Judged, actor: Actor) -> tuple[str, ...]:
    """The actions the actor may take on the item now."""
    return tuple(a for a in ITEM_ACTIONS if _may(a, item.library_id, item.status, actor, ITEM_STATES)
                 and _item_allows(a, item))


def plan_actions(plan: ActionPlan, actor: Actor) -> tuple[str, ...]:
    """The actions the actor may take on the action plan now."""
    return tuple(a for a in PLAN_ACTIONS if _may(a, plan.library_id, plan.status, actor, PLAN_STATES))


def case_actions(case: SharedCase, actor: Actor) -> tuple[str, ...]:
    """A library's staff may copy any shared case into their own library."""
    return ("copy",) if actor.is_staff else ()


def _may(action: str, library_id: str, status: str, actor: Actor, states: Mapping[str, tuple[str, ...]]) -> bool:
    if status not in states[action]:
        return False
    staff = actor.is_staff_of(library_id)
    if action in BY_ASSESSOR:
        return actor.is_assessor
    if action in BY_EITHER:
        return staff or actor.is_assessor
    return staff


def _item_allows(action: str, item: Judged) -> bool:
    if action == "delete":
        return not item.ever_submitted
    if action == "share":
        return not item.shared_case_id
    return True
