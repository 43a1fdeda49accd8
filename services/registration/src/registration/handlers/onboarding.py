"""Self-registration, email confirmation, sign-in and password resets."""

from __future__ import annotations

from registration.domain import commands as c
from registration.domain import onboarding
from registration.domain.errors import InvalidCredentials, TokenUnknown
from registration.domain.people import ACTIVE, PENDING, Person
from registration.domain.signin import ACCOUNT, SignInThrottled, ThrottlePolicy
from registration.domain.validation import check_password
from registration.handlers.common import Clock, Uow, email_or_none, emit, library_of, now_of
from registration.passwords import Passwords
from registration.store import Repositories
from shared.uow import Work

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
    now = now_of(clock)

    def change(work: Work[Repositories]) -> dict[str, str]:
        repos = work.repos
        reg = onboarding.register_library(
            values, password_hash, now,
            isil_taken_by=repos.libraries.id_with_isil(values["isil"]),
            people_with_email=repos.people.with_email(values["coordinator_email"]),
        )
        repos.libraries.save(reg.library)
        repos.people.save(reg.coordinator)
        emit(work, reg.library, reg.coordinator)
        return {"library_id": reg.library.library_id, "person_id": reg.coordinator.person_id}

    return uow.run(change)


def confirm_email(cmd: c.ConfirmEmail, uow: Uow, clock: Clock) -> dict[str, str | None]:
    """Consume a confirmation token: the coordinator and their pending library become active."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> dict[str, str | None]:
        person = work.repos.people.with_token(cmd.token)
        if person is None:
            raise TokenUnknown()
        library = library_of(work.repos, person)
        onboarding.confirm_email(person, library, cmd.token, now)
        if library is not None:
            work.repos.libraries.save(library)
        work.repos.people.save(person)
        emit(work, library, person)
        return {"library_id": person.library_id, "person_id": person.person_id}

    return uow.run(change)


def resend_confirmation(cmd: c.ResendConfirmation, uow: Uow, clock: Clock) -> None:
    """Send a new confirmation link to a pending coordinator; silently nothing otherwise."""
    address = email_or_none(cmd.email)
    if address is None:
        return
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        person = work.repos.people.live_with_email(address)
        if person is None or person.status != PENDING:
            return
        onboarding.resend_confirmation(person, library_of(work.repos, person), now)
        work.repos.people.save(person)
        emit(work, person)

    uow.run(change)


# -- credentials and password resets -------------------------------------------------------------------


def verify_credentials(cmd: c.VerifyCredentials, uow: Uow, clock: Clock, hasher: Passwords,
                       throttle: ThrottlePolicy) -> Person:
    """Return the person if the password is right and they may sign in, else InvalidCredentials
    after the same work; SignInThrottled (the password unchecked) after too many recent failures
    for the account or from the client address."""
    now = now_of(clock)
    keys = throttle.keys(cmd.email, cmd.client_address)
    failures = uow.repos.signin_failures
    # The attempt is counted before the password is checked and the count read afterwards, so
    # attempts arriving at once (other workers, other replicas) cannot slip past the limit.
    attempt = failures.add(keys, now, now + throttle.window)
    if throttle.blocked(failures.counts(keys, throttle.since(now))):
        # A refused attempt is not counted: what an attacker keeps sending stays bounded.
        failures.remove(attempt)
        raise SignInThrottled()
    address = email_or_none(cmd.email)
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
    address = email_or_none(cmd.email)
    if address is None:
        return
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        person = work.repos.people.live_with_email(address)
        if person is None or person.status != ACTIVE:
            return
        person.request_password_reset(now)
        work.repos.people.save(person)
        emit(work, person)

    uow.run(change)


def complete_password_reset(cmd: c.CompletePasswordReset, uow: Uow, clock: Clock, hasher: Passwords) -> str:
    """Consume a reset token and set the new password; return the person's id."""
    holder = uow.repos.people.with_token(cmd.token)
    if holder is None:
        raise TokenUnknown()
    check_password(cmd.password, email=holder.email)
    password_hash = hasher.hash(cmd.password)
    now = now_of(clock)

    def change(work: Work[Repositories]) -> str:
        person = work.repos.people.with_token(cmd.token)
        if person is None:
            raise TokenUnknown()
        person.reset_password(cmd.token, password_hash, now)
        work.repos.people.save(person)
        return person.person_id

    return uow.run(change)
