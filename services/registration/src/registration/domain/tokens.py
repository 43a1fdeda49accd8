"""Single-use, expiring tokens for email confirmation, invitations and password resets.

Only the SHA-256 hash of a token is stored; the token itself travels once, in the mail link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from registration.domain.errors import TokenExpired, TokenSuperseded, TokenUnknown, TokenUsed
from registration.domain.facts import require_aware

CONFIRMATION = "confirmation"
INVITATION = "invitation"
PASSWORD_RESET = "password_reset"

LIFETIMES: dict[str, timedelta] = {
    CONFIRMATION: timedelta(hours=48),
    INVITATION: timedelta(days=7),
    PASSWORD_RESET: timedelta(hours=1),
}

# Far longer than any token we issue (43 chars); refusing early avoids hashing arbitrary input.
_MAX_PRESENTED = 200


@dataclass(frozen=True)
class TokenRecord:
    """What is stored about a token: its purpose, hash and life."""

    purpose: str
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    superseded_at: datetime | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A fresh token: the record to store and the plain token to put in one mail."""

    record: TokenRecord
    token: str


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token, the form it is stored and looked up in."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(purpose: str, now: datetime, *, token: str | None = None) -> IssuedToken:
    """Generate a random url-safe token for a purpose, expiring after that purpose's lifetime."""
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    require_aware(now)
    plain = token if token is not None else secrets.token_urlsafe(32)
    record = TokenRecord(purpose, hash_token(plain), now, now + LIFETIMES[purpose])
    return IssuedToken(record, plain)


def consume(record: TokenRecord | None, presented: str, now: datetime, *, purpose: str | None = None) -> TokenRecord:
    """Return the record marked used, or raise TokenUnknown/TokenUsed/TokenSuperseded/TokenExpired."""
    require_aware(now)
    if record is None or not isinstance(presented, str) or not 0 < len(presented) <= _MAX_PRESENTED:
        raise TokenUnknown()
    if not hmac.compare_digest(hash_token(presented), record.token_hash):
        raise TokenUnknown()
    if purpose is not None and record.purpose != purpose:
        raise TokenUnknown()
    if record.used_at is not None:
        raise TokenUsed()
    if record.superseded_at is not None:
        raise TokenSuperseded()
    if now >= record.expires_at:
        raise TokenExpired()
    return replace(record, used_at=now)


def supersede(record: TokenRecord, now: datetime) -> TokenRecord:
    """Return the record made invalid by a newer token (no-op if already used or superseded)."""
    if record.used_at is not None or record.superseded_at is not None:
        return record
    return replace(record, superseded_at=now)
