"""Each library's evidence projection, one document per item, and the cohorts' names.

  evidence_items      {_id: "<library_id>/<item_id>", library_id, item_id, revision, status,
                       decided_at, data_revision, data: {kind, dimension, sdgs, date, ...} | null,
                       approved_at}: the entries of scoring.domain.evidence.Projection. An event
                       rewrites its item's document only, however many items the library has.
  evidence_summaries  {_id: library_id, by_month: [{month, activities, participants}],
                       undated: {activities, participants}, sdgs: [...], partners: [...]}: the
                       approved evidence the national figures count, kept with the items.
  cohorts             {_id: cohort_id, name, state, start_year, end_year, version}: the current
                       names the figures show (a library's `cohort_name` is the name when it enrolled).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo import DeleteOne, ReplaceOne
from pymongo.client_session import ClientSession
from pymongo.database import Database

from scoring.domain import LibrarySummary, Projection, summarize_library
from scoring.domain.evidence import Entry

EVIDENCE_ITEMS, EVIDENCE_SUMMARIES, COHORTS = "evidence_items", "evidence_summaries", "cohorts"


def summary_doc(summary: LibrarySummary) -> dict[str, Any]:
    return {
        "_id": summary.library_id,
        "by_month": [{"month": m, "activities": a, "participants": p} for m, (a, p) in summary.by_month.items()],
        "undated": {"activities": summary.undated[0], "participants": summary.undated[1]},
        "sdgs": list(summary.sdgs),
        "partners": list(summary.partners),
    }


def summary_from(doc: Mapping[str, Any]) -> LibrarySummary:
    return LibrarySummary(
        library_id=doc["_id"],
        status="",
        by_month={m["month"]: (m["activities"], m["participants"]) for m in doc["by_month"]},
        undated=(doc["undated"]["activities"], doc["undated"]["participants"]),
        sdgs=tuple(doc["sdgs"]),
        partners=tuple(doc["partners"]),
    )


def item_doc(library_id: str, item_id: str, e: Entry) -> dict[str, Any]:
    return {"_id": f"{library_id}/{item_id}", "library_id": library_id, "item_id": item_id, "revision": e.revision,
            "status": e.status, "decided_at": e.decided_at, "data_revision": e.data_revision,
            "data": dict(e.data) if e.data is not None else None, "approved_at": e.approved_at}


def projection_docs(projection: Projection) -> list[dict[str, Any]]:
    """The item documents of a projection."""
    return [item_doc(projection.library_id, k, e) for k, e in sorted(projection.entries.items())]


def projections_from(docs: Iterable[Mapping[str, Any]]) -> dict[str, Projection]:
    entries: dict[str, dict[str, Entry]] = {}
    for d in docs:
        entries.setdefault(d["library_id"], {})[d["item_id"]] = Entry(
            d["revision"], d["status"], d["decided_at"], d["data_revision"], d["data"], d["approved_at"])
    return {lid: Projection(lid, e) for lid, e in entries.items()}


def _summary(projection: Projection) -> LibrarySummary:
    return summarize_library(projection.library_id, projection.items(), status="")


class Evidence:
    """Each library's evidence projection. Inside a unit of work the repository remembers each
    projection as it read it, and `save` writes only the items that changed (and the figures'
    summary only when it changed)."""

    def __init__(self, db: Database, session: ClientSession | None):
        self.items = db[EVIDENCE_ITEMS]
        self.summary_docs = db[EVIDENCE_SUMMARIES]
        self.session = session
        self._seen: dict[str, Projection] | None = {} if session is not None else None

    def _read(self, query: Mapping[str, Any]) -> dict[str, Projection]:
        found = projections_from(self.items.find(dict(query), session=self.session))
        if self._seen is not None:
            self._seen.update(found)
        return found

    def get(self, library_id: str) -> Projection:
        found = self._read({"library_id": library_id}).get(library_id) or Projection(library_id)
        if self._seen is not None:
            self._seen[library_id] = found
        return found

    def get_many(self, library_ids: list[str]) -> dict[str, Projection]:
        found = self._read({"library_id": {"$in": library_ids}})
        return {lid: found.get(lid) or Projection(lid) for lid in library_ids}

    def between(self, first: str, last: str) -> dict[str, Projection]:
        """The projections of the libraries with an id in [first, last] that have evidence."""
        return self._read({"library_id": {"$gte": first, "$lte": last}})

    def summaries(self) -> dict[str, LibrarySummary]:
        """Every library's approved evidence as the national figures count it."""
        return {d["_id"]: summary_from(d) for d in self.summary_docs.find({}, session=self.session)}

    def save(self, projection: Projection) -> None:
        lid = projection.library_id
        before = self._seen.get(lid) if self._seen is not None else None
        old = before.entries if before is not None else {}
        ops: list[Any] = [ReplaceOne({"_id": f"{lid}/{k}"}, item_doc(lid, k, e), upsert=True)
                          for k, e in sorted(projection.entries.items()) if before is None or old.get(k) != e]
        ops += [DeleteOne({"_id": f"{lid}/{k}"}) for k in sorted(set(old) - set(projection.entries))]
        if ops:
            self.items.bulk_write(ops, ordered=False, session=self.session)
        summary = _summary(projection)
        if before is None or _summary(before) != summary:
            self.summary_docs.replace_one({"_id": lid}, summary_doc(summary), upsert=True, session=self.session)
        if self._seen is not None:
            self._seen[lid] = projection


class Cohorts:
    """The cohorts' current names, from cohort.created / cohort.updated (newest version wins)."""

    def __init__(self, db: Database, session: ClientSession | None):
        self.collection = db[COHORTS]
        self.session = session

    def save_if_newer(self, cohort: Mapping[str, Any]) -> bool:
        """Keep the cohort snapshot unless the stored one is as new or newer (order guard)."""
        stored = self.collection.find_one({"_id": cohort["cohort_id"]}, {"version": 1}, session=self.session)
        if stored is not None and stored.get("version", 0) >= cohort["version"]:
            return False
        doc = {k: cohort.get(k) for k in ("name", "state", "start_year", "end_year", "version")}
        self.collection.replace_one({"_id": cohort["cohort_id"]}, doc, upsert=True, session=self.session)
        return True

    def names(self) -> dict[str, str]:
        return {d["_id"]: d["name"] for d in self.collection.find({}, {"name": 1}, session=self.session)
                if d.get("name")}
