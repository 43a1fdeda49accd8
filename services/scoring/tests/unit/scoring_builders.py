"""Builders for scoring unit tests: items and events with sensible defaults."""

from __future__ import annotations

from datetime import date
from typing import Any

from scoring.domain.evidence import Item

TODAY = date(2024, 6, 1)


def item(id: str = "i1", kind: str = "activity", status: str = "approved", **fields: Any) -> Item:
    fields.setdefault("date", "2024-05-01")
    return Item(id=id, kind=kind, status=status, **fields)


def submitted(item_id: str, revision: int = 1, library_id: str = "lib1", **data: Any) -> dict[str, Any]:
    data.setdefault("kind", "activity")
    event_type = "evidence.submitted" if revision == 1 else "evidence.revised"
    return {"type": event_type, "payload": {"library_id": library_id, "item_id": item_id, "revision": revision, **data}}


def reviewed(item_id: str, revision: int, decision: str, library_id: str = "lib1") -> dict[str, Any]:
    return {
        "type": "evidence.reviewed",
        "payload": {"library_id": library_id, "item_id": item_id, "revision": revision, "decision": decision},
    }


def withdrawn(item_id: str, revision: int, library_id: str = "lib1") -> dict[str, Any]:
    return {
        "type": "evidence.withdrawn",
        "payload": {"library_id": library_id, "item_id": item_id, "revision": revision},
    }


def complete_items(status: str = "approved") -> list[Item]:
    """Items that meet every MODEL_V1 default for a large library."""
    s = status
    return [
        item("plan", kind="action_plan", status=s, dimension=None),
        item("ops", kind="operations_measure", status=s, dimension="drift", before=100.0, after=80.0),
        item("train", kind="staff_training", status=s, dimension="drift", staff_share=95),
        item("case", kind="shared_case", status=s, dimension="drift"),
        *[item(f"f{n}", kind="communication", status=s, dimension="formidling", sdgs=(n, n + 5)) for n in range(1, 5)],
        *[
            item(
                f"c{n}",
                status=s,
                dimension="faellesskaber",
                co_created=True,
                partners=(f"Partner {n}",),
                age_groups=(group,),
                participants=10,
            )
            for n, group in enumerate(("children", "adults", "seniors"))
        ],
    ]
