"""Items as scoring sees them, and the normalisation of event content into items.

Units: `staff_share` is a percentage 0..100 (the evidence service's unit); dates are ISO dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from scoring.domain.errors import InvalidEvidenceEvent
from shared.vocabulary import AGE_GROUPS


@dataclass(frozen=True)
class Item:
    """An evidence item or action plan at its current revision, as scoring sees it.

    `staff_share` is a percentage 0..100; `date` an ISO date (YYYY-MM-DD).
    """

    id: str
    kind: str
    revision: int = 1
    status: str = "submitted"
    dimension: str | None = None
    sdgs: tuple[int, ...] = ()
    date: str | None = None
    participants: int = 0
    age_groups: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    co_created: bool = False
    before: float | None = None
    after: float | None = None
    staff_share: float | None = None
    title: str = ""
    decided_at: str | None = None


_ITEM_FIELDS = tuple(f.name for f in fields(Item))


def make_item(*values: Any) -> Item:
    """Item(*values) (all fields, in order) without the frozen dataclass's per-field setattr:
    the hot path of re-scoring every library. Equal, hashable and immutable like any Item."""
    item = object.__new__(Item)
    item.__dict__.update(zip(_ITEM_FIELDS, values, strict=True))
    return item


def normalise_item_data(payload: Mapping[str, Any], kind: str | None = None) -> dict[str, Any]:
    """Reduce a snapshot or flat payload to the JSON-friendly content scoring needs; a field with
    no content (None, False, empty) is left out, and reads as its Item default."""
    data = {
        "kind": kind or str(payload.get("kind") or ""),
        "dimension": payload.get("dimension"),
        "sdgs": sorted({s for s in (_sdg(x) for x in payload.get("sdgs") or ()) if s is not None}),
        "date": iso(payload.get("date"), date_only=True),
        "participants": max(0, int(payload.get("participants") or 0)),
        "age_groups": sorted({a for a in payload.get("age_groups") or () if a in AGE_GROUPS}),
        "partners": sorted({_partner(p) for p in payload.get("partners") or () if _partner(p)}),
        "co_created": bool(payload.get("co_created", False)),
        "before": _number(payload.get("before")),
        "after": _number(payload.get("after")),
        "staff_share": _staff_share(payload),
        "title": str(payload.get("title") or ""),
    }
    return {k: v for k, v in data.items() if not (v is None or v is False or v == "" or v == [])}


def _staff_share(payload: Mapping[str, Any]) -> float | None:
    # One unit: percent of staff, 0..100 (the evidence service's unit). Counts are converted.
    if payload.get("staff_share") is not None:
        share = float(payload["staff_share"])
    elif payload.get("staff_trained") is not None and payload.get("staff_total"):
        share = 100 * float(payload["staff_trained"]) / float(payload["staff_total"])
    else:
        return None
    if not 0 <= share <= 100:
        raise InvalidEvidenceEvent(
            "Andelen af personalet skal være mellem 0 og 100 %", "staff_share must be a percentage between 0 and 100"
        )
    return share


def _partner(value: Any) -> str:
    name = value.get("name") if isinstance(value, Mapping) else value
    return str(name or "").strip()


def _sdg(value: Any) -> int | None:
    # Accept 4, "4" and target ids such as "4.7" or "12.a" (counted as their goal).
    try:
        goal = int(str(value).split(".")[0])
    except ValueError:
        return None
    return goal if 1 <= goal <= 17 else None


def iso(value: Any, date_only: bool = False) -> str | None:
    if not value:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:10] if date_only else text


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)
