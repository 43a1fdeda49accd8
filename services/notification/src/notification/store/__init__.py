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

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.client_session import ClientSession
from pymongo.database import Database

from notification.store.base import CLARIFICATIONS, DIGEST_ITEMS, MAILS, PEOPLE, Doc
from notification.store.mails import MailRepository
from notification.store.recipients import PreferencesRepository, RecipientsRepository
from notification.store.scheduling import ClarificationRepository, DigestRepository, SchemaRepository

# The database layout this code reads and writes; `python -m notification.migrate` brings a
# database to it, and the API and the consumer refuse to work on any other.
SCHEMA_VERSION = 1

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


class Repositories:
    """The service's repositories on one database session (None: outside a transaction)."""

    def __init__(self, db: Database[Doc], session: ClientSession | None):
        self.recipients = RecipientsRepository(db, session)
        self.preferences = PreferencesRepository(db, session)
        self.mails = MailRepository(db, session)
        self.digests = DigestRepository(db, session)
        self.clarifications = ClarificationRepository(db, session)
        self.schema = SchemaRepository(db, session)
