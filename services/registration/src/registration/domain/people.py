"""People: library staff (coordinator, member) and programme staff (assessor, administrator)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from registration.domain.errors import (
    EmailInUse,
    IllegalTransition,
    InvalidField,
    LastCoordinator,
    NeverJoined,
    TokenUnknown,
)
from registration.domain.facts import (
    PERSON_DEACTIVATED,
    PERSON_PASSWORD_RESET_REQUESTED,
    PERSON_PROFILE_CHANGED,
    PERSON_REACTIVATED,
    PERSON_ROLE_CHANGED,
    Aggregate,
    iso,
)
from registration.domain.tokens import (
    PASSWORD_RESET,
    TokenRecord,
    consume,
    hash_token,
    issue_token,
    supersede,
)
from registration.domain.validation import normalize_language, normalize_name
from shared.vocabulary import (
    ADMINISTRATOR,
    ASSESSOR,
    COORDINATOR,
    MEMBER,
    PERSON_STATUSES,
    PROGRAMME_ROLES,
    STAFF_ROLES,
)

__all__ = ["ADMINISTRATOR", "ASSESSOR", "COORDINATOR", "MEMBER", "PERSON_STATUSES"]

INVITED, PENDING, ACTIVE, DEACTIVATED, ERASED = PERSON_STATUSES
# Statuses that hold an email address: only one such person per address.
LIVE_STATUSES = (INVITED, PENDING, ACTIVE)

# Used and superseded tokens are kept a while so a second click says "already used", not "unknown".
_TOKENS_KEPT = 6


def check_role(role: Any, library_id: str | None, field_name: str = "role") -> str:
    """Return a role valid for the person's place: library roles need a library, staff roles none."""
    allowed = STAFF_ROLES if library_id is not None else PROGRAMME_ROLES
    if role not in allowed:
        raise InvalidField(
            field_name,
            "role_not_allowed",
            f"Rollen skal være en af: {', '.join(allowed)}.",
            f"The role must be one of: {', '.join(allowed)}.",
        )
    return str(role)


@dataclass
class Person(Aggregate):
    person_id: str
    library_id: str | None  # None for programme staff
    role: str
    status: str
    name: str | None
    email: str | None
    language: str
    created_at: datetime
    password_hash: str | None = None  # opaque argon2 hash, made and checked in the service layer
    invited_by: str | None = None
    activated_at: datetime | None = None
    deactivated_at: datetime | None = None
    reactivated_at: datetime | None = None
    erased_at: datetime | None = None
    updated_at: datetime | None = None
    tokens: list[TokenRecord] = field(default_factory=list)

    # -- reading -------------------------------------------------------------------------------

    @property
    def is_active_coordinator(self) -> bool:
        return self.status == ACTIVE and self.role == COORDINATOR

    @property
    def can_sign_in(self) -> bool:
        return self.status == ACTIVE and self.password_hash is not None

    def contact(self) -> dict[str, Any]:
        """Return who this person is for mails: id, name, email, language, role."""
        return {
            "person_id": self.person_id,
            "name": self.name,
            "email": self.email,
            "language": self.language,
            "role": self.role,
        }

    def token_for(self, presented: str) -> TokenRecord | None:
        """Return the stored record matching a presented token, if any."""
        wanted = hash_token(presented) if isinstance(presented, str) else None
        return next((t for t in self.tokens if t.token_hash == wanted), None)

    # -- tokens --------------------------------------------------------------------------------

    def _issue(self, purpose: str, now: datetime, token: str | None) -> tuple[str, datetime]:
        self.tokens = [supersede(t, now) if t.purpose == purpose else t for t in self.tokens]
        issued = issue_token(purpose, now, token=token)
        self.tokens = [*self.tokens, issued.record][-_TOKENS_KEPT:]
        return issued.token, issued.record.expires_at

    def _consume(self, purpose: str, presented: str, now: datetime) -> None:
        record = self.token_for(presented)
        used = consume(record, presented, now, purpose=purpose)
        self.tokens = [used if t is record else t for t in self.tokens]

    def _supersede_all(self, now: datetime) -> None:
        self.tokens = [supersede(t, now) for t in self.tokens]

    def _ensure_status(self, allowed: Iterable[str], what_da: str, what_en: str) -> None:
        if self.status not in allowed:
            raise IllegalTransition(what_da, what_en, self.status)

    # -- profile and credentials -----------------------------------------------------------------

    def update_profile(self, now: datetime, *, name: Any = None, language: Any = None) -> list[str]:
        """Change name and/or language preference; return the fields that changed."""
        self._ensure_status(LIVE_STATUSES, "ændre profilen", "change the profile")
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = normalize_name(name)
        if language is not None:
            changes["language"] = normalize_language(language)
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        for key in changed:
            setattr(self, key, changes[key])
        self.updated_at = now
        self._record(
            PERSON_PROFILE_CHANGED,
            {**self.contact(), "library_id": self.library_id, "status": self.status, "changed_fields": changed},
            now,
        )
        return changed

    def request_password_reset(self, now: datetime, *, token: str | None = None) -> str:
        """Issue a 1-hour reset token (earlier ones stop working) and return it for the mail.

        Only active people can reset; the service answers the same way for unknown addresses.
        """
        self._ensure_status((ACTIVE,), "nulstille adgangskoden", "reset the password")
        plain, expires = self._issue(PASSWORD_RESET, now, token)
        self._record(
            PERSON_PASSWORD_RESET_REQUESTED,
            {**self.contact(), "library_id": self.library_id, "reset_token": plain, "token_expires_at": iso(expires)},
            now,
        )
        return plain

    def reset_password(self, presented: str, password_hash: str, now: datetime) -> None:
        """Consume a reset token and store the new password hash."""
        if self.status != ACTIVE:
            raise TokenUnknown()
        self._consume(PASSWORD_RESET, presented, now)
        self.password_hash = password_hash
        self.updated_at = now


def is_last_coordinator(person: Person, colleagues: Iterable[Person]) -> bool:
    """Tell whether the person is their library's only active coordinator among `colleagues`."""
    return person.is_active_coordinator and not any(
        c.person_id != person.person_id and c.library_id == person.library_id and c.is_active_coordinator
        for c in colleagues
    )


def change_role(
    person: Person,
    new_role: Any,
    colleagues: Iterable[Person],
    now: datetime,
    *,
    changed_by: str | None = None,
    library_name: str | None = None,
) -> bool:
    """Give a person another role; refuse to demote a library's last active coordinator.

    `colleagues` are the other people of the same library (any status). Returns False if unchanged.
    """
    person._ensure_status((INVITED, PENDING, ACTIVE), "ændre rollen", "change the role")
    role = check_role(new_role, person.library_id)
    if role == person.role:
        return False
    if is_last_coordinator(person, colleagues):
        raise LastCoordinator()
    old_role, person.role = person.role, role
    person.updated_at = now
    person._record(
        PERSON_ROLE_CHANGED,
        {
            **person.contact(),
            "library_id": person.library_id,
            "library_name": library_name,
            "status": person.status,
            "old_role": old_role,
            "new_role": role,
            "changed_by": changed_by,
        },
        now,
    )
    return True


def deactivate(
    person: Person,
    colleagues: Iterable[Person],
    now: datetime,
    *,
    deactivated_by: str | None = None,
    reason: str = "deactivated",
) -> None:
    """Deactivate a person (no more sign-in); refuse it for a library's last active coordinator."""
    person._ensure_status((INVITED, PENDING, ACTIVE), "deaktivere personen", "deactivate the person")
    if is_last_coordinator(person, colleagues):
        raise LastCoordinator()
    person.status = DEACTIVATED
    person.deactivated_at = person.updated_at = now
    person._supersede_all(now)
    person._record(
        PERSON_DEACTIVATED,
        {
            "person_id": person.person_id,
            "library_id": person.library_id,
            "role": person.role,
            "deactivated_at": iso(now),
            "deactivated_by": deactivated_by,
            "reason": reason,
        },
        now,
    )


def reactivate(
    person: Person,
    people_with_email: Iterable[Person],
    now: datetime,
    *,
    reactivated_by: str | None = None,
    library_name: str | None = None,
) -> None:
    """Let a deactivated person who had joined sign in again with their old password.

    Someone who never joined (a revoked invitation, an unconfirmed registration) has no account
    to restore: they are invited again instead. The address must still be free, since it may
    have been invited again after the deactivation (one login per address).
    """
    person._ensure_status((DEACTIVATED,), "genaktivere personen", "reactivate the person")
    if person.activated_at is None or person.password_hash is None:
        raise NeverJoined()
    if any(o.person_id != person.person_id and o.email == person.email and o.status in LIVE_STATUSES
           for o in people_with_email):
        raise EmailInUse()
    person.status = ACTIVE
    person.deactivated_at = None
    person.reactivated_at = person.updated_at = now
    person._record(
        PERSON_REACTIVATED,
        {
            **person.contact(),
            "library_id": person.library_id,
            "library_name": library_name,
            "reactivated_at": iso(now),
            "reactivated_by": reactivated_by,
        },
        now,
    )
