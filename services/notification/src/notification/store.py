"""The notification database: the recipients projection, preferences, the outbox of mails
(which is also the delivery log), and what the scheduler needs (digest items, open clarifications).

Every function takes (db, session): the caller decides the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from notification.domain.recipients import Scope, State, default_prefs, empty_state
from shared import tracing
from shared.context import new_id

LIBRARIES, PEOPLE, ERASED, PREFERENCES = "libraries", "people", "erased", "preferences"
MAILS, DIGEST_ITEMS, DIGESTS, CLARIFICATIONS = "mails", "digest_items", "digests", "clarifications"

# Mail statuses. pending -> sending -> sent | pending (retry) | failed; cancelled (recipient
# erased before sending) and suppressed (opted out before sending) are final too.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
CANCELLED, SUPPRESSED = "cancelled", "suppressed"
STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED, SUPPRESSED)

INDEXES = {
    MAILS: [
        # Exactly one mail per (event, recipient): event_id:person_id.
        IndexModel([("dedup_key", ASCENDING)], unique=True, name="dedup_key_unique"),
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due"),
        IndexModel([("library_id", ASCENDING), ("created_at", DESCENDING)], name="by_library"),
        IndexModel([("person_id", ASCENDING), ("created_at", DESCENDING)], name="by_person"),
    ],
    # load_state finds an event's recipients by id, by (library, role) or by role.
    PEOPLE: [IndexModel([("role", ASCENDING)]), IndexModel([("library_id", ASCENDING)]),
             IndexModel([("library_id", ASCENDING), ("role", ASCENDING)], name="library_role")],
    DIGEST_ITEMS: [IndexModel([("digest_day", ASCENDING), ("submitted_at", ASCENDING)])],
    CLARIFICATIONS: [IndexModel([("open", ASCENDING), ("deadline", ASCENDING)])],
}


# -- the recipients projection -------------------------------------------------------------------


def load_state(db, session=None, scope: Scope | None = None) -> State:
    """Return the recipients projection as the domain's plain dict, preferences merged in.

    With a scope, only the people and libraries it covers (`recipients.restrict` says which), found
    through the indexes; without one, everything (for tools and tests).
    """
    if scope is None:
        people_query: dict[str, Any] = {}
        library_query: dict[str, Any] = {}
        erased_query: dict[str, Any] = {}
    else:
        clauses: list[dict[str, Any]] = []
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


def save_state(db, session, old: State, new: State) -> None:
    """Write what changed between two projections (preferences live in their own collection)."""
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


def find_person(db, person_id: str, session=None) -> dict[str, Any] | None:
    return db[PEOPLE].find_one({"_id": person_id}, session=session)


def is_erased(db, person_id: str, session=None) -> bool:
    return db[ERASED].find_one({"_id": person_id}, session=session) is not None


def get_preferences(db, person_id: str, session=None) -> dict[str, bool]:
    doc = db[PREFERENCES].find_one({"_id": person_id}, session=session)
    return {"non_essential": bool(doc["non_essential"]) if doc else True}


def set_preferences(db, session, person_id: str, non_essential: bool, at: datetime) -> None:
    db[PREFERENCES].update_one(
        {"_id": person_id}, {"$set": {"non_essential": bool(non_essential), "updated_at": at}},
        upsert=True, session=session,
    )


def forget_person(db, session, person_id: str) -> None:
    """GDPR erasure: drop preferences, cancel unsent mail and strip personal data from the log."""
    db[PREFERENCES].delete_one({"_id": person_id}, session=session)
    db[MAILS].update_many(
        {"person_id": person_id, "status": {"$in": [PENDING, SENDING]}},
        {"$set": {"status": CANCELLED}}, session=session,
    )
    db[MAILS].update_many(
        {"person_id": person_id},
        {"$set": {"email": None, "name": None, "context": {}, "erased": True}}, session=session,
    )
    db[CLARIFICATIONS].update_many(
        {"submitted_by.person_id": person_id},
        {"$set": {"submitted_by": {"person_id": person_id, "name": None, "email": None}}}, session=session,
    )


# -- the outbox of mails ---------------------------------------------------------------------------


def insert_mails(db, session, planned: list[dict[str, Any]], *, event_id: str, event_type: str,
                 library_ids: dict[str, str | None], at: datetime) -> list[str]:
    """Record planned mails as pending; returns their ids."""
    docs = []
    for mail in planned:
        docs.append({
            "_id": new_id(),
            **mail,
            "event_id": event_id,
            "event_type": event_type,
            "library_id": mail["context"].get("library_id") or library_ids.get(mail["person_id"]),
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": at,
            "attempt_started_at": None,
            "created_at": at,
            "sent_at": None,
            "last_error": None,
            "resends": 0,
            "trace": tracing.carrier(),  # the SMTP send joins the trace of the event that planned it
        })
    if docs:
        db[MAILS].insert_many(docs, session=session)
    return [d["_id"] for d in docs]


def claim_next(db, now: datetime) -> dict[str, Any] | None:
    """Atomically take the next due mail: mark it sending with the attempt time, before any SMTP."""
    return db[MAILS].find_one_and_update(
        {"status": PENDING, "next_attempt_at": {"$lte": now}},
        {"$set": {"status": SENDING, "attempt_started_at": now}, "$inc": {"attempts": 1}},
        sort=[("next_attempt_at", ASCENDING)],
        return_document=ReturnDocument.AFTER,
    )


def release_stale(db, older_than: datetime, now: datetime) -> int:
    """Put mails stuck in 'sending' since before `older_than` back to pending (their sender died)."""
    result = db[MAILS].update_many(
        {"status": SENDING, "attempt_started_at": {"$lt": older_than}},
        {"$set": {"status": PENDING, "next_attempt_at": now, "last_error": "sender stopped mid-send; retried"}},
    )
    return result.modified_count


def _attempt_filter(mail: dict[str, Any]) -> dict[str, Any]:
    # Only the attempt that claimed the mail may record its outcome.
    return {"_id": mail["_id"], "status": SENDING, "attempts": mail["attempts"]}


def mark_sent(db, mail: dict[str, Any], at: datetime) -> None:
    update: dict[str, Any] = {"$set": {"status": SENT, "sent_at": at, "last_error": None}}
    if mail.get("context", {}).get("token"):
        # One-time tokens are not kept beyond the mail (registration's event contract).
        update["$set"]["context.token"] = None
        update["$set"]["token_redacted"] = True
    db[MAILS].update_one(_attempt_filter(mail), update)


def mark_final(db, mail: dict[str, Any], status: str, reason: str, at: datetime, session=None) -> bool:
    result = db[MAILS].update_one(
        _attempt_filter(mail), {"$set": {"status": status, "last_error": reason, "finished_at": at}}, session=session
    )
    return result.modified_count == 1


def mark_retry(db, mail: dict[str, Any], reason: str, when: datetime) -> None:
    db[MAILS].update_one(
        _attempt_filter(mail), {"$set": {"status": PENDING, "last_error": reason, "next_attempt_at": when}}
    )


def list_mails(db, *, library_id=None, person_id=None, status=None, page=1, per_page=50):
    query: dict[str, Any] = {}
    if library_id:
        query["library_id"] = library_id
    if person_id:
        query["person_id"] = person_id
    if status:
        query["status"] = status
    total = db[MAILS].count_documents(query)
    cursor = db[MAILS].find(query).sort([("created_at", DESCENDING), ("_id", ASCENDING)])
    return list(cursor.skip((page - 1) * per_page).limit(per_page)), total


def get_mail(db, mail_id: str, session=None) -> dict[str, Any] | None:
    return db[MAILS].find_one({"_id": mail_id}, session=session)


def requeue(db, session, mail_id: str, at: datetime) -> None:
    db[MAILS].update_one(
        {"_id": mail_id, "status": {"$ne": SENDING}},
        {"$set": {"status": PENDING, "next_attempt_at": at, "attempts": 0, "last_error": None},
         "$inc": {"resends": 1}},
        session=session,
    )


# -- what the scheduler works from -----------------------------------------------------------------


def add_digest_item(db, session, item: dict[str, Any]) -> None:
    db[DIGEST_ITEMS].update_one({"_id": item["_id"]}, {"$setOnInsert": item}, upsert=True, session=session)


def drop_undigested(db, session, item_id: str) -> None:
    db[DIGEST_ITEMS].delete_many({"item_id": item_id, "digest_day": None}, session=session)


def undigested_items(db, session) -> list[dict[str, Any]]:
    return list(db[DIGEST_ITEMS].find({"digest_day": None}, session=session)
                .sort([("submitted_at", ASCENDING)]))


def digest_done(db, session, day: str) -> bool:
    return db[DIGESTS].find_one({"_id": day}, session=session) is not None


def record_digest(db, session, day: str, item_ids: list[str], at: datetime) -> None:
    db[DIGESTS].insert_one({"_id": day, "at": at, "items": len(item_ids)}, session=session)
    db[DIGEST_ITEMS].update_many({"_id": {"$in": item_ids}}, {"$set": {"digest_day": day}}, session=session)


def open_clarification(db, session, doc: dict[str, Any]) -> None:
    current = db[CLARIFICATIONS].find_one({"_id": doc["_id"]}, session=session)
    if current is not None and current.get("revision", 0) > doc["revision"]:
        return  # an older request redelivered late
    db[CLARIFICATIONS].replace_one({"_id": doc["_id"]}, {**doc, "open": True, "reminded_for": None},
                                   upsert=True, session=session)


def close_clarification(db, session, key: str, revision: int, *, remember: bool = False) -> None:
    """Close a clarification answered or decided at `revision` (an older event closes nothing).

    With `remember`, the closing revision is kept, in a closed record if there was none, so that a
    question delivered after its answer stays closed (`open_clarification`'s revision guard).
    """
    if not remember:
        db[CLARIFICATIONS].update_one(
            {"_id": key, "revision": {"$lte": revision}}, {"$set": {"open": False}}, session=session
        )
        return
    current = db[CLARIFICATIONS].find_one({"_id": key}, session=session)
    if current is None:
        db[CLARIFICATIONS].insert_one({"_id": key, "open": False, "revision": revision, "deadline": None,
                                       "reminded_for": None}, session=session)
    elif current.get("revision", 0) <= revision:
        db[CLARIFICATIONS].update_one({"_id": key}, {"$set": {"open": False, "revision": revision}}, session=session)


def clarifications_due(db, session, first_day: str, last_day: str) -> list[dict[str, Any]]:
    """Open clarifications whose deadline (ISO date) is within [first_day, last_day], not yet reminded."""
    return list(db[CLARIFICATIONS].find(
        {"open": True, "deadline": {"$gte": first_day, "$lte": last_day}}, session=session,
    ))


def mark_reminded(db, session, item_id: str, deadline: str) -> None:
    db[CLARIFICATIONS].update_one({"_id": item_id}, {"$set": {"reminded_for": deadline}}, session=session)
