"""Registration's command handlers: load through the unit of work, let the domain decide, save,
emit. One function per command, named after it and listed in the table at the end; the message
bus injects what each asks for by name (`uow`, `clock`, `hasher`, `throttle`).

Every state change and the facts the domain recorded for it are committed together (the outbox).
Password hashing, slow on purpose, happens before the transaction. Registration consumes no events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeAlias

from registration.domain import access, cohorts, gdpr, invitations, onboarding, people
from registration.domain import commands as c
from registration.domain.cohorts import Cohort, Enrolment
from registration.domain.errors import (
    ConcurrentChange,
    EmailInUse,
    Hidden,
    InvalidCredentials,
    InvalidField,
    IsilInUse,
    RegistrationError,
    TokenUnknown,
)
from registration.domain.facts import Aggregate, collect_events, require_aware
from registration.domain.gdpr import Erasure
from registration.domain.library import Library
from registration.domain.people import ACTIVE, DEACTIVATED, PENDING, Person
from registration.domain.reference import SeedLibrary, pilot_seed
from registration.domain.signin import ACCOUNT, SignInThrottled, ThrottlePolicy
from registration.domain.validation import check_password, normalize_email
from registration.passwords import Passwords
from registration.store import Repositories
from shared.uow import UnitOfWork, Work

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Uow: TypeAlias = UnitOfWork[Repositories]


def _now(clock: Clock) -> datetime:
    return require_aware(clock())


def _emit(work: Work[Repositories], *aggregates: Aggregate | None) -> None:
    for fact in collect_events(*(a for a in aggregates if a is not None)):
        work.emit(fact.type, fact.payload)


def _library_of(repos: Repositories, person: Person) -> Library | None:
    return repos.libraries.get(person.library_id) if person.library_id else None


def _email_or_none(email: str) -> str | None:
    try:
        return normalize_email(email)
    except RegistrationError:
        return None


# -- self-registration and email confirmation ------------------------------------------------------


def register_library(cmd: c.RegisterLibrary, uow: Uow, clock: Clock, hasher: Passwords) -> dict[str, str]:
    """Register a pending library and its pending coordinator; return their ids."""
    values = onboarding.validate_registration({
        "name": cmd.name, "isil": cmd.isil, "municipality": cmd.municipality, "kind": cmd.kind,
        "staff_count": cmd.staff_count, "website": cmd.website, "address": cmd.address,
        "branches": list(cmd.branches), "coordinator_name": cmd.coordinator_name,
        "coordinator_email": cmd.coordinator_email, "coordinator_language": cmd.coordinator_language,
        "password": cmd.password,
    })
    password_hash = hasher.hash(cmd.password)
    now = _now(clock)

    def change(work: Work[Repositories]) -> dict[str, str]:
        repos = work.repos
        reg = onboarding.register_library(
            values, password_hash, now,
            isil_taken_by=repos.libraries.id_with_isil(values["isil"]),
            people_with_email=repos.people.with_email(values["coordinator_email"]),
        )
        repos.libraries.save(reg.library)
        repos.people.save(reg.coordinator)
        _emit(work, reg.library, reg.coordinator)
        return {"library_id": reg.library.library_id, "person_id": reg.coordinator.person_id}

    return uow.run(change)


def confirm_email(cmd: c.ConfirmEmail, uow: Uow, clock: Clock) -> dict[str, str | None]:
    """Consume a confirmation token: the coordinator and their pending library become active."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> dict[str, str | None]:
        person = work.repos.people.with_token(cmd.token)
        if person is None:
            raise TokenUnknown()
        library = _library_of(work.repos, person)
        onboarding.confirm_email(person, library, cmd.token, now)
        if library is not None:
            work.repos.libraries.save(library)
        work.repos.people.save(person)
        _emit(work, library, person)
        return {"library_id": person.library_id, "person_id": person.person_id}

    return uow.run(change)


def resend_confirmation(cmd: c.ResendConfirmation, uow: Uow, clock: Clock) -> None:
    """Send a new confirmation link to a pending coordinator; silently nothing otherwise."""
    address = _email_or_none(cmd.email)
    if address is None:
        return
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        person = work.repos.people.live_with_email(address)
        if person is None or person.status != PENDING:
            return
        onboarding.resend_confirmation(person, _library_of(work.repos, person), now)
        work.repos.people.save(person)
        _emit(work, person)

    uow.run(change)


# -- credentials and password resets -------------------------------------------------------------------


def verify_credentials(cmd: c.VerifyCredentials, uow: Uow, clock: Clock, hasher: Passwords,
                       throttle: ThrottlePolicy) -> Person:
    """Return the person if the password is right and they may sign in, else InvalidCredentials
    after the same work; SignInThrottled (the password unchecked) after too many recent failures
    for the account or from the client address."""
    now = _now(clock)
    keys = throttle.keys(cmd.email, cmd.client_address)
    failures = uow.repos.signin_failures
    # The attempt is counted before the password is checked and the count read afterwards, so
    # attempts arriving at once (other workers, other replicas) cannot slip past the limit.
    attempt = failures.add(keys, now, now + throttle.window)
    if throttle.blocked(failures.counts(keys, throttle.since(now))):
        # A refused attempt is not counted: what an attacker keeps sending stays bounded.
        failures.remove(attempt)
        raise SignInThrottled()
    address = _email_or_none(cmd.email)
    person = uow.repos.people.live_with_email(address) if address else None
    ok = hasher.verify_or_dummy(person.password_hash if person else None, cmd.password)
    if not ok or person is None or not person.can_sign_in:
        raise InvalidCredentials()
    # Success resets the account's counter; the address keeps its earlier failures.
    failures.remove(attempt, keys=[k for k in keys if k.startswith(ACCOUNT)])
    if person.password_hash and hasher.needs_rehash(person.password_hash):
        # Made with older argon2 parameters: hash the password again with today's.
        uow.repos.people.upgrade_password_hash(person.person_id, person.password_hash, hasher.hash(cmd.password))
    return person


def request_password_reset(cmd: c.RequestPasswordReset, uow: Uow, clock: Clock) -> None:
    """Mail a reset link to an active person with this address; nothing (and no hint) otherwise."""
    address = _email_or_none(cmd.email)
    if address is None:
        return
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        person = work.repos.people.live_with_email(address)
        if person is None or person.status != ACTIVE:
            return
        person.request_password_reset(now)
        work.repos.people.save(person)
        _emit(work, person)

    uow.run(change)


def complete_password_reset(cmd: c.CompletePasswordReset, uow: Uow, clock: Clock, hasher: Passwords) -> str:
    """Consume a reset token and set the new password; return the person's id."""
    holder = uow.repos.people.with_token(cmd.token)
    if holder is None:
        raise TokenUnknown()
    check_password(cmd.password, email=holder.email)
    password_hash = hasher.hash(cmd.password)
    now = _now(clock)

    def change(work: Work[Repositories]) -> str:
        person = work.repos.people.with_token(cmd.token)
        if person is None:
            raise TokenUnknown()
        person.reset_password(cmd.token, password_hash, now)
        work.repos.people.save(person)
        return person.person_id

    return uow.run(change)


# -- people --------------------------------------------------------------------------------------------


def _reactivate(repos: Repositories, actor: access.Actor, person: Person, now: datetime) -> None:
    # The address must not have been given to someone else meanwhile (one login per address).
    library = _library_of(repos, person)
    people.reactivate(person, repos.people.with_email(person.email or ""), now, reactivated_by=actor.person_id,
                      library_name=library.name if library else None)


def update_person(cmd: c.UpdatePerson, uow: Uow, clock: Clock) -> None:
    """Change name/language (self or administrator), role and active (coordinator or administrator)."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        repos, actor = work.repos, cmd.actor
        person = access.see_person(actor, repos.people.get(cmd.person_id))
        if cmd.name is not None or cmd.language is not None:
            access.edit_profile(actor, person)
            person.update_profile(now, name=cmd.name, language=cmd.language)
        colleagues: list[Person] = []
        if cmd.role is not None or cmd.active is not None:
            access.manage_person(actor, person)
            colleagues = repos.people.of_library(person.library_id) if person.library_id else []
        if cmd.role is not None:
            library = _library_of(repos, person)
            people.change_role(person, cmd.role, colleagues, now, changed_by=actor.person_id,
                               library_name=library.name if library else None)
        if cmd.active is False and person.status != DEACTIVATED:
            people.deactivate(person, colleagues, now, deactivated_by=actor.person_id)
        elif cmd.active is True and person.status == DEACTIVATED:
            _reactivate(repos, actor, person, now)
        repos.people.save(person)
        _emit(work, person)

    uow.run(change)


def reactivate_person(cmd: c.ReactivatePerson, uow: Uow, clock: Clock) -> None:
    """Let a deactivated person sign in again (coordinator of their library, or administrator).

    An erased person is gone for good: their id answers PersonErased to whoever could have
    managed them, and Hidden to anyone else."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        found = work.repos.people.get(cmd.person_id)
        if found is None:
            access.erased_person(cmd.actor, work.repos.erasures.get(cmd.person_id))
        person = access.manage_person(cmd.actor, found)
        _reactivate(work.repos, cmd.actor, person, now)
        work.repos.people.save(person)
        _emit(work, person)

    uow.run(change)


def erase_person(cmd: c.ErasePerson, uow: Uow, clock: Clock) -> None:
    """Erase a person (GDPR; administrator): the document goes, an id tombstone stays, and
    person.erased tells every consumer."""
    access.administrator(cmd.actor, "slette personer", "erase people")
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        person = work.repos.people.get(cmd.person_id)
        if person is None:
            raise Hidden("person")
        gdpr.erase(person, now)
        work.repos.people.delete(person.person_id)
        work.repos.erasures.add(Erasure(person.person_id, person.library_id, person.role, now))
        _emit(work, person)

    uow.run(change)


# -- invitations -----------------------------------------------------------------------------------------


def invite_person(cmd: c.InvitePerson, uow: Uow, clock: Clock) -> str:
    """Invite someone to a library or to the programme staff; return the new person's id."""
    target = access.invite_to(cmd.actor, cmd.library_id)
    now = _now(clock)

    def change(work: Work[Repositories]) -> str:
        repos = work.repos
        library = access.see_library(cmd.actor, repos.libraries.get(target)) if target is not None else None
        address = normalize_email(cmd.email)
        invitation = invitations.invite_person(
            email=address, role=cmd.role, library=library, inviter=repos.people.get(cmd.actor.person_id),
            people_with_email=repos.people.with_email(address), now=now, name=cmd.name, language=cmd.language,
        )
        repos.people.save(invitation.person)
        _emit(work, invitation.person)
        return invitation.person.person_id

    return uow.run(change)


def _invited(repos: Repositories, actor: access.Actor, person_id: str) -> Person:
    person = access.see_person(actor, repos.people.get(person_id))
    access.invite_to(actor, person.library_id)
    return person


def resend_invitation(cmd: c.ResendInvitation, uow: Uow, clock: Clock) -> None:
    """Send a new invitation link; the previous one stops working."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        person = _invited(work.repos, cmd.actor, cmd.person_id)
        invitations.resend_invitation(person, _library_of(work.repos, person),
                                      work.repos.people.get(cmd.actor.person_id), now)
        work.repos.people.save(person)
        _emit(work, person)

    uow.run(change)


def revoke_invitation(cmd: c.RevokeInvitation, uow: Uow, clock: Clock) -> None:
    """Revoke a pending invitation."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        person = _invited(work.repos, cmd.actor, cmd.person_id)
        invitations.revoke_invitation(person, now, revoked_by=cmd.actor.person_id)
        work.repos.people.save(person)
        _emit(work, person)

    uow.run(change)


def accept_invitation(cmd: c.AcceptInvitation, uow: Uow, clock: Clock, hasher: Passwords) -> dict[str, str | None]:
    """Consume an invitation token and set the password; return the person's and library's ids."""
    holder = uow.repos.people.with_token(cmd.token)
    if holder is None:
        raise TokenUnknown()
    check_password(cmd.password, email=holder.email)
    password_hash = hasher.hash(cmd.password)
    now = _now(clock)

    def change(work: Work[Repositories]) -> dict[str, str | None]:
        person = work.repos.people.with_token(cmd.token)
        if person is None:
            raise TokenUnknown()
        invitations.accept_invitation(person, _library_of(work.repos, person), cmd.token, password_hash, now,
                                      name=cmd.name)
        work.repos.people.save(person)
        _emit(work, person)
        return {"person_id": person.person_id, "library_id": person.library_id}

    return uow.run(change)


# -- libraries and branches ------------------------------------------------------------------------------


def update_library(cmd: c.UpdateLibrary, uow: Uow, clock: Clock) -> None:
    """Change a library's details (its coordinator, or an administrator)."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        library = access.change_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        isil = cmd.changes.get("isil")
        taken_by = work.repos.libraries.id_with_isil(str(isil).strip().upper()) if isil else None
        library.update(cmd.changes, now, isil_taken_by=taken_by)
        work.repos.libraries.save(library)
        _emit(work, library)

    uow.run(change)


def withdraw_library(cmd: c.WithdrawLibrary, uow: Uow, clock: Clock) -> None:
    """Withdraw a library from the programme; its enrolment ends with it."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        library = access.change_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        enrolment = work.repos.enrolments.active_of(cmd.library_id)
        onboarding.withdraw_library(library, enrolment, now, reason=cmd.reason)
        work.repos.libraries.save(library)
        if enrolment is not None:
            work.repos.enrolments.save(enrolment)
        _emit(work, library, enrolment)

    uow.run(change)


def add_branch(cmd: c.AddBranch, uow: Uow, clock: Clock) -> str:
    """Add a branch (filial); return its id."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> str:
        library = access.change_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        branch = library.add_branch(cmd.name, now)
        work.repos.libraries.save(library)
        _emit(work, library)
        return branch.branch_id

    return uow.run(change)


def change_branch(cmd: c.ChangeBranch, uow: Uow, clock: Clock) -> None:
    """Rename and/or close a branch."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        library = access.change_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        library.branch(cmd.branch_id)  # BranchNotFound, also for a request that changes nothing
        if cmd.name is not None:
            library.rename_branch(cmd.branch_id, cmd.name, now)
        if cmd.close:
            library.close_branch(cmd.branch_id, now)
        work.repos.libraries.save(library)
        _emit(work, library)

    uow.run(change)


# -- cohorts and enrolments ------------------------------------------------------------------------------


def create_cohort(cmd: c.CreateCohort, uow: Uow, clock: Clock) -> str:
    """Create a cohort (administrator); return its id."""
    access.administrator(cmd.actor, "oprette forløb", "create cohorts")
    now = _now(clock)

    def change(work: Work[Repositories]) -> str:
        cohort = cohorts.create_cohort(cmd.name, cmd.start_year, cmd.end_year, state=cmd.state, now=now)
        work.repos.cohorts.save(cohort)
        _emit(work, cohort)
        return cohort.cohort_id

    return uow.run(change)


def update_cohort(cmd: c.UpdateCohort, uow: Uow, clock: Clock) -> None:
    """Rename, open or close a cohort (administrator); a request that changes nothing publishes nothing."""
    access.administrator(cmd.actor, "ændre forløb", "change cohorts")
    now = _now(clock)

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
            _emit(work, cohort)

    uow.run(change)


def _start_or_move(library: Library, cohort: Cohort, current: Enrolment | None, now: datetime) -> Enrolment:
    if current is None:
        return cohorts.enrol(library, cohort, None, now)
    return cohorts.move_enrolment(library, current, cohort, now).started


def enrol_library(cmd: c.EnrolLibrary, uow: Uow, clock: Clock) -> None:
    """Enrol a library in a cohort, or move it there from its current one (administrator);
    a library already there stays as it is."""
    now = _now(clock)

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
        _emit(work, current, started)

    uow.run(change)


def end_enrolment(cmd: c.EndEnrolment, uow: Uow, clock: Clock) -> None:
    """End a library's enrolment (administrator)."""
    now = _now(clock)

    def change(work: Work[Repositories]) -> None:
        access.see_library(cmd.actor, work.repos.libraries.get(cmd.library_id))
        access.administrator(cmd.actor, "afmelde biblioteker", "withdraw enrolments")
        current = work.repos.enrolments.active_of(cmd.library_id)
        if current is None:
            raise Hidden("enrolment")
        current.withdraw(now)
        work.repos.enrolments.save(current)
        _emit(work, current)

    uow.run(change)


# -- start-up work (run by migrate) ----------------------------------------------------------------------
# Each is idempotent across runs and safe when several run at once: stable ids, and a document
# another run created first (a duplicate key) counts as already there.


def _once(uow: Uow, add: Callable[[Work[Repositories]], bool]) -> bool:
    try:
        return uow.run(add)
    except (ConcurrentChange, EmailInUse, IsilInUse):
        return False


def add_shipped_cohorts(cmd: c.AddShippedCohorts, uow: Uow, clock: Clock) -> int:
    """Create the shipped cohorts that are missing; return how many this call created."""
    now = _now(clock)
    created = 0
    for cohort_id in [cohort.cohort_id for cohort in pilot_seed().cohorts]:
        def add(work: Work[Repositories], cohort_id: str = cohort_id) -> bool:
            if work.repos.cohorts.get(cohort_id) is not None:
                return False
            # Built inside the work: a retried transaction records its events afresh.
            cohort = next(c for c in onboarding.shipped_cohorts(now) if c.cohort_id == cohort_id)
            work.repos.cohorts.save(cohort)
            _emit(work, cohort)
            return True

        created += _once(uow, add)
    return created


def seed_pilot_libraries(cmd: c.SeedPilotLibraries, uow: Uow, clock: Clock) -> int:
    """Create the missing pilot libraries (demo data) with their enrolments; return how many."""
    now = _now(clock)
    shipped = {cohort.cohort_id: cohort for cohort in onboarding.shipped_cohorts(now)}
    created = 0
    for entry in pilot_seed().libraries:
        def add(work: Work[Repositories], entry: SeedLibrary = entry) -> bool:
            library, enrolment = onboarding.pilot_library(entry, shipped[entry.cohort_id], now)
            if work.repos.libraries.id_with_isil(library.isil) is not None:
                return False
            work.repos.libraries.save(library)
            work.repos.enrolments.save(enrolment)
            _emit(work, library, enrolment)
            return True

        created += _once(uow, add)
    return created


def create_first_administrator(cmd: c.CreateFirstAdministrator, uow: Uow, clock: Clock, hasher: Passwords) -> bool:
    """Create the first administrator once, never overwritten; True if this call created them."""
    address = _email_or_none(cmd.email)
    if address is None or not cmd.password:
        log.warning("bootstrap administrator not created: email or password missing or invalid")
        return False
    if uow.repos.people.live_with_email(address) is not None:
        return False
    password_hash = hasher.hash(cmd.password)
    now = _now(clock)

    def add(work: Work[Repositories]) -> bool:
        if work.repos.people.live_with_email(address) is not None:
            return False
        admin = onboarding.first_administrator(address, password_hash, now)
        work.repos.people.save(admin)
        _emit(work, admin)
        return True

    return _once(uow, add)


COMMAND_HANDLERS: dict[type, Callable[..., Any]] = {
    c.RegisterLibrary: register_library,
    c.ConfirmEmail: confirm_email,
    c.ResendConfirmation: resend_confirmation,
    c.VerifyCredentials: verify_credentials,
    c.RequestPasswordReset: request_password_reset,
    c.CompletePasswordReset: complete_password_reset,
    c.UpdatePerson: update_person,
    c.ReactivatePerson: reactivate_person,
    c.ErasePerson: erase_person,
    c.InvitePerson: invite_person,
    c.ResendInvitation: resend_invitation,
    c.RevokeInvitation: revoke_invitation,
    c.AcceptInvitation: accept_invitation,
    c.UpdateLibrary: update_library,
    c.WithdrawLibrary: withdraw_library,
    c.AddBranch: add_branch,
    c.ChangeBranch: change_branch,
    c.CreateCohort: create_cohort,
    c.UpdateCohort: update_cohort,
    c.EnrolLibrary: enrol_library,
    c.EndEnrolment: end_enrolment,
    c.AddShippedCohorts: add_shipped_cohorts,
    c.SeedPilotLibraries: seed_pilot_libraries,
    c.CreateFirstAdministrator: create_first_administrator,
}
