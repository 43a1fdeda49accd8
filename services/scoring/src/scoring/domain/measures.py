"""Measures: how much of a requirement a set of items achieves.

Every measure takes the items that count (already filtered by status by the caller), the
requirement and `today`, and returns a number comparable with the requirement's target.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache

from scoring.domain.items import Item
from scoring.domain.model import Requirement


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def matches(requirement: Requirement, item: Item, today: date) -> bool:
    """Whether an item is of the requirement's kind and passes all its filters."""
    if requirement.kind is not None and item.kind != requirement.kind:
        return False
    f = requirement.filters
    if "dimension" in f and item.dimension != f["dimension"]:
        return False
    if "co_created" in f and item.co_created != f["co_created"]:
        return False
    if "within_months" in f:
        if not item.date:
            return False
        day = date.fromisoformat(item.date)
        # Dated in the window that ends today; planned (future) activities do not count yet.
        if not months_before(today, f["within_months"]) <= day <= today:
            return False
    return True


@lru_cache(maxsize=8192)
def _day(text: str) -> date:
    return date.fromisoformat(text)


def matcher(requirement: Requirement, today: date) -> Callable[[Item], bool]:
    """`matches(requirement, item, today)` for one requirement and day, with the window computed once."""
    kind = requirement.kind
    f = requirement.filters
    has_dim, dim = "dimension" in f, f.get("dimension")
    has_co, co = "co_created" in f, f.get("co_created")
    has_window = "within_months" in f
    window: list[date] = []  # its start, computed when first needed (as `matches` does)

    def match(item: Item) -> bool:
        # The same checks in the same order as `matches`.
        if kind is not None and item.kind != kind:
            return False
        if has_dim and item.dimension != dim:
            return False
        if has_co and item.co_created != co:
            return False
        if has_window:
            if not item.date:
                return False
            if not window:
                window.append(months_before(today, f["within_months"]))
            if not window[0] <= _day(item.date) <= today:
                return False
        return True

    return match


def count(items: list[Item]) -> float:
    return len(items)


def distinct_sdgs(items: list[Item]) -> float:
    return len({s for i in items for s in i.sdgs})


def distinct_partners(items: list[Item]) -> float:
    # "Roskilde Repair Café" and "roskilde  repair café" are one partner.
    return len({" ".join(p.split()).casefold() for i in items for p in i.partners})


def distinct_age_groups(items: list[Item]) -> float:
    return len({a for i in items for a in i.age_groups})


def share_of_staff(items: list[Item]) -> float:
    """The staff share (percent) of the latest training item, by date, then revision and id."""
    with_share = [i for i in items if i.staff_share is not None]
    if not with_share:
        return 0.0
    latest = max(with_share, key=lambda i: (i.date or "", i.revision, i.id))
    return float(latest.staff_share or 0.0)


def document_approved(items: list[Item]) -> float:
    # 1 when at least one document counts; whether "counts" means submitted or approved is the
    # caller's provisional/verified status filter.
    return 1.0 if items else 0.0


def operations_with_before_after(items: list[Item]) -> float:
    return len([i for i in items if i.before is not None and i.after is not None])


MEASURE_FUNCTIONS: dict[str, Callable[[list[Item]], float]] = {
    "count": count,
    "distinct_sdgs": distinct_sdgs,
    "distinct_partners": distinct_partners,
    "distinct_age_groups": distinct_age_groups,
    "share_of_staff": share_of_staff,
    "document_approved": document_approved,
    "operations_with_before_after": operations_with_before_after,
}


def achieved(requirement: Requirement, items: Iterable[Item], today: date) -> float:
    """Measure the requirement over the given items (status filtering is the caller's)."""
    match = matcher(requirement, today)
    relevant = [i for i in items if match(i)]
    return MEASURE_FUNCTIONS[requirement.measure](relevant)
