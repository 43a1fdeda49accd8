"""The certification model as versioned data: requirements, their measures, and validation."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from scoring.domain.errors import InvalidModel, ModelNotEditable
from shared.vocabulary import ACTION_PLAN, DIMENSION_LABELS, DIMENSIONS, EVIDENCE_KINDS

# What a requirement may count: the evidence kinds and the action plan.
KINDS = (*EVIDENCE_KINDS, ACTION_PLAN)

COUNTING_MEASURES = (
    "count",
    "distinct_sdgs",
    "distinct_partners",
    "distinct_age_groups",
    "operations_with_before_after",
)
MEASURES = (*COUNTING_MEASURES, "share_of_staff", "document_approved")

# Filter keys a requirement may use, with the type their value must have.
FILTERS: dict[str, type] = {"dimension": str, "co_created": bool, "within_months": int}

DRAFT, PUBLISHED = "draft", "published"


@dataclass(frozen=True)
class Requirement:
    """One minimum requirement: which items count, how they are measured, and the default target.

    `target` is a whole number for counting measures and a percentage in (0, 100] for
    `share_of_staff` (90 means 90 % of staff, the unit the evidence service uses too). `unit_da`/`unit_en` are (singular, plural) nouns
    used to explain what is missing ("Mangler 2 aktiviteter ..."); optional.
    """

    id: str
    dimension: str
    text_da: str
    text_en: str
    measure: str
    target: float
    weight: float = 1.0
    kind: str | None = None
    filters: Mapping[str, Any] = field(default_factory=dict)
    scale_by_size: bool = False
    unit_da: tuple[str, str] | None = None
    unit_en: tuple[str, str] | None = None

    @cached_property
    def counting_key(self) -> str:
        """What decides this requirement's achieved value besides the items and the day: its kind,
        filters and measure (not its target, weight or texts)."""
        filters = sorted(self.filters.items())
        return json.dumps([self.kind, self.measure, filters], separators=(",", ":"), default=str)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dimension": self.dimension,
            "text_da": self.text_da,
            "text_en": self.text_en,
            "measure": self.measure,
            "target": self.target,
            "weight": self.weight,
            "kind": self.kind,
            "filters": dict(self.filters),
            "scale_by_size": self.scale_by_size,
            "unit_da": list(self.unit_da) if self.unit_da else None,
            "unit_en": list(self.unit_en) if self.unit_en else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Requirement:
        try:
            return cls(
                id=str(data["id"]),
                dimension=str(data["dimension"]),
                text_da=str(data["text_da"]),
                text_en=str(data.get("text_en") or data["text_da"]),
                measure=str(data["measure"]),
                target=data["target"],
                weight=data.get("weight", 1.0),
                kind=data.get("kind"),
                filters=dict(data.get("filters") or {}),
                scale_by_size=bool(data.get("scale_by_size", False)),
                unit_da=_pair(data.get("unit_da")),
                unit_en=_pair(data.get("unit_en")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidModel(
                f"Kravet kan ikke læses: mangler eller ugyldigt felt {exc}",
                f"Requirement cannot be read: missing or invalid field {exc}",
            ) from exc


def _pair(value: Any) -> tuple[str, str] | None:
    if not value:
        return None
    singular, plural = value
    return (str(singular), str(plural))


@dataclass(frozen=True)
class Model:
    """A versioned set of requirements; only a draft may be edited, only a published one scored."""

    version: int
    requirements: tuple[Requirement, ...]
    status: str = DRAFT
    published_at: str | None = None
    published_by: str | None = None
    # Who started the version and from which one, who changed it last (ISO timestamps).
    created_by: str | None = None
    created_at: str | None = None
    based_on: int | None = None
    updated_by: str | None = None
    updated_at: str | None = None

    def requirement(self, requirement_id: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == requirement_id), None)

    def dimensions(self) -> list[str]:
        """Dimensions in the canonical order, restricted to those the model uses."""
        used = {r.dimension for r in self.requirements}
        return [d for d in DIMENSIONS if d in used]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "status": self.status,
            "published_at": self.published_at,
            "published_by": self.published_by,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "based_on": self.based_on,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at,
            "requirements": [r.to_dict() for r in self.requirements],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Model:
        try:
            return cls(
                version=int(data["version"]),
                requirements=tuple(Requirement.from_dict(r) for r in data["requirements"]),
                status=str(data.get("status", DRAFT)),
                published_at=data.get("published_at"),
                published_by=data.get("published_by"),
                created_by=data.get("created_by"),
                created_at=data.get("created_at"),
                based_on=data.get("based_on"),
                updated_by=data.get("updated_by"),
                updated_at=data.get("updated_at"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidModel(f"Modellen kan ikke læses: {exc}", f"Model cannot be read: {exc}") from exc


def model_problems(model: Model) -> list[tuple[str, str]]:
    """List every reason (Danish, English) why the model cannot be scored; empty if it can."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for r in model.requirements:
        if not r.id:
            problems.append(("Et krav mangler id", "A requirement has no id"))
        if r.id in seen:
            problems.append((f"Kravet {r.id} findes to gange", f"Duplicate requirement id {r.id}"))
        seen.add(r.id)
        problems.extend(requirement_problems(r))
    used = {r.dimension for r in model.requirements}
    for dim in DIMENSIONS:
        label_da = DIMENSION_LABELS[dim][0]
        if dim not in used:
            problems.append((f"Dimensionen {label_da} ({dim}) har ingen krav", f"Dimension {dim} has no requirement"))
    if model.status not in (DRAFT, PUBLISHED):
        problems.append((f"Ukendt modelstatus {model.status!r}", f"Unknown model status {model.status!r}"))
    return problems


def requirement_problems(r: Requirement) -> list[tuple[str, str]]:
    """List the reasons (Danish, English) why one requirement cannot be scored."""
    p: list[tuple[str, str]] = []
    if r.dimension not in DIMENSIONS:
        p.append((f"{r.id}: ukendt dimension {r.dimension!r}", f"{r.id}: unknown dimension {r.dimension!r}"))
    if r.measure not in MEASURES:
        p.append((f"{r.id}: ukendt måling {r.measure!r}", f"{r.id}: unknown measure {r.measure!r}"))
    if r.kind is not None and r.kind not in KINDS:
        p.append((f"{r.id}: ukendt type {r.kind!r}", f"{r.id}: unknown evidence kind {r.kind!r}"))
    if not _is_number(r.weight) or r.weight <= 0:
        p.append((f"{r.id}: vægten skal være positiv", f"{r.id}: weight must be positive"))
    p.extend(target_problems(r, r.target))
    if r.scale_by_size and r.measure not in COUNTING_MEASURES:
        p.append(
            (
                f"{r.id}: kun tællende krav kan skaleres efter størrelse",
                f"{r.id}: only counting measures can scale by library size",
            )
        )
    for key, value in r.filters.items():
        expected = FILTERS.get(key)
        if expected is None:
            p.append((f"{r.id}: ukendt filter {key!r}", f"{r.id}: unknown filter {key!r}"))
        elif type(value) is not expected:
            p.append((f"{r.id}: filteret {key} har forkert type", f"{r.id}: filter {key} has the wrong type"))
        elif key == "dimension" and value not in DIMENSIONS:
            p.append(
                (
                    f"{r.id}: filteret bruger ukendt dimension {value!r}",
                    f"{r.id}: filter uses unknown dimension {value!r}",
                )
            )
        elif key == "within_months" and isinstance(value, int) and value <= 0:
            p.append((f"{r.id}: within_months skal være positiv", f"{r.id}: within_months must be positive"))
    return p


def target_problems(r: Requirement, target: Any) -> list[tuple[str, str]]:
    """Check a target against the requirement's measure (used for defaults and adjustments)."""
    if not _is_number(target) or target <= 0:
        return [(f"{r.id}: målet skal være positivt", f"{r.id}: target must be positive")]
    if r.measure == "share_of_staff":
        if target > 100:
            return [
                (
                    f"{r.id}: målet er en procentdel og skal være højst 100",
                    f"{r.id}: target is a percentage and must be at most 100",
                )
            ]
    elif r.measure in MEASURES and float(target) != math.floor(target):
        return [(f"{r.id}: målet skal være et helt tal", f"{r.id}: target must be a whole number")]
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_model(model: Model) -> Model:
    """Refuse a model that cannot be scored, naming every reason; return it unchanged otherwise."""
    problems = model_problems(model)
    if problems:
        raise InvalidModel(
            "Modellen kan ikke bruges: " + "; ".join(da for da, _ in problems),
            "Model cannot be scored: " + "; ".join(en for _, en in problems),
        )
    return model


def new_draft(base: Model, version: int | None = None, *, by: str | None = None, at: str | None = None) -> Model:
    """Start an editable draft from a model (the next version number unless given)."""
    return Model(
        version=version if version is not None else base.version + 1,
        requirements=base.requirements,
        status=DRAFT,
        created_by=by,
        created_at=at,
        based_on=base.version,
    )


def put_requirement(draft: Model, requirement: Requirement) -> Model:
    """Add or replace a requirement in a draft (by id), keeping the order of the others."""
    if draft.status != DRAFT:
        raise ModelNotEditable(
            f"Model version {draft.version} er udgivet og kan ikke ændres",
            f"Model version {draft.version} is published and cannot be changed",
        )
    existing = [r.id for r in draft.requirements]
    if requirement.id in existing:
        reqs = tuple(requirement if r.id == requirement.id else r for r in draft.requirements)
    else:
        reqs = (*draft.requirements, requirement)
    return replace(draft, requirements=reqs)


def remove_requirement(draft: Model, requirement_id: str) -> Model:
    """Drop a requirement from a draft."""
    if draft.status != DRAFT:
        raise ModelNotEditable(
            f"Model version {draft.version} er udgivet og kan ikke ændres",
            f"Model version {draft.version} is published and cannot be changed",
        )
    return replace(draft, requirements=tuple(r for r in draft.requirements if r.id != requirement_id))
