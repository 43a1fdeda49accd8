"""The scoring repository on pymongo: model versions, the library projection (with its profile,
score and certificate state) and each library's evidence projection.

Collections:
  models     {_id: version, version, status, requirements, published_at, published_by, created_*}
  libraries  {_id: library_id, name, municipality, kind, staff_count, status, reg_version, cohort_id,
              cohort_name, adjustments, score, model_version, lifecycle, certificate_id, summary, ...}
              `score` ({payload, missing_en}) and `summary` (the figures summary) are each stored as
              one JSON string (read them with score_of / summary_of): every update of a document
              costs SecantusDB in proportion to all the values the document holds, and these two
              are most of them (re-scoring after a model publication writes ~2x faster). Documents
              holding them as nested documents (the earlier shape) are still read.
  evidence   {_id: library_id, packed: JSON text of {item_id: [revision, status, decided_at,
              data_revision, data, approved_at]}} (scoring.domain.evidence.Projection rows). One
              opaque string rather than nested documents: SecantusDB reads and writes a document's
              values one by one, and a library has hundreds of them (10x faster re-scoring).
              Documents in the earlier {entries: {item_id: Entry dict}} shape are still read.
  cohorts    {_id: cohort_id, name, state, start_year, end_year, version} from cohort.created /
              cohort.updated: the current names the national figures show (a library's
              `cohort_name` is the name when it enrolled).
  library_states {_id: library_id, lifecycle_status, ready_at, certificate_id, status}: the few
              fields libraries are looked up by (review queue, directory, certificate check,
              scheduler), kept by update_library / bulk_update_libraries in the same write as the
              library. They change rarely, so their indexes live here: a secondary index on
              `libraries` would be rewritten by SecantusDB on every re-score of a library.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import OperationFailure

from scoring.domain import Model, Projection

MODELS, LIBRARIES, EVIDENCE, COHORTS = "models", "libraries", "evidence", "cohorts"
STATES = "library_states"

# Every secondary index of `libraries` would cost each write of a library (SecantusDB rewrites
# every index entry of a document it updates, ~0.3 ms a library, and a library is written on each
# evidence event and each re-score): the lookups go through `library_states` instead. The
# re-score of stale libraries ({model_version: {$ne: v}}) scans every library whatever the index.
INDEXES = {
    MODELS: [IndexModel([("status", ASCENDING), ("version", DESCENDING)])],
    STATES: [
        IndexModel([("certificate_id", ASCENDING)]),
        IndexModel([("lifecycle_status", ASCENDING), ("ready_at", ASCENDING)]),
    ],
}
# The indexes `libraries` had before `library_states` (dropped at start-up where they exist).
OLD_LIBRARY_INDEXES = ("certificate_id_1", "lifecycle.status_1_ready_at_1")

Session = ClientSession | None


# -- models ----------------------------------------------------------------------------------------


# Published models never change, so each is parsed once per process (by database and version).
_published: dict[tuple[str, int, str], Model] = {}


def current_model(db: Database, session: Session = None) -> Model | None:
    """The published model with the highest version."""
    head = db[MODELS].find_one({"status": "published"}, sort=[("version", DESCENDING)],
                               projection={"version": 1, "published_at": 1}, session=session)
    if head is None:
        return None
    key = (db.name, head["version"], str(head.get("published_at")))
    model = _published.get(key)
    if model is None:
        doc = db[MODELS].find_one({"_id": head["_id"], "status": "published"}, session=session)
        if doc is None:  # unpublished in between (not done by this service, but be safe)
            return current_model(db, session)
        model = Model.from_dict(doc)
        if len(_published) > 64:
            _published.clear()
        _published[key] = model
    return model


def model_doc(db: Database, version: int, session: Session = None) -> dict | None:
    return db[MODELS].find_one({"_id": version}, session=session)


def list_models(db: Database, session: Session = None) -> list[dict]:
    return list(db[MODELS].find({}, sort=[("version", ASCENDING)], session=session))


def latest_version(db: Database, session: Session = None) -> int:
    doc = db[MODELS].find_one({}, sort=[("version", DESCENDING)], projection={"version": 1, "published_at": 1}, session=session)
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


def pack_value(value: Any) -> str:
    """A score or summary as the JSON string stored in the library document."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _unpacked(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def score_of(lib: Mapping[str, Any]) -> dict[str, Any]:
    """The library's stored score ({payload, missing_en}), {} before its first scoring."""
    return _unpacked(lib.get("score")) or {}


def summary_of(lib: Mapping[str, Any]) -> dict[str, Any]:
    """The library's stored figures summary ({by_month, undated, sdgs, partners}), {} if none."""
    return _unpacked(lib.get("summary")) or {}


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
        _keep_state(db, [(library_id, changes)], session)


def state_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a library's changes that its `library_states` document holds."""
    out = {k: changes[k] for k in ("ready_at", "certificate_id", "status") if k in changes}
    if "lifecycle" in changes:
        out["lifecycle_status"] = (changes["lifecycle"] or {}).get("status")
    return out


def _keep_state(db: Database, updates: Iterable[tuple[str, Mapping[str, Any]]], session: Session) -> None:
    ops = [UpdateOne({"_id": lid}, {"$set": state}, upsert=True)
           for lid, changes in updates if (state := state_changes(changes))]
    if ops:
        db[STATES].bulk_write(ops, ordered=False, session=session)


def push_adjustment(db: Database, library_id: str, adjustment: Mapping[str, Any], session: Session = None) -> None:
    db[LIBRARIES].update_one({"_id": library_id}, {"$push": {"adjustments": dict(adjustment)}}, session=session)


def bulk_update_libraries(db: Database, updates: Iterable[tuple[str, Mapping[str, Any]]], session: Session = None) -> int:
    updates = [(lid, changes) for lid, changes in updates if changes]
    if not updates:
        return 0
    ops = [UpdateOne({"_id": lid}, {"$set": dict(changes)}) for lid, changes in updates]
    modified = db[LIBRARIES].bulk_write(ops, ordered=False, session=session).modified_count
    _keep_state(db, updates, session)
    return modified


def library_ids_by_state(db: Database, query: Mapping[str, Any], sort: list | None = None,
                         session: Session = None) -> list[str]:
    """The ids of the libraries whose `library_states` document matches `query` (its field
    names), in the order of `sort` on those fields."""
    return [d["_id"] for d in db[STATES].find(dict(query), {"_id": 1}, sort=sort, session=session)]


def libraries_by_state(db: Database, query: Mapping[str, Any], sort: list | None = None,
                       session: Session = None) -> list[dict]:
    """The libraries of `library_ids_by_state`, in that order."""
    found = (library(db, lid, session) for lid in library_ids_by_state(db, query, sort, session))
    return [lib for lib in found if lib is not None]


def migrate_library_states(db: Database) -> int:
    """Give every library that has lookup fields but no `library_states` document one (databases
    from before it), and drop the indexes `libraries` had for those lookups. Idempotent."""
    known = {d["_id"] for d in db[STATES].find({}, {"_id": 1})}
    fields = {"lifecycle": 1, "ready_at": 1, "certificate_id": 1, "status": 1}
    missing = [(d["_id"], {k: v for k, v in d.items() if k != "_id"})
               for d in db[LIBRARIES].find({}, fields) if d["_id"] not in known]
    _keep_state(db, missing, None)
    try:
        existing = db[LIBRARIES].index_information()
        for name in OLD_LIBRARY_INDEXES:
            if name in existing:
                db[LIBRARIES].drop_index(name)
    except OperationFailure:
        pass  # an index that cannot be dropped only costs writes
    return len(missing)


def libraries(db: Database, query: Mapping[str, Any] | None = None, sort: list | None = None,
              projection: Mapping[str, Any] | None = None, session: Session = None) -> list[dict]:
    return list(db[LIBRARIES].find(dict(query or {}), projection=projection, sort=sort, session=session))


def save_cohort_if_newer(db: Database, cohort: Mapping[str, Any], session: Session = None) -> bool:
    """Keep the cohort snapshot unless the stored one is as new or newer (order guard)."""
    stored = db[COHORTS].find_one({"_id": cohort["cohort_id"]}, {"version": 1}, session=session)
    if stored is not None and stored.get("version", 0) >= cohort["version"]:
        return False
    doc = {k: cohort.get(k) for k in ("name", "state", "start_year", "end_year", "version")}
    db[COHORTS].replace_one({"_id": cohort["cohort_id"]}, doc, upsert=True, session=session)
    return True


def cohort_names(db: Database, session: Session = None) -> dict[str, str]:
    return {d["_id"]: d["name"] for d in db[COHORTS].find({}, {"name": 1}, session=session) if d.get("name")}


def by_certificate(db: Database, certificate_id: str, session: Session = None) -> dict | None:
    state = db[STATES].find_one({"certificate_id": certificate_id}, {"_id": 1}, session=session)
    return library(db, state["_id"], session) if state else None


# -- evidence projection ---------------------------------------------------------------------------


def _rows(doc: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """A stored evidence document's entries as Projection rows (either stored shape)."""
    if not doc:
        return {}
    packed = doc.get("packed")
    if packed is not None:
        return json.loads(packed)
    fields = ("revision", "status", "decided_at", "data_revision", "data", "approved_at")
    defaults = {"decided_at": None, "data_revision": 0, "data": None, "approved_at": None}
    return {k: [e.get(f, defaults.get(f)) if f in defaults else e[f] for f in fields]
            for k, e in (doc.get("entries") or {}).items()}


def projection(db: Database, library_id: str, session: Session = None) -> Projection:
    doc = db[EVIDENCE].find_one({"_id": library_id}, session=session)
    return Projection.from_rows(library_id, _rows(doc))


def projections(db: Database, library_ids: list[str], session: Session = None) -> dict[str, Projection]:
    docs = {d["_id"]: d for d in db[EVIDENCE].find({"_id": {"$in": library_ids}}, session=session)}
    return {lid: Projection.from_rows(lid, _rows(docs.get(lid))) for lid in library_ids}


def evidence_rows_between(db: Database, first: str, last: str, session: Session = None) -> dict[str, dict]:
    """Projection rows of every library with an id in [first, last] (one ordered index range scan)."""
    return {d["_id"]: _rows(d) for d in db[EVIDENCE].find({"_id": {"$gte": first, "$lte": last}}, session=session)}


def library_ids(db: Database, query: Mapping[str, Any], session: Session = None) -> list[str]:
    """The ids of the libraries matching `query`, in order."""
    return sorted(d["_id"] for d in db[LIBRARIES].find(dict(query), projection={"_id": 1}, session=session))


def libraries_between(db: Database, query: Mapping[str, Any], first: str, last: str,
                      session: Session = None) -> list[dict]:
    """The libraries matching `query` with an id in [first, last], in id order."""
    span = {"_id": {"$gte": first, "$lte": last}}
    q = {**query, **span} if "_id" not in query else {"$and": [dict(query), span]}
    return sorted(db[LIBRARIES].find(q, session=session), key=lambda d: d["_id"])


def replace_projection(db: Database, proj: Projection, session: Session = None) -> None:
    doc = {"_id": proj.library_id, "packed": pack(proj)}
    db[EVIDENCE].replace_one({"_id": proj.library_id}, doc, upsert=True, session=session)


def pack(proj: Projection) -> str:
    return json.dumps(proj.to_rows(), ensure_ascii=False, separators=(",", ":"))
