"""Who may do what: the actions a caller may take on a logged mail and on preferences, and the
access rules the handlers and views enforce with the same functions (so an answer never offers
what a request would refuse).

The caller is any object with `person_id`, `role` and `library_id` (the gateway's signed identity,
or `SYSTEM` for the scheduler process).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from notification.domain.errors import (
    AdministratorsOnly,
    LinkAlreadySent,
    MailBeingSent,
    RecipientErased,
    ResendRefused,
    UnknownLibrary,
    UnknownPerson,
)
from shared.vocabulary import ADMINISTRATOR, MAIL_SENDING, STAFF_ROLES

RESEND = "resend"  # a logged mail: queue it again
EDIT = "edit"  # preferences: change them


class Actor(Protocol):
    """The caller a decision is made for."""

    @property
    def person_id(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def library_id(self) -> str | None: ...


@dataclass(frozen=True)
class Caller:
    """A caller that is no signed-in person."""

    person_id: str
    role: str
    library_id: str | None = None


# The scheduler process: it runs the scheduler on its own authority.
SYSTEM = Caller(person_id="system", role="system")


def is_administrator(actor: Actor) -> bool:
    """Tell whether the caller runs the programme (every delivery, resend, the scheduler)."""
    return bool(actor.role == ADMINISTRATOR)  # bool(): mypy may see the vocabulary as Any


def require_administrator(actor: Actor) -> None:
    """Raise AdministratorsOnly unless the caller is an administrator."""
    if not is_administrator(actor):
        raise AdministratorsOnly()


def require_scheduler(actor: Actor) -> None:
    """Raise AdministratorsOnly unless the caller may run the scheduler (an administrator or SYSTEM)."""
    if actor is not SYSTEM:
        require_administrator(actor)


def deliveries_library(actor: Actor, library_id: str | None) -> str | None:
    """Return the library whose delivery log the caller may read for a request (None: every one).

    Staff see their own library's mail only, and asking for another library reveals nothing (404);
    administrators see every library's; anyone else nothing (403).
    """
    if actor.role in STAFF_ROLES:
        if library_id not in (None, actor.library_id):
            raise UnknownLibrary()
        return actor.library_id
    require_administrator(actor)
    return library_id


def resend_refusal(mail: Mapping[str, Any]) -> ResendRefused | None:
    """Return why a logged mail cannot be queued again, or None if it can."""
    if mail.get("status") == MAIL_SENDING:
        return MailBeingSent()
    if mail.get("erased") or not mail.get("email"):
        return RecipientErased()
    if mail.get("token_redacted"):
        # The one-time link was sent once and is blanked: a new one must be asked for.
        return LinkAlreadySent()
    return None


def mail_actions(mail: Mapping[str, Any], actor: Actor) -> list[str]:
    """Return what the caller may do with a logged mail."""
    return [RESEND] if is_administrator(actor) and resend_refusal(mail) is None else []


def require_reader_of_preferences(actor: Actor, person_id: str) -> None:
    """Raise UnknownPerson unless the caller may read a person's preferences (themselves, or an administrator)."""
    if actor.person_id != person_id and not is_administrator(actor):
        raise UnknownPerson()


def require_owner_of_preferences(actor: Actor, person_id: str) -> None:
    """Raise UnknownPerson unless the preferences are the caller's own (only a person changes theirs)."""
    if actor.person_id != person_id:
        raise UnknownPerson()


def preference_actions(person_id: str, actor: Actor) -> list[str]:
    """Return what the caller may do with a person's preferences."""
    return [EDIT] if actor.person_id == person_id else []
