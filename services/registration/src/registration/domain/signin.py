"""The sign-in throttle's rules: which counters an attempt counts against, and when they block.

Failed sign-ins are counted per account (the email address as typed, normalised, whether or not
anyone has it, so the throttle never tells a known address from an unknown one) and per client
address (as the gateway saw it), within a sliding window. The counts live in the service's
database, so every worker and replica of the gateway and of this service shares them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from registration.domain.errors import RegistrationError
from registration.domain.validation import normalize_email

ACCOUNT, ADDRESS = "account:", "address:"
MAX_ADDRESS_LENGTH = 64  # an IPv6 address with a zone fits; anything longer is not an address


class SignInThrottled(RegistrationError):
    """Too many failed sign-ins for this account or from this address, recently."""

    code = "throttled"

    def __init__(self) -> None:
        super().__init__(
            "For mange forsøg. Vent et kvarter og prøv igen.",
            "Too many attempts. Wait a quarter of an hour.",
        )


def account_key(email: Any) -> str:
    """The account counter's key: the normalised address, or the text as typed if it is not one."""
    try:
        return ACCOUNT + normalize_email(email)
    except RegistrationError:
        return ACCOUNT + str(email or "").strip().lower()


def address_key(client_address: str | None) -> str | None:
    """The address counter's key, or None when the caller named no address."""
    text = (client_address or "").strip()
    return ADDRESS + text[:MAX_ADDRESS_LENGTH] if text else None


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed sign-ins are allowed per account and per address within the window."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)

    def keys(self, email: Any, client_address: str | None) -> list[str]:
        """The counters one attempt counts against (a limit of 0 turns its counter off)."""
        keys = [account_key(email)] if self.per_account > 0 else []
        address = address_key(client_address)
        if address is not None and self.per_address > 0:
            keys.append(address)
        return keys

    def since(self, now: datetime) -> datetime:
        """The oldest failure that still counts at `now`."""
        return now - self.window

    def limit(self, key: str) -> int:
        return self.per_account if key.startswith(ACCOUNT) else self.per_address

    def blocked(self, counts: Mapping[str, int]) -> bool:
        """Whether an attempt is refused, given the recent attempts counted per key *including
        itself*: the (limit + 1)-th attempt within the window is the first one refused."""
        return any(count > self.limit(key) for key, count in counts.items())
