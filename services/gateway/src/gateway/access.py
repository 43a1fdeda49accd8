"""Whether a signed-in person may still act, and as what: their status, role, library and session
generation as registration knows them, kept per process in a cache that an event empties.

Registration's contract (issue 12 point 4): `GET /people/{person_id}/access`, asked as the system,
answers `{person_id, status, role, library_id, session_generation}`, or 404 for an erased or
unknown person; `person.access_changed` is emitted whenever any of these changes (logout,
password change or reset, deactivation, reactivation, role change, erasure). Every gateway
process hears it (access_events) and forgets the person, so the next request asks again.

The cache is trusted only while the subscription is attached: while it is not (the broker is
away, or the process has not attached yet) every request asks registration, and on (re)attaching
the whole cache is emptied, since events may have been missed in between. Its TTL is only a
safety net."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TLRUCache

from gateway.client import ServiceClient, url_path
from shared.identity import SYSTEM, Identity

GONE = "gone"  # the cached answer for an erased or unknown person
# Until registration serves /people/{id}/access, the gateway reads the person as they see
# themselves (GET /people/{id}); such an answer carries no generation and, with no event to end
# it, is kept this long (seconds). Remove with `_legacy_access` once registration has the route.
LEGACY_TTL = 60.0


@dataclass(frozen=True)
class Access:
    """What registration says about one person's access."""

    person_id: str
    status: str
    role: str
    library_id: str | None
    session_generation: int | None  # None: registration did not say (the legacy answer)

    @classmethod
    def of(cls, data: dict) -> Access:
        generation = data.get("session_generation")
        return cls(person_id=str(data["person_id"]), status=str(data.get("status") or "active"),
                   role=str(data.get("role") or "member"), library_id=data.get("library_id"),
                   session_generation=generation if isinstance(generation, int) else None)


@dataclass(frozen=True)
class _Entry:
    access: Access | None  # None: erased or unknown
    ttl: float


class AccessCache:
    """Each person's Access (or None: gone) for at most `ttl` seconds; thread-safe."""

    def __init__(self, ttl: float, *, maxsize: int = 10_000, timer: Callable[[], float] = time.monotonic,
                 trusted: Callable[[], bool] = lambda: True):
        self._data: TLRUCache[str, _Entry] = TLRUCache(maxsize=maxsize, ttu=lambda _k, v, now: now + v.ttl,
                                                       timer=timer)
        self._lock = threading.Lock()
        self.ttl = ttl
        self.trusted = trusted

    def get(self, person_id: str) -> _Entry | None:
        if not self.trusted():
            return None
        with self._lock:
            return self._data.get(person_id)

    def put(self, person_id: str, access: Access | None, ttl: float | None = None) -> None:
        with self._lock:
            self._data[person_id] = _Entry(access, self.ttl if ttl is None else ttl)

    def forget(self, person_id: str) -> None:
        with self._lock:
            self._data.pop(person_id, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class AccessChecks:
    """Answers "may this signed identity still act, and as what?" from the cache or registration."""

    def __init__(self, client: ServiceClient, cache: AccessCache):
        self.client, self.cache = client, cache

    def access_of(self, who: Identity) -> Access | None:
        """The person's access now (None: erased or unknown); raises ServiceUnavailable."""
        hit = self.cache.get(who.person_id)
        if hit is not None:
            return hit.access
        resp = self.client.get("registration", url_path("/people/{}/access", who.person_id), SYSTEM)
        if resp.status_code == 200:
            access: Access | None = Access.of(resp.json())
            self.cache.put(who.person_id, access)
            return access
        if resp.status_code == 404 and _problem_code(resp.content) is not None:
            self.cache.put(who.person_id, None)
            return None
        return self._legacy_access(who)

    def _legacy_access(self, who: Identity) -> Access | None:
        """The person as they see themselves, from a registration without the access route."""
        resp = self.client.get("registration", url_path("/people/{}", who.person_id), who)
        if resp.status_code in (403, 404, 410):
            access = None
        elif resp.status_code != 200:
            return Access(who.person_id, "active", who.role, who.library_id, None)  # it could not say
        else:
            access = Access.of({**resp.json(), "person_id": who.person_id})
        self.cache.put(who.person_id, access, LEGACY_TTL)
        return access

    def allowed(self, who: Identity, generation: int | None) -> Identity | None:
        """`who` as registration knows the person now (role, library), or None when the signed
        session or token has ended: the person was erased or deactivated, or their session
        generation moved on (logout, password change or reset)."""
        access = self.access_of(who)
        if access is None or access.status != "active":
            return None
        if access.session_generation is not None and generation is not None \
                and access.session_generation != generation:
            return None
        if (access.role, access.library_id) == (who.role, who.library_id):
            return who
        return Identity(person_id=who.person_id, role=access.role, library_id=access.library_id,
                        name=who.name, email=who.email)


def _problem_code(body: bytes) -> str | None:
    """The `code` of a problem+json answer: registration's 404 for a person has one, a 404 for a
    route it does not have yet has none."""
    try:
        code = json.loads(body).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) else None
