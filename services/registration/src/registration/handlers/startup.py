"""The start-up work migrate runs: shipped cohorts, the demo seed, the first administrator.

Each is idempotent across runs and safe when several run at once: stable ids, and a document
another run created first (a duplicate key) counts as already there."""

from __future__ import annotations

import logging
from collections.abc import Callable

from registration.domain import commands as c
from registration.domain import onboarding
from registration.domain.errors import ConcurrentChange, EmailInUse, IsilInUse
from registration.domain.reference import SeedLibrary, pilot_seed
from registration.handlers.common import Clock, Uow, email_or_none, emit, now_of
from registration.passwords import Passwords
from registration.store import Repositories
from shared.uow import Work

log = logging.getLogger(__name__)


def _once(uow: Uow, add: Callable[[Work[Repositories]], bool]) -> bool:
    try:
        return uow.run(add)
    except (ConcurrentChange, EmailInUse, IsilInUse):
        return False


def add_shipped_cohorts(cmd: c.AddShippedCohorts, uow: Uow, clock: Clock) -> int:
    """Create the shipped cohorts that are missing; return how many this call created."""
    now = now_of(clock)
    created = 0
    for cohort_id in [cohort.cohort_id for cohort in pilot_seed().cohorts]:
        def add(work: Work[Repositories], cohort_id: str = cohort_id) -> bool:
            if work.repos.cohorts.get(cohort_id) is not None:
                return False
            # Built inside the work: a retried transaction records its events afresh.
            cohort = next(c for c in onboarding.shipped_cohorts(now) if c.cohort_id == cohort_id)
            work.repos.cohorts.save(cohort)
            emit(work, cohort)
            return True

        created += _once(uow, add)
    return created


def seed_pilot_libraries(cmd: c.SeedPilotLibraries, uow: Uow, clock: Clock) -> int:
    """Create the missing pilot libraries (demo data) with their enrolments; return how many."""
    now = now_of(clock)
    shipped = {cohort.cohort_id: cohort for cohort in onboarding.shipped_cohorts(now)}
    created = 0
    for entry in pilot_seed().libraries:
        def add(work: Work[Repositories], entry: SeedLibrary = entry) -> bool:
            library, enrolment = onboarding.pilot_library(entry, shipped[entry.cohort_id], now)
            if work.repos.libraries.id_with_isil(library.isil) is not None:
                return False
            work.repos.libraries.save(library)
            work.repos.enrolments.save(enrolment)
            emit(work, library, enrolment)
            return True

        created += _once(uow, add)
    return created


def create_first_administrator(cmd: c.CreateFirstAdministrator, uow: Uow, clock: Clock, hasher: Passwords) -> bool:
    """Create the first administrator once, never overwritten; True if this call created them."""
    address = email_or_none(cmd.email)
    if address is None or not cmd.password:
        log.warning("bootstrap administrator not created: email or password missing or invalid")
        return False
    if uow.repos.people.live_with_email(address) is not None:
        return False
    password_hash = hasher.hash(cmd.password)
    now = now_of(clock)

    def add(work: Work[Repositories]) -> bool:
        if work.repos.people.live_with_email(address) is not None:
            return False
        admin = onboarding.first_administrator(address, password_hash, now)
        work.repos.people.save(admin)
        emit(work, admin)
        return True

    return _once(uow, add)
