"""Events and commands -> domain -> repositories, each in one unit of work.

Every consumed event is handled in ONE commit with its inbox mark: the recipients projection is
updated (registration events), the scheduler's working sets are kept (evidence and action plan
events: the digest, open questions), and the mails the routing table (`domain.routing.ROUTES`,
the service's table of what each event does) plans are recorded in the `mails` outbox. The sender
(sender.py) delivers them later; a redelivered event hits the inbox and plans nothing twice, and
the unique dedup_key (event_id:person_id) holds for the scheduler's mails too.

The scheduler's pass (`RunScheduler`) plans the assessors' digest and the deadline reminders:
each piece of work is one commit recording a marker (the day's digest, the reminded deadline)
with its mails, so passes may run at once from several processes and still mail once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

from notification.config import Settings
from notification.domain.actions import (
    mail_actions,
    preference_actions,
    require_administrator,
    require_owner_of_preferences,
    require_scheduler,
    resend_refusal,
)
from notification.domain.clarifications import EVIDENCE_DECISIONS, Close, Open, change_for, reminder_for
from notification.domain.commands import ResendMail, RunScheduler, SetPreferences, Unsubscribe
from notification.domain.errors import AlreadyPlanned, InvalidUnsubscribeToken, UnknownMail, UnknownPerson
from notification.domain.localtime import local_day
from notification.domain.preferences import read_unsubscribe_token
from notification.domain.recipients import (
    REGISTRATION_EVENTS,
    Scope,
    State,
    apply_registration_event,
    registration_scope,
)
from notification.domain.routing import ROUTES, plan_messages, scope_of
from notification.domain.schedule import digest_due
from notification.store import Repositories
from shared import keys
from shared.events import CATALOGUE, Event
from shared.uow import UnitOfWork, Work

CONSUMER = "notification"
DIGEST = "digest.assessors"
Clock = Callable[[], datetime]
Uow: TypeAlias = UnitOfWork[Repositories]

# Evidence events that do not mail anyone but keep the digest and the reminders right.
EVIDENCE_BOOKKEEPING = frozenset({"evidence.withdrawn", "evidence.clarification_answered"})


def utcnow() -> datetime:
    """Return the current moment in UTC (the clock bootstrap injects unless told otherwise)."""
    return datetime.now(UTC)


def record_planned_mails(repos: Repositories, state: State, event_type: str, payload: dict[str, Any],
                         event_id: str, at: datetime) -> list[str]:
    """Plan the mails of one (real or scheduler-made) event and record them as pending.

    `state` must cover at least `routing.scope_of(event_type, payload)`.
    """
    planned = plan_messages(event_type, payload, state, event_id=event_id)
    library_ids = {pid: person.get("library_id") for pid, person in state["people"].items()}
    return repos.mails.add([p.to_dict() for p in planned], event_id=event_id, event_type=event_type,
                           library_ids=library_ids, at=at)


# -- consumed events ---------------------------------------------------------------------------------


def handle_event(event: Event, uow: Uow, clock: Clock, wake_sender: Callable[[], None]) -> None:
    """Project, book-keep and plan the mails of one event, in one commit with its inbox mark."""
    at = clock()

    def work(w: Work[Repositories]) -> list[str]:
        repos = w.repos
        # Only the people and libraries this event touches or mails, not the whole projection.
        state = repos.recipients.load(registration_scope(event.type, event.payload)
                                      | scope_of(event.type, event.payload))
        if event.type in REGISTRATION_EVENTS:
            new = apply_registration_event(
                state, event.type, event.payload, occurred_at=event.occurred_at.astimezone(UTC).isoformat()
            )
            repos.recipients.save(state, new)
            if event.type == "person.erased":
                _forget(repos, event.payload["person_id"])
            state = new
        _book_keep(repos, event)
        return record_planned_mails(repos, state, event.type, event.payload, event.id, at)

    if uow.run(work, inbox=(CONSUMER, event.id)):
        wake_sender()


def _forget(repos: Repositories, person_id: str) -> None:
    """GDPR erasure: preferences dropped, unsent mail cancelled, personal data stripped from the log."""
    repos.preferences.forget(person_id)
    repos.mails.forget_person(person_id)
    repos.clarifications.forget_person(person_id)


def _book_keep(repos: Repositories, event: Event) -> None:
    p = event.payload
    change = change_for(event.type, p)
    if isinstance(change, Open):
        repos.clarifications.open(change.record)
    elif isinstance(change, Close):
        repos.clarifications.close(change.key, change.revision, remember=change.remember)
    if event.type == "evidence.submitted":
        repos.digests.add_item({
            "_id": f"{p['item_id']}:{p['revision']}", "item_id": p["item_id"], "library_id": p["library_id"],
            "library_name": p.get("library_name") or "", "title": p.get("title") or "",
            "submitted_at": event.occurred_at, "digest_day": None,
        })
    elif event.type == "evidence.withdrawn" or (
        event.type == "evidence.reviewed" and p.get("decision") in EVIDENCE_DECISIONS
    ):
        repos.digests.drop_undigested(p["item_id"])  # decided or withdrawn before the digest: not news


# Every routed event that travels on the bus, the whole projection, and the book-keeping events.
# digest.assessors and the deadline reminders (clarification.deadline_soon,
# action_plan.clarification_deadline_soon) are made by the scheduler and never travel on the bus.
HANDLED_TYPES = sorted(t for t in (set(ROUTES) | REGISTRATION_EVENTS | EVIDENCE_BOOKKEEPING) if t in CATALOGUE)


# -- commands ----------------------------------------------------------------------------------------


def set_preferences(cmd: SetPreferences, uow: Uow, clock: Clock) -> dict[str, Any]:
    """Turn a person's non-essential mail on or off (their own only)."""
    require_owner_of_preferences(cmd.actor, cmd.person_id)
    at = clock()

    def work(w: Work[Repositories]) -> None:
        if w.repos.recipients.is_erased(cmd.person_id):
            raise UnknownPerson()
        w.repos.preferences.set(cmd.person_id, cmd.non_essential, at)

    uow.run(work)
    return {"non_essential": cmd.non_essential, "actions": preference_actions(cmd.person_id, cmd.actor)}


def unsubscribe(cmd: Unsubscribe, uow: Uow, clock: Clock, settings: Settings) -> dict[str, Any]:
    """Turn off non-essential mail for the person a signed unsubscribe token names."""
    person_id = read_unsubscribe_token(settings.key_ring(keys.UNSUBSCRIBE), cmd.token)
    at = clock()

    def work(w: Work[Repositories]) -> None:
        if w.repos.recipients.is_erased(person_id):
            raise InvalidUnsubscribeToken()
        w.repos.preferences.set(person_id, False, at)

    uow.run(work)
    return {"non_essential": False, "actions": []}  # the link's holder may do nothing more


def resend_mail(cmd: ResendMail, uow: Uow, clock: Clock, wake_sender: Callable[[], None]) -> dict[str, Any]:
    """Queue a logged mail again (administrators), unless `actions.resend_refusal` says why not."""
    require_administrator(cmd.actor)
    at = clock()

    def work(w: Work[Repositories]) -> dict[str, Any]:
        mail = w.repos.mails.get(cmd.mail_id)
        if mail is None:
            raise UnknownMail()
        refusal = resend_refusal(mail)
        if refusal is not None:
            raise refusal
        w.repos.mails.requeue(cmd.mail_id, at)
        return w.repos.mails.get(cmd.mail_id) or mail

    mail = uow.run(work)
    wake_sender()
    return {**mail, "actions": mail_actions(mail, cmd.actor)}


def run_scheduler(cmd: RunScheduler, uow: Uow, clock: Clock, settings: Settings,
                  wake_sender: Callable[[], None]) -> dict[str, int]:
    """Plan today's assessor digest (working days, from the digest hour) and the due deadline reminders.

    "Today" is the day in Copenhagen (`localtime`); what is stored stays UTC.
    """
    require_scheduler(cmd.actor)
    now = clock()
    result = {"digest_mails": 0, "reminder_mails": 0}
    if digest_due(now, settings.digest_hour):
        result["digest_mails"] = _unless_done(lambda: _digest(uow, now))
    today = local_day(now)
    first, last = today + timedelta(days=1), today + timedelta(days=settings.reminder_days)
    for record in uow.repos.clarifications.due(first.isoformat(), last.isoformat()):
        if record.get("reminded_for") != record["deadline"]:
            result["reminder_mails"] += _unless_done(functools.partial(_remind, uow, record, now))
    if any(result.values()):
        wake_sender()
    return result


def _unless_done(step: Callable[[], int]) -> int:
    try:
        return step()
    except AlreadyPlanned:  # another pass did the same work first
        return 0


def _digest(uow: Uow, now: datetime) -> int:
    day = local_day(now).isoformat()

    def work(w: Work[Repositories]) -> int:
        repos = w.repos
        if repos.digests.done(day):
            return 0
        items = repos.digests.undigested()
        if not items:
            return 0  # nothing yet today: a later pass may still send today's digest
        state = repos.recipients.load(scope_of(DIGEST, {"items": items})
                                      | Scope.of(library_ids=[i["library_id"] for i in items]))
        payload = {"items": [
            {"library_name": i.get("library_name") or state["libraries"].get(i["library_id"], {}).get("name", ""),
             "title": i.get("title") or "", "submitted_at": i["submitted_at"].isoformat()}
            for i in items
        ]}
        repos.digests.record(day, [i["_id"] for i in items], now)
        return len(record_planned_mails(repos, state, DIGEST, payload, f"{DIGEST}:{day}", now))

    return uow.run(work)


def _remind(uow: Uow, record: dict[str, Any], now: datetime) -> int:
    key, deadline = record["_id"], record["deadline"]

    def work(w: Work[Repositories]) -> int:
        repos = w.repos
        current = repos.clarifications.get(key)
        # Answered, decided or reminded since the query: nothing to do.
        if not current or not current.get("open") or current.get("reminded_for") == deadline:
            return 0
        reminder = reminder_for(current, local_day(now).isoformat())
        state = repos.recipients.load(scope_of(reminder.event_type, reminder.payload))
        repos.clarifications.mark_reminded(key, deadline)
        return len(record_planned_mails(repos, state, reminder.event_type, reminder.payload, reminder.event_id, now))

    return uow.run(work)


# The one table: what the service does with each command and each consumed event.
COMMAND_HANDLERS: dict[type, Callable[..., Any]] = {
    SetPreferences: set_preferences,
    Unsubscribe: unsubscribe,
    ResendMail: resend_mail,
    RunScheduler: run_scheduler,
}
EVENT_HANDLERS: dict[str, Callable[..., Any]] = {event_type: handle_event for event_type in HANDLED_TYPES}
