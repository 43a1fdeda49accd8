"""The certificate's state and calendar: statuses, validity, anniversaries and history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from shared.vocabulary import (
    IN_PROGRESS,
    LIBRARY_STATUS_LABELS,
    NOT_STARTED,
    READY_FOR_REVIEW,
)

PRE_CERTIFICATION = (NOT_STARTED, IN_PROGRESS, READY_FOR_REVIEW)
VALIDITY_YEARS = 3
REMINDER_DAYS = (60, 14)
GRACE_DAYS = 30

STATUS_DA = {status: labels[0] for status, labels in LIBRARY_STATUS_LABELS.items()}


@dataclass(frozen=True)
class CertificateState:
    library_id: str
    status: str = NOT_STARTED
    certificate_id: str | None = None
    awarded_at: str | None = None
    awarded_by: str | None = None
    cycle: int = 0
    cycle_start: str | None = None  # ISO date the current 3-year cycle started
    valid_until: str | None = None  # ISO date
    checkins_done: tuple[int, ...] = ()  # anniversaries (1, 2) checked in during this cycle
    emitted: frozenset[str] = frozenset()
    revoked_at: str | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None
    history: tuple[Mapping[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "library_id": self.library_id,
            "status": self.status,
            "certificate_id": self.certificate_id,
            "awarded_at": self.awarded_at,
            "awarded_by": self.awarded_by,
            "cycle": self.cycle,
            "cycle_start": self.cycle_start,
            "valid_until": self.valid_until,
            "checkins_done": list(self.checkins_done),
            "emitted": sorted(self.emitted),
            "revoked_at": self.revoked_at,
            "revoked_by": self.revoked_by,
            "revoke_reason": self.revoke_reason,
            "history": [dict(h) for h in self.history],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CertificateState:
        d = dict(data)
        d["checkins_done"] = tuple(d.get("checkins_done") or ())
        d["emitted"] = frozenset(d.get("emitted") or ())
        d["history"] = tuple(d.get("history") or ())
        return cls(**d)


def new_certificate_state(library_id: str) -> CertificateState:
    return CertificateState(library_id=library_id)


def add_years(day: date, years: int) -> date:
    """Same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_due(state: CertificateState) -> tuple[int, date] | None:
    """The next anniversary to check in on (3 means renewal) and its date."""
    if state.cycle_start is None:
        return None
    start = date.fromisoformat(state.cycle_start)
    k = next(k for k in range(1, VALIDITY_YEARS + 1) if k not in state.checkins_done)
    return k, add_years(start, k)


def moved(
    state: CertificateState, to: str, now: datetime, by: str | None = None, note: str = "", **changes: Any
) -> CertificateState:
    entry = {"at": now.isoformat(), "from": state.status, "to": to, "by": by, "note": note}
    return replace(state, status=to, history=(*state.history, entry), **changes)
