"""The scheduler: the assessors' digest (Monday to Friday) and clarification-deadline reminders
(questions about evidence and about action plans; `domain.clarifications` says which are open).

`run_scheduler_once(store, now)` is idempotent: it may run every minute, from several processes
and from POST /scheduler/run, and still mails one digest per assessor per day and one reminder
per recipient per clarification deadline. Each piece of work is one transaction that records a
marker (the day's digest, the reminded deadline) together with the planned mails, whose dedup_key
is unique; a race between two runs ends in a conflict, never in a second mail.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from notification import store as repo
from notification.config import MailConfig
from notification.domain.clarifications import reminder_for
from notification.domain.localtime import local_day
from notification.domain.recipients import Scope
from notification.domain.routing import scope_of
from notification.domain.schedule import digest_due
from notification.handlers import record_planned_mails
from shared.mongo import ServiceStore, is_duplicate_key

log = logging.getLogger(__name__)

DIGEST = "digest.assessors"


def run_scheduler_once(store: ServiceStore, now: datetime, config: MailConfig | None = None) -> dict[str, int]:
    """Plan today's assessor digest (working days, from digest_hour on) and due deadline reminders.

    "Today" is the day in Copenhagen (`localtime`); `now` itself stays UTC in what is stored.
    """
    config = config or MailConfig.from_env()
    result = {"digest_mails": 0, "reminder_mails": 0}
    if digest_due(now, config.digest_hour):
        result["digest_mails"] = _guarded(lambda: _digest(store, now))
    today = local_day(now)
    first = today + timedelta(days=1)
    last = today + timedelta(days=config.reminder_days)
    for clarification in repo.clarifications_due(store.db, None, first.isoformat(), last.isoformat()):
        if clarification.get("reminded_for") != clarification["deadline"]:
            result["reminder_mails"] += _guarded(lambda c=clarification: _remind(store, c, now))
    return result


def _guarded(step) -> int:
    try:
        return step()
    except Exception as exc:
        if is_duplicate_key(exc):  # another run did the same work first
            return 0
        raise


def _digest(store: ServiceStore, now: datetime) -> int:
    day = local_day(now).isoformat()

    def work(tx) -> int:
        if repo.digest_done(tx.db, tx.session, day):
            return 0
        items = repo.undigested_items(tx.db, tx.session)
        if not items:
            return 0  # nothing yet today: a later run may still send today's digest
        state = repo.load_state(tx.db, tx.session, scope_of(DIGEST, {"items": items}) | Scope.of(
            library_ids=[i["library_id"] for i in items]))
        payload = {"items": [
            {"library_name": i.get("library_name") or state["libraries"].get(i["library_id"], {}).get("name", ""),
             "title": i.get("title") or "", "submitted_at": i["submitted_at"].isoformat()}
            for i in items
        ]}
        repo.record_digest(tx.db, tx.session, day, [i["_id"] for i in items], now)
        return len(record_planned_mails(tx, state, DIGEST, payload, f"{DIGEST}:{day}", now))

    return store.transact(work)


def _remind(store: ServiceStore, clarification: dict, now: datetime) -> int:
    key, deadline = clarification["_id"], clarification["deadline"]

    def work(tx) -> int:
        current = tx.db[repo.CLARIFICATIONS].find_one({"_id": key}, session=tx.session)
        # Answered, decided or reminded since the query above: nothing to do.
        if not current or not current.get("open") or current.get("reminded_for") == deadline:
            return 0
        reminder = reminder_for(current, local_day(now).isoformat())
        state = repo.load_state(tx.db, tx.session, scope_of(reminder.event_type, reminder.payload))
        repo.mark_reminded(tx.db, tx.session, key, deadline)
        return len(record_planned_mails(tx, state, reminder.event_type, reminder.payload, reminder.event_id, now))

    return store.transact(work)


class SchedulerThread:
    """Runs run_scheduler_once every `scheduler_interval` seconds in the consumer process."""

    def __init__(self, store: ServiceStore, config: MailConfig, clock):
        self.store, self.config, self.clock = store, config, clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SchedulerThread:
        self._thread = threading.Thread(target=self._run, name="notification-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                run_scheduler_once(self.store, self.clock(), self.config)
            except Exception:
                log.exception("scheduler run failed; trying again later")
            self._stop.wait(self.config.scheduler_interval)
