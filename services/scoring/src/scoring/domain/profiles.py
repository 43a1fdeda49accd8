"""Requirement profiles: each library's targets, from the model defaults and assessor adjustments.

Size rule: a library with fewer than 10 staff (`SMALL_LIBRARY_STAFF`) is held to half the default
target, rounded up and at least 1, for every requirement the model marks `scale_by_size`. An
unknown staff count means no scaling. An assessor adjustment always overrides the default; the
latest adjustment (by timestamp, then by order of recording) is the effective target, and every
adjustment is kept as history. An adjustment with target None returns to the default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from scoring.domain.errors import InvalidAdjustment, UnknownRequirement
from scoring.domain.model import Model, Requirement, target_problems

SMALL_LIBRARY_STAFF = 10
SMALL_LIBRARY_FACTOR = 0.5


@dataclass(frozen=True)
class Adjustment:
    requirement_id: str
    target: float | None
    reason: str
    author: str
    at: str  # ISO timestamp (UTC)

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement_id": self.requirement_id,
            "target": self.target,
            "reason": self.reason,
            "author": self.author,
            "at": self.at,
        }


@dataclass(frozen=True)
class Profile:
    """A library's requirement profile: the adjustments agreed with the assessor, in order."""

    library_id: str
    adjustments: tuple[Adjustment, ...] = ()

    def history(self, requirement_id: str) -> list[Adjustment]:
        return [a for a in self.adjustments if a.requirement_id == requirement_id]

    def latest(self, requirement_id: str) -> Adjustment | None:
        history = self.history(requirement_id)
        if not history:
            return None
        # max() keeps the first of equal keys, so index breaks timestamp ties towards the newest.
        return max(enumerate(history), key=lambda pair: (pair[1].at, pair[0]))[1]

    def to_dict(self) -> dict[str, Any]:
        return {"library_id": self.library_id, "adjustments": [a.to_dict() for a in self.adjustments]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        return cls(
            library_id=data["library_id"], adjustments=tuple(Adjustment(**a) for a in data.get("adjustments") or ())
        )


@dataclass(frozen=True)
class Target:
    requirement_id: str
    target: float
    default: float
    source: str  # "default", "scaled" or "adjusted"
    adjustment: Adjustment | None = None


def default_target(requirement: Requirement, staff_count: int | None) -> float:
    """The model default, scaled down for small libraries where the requirement says so."""
    if requirement.scale_by_size and staff_count is not None and staff_count < SMALL_LIBRARY_STAFF:
        return max(1, math.ceil(requirement.target * SMALL_LIBRARY_FACTOR))
    return requirement.target


def target_for(profile: Profile, requirement: Requirement, staff_count: int | None) -> Target:
    """The effective target of one requirement for this library, and where it comes from."""
    default = default_target(requirement, staff_count)
    latest = profile.latest(requirement.id)
    if latest is not None and latest.target is not None:
        return Target(requirement.id, latest.target, default, "adjusted", latest)
    source = "scaled" if default != requirement.target else "default"
    return Target(requirement.id, default, default, source, latest)


def effective_target(profile: Profile, requirement: Requirement, staff_count: int | None) -> float:
    """Latest assessor adjustment, else the (size-scaled) default."""
    return target_for(profile, requirement, staff_count).target


def targets(model: Model, profile: Profile, staff_count: int | None) -> list[Target]:
    """Every requirement's effective target, in model order."""
    return [target_for(profile, r, staff_count) for r in model.requirements]


def adjust(
    profile: Profile,
    model: Model,
    requirement_id: str,
    target: float | None,
    *,
    reason: str,
    author: str,
    at: str,
) -> Profile:
    """Record an assessor's adjustment of one requirement's target (None: back to the default)."""
    requirement = model.requirement(requirement_id)
    if requirement is None:
        raise UnknownRequirement(requirement_id)
    if not reason or not reason.strip():
        raise InvalidAdjustment("En tilpasning skal have en begrundelse", "An adjustment needs a reason")
    if not author or not author.strip():
        raise InvalidAdjustment("En tilpasning skal have en forfatter", "An adjustment needs an author")
    if target is not None:
        problems = target_problems(requirement, target)
        if problems:
            raise InvalidAdjustment(problems[0][0], problems[0][1])
    adjustment = Adjustment(requirement_id, target, reason.strip(), author, at)
    return replace(profile, adjustments=(*profile.adjustments, adjustment))
