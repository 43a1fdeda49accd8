"""The identity the gateway signs for each call and every service checks.

The header is signed with the receiving service's own identity key (shared.keys, purpose
`identity:<service>`) and bound to that one request: its method, path, query string and a digest
of its body, and it lives seconds. A header taken from one call is useless for another call, for
another service, or a minute later. Services refuse a request without a valid one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from shared import vocabulary

HEADER = "X-Chora-Identity"
VERSION = 2
# Seconds a signed header is accepted (the gateway signs right before it sends; this only
# absorbs clock differences between machines and a slow hop).
MAX_AGE = 30

STAFF_ROLES = vocabulary.STAFF_ROLES
PROGRAMME_ROLES = vocabulary.PROGRAMME_ROLES
EMPTY_BODY_DIGEST = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class Identity:
    person_id: str
    role: str
    library_id: str | None = None
    name: str = ""
    email: str = ""

    @property
    def is_programme_staff(self) -> bool:
        return self.role in PROGRAMME_ROLES

    def may_act_for(self, library_id: str) -> bool:
        """Library staff act for their own library only; programme staff for any."""
        return self.is_programme_staff or (self.role in STAFF_ROLES and self.library_id == library_id)


SYSTEM = Identity(person_id="system", role="system")


@dataclass(frozen=True)
class Binding:
    """What a signed header is valid for: one request to one service."""

    audience: str
    method: str
    path: str
    query: str = ""
    body_digest: str = EMPTY_BODY_DIGEST

    @classmethod
    def of(cls, audience: str, method: str, path: str, query: str = "", body: bytes | None = None) -> Binding:
        return cls(audience, method.upper(), path, query, hashlib.sha256(body or b"").hexdigest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, who: Identity, binding: Binding, *, now: float | None = None) -> str:
    """The header value for one request made for `who`."""
    claims = {"v": VERSION, "iat": int(now if now is not None else time.time()), "aud": binding.audience,
              "m": binding.method, "p": binding.path, "q": binding.query, "b": binding.body_digest, "id": asdict(who)}
    payload = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify(key: bytes | Sequence[bytes], token: str, binding: Binding, *, max_age: int = MAX_AGE,
           now: float | None = None) -> Identity:
    """The identity in a header value signed for exactly this request; ValueError otherwise.
    `key` may be a key ring (current key first, then keys being rotated out)."""
    ring = [key] if isinstance(key, bytes) else list(key)
    try:
        payload, mac = token.split(".", 1)
        given = _unb64(mac)
        if not any(hmac.compare_digest(hmac.new(k, payload.encode(), hashlib.sha256).digest(), given) for k in ring):
            raise ValueError("identity signature invalid")
        claims: dict[str, Any] = json.loads(_unb64(payload))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValueError("identity header malformed or not genuine") from exc
    at = now if now is not None else time.time()
    if claims.get("v") != VERSION or not isinstance(claims.get("iat"), int):
        raise ValueError("identity header of an unknown version")
    if not -5 <= at - claims["iat"] <= max_age:
        raise ValueError("identity header expired")
    bound = Binding(claims.get("aud", ""), claims.get("m", ""), claims.get("p", ""), claims.get("q", ""),
                    claims.get("b", ""))
    if bound != binding:
        raise ValueError("identity header signed for another request")
    data = claims.get("id")
    if not isinstance(data, dict) or not isinstance(data.get("person_id"), str) or not isinstance(data.get("role"), str):
        raise ValueError("identity header without an identity")
    return Identity(person_id=data["person_id"], role=data["role"], library_id=data.get("library_id"),
                    name=data.get("name") or "", email=data.get("email") or "")
