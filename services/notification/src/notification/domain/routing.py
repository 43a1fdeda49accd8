"""The routing table, in one place: event type -> recipients, template, essential.

`plan_messages` turns one event into the mails to send. It is pure: the caller stores the planned
mails (in the same commit as the event id in its inbox), renders and sends them later. The
README's routing table mirrors `ROUTES`; a unit test keeps the two equal.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from notification.domain.clarifications import EVIDENCE_DECISIONS
from notification.domain.preferences import wants_mail
from notification.domain.recipients import Scope, library_name
from notification.domain.selectors import (
    ALL_ASSESSORS,
    ALL_COORDINATORS,
    INVITEE,
    LIBRARY_ACTIVE_STAFF,
    LIBRARY_COORDINATORS,
    PERSON,
    REACTIVATED_PERSON,
    REGISTERING_COORDINATOR,
    SUBMITTER,
    SUBMITTER_AND_COORDINATORS,
    Recipient,
    Selector,
)
from notification.domain.tokens import one_time_link

Payload = Mapping[str, Any]
StateView = Mapping[str, Any]
ContextBuilder = Callable[[Payload, StateView], dict[str, Any]]


@dataclass(frozen=True)
class Condition:
    """A named test on the payload deciding whether an event sends mail at all."""

    name: str
    test: Callable[[Payload], bool]

    def __call__(self, payload: Payload) -> bool:
        return self.test(payload)


ALWAYS = Condition("always", lambda payload: True)
# A clarification request is mailed from evidence.clarification_requested (it has the message
# and the deadline); mailing it from evidence.reviewed as well would send it twice.
DECIDED = Condition(
    "decision is approved or rejected",
    lambda payload: payload.get("decision") in EVIDENCE_DECISIONS,
)
CHECKIN_DAYS = Condition("days_before is 60 or 14", lambda payload: payload.get("days_before") in (60, 14))
HAS_ITEMS = Condition("items is not empty", lambda payload: bool(payload.get("items")))


@dataclass(frozen=True)
class Route:
    """Who gets which template for one event type, and whether preferences may suppress it."""

    recipients: Selector
    template: str
    essential: bool
    context: ContextBuilder
    when: Condition = ALWAYS


@dataclass(frozen=True)
class PlannedMail:
    """One mail to one person, ready to be stored, rendered and sent."""

    person_id: str
    email: str
    name: str
    language: str
    template: str
    context: dict[str, Any]
    essential: bool
    dedup_key: str

    def to_dict(self) -> dict[str, Any]:
        """Return a plain dict for storage."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlannedMail:
        """Rebuild a planned mail from its stored dict (unknown keys are ignored)."""
        fields = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in fields})


def _library(payload: Payload, state: StateView) -> dict[str, Any]:
    library_id = payload.get("library_id")
    name = payload.get("library_name") or library_name(state, library_id)
    return {"library_id": library_id, "library_name": name}


def _picked(payload: Payload, *keys: str) -> dict[str, Any]:
    return {key: payload.get(key) for key in keys}


def _name_of(person: Any) -> str:
    if isinstance(person, Mapping):
        return str(person.get("name") or "")
    return str(person or "")


def _registered(payload: Payload, state: StateView) -> dict[str, Any]:
    return {
        "library_id": payload.get("library_id"),
        "library_name": payload.get("name") or "",
        "municipality": payload.get("municipality"),
        "isil": payload.get("isil"),
        **one_time_link("library.registered", payload),
        "registration": True,
    }


def _email_confirmation(payload: Payload, state: StateView) -> dict[str, Any]:
    return {
        **_library(payload, state),
        "municipality": None,
        "isil": None,
        **one_time_link("person.email_confirmation_requested", payload),
        "registration": False,
    }


def _activated(payload: Payload, state: StateView) -> dict[str, Any]:
    return {
        "library_id": payload.get("library_id"),
        "library_name": payload.get("name") or library_name(state, payload.get("library_id")),
    }


def _invited(payload: Payload, state: StateView) -> dict[str, Any]:
    return {
        **_library(payload, state),
        **one_time_link("person.invited", payload),
        "role": payload.get("role"),
        "invited_by_name": payload.get("inviter_name"),
    }


def _password_reset(payload: Payload, state: StateView) -> dict[str, Any]:
    return {"library_id": None, "library_name": "", **one_time_link("person.password_reset_requested", payload)}


def _reactivated(payload: Payload, state: StateView) -> dict[str, Any]:
    # library_name is None for programme staff (assessors, administrators): no library line.
    return {**_library(payload, state), "role": payload.get("role")}


def _submitted(payload: Payload, state: StateView) -> dict[str, Any]:
    return {**_library(payload, state), **_picked(payload, "item_id", "title", "kind", "revision")}


def _clarification(payload: Payload, state: StateView) -> dict[str, Any]:
    return {
        **_library(payload, state),
        **_picked(payload, "item_id", "title", "message", "deadline"),
        "submitter_name": _name_of(payload.get("submitted_by") or payload.get("submitter")),
    }


def _deadline_soon(payload: Payload, state: StateView) -> dict[str, Any]:
    # planned_on: the day the scheduler planned the reminder; the sender tells the days left from
    # the day it really sends the mail, this is the fallback.
    return {**_clarification(payload, state), **_picked(payload, "planned_on")}


def _reviewed(payload: Payload, state: StateView) -> dict[str, Any]:
    return {
        **_library(payload, state),
        **_picked(payload, "item_id", "title", "revision", "decision", "comment"),
        "reviewer_name": _name_of(payload.get("reviewer")),
    }


def _plan(payload: Payload, state: StateView) -> dict[str, Any]:
    plan = payload.get("plan") or {}
    actor = payload.get("actor") or {}
    return {
        **_library(payload, state),
        "plan_id": payload.get("plan_id"),
        "version": payload.get("version"),
        "start_year": plan.get("start_year"),
        "end_year": plan.get("end_year"),
        "goal_count": len(plan.get("goals") or []),
        "submitter_name": _name_of(payload.get("submitted_by") or payload.get("submitter")),
        "actor_name": _name_of(actor),
    }


def _plan_submitted(payload: Payload, state: StateView) -> dict[str, Any]:
    # `message` is set when the library answers the assessor's question and resubmits.
    return {**_plan(payload, state), **_picked(payload, "message")}


def _plan_approved(payload: Payload, state: StateView) -> dict[str, Any]:
    return {**_plan(payload, state), **_picked(payload, "comment")}


def _plan_clarification(payload: Payload, state: StateView) -> dict[str, Any]:
    return {**_plan(payload, state), **_picked(payload, "message", "deadline")}


def _plan_deadline_soon(payload: Payload, state: StateView) -> dict[str, Any]:
    # Made by the scheduler from its record of the open question (no plan snapshot); planned_on as
    # in _deadline_soon.
    return {
        **_library(payload, state),
        **_picked(payload, "plan_id", "version", "message", "deadline", "planned_on"),
        "submitter_name": _name_of(payload.get("submitted_by") or payload.get("submitter")),
    }


def _library_only(payload: Payload, state: StateView) -> dict[str, Any]:
    return _library(payload, state)


def _awarded(payload: Payload, state: StateView) -> dict[str, Any]:
    return {**_library(payload, state), **_picked(payload, "certificate_id", "valid_until")}


def _checkin(payload: Payload, state: StateView) -> dict[str, Any]:
    return {**_library(payload, state), **_picked(payload, "certificate_id", "due_on", "days_before")}


def _lapsed(payload: Payload, state: StateView) -> dict[str, Any]:
    return {**_library(payload, state), **_picked(payload, "certificate_id")}


def _model(payload: Payload, state: StateView) -> dict[str, Any]:
    changes = [
        {key: change.get(key) for key in ("requirement_id", "field", "old", "new")}
        for change in payload.get("changes") or []
    ]
    return {"library_id": None, "library_name": "", "version": payload.get("version"), "changes": changes}


def _digest(payload: Payload, state: StateView) -> dict[str, Any]:
    items = [
        {key: item.get(key) for key in ("library_name", "title", "submitted_at")} for item in payload.get("items") or []
    ]
    return {"library_id": None, "library_name": "", "items": items}


ROUTES: dict[str, Route] = {
    "library.registered": Route(REGISTERING_COORDINATOR, "confirm_email", True, _registered),
    "person.email_confirmation_requested": Route(PERSON, "confirm_email", True, _email_confirmation),
    "library.activated": Route(LIBRARY_COORDINATORS, "welcome", False, _activated),
    "person.invited": Route(INVITEE, "invitation", True, _invited),
    "person.password_reset_requested": Route(PERSON, "password_reset", True, _password_reset),
    # Essential: it tells a person their access changed (if they did not expect it, they should
    # know), and someone who opted out of reminders and digests still needs to hear it.
    "person.reactivated": Route(REACTIVATED_PERSON, "access_restored", True, _reactivated),
    "evidence.submitted": Route(SUBMITTER, "evidence_received", False, _submitted),
    "evidence.clarification_requested": Route(
        SUBMITTER_AND_COORDINATORS, "clarification_requested", False, _clarification
    ),
    "clarification.deadline_soon": Route(
        SUBMITTER_AND_COORDINATORS, "clarification_deadline_soon", False, _deadline_soon
    ),
    "evidence.reviewed": Route(SUBMITTER_AND_COORDINATORS, "evidence_reviewed", False, _reviewed, DECIDED),
    # The action plan (D1): assessors decide on a submitted plan; the library hears the decision.
    "action_plan.submitted": Route(ALL_ASSESSORS, "action_plan_submitted", False, _plan_submitted),
    "action_plan.approved": Route(SUBMITTER_AND_COORDINATORS, "action_plan_approved", False, _plan_approved),
    "action_plan.clarification_requested": Route(
        SUBMITTER_AND_COORDINATORS, "action_plan_clarification_requested", False, _plan_clarification
    ),
    # Made by the scheduler CHORA_REMINDER_DAYS before the deadline, while the plan is unanswered.
    "action_plan.clarification_deadline_soon": Route(
        SUBMITTER_AND_COORDINATORS, "action_plan_clarification_deadline_soon", False, _plan_deadline_soon
    ),
    "library.ready_for_review": Route(ALL_ASSESSORS, "ready_for_review", False, _library_only),
    "certificate.awarded": Route(LIBRARY_ACTIVE_STAFF, "certified", False, _awarded),
    "certificate.checkin_due": Route(LIBRARY_COORDINATORS, "checkin_due", False, _checkin, CHECKIN_DAYS),
    "certificate.lapsed": Route(LIBRARY_COORDINATORS, "certificate_lapsed", False, _lapsed),
    "model.published": Route(ALL_COORDINATORS, "model_published", False, _model),
    "digest.assessors": Route(ALL_ASSESSORS, "assessor_digest", False, _digest, HAS_ITEMS),
}

TEMPLATES: frozenset[str] = frozenset(route.template for route in ROUTES.values())


def scope_of(event_type: str, payload: Payload) -> Scope:
    """Return the part of the projection `plan_messages` reads for this event (nothing if unrouted)."""
    route = ROUTES.get(event_type)
    if route is None or not route.when(payload):
        return Scope()
    # Every context builder may name the payload's library.
    return route.recipients.scope(payload) | Scope.of(library_ids=[payload.get("library_id")])


def plan_messages(event_type: str, payload: Payload, state: StateView, *, event_id: str) -> list[PlannedMail]:
    """Return the mails one event causes, after recipients' opt-outs; [] for unrouted events."""
    route = ROUTES.get(event_type)
    if route is None or not route.when(payload):
        return []
    context = route.context(payload, state)
    return [
        _planned(route, recipient, context, event_id)
        for recipient in route.recipients(payload, state)
        if wants_mail(recipient.prefs, essential=route.essential)
    ]


def _planned(route: Route, recipient: Recipient, context: dict[str, Any], event_id: str) -> PlannedMail:
    return PlannedMail(
        person_id=recipient.person_id,
        email=recipient.email,
        name=recipient.name,
        language=recipient.language,
        template=route.template,
        context={**copy.deepcopy(context), "recipient_name": recipient.name},
        essential=route.essential,
        dedup_key=f"{event_id}:{recipient.person_id}",
    )
