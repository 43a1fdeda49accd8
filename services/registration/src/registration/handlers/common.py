"""What every handler module shares: the clock and unit-of-work types, and small helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

from registration.domain.errors import RegistrationError
from registration.domain.facts import Aggregate, collect_events, require_aware
from registration.domain.library import Library
from registration.domain.people import Person
from registration.domain.validation import normalize_email
from registration.store import Repositories
from shared.uow import UnitOfWork, Work

Clock: TypeAlias = Callable[[], datetime]
Uow: TypeAlias = UnitOfWork[Repositories]


def now_of(clock: Clock) -> datetime:
    """The clock's time, refused if it is not timezone-aware."""
    return require_aware(clock())


def emit(work: Work[Repositories], *aggregates: Aggregate | None) -> None:
    """Put the facts the aggregates recorded into the work's outbox (and drain them)."""
    for fact in collect_events(*(a for a in aggregates if a is not None)):
        work.emit(fact.type, fact.payload)


def library_of(repos: Repositories, person: Person) -> Library | None:
    """The person's library, or None for programme staff."""
    return repos.libraries.get(person.library_id) if person.library_id else None


def email_or_none(email: str) -> str | None:
    """The normalised address, or None if it is not one."""
    try:
        return normalize_email(email)
    except RegistrationError:
        return None
