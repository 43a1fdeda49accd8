"""The evidence service's pymongo repository: items, action plans, shared cases, a projection of
library names, and the attachment bytes in GridFS (bucket `files`).

Every function takes (db, session). Writes of a document are conditional on the revision the
change was based on, so two clients editing one draft can never overwrite each other silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

import gridfs
from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.client_session import ClientSession
from pymongo.database import Database

from evidence.domain import Conflict

ITEMS, PLANS, CASES, LIBRARIES = "items", "plans", "cases", "libraries"
BUCKET = "files"

INDEXES: dict[str, list[IndexModel]] = {
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

# Where a person's name can appear in a stored document (erasure looks these up).
PERSON_PATHS = (
    "created_by.person_id",
    "submitted_by.person_id",
    "audit.by.person_id",
    "thread.by.person_id",
    "decision.reviewer.person_id",
    "attachments.added_by.person_id",
    "previous_versions.submitted_by.person_id",
)


def _stale(based_on: int | None) -> Conflict:
    return Conflict(
        "stale_revision",
        f"Dokumentet er ændret af en anden i mellemtiden (du redigerede version {based_on}). "
        "Hent det igen og prøv på ny.",
        f"The document was changed in the meantime (you edited revision {based_on}). Reload it and try again.",
        field="revision",
    )


def _save(db: Database, session: ClientSession, collection: str, key: str, doc: Mapping[str, Any],
          based_on: int) -> None:
    """Insert a new document (based on revision 0) or replace it only if still at `based_on`."""
    body = {**doc, "_id": doc[key]}
    if based_on == 0:
        db[collection].insert_one(body, session=session)
        return
    result = db[collection].replace_one({"_id": doc[key], "revision": based_on}, body, session=session)
    if result.matched_count != 1:
        raise _stale(based_on)


# -- items ----------------------------------------------------------------------------------------


def get_item(db: Database, session: ClientSession | None, item_id: str) -> dict | None:
    return db[ITEMS].find_one({"_id": item_id}, session=session)


def save_item(db: Database, session: ClientSession, item: Mapping[str, Any], based_on: int) -> None:
    _save(db, session, ITEMS, "item_id", item, based_on)


def _text_filter(q: str | None, fields: Iterable[str]) -> dict:
    if not q or not q.strip():
        return {}
    pattern = re.compile(re.escape(q.strip()), re.IGNORECASE)
    return {"$or": [{f: pattern} for f in fields]}


LIST_PROJECTION = {"audit": 0, "previous_versions": 0}
SUMMARY_FIELDS = ("item_id", "title", "status", "kind", "revision", "updated_at")
SUMMARY_PROJECTION = {"_id": 1, **{name: 1 for name in SUMMARY_FIELDS}}


def list_items(db: Database, library_id: str, *, status: str | None = None, kind: str | None = None,
               dimension: str | None = None, q: str | None = None, page: int = 1,
               per_page: int = 20, summary: bool = False) -> tuple[list[dict], int | None]:
    """A page of a library's items, newest change first (the (library_id, updated_at) index), and
    the total. summary: only SUMMARY_FIELDS, and the total only when this page shows it (None)."""
    query: dict[str, Any] = {"library_id": library_id}
    for name, value in (("status", status), ("kind", kind), ("dimension", dimension)):
        if value:
            query[name] = value
    query.update(_text_filter(q, ("title", "description", "partners.name")))
    skip = (page - 1) * per_page
    # The list never needs an item's audit trail or earlier versions (the largest parts).
    cursor = (db[ITEMS].find(query, SUMMARY_PROJECTION if summary else LIST_PROJECTION).sort([("updated_at", DESCENDING), ("_id", ASCENDING)])
              .skip(skip).limit(per_page))
    items = list(cursor)
    if len(items) < per_page and (items or page == 1):
        return items, skip + len(items)  # the last page: the total is known without counting
    if summary:
        return items, None
    # count_documents scans the collection on SecantusDB; an indexed (library_id) find of the ids does not.
    return items, sum(1 for _ in db[ITEMS].find(query, {"_id": 1}))


def all_items(db: Database, library_id: str) -> list[dict]:
    return list(db[ITEMS].find({"library_id": library_id}).sort("created_at", ASCENDING))


def submitted_items(db: Database, *, page: int = 1, per_page: int = 50) -> tuple[list[dict], int]:
    """Items awaiting an assessor, oldest submission first."""
    query = {"status": "submitted"}
    total = db[ITEMS].count_documents(query)
    cursor = (db[ITEMS].find(query).sort([("submitted_at", ASCENDING), ("_id", ASCENDING)])
              .skip((page - 1) * per_page).limit(per_page))
    return list(cursor), total


def public_items(db: Database, library_id: str) -> list[dict]:
    query = {"library_id": library_id, "public": True, "status": "approved"}
    return list(db[ITEMS].find(query).sort([("date", DESCENDING), ("_id", ASCENDING)]))


# -- action plans ---------------------------------------------------------------------------------


def get_plan(db: Database, session: ClientSession | None, library_id: str) -> dict | None:
    return db[PLANS].find_one({"library_id": library_id}, session=session)


def save_plan(db: Database, session: ClientSession, plan: Mapping[str, Any], based_on: int) -> None:
    _save(db, session, PLANS, "plan_id", plan, based_on)


def submitted_plans(db: Database) -> list[dict]:
    return list(db[PLANS].find({"status": "submitted"}).sort("submitted_at", ASCENDING))


# -- shared cases ---------------------------------------------------------------------------------


def insert_case(db: Database, session: ClientSession, case: Mapping[str, Any]) -> None:
    db[CASES].insert_one({**case, "_id": case["case_id"]}, session=session)


def get_case(db: Database, session: ClientSession | None, case_id: str) -> dict | None:
    return db[CASES].find_one({"_id": case_id}, session=session)


def search_cases(db: Database, *, q: str | None = None, sdg: int | None = None, dimension: str | None = None,
                 page: int = 1, per_page: int = 20) -> tuple[list[dict], int]:
    query: dict[str, Any] = _text_filter(q, ("title", "description", "library_name", "partners.name"))
    if sdg:
        query["sdgs"] = sdg
    if dimension:
        query["dimension"] = dimension
    total = db[CASES].count_documents(query)
    cursor = db[CASES].find(query).sort([("shared_at", DESCENDING), ("_id", ASCENDING)])
    return list(cursor.skip((page - 1) * per_page).limit(per_page)), total


# -- library names (projection of registration's library events) ----------------------------------


def library_name(db: Database, session: ClientSession | None, library_id: str | None) -> str | None:
    if not library_id:
        return None
    doc = db[LIBRARIES].find_one({"_id": library_id}, session=session)
    return doc["name"] if doc else None


def upsert_library(db: Database, session: ClientSession, library_id: str, name: str, version: int) -> bool:
    """Record a library's name unless a newer version was already applied; tell whether it changed."""
    current = db[LIBRARIES].find_one({"_id": library_id}, session=session)
    if current and current.get("version", 0) >= version:
        return False
    db[LIBRARIES].replace_one({"_id": library_id}, {"_id": library_id, "name": name, "version": version},
                              upsert=True, session=session)
    return True


# -- erasure --------------------------------------------------------------------------------------


def documents_naming(db: Database, session: ClientSession, person_id: str) -> Iterable[tuple[str, dict]]:
    """Every item and plan that records the person somewhere (audit, thread, submitter...)."""
    query = {"$or": [{path: person_id} for path in PERSON_PATHS]}
    for collection in (ITEMS, PLANS):
        for doc in db[collection].find(query, session=session):
            yield collection, doc


def replace_document(db: Database, session: ClientSession, collection: str, doc: Mapping[str, Any]) -> None:
    db[collection].replace_one({"_id": doc["_id"]}, dict(doc), session=session)


# -- GridFS ---------------------------------------------------------------------------------------
# GridFS cannot write inside a multi-document transaction: bytes are stored first, then attached
# to the item in a transaction; if that fails the caller deletes the orphan file.


def bucket(db: Database) -> gridfs.GridFSBucket:
    return gridfs.GridFSBucket(db, bucket_name=BUCKET)


def put_file(db: Database, source: IO[bytes], *, filename: str, mime: str, metadata: Mapping[str, Any]) -> str:
    file_id = bucket(db).upload_from_stream(filename, source, metadata={**metadata, "mime": mime})
    return str(file_id)


def open_file(db: Database, file_id: str) -> gridfs.GridOut | None:
    try:
        return bucket(db).open_download_stream(ObjectId(file_id))
    except (gridfs.errors.NoFile, InvalidId):
        return None


def delete_file(db: Database, file_id: str | None) -> None:
    if not file_id:
        return
    try:
        bucket(db).delete(ObjectId(file_id))
    except (gridfs.errors.NoFile, InvalidId):
        pass
