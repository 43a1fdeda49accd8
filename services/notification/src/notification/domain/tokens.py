"""One-time tokens (e-mail confirmation, invitation, password reset), in this one place.

Registration puts a token in four event types; notification keeps it in the planned mail's context
(`TOKEN`, with its expiry) only until the mail is sent, puts it in the mail's link, then blanks it
(`TOKEN_REDACTED` marks the logged mail, which then cannot be resent: the person asks for a new
link). A token is never logged and never leaves the service in an answer.

How a token travels in the event (the field below, and anything done to read it) is read here
only, by `one_time_link`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The payload field that carries the token, per event type (shared.events.registration).
TOKEN_FIELDS: Mapping[str, str] = {
    "library.registered": "confirmation_token",
    "person.email_confirmation_requested": "confirmation_token",
    "person.invited": "invitation_token",
    "person.password_reset_requested": "reset_token",
}
EXPIRY_FIELD = "token_expires_at"

# Keys of the planned mail's context (the templates read them) and of the logged mail.
TOKEN, EXPIRES_AT = "token", "expires_at"
TOKEN_REDACTED = "token_redacted"


def one_time_link(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the token and its expiry an event carries for its mail's link, as the context keys."""
    field = TOKEN_FIELDS.get(event_type)
    return {TOKEN: payload.get(field) if field else None, EXPIRES_AT: payload.get(EXPIRY_FIELD)}


def carries_token(context: Mapping[str, Any]) -> bool:
    """Tell whether a planned mail's context still holds a one-time token (to blank once sent)."""
    return bool(context.get(TOKEN))
