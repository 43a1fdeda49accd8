"""In-memory twins of `notification.store`'s repositories, for handler tests through
chora_testing.uow.FakeUnitOfWork: the same methods, the same answers and the same domain errors
for a duplicate (tests/integration/test_notification_repositories.py runs one contract against
both). Plain dicts only, so the unit of work can copy them to undo a failed run.

Named notification_fakes (not fakes) so it cannot be mistaken for another service's module of the
same name when pytest puts every test folder on sys.path.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from chora_testing.uow import FakeUnitOfWork

from notification.domain.errors import AlreadyPlanned
from notification.domain.recipients import Scope, State, default_prefs, empty_state, restrict
from notification.domain.tokens import TOKEN, TOKEN_REDACTED, carries_token
from notification.store import SCHEMA_VERSION
from shared.context import new_id
from shared.vocabulary import MAIL_CANCELLED, MAIL_PENDING, MAIL_SENDING, MAIL_SENT

Doc = dict[str, Any]


def _copy(doc: Doc | None) -> Doc | None:
    return copy.deepcopy(doc)


class FakeRecipients:
    def __init__(self, preferences: FakePreferences):
        self.libraries: dict[str, Doc] = {}
        self.people: dict[str, Doc] = {}
        self.erased: list[str] = []
        self._preferences = preferences

    def load(self, scope: Scope | None = None) -> State:
        state = empty_state()
        state["libraries"] = copy.deepcopy(self.libraries)
        state["people"] = {pid: {**copy.deepcopy(p), "prefs": {**default_prefs(), **self._preferences.get(pid)}}
                           for pid, p in self.people.items()}
        state["erased"] = list(self.erased)
        return state if scope is None else restrict(state, scope)

    def save(self, old: State, new: State) -> None:
        for lid, lib in new["libraries"].items():
            if old["libraries"].get(lid) != lib:
                self.libraries[lid] = copy.deepcopy(lib)
        for pid, person in new["people"].items():
            if old["people"].get(pid) != person:
                self.people[pid] = {k: copy.deepcopy(v) for k, v in person.items() if k != "prefs"}
        for pid in set(old["people"]) - set(new["people"]):
            self.people.pop(pid, None)
        for pid in new["erased"]:
            if pid not in self.erased:
                self.erased.append(pid)

    def is_erased(self, person_id: str) -> bool:
        return person_id in self.erased


class FakePreferences:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    def get(self, person_id: str) -> dict[str, bool]:
        doc = self.docs.get(person_id)
        return {"non_essential": bool(doc["non_essential"])} if doc else default_prefs()

    def set(self, person_id: str, non_essential: bool, at: datetime) -> None:
        self.docs[person_id] = {"non_essential": bool(non_essential), "updated_at": at}

    def forget(self, person_id: str) -> None:
        self.docs.pop(person_id, None)


class FakeMails:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    def add(self, planned: list[Doc], *, event_id: str, event_type: str, library_ids: dict[str, str | None],
            at: datetime) -> list[str]:
        keys = {d["dedup_key"] for d in self.docs.values()}
        docs = []
        for mail in planned:
            if mail["dedup_key"] in keys:
                raise AlreadyPlanned()
            keys.add(mail["dedup_key"])
            docs.append({
                "_id": new_id(), **copy.deepcopy(mail), "event_id": event_id, "event_type": event_type,
                "library_id": mail["context"].get("library_id") or library_ids.get(mail["person_id"]),
                "status": MAIL_PENDING, "attempts": 0, "next_attempt_at": at, "attempt_started_at": None,
                "created_at": at, "sent_at": None, "last_error": None, "resends": 0,
            })
        self.docs.update({d["_id"]: d for d in docs})
        return [d["_id"] for d in docs]

    def get(self, mail_id: str) -> Doc | None:
        return _copy(self.docs.get(mail_id))

    def page(self, *, library_id: str | None = None, person_id: str | None = None, status: str | None = None,
             page: int = 1, per_page: int = 50) -> tuple[list[Doc], int]:
        wanted = {k: v for k, v in (("library_id", library_id), ("person_id", person_id), ("status", status)) if v}
        found = [d for d in self.docs.values() if all(d.get(k) == v for k, v in wanted.items())]
        found.sort(key=lambda d: d["_id"])
        found.sort(key=lambda d: d["created_at"], reverse=True)
        return copy.deepcopy(found[(page - 1) * per_page: page * per_page]), len(found)

    def requeue(self, mail_id: str, at: datetime) -> None:
        mail = self.docs.get(mail_id)
        if mail is not None and mail["status"] != MAIL_SENDING:
            mail.update(status=MAIL_PENDING, next_attempt_at=at, attempts=0, last_error=None,
                        resends=mail["resends"] + 1)

    def forget_person(self, person_id: str) -> None:
        for mail in self.docs.values():
            if mail["person_id"] == person_id:
                if mail["status"] in (MAIL_PENDING, MAIL_SENDING):
                    mail["status"] = MAIL_CANCELLED
                mail.update(email=None, name=None, context={}, erased=True)

    def claim_next(self, now: datetime) -> Doc | None:
        due = [d for d in self.docs.values() if d["status"] == MAIL_PENDING and d["next_attempt_at"] <= now]
        if not due:
            return None
        mail = min(due, key=lambda d: d["next_attempt_at"])
        mail.update(status=MAIL_SENDING, attempt_started_at=now, attempts=mail["attempts"] + 1)
        return _copy(mail)

    def release_stale(self, older_than: datetime, now: datetime) -> int:
        stale = [d for d in self.docs.values() if d["status"] == MAIL_SENDING and d["attempt_started_at"] < older_than]
        for mail in stale:
            mail.update(status=MAIL_PENDING, next_attempt_at=now, last_error="sender stopped mid-send; retried")
        return len(stale)

    def _attempt(self, mail: Doc) -> Doc | None:
        current = self.docs.get(mail["_id"])
        if current is None or current["status"] != MAIL_SENDING or current["attempts"] != mail["attempts"]:
            return None
        return current

    def mark_sent(self, mail: Doc, at: datetime) -> None:
        current = self._attempt(mail)
        if current is not None:
            current.update(status=MAIL_SENT, sent_at=at, last_error=None)
            if carries_token(mail.get("context") or {}):
                current["context"][TOKEN] = None
                current[TOKEN_REDACTED] = True

    def mark_final(self, mail: Doc, status: str, reason: str, at: datetime) -> bool:
        current = self._attempt(mail)
        if current is None:
            return False
        current.update(status=status, last_error=reason, finished_at=at)
        return True

    def mark_retry(self, mail: Doc, reason: str, when: datetime) -> None:
        current = self._attempt(mail)
        if current is not None:
            current.update(status=MAIL_PENDING, last_error=reason, next_attempt_at=when)


class FakeDigests:
    def __init__(self) -> None:
        self.items: dict[str, Doc] = {}
        self.days: dict[str, Doc] = {}

    def add_item(self, item: Doc) -> None:
        self.items.setdefault(item["_id"], copy.deepcopy(item))

    def drop_undigested(self, item_id: str) -> None:
        for key in [k for k, i in self.items.items() if i["item_id"] == item_id and i["digest_day"] is None]:
            del self.items[key]

    def undigested(self) -> list[Doc]:
        waiting = [i for i in self.items.values() if i["digest_day"] is None]
        return copy.deepcopy(sorted(waiting, key=lambda i: (i["submitted_at"], i["_id"])))

    def done(self, day: str) -> bool:
        return day in self.days

    def record(self, day: str, item_ids: list[str], at: datetime) -> None:
        if day in self.days:
            raise AlreadyPlanned()
        self.days[day] = {"_id": day, "at": at, "items": len(item_ids)}
        for item_id in item_ids:
            if item_id in self.items:
                self.items[item_id]["digest_day"] = day


class FakeClarifications:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    def get(self, key: str) -> Doc | None:
        return _copy(self.docs.get(key))

    def open(self, doc: Doc) -> None:
        current = self.docs.get(doc["_id"])
        if current is not None and current.get("revision", 0) > doc["revision"]:
            return
        self.docs[doc["_id"]] = {**copy.deepcopy(doc), "open": True, "reminded_for": None}

    def close(self, key: str, revision: int, *, remember: bool = False) -> None:
        current = self.docs.get(key)
        if current is None:
            if remember:
                self.docs[key] = {"_id": key, "open": False, "revision": revision, "deadline": None,
                                  "reminded_for": None}
            return
        if current.get("revision", 0) <= revision:
            current["open"] = False
            if remember:
                current["revision"] = revision

    def due(self, first_day: str, last_day: str) -> list[Doc]:
        found = [d for d in self.docs.values()
                 if d["open"] and d.get("deadline") and first_day <= d["deadline"] <= last_day]
        return copy.deepcopy(sorted(found, key=lambda d: (d["deadline"], d["_id"])))

    def mark_reminded(self, key: str, deadline: str) -> None:
        if key in self.docs:
            self.docs[key]["reminded_for"] = deadline

    def forget_person(self, person_id: str) -> None:
        for doc in self.docs.values():
            submitter = doc.get("submitted_by")
            if isinstance(submitter, dict) and submitter.get("person_id") == person_id:
                doc["submitted_by"] = {"person_id": person_id, "name": None, "email": None}


class FakeSchema:
    def __init__(self) -> None:
        self.doc: Doc | None = None

    def version(self) -> int | None:
        return None if self.doc is None else int(self.doc["version"])

    def set_version(self, version: int, at: datetime) -> None:
        self.doc = {"version": version, "migrated_at": at}


class FakeRepositories:
    """The in-memory counterpart of `notification.store.Repositories`."""

    def __init__(self) -> None:
        self.preferences = FakePreferences()
        self.recipients = FakeRecipients(self.preferences)
        self.mails = FakeMails()
        self.digests = FakeDigests()
        self.clarifications = FakeClarifications()
        self.schema = FakeSchema()


def fake_uow(migrated: bool = True) -> FakeUnitOfWork[FakeRepositories]:
    """An in-memory unit of work over empty repositories (at the schema version unless told not)."""
    repos = FakeRepositories()
    if migrated:
        repos.schema.set_version(SCHEMA_VERSION, datetime.now(UTC))
    return FakeUnitOfWork(repos, producer="notification")


class Clock:
    """A clock a test sets (`clock.now = ...`); the real time until it does."""

    def __init__(self, now: datetime | None = None):
        self.now = now

    def __call__(self) -> datetime:
        return self.now or datetime.now(UTC)
