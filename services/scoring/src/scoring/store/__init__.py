"""The scoring store: repositories over pymongo, one per aggregate (store/models.py,
store/libraries.py, store/evidence.py, where each collection's documents are described), the
indexes their queries use, and the schema version scoring.migrate records.

Every value is a field of its own, so MongoDB can query and index any of them; the queries the
service runs have ordinary secondary indexes (INDEXES), created by scoring.migrate only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.client_session import ClientSession
from pymongo.database import Database

from scoring.domain import Library, Model, Score, score
from scoring.domain.library import current_score, stored_counts
from scoring.store.evidence import COHORTS, EVIDENCE_ITEMS, EVIDENCE_SUMMARIES, Cohorts, Evidence, projection_docs
from scoring.store.libraries import LIBRARIES, Libraries, library_doc, library_from
from scoring.store.models import MODELS, ModelCache, Models

SCHEMA = "schema"
# The schema this code reads and writes; scoring.migrate brings a database to it.
SCHEMA_VERSION = 1

INDEXES: dict[str, Iterable[IndexModel]] = {
    MODELS: [IndexModel([("status", ASCENDING), ("version", DESCENDING)])],
    LIBRARIES: [
        # Public verification and the badge look a certificate up by its id (unique once awarded).
        IndexModel([("certificate.certificate_id", ASCENDING)], unique=True,
                   partialFilterExpression={"certificate.certificate_id": {"$type": "string"}}),
        # The review queue (ready for review, the longest waiting first) and the directory (certified).
        IndexModel([("certificate.status", ASCENDING), ("certificate.ready_since", ASCENDING)]),
        # The scheduler's certificates whose reminder or lapse day has come.
        IndexModel([("certificate.next_tick_on", ASCENDING)]),
        # The scheduler's re-score: scores of an older model version, or of an earlier day.
        IndexModel([("score.model_version", ASCENDING), ("score.scored_on", ASCENDING)]),
    ],
    # A library's items (scoring it reads them all), and a span of libraries' items (re-scoring).
    EVIDENCE_ITEMS: [IndexModel([("library_id", ASCENDING)])],
}


class NoPublishedModel(RuntimeError):
    """The database has no published model: scoring.migrate seeds version 1, so it was never run."""


@dataclass
class Repositories:
    """What a handler or a view works on: the scoring repositories over one database (and session)."""

    models: Models
    libraries: Libraries
    evidence: Evidence
    cohorts: Cohorts

    def current_model(self) -> Model:
        """The published model libraries are scored against now."""
        model = self.models.current()
        if model is None:
            raise NoPublishedModel("no published model: run python -m scoring.migrate")
        return model

    def score_now(self, library: Library, model: Model, now: datetime) -> Score:
        """The library's score under `model` now: from the counts kept with its score when they
        hold today, else by counting its items (read only then)."""
        counts = stored_counts(library, model, now)
        if counts is not None:
            return current_score(library, model, counts)
        items = self.evidence.get(library.library_id).items()
        return score(model, library.profile, items, library.staff_count, now.date())


def repositories(cache: ModelCache) -> Callable[[Database, ClientSession | None], Repositories]:
    """The repositories factory for shared.uow.MongoUnitOfWork, sharing one process's model cache."""

    def build(db: Database, session: ClientSession | None) -> Repositories:
        models = Models(db, session, cache)
        return Repositories(models, Libraries(db, session, _published(models)), Evidence(db, session),
                            Cohorts(db, session))

    return build


def _published(models: Models) -> Callable[[int], Model]:
    def model_of(version: int) -> Model:
        model = models.published(version)
        if model is None:  # a score names the published version it was computed under
            raise LookupError(f"model version {version} is not published")
        return model

    return model_of


def schema_version(db: Database) -> int:
    """The schema version scoring.migrate brought the database to (0 if never migrated)."""
    doc = db[SCHEMA].find_one({"_id": "scoring"})
    return int(doc["version"]) if doc else 0


def set_schema_version(db: Database, version: int) -> None:
    db[SCHEMA].update_one({"_id": "scoring"}, {"$set": {"version": version}}, upsert=True)


__all__ = [
    "COHORTS", "EVIDENCE_ITEMS", "EVIDENCE_SUMMARIES", "INDEXES", "LIBRARIES", "MODELS", "SCHEMA", "SCHEMA_VERSION", "Cohorts", "Evidence",
    "Libraries", "ModelCache", "Models", "NoPublishedModel", "Repositories", "library_doc", "library_from",
    "projection_docs", "repositories", "schema_version", "set_schema_version",
]
