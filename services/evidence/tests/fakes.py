"""In-memory twins of the evidence store (evidence.store): the same repositories with the same
methods, orders, conditional writes and duplicate refusals, so handlers can be tested through
chora_testing's FakeUnitOfWork with no server. tests/integration/test_evidence_repositories.py
runs one set of contract tests against these and against SecantusDB, so they cannot drift."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from itertools import count
from typing import IO, Any

from pymongo.errors import DuplicateKeyError

from evidence.domain import (
    ActionPlan,
    Conflict,
    Contact,
    EvidenceItem,
    ItemSummary,
    PersonRef,
    SharedCase,
    stale_revision,
)
from evidence.store.repositories import already_shared


def _matches(q: str | None, texts: Iterable[str | None]) -> bool:
    if not q or not q.strip():
        return True
    needle = q.strip().casefold()
    return any(needle in (t or "").casefold() for t in texts)


def _names_person(node: Any, person_id: str) -> bool:
    if isinstance(node, (PersonRef, Contact)):
        return node.person_id == person_id
    if isinstance(node, tuple):
        return any(_names_person(v, person_id) for v in node)
    if is_dataclass(node) and not isinstance(node, type):
        return any(_names_person(getattr(node, f.name), person_id) for f in fields(node))
    return False


def _newest_first(items: list[Any], key: str, id_key: str) -> list[Any]:
    by_id = sorted(items, key=lambda i: getattr(i, id_key))
    return sorted(by_id, key=lambda i: getattr(i, key), reverse=True)


@dataclass
class Items:
    stored: dict[str, EvidenceItem] = field(default_factory=dict)

    def get(self, item_id: str) -> EvidenceItem | None:
        return self.stored.get(item_id)

    def add(self, item: EvidenceItem) -> None:
        if item.item_id in self.stored:
            raise DuplicateKeyError("duplicate _id", 11000, {"keyPattern": {"_id": 1}})
        self.stored[item.item_id] = item

    def save(self, item: EvidenceItem, based_on: int) -> None:
        current = self.stored.get(item.item_id)
        if current is None or current.revision != based_on:
            raise stale_revision(based_on)
        self.stored[item.item_id] = item

    def remove(self, item_id: str, based_on: int) -> None:
        current = self.stored.get(item_id)
        if current is None or current.revision != based_on:
            raise stale_revision(based_on)
        del self.stored[item_id]

    def _query(self, library_id: str, status: str | None, kind: str | None, dimension: str | None,
               q: str | None) -> list[EvidenceItem]:
        return [i for i in self.stored.values() if i.library_id == library_id
                and (not status or i.status == status) and (not kind or i.kind == kind)
                and (not dimension or i.dimension == dimension)
                and _matches(q, (i.title, i.description, *(p.name for p in i.partners)))]

    def _page(self, found: list[EvidenceItem], page: int, per_page: int) -> tuple[list[EvidenceItem], bool]:
        ordered = _newest_first(found, "updated_at", "item_id")
        shown = ordered[(page - 1) * per_page:page * per_page]
        return shown, len(shown) < per_page and (bool(shown) or page == 1)

    def page(self, library_id: str, *, status: str | None = None, kind: str | None = None,
             dimension: str | None = None, q: str | None = None, page: int = 1,
             per_page: int = 20) -> tuple[list[EvidenceItem], int]:
        found = self._query(library_id, status, kind, dimension, q)
        shown, _ = self._page(found, page, per_page)
        return [replace(i, audit=()) for i in shown], len(found)

    def summaries(self, library_id: str, *, status: str | None = None, kind: str | None = None,
                  dimension: str | None = None, q: str | None = None, page: int = 1,
                  per_page: int = 20) -> tuple[list[ItemSummary], int | None]:
        shown, last = self._page(self._query(library_id, status, kind, dimension, q), page, per_page)
        summaries = [ItemSummary(i.item_id, i.library_id, i.title, i.status, i.kind, i.revision, i.updated_at,
                                 i.ever_submitted, i.shared_case_id) for i in shown]
        return summaries, (page - 1) * per_page + len(shown) if last else None

    def of_library(self, library_id: str) -> list[EvidenceItem]:
        return sorted((i for i in self.stored.values() if i.library_id == library_id), key=lambda i: i.created_at)

    def submitted(self, *, page: int = 1, per_page: int = 50) -> tuple[list[EvidenceItem], int]:
        found = sorted((i for i in self.stored.values() if i.status == "submitted"),
                       key=lambda i: (i.submitted_at, i.item_id))
        return found[(page - 1) * per_page:page * per_page], len(found)

    def public(self, library_id: str) -> list[EvidenceItem]:
        found = [i for i in self.stored.values() if i.library_id == library_id and i.public and i.status == "approved"]
        by_id = sorted(found, key=lambda i: i.item_id)
        return sorted(by_id, key=lambda i: (i.date is not None, i.date or ""), reverse=True)

    def naming(self, person_id: str) -> list[EvidenceItem]:
        return [i for i in self.stored.values() if _names_person(i, person_id)]


@dataclass
class Plans:
    stored: dict[str, ActionPlan] = field(default_factory=dict)

    def get(self, library_id: str) -> ActionPlan | None:
        return next((p for p in self.stored.values() if p.library_id == library_id), None)

    def add(self, plan: ActionPlan) -> None:
        if self.get(plan.library_id) is not None:
            raise stale_revision(0)
        if plan.plan_id in self.stored:
            raise DuplicateKeyError("duplicate _id", 11000, {"keyPattern": {"_id": 1}})
        self.stored[plan.plan_id] = plan

    def save(self, plan: ActionPlan, based_on: int) -> None:
        current = self.stored.get(plan.plan_id)
        if current is None or current.revision != based_on:
            raise stale_revision(based_on)
        self.stored[plan.plan_id] = plan

    def submitted(self) -> list[ActionPlan]:
        return sorted((p for p in self.stored.values() if p.status == "submitted"), key=lambda p: p.submitted_at)

    def naming(self, person_id: str) -> list[ActionPlan]:
        return [p for p in self.stored.values() if _names_person(p, person_id)]


@dataclass
class Cases:
    stored: dict[str, SharedCase] = field(default_factory=dict)

    def get(self, case_id: str) -> SharedCase | None:
        return self.stored.get(case_id)

    def add(self, case: SharedCase) -> None:
        if any(c.source_item_id == case.source_item_id for c in self.stored.values()):
            raise already_shared()
        if case.case_id in self.stored:
            raise DuplicateKeyError("duplicate _id", 11000, {"keyPattern": {"_id": 1}})
        self.stored[case.case_id] = case

    def search(self, *, q: str | None = None, sdg: int | None = None, dimension: str | None = None,
               page: int = 1, per_page: int = 20) -> tuple[list[SharedCase], int]:
        found = [c for c in self.stored.values()
                 if _matches(q, (c.title, c.description, c.library_name, *(p.name for p in c.partners)))
                 and (not sdg or sdg in c.sdgs) and (not dimension or c.dimension == dimension)]
        ordered = _newest_first(found, "shared_at", "case_id")
        return ordered[(page - 1) * per_page:page * per_page], len(found)


@dataclass
class Libraries:
    names: dict[str, tuple[str, int]] = field(default_factory=dict)

    def name_of(self, library_id: str | None) -> str | None:
        return self.names[library_id][0] if library_id in self.names else None

    def record(self, library_id: str, name: str, version: int) -> bool:
        if library_id in self.names and self.names[library_id][1] >= version:
            return False
        self.names[library_id] = (name, version)
        return True


@dataclass
class FakeRepositories:
    """The in-memory Repositories (evidence.store.Repositories' twin)."""

    items: Items = field(default_factory=Items)
    plans: Plans = field(default_factory=Plans)
    cases: Cases = field(default_factory=Cases)
    libraries: Libraries = field(default_factory=Libraries)


class StoredBytes(io.BytesIO):
    """A stored file being read, as GridFS gives it."""

    @property
    def length(self) -> int:
        return len(self.getvalue())

    def readchunk(self) -> bytes:
        return self.read(256 * 1024)


class MemoryFiles:
    """The attachment bytes in memory (evidence.store.GridFiles' twin)."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, dict[str, Any]]] = {}
        self._ids = count(1)

    def put(self, source: IO[bytes], *, filename: str, mime: str, metadata: Mapping[str, Any]) -> str:
        file_id = f"{next(self._ids):024x}"
        self.files[file_id] = (source.read(), {**metadata, "mime": mime, "filename": filename})
        return file_id

    def open(self, file_id: str) -> StoredBytes | None:
        stored = self.files.get(file_id)
        return StoredBytes(stored[0]) if stored else None

    def delete(self, file_id: str | None) -> None:
        if file_id:
            self.files.pop(file_id, None)


__all__ = ["Conflict", "FakeRepositories", "MemoryFiles"]
