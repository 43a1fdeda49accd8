"""The notification database, as repositories over pymongo: the recipients projection and
preferences, the mails outbox (which is also the delivery log), and what the scheduler works
from (digest items, digests, open clarifications); `INDEXES` and the `SCHEMA_VERSION` that
`migrate` brings the database to.

`Repositories(db, session)` holds one of each on one session: `MongoUnitOfWork(store,
Repositories)` gives handlers a set inside a transaction and readers one without. Duplicate keys
become domain errors by the unique index they hit (`duplicate_key_fields`), never by error text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import BulkWriteError, PyMongoError

from notification.domain.errors import AlreadyPlanned
from notification.domain.recipients import Scope, State, default_prefs, empty_state
from notification.domain.tokens import TOKEN, TOKEN_REDACTED, carries_token
from shared.context import new_id
from shared.uow import duplicate_key_fields
from shared.vocabulary import MAIL_CANCELLED, MAIL_PENDING, MAIL_SENDING, MAIL_SENT

LIBRARIES, PEOPLE, ERASED, PREFERENCES = "libraries", "people", "erased", "preferences"
MAILS, DIGEST_ITEMS, DIGESTS, CLARIFICATIONS = "mails", "digest_items", "digests", "clarifications"
SCHEMA = "schema"

# The database layout this code reads and writes; `python -m notification.migrate` brings a
# database to it, and the API and the consumer refuse to work on any other.
SCHEMA_VERSION = 1
SERVICE = "notification"

INDEXES: dict[str, Iterable[IndexModel]] = {
    MAILS: [
        # Exactly one mail per (event, recipient): event_id:person_id.
        IndexModel([("dedup_key", ASCENDING)], unique=True, name="dedup_key_unique"),
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due"),
        IndexModel([("library_id", ASCENDING), ("created_at", DESCENDING)], name="by_library"),
        IndexModel([("person_id", ASCENDING), ("created_at", DESCENDING)], name="by_person"),
    ],
    # An event's recipients are found by id, by (library, role) or by role.
    PEOPLE: [IndexModel([("role", ASCENDING)]), IndexModel([("library_id", ASCENDING)]),
             IndexModel([("library_id", ASCENDING), ("role", ASCENDING)], name="library_role")],
    DIGEST_ITEMS: [IndexModel([("digest_day", ASCENDING), ("submitted_at", ASCENDING)])],
    CLARIFICATIONS: [IndexModel([("open", ASCENDING), ("deadline", ASCENDING)])],
}

Doc = dict[str, Any]


def _duplicate_fields(exc: PyMongoError) -> tuple[str, ...] | None:
    """The unique index's fields a write collided on; for a bulk write, its first collision's."""
    if isinstance(exc, BulkWriteError):
        errors = [e for e in (exc.details or {}).get("writeErrors", []) if e.get("code") == 11000]
        return tuple(errors[0].get("keyPattern") or {}) if errors else None
    return duplicate_key_fields(exc)


class _Repository:
    def __init__(self, db: Database[Doc], session: ClientSession | None):
        self.db, self.session = db, session


class RecipientsRepository(_Repository):
    """The projection of libraries and people that mail is addressed from."""

    def load(self, scope: Scope | None = None) -> State:
        """Return the projection as the domain's plain dict, preferences merged in.

        With a scope, only the people and libraries it covers (`recipients.restrict` says which),
        found through the indexes; without one, everything.
        """
        db, session = self.db, self.session
        people_query: Doc = {}
        library_query: Doc = {}
        erased_query: Doc = {}
        if scope is not None:
            clauses: list[Doc] = []
            if scope.person_ids:
                clauses.append({"_id": {"$in": sorted(scope.person_ids)}})
            for library_id, role in sorted(scope.staff, key=lambda pair: (pair[0], pair[1] or "")):
                clauses.append({"library_id": library_id, "active": True, **({"role": role} if role else {})})
            if scope.roles:
                clauses.append({"role": {"$in": sorted(scope.roles)}, "active": True})
            people_query = {"$or": clauses} if clauses else {"_id": {"$in": []}}
            erased_query = {"_id": {"$in": sorted(scope.person_ids)}}
        state = empty_state()
        for doc in db[PEOPLE].find(people_query, session=session):
            state["people"][doc.pop("_id")] = doc
        if scope is not None:
            library_ids = set(scope.library_ids)
            if scope.their_libraries:
                library_ids |= {p["library_id"] for p in state["people"].values() if p.get("library_id")}
            library_query = {"_id": {"$in": sorted(library_ids)}}
        for doc in db[LIBRARIES].find(library_query, session=session):
            state["libraries"][doc.pop("_id")] = doc
        prefs_query = {} if scope is None else {"_id": {"$in": sorted(state["people"])}}
        prefs = {doc["_id"]: doc for doc in db[PREFERENCES].find(prefs_query, session=session)}
        for pid, doc in state["people"].items():
            stored = prefs.get(pid)
            doc["prefs"] = {**default_prefs(), **({"non_essential": stored["non_essential"]} if stored else {})}
        state["erased"] = [doc["_id"] for doc in db[ERASED].find(erased_query, session=session)]
        return state

    def save(self, old: State, new: State) -> None:
        """Write what changed between two projections (preferences live in their own repository)."""
        db, session = self.db, self.session
        for lid, lib in new["libraries"].items():
            if old["libraries"].get(lid) != lib:
                db[LIBRARIES].replace_one({"_id": lid}, {"_id": lid, **lib}, upsert=True, session=session)
        for pid, person in new["people"].items():
            if old["people"].get(pid) != person:
                doc = {k: v for k, v in person.items() if k != "prefs"}
                db[PEOPLE].replace_one({"_id": pid}, {"_id": pid, **doc}, upsert=True, session=session)
        for pid in set(old["people"]) - set(new["people"]):
            db[PEOPLE].delete_one({"_id": pid}, session=session)
        for pid in set(new["erased"]) - set(old["erased"]):
            db[ERASED].update_one({"_id": pid}, {"$setOnInsert": {"_id": pid}}, upsert=True, session=session)

    def is_erased(self, person_id: str) -> bool:
        """Tell whether a person was erased (nothing may be sent to them again)."""
        return self.db[ERASED].find_one({"_id": person_id}, session=self.session) is not None


class PreferencesRepository(_Repository):
    """Each person's opt-out of non-essential mail (no document: they receive everything)."""

    def get(self, person_id: str) -> dict[str, bool]:
        """Return a person's preferences."""
        doc = self.db[PREFERENCES].find_one({"_id": person_id}, session=self.session)
        return {"non_essential": bool(doc["non_essential"])} if doc else default_prefs()

    def set(self, person_id: str, non_essential: bool, at: datetime) -> None:
        """Turn a person's non-essential mail on or off."""
        self.db[PREFERENCES].update_one(
            {"_id": person_id}, {"$set": {"non_essential": bool(non_essential), "updated_at": at}},
            upsert=True, session=self.session,
        )

    def forget(self, person_id: str) -> None:
        """Drop an erased person's preferences."""
        self.db[PREFERENCES].delete_one({"_id": person_id}, session=self.session)


class MailRepository(_Repository):
    """The outbox of mails, which is also the delivery log."""

    def add(self, planned: list[Doc], *, event_id: str, event_type: str, library_ids: dict[str, str | None],
            at: datetime) -> list[str]:
        """Record planned mails as pending and return their ids; AlreadyPlanned if one exists."""
        docs = [{
            "_id": new_id(), **mail, "event_id": event_id, "event_type": event_type,
            "library_id": mail["context"].get("library_id") or library_ids.get(mail["person_id"]),
            "status": MAIL_PENDING, "attempts": 0, "next_attempt_at": at, "attempt_started_at": None,
            "created_at": at, "sent_at": None, "last_error": None, "resends": 0,
        } for mail in planned]
        if docs:
            try:
                self.db[MAILS].insert_many(docs, session=self.session)
            except PyMongoError as exc:
                if _duplicate_fields(exc) == ("dedup_key",):
                    raise AlreadyPlanned() from exc
                raise
        return [d["_id"] for d in docs]

    def get(self, mail_id: str) -> Doc | None:
        """Return a logged mail, or None."""
        return self.db[MAILS].find_one({"_id": mail_id}, session=self.session)

    def page(self, *, library_id: str | None = None, person_id: str | None = None, status: str | None = None,
             page: int = 1, per_page: int = 50) -> tuple[list[Doc], int]:
        """Return one page of the delivery log, newest first, and how many mails match."""
        query = {k: v for k, v in (("library_id", library_id), ("person_id", person_id), ("status", status)) if v}
        total = self.db[MAILS].count_documents(query, session=self.session)
        cursor = self.db[MAILS].find(query, session=self.session).sort([("created_at", DESCENDING), ("_id", ASCENDING)])
        return list(cursor.skip((page - 1) * per_page).limit(per_page)), total

    def requeue(self, mail_id: str, at: datetime) -> None:
        """Queue a logged mail again, from its first attempt."""
        self.db[MAILS].update_one(
            {"_id": mail_id, "status": {"$ne": MAIL_SENDING}},
            {"$set": {"status": MAIL_PENDING, "next_attempt_at": at, "attempts": 0, "last_error": None},
             "$inc": {"resends": 1}},
            session=self.session,
        )

    def forget_person(self, person_id: str) -> None:
        """GDPR erasure: cancel a person's unsent mail and strip personal data from their log."""
        self.db[MAILS].update_many(
            {"person_id": person_id, "status": {"$in": [MAIL_PENDING, MAIL_SENDING]}},
            {"$set": {"status": MAIL_CANCELLED}}, session=self.session,
        )
        self.db[MAILS].update_many(
            {"person_id": person_id},
            {"$set": {"email": None, "name": None, "context": {}, "erased": True}}, session=self.session,
        )

    # -- the sender's steps: each one atomic on one document ------------------------------------

    def claim_next(self, now: datetime) -> Doc | None:
        """Atomically take the next due mail: mark it sending with the attempt time, before any SMTP."""
        return self.db[MAILS].find_one_and_update(
            {"status": MAIL_PENDING, "next_attempt_at": {"$lte": now}},
            {"$set": {"status": MAIL_SENDING, "attempt_started_at": now}, "$inc": {"attempts": 1}},
            sort=[("next_attempt_at", ASCENDING)], return_document=ReturnDocument.AFTER, session=self.session,
        )

    def release_stale(self, older_than: datetime, now: datetime) -> int:
        """Put mails stuck in 'sending' since before `older_than` back to pending (their sender died)."""
        result = self.db[MAILS].update_many(
            {"status": MAIL_SENDING, "attempt_started_at": {"$lt": older_than}},
            {"$set": {"status": MAIL_PENDING, "next_attempt_at": now,
                      "last_error": "sender stopped mid-send; retried"}}, session=self.session,
        )
        return result.modified_count

    def mark_sent(self, mail: Doc, at: datetime) -> None:
        """Record a delivered attempt; a one-time token is blanked now (`domain.tokens`)."""
        update: Doc = {"status": MAIL_SENT, "sent_at": at, "last_error": None}
        if carries_token(mail.get("context") or {}):
            update |= {f"context.{TOKEN}": None, TOKEN_REDACTED: True}
        self.db[MAILS].update_one(_attempt(mail), {"$set": update}, session=self.session)

    def mark_final(self, mail: Doc, status: str, reason: str, at: datetime) -> bool:
        """Record an attempt's final outcome; False if another attempt owns the mail now."""
        result = self.db[MAILS].update_one(
            _attempt(mail), {"$set": {"status": status, "last_error": reason, "finished_at": at}}, session=self.session
        )
        return result.modified_count == 1

    def mark_retry(self, mail: Doc, reason: str, when: datetime) -> None:
        """Put a failed attempt's mail back to pending until `when`."""
        self.db[MAILS].update_one(
            _attempt(mail), {"$set": {"status": MAIL_PENDING, "last_error": reason, "next_attempt_at": when}},
            session=self.session,
        )


def _attempt(mail: Doc) -> Doc:
    # Only the attempt that claimed the mail may record its outcome.
    return {"_id": mail["_id"], "status": MAIL_SENDING, "attempts": mail["attempts"]}


class DigestRepository(_Repository):
    """The submissions waiting for the assessors' digest, and the digests sent (one per day)."""

    def add_item(self, item: Doc) -> None:
        """Keep a submission for the next digest (once per item revision)."""
        self.db[DIGEST_ITEMS].update_one({"_id": item["_id"]}, {"$setOnInsert": item}, upsert=True,
                                         session=self.session)

    def drop_undigested(self, item_id: str) -> None:
        """Forget an item's submissions not yet in a digest (decided or withdrawn: not news)."""
        self.db[DIGEST_ITEMS].delete_many({"item_id": item_id, "digest_day": None}, session=self.session)

    def undigested(self) -> list[Doc]:
        """Return the submissions not in a digest yet, oldest first."""
        return list(self.db[DIGEST_ITEMS].find({"digest_day": None}, session=self.session)
                    .sort([("submitted_at", ASCENDING), ("_id", ASCENDING)]))

    def done(self, day: str) -> bool:
        """Tell whether the digest of a (Copenhagen) day was sent."""
        return self.db[DIGESTS].find_one({"_id": day}, session=self.session) is not None

    def record(self, day: str, item_ids: list[str], at: datetime) -> None:
        """Record a day's digest and the items it listed; AlreadyPlanned if that day's exists."""
        try:
            self.db[DIGESTS].insert_one({"_id": day, "at": at, "items": len(item_ids)}, session=self.session)
        except PyMongoError as exc:
            if _duplicate_fields(exc) == ("_id",):
                raise AlreadyPlanned() from exc
            raise
        self.db[DIGEST_ITEMS].update_many({"_id": {"$in": item_ids}}, {"$set": {"digest_day": day}},
                                          session=self.session)


class ClarificationRepository(_Repository):
    """One record per open question (an item's id, or `action_plan:<plan_id>`), for its reminder."""

    def get(self, key: str) -> Doc | None:
        """Return a question's record, or None."""
        return self.db[CLARIFICATIONS].find_one({"_id": key}, session=self.session)

    def open(self, doc: Doc) -> None:
        """(Re)open a question with no reminder sent, unless a later revision is known."""
        current = self.get(doc["_id"])
        if current is not None and current.get("revision", 0) > doc["revision"]:
            return  # an older request redelivered late
        self.db[CLARIFICATIONS].replace_one({"_id": doc["_id"]}, {**doc, "open": True, "reminded_for": None},
                                            upsert=True, session=self.session)

    def close(self, key: str, revision: int, *, remember: bool = False) -> None:
        """Close a question answered or decided at `revision` (an older event closes nothing).

        With `remember`, the closing revision is kept, in a closed record if there was none, so that
        a question delivered after its answer stays closed (`open`'s revision guard).
        """
        if not remember:
            self.db[CLARIFICATIONS].update_one({"_id": key, "revision": {"$lte": revision}},
                                               {"$set": {"open": False}}, session=self.session)
            return
        current = self.get(key)
        if current is None:
            self.db[CLARIFICATIONS].insert_one({"_id": key, "open": False, "revision": revision, "deadline": None,
                                                "reminded_for": None}, session=self.session)
        elif current.get("revision", 0) <= revision:
            self.db[CLARIFICATIONS].update_one({"_id": key}, {"$set": {"open": False, "revision": revision}},
                                               session=self.session)

    def due(self, first_day: str, last_day: str) -> list[Doc]:
        """Return the open questions whose deadline (ISO date) is within [first_day, last_day]."""
        return list(self.db[CLARIFICATIONS].find(
            {"open": True, "deadline": {"$gte": first_day, "$lte": last_day}}, session=self.session,
        ).sort([("deadline", ASCENDING), ("_id", ASCENDING)]))

    def mark_reminded(self, key: str, deadline: str) -> None:
        """Record that a question's deadline was reminded."""
        self.db[CLARIFICATIONS].update_one({"_id": key}, {"$set": {"reminded_for": deadline}}, session=self.session)

    def forget_person(self, person_id: str) -> None:
        """GDPR erasure: keep an erased submitter's id only."""
        self.db[CLARIFICATIONS].update_many(
            {"submitted_by.person_id": person_id},
            {"$set": {"submitted_by": {"person_id": person_id, "name": None, "email": None}}}, session=self.session,
        )


class SchemaRepository(_Repository):
    """The schema version `migrate` brought the database to."""

    def version(self) -> int | None:
        """Return the database's schema version, or None before the first migration."""
        doc = self.db[SCHEMA].find_one({"_id": SERVICE}, session=self.session)
        return int(doc["version"]) if doc else None

    def set_version(self, version: int, at: datetime) -> None:
        """Record the schema version the database is at now."""
        self.db[SCHEMA].replace_one({"_id": SERVICE}, {"_id": SERVICE, "version": version, "migrated_at": at},
                                    upsert=True, session=self.session)


class Repositories:
    """The service's repositories on one database session (None: outside a transaction)."""

    def __init__(self, db: Database[Doc], session: ClientSession | None):
        self.recipients = RecipientsRepository(db, session)
        self.preferences = PreferencesRepository(db, session)
        self.mails = MailRepository(db, session)
        self.digests = DigestRepository(db, session)
        self.clarifications = ClarificationRepository(db, session)
        self.schema = SchemaRepository(db, session)
