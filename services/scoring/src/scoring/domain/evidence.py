"""The evidence projection: what scoring knows about one library's items, built from events.

The evidence service (shared.events.evidence) puts the item's full snapshot, with its status, in
every `evidence.*` / `action_plan.*` event and bumps `revision` on every write. A flat payload
(content at the top level, status implied by the event type) is accepted too.

Delivery is at-least-once and unordered, so `apply` is a join of total orders per item:

* status part: the greatest (revision, precedence of status, decided_at) seen wins, so an event
  for a revision lower than the stored one is ignored. Within one revision the precedence is
  draft (0) < submitted (1) < clarification_requested (2) < approved (3) < rejected (4) < withdrawn (5):
  the workflow only moves forward within a revision, at most one decision is taken per revision,
  and a withdrawal beats anything at its revision.
* data part: the content from the greatest (revision, canonical JSON) event carrying content wins.
* approved_at: the latest approval time ever seen (a maximum too).

Maxima are commutative, associative and idempotent: ANY delivery order of the same set of events,
with any duplicates, yields the same projection. An item whose current revision's content has not
arrived yet (a flat review overtook its revision) is not scored until it does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from scoring.domain.errors import InvalidEvidenceEvent
from scoring.domain.items import Item, iso, make_item, normalise_item_data
from shared.vocabulary import ACTION_PLAN, APPROVED, CLARIFICATION_REQUESTED, DRAFT, REJECTED, SUBMITTED, WITHDRAWN

PRECEDENCE = {DRAFT: 0, SUBMITTED: 1, CLARIFICATION_REQUESTED: 2, APPROVED: 3, REJECTED: 4, WITHDRAWN: 5}
PROVISIONAL_STATUSES = frozenset({SUBMITTED, CLARIFICATION_REQUESTED, APPROVED})
VERIFIED_STATUSES = frozenset({APPROVED})

# Status implied by the event type when the payload has no snapshot.
IMPLIED_STATUS = {
    "evidence.submitted": "submitted",
    "evidence.revised": "submitted",
    "evidence.clarification_answered": "submitted",
    "evidence.withdrawn": "withdrawn",
    "evidence.clarification_requested": "clarification_requested",
    "action_plan.submitted": "submitted",
    "action_plan.approved": "approved",
    "action_plan.clarification_requested": "clarification_requested",
}
FLAT_DATA_EVENTS = {"evidence.submitted", "evidence.revised", "action_plan.submitted"}
EVENT_TYPES = {*IMPLIED_STATUS, "evidence.reviewed", "case.shared"}


@dataclass(frozen=True)
class Entry:
    """One item's place in the projection: its status part and its data part (see module doc)."""

    revision: int
    status: str
    decided_at: str | None = None
    data_revision: int = 0
    data: Mapping[str, Any] | None = None
    approved_at: str | None = None

    def status_key(self) -> tuple[int, int, str]:
        return (self.revision, PRECEDENCE[self.status], self.decided_at or "")

    def data_key(self) -> tuple[int, str]:
        return (self.data_revision, _canonical(self.data))


@dataclass(frozen=True)
class Projection:
    library_id: str
    entries: Mapping[str, Entry] = field(default_factory=dict)

    def items(self) -> list[Item]:
        """The items whose current revision's content is known, in id order.

        An action plan that was approved once keeps counting as approved while its next version
        is being edited or reviewed: the library still has an adopted plan.
        """
        entries = self.entries
        out = []
        for item_id in sorted(entries):
            e = entries[item_id]
            item = _item(item_id, e.revision, e.status, e.decided_at, e.data_revision, e.data, e.approved_at)
            if item is not None:
                out.append(item)
        return out

    def latest_plan_approval(self) -> str | None:
        """When an action plan was last approved (ISO), for renewal; None if never."""
        times = [
            e.approved_at
            for e in self.entries.values()
            if e.approved_at and e.data is not None and e.data.get("kind") == ACTION_PLAN
        ]
        return max(times, default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "library_id": self.library_id,
            "entries": {
                k: {
                    "revision": e.revision,
                    "status": e.status,
                    "decided_at": e.decided_at,
                    "data_revision": e.data_revision,
                    "data": dict(e.data) if e.data is not None else None,
                    "approved_at": e.approved_at,
                }
                for k, e in self.entries.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Projection:
        return cls(
            library_id=data["library_id"],
            entries={k: Entry(**v) for k, v in (data.get("entries") or {}).items()},
        )


def _item(item_id: str, revision: int, status: str, decided_at: str | None, data_revision: int,
          data: Mapping[str, Any] | None, approved_at: str | None) -> Item | None:
    if data is None or data_revision != revision:
        return None
    get = data.get
    kind = data["kind"]
    if kind == ACTION_PLAN and approved_at is not None and status != "withdrawn":
        status = "approved"
    # Positional, in Item's field order; a field left out of the data reads as the Item default.
    return make_item(
        item_id, kind, revision, status, get("dimension"), tuple(get("sdgs") or ()), get("date"),
        get("participants", 0), tuple(get("age_groups") or ()), tuple(get("partners") or ()),
        bool(get("co_created")), get("before"), get("after"), get("staff_share"), get("title", ""), decided_at,
    )


def empty_projection(library_id: str) -> Projection:
    return Projection(library_id=library_id)


def apply(projection: Projection, event: Any) -> Projection:
    """Fold one evidence, action-plan or shared-case event into the projection.

    `event` is the shared Event (attributes `type`, `payload`, `occurred_at`) or a mapping with
    the same keys. Event types scoring does not use change nothing.
    """
    type_, payload, occurred_at = _unpack(event)
    if type_ not in EVENT_TYPES:
        return projection
    library_id = payload.get("library_id")
    if library_id is not None and library_id != projection.library_id:
        raise InvalidEvidenceEvent(
            f"Hændelsen tilhører bibliotek {library_id}, ikke {projection.library_id}",
            f"Event belongs to library {library_id}, not {projection.library_id}",
        )
    item_id, candidate = _candidate(type_, payload, occurred_at)
    current = projection.entries.get(item_id)
    merged = candidate if current is None else _join(current, candidate)
    if merged == current:
        return projection
    return replace(projection, entries={**projection.entries, item_id: merged})


def _candidate(type_: str, payload: Mapping[str, Any], occurred_at: Any) -> tuple[str, Entry]:
    if type_ == "case.shared":
        # A published case is its own, public record of knowledge shared with other libraries
        # (requirement D4); there is nothing for an assessor to approve, so it counts as verified.
        case_id = payload.get("case_id")
        if not case_id:
            raise InvalidEvidenceEvent("Delt case mangler id", "case.shared has no case_id")
        case_data = normalise_item_data(
            {"dimension": payload.get("dimension"), "sdgs": payload.get("sdgs"), "title": payload.get("title")},
            kind="shared_case",
        )
        at = iso(occurred_at)
        return f"case:{case_id}", Entry(1, "approved", at, 1, case_data, at)

    is_plan = type_.startswith("action_plan.")
    snapshot = payload.get("plan" if is_plan else "item")
    snapshot = snapshot if isinstance(snapshot, Mapping) else None
    ids = ("plan_id", "action_plan_id", "id") if is_plan else ("item_id", "evidence_id", "id")
    item_id = _first(payload, ids) or (_first(snapshot, ids) if snapshot else None)
    if not item_id:
        raise InvalidEvidenceEvent("Hændelsen mangler et id", f"{type_} has no item id")
    revision = payload.get("revision", snapshot.get("revision") if snapshot else None)
    if revision is None and type_ in ("evidence.submitted", "action_plan.submitted"):
        revision = 1
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        raise InvalidEvidenceEvent(
            f"Hændelsen for {item_id} mangler et gyldigt revisionsnummer",
            f"{type_} for {item_id} has no valid revision number",
        )

    # The snapshot's status is authoritative; then a status repeated at the top; then the type.
    status = (
        (snapshot or {}).get("status")
        or payload.get("status")
        or (payload.get("decision", "") if type_ == "evidence.reviewed" else IMPLIED_STATUS[type_])
    )
    if status not in PRECEDENCE:
        raise InvalidEvidenceEvent(f"Ukendt status {status!r}", f"Unknown status or decision {status!r}")

    kind = ACTION_PLAN if is_plan else None
    if snapshot is not None:
        data: dict[str, Any] | None = normalise_item_data(snapshot, kind)
    elif type_ in FLAT_DATA_EVENTS:
        data = normalise_item_data(payload, kind)
    else:
        data = None
    decided_at = (
        _decided_at(payload, occurred_at) if PRECEDENCE[status] >= PRECEDENCE["clarification_requested"] else None
    )
    return item_id, Entry(
        revision=revision,
        status=status,
        decided_at=decided_at,
        data_revision=revision if data is not None else 0,
        data=data,
        approved_at=(decided_at or "") if status == "approved" else None,
    )


def _join(a: Entry, b: Entry) -> Entry:
    s = a if a.status_key() >= b.status_key() else b
    d = a if a.data_key() >= b.data_key() else b
    approvals = [t for t in (a.approved_at, b.approved_at) if t is not None]
    return Entry(
        revision=s.revision,
        status=s.status,
        decided_at=s.decided_at,
        data_revision=d.data_revision,
        data=d.data,
        approved_at=max(approvals, default=None),
    )


def _decided_at(payload: Mapping[str, Any], occurred_at: Any) -> str | None:
    value = (
        payload.get("decided_at")
        or payload.get("reviewed_at")
        or payload.get("approved_at")
        or payload.get("withdrawn_at")
        or occurred_at
    )
    return iso(value)


def _first(payload: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for k in keys:
        if payload.get(k):
            return str(payload[k])
    return None


def _unpack(event: Any) -> tuple[str, Mapping[str, Any], Any]:
    if isinstance(event, Mapping):
        return event.get("type", ""), event.get("payload") or {}, event.get("occurred_at")
    return event.type, event.payload, getattr(event, "occurred_at", None)


def _canonical(data: Mapping[str, Any] | None) -> str:
    return "" if data is None else json.dumps(data, sort_keys=True, default=str)
