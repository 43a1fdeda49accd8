"""Invitations: a coordinator invites colleagues, an administrator invites programme staff."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registration.domain.errors import (
    AlreadyMember,
    EmailInUse,
    IllegalTransition,
    InvalidField,
    InvitationPending,
)
from registration.domain.facts import PERSON_INVITED, PERSON_JOINED, iso
from registration.domain.library import ACTIVE as LIBRARY_ACTIVE
from registration.domain.library import Library, new_id
from registration.domain.people import (
    ACTIVE,
    INVITED,
    LIVE_STATUSES,
    Person,
    check_role,
    deactivate,
)
from registration.domain.tokens import INVITATION, consume
from registration.domain.validation import collect, normalize_email, normalize_language, normalize_name


@dataclass(frozen=True)
class Invitation:
    """The invited person (status invited) and the plain token for the invitation mail."""

    person: Person
    token: str


def ensure_email_free(email: str, library_id: str | None, people_with_email: Iterable[Person]) -> None:
    """Refuse an address already invited to or active in this library, or in use elsewhere."""
    for other in people_with_email:
        if other.email != email or other.status not in LIVE_STATUSES:
            continue
        if other.library_id == library_id and other.status == INVITED:
            raise InvitationPending()
        if other.library_id == library_id:
            raise AlreadyMember()
        # One login per address: a person belongs to one library or to the programme staff.
        raise EmailInUse()


def invite_person(
    *,
    email: Any,
    role: Any,
    library: Library | None,
    inviter: Person | None,
    people_with_email: Iterable[Person],
    now: datetime,
    name: Any = None,
    language: Any = "da",
    person_id: str | None = None,
    token: str | None = None,
) -> Invitation:
    """Invite someone to a library (coordinator/member) or to the programme staff (library None).

    `people_with_email` are the stored people with that address, in any library and status.
    """
    library_id = library.library_id if library is not None else None
    values = collect(
        {
            "email": lambda: normalize_email(email),
            "role": lambda: check_role(role, library_id),
            "name": lambda: None if name in (None, "") else normalize_name(name),
            "language": lambda: normalize_language(language),
        }
    )
    if library is not None and library.status != LIBRARY_ACTIVE:
        raise IllegalTransition("invitere til biblioteket", "invite people to the library", library.status)
    ensure_email_free(values["email"], library_id, people_with_email)
    person = Person(
        person_id=person_id or new_id(),
        library_id=library_id,
        role=values["role"],
        status=INVITED,
        name=values["name"],
        email=values["email"],
        language=values["language"],
        created_at=now,
        invited_by=inviter.person_id if inviter is not None else None,
        updated_at=now,
    )
    plain = _send(person, library, inviter, now, token, resend=False)
    return Invitation(person, plain)


def resend_invitation(
    person: Person, library: Library | None, inviter: Person | None, now: datetime, *, token: str | None = None
) -> str:
    """Issue a new invitation token (the old one stops working) and return it for the mail."""
    person._ensure_status((INVITED,), "sende invitationen igen", "resend the invitation")
    person.updated_at = now
    return _send(person, library, inviter, now, token, resend=True)


def revoke_invitation(person: Person, now: datetime, *, revoked_by: str | None = None) -> None:
    """Withdraw a pending invitation: its token stops working and the person is deactivated."""
    person._ensure_status((INVITED,), "tilbagekalde invitationen", "revoke the invitation")
    deactivate(person, (), now, deactivated_by=revoked_by, reason="invitation_revoked")


def accept_invitation(
    person: Person,
    library: Library | None,
    presented: str,
    password_hash: str,
    now: datetime,
    *,
    name: Any = None,
) -> None:
    """Consume the invitation token, take the name (required if the inviter gave none) and activate."""
    record = person.token_for(presented)
    used = consume(record, presented, now, purpose=INVITATION)
    new_name = normalize_name(name) if name not in (None, "") else person.name
    if new_name is None:
        raise InvalidField("name", "required", "Angiv dit navn.", "Enter your name.")
    if person.status != INVITED:  # a live token outliving its invitation would be a bug
        raise IllegalTransition("tage imod invitationen", "accept the invitation", person.status)
    person.tokens = [used if t is record else t for t in person.tokens]
    person.name = new_name
    person.status = ACTIVE
    person.password_hash = password_hash
    person.activated_at = person.updated_at = now
    record_joined(person, library, now)


def record_joined(person: Person, library: Library | None, now: datetime) -> None:
    """Record person.joined for a person who just became active."""
    person._record(
        PERSON_JOINED,
        {
            **person.contact(),
            "library_id": person.library_id,
            "library_name": library.name if library is not None else None,
            "joined_at": iso(now),
        },
        now,
    )


def _send(
    person: Person, library: Library | None, inviter: Person | None, now: datetime, token: str | None, *, resend: bool
) -> str:
    plain, expires = person._issue(INVITATION, now, token)
    person._record(
        PERSON_INVITED,
        {
            **person.contact(),
            "library_id": person.library_id,
            "library_name": library.name if library is not None else None,
            "invited_by": inviter.person_id if inviter is not None else None,
            "inviter_name": inviter.name if inviter is not None else None,
            "invitation_token": plain,
            "token_expires_at": iso(expires),
            "resend": resend,
        },
        now,
    )
    return plain
