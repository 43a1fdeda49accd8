"""The scoring repository on pymongo: model versions, the library projection (with its profile,
score and certificate state) and each library's evidence projection.

Collections:
  models     {_id: version, version, status, requirements, published_at, published_by, created_*}
  libraries  {_id: library_id, name, municipality, kind, staff_count, status, reg_version, cohort_id,
              cohort_name, adjustments, score, model_version, lifecycle, certificate_id, summary, ...}
  evidence   {_id: library_id, entries: {item_id: Entry}} (scoring.domain.evidence.Projection)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne
from pymongo.client_session import ClientSession
from pymongo.database import Database

from scoring.domain import Model, Projection

MODELS, LIBRARIES, EVIDENCE = "models", "libraries", "evidence"

INDEXES = {
    MODELS: [IndexModel([("status", ASCENDING), ("version", DESCENDING)])],
    LIBRARIES: [
        IndexModel([("certificate_id", ASCENDING)]),
        IndexModel([("lifecycle.status", ASCENDING), ("ready_at", ASCENDING)]),
        IndexModel([("municipality", ASCENDING)]),
        IndexModel([("model_version", ASCENDING)]),
    ],
}

Session = ClientSession | None


# -- models ----------------------------------------------------------------------------------------


def current_model(db: Database, session: Session = None) -> Model | None:
    """The published model with the highest version."""
    doc = db[MODELS].find_one({"status": "published"}, sort=[("version", DESCENDING)], session=session)
    return Model.from_dict(doc) if doc else None


def model_doc(db: Database, version: int, session: Session = None) -> dict | None:
    return db[MODELS].find_one({"_id": version}, session=session)


def list_models(db: Database, session: Session = None) -> list[dict]:
    return list(db[MODELS].find({}, sort=[("version", ASCENDING)], session=session))


def latest_version(db: Database, session: Session = None) -> int:
    doc = db[MODELS].find_one({}, sort=[("version", DESCENDING)], projection={"version": 1}, session=session)
    return doc["version"] if doc else 0


def open_draft(db: Database, session: Session = None) -> dict | None:
    return db[MODELS].find_one({"status": "draft"}, sort=[("version", DESCENDING)], session=session)


def insert_model(db: Database, model: Model, extra: Mapping[str, Any], session: Session = None) -> None:
    db[MODELS].insert_one({"_id": model.version, **model.to_dict(), **extra}, session=session)


def save_model(db: Database, model: Model, extra: Mapping[str, Any] | None = None, session: Session = None) -> None:
    db[MODELS].update_one({"_id": model.version}, {"$set": {**model.to_dict(), **(extra or {})}}, session=session)


# -- libraries -------------------------------------------------------------------------------------


def library(db: Database, library_id: str, session: Session = None) -> dict | None:
    return db[LIBRARIES].find_one({"_id": library_id}, session=session)


def ensure_library(db: Database, library_id: str, at: Any, session: Session = None) -> dict:
    """The library document, created empty if an event about it arrived before its registration."""
    doc = library(db, library_id, session)
    if doc is None:
        doc = {"_id": library_id, "created_at": at, "reg_version": 0, "adjustments": [], "ended_enrolments": []}
        db[LIBRARIES].insert_one(doc, session=session)
    return doc


def update_library(db: Database, library_id: str, changes: Mapping[str, Any], session: Session = None) -> None:
    if changes:
        db[LIBRARIES].update_one({"_id": library_id}, {"$set": dict(changes)}, session=session)


def push_adjustment(db: Database, library_id: str, adjustment: Mapping[str, Any], session: Session = None) -> None:
    db[LIBRARIES].update_one({"_id": library_id}, {"$push": {"adjustments": dict(adjustment)}}, session=session)


def bulk_update_libraries(db: Database, updates: Iterable[tuple[str, Mapping[str, Any]]], session: Session = None) -> int:
    ops = [UpdateOne({"_id": lid}, {"$set": dict(changes)}) for lid, changes in updates if changes]
    if not ops:
        return 0
    return db[LIBRARIES].bulk_write(ops, ordered=False, session=session).modified_count


def library_page(db: Database, query: Mapping[str, Any], after: str | None, limit: int, session: Session = None) -> list[dict]:
    """Up to `limit` libraries matching `query` with an id greater than `after`, in id order."""
    q = dict(query)
    if after is not None:
        q["_id"] = {"$gt": after}
    return list(db[LIBRARIES].find(q, sort=[("_id", ASCENDING)], limit=limit, session=session))


def libraries(db: Database, query: Mapping[str, Any] | None = None, sort: list | None = None,
              projection: Mapping[str, Any] | None = None, session: Session = None) -> list[dict]:
    return list(db[LIBRARIES].find(dict(query or {}), projection=projection, sort=sort, session=session))


def by_certificate(db: Database, certificate_id: str, session: Session = None) -> dict | None:
    return db[LIBRARIES].find_one({"certificate_id": certificate_id}, session=session)


# -- evidence projection ---------------------------------------------------------------------------


def projection(db: Database, library_id: str, session: Session = None) -> Projection:
    doc = db[EVIDENCE].find_one({"_id": library_id}, session=session)
    return Projection.from_dict({"library_id": library_id, "entries": (doc or {}).get("entries") or {}})


def projections(db: Database, library_ids: list[str], session: Session = None) -> dict[str, Projection]:
    docs = {d["_id"]: d for d in db[EVIDENCE].find({"_id": {"$in": library_ids}}, session=session)}
    return {
        lid: Projection.from_dict({"library_id": lid, "entries": (docs.get(lid) or {}).get("entries") or {}})
        for lid in library_ids
    }


def save_entries(db: Database, proj: Projection, item_ids: Iterable[str], session: Session = None) -> None:
    """Write the given entries of a projection (all of them if a key is not a safe field name)."""
    data = proj.to_dict()["entries"]
    ids = list(item_ids)
    if all(_safe_key(i) for i in ids):
        changes = {f"entries.{i}": data[i] for i in ids}
        db[EVIDENCE].update_one({"_id": proj.library_id}, {"$set": changes}, upsert=True, session=session)
    else:
        replace_projection(db, proj, session)


def replace_projection(db: Database, proj: Projection, session: Session = None) -> None:
    doc = {"_id": proj.library_id, "entries": proj.to_dict()["entries"]}
    db[EVIDENCE].replace_one({"_id": proj.library_id}, doc, upsert=True, session=session)


def _safe_key(key: str) -> bool:
    return bool(key) and "." not in key and not key.startswith("$")
