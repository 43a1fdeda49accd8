"""The evidence service's repositories over pymongo: items, action plans, shared cases and the
projection of library names. Built from (db, session): inside a unit of work every read and write
is part of its transaction; with no session they are plain reads for the views.

Every write of an item or plan is conditional on the revision the change was based on, so two
clients editing one draft can never overwrite each other silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, OperationFailure

from evidence.domain import ActionPlan, Conflict, EvidenceItem, ItemSummary, SharedCase, stale_revision
from shared.uow import duplicate_key_fields

from . import documents as docs

ITEMS, PLANS, CASES, LIBRARIES = "items", "plans", "cases", "libraries"

# Where a person's name can appear in a stored item or plan (erasure looks these up).
PERSON_PATHS = (
    "created_by.person_id",
    "submitted_by.person_id",
    "audit.by.person_id",
    "thread.by.person_id",
    "decision.reviewer.person_id",
    "attachments.added_by.person_id",
    "previous_versions.submitted_by.person_id",
)
# The list never needs an item's audit trail (its largest part).
LIST_PROJECTION = {"audit": 0}
SUMMARY_PROJECTION = {name: 1 for name in (
    "item_id", "library_id", "title", "status", "kind", "revision", "updated_at", "ever_submitted", "shared_case_id")}


def _text_filter(q: str | None, fields: Iterable[str]) -> dict[str, Any]:
    if not q or not q.strip():
        return {}
    pattern = re.compile(re.escape(q.strip()), re.IGNORECASE)
    return {"$or": [{f: pattern} for f in fields]}


class _Collection:
    collection_name: str

    def __init__(self, db: Database[Any], session: ClientSession | None):
        self.collection = db[self.collection_name]
        self.session = session

    def _insert(self, document: dict[str, Any], duplicates: dict[tuple[str, ...], Conflict]) -> None:
        try:
            self.collection.insert_one(document, session=self.session)
        except (DuplicateKeyError, OperationFailure) as exc:
            conflict = duplicates.get(duplicate_key_fields(exc) or ())
            if conflict is None:
                raise
            raise conflict from exc

    def _replace(self, document: dict[str, Any], based_on: int) -> None:
        """Replace the document only if it is still at `based_on`."""
        result = self.collection.replace_one({"_id": document["_id"], "revision": based_on}, document,
                                             session=self.session)
        if result.matched_count != 1:
            raise stale_revision(based_on)


class Items(_Collection):
    collection_name = ITEMS

    def get(self, item_id: str) -> EvidenceItem | None:
        doc = self.collection.find_one({"_id": item_id}, session=self.session)
        return docs.item_from(doc) if doc else None

    def add(self, item: EvidenceItem) -> None:
        self._insert(docs.item_document(item), {})

    def save(self, item: EvidenceItem, based_on: int) -> None:
        self._replace(docs.item_document(item), based_on)

    def remove(self, item_id: str, based_on: int) -> None:
        result = self.collection.delete_one({"_id": item_id, "revision": based_on}, session=self.session)
        if result.deleted_count != 1:
            raise stale_revision(based_on)

    def _query(self, library_id: str, status: str | None, kind: str | None, dimension: str | None,
               q: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"library_id": library_id}
        for name, value in (("status", status), ("kind", kind), ("dimension", dimension)):
            if value:
                query[name] = value
        query.update(_text_filter(q, ("title", "description", "partners.name")))
        return query

    def _page(self, query: dict[str, Any], projection: dict[str, int], page: int,
              per_page: int) -> tuple[list[dict[str, Any]], bool]:
        """A page of documents newest change first (the (library_id, updated_at) index), and whether
        it is the last page (then the total is known without counting)."""
        cursor = (self.collection.find(query, projection, session=self.session)
                  .sort([("updated_at", DESCENDING), ("_id", ASCENDING)])
                  .skip((page - 1) * per_page).limit(per_page))
        found = list(cursor)
        return found, len(found) < per_page and (bool(found) or page == 1)

    def page(self, library_id: str, *, status: str | None = None, kind: str | None = None,
             dimension: str | None = None, q: str | None = None, page: int = 1,
             per_page: int = 20) -> tuple[list[EvidenceItem], int]:
        """A page of a library's items, newest change first, and the total."""
        query = self._query(library_id, status, kind, dimension, q)
        found, last = self._page(query, LIST_PROJECTION, page, per_page)
        if last:
            total = (page - 1) * per_page + len(found)
        else:
            # count_documents scans the collection on SecantusDB; an indexed find of the ids does not.
            total = sum(1 for _ in self.collection.find(query, {"_id": 1}, session=self.session))
        return [docs.item_from(d) for d in found], total

    def summaries(self, library_id: str, *, status: str | None = None, kind: str | None = None,
                  dimension: str | None = None, q: str | None = None, page: int = 1,
                  per_page: int = 20) -> tuple[list[ItemSummary], int | None]:
        """A page of summaries, and the total only when this page shows it (else None: no count)."""
        query = self._query(library_id, status, kind, dimension, q)
        found, last = self._page(query, SUMMARY_PROJECTION, page, per_page)
        return [docs.summary_from(d) for d in found], (page - 1) * per_page + len(found) if last else None

    def of_library(self, library_id: str) -> list[EvidenceItem]:
        cursor = self.collection.find({"library_id": library_id}, session=self.session).sort("created_at", ASCENDING)
        return [docs.item_from(d) for d in cursor]

    def submitted(self, *, page: int = 1, per_page: int = 50) -> tuple[list[EvidenceItem], int]:
        """Items awaiting an assessor, oldest submission first, and how many there are."""
        query = {"status": "submitted"}
        total = self.collection.count_documents(query, session=self.session)
        cursor = (self.collection.find(query, session=self.session)
                  .sort([("submitted_at", ASCENDING), ("_id", ASCENDING)])
                  .skip((page - 1) * per_page).limit(per_page))
        return [docs.item_from(d) for d in cursor], total

    def public(self, library_id: str) -> list[EvidenceItem]:
        """A library's approved items it chose to show in the public directory, newest date first."""
        query = {"library_id": library_id, "public": True, "status": "approved"}
        cursor = self.collection.find(query, session=self.session).sort([("date", DESCENDING), ("_id", ASCENDING)])
        return [docs.item_from(d) for d in cursor]

    def naming(self, person_id: str) -> list[EvidenceItem]:
        """Every item that records the person somewhere (audit, thread, submitter...)."""
        query = {"$or": [{path: person_id} for path in PERSON_PATHS]}
        return [docs.item_from(d) for d in self.collection.find(query, session=self.session)]


class Plans(_Collection):
    collection_name = PLANS

    def get(self, library_id: str) -> ActionPlan | None:
        doc = self.collection.find_one({"library_id": library_id}, session=self.session)
        return docs.plan_from(doc) if doc else None

    def add(self, plan: ActionPlan) -> None:
        # One plan per library (a unique index): a second first save is told the plan exists now.
        self._insert(docs.plan_document(plan), {("library_id",): stale_revision(0)})

    def save(self, plan: ActionPlan, based_on: int) -> None:
        self._replace(docs.plan_document(plan), based_on)

    def submitted(self) -> list[ActionPlan]:
        cursor = self.collection.find({"status": "submitted"}, session=self.session).sort("submitted_at", ASCENDING)
        return [docs.plan_from(d) for d in cursor]

    def naming(self, person_id: str) -> list[ActionPlan]:
        query = {"$or": [{path: person_id} for path in PERSON_PATHS]}
        return [docs.plan_from(d) for d in self.collection.find(query, session=self.session)]


class Cases(_Collection):
    collection_name = CASES

    def get(self, case_id: str) -> SharedCase | None:
        doc = self.collection.find_one({"_id": case_id}, session=self.session)
        return docs.case_from(doc) if doc else None

    def add(self, case: SharedCase) -> None:
        # An item is shared once (a unique index on the source item).
        self._insert(docs.case_document(case), {("source_item_id",): already_shared()})

    def search(self, *, q: str | None = None, sdg: int | None = None, dimension: str | None = None,
               page: int = 1, per_page: int = 20) -> tuple[list[SharedCase], int]:
        """Shared cases matching the query, newest first, and how many match."""
        query: dict[str, Any] = _text_filter(q, ("title", "description", "library_name", "partners.name"))
        if sdg:
            query["sdgs"] = sdg
        if dimension:
            query["dimension"] = dimension
        total = self.collection.count_documents(query, session=self.session)
        cursor = (self.collection.find(query, session=self.session)
                  .sort([("shared_at", DESCENDING), ("_id", ASCENDING)])
                  .skip((page - 1) * per_page).limit(per_page))
        return [docs.case_from(d) for d in cursor], total


class Libraries(_Collection):
    """The names of libraries, as registration's events tell them (shown on items and events)."""

    collection_name = LIBRARIES

    def name_of(self, library_id: str | None) -> str | None:
        if not library_id:
            return None
        doc = self.collection.find_one({"_id": library_id}, session=self.session)
        return doc["name"] if doc else None

    def record(self, library_id: str, name: str, version: int) -> bool:
        """Record a library's name unless a newer version was already applied; tell whether it changed."""
        current = self.collection.find_one({"_id": library_id}, session=self.session)
        if current and current.get("version", 0) >= version:
            return False
        self.collection.replace_one({"_id": library_id}, {"_id": library_id, "name": name, "version": version},
                                    upsert=True, session=self.session)
        return True


def already_shared() -> Conflict:
    return Conflict(
        "already_shared",
        "Bidraget er allerede delt med andre biblioteker.",
        "The evidence is already shared with other libraries.",
    )


class Repositories:
    """The service's repositories over one database, in one session (a unit of work's) or none."""

    def __init__(self, db: Database[Any], session: ClientSession | None = None):
        self.items = Items(db, session)
        self.plans = Plans(db, session)
        self.cases = Cases(db, session)
        self.libraries = Libraries(db, session)
