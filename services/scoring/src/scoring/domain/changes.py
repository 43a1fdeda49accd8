"""Model changes: what differs between two versions, publishing, and the impact on libraries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from scoring.domain.emit import Emit
from scoring.domain.errors import InvalidModel, ModelNotEditable
from scoring.domain.items import Item
from scoring.domain.model import DRAFT, PUBLISHED, Model, validate_model
from scoring.domain.profiles import Profile
from scoring.domain.progress import score


@dataclass(frozen=True)
class Change:
    """One difference; field "requirement" means the whole requirement was added (old None) or removed."""

    requirement_id: str
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"requirement_id": self.requirement_id, "field": self.field, "old": self.old, "new": self.new}


def diff_models(old: Model, new: Model) -> list[Change]:
    """List requirement-level changes from `old` to `new`, in the new model's order, removals last."""
    old_by_id = {r.id: r.to_dict() for r in old.requirements}
    new_by_id = {r.id: r.to_dict() for r in new.requirements}
    changes: list[Change] = []
    for rid, new_req in new_by_id.items():
        old_req = old_by_id.get(rid)
        if old_req is None:
            changes.append(Change(rid, "requirement", None, new_req))
            continue
        changes.extend(
            Change(rid, key, old_req[key], new_req[key])
            for key in new_req
            if key != "id" and old_req[key] != new_req[key]
        )
    changes.extend(
        Change(rid, "requirement", old_req, None) for rid, old_req in old_by_id.items() if rid not in new_by_id
    )
    return changes


def publish(draft: Model, *, previous: Model | None, published_by: str, now: datetime) -> tuple[Model, Emit]:
    """Validate and publish a draft; the event tells coordinators exactly what changed."""
    if draft.status != DRAFT:
        raise ModelNotEditable(
            f"Model version {draft.version} er allerede udgivet", f"Model version {draft.version} is already published"
        )
    if previous is not None and draft.version <= previous.version:
        raise InvalidModel(
            f"Den nye version ({draft.version}) skal være højere end {previous.version}",
            f"The new version ({draft.version}) must be higher than {previous.version}",
        )
    validate_model(draft)
    published = replace(draft, status=PUBLISHED, published_at=now.isoformat(), published_by=published_by)
    changes = diff_models(previous, published) if previous is not None else []
    return published, Emit(
        "model.published",
        {
            "version": published.version,
            "published_by": published_by,
            "published_at": now.isoformat(),
            "changes": [c.to_dict() for c in changes],
        },
    )


@dataclass(frozen=True)
class LibraryData:
    """What preview needs about one library: its profile, current items and current score status."""

    library_id: str
    profile: Profile
    items: tuple[Item, ...]
    status: str
    staff_count: int | None = None
    name: str | None = None
    overall: float | None = None


@dataclass(frozen=True)
class Impact:
    library_id: str
    name: str | None
    old_status: str
    new_status: str
    old_overall: float | None
    new_overall: float


@dataclass(frozen=True)
class ImpactPreview:
    model_version: int
    changed: tuple[Impact, ...] = ()
    unchanged: int = 0
    missing_by_library: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "changed": [vars(i) for i in self.changed],
            "unchanged": self.unchanged,
        }


def preview(new_model: Model, libraries: Iterable[LibraryData], today: date) -> ImpactPreview:
    """Score every library under a candidate model and list those whose score status would change."""
    validate_model(new_model)
    changed: list[Impact] = []
    unchanged = 0
    missing: dict[str, tuple[str, ...]] = {}
    for lib in libraries:
        s = score(new_model, lib.profile, lib.items, lib.staff_count, today)
        if s.status == lib.status:
            unchanged += 1
            continue
        changed.append(
            Impact(lib.library_id, lib.name, lib.status, s.status, lib.overall, round(s.overall_provisional, 4))
        )
        missing[lib.library_id] = s.missing_da
    return ImpactPreview(new_model.version, tuple(sorted(changed, key=lambda i: i.library_id)), unchanged, missing)
