"""Cohorts (forløb) and enrolments: a library is enrolled in at most one cohort at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registration.domain.errors import AlreadyEnrolled, CohortNotOpen, IllegalTransition, InvalidField
from registration.domain.facts import (
    COHORT_CREATED,
    COHORT_UPDATED,
    ENROLMENT_STARTED,
    ENROLMENT_WITHDRAWN,
    Aggregate,
    Fact,
    iso,
)
from registration.domain.library import WITHDRAWN as LIBRARY_WITHDRAWN
from registration.domain.library import Library, new_id
from registration.domain.validation import collect, normalize_name
from shared.vocabulary import COHORT_STATES

PLANNED, OPEN, CLOSED = COHORT_STATES
ENROLLED, ENDED = "active", "withdrawn"
YEAR_MIN, YEAR_MAX = 2000, 2100


def _year(value: Any, field: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not YEAR_MIN <= value <= YEAR_MAX:
        raise InvalidField(
            field,
            "invalid_year",
            f"Året skal være et tal mellem {YEAR_MIN} og {YEAR_MAX}.",
            f"The year must be a number between {YEAR_MIN} and {YEAR_MAX}.",
        )
    return value


@dataclass
class Cohort(Aggregate):
    """A named programme period; end_year None means open-ended (the open programme)."""

    cohort_id: str
    name: str
    start_year: int
    end_year: int | None
    state: str = PLANNED

    def open(self, now: datetime) -> Fact:
        """Open the cohort for enrolment."""
        if self.state != PLANNED:
            raise IllegalTransition("åbne forløbet", "open the cohort", self.state)
        self.state = OPEN
        return self._snapshot(COHORT_UPDATED, now, ["state"])

    def close(self, now: datetime) -> Fact:
        """Close the cohort to new enrolments; enrolled libraries stay enrolled."""
        if self.state != OPEN:
            raise IllegalTransition("lukke forløbet", "close the cohort", self.state)
        self.state = CLOSED
        return self._snapshot(COHORT_UPDATED, now, ["state"])

    def rename(self, name: Any, now: datetime) -> Fact | None:
        """Give the cohort a new name (validated like a new one); None if it is unchanged."""
        new_name = collect({"name": lambda: normalize_name(name)})["name"]
        if new_name == self.name:
            return None
        self.name = new_name
        return self._snapshot(COHORT_UPDATED, now, ["name"])

    def _snapshot(self, type_: str, now: datetime, changed: list[str]) -> Fact:
        # Every cohort event carries the whole cohort, so a consumer needs no earlier one.
        return self._record(
            type_,
            {
                "cohort_id": self.cohort_id,
                "name": self.name,
                "start_year": self.start_year,
                "end_year": self.end_year,
                "state": self.state,
                "changed": changed,
            },
            now,
        )


def create_cohort(
    name: Any,
    start_year: Any,
    end_year: Any = None,
    *,
    cohort_id: str | None = None,
    state: str = PLANNED,
    now: datetime | None = None,
) -> Cohort:
    """Validate and return a new cohort (planned unless told otherwise); with `now`, record
    cohort.created (a cohort built only to be compared with a stored one records nothing)."""
    values = collect(
        {
            "name": lambda: normalize_name(name),
            "start_year": lambda: _year(start_year, "start_year"),
            "end_year": lambda: _year(end_year, "end_year", optional=True),
        }
    )
    if values["end_year"] is not None and values["end_year"] < values["start_year"]:
        raise InvalidField(
            "end_year",
            "period_reversed",
            "Slutåret kan ikke ligge før startåret.",
            "The end year cannot be before the start year.",
        )
    if state not in COHORT_STATES:
        raise ValueError(f"unknown cohort state {state!r}")
    cohort = Cohort(cohort_id or new_id(), values["name"], values["start_year"], values["end_year"], state)
    if now is not None:
        cohort._snapshot(COHORT_CREATED, now, [])
    return cohort


@dataclass
class Enrolment(Aggregate):
    enrolment_id: str
    library_id: str
    cohort_id: str
    cohort_name: str
    status: str
    started_at: datetime
    withdrawn_at: datetime | None = None
    reason: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status == ENROLLED

    def withdraw(self, now: datetime, reason: str = "withdrawn") -> Fact:
        """End the enrolment; reason is withdrawn, moved or library_withdrawn."""
        if self.status != ENROLLED:
            raise IllegalTransition("afmelde forløbet", "withdraw the enrolment", self.status)
        self.status, self.withdrawn_at, self.reason = ENDED, now, reason
        return self._record(
            ENROLMENT_WITHDRAWN,
            {
                "enrolment_id": self.enrolment_id,
                "library_id": self.library_id,
                "cohort_id": self.cohort_id,
                "cohort_name": self.cohort_name,
                "withdrawn_at": iso(now),
                "reason": reason,
            },
            now,
        )


def start_enrolment(library: Library, cohort: Cohort, now: datetime, *, enrolment_id: str | None = None) -> Enrolment:
    """Record an enrolment without the open-cohort rule (seeding historic cohorts uses this)."""
    enrolment = Enrolment(enrolment_id or new_id(), library.library_id, cohort.cohort_id, cohort.name, ENROLLED, now)
    enrolment._record(
        ENROLMENT_STARTED,
        {
            "enrolment_id": enrolment.enrolment_id,
            "library_id": library.library_id,
            "library_name": library.name,
            "municipality": library.municipality,
            "cohort_id": cohort.cohort_id,
            "cohort_name": cohort.name,
            "start_year": cohort.start_year,
            "end_year": cohort.end_year,
            "started_at": iso(now),
        },
        now,
    )
    return enrolment


def enrol(
    library: Library,
    cohort: Cohort,
    current: Enrolment | None,
    now: datetime,
    *,
    enrolment_id: str | None = None,
) -> Enrolment:
    """Enrol a library in an open cohort; `current` is its active enrolment, if any."""
    if library.status == LIBRARY_WITHDRAWN:
        raise IllegalTransition("tilmelde biblioteket", "enrol the library", library.status)
    if current is not None and current.is_active:
        raise AlreadyEnrolled(current.cohort_name)
    if cohort.state != OPEN:
        raise CohortNotOpen(cohort.name, cohort.state)
    return start_enrolment(library, cohort, now, enrolment_id=enrolment_id)


@dataclass(frozen=True)
class Move:
    """A move between cohorts: the ended enrolment and the new one."""

    withdrawn: Enrolment
    started: Enrolment


def move_enrolment(
    library: Library,
    current: Enrolment,
    target: Cohort,
    now: datetime,
    *,
    enrolment_id: str | None = None,
) -> Move:
    """Move a library to another open cohort: withdraw from the current one and start the new one."""
    if not current.is_active:
        raise IllegalTransition("flytte tilmeldingen", "move the enrolment", current.status)
    if current.cohort_id == target.cohort_id:
        raise AlreadyEnrolled(current.cohort_name)
    if library.status == LIBRARY_WITHDRAWN:
        raise IllegalTransition("flytte biblioteket", "move the library", library.status)
    if target.state != OPEN:
        raise CohortNotOpen(target.name, target.state)
    current.withdraw(now, reason="moved")
    started = start_enrolment(library, target, now, enrolment_id=enrolment_id)
    return Move(current, started)
