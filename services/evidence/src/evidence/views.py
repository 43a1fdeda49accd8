"""Read-only queries of the evidence service (cosmicpython's views): each takes its query, the
actor asking and the unit of work, and returns plain data for the answer schemas, every resource
with the actions that actor may take on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from evidence import domain as d
from evidence.domain import Seen

if TYPE_CHECKING:
    from evidence.store import FileStore, Repositories, StoredFile
    from shared.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and its total (None where a summary list does not count)."""

    items: list[T]
    total: int | None
    page: int
    per_page: int
    summary: bool = False


@dataclass(frozen=True)
class ReviewQueue:
    """Submitted items, oldest submission first, and every submitted action plan."""

    items: list[Seen[d.EvidenceItem]]
    total: int
    page: int
    per_page: int
    plans: list[Seen[d.ActionPlan]]


@dataclass(frozen=True)
class Export:
    """Everything of a library scoring's rebuild reads: its items (drafts too) and its plan."""

    library_id: str
    library_name: str | None
    exported_at: datetime
    items: list[d.EvidenceItem]
    action_plan: d.ActionPlan | None
    format_version: int = 1


@dataclass(frozen=True)
class PublicActivities:
    library_id: str
    library_name: str | None
    items: list[d.EvidenceItem]


def seen_item(item: d.EvidenceItem, actor: d.Actor, /, **also: Any) -> Seen[d.EvidenceItem]:
    return Seen(item, d.item_actions(item, actor), also)


def seen_plan(plan: d.ActionPlan, actor: d.Actor, /, **also: Any) -> Seen[d.ActionPlan]:
    return Seen(plan, d.plan_actions(plan, actor), also)


def seen_case(case: d.SharedCase, actor: d.Actor, /, **also: Any) -> Seen[d.SharedCase]:
    return Seen(case, d.case_actions(case, actor), also)


def item(item_id: str, actor: d.Actor, uow: UnitOfWork[Repositories]) -> Seen[d.EvidenceItem]:
    """An item the actor may see (else NotFound, as for a missing one)."""
    return seen_item(d.visible_item(uow.repos.items.get(item_id), actor), actor)


def items(library_id: str, actor: d.Actor, uow: UnitOfWork[Repositories], *, page: int, per_page: int,
          summary: bool, **filters: Any) -> Page[Seen[Any]]:
    """A library's items, newest change first; summary: a few fields each, no count of a later page."""
    d.require_library_visible(actor, library_id)
    if summary:
        found, total = uow.repos.items.summaries(library_id, page=page, per_page=per_page, **filters)
        return Page([Seen(s, d.item_actions(s, actor)) for s in found], total, page, per_page, summary=True)
    full, count = uow.repos.items.page(library_id, page=page, per_page=per_page, **filters)
    return Page([seen_item(i, actor) for i in full], count, page, per_page)


def attachable_item(item_id: str, actor: d.Actor, uow: UnitOfWork[Repositories]) -> d.EvidenceItem:
    """The item a file is about to be uploaded to, refused now if no file could be attached."""
    found = d.visible_item(uow.repos.items.get(item_id), actor)
    d.check_attachable(found, actor)
    return found


def download(item_id: str, file_id: str, actor: d.Actor, uow: UnitOfWork[Repositories], files: FileStore, *,
             thumbnail: bool = False) -> tuple[d.Attachment, StoredFile]:
    """An attachment of an item the actor may see, and its bytes (or its thumbnail's)."""
    record = d.find_attachment(d.visible_item(uow.repos.items.get(item_id), actor), file_id)
    stored_id = record.thumbnail_id if thumbnail else record.file_id
    stream = files.open(stored_id) if stored_id else None
    if stream is None:
        raise d.NotFound("attachment_not_found", "Filen findes ikke.", "The file does not exist.", field="file_id")
    return record, stream


def plan(library_id: str, actor: d.Actor, uow: UnitOfWork[Repositories]) -> Seen[d.ActionPlan]:
    """The library's action plan (NotFound if there is none yet)."""
    return seen_plan(d.visible_plan(uow.repos.plans.get(library_id), actor, library_id), actor)


def case(case_id: str, actor: d.Actor, uow: UnitOfWork[Repositories]) -> Seen[d.SharedCase]:
    return seen_case(d.existing_case(uow.repos.cases.get(case_id)), actor)


def cases(actor: d.Actor, uow: UnitOfWork[Repositories], *, page: int, per_page: int,
          **query: Any) -> Page[Seen[d.SharedCase]]:
    """Shared cases matching the query, newest first (any signed-in person may search them)."""
    found, total = uow.repos.cases.search(page=page, per_page=per_page, **query)
    return Page([seen_case(c, actor) for c in found], total, page, per_page)


def review_queue(actor: d.Actor, uow: UnitOfWork[Repositories], *, page: int, per_page: int) -> ReviewQueue:
    """What awaits an assessor: submitted items (oldest submission first) and submitted plans."""
    d.require_programme_staff(actor, "ser køen", "see the review queue")
    found, total = uow.repos.items.submitted(page=page, per_page=per_page)
    return ReviewQueue([seen_item(i, actor) for i in found], total, page, per_page,
                       [seen_plan(p, actor) for p in uow.repos.plans.submitted()])


def export(library_id: str, actor: d.Actor, uow: UnitOfWork[Repositories], clock: Callable[[], datetime]) -> Export:
    """Every item of the library (drafts included, in export order) and its action plan."""
    d.require_library_visible(actor, library_id)
    repos = uow.repos
    return Export(library_id, repos.libraries.name_of(library_id), clock(),
                  d.in_export_order(repos.items.of_library(library_id)), repos.plans.get(library_id))


def public_activities(library_id: str, uow: UnitOfWork[Repositories]) -> PublicActivities:
    """A library's approved items it chose to show publicly (content only, no people)."""
    repos = uow.repos
    return PublicActivities(library_id, repos.libraries.name_of(library_id), repos.items.public(library_id))
