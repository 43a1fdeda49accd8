"""Who is calling: bearer access tokens for integrations, the signed session for the portal,
anonymous otherwise; the API's check of the portal's CSRF header. (Failed sign-ins are throttled by registration,
in its database, so that every gateway worker and replica shares one count.)"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, replace

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import ValidationError

from gateway.client import ANONYMOUS
from shared.identity import Identity

TOKEN_SALT = "chora-access-token-v1"
TOKEN_LIFETIME = 3600
SESSION_KEY = "identity"


def issue_token(secret: bytes, who: Identity) -> str:
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT).dumps(asdict(who))


def read_token(secret: bytes, token: str, max_age: int = TOKEN_LIFETIME) -> Identity | None:
    try:
        data = URLSafeTimedSerializer(secret, salt=TOKEN_SALT).loads(token, max_age=max_age)
        return Identity(**data)
    except (BadSignature, TypeError):
        return None


def identity_from_verified(data: dict) -> Identity:
    """Build an identity from registration's answer to POST /credentials/verify."""
    return Identity(person_id=str(data["person_id"]), role=data.get("role") or "member",
                    library_id=data.get("library_id"), name=data.get("name") or "",
                    email=data.get("email") or "")


def current_identity() -> Identity:
    """The caller: bearer token, else portal session, else anonymous (cached per request).

    A signed-in person's role and status are re-checked with registration at most every
    CHORA_ACCESS_RECHECK seconds: a deactivated or erased person is signed out (their token
    refused), and a changed role or library applies, without waiting for the next sign-in."""
    if "who" in g:
        return g.who
    who, via_session = ANONYMOUS, False
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        found = read_token(current_app.config["CHORA_BEARER_KEY"], header[7:].strip())
        who = found or ANONYMOUS
        g.bad_token = found is None
        if found is not None:
            who = still_allowed(found) or ANONYMOUS
            g.bad_token = who is ANONYMOUS
    elif session.get(SESSION_KEY):
        try:
            who, via_session = Identity(**session[SESSION_KEY]), True
        except TypeError:
            session.pop(SESSION_KEY, None)
        if via_session:
            now_allowed = still_allowed(who)
            if now_allowed is None:
                sign_out()
                who, via_session = ANONYMOUS, False
            else:
                if _stored(now_allowed) != session[SESSION_KEY]:
                    session[SESSION_KEY] = _stored(now_allowed)
                who = now_allowed
    g.who, g.via_session = who, via_session
    return who


class AccessChecks:
    """What registration last said about each signed-in person (this process; a few seconds old
    at most): the identity they act with now, or None if they may no longer act at all."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._known: dict[str, tuple[float, Identity | None]] = {}
        self._lock = threading.Lock()

    def get(self, person_id: str) -> tuple[bool, Identity | None]:
        hit = self._known.get(person_id)
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def put(self, person_id: str, who: Identity | None) -> None:
        with self._lock:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[person_id] = (time.monotonic() + self.ttl, who)

    def forget(self, person_id: str) -> None:
        with self._lock:
            self._known.pop(person_id, None)


def still_allowed(who: Identity) -> Identity | None:
    """`who` as registration knows the person now (role, library, name), or None if they were
    deactivated or erased. If registration cannot be asked, the signed identity stands."""
    from gateway.client import ServiceUnavailable
    from gateway.core import gw

    gateway = gw()
    checks = gateway.access_checks
    if checks.ttl <= 0:
        return who
    known, now_who = checks.get(who.person_id)
    if not known:
        try:
            resp = gateway.client.get("registration", f"/people/{who.person_id}", who)
        except ServiceUnavailable:
            return who  # registration is away: the signed identity stands until it is back
        if resp.status_code in (403, 404, 410):
            now_who = None  # erased, or no longer allowed to see themselves
        elif resp.status_code != 200:
            return who
        else:
            person = resp.json() or {}
            if person.get("status", "active") != "active":
                now_who = None
            else:
                now_who = replace(who, role=person.get("role") or who.role,
                                  library_id=person.get("library_id", who.library_id),
                                  name=person.get("name") or who.name, email=person.get("email") or who.email)
        checks.put(who.person_id, now_who)
    return now_who


def _stored(who: Identity) -> dict:
    """The identity as the session cookie keeps it: without the email address (the cookie is
    signed, not encrypted); the address comes from registration's answer when it is needed."""
    return asdict(replace(who, email=""))


def sign_in(who: Identity) -> None:
    session.clear()  # a fresh session on sign-in (no fixation; a new CSRF token follows)
    session[SESSION_KEY] = _stored(who)
    session.permanent = True


def sign_out() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def csrf_valid() -> bool:
    """Whether a request signed in by the session cookie carries the session's CSRF token in the
    X-CSRF-Token header (Flask-WTF's token, the one the portal's forms carry)."""
    try:
        validate_csrf(request.headers.get("X-CSRF-Token") or request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return False
    return True
