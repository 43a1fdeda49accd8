"""Libraries, branches, cohorts and enrolments."""

from __future__ import annotations

from datetime import datetime

from registration.domain import access, cohorts, onboarding
from registration.domain import commands as c
from registration.domain.cohorts import Cohort, Enrolment
from registration.domain.errors import BranchNotFound, Hidden, InvalidField
from registration.domain.library import Library
from registration.handlers.common import Clock, Uow, emit, now_of
from registration.store import Repositories
from shared.uow import Work

# -- libraries and branches ------------------------------------------------------------------------------


def update_library(cmd: c.UpdateLibrary, uow: Uow, clock: Clock) -> None:
    """Change a library's details (its coordinator, or an administrator)."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        library = access.change_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        isil = cmd.changes.get("isil")
        taken_by = work.repos.libraries.id_with_isil(str(isil).strip().upper()) if isil else None
        library.update(cmd.changes, now, isil_taken_by=taken_by)
        work.repos.libraries.save(library)
        emit(work, library)

    uow.run(change)


def withdraw_library(cmd: c.WithdrawLibrary, uow: Uow, clock: Clock) -> None:
    """Withdraw a library from the programme; its enrolment ends with it."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        library = access.change_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        enrolment = work.repos.enrolments.active_of(cmd.library_id)
        onboarding.withdraw_library(library, enrolment, now, reason=cmd.reason)
        work.repos.libraries.save(library)
        if enrolment is not None:
            work.repos.enrolments.save(enrolment)
        emit(work, library, enrolment)

    uow.run(change)


def add_branch(cmd: c.AddBranch, uow: Uow, clock: Clock) -> str:
    """Add a branch (filial); return its id."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> str:
        library = access.change_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        branch = library.add_branch(cmd.name, now, isil=cmd.isil, address=cmd.address)
        work.repos.libraries.save(library)
        emit(work, library)
        return branch.branch_id

    return uow.run(change)


def change_branch(cmd: c.ChangeBranch, uow: Uow, clock: Clock) -> str:
    """Rename a branch, set its ISIL code or address, and/or close it; return its library's id."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> str:
        library_id = cmd.library_id or work.repos.libraries.id_with_branch(cmd.branch_id)
        if library_id is None:
            raise BranchNotFound(cmd.branch_id)
        library = access.change_library(cmd.actor, work.repos.libraries.get(library_id))
        library.branch(cmd.branch_id)  # BranchNotFound, also for a request that changes nothing
        if cmd.name is not None:
            library.rename_branch(cmd.branch_id, cmd.name, now)
        if cmd.details:
            library.change_branch_details(cmd.branch_id, cmd.details, now)
        if cmd.close:
            library.close_branch(cmd.branch_id, now)
        work.repos.libraries.save(library)
        emit(work, library)
        return library.library_id

    return uow.run(change)


# -- cohorts and enrolments ------------------------------------------------------------------------------


def create_cohort(cmd: c.CreateCohort, uow: Uow, clock: Clock) -> str:
    """Create a cohort (administrator); return its id."""
    access.administrator(cmd.actor, "oprette forløb", "create cohorts")
    now = now_of(clock)

    def change(work: Work[Repositories]) -> str:
        cohort = cohorts.create_cohort(cmd.name, cmd.start_year, cmd.end_year, state=cmd.state, now=now)
        work.repos.cohorts.save(cohort)
        emit(work, cohort)
        return cohort.cohort_id

    return uow.run(change)


def update_cohort(cmd: c.UpdateCohort, uow: Uow, clock: Clock) -> None:
    """Rename, open or close a cohort (administrator); a request that changes nothing publishes nothing."""
    access.administrator(cmd.actor, "ændre forløb", "change cohorts")
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        cohort = work.repos.cohorts.get(cmd.cohort_id)
        if cohort is None:
            raise Hidden("cohort")
        if cmd.name is not None:
            cohort.rename(cmd.name, now)
        if cmd.state == cohorts.OPEN and cohort.state != cohorts.OPEN:
            cohort.open(now)
        elif cmd.state == cohorts.CLOSED and cohort.state != cohorts.CLOSED:
            cohort.close(now)
        if cohort.events:  # an unchanged cohort is neither written nor announced
            work.repos.cohorts.save(cohort)
            emit(work, cohort)

    uow.run(change)


def _start_or_move(library: Library, cohort: Cohort, current: Enrolment | None, now: datetime) -> Enrolment:
    if current is None:
        return cohorts.enrol(library, cohort, None, now)
    return cohorts.move_enrolment(library, current, cohort, now).started


def enrol_library(cmd: c.EnrolLibrary, uow: Uow, clock: Clock) -> None:
    """Enrol a library in a cohort, or move it there from its current one (administrator);
    a library already there stays as it is."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        repos = work.repos
        library = access.see_library(cmd.actor, repos.libraries.get(cmd.library_id))
        access.administrator(cmd.actor, "tilmelde biblioteker forløb", "enrol libraries")
        cohort = repos.cohorts.get(cmd.cohort_id)
        if cohort is None:
            raise InvalidField("cohort_id", "unknown_cohort", "Forløbet findes ikke.", "The cohort does not exist.")
        current = repos.enrolments.active_of(cmd.library_id)
        if current is not None and current.cohort_id == cmd.cohort_id:
            return
        started = _start_or_move(library, cohort, current, now)
        if current is not None:
            repos.enrolments.save(current)
        repos.enrolments.save(started)
        emit(work, current, started)

    uow.run(change)


def end_enrolment(cmd: c.EndEnrolment, uow: Uow, clock: Clock) -> None:
    """End a library's enrolment (administrator)."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        access.see_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        access.administrator(cmd.actor, "afmelde biblioteker", "withdraw enrolments")
        current = work.repos.enrolments.active_of(cmd.library_id)
        if current is None:
            raise Hidden("enrolment")
        current.withdraw(now)
        work.repos.enrolments.save(current)
        emit(work, current)

    uow.run(change)
