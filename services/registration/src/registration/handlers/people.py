"""People (profile, role, deactivation, reactivation, erasure) and invitations."""

from __future__ import annotations

from datetime import datetime

from registration.domain import access, gdpr, invitations, people
from registration.domain import commands as c
from registration.domain.errors import Hidden, TokenUnknown
from registration.domain.gdpr import Erasure
from registration.domain.people import DEACTIVATED, Person
from registration.domain.validation import check_password, normalize_email
from registration.handlers.common import Clock, Uow, emit, library_of, now_of
from registration.passwords import Passwords
from registration.store import Repositories
from shared.uow import Work

# -- people --------------------------------------------------------------------------------------------


def _reactivate(repos: Repositories, actor: access.Actor, person: Person, now: datetime) -> None:
    # The address must not have been given to someone else meanwhile (one login per address).
    library = library_of(repos, person)
    people.reactivate(person, repos.people.with_email(person.email or ""), now, reactivated_by=actor.person_id,
                      library_name=library.name if library else None)


def update_person(cmd: c.UpdatePerson, uow: Uow, clock: Clock) -> None:
    """Change name/language (self or administrator), role and active (coordinator or administrator)."""
    now = now_of(clock)

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
            library = library_of(repos, person)
            people.change_role(person, cmd.role, colleagues, now, changed_by=actor.person_id,
                               library_name=library.name if library else None)
        if cmd.active is False and person.status != DEACTIVATED:
            people.deactivate(person, colleagues, now, deactivated_by=actor.person_id)
        elif cmd.active is True and person.status == DEACTIVATED:
            _reactivate(repos, actor, person, now)
        repos.people.save(person)
        emit(work, person)

    uow.run(change)


def reactivate_person(cmd: c.ReactivatePerson, uow: Uow, clock: Clock) -> None:
    """Let a deactivated person sign in again (coordinator of their library, or administrator).

    An erased person is gone for good: their id answers PersonErased to whoever could have
    managed them, and Hidden to anyone else."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        found = work.repos.people.get(cmd.person_id)
        if found is None:
            access.erased_person(cmd.actor, work.repos.erasures.get(cmd.person_id))
        person = access.manage_person(cmd.actor, found)
        _reactivate(work.repos, cmd.actor, person, now)
        work.repos.people.save(person)
        emit(work, person)

    uow.run(change)


def erase_person(cmd: c.ErasePerson, uow: Uow, clock: Clock) -> None:
    """Erase a person (GDPR; administrator): the document goes, an id tombstone stays, and
    person.erased tells every consumer."""
    access.administrator(cmd.actor, "slette personer", "erase people")
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        person = work.repos.people.get(cmd.person_id)
        if person is None:
            raise Hidden("person")
        gdpr.erase(person, now)
        work.repos.people.delete(person.person_id)
        work.repos.erasures.add(Erasure(person.person_id, person.library_id, person.role, now))
        emit(work, person)

    uow.run(change)


# -- invitations -----------------------------------------------------------------------------------------


def invite_person(cmd: c.InvitePerson, uow: Uow, clock: Clock) -> str:
    """Invite someone to a library or to the programme staff; return the new person's id."""
    target = access.invite_to(cmd.actor, cmd.library_id)
    now = now_of(clock)

    def change(work: Work[Repositories]) -> str:
        repos = work.repos
        library = access.see_library(cmd.actor, repos.libraries.get(target)) if target is not None else None
        address = normalize_email(cmd.email)
        invitation = invitations.invite_person(
            email=address, role=cmd.role, library=library, inviter=repos.people.get(cmd.actor.person_id),
            people_with_email=repos.people.with_email(address), now=now, name=cmd.name, language=cmd.language,
        )
        repos.people.save(invitation.person)
        emit(work, invitation.person)
        return invitation.person.person_id

    return uow.run(change)


def _invited(repos: Repositories, actor: access.Actor, person_id: str) -> Person:
    person = access.see_person(actor, repos.people.get(person_id))
    access.invite_to(actor, person.library_id)
    return person


def resend_invitation(cmd: c.ResendInvitation, uow: Uow, clock: Clock) -> None:
    """Send a new invitation link; the previous one stops working."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        person = _invited(work.repos, cmd.actor, cmd.person_id)
        invitations.resend_invitation(person, library_of(work.repos, person),
                                      work.repos.people.get(cmd.actor.person_id), now)
        work.repos.people.save(person)
        emit(work, person)

    uow.run(change)


def revoke_invitation(cmd: c.RevokeInvitation, uow: Uow, clock: Clock) -> None:
    """Revoke a pending invitation."""
    now = now_of(clock)

    def change(work: Work[Repositories]) -> None:
        person = _invited(work.repos, cmd.actor, cmd.person_id)
        invitations.revoke_invitation(person, now, revoked_by=cmd.actor.person_id)
        work.repos.people.save(person)
        emit(work, person)

    uow.run(change)


def accept_invitation(cmd: c.AcceptInvitation, uow: Uow, clock: Clock, hasher: Passwords) -> dict[str, str | None]:
    """Consume an invitation token and set the password; return the person's and library's ids."""
    holder = uow.repos.people.with_token(cmd.token)
    if holder is None:
        raise TokenUnknown()
    check_password(cmd.password, email=holder.email)
    password_hash = hasher.hash(cmd.password)
    now = now_of(clock)

    def change(work: Work[Repositories]) -> dict[str, str | None]:
        person = work.repos.people.with_token(cmd.token)
        if person is None:
            raise TokenUnknown()
        invitations.accept_invitation(person, library_of(work.repos, person), cmd.token, password_hash, now,
                                      name=cmd.name)
        work.repos.people.save(person)
        emit(work, person)
        return {"person_id": person.person_id, "library_id": person.library_id}

    return uow.run(change)
