"""In-memory twins of scoring.store's repositories: the same methods, the same answers and the same
domain errors (a taken model version is ModelVersionTaken), held to it by the contract tests in
tests/integration/test_repositories.py, which run against these and against SecantusDB alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from scoring.domain import MODEL_V1, Library, LibrarySummary, Model, ModelVersionTaken, Projection, summarize_library
from scoring.domain.lifecycle import next_tick_on, ready_since
from scoring.domain.model import PUBLISHED
from scoring.store import Repositories
from shared.vocabulary import CERTIFIED, CHECKIN_DUE, READY_FOR_REVIEW


class FakeModels:
    def __init__(self, models: Iterable[Model] = ()):
        self.versions: dict[int, Model] = {m.version: m for m in models}

    def current(self) -> Model | None:
        published = [m for m in self.versions.values() if m.status == PUBLISHED]
        return max(published, key=lambda m: m.version, default=None)

    def current_for_reading(self) -> Model | None:
        return self.current()

    def get(self, version: int) -> Model | None:
        return self.versions.get(version)

    def published(self, version: int) -> Model | None:
        model = self.versions.get(version)
        return model if model is not None and model.status == PUBLISHED else None

    def all(self) -> list[Model]:
        return [self.versions[v] for v in sorted(self.versions)]

    def latest_version(self) -> int:
        return max(self.versions, default=0)

    def open_draft(self) -> Model | None:
        drafts = [m for m in self.versions.values() if m.status == "draft"]
        return max(drafts, key=lambda m: m.version, default=None)

    def add(self, model: Model) -> None:
        if model.version in self.versions:
            raise ModelVersionTaken(model.version)
        self.versions[model.version] = model

    def save(self, model: Model) -> None:
        self.versions[model.version] = model


class FakeLibraries:
    def __init__(self) -> None:
        self.by_id: dict[str, Library] = {}

    def _sorted(self) -> list[Library]:
        return [self.by_id[k] for k in sorted(self.by_id)]

    def get(self, library_id: str) -> Library | None:
        return self.by_id.get(library_id)

    def save(self, library: Library) -> None:
        self.save_all([library])

    def save_all(self, libraries: Iterable[Library]) -> int:
        written = 0
        for library in libraries:
            if self.by_id.get(library.library_id) != library:
                self.by_id[library.library_id] = library
                written += 1
        return written

    def all(self) -> list[Library]:
        return self._sorted()

    def _outdated(self, library: Library, model_version: int, today: str) -> bool:
        if library.score is None or library.counts is None:
            return True
        return library.score.model_version < model_version or (
            library.score.model_version == model_version and library.counts.on.isoformat() < today)

    def outdated_ids(self, model_version: int, today: str) -> list[str]:
        return [lib.library_id for lib in self._sorted() if self._outdated(lib, model_version, today)]

    def outdated_between(self, model_version: int, today: str, first: str, last: str) -> list[Library]:
        return [lib for lib in self._sorted()
                if first <= lib.library_id <= last and self._outdated(lib, model_version, today)]

    def due_for_tick(self, today: str) -> list[str]:
        return [lib.library_id for lib in self._sorted()
                if (day := next_tick_on(lib.certificate)) is not None and day <= today]

    def ready_for_review(self) -> list[Library]:
        ready = [lib for lib in self._sorted() if lib.certificate.status == READY_FOR_REVIEW and not lib.withdrawn]
        return sorted(ready, key=lambda lib: (ready_since(lib.certificate) or "", lib.library_id))

    def certified(self, municipality: str | None = None) -> list[Library]:
        return [lib for lib in self._sorted() if lib.certificate.status in (CERTIFIED, CHECKIN_DUE)
                and not lib.withdrawn and (municipality is None or lib.municipality == municipality)]

    def by_certificate(self, certificate_id: str) -> Library | None:
        return next((lib for lib in self._sorted() if lib.certificate.certificate_id == certificate_id), None)

    def in_figures(self) -> list[Library]:
        return [lib for lib in self._sorted() if lib.registered and not lib.withdrawn]


class FakeEvidence:
    def __init__(self) -> None:
        self.by_id: dict[str, Projection] = {}

    def get(self, library_id: str) -> Projection:
        return self.by_id.get(library_id) or Projection(library_id)

    def get_many(self, library_ids: list[str]) -> dict[str, Projection]:
        return {lid: self.get(lid) for lid in library_ids}

    def between(self, first: str, last: str) -> dict[str, Projection]:
        return {lid: p for lid, p in sorted(self.by_id.items()) if first <= lid <= last}

    def summaries(self) -> dict[str, LibrarySummary]:
        return {lid: summarize_library(lid, p.items(), status="") for lid, p in self.by_id.items()}

    def save(self, projection: Projection) -> None:
        self.by_id[projection.library_id] = projection


class FakeCohorts:
    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def save_if_newer(self, cohort: Mapping[str, Any]) -> bool:
        stored = self.by_id.get(cohort["cohort_id"])
        if stored is not None and stored.get("version", 0) >= cohort["version"]:
            return False
        self.by_id[cohort["cohort_id"]] = {k: cohort.get(k) for k in ("name", "state", "start_year", "end_year",
                                                                      "version")}
        return True

    def names(self) -> dict[str, str]:
        return {cid: c["name"] for cid, c in self.by_id.items() if c.get("name")}


def fake_repositories(models: Iterable[Model] = (MODEL_V1,)) -> Repositories:
    """Empty in-memory repositories holding the given model versions (MODEL_V1, as migrate seeds it)."""
    return Repositories(FakeModels(models), FakeLibraries(), FakeEvidence(), FakeCohorts())  # type: ignore[arg-type]


class FakeClock:
    """A clock a test sets and moves (the service's clock is injected through bootstrap)."""

    def __init__(self, now: datetime | None = None):
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
