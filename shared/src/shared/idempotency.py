"""Safe retries of state-changing requests: an `Idempotency-Key` header makes a repeat of the same
request by the same person return the first answer instead of doing the work again, also when the
first attempt timed out at the gateway but committed in the service.

How: before the view runs, a key already answered replays the stored answer (a different request
under the same key is refused). Otherwise the key is claimed for this request; the unit of work
that commits the change writes the key's record in the same transaction (shared.uow), so a
committed change and its key are never apart; the answer is added to the record after the view.
Records live a day (TTL index).
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.client_session import ClientSession
from pymongo.database import Database

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
COLLECTION = "idempotency"
LIFETIME = timedelta(hours=24)
KEY_FORM = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")
INDEXES = [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="idempotency_ttl")]


class IdempotencyConflict(Exception):
    """Another request with the same key committed first (its answer is being stored)."""

    code = "idempotency_in_progress"
    message_da = "Handlingen er allerede i gang eller udført. Genindlæs siden for at se resultatet."
    message_en = "This action is already in progress or done. Reload the page to see the result."
    field = HEADER


@dataclass
class Claim:
    """A key this request may write with its change (once, in the first commit)."""

    record_id: str
    fingerprint: str
    written: bool = False


# The claim of the request being handled (set by shared.http, written by shared.uow).
current: contextvars.ContextVar[Claim | None] = contextvars.ContextVar("chora_idempotency_claim", default=None)


def record_id(principal: str, key: str) -> str:
    return f"{principal}:{key}"


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests the same request."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def find(db: Database[Any], rid: str) -> dict[str, Any] | None:
    return db[COLLECTION].find_one({"_id": rid})


def write_claim(db: Database[Any], session: ClientSession | None, now: datetime | None = None) -> Claim | None:
    """Inside the committing transaction: record the request's key, if this request has one not
    yet written; return the claim to mark written once the transaction committed."""
    claim = current.get()
    if claim is None or claim.written:
        return None
    at = now or datetime.now(UTC)
    db[COLLECTION].insert_one({"_id": claim.record_id, "fingerprint": claim.fingerprint, "response": None,
                               "created_at": at, "expires_at": at + LIFETIME}, session=session)
    return claim


def store_response(db: Database[Any], claim: Claim, status: int, body: bytes, content_type: str,
                   location: str | None) -> None:
    """After the view: keep the answer to replay for a repeat of the request."""
    db[COLLECTION].update_one({"_id": claim.record_id}, {"$set": {"response": {
        "status": status, "body": body.decode("utf-8", errors="replace"), "content_type": content_type,
        "location": location}}})


__all__ = ["COLLECTION", "Claim", "IdempotencyConflict", "HEADER", "INDEXES", "KEY_FORM", "REPLAYED", "current", "find", "fingerprint",
           "record_id", "store_response", "write_claim"]
