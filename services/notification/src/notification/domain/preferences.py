"""Mail preferences: opting out of non-essential mail, and signed unsubscribe tokens.

Essential (security) mail - e-mail confirmation, invitation, password reset - is never suppressed.
Everything else (receipts, reminders, digests, programme news) respects the opt-out. The token in
an unsubscribe link is signed, not encrypted: it names a pseudonymous person id only, and it does
not expire, because an unsubscribe link in an old mail must keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from notification.domain.errors import InvalidUnsubscribeToken
from notification.domain.recipients import default_prefs

# The salt separates these tokens from anything else signed with the same secret.
UNSUBSCRIBE_SALT = "notification.unsubscribe.v1"


def wants_mail(prefs: Mapping[str, Any] | None, *, essential: bool) -> bool:
    """Tell whether a person with these preferences receives a mail of this kind."""
    if essential:
        return True
    return bool((prefs or default_prefs()).get("non_essential", True))


def make_unsubscribe_token(secret: str | bytes, person_id: str) -> str:
    """Return a URL-safe token that lets its holder turn off a person's non-essential mail."""
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps({"p": person_id})


def read_unsubscribe_token(secret: bytes | list[bytes], token: str) -> str:
    """Return the person id in a valid unsubscribe token, or raise InvalidUnsubscribeToken.
    `secret` may be a key ring, the current key first (links in mail sent before a rotation)."""
    ring: list[bytes] = secret if isinstance(secret, list) else [secret]
    try:
        data = URLSafeSerializer(list(reversed(ring)), salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature as exc:
        raise InvalidUnsubscribeToken("the unsubscribe link is not valid") from exc
    person_id = data.get("p") if isinstance(data, dict) else None
    if not isinstance(person_id, str) or not person_id:
        raise InvalidUnsubscribeToken("the unsubscribe link is not valid")
    return person_id
