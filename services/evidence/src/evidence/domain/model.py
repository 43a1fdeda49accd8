"""The evidence service's aggregates and the records they hold.

An evidence item, a library's action plan and a shared case are frozen dataclasses: every
transition returns a new one (dataclasses.replace), so a document read once can never be changed
behind a caller's back. Dates a person types (`date`, `end_date`, deadlines) are ISO strings
(`YYYY-MM-DD`, BSON has no date type); moments (`created_at`, `at`) are UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.vocabulary import DRAFT


@dataclass(frozen=True)
class PersonRef:
    """Who acted, as recorded in audit trails, threads and decisions (name replaced on erasure)."""

    person_id: str
    name: str | None
    role: str


@dataclass(frozen=True)
class Contact:
    """Who submitted: the address notification mails (name and e-mail replaced on erasure)."""

    person_id: str
    name: str | None
    email: str | None


@dataclass(frozen=True)
class Partner:
    """A local partner named on an item (an association, a school...)."""

    name: str
    kind: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One write to an item or plan: who, when, which transition, which fields."""

    at: datetime
    action: str
    by: PersonRef
    revision: int
    from_status: str
    to_status: str
    changed: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Message:
    """One message of a clarification thread; the assessor's question carries its deadline."""

    at: datetime
    by: PersonRef
    side: str  # "assessor" or "library"
    text: str
    deadline: str | None = None


@dataclass(frozen=True)
class Decision:
    """An assessor's decision; on an item also the revision the decision produced."""

    decision: str
    comment: str | None
    deadline: str | None
    reviewer: PersonRef
    at: datetime
    revision: int | None = None


@dataclass(frozen=True)
class Attachment:
    """A file attached to an item; the bytes (and an image's thumbnail) are stored elsewhere."""

    item_id: str
    file_id: str
    filename: str
    mime: str
    size: int
    thumbnail_id: str | None = None
    added_at: datetime | None = None
    added_by: PersonRef | None = None


@dataclass(frozen=True)
class CopiedFrom:
    """The shared case an item was copied from."""

    case_id: str
    library_id: str
    library_name: str | None


@dataclass(frozen=True, kw_only=True)
class Content:
    """What an evidence item (and a shared case) says; each field at its empty value by default."""

    kind: str | None = None
    title: str | None = None
    description: str = ""
    dimension: str | None = None
    sdgs: tuple[int, ...] = ()
    targets: tuple[str, ...] = ()
    date: str | None = None
    end_date: str | None = None
    participants: int | None = None
    age_groups: tuple[str, ...] = ()
    partners: tuple[Partner, ...] = ()
    co_created: bool = False
    before: float | None = None
    after: float | None = None
    unit: str | None = None
    staff_share: float | None = None
    links: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Reviewed:
    """What items and plans share: a library's document that is reviewed, revised and audited.

    `revision` is bumped by every write: it is the optimistic-concurrency token every change
    presents and the ordering guard every event carries.
    """

    library_id: str
    library_name: str | None = None
    status: str = DRAFT
    revision: int = 0
    created_at: datetime
    updated_at: datetime
    submitted_by: Contact | None = None
    submitted_at: datetime | None = None
    decision: Decision | None = None
    deadline: str | None = None
    thread: tuple[Message, ...] = ()
    audit: tuple[AuditEntry, ...] = ()


@dataclass(frozen=True, kw_only=True)
class EvidenceItem(Content, Reviewed):
    """An evidence item: an activity, a communication, an operations measure, a training..."""

    item_id: str
    created_by: PersonRef
    public: bool = False
    attachments: tuple[Attachment, ...] = ()
    # Once submitted, consumers have seen the item: later edits and withdrawals are announced.
    ever_submitted: bool = False
    decided_at: datetime | None = None
    shared_case_id: str | None = None
    copied_from: CopiedFrom | None = None

    @property
    def id(self) -> str:
        return self.item_id


@dataclass(frozen=True)
class ItemSummary:
    """The few fields of an item a dashboard lists, and what `actions` needs to judge it."""

    item_id: str
    library_id: str
    title: str | None
    status: str
    kind: str | None
    revision: int
    updated_at: datetime
    ever_submitted: bool = False
    shared_case_id: str | None = None

    @property
    def id(self) -> str:
        return self.item_id


@dataclass(frozen=True)
class Goal:
    """One goal of an action plan, in one dimension, tagged with SDGs and optional targets."""

    dimension: str
    title: str
    description: str = ""
    sdgs: tuple[int, ...] = ()
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanVersion:
    """An approved version of a plan, kept when the next version is drafted."""

    plan_id: str
    library_id: str
    library_name: str | None
    revision: int
    version: int
    status: str
    start_year: int | None
    end_year: int | None
    goals: tuple[Goal, ...]
    submitted_by: Contact | None
    approved_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class ActionPlan(Reviewed):
    """A library's 3-year action plan (handleplan); the approved version stays in force while a
    newer one is drafted."""

    plan_id: str
    version: int = 1
    approved_version: int | None = None
    start_year: int | None = None
    end_year: int | None = None
    goals: tuple[Goal, ...] = ()
    previous_versions: tuple[PlanVersion, ...] = ()

    @property
    def id(self) -> str:
        return self.plan_id


@dataclass(frozen=True, kw_only=True)
class SharedCase(Content):
    """A frozen public copy of an item's content that other libraries can copy (no people)."""

    case_id: str
    source_item_id: str
    source_revision: int
    library_id: str
    library_name: str | None
    shared_at: datetime

    @property
    def id(self) -> str:
        return self.case_id
