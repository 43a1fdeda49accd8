"""Events and commands -> domain -> store.

Every consumed event is handled in ONE transaction with its inbox mark: the recipients projection
is updated (registration events), the scheduler's working sets are kept (evidence and action plan
events: the digest, open questions), and the mails the routing table plans are recorded in the
`mails` outbox. The sender thread (sender.py) delivers them later; a redelivered event hits the
inbox and plans nothing twice, and the unique dedup_key (event_id:person_id) holds even for mails
planned by the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from notification import store as repo
from notification.config import Settings
from notification.domain.clarifications import EVIDENCE_DECISIONS, Close, Open, change_for
from notification.domain.errors import InvalidUnsubscribeToken
from notification.domain.preferences import read_unsubscribe_token
from notification.domain.recipients import REGISTRATION_EVENTS, State, apply_registration_event, registration_scope
from notification.domain.routing import ROUTES, plan_messages, scope_of
from shared import keys
from shared.events import CATALOGUE, Event
from shared.mongo import ServiceStore, Tx

CONSUMER = "notification"
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


# The clock every handler and worker reads; tests may replace it (handlers.clock = lambda: ...).
clock: Clock = utcnow

# Evidence events that do not mail anyone but keep the digest and the reminders right.
EVIDENCE_BOOKKEEPING = frozenset({"evidence.withdrawn", "evidence.clarification_answered"})


def record_planned_mails(tx: Tx, state: State, event_type: str, payload: dict[str, Any], event_id: str,
                         at: datetime) -> list[str]:
    """Plan the mails of one (real or scheduler-made) event and record them as pending.

    `state` must cover at least `routing.scope_of(event_type, payload)`.
    """
    planned = plan_messages(event_type, payload, state, event_id=event_id)
    library_ids = {pid: person.get("library_id") for pid, person in state["people"].items()}
    return repo.insert_mails(
        tx.db, tx.session, [p.to_dict() for p in planned], event_id=event_id, event_type=event_type,
        library_ids=library_ids, at=at,
    )


def handle_event(store: ServiceStore, event: Event, settings: Settings) -> None:
    """Project, book-keep and plan the mails of one event, in one transaction with its inbox mark."""
    at = clock()

    def work(tx: Tx) -> list[str]:
        db, session = tx.db, tx.session
        # Only the people and libraries this event touches or mails, not the whole projection.
        scope = registration_scope(event.type, event.payload) | scope_of(event.type, event.payload)
        state = repo.load_state(db, session, scope)
        if event.type in REGISTRATION_EVENTS:
            new = apply_registration_event(
                state, event.type, event.payload, occurred_at=event.occurred_at.astimezone(UTC).isoformat()
            )
            repo.save_state(db, session, state, new)
            if event.type == "person.erased":
                repo.forget_person(db, session, event.payload["person_id"])
            state = new
        _book_keep(tx, event)
        return record_planned_mails(tx, state, event.type, event.payload, event.id, at)

    if store.transact(work, inbox=(CONSUMER, event.id)):
        _wake_sender(store)


def _wake_sender(store: ServiceStore) -> None:
    """New mail was committed: the sender in this process sends it now (its poll is a safety net)."""
    from notification import workers

    running = workers.running_for(store)
    if running is not None:
        running.sender.wake()


def _book_keep(tx: Tx, event: Event) -> None:
    p, db, s = event.payload, tx.db, tx.session
    _book_keep_clarification(tx, event)
    if not event.type.startswith("evidence."):
        return
    item_id = p["item_id"]
    if event.type == "evidence.submitted":
        repo.add_digest_item(db, s, {
            "_id": f"{item_id}:{p['revision']}", "item_id": item_id, "library_id": p["library_id"],
            "library_name": p.get("library_name") or "", "title": p.get("title") or "",
            "submitted_at": event.occurred_at, "digest_day": None,
        })
    elif event.type == "evidence.withdrawn" or (
        event.type == "evidence.reviewed" and p.get("decision") in EVIDENCE_DECISIONS
    ):
        repo.drop_undigested(db, s, item_id)  # decided or withdrawn before the digest: not news


def _book_keep_clarification(tx: Tx, event: Event) -> None:
    """Open or close the deadline reminder of a question about evidence or an action plan."""
    change = change_for(event.type, event.payload)
    if isinstance(change, Open):
        repo.open_clarification(tx.db, tx.session, change.record)
    elif isinstance(change, Close):
        repo.close_clarification(tx.db, tx.session, change.key, change.revision, remember=change.remember)


# Every routed event that travels on the bus, the whole projection, and the book-keeping events.
# digest.assessors and the deadline reminders (clarification.deadline_soon,
# action_plan.clarification_deadline_soon) are made by this service's scheduler and never travel on
# the bus, so they are not consumed.
HANDLED_TYPES = sorted(
    t for t in (set(ROUTES) | REGISTRATION_EVENTS | EVIDENCE_BOOKKEEPING) if t in CATALOGUE
)
EVENT_HANDLERS = {event_type: handle_event for event_type in HANDLED_TYPES}


# -- commands from the HTTP API --------------------------------------------------------------------


def set_preferences(store: ServiceStore, person_id: str, non_essential: bool) -> dict[str, bool]:
    """Turn a person's non-essential mail on or off."""
    at = clock()
    store.transact(lambda tx: repo.set_preferences(tx.db, tx.session, person_id, non_essential, at))
    return {"non_essential": bool(non_essential)}


def unsubscribe(store: ServiceStore, settings: Settings, token: str) -> str:
    """Turn off non-essential mail for the person a signed unsubscribe token names."""
    person_id = read_unsubscribe_token(settings.key(keys.UNSUBSCRIBE), token)
    if repo.is_erased(store.db, person_id):
        raise InvalidUnsubscribeToken("the person no longer exists")
    set_preferences(store, person_id, False)
    return person_id


def resend(store: ServiceStore, mail_id: str) -> dict[str, Any] | None:
    """Queue a logged mail again; None if unknown. Raises ValueError if it cannot be resent."""
    at = clock()

    def work(tx: Tx) -> dict[str, Any] | None:
        mail = repo.get_mail(tx.db, mail_id, tx.session)
        if mail is None:
            return None
        if mail["status"] == repo.SENDING:
            raise ResendRefused("sending")
        if mail.get("erased") or not mail.get("email"):
            raise ResendRefused("erased")
        if mail.get("token_redacted"):
            raise ResendRefused("token")
        repo.requeue(tx.db, tx.session, mail_id, at)
        return repo.get_mail(tx.db, mail_id, tx.session)

    return store.transact(work)


class ResendRefused(Exception):
    """A mail that cannot be queued again: why is in args[0] (sending, erased, token)."""
