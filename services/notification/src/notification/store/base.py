"""What every repository shares: the collections' names, the session they work on, and how a
duplicate key is told from the unique index it hit."""

from __future__ import annotations

from typing import Any

from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import BulkWriteError, PyMongoError

from shared.uow import duplicate_key_fields

LIBRARIES, PEOPLE, ERASED, PREFERENCES = "libraries", "people", "erased", "preferences"
MAILS, DIGEST_ITEMS, DIGESTS, CLARIFICATIONS = "mails", "digest_items", "digests", "clarifications"
SCHEMA = "schema"

Doc = dict[str, Any]


def duplicate_fields(exc: PyMongoError) -> tuple[str, ...] | None:
    """The unique index's fields a write collided on; for a bulk write, its first collision's."""
    if isinstance(exc, BulkWriteError):
        errors = [e for e in (exc.details or {}).get("writeErrors", []) if e.get("code") == 11000]
        return tuple(errors[0].get("keyPattern") or {}) if errors else None
    return duplicate_key_fields(exc)


class Repository:
    """A repository over one database, on one session (None: outside a transaction)."""

    def __init__(self, db: Database[Doc], session: ClientSession | None):
        self.db, self.session = db, session
