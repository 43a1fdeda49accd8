"""National figures for funders and the association: aggregation over library summaries.

Public figures count approved (verified) evidence only, so a figure never shrinks because an
assessor rejected something that had already been reported. "Activities" are items of kind
`activity` or `communication`; participants are summed over every counted item.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scoring.domain.evidence import VERIFIED_STATUSES
from scoring.domain.items import Item

ACTIVITY_KINDS = ("activity", "communication")
# A certificate awaiting its annual check-in is still a certified library.
CERTIFIED_STATUSES = frozenset({"certified", "checkin_due"})
IN_PROGRESS_STATUSES = frozenset({"in_progress", "ready_for_review"})


@dataclass(frozen=True)
class LibrarySummary:
    """One library's countable facts; by_month maps "YYYY-MM" to (activities, participants)."""

    library_id: str
    status: str
    cohort: str | None = None
    municipality: str | None = None
    name: str | None = None
    by_month: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    undated: tuple[int, int] = (0, 0)
    sdgs: tuple[int, ...] = ()
    partners: tuple[str, ...] = ()  # normalised (casefolded) names


def summarize_library(
    library_id: str,
    items: Iterable[Item],
    *,
    status: str,
    cohort: str | None = None,
    municipality: str | None = None,
    name: str | None = None,
    statuses: frozenset[str] = VERIFIED_STATUSES,
) -> LibrarySummary:
    """Reduce a library's items to the facts national figures need (approved items by default)."""
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    undated = [0, 0]
    sdgs: set[int] = set()
    partners: set[str] = set()
    for item in items:
        if item.status not in statuses or item.kind == "action_plan":
            continue
        bucket = by_month[item.date[:7]] if item.date else undated
        bucket[0] += item.kind in ACTIVITY_KINDS
        bucket[1] += item.participants
        sdgs.update(item.sdgs)
        partners.update(" ".join(p.split()).casefold() for p in item.partners)
    return LibrarySummary(
        library_id=library_id,
        status=status,
        cohort=cohort,
        municipality=municipality,
        name=name,
        by_month={m: (a, p) for m, (a, p) in sorted(by_month.items())},
        undated=(undated[0], undated[1]),
        sdgs=tuple(sorted(sdgs)),
        partners=tuple(sorted(partners)),
    )


def national_figures(
    summaries: Iterable[LibrarySummary],
    *,
    cohort: str | None = None,
    municipality: str | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
) -> dict[str, Any]:
    """Aggregate library summaries into national totals (JSON-friendly).

    `cohort`/`municipality` select libraries; `month_from`/`month_to` ("YYYY-MM", inclusive)
    restrict activity and participant counts, in which case undated items are left out.
    """
    selected = [
        s
        for s in summaries
        if (cohort is None or s.cohort == cohort) and (municipality is None or s.municipality == municipality)
    ]
    period = month_from is not None or month_to is not None

    def in_period(month: str) -> bool:
        return (month_from is None or month >= month_from) and (month_to is None or month <= month_to)

    by_status: Counter[str] = Counter()
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    groups: dict[str, dict[str, dict[str, int]]] = {"municipality": {}, "cohort": {}}
    sdg_libraries: Counter[int] = Counter()
    partners: set[str] = set()
    activities = participants = 0
    for s in selected:
        by_status[s.status] += 1
        a_total, p_total = (0, 0) if period else s.undated
        for month, (a, p) in s.by_month.items():
            if in_period(month):
                by_month[month][0] += a
                by_month[month][1] += p
                a_total += a
                p_total += p
        activities += a_total
        participants += p_total
        for key, value in (("municipality", s.municipality), ("cohort", s.cohort)):
            g = groups[key].setdefault(
                value or "", {"libraries": 0, "certified": 0, "in_progress": 0, "activities": 0, "participants": 0}
            )
            g["libraries"] += 1
            g["certified"] += s.status in CERTIFIED_STATUSES
            g["in_progress"] += s.status in IN_PROGRESS_STATUSES
            g["activities"] += a_total
            g["participants"] += p_total
        sdg_libraries.update(s.sdgs)
        partners.update(s.partners)
    return {
        "libraries": len(selected),
        "by_status": dict(sorted(by_status.items())),
        "activities": activities,
        "participants": participants,
        "sdgs": {str(goal): sdg_libraries[goal] for goal in range(1, 18)},
        "sdgs_covered": len(sdg_libraries),
        "partners": len(partners),
        "by_month": [{"month": m, "activities": a, "participants": p} for m, (a, p) in sorted(by_month.items())],
        "by_municipality": dict(sorted(groups["municipality"].items())),
        "by_cohort": dict(sorted(groups["cohort"].items())),
    }
