"""The outbox of mails, which is also the delivery log; the sender's steps on it are atomic."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import PyMongoError

from notification.domain.errors import AlreadyPlanned
from notification.domain.tokens import TOKEN, TOKEN_REDACTED, carries_token
from notification.store.base import MAILS, Doc, Repository, duplicate_fields
from shared import tracing
from shared.context import new_id
from shared.vocabulary import MAIL_CANCELLED, MAIL_PENDING, MAIL_SENDING, MAIL_SENT


class MailRepository(Repository):
    """The outbox of mails, which is also the delivery log."""

    def add(self, planned: list[Doc], *, event_id: str, event_type: str, library_ids: dict[str, str | None],
            at: datetime) -> list[str]:
        """Record planned mails as pending and return their ids; AlreadyPlanned if one exists."""
        docs = [{
            "_id": new_id(), **mail, "event_id": event_id, "event_type": event_type,
            "library_id": mail["context"].get("library_id") or library_ids.get(mail["person_id"]),
            "status": MAIL_PENDING, "attempts": 0, "next_attempt_at": at, "attempt_started_at": None,
            "created_at": at, "sent_at": None, "last_error": None, "resends": 0,
            "trace": tracing.carrier(),  # the SMTP send joins the trace of the event that planned it
        } for mail in planned]
        if docs:
            try:
                self.db[MAILS].insert_many(docs, session=self.session)
            except PyMongoError as exc:
                if duplicate_fields(exc) == ("dedup_key",):
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
