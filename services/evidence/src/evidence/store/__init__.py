"""Storage of the evidence service: repositories over pymongo (`Repositories`, used as
`MongoUnitOfWork(store, Repositories)`), the attachment bytes in GridFS (`GridFiles`), the indexes
and the schema version `migrate` brings the database to and the service checks before serving."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database

from .files import BUCKET, FileStore, GridFiles, StoredFile
from .repositories import CASES, ITEMS, LIBRARIES, PLANS, Cases, Items, Libraries, Plans, Repositories

# The version of the database's shape this code needs; `migrate` records the one it brought
# the database to in the `schema` collection.
SCHEMA_VERSION = 1
SCHEMA = "schema"

INDEXES: dict[str, Iterable[IndexModel]] = {
    ITEMS: [
        IndexModel([("library_id", ASCENDING), ("updated_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("submitted_at", ASCENDING)]),
        IndexModel([("library_id", ASCENDING), ("public", ASCENDING), ("status", ASCENDING)]),
    ],
    PLANS: [IndexModel([("library_id", ASCENDING)], unique=True)],  # one action plan per library
    CASES: [
        IndexModel([("shared_at", DESCENDING)]),
        IndexModel([("source_item_id", ASCENDING)], unique=True),  # an item is shared once
    ],
    f"{BUCKET}.files": [IndexModel([("metadata.item_id", ASCENDING)])],
}


def schema_version(db: Database[Any]) -> int | None:
    """The schema version recorded in the database, or None if it was never migrated."""
    doc = db[SCHEMA].find_one({"_id": "version"})
    return int(doc["version"]) if doc else None


def record_schema_version(db: Database[Any], version: int) -> None:
    """Record the version the database now has."""
    db[SCHEMA].replace_one({"_id": "version"}, {"_id": "version", "version": version}, upsert=True)


__all__ = [
    "BUCKET", "CASES", "INDEXES", "ITEMS", "LIBRARIES", "PLANS", "SCHEMA", "SCHEMA_VERSION", "Cases", "FileStore",
    "GridFiles", "Items", "Libraries", "Plans", "Repositories", "StoredFile", "record_schema_version",
    "schema_version",
]
