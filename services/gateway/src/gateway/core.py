"""What the portal and the public API share: the gateway of this request, sign-in, and enforcing
the authorisation table (also on evidence items and people, whose library is looked up as the
caller)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, request

from gateway import authz
from gateway.bootstrap import Gateway
from gateway.client import url_path
from shared.http import Problem
from shared.identity import Identity


def gw() -> Gateway:
    """The gateway this app serves with."""
    return cast(Gateway, current_app.extensions["gateway"])


def client_address() -> str:
    return request.remote_addr or "unknown"


class SignInRefused(Exception):
    def __init__(self, throttled: bool):
        super().__init__("throttled" if throttled else "refused")
        self.throttled = throttled


@dataclass(frozen=True)
class SignedIn(Identity):
    """Who signed in, with the session generation registration gave them (None: it did not say)."""

    session_generation: int | None = None


def identity_from_verified(data: dict[str, Any]) -> SignedIn:
    """The person from registration's answer to POST /credentials/verify."""
    generation = data.get("session_generation")
    return SignedIn(person_id=str(data["person_id"]), role=data.get("role") or "member",
                    library_id=data.get("library_id"), name=data.get("name") or "",
                    session_generation=generation if isinstance(generation, int) else None)


def authenticate(email: str, password: str) -> SignedIn:
    """Check credentials with registration; raise SignInRefused (same for unknown and wrong).

    Registration throttles failed sign-ins per account and per client address in its database,
    shared by every gateway worker and replica; it needs the address this gateway saw."""
    resp = gw().client.post("registration", "/credentials/verify",
                            json={"email": email, "password": password, "client_address": client_address()})
    if resp.status_code == 429:
        raise SignInRefused(throttled=True)
    if resp.status_code != 200:
        raise SignInRefused(throttled=False)
    return identity_from_verified(resp.json())


def enforce(who: Identity, action: str, library_id: str | None = None) -> None:
    """Raise the problem the authorisation table asks for, or return if allowed."""
    decision = authz.decide(who, action, library_id)
    if decision is authz.Decision.ALLOW:
        return
    if decision is authz.Decision.UNAUTHENTICATED:
        raise Problem(401, "Du skal logge ind.", detail_en="Sign in first.", code="unauthenticated")
    if decision is authz.Decision.FORBIDDEN:
        raise Problem(403, "Din rolle giver ikke adgang til dette.", detail_en="Your role does not allow this.",
                      code="forbidden")
    raise Problem(404, "Findes ikke.", detail_en="Not found.", code="not_found")


def evidence_library(who: Identity, evidence_id: str) -> tuple[str | None, dict[str, Any] | None]:
    """The library an evidence item belongs to, as the service lets this caller see it."""
    resp = gw().client.get("evidence", url_path("/evidence/{}", evidence_id), who)
    if resp.status_code != 200:
        raise Problem(404, "Findes ikke.", detail_en="Not found.", code="not_found")
    item = resp.json()
    return item.get("library_id"), item


def enforce_on_evidence(who: Identity, action: str, evidence_id: str) -> dict[str, Any] | None:
    """Enforce an action on an evidence item: its library decides own or other."""
    if authz.scope(who.role, action) != authz.OWN:
        enforce(who, action, None if authz.scope(who.role, action) == authz.ANY else "?")
        return None
    library_id, item = evidence_library(who, evidence_id)
    enforce(who, action, library_id or "?")
    return item


def enforce_on_person(who: Identity, action: str, person_id: str) -> None:
    """Enforce an action on a person: the library they belong to decides own or other.

    A person this caller cannot see (unknown, another library's, or erased) is left to the
    service, which alone can tell an erased colleague (409 person_erased) from someone the
    caller may not know about (404); the role must still be allowed the action at all.
    """
    if authz.scope(who.role, action) != authz.OWN:
        enforce(who, action, None if authz.scope(who.role, action) == authz.ANY else "?")
        return
    resp = gw().client.get("registration", url_path("/people/{}", person_id), who)
    if resp.status_code == 200:
        enforce(who, action, resp.json().get("library_id") or "?")
    elif resp.status_code == 404:
        enforce(who, action)
    else:
        raise Problem(404, "Findes ikke.", detail_en="Not found.", code="not_found")
