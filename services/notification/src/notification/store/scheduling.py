"""What the scheduler works from: submissions waiting for the digest, digests sent, open
questions with a deadline; and the schema version migrate recorded."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.errors import PyMongoError

from notification.domain.errors import AlreadyPlanned
from notification.store.base import CLARIFICATIONS, DIGEST_ITEMS, DIGESTS, SCHEMA, Doc, Repository, duplicate_fields

SERVICE = "notification"


class DigestRepository(Repository):
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
            if duplicate_fields(exc) == ("_id",):
                raise AlreadyPlanned() from exc
            raise
        self.db[DIGEST_ITEMS].update_many({"_id": {"$in": item_ids}}, {"$set": {"digest_day": day}},
                                          session=self.session)


class ClarificationRepository(Repository):
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


class SchemaRepository(Repository):
    """The schema version `migrate` brought the database to."""

    def version(self) -> int | None:
        """Return the database's schema version, or None before the first migration."""
        doc = self.db[SCHEMA].find_one({"_id": SERVICE}, session=self.session)
        return int(doc["version"]) if doc else None

    def set_version(self, version: int, at: datetime) -> None:
        """Record the schema version the database is at now."""
        self.db[SCHEMA].replace_one({"_id": SERVICE}, {"_id": SERVICE, "version": version, "migrated_at": at},
                                    upsert=True, session=self.session)
