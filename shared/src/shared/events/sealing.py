"""Sealed payload fields: one-time tokens encrypted (Fernet) by the producer for the one service
the catalogue names, so no token travels, nor waits in a queue or a dead letter, in clear.

Registration seals on emit (the store's Tx.emit does it for every `Sealed` field); the consumer of
the audience service opens them on receipt, so its handlers see the token; every other consumer,
`chora-bus` and a wire observer see only `sealed:<ciphertext>`. The key (CHORA_EVENT_SEAL_KEY) is
held by registration and notification only. A value without the `sealed:` mark (an event written
before sealing existed) is passed on as it is.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from shared import keys
from shared.events.base import CATALOGUE

if TYPE_CHECKING:  # the package imports this module before it defines Event
    from shared.events import Event

log = logging.getLogger(__name__)

MARK = "sealed:"
REDACTED = "[sealed]"


class SealError(Exception):
    """A sealed field that cannot be sealed or opened (no key, or the wrong key)."""


def derived_key(secret: str) -> bytes:
    """A Fernet key derived from another secret for this one purpose (development fallback)."""
    return base64.urlsafe_b64encode(keys.derive(secret, keys.EVENT_SEAL))


class Sealer:
    """Seals the `Sealed` fields of event payloads with one Fernet key and opens them with any key
    of its ring (the current key first, then keys being rotated out)."""

    def __init__(self, key: str | bytes, *older: str | bytes):
        self._fernet = MultiFernet([Fernet(k) for k in (key, *older)])

    @classmethod
    def from_key_or_secret(cls, key: str, secret: str, previous_secrets: Sequence[str] = ()) -> Sealer:
        """The sealer for CHORA_EVENT_SEAL_KEY (comma-separated: the current key, then older ones),
        or (unset) one derived from the master secret and the previous masters."""
        if key:
            ring = [part.strip() for part in key.split(",") if part.strip()]
            return cls(ring[0], *ring[1:])
        log.warning("CHORA_EVENT_SEAL_KEY is not set: tokens are sealed with a key derived from "
                    "CHORA_SECRET_KEY, which every service holds; set it for registration and notification only")
        return cls(derived_key(secret), *(derived_key(old) for old in previous_secrets))

    def seal(self, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload with its sealed fields encrypted."""
        fields = sealed_fields(type_)
        if not fields:
            return payload
        out = dict(payload)
        for name in fields:
            value = out.get(name)
            if isinstance(value, str) and not value.startswith(MARK):
                out[name] = MARK + self._fernet.encrypt(value.encode()).decode()
        return out

    def open(self, type_: str, payload: dict[str, Any], service: str) -> dict[str, Any]:
        """The payload with the fields sealed for `service` in clear; SealError if one cannot be opened."""
        names = [name for name, audience in sealed_audiences(type_) if audience == service]
        if not names:
            return payload
        out = dict(payload)
        for name in names:
            value = out.get(name)
            if isinstance(value, str) and value.startswith(MARK):
                try:
                    out[name] = self._fernet.decrypt(value[len(MARK):].encode()).decode()
                except InvalidToken:
                    raise SealError(f"{type_}.{name} was sealed with another key") from None
        return out

    def seal_event(self, evt: Event) -> Event:
        """The event with its payload sealed."""
        return dataclasses.replace(evt, payload=self.seal(evt.type, evt.payload)) if sealed_fields(evt.type) else evt

    def open_event(self, evt: Event, service: str) -> Event:
        """The event with the fields sealed for `service` opened."""
        return dataclasses.replace(evt, payload=self.open(evt.type, evt.payload, service)) \
            if sealed_fields(evt.type) else evt


def sealed_audiences(type_: str) -> tuple[tuple[str, str], ...]:
    spec = CATALOGUE.get(type_)
    return spec.sealed if spec is not None else ()


def sealed_fields(type_: str) -> tuple[str, ...]:
    return tuple(name for name, _ in sealed_audiences(type_))


def redacted(type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with every sealed field (sealed or, from before sealing, in clear) shown as [sealed]."""
    names = sealed_fields(type_)
    if not names or not isinstance(payload, dict):
        return payload
    return {k: (REDACTED if k in names and v is not None else v) for k, v in payload.items()}
