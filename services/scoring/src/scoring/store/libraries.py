"""Libraries: `libraries`, one document per library (scoring.domain.library.Library):

  {_id: library_id, created_at, reg_version, registered, registered_at, name, municipality, kind,
   isil, staff_count, status, open_branch_count, cohort_id, cohort_name, enrolment_id,
   enrolment_started_at, ended_enrolments, plan_approved_at,
   adjustments: [{requirement_id, target, reason, author, at}],
   certificate: {status, certificate_id, awarded_at, awarded_by, cycle, cycle_start, valid_until,
                 checkins_done, emitted, revoked_at, revoked_by, revoke_reason, history: [...],
                 next_tick_on, ready_since},
   score: {model_version, status, scored_on, scored_at, has_provisional,
           overall: {provisional, verified}, dimensions: {<dimension>: {provisional, verified}},
           requirements: [{id, target, achieved: {provisional, verified},
                           progress: {provisional, verified}}],
           sdgs: {provisional: [...], verified: [...]}}}

`certificate.next_tick_on` and `ready_since` are derived from the state when it is written (for
the scheduler and the review queue). The score keeps its numbers and the counts it came from
(each requirement's achieved values): texts, explanations and counting keys are the model
version's, so a library is read back with the version its score names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.client_session import ClientSession
from pymongo.database import Database

from scoring.domain import Adjustment, CertificateState, Counts, Model, Profile, Score
from scoring.domain.library import WITHDRAWN, Library
from scoring.domain.lifecycle import next_tick_on, ready_since
from scoring.domain.progress import restored_score
from shared.vocabulary import CERTIFIED, CHECKIN_DUE, READY_FOR_REVIEW

LIBRARIES = "libraries"
# The library's plain fields, stored under their own names.
_PLAIN = ("created_at", "reg_version", "registered", "registered_at", "name", "municipality", "kind", "isil",
          "staff_count", "status", "open_branch_count", "cohort_id", "cohort_name", "enrolment_id",
          "enrolment_started_at", "plan_approved_at")

ModelOf = Callable[[int], Model]


def score_doc(score: Score, counts: Counts, scored_at: str | None) -> dict[str, Any]:
    return {
        "model_version": score.model_version,
        "status": score.status,
        "scored_on": counts.on.isoformat(),
        "scored_at": scored_at,
        "has_provisional": counts.has_provisional,
        "overall": {"provisional": score.overall_provisional, "verified": score.overall_verified},
        "dimensions": {d: {"provisional": p, "verified": v} for d, (p, v) in score.dimensions.items()},
        "requirements": [
            {"id": r.id, "target": r.target, "achieved": {"provisional": r.achieved, "verified": r.verified_achieved},
             "progress": {"provisional": r.progress, "verified": r.verified_progress}}
            for r in score.requirements
        ],
        "sdgs": {"provisional": list(score.sdgs_provisional), "verified": list(score.sdgs_verified)},
    }


def score_from(library_id: str, doc: Mapping[str, Any], model: Model) -> tuple[Score, Counts]:
    """The score a document keeps, under the model version it names."""
    rows = {r["id"]: r for r in doc["requirements"]}
    counts = Counts(
        on=date.fromisoformat(doc["scored_on"]),
        achieved={r.counting_key: (rows[r.id]["achieved"]["provisional"], rows[r.id]["achieved"]["verified"])
                  for r in model.requirements},
        sdgs_provisional=tuple(doc["sdgs"]["provisional"]),
        sdgs_verified=tuple(doc["sdgs"]["verified"]),
        has_provisional=bool(doc["has_provisional"]),
    )
    return restored_score(model, library_id, {i: r["target"] for i, r in rows.items()}, counts), counts


def certificate_doc(state: CertificateState) -> dict[str, Any]:
    return {**state.to_dict(), "next_tick_on": next_tick_on(state), "ready_since": ready_since(state)}


def certificate_from(doc: Mapping[str, Any]) -> CertificateState:
    return CertificateState.from_dict({k: v for k, v in doc.items() if k not in ("next_tick_on", "ready_since")})


def library_doc(library: Library) -> dict[str, Any]:
    doc: dict[str, Any] = {"_id": library.library_id, **{k: getattr(library, k) for k in _PLAIN}}
    doc["ended_enrolments"] = list(library.ended_enrolments)
    doc["adjustments"] = [a.to_dict() for a in library.profile.adjustments]
    doc["certificate"] = certificate_doc(library.certificate)
    doc["score"] = (score_doc(library.score, library.counts, library.scored_at)
                    if library.score is not None and library.counts is not None else None)
    return doc


def library_from(doc: Mapping[str, Any], model_of: ModelOf) -> Library:
    """The library a document holds; model_of(version) gives the model version its score names."""
    lid = doc["_id"]
    stored = doc.get("score")
    score, counts = score_from(lid, stored, model_of(stored["model_version"])) if stored else (None, None)
    return Library(
        library_id=lid,
        **{k: doc.get(k) for k in _PLAIN if k not in ("reg_version", "registered")},
        reg_version=doc.get("reg_version", 0),
        registered=bool(doc.get("registered")),
        ended_enrolments=tuple(doc.get("ended_enrolments") or ()),
        profile=Profile(lid, tuple(Adjustment(**a) for a in doc.get("adjustments") or ())),
        certificate=certificate_from(doc["certificate"]),
        score=score,
        counts=counts,
        scored_at=stored["scored_at"] if stored else None,
    )


def _outdated(model_version: int, today: str) -> dict[str, Any]:
    return {"$or": [{"score.model_version": None},  # never scored
                    {"score.model_version": {"$lt": model_version}},
                    {"score.model_version": model_version, "score.scored_on": {"$lt": today}}]}


class Libraries:
    """One document per library. Inside a unit of work the repository remembers each library as it
    read it, and `save` writes only the fields that changed (a re-score rewrites the score, not the
    certificate's history)."""

    def __init__(self, db: Database, session: ClientSession | None, model_of: ModelOf):
        self.collection = db[LIBRARIES]
        self.session = session
        self.model_of = model_of
        self._seen: dict[str, dict[str, Any]] | None = {} if session is not None else None

    def _found(self, doc: Mapping[str, Any] | None) -> Library | None:
        if doc is None:
            return None
        if self._seen is not None:
            self._seen[doc["_id"]] = dict(doc)
        return library_from(doc, self.model_of)

    def _all(self, query: Mapping[str, Any], sort: list[tuple[str, int]] | None = None) -> list[Library]:
        found = (self._found(d) for d in self.collection.find(dict(query), sort=sort, session=self.session))
        return [lib for lib in found if lib is not None]

    def _ids(self, query: Mapping[str, Any]) -> list[str]:
        return sorted(d["_id"] for d in self.collection.find(dict(query), {"_id": 1}, session=self.session))

    def get(self, library_id: str) -> Library | None:
        return self._found(self.collection.find_one({"_id": library_id}, session=self.session))

    def save(self, library: Library) -> None:
        self.save_all([library])

    def save_all(self, libraries: Iterable[Library]) -> int:
        """Write the libraries (a library read here: only its changed fields); the number written."""
        ops: list[Any] = []
        for library in libraries:
            doc = library_doc(library)
            before = self._seen.get(library.library_id) if self._seen is not None else None
            if before is None:
                changed = {k: v for k, v in doc.items() if k != "_id"}
            else:
                changed = {k: v for k, v in doc.items() if k != "_id" and before.get(k) != v}
                if not changed:
                    continue
            ops.append(UpdateOne({"_id": library.library_id}, {"$set": changed}, upsert=before is None))
            if self._seen is not None:
                self._seen[library.library_id] = doc
        if ops:
            self.collection.bulk_write(ops, ordered=False, session=self.session)
        return len(ops)

    def all(self) -> list[Library]:
        return self._all({}, sort=[("_id", ASCENDING)])

    def outdated_ids(self, model_version: int, today: str) -> list[str]:
        """The libraries whose score is of an older model version or an earlier day, in id order."""
        return self._ids(_outdated(model_version, today))

    def outdated_between(self, model_version: int, today: str, first: str, last: str) -> list[Library]:
        """The outdated libraries with an id in [first, last], in id order."""
        query = {"$and": [_outdated(model_version, today), {"_id": {"$gte": first, "$lte": last}}]}
        return self._all(query, sort=[("_id", ASCENDING)])

    def due_for_tick(self, today: str) -> list[str]:
        """The certificates whose reminder or lapse day has come (lifecycle.next_tick_on)."""
        return self._ids({"certificate.next_tick_on": {"$lte": today}})

    def ready_for_review(self) -> list[Library]:
        """Libraries ready for review (not withdrawn), the longest waiting first."""
        query = {"certificate.status": READY_FOR_REVIEW, "status": {"$ne": WITHDRAWN}}
        return self._all(query, sort=[("certificate.ready_since", ASCENDING), ("_id", ASCENDING)])

    def certified(self, municipality: str | None = None) -> list[Library]:
        """Libraries holding a certificate (valid or awaiting check-in), not withdrawn."""
        query: dict[str, Any] = {"certificate.status": {"$in": [CERTIFIED, CHECKIN_DUE]},
                                 "status": {"$ne": WITHDRAWN}}
        if municipality is not None:
            query["municipality"] = municipality
        return self._all(query)

    def by_certificate(self, certificate_id: str) -> Library | None:
        return self._found(self.collection.find_one({"certificate.certificate_id": certificate_id},
                                                    session=self.session))

    def in_figures(self) -> list[Library]:
        """The libraries the national figures count: registered and not withdrawn."""
        return self._all({"registered": True, "status": {"$ne": WITHDRAWN}})
