"""Model versions: `models` {_id: version, version, status, requirements: [{id, dimension, text_da,
text_en, measure, target, weight, kind, filters, scale_by_size, unit_da, unit_en}], published_at,
published_by, created_by, created_at, based_on, updated_by, updated_at}."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from pymongo import DESCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from scoring.domain import Model, ModelVersionTaken
from scoring.domain.model import PUBLISHED
from shared.uow import duplicate_key_fields

MODELS = "models"


class ModelCache:
    """What one process's repositories remember about model versions: each published version,
    parsed once (a published version never changes), and the published head, which read-only
    views may use for `head_ttl` seconds. A publication made in this process is seen at once
    (reading the head exactly refreshes it); one made by another process within head_ttl."""

    def __init__(self, head_ttl: float = 3.0, monotonic: Callable[[], float] = time.monotonic):
        self.head_ttl = head_ttl
        self._monotonic = monotonic
        self._published: dict[int, Model] = {}
        self._head: tuple[float, Model] | None = None

    def published(self, version: int) -> Model | None:
        """The published version parsed before, if it was."""
        return self._published.get(version)

    def keep(self, doc: Mapping[str, Any]) -> Model:
        """Parse a published version's document and remember it."""
        model = Model.from_dict(doc)
        if len(self._published) > 64:
            self._published.clear()
        self._published[model.version] = model
        return model

    def fresh_head(self) -> Model | None:
        if self._head is not None and self._head[0] > self._monotonic():
            return self._head[1]
        return None

    def saw_head(self, model: Model) -> None:
        if self._head is None or model.version >= self._head[1].version or self._head[0] <= self._monotonic():
            self._head = (self._monotonic() + self.head_ttl, model)


def model_doc(model: Model) -> dict[str, Any]:
    return {"_id": model.version, **model.to_dict()}


class Models:
    """Model versions: drafts are edited and published; the published head scores libraries."""

    def __init__(self, db: Database, session: ClientSession | None, cache: ModelCache):
        self.collection = db[MODELS]
        self.session = session
        self.cache = cache

    def current(self) -> Model | None:
        """The published model with the highest version (read now)."""
        head = self.collection.find_one({"status": PUBLISHED}, {"version": 1}, sort=[("version", DESCENDING)],
                                        session=self.session)
        if head is None:
            return None
        model = self.published(head["version"])
        if model is not None:
            self.cache.saw_head(model)
        return model

    def current_for_reading(self) -> Model | None:
        """The published head as read-only views may use it (up to the cache's head_ttl old)."""
        return self.cache.fresh_head() or self.current()

    def published(self, version: int) -> Model | None:
        """A published version (parsed once per process)."""
        model = self.cache.published(version)
        if model is None:
            doc = self.collection.find_one({"_id": version, "status": PUBLISHED}, session=self.session)
            model = self.cache.keep(doc) if doc is not None else None
        return model

    def get(self, version: int) -> Model | None:
        doc = self.collection.find_one({"_id": version}, session=self.session)
        return Model.from_dict(doc) if doc is not None else None

    def all(self) -> list[Model]:
        return [Model.from_dict(d) for d in self.collection.find({}, sort=[("version", 1)], session=self.session)]

    def latest_version(self) -> int:
        doc = self.collection.find_one({}, {"version": 1}, sort=[("version", DESCENDING)], session=self.session)
        return int(doc["version"]) if doc else 0

    def open_draft(self) -> Model | None:
        doc = self.collection.find_one({"status": "draft"}, sort=[("version", DESCENDING)], session=self.session)
        return Model.from_dict(doc) if doc is not None else None

    def add(self, model: Model) -> None:
        """Store a new version; ModelVersionTaken if its number is taken."""
        try:
            self.collection.insert_one(model_doc(model), session=self.session)
        except DuplicateKeyError as exc:
            if duplicate_key_fields(exc) == ("_id",):
                raise ModelVersionTaken(model.version) from exc
            raise

    def save(self, model: Model) -> None:
        self.collection.replace_one({"_id": model.version}, model_doc(model), session=self.session)
