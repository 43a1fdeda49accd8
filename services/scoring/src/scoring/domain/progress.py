"""Scoring: a library's progress against its own requirement profile.

Provisional progress counts items that are submitted, awaiting clarification or approved: a
request for clarification is an open question, not a refusal, so the item keeps counting
provisionally until it is rejected or withdrawn. Verified progress counts approved items only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from scoring.domain.evidence import PROVISIONAL_STATUSES, VERIFIED_STATUSES
from scoring.domain.items import Item
from scoring.domain.measures import MEASURE_FUNCTIONS, matcher
from scoring.domain.model import COUNTING_MEASURES, Model, Requirement
from scoring.domain.profiles import Profile, effective_target
from shared.vocabulary import IN_PROGRESS, NOT_STARTED, READY_FOR_REVIEW

assert VERIFIED_STATUSES <= PROVISIONAL_STATUSES, "score() filters verified items from the provisional ones"


@dataclass(frozen=True)
class RequirementScore:
    id: str
    dimension: str
    text_da: str
    text_en: str
    # How the requirement counts (Requirement.counting_key): the score keeps the counts by it.
    counting_key: str
    achieved: float
    verified_achieved: float
    target: float
    progress: float
    verified_progress: float


@dataclass(frozen=True)
class Score:
    library_id: str
    model_version: int
    status: str
    overall_provisional: float
    overall_verified: float
    dimensions: dict[str, tuple[float, float]]  # dimension -> (provisional, verified)
    requirements: tuple[RequirementScore, ...]
    sdgs_provisional: tuple[int, ...]
    sdgs_verified: tuple[int, ...]
    missing_da: tuple[str, ...]
    missing_en: tuple[str, ...]

    @property
    def ready_for_review(self) -> bool:
        return bool(self.status == READY_FOR_REVIEW)

    @property
    def verified_complete(self) -> bool:
        """Every requirement is met by approved evidence alone."""
        return all(r.verified_progress >= 1 for r in self.requirements)

    def counts(self, on: date, has_provisional: bool) -> Counts:
        """The counts this score was computed from (it keeps them per requirement)."""
        return Counts(
            on=on,
            achieved={r.counting_key: (r.achieved, r.verified_achieved) for r in self.requirements},
            sdgs_provisional=self.sdgs_provisional,
            sdgs_verified=self.sdgs_verified,
            has_provisional=has_provisional,
        )

    def to_dict(self, language: str = "da") -> dict[str, Any]:
        """The public API shape; `missing` in Danish unless language is "en"."""
        return {
            "status": self.status,
            "overall": {"provisional": _r(self.overall_provisional), "verified": _r(self.overall_verified)},
            "dimensions": {d: {"provisional": _r(p), "verified": _r(v)} for d, (p, v) in self.dimensions.items()},
            "requirements": [
                {
                    "id": r.id,
                    "dimension": r.dimension,
                    "text_da": r.text_da,
                    "achieved": _r(r.achieved),
                    "target": r.target,
                    "progress": _r(r.progress),
                    "verified_progress": _r(r.verified_progress),
                }
                for r in self.requirements
            ],
            "sdgs": {"provisional": list(self.sdgs_provisional), "verified": list(self.sdgs_verified)},
            "missing": list(self.missing_en if language == "en" else self.missing_da),
        }

    def changed_payload(self) -> dict[str, Any]:
        """Payload of the `score.changed` event."""
        d = self.to_dict()
        return {
            "library_id": self.library_id,
            "model_version": self.model_version,
            "provisional": d["overall"]["provisional"],
            "verified": d["overall"]["verified"],
            "dimensions": d["dimensions"],
            "requirements": d["requirements"],
            "sdgs": d["sdgs"]["provisional"],
            "verified_sdgs": d["sdgs"]["verified"],
            "missing": d["missing"],
            "status": self.status,
        }


def _r(x: float) -> float:
    # Counts stay integers in JSON; shares and progress are rounded for display stability.
    return round(x, 4) if isinstance(x, float) else x


@dataclass(frozen=True)
class Counts:
    """What a library's items achieve, counted on one day for each way of counting: the part of
    a score that depends on the evidence. Targets, weights and texts are applied by `score_counts`,
    so a model version that changes only those re-scores a library without its evidence."""

    on: date
    achieved: Mapping[str, tuple[float, float]]  # counting key -> (provisional, verified)
    sdgs_provisional: tuple[int, ...]
    sdgs_verified: tuple[int, ...]
    has_provisional: bool

    def covers(self, model: Model, today: date) -> bool:
        """Whether these counts score `model` on `today` exactly as counting the items would."""
        return self.on == today and all(r.counting_key in self.achieved for r in model.requirements)

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "achieved": {k: [p, v] for k, (p, v) in self.achieved.items()},
            "sdgs": [list(self.sdgs_provisional), list(self.sdgs_verified)],
            "has_provisional": self.has_provisional,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Counts:
        return cls(
            on=date.fromisoformat(data["on"]),
            achieved={k: (p, v) for k, (p, v) in data["achieved"].items()},
            sdgs_provisional=tuple(data["sdgs"][0]),
            sdgs_verified=tuple(data["sdgs"][1]),
            has_provisional=bool(data["has_provisional"]),
        )


def count_items(model: Model, items: Iterable[Item], today: date) -> Counts:
    """Count a library's items for every way of counting the model uses, provisional and verified."""
    items = list(items)
    provisional = [i for i in items if i.status in PROVISIONAL_STATUSES]
    verified = [i for i in items if i.status in VERIFIED_STATUSES]
    # Items grouped by kind (in order), so a requirement of one kind looks at that kind only.
    by_kind: dict[str, list[Item]] = {}
    for i in provisional:
        by_kind.setdefault(i.kind, []).append(i)
    achieved: dict[str, tuple[float, float]] = {}
    for r in model.requirements:
        key = r.counting_key
        if key in achieved:
            continue
        measure_fn = MEASURE_FUNCTIONS[r.measure]
        match = matcher(r, today)
        # Verified statuses are a subset of the provisional ones (asserted above), so the verified
        # items that match are the matching provisional items that are verified, in the same order.
        matched = [i for i in (provisional if r.kind is None else by_kind.get(r.kind, ())) if match(i)]
        achieved[key] = (measure_fn(matched), measure_fn([i for i in matched if i.status in VERIFIED_STATUSES]))
    return Counts(
        on=today,
        achieved=achieved,
        sdgs_provisional=tuple(sorted({s for i in provisional for s in i.sdgs})),
        sdgs_verified=tuple(sorted({s for i in verified for s in i.sdgs})),
        has_provisional=bool(provisional),
    )


def score(model: Model, profile: Profile, items: Iterable[Item], staff_count: int | None, today: date) -> Score:
    """Score a library's items against the model and its profile, provisional and verified."""
    return score_counts(model, profile, count_items(model, items, today), staff_count)


def score_counts(model: Model, profile: Profile, counts: Counts, staff_count: int | None) -> Score:
    """Score a library from its counts (which must cover the model) against the model and its profile."""
    targets = {r.id: effective_target(profile, r, staff_count) for r in model.requirements}
    return restored_score(model, profile.library_id, targets, counts)


def restored_score(model: Model, library_id: str, targets: Mapping[str, float], counts: Counts) -> Score:
    """The score of a library's counts under `model` with these effective targets (by requirement
    id): what score_counts gives, rebuilt from what a stored score keeps."""
    reqs: list[RequirementScore] = []
    missing_da: list[str] = []
    missing_en: list[str] = []
    for r in model.requirements:
        target = targets[r.id]
        got, got_verified = counts.achieved[r.counting_key]
        reqs.append(
            RequirementScore(
                id=r.id,
                dimension=r.dimension,
                text_da=r.text_da,
                text_en=r.text_en,
                counting_key=r.counting_key,
                achieved=got,
                verified_achieved=got_verified,
                target=target,
                progress=min(1.0, got / target),
                verified_progress=min(1.0, got_verified / target),
            )
        )
        if got < target:
            da, en = missing_lines(r, got, target)
            missing_da.append(da)
            missing_en.append(en)

    dimensions: dict[str, tuple[float, float]] = {}
    for dim in model.dimensions():
        in_dim = [(r, s) for r, s in zip(model.requirements, reqs, strict=True) if r.dimension == dim]
        weight = sum(r.weight for r, _ in in_dim)
        dimensions[dim] = (
            sum(r.weight * s.progress for r, s in in_dim) / weight,
            sum(r.weight * s.verified_progress for r, s in in_dim) / weight,
        )
    n = len(dimensions) or 1
    overall_p = sum(p for p, _ in dimensions.values()) / n
    overall_v = sum(v for _, v in dimensions.values()) / n

    if reqs and all(s.progress >= 1 for s in reqs):
        status = READY_FOR_REVIEW
    elif counts.has_provisional:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    return Score(
        library_id=library_id,
        model_version=model.version,
        status=status,
        overall_provisional=overall_p,
        overall_verified=overall_v,
        dimensions=dimensions,
        requirements=tuple(reqs),
        sdgs_provisional=counts.sdgs_provisional,
        sdgs_verified=counts.sdgs_verified,
        missing_da=tuple(missing_da),
        missing_en=tuple(missing_en),
    )


def missing_lines(r: Requirement, achieved: float, target: float) -> tuple[str, str]:
    """Plain-language (Danish, English) explanation of what a requirement still lacks."""
    if r.measure == "share_of_staff":
        have, need = _pct(achieved), _pct(target)
        if r.unit_da and r.unit_en:
            return (
                f"{have} % af personalet {r.unit_da[0]}; kravet er {need} %",
                f"{have} % of staff {r.unit_en[0]}; the requirement is {need} %",
            )
        return (
            f"{have} % af personalet opfylder »{r.text_da}«; kravet er {need} %",
            f"{have} % of staff meet “{r.text_en}”; the requirement is {need} %",
        )
    if r.measure == "document_approved":
        if r.unit_da and r.unit_en:
            return f"Mangler {r.unit_da[0]}", f"Missing: {r.unit_en[0]}"
        return f"Mangler: {r.text_da}", f"Missing: {r.text_en}"
    n = math.ceil(target - achieved) if r.measure in COUNTING_MEASURES else target - achieved
    if r.unit_da and r.unit_en:
        return (
            f"Mangler {n} {r.unit_da[0] if n == 1 else r.unit_da[1]}",
            f"{n} more {r.unit_en[0] if n == 1 else r.unit_en[1]} needed",
        )
    return (f"Mangler {n} for at opfylde »{r.text_da}«", f"{n} more needed for “{r.text_en}”")


def _pct(percent: float) -> int:
    # Floor, so 89.6 % is never shown as meeting a 90 % requirement.
    return math.floor(percent + 1e-9)
