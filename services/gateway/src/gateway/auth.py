"""Who is calling: bearer access tokens for integrations, the signed session for the portal,
anonymous otherwise; the portal's CSRF tokens.

A session and a token carry the person's id, role, library, name and session generation (no email
address). On every request the gateway checks them against the person's access as registration
knows it (gateway.access: a per-process cache that an event empties): an erased or deactivated
person, or a generation that moved on (logout, password change or reset), ends the session and
refuses the token; a changed role or library applies at once. When registration cannot be asked
and nothing is cached, the signed identity stands until it can be."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import ValidationError

from gateway.client import ANONYMOUS, ServiceUnavailable, url_path
from gateway.core import SignedIn, gw
from shared.identity import Identity

log = logging.getLogger(__name__)

TOKEN_SALT = "chora-access-token-v2"
TOKEN_LIFETIME = 3600
SESSION_KEY = "identity"


def _pack(who: Identity, generation: int | None) -> dict[str, Any]:
    return {"person_id": who.person_id, "role": who.role, "library_id": who.library_id, "name": who.name,
            "generation": generation}


def _unpack(data: Any) -> tuple[Identity, int | None] | None:
    if not isinstance(data, dict) or not isinstance(data.get("person_id"), str) or not isinstance(data.get("role"), str):
        return None
    generation = data.get("generation")
    who = Identity(person_id=data["person_id"], role=data["role"], library_id=data.get("library_id"),
                   name=data.get("name") or "")
    return who, generation if isinstance(generation, int) else None


def issue_token(secret: bytes, who: Identity, generation: int | None = None) -> str:
    """A bearer token for `who` (with their session generation, if registration gave one)."""
    if generation is None and isinstance(who, SignedIn):
        generation = who.session_generation
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT).dumps(_pack(who, generation))


def read_token(secret: bytes | list[bytes], token: str,
               max_age: int = TOKEN_LIFETIME) -> tuple[Identity, int | None] | None:
    """The identity in a bearer token; `secret` may be a key ring, the current key first."""
    ring = [secret] if isinstance(secret, bytes) else secret
    try:
        # itsdangerous takes its keys oldest first and signs with the last.
        data = URLSafeTimedSerializer(list(reversed(ring)), salt=TOKEN_SALT).loads(token, max_age=max_age)
    except BadSignature:
        return None
    return _unpack(data)


def still_allowed(who: Identity, generation: int | None) -> Identity | None:
    """`who` as registration knows the person now, or None once their session or token ended;
    when registration cannot be asked, the signed identity stands."""
    try:
        return gw().access.allowed(who, generation)
    except ServiceUnavailable:
        return who


def current_identity() -> Identity:
    """The caller: bearer token, else portal session, else anonymous (cached per request)."""
    if "who" in g:
        return g.who  # type: ignore[no-any-return]
    who, via_session = ANONYMOUS, False
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        found = read_token(current_app.config["CHORA_BEARER_KEYS"], header[7:].strip())
        now = still_allowed(*found) if found is not None else None
        who = now or ANONYMOUS
        g.bad_token = now is None
    elif session.get(SESSION_KEY):
        signed = _unpack(session[SESSION_KEY])
        if signed is None:
            _drop_session()
        else:
            now = still_allowed(*signed)
            if now is None:
                _drop_session()
            else:
                if now != signed[0]:
                    session[SESSION_KEY] = _pack(now, signed[1])
                who, via_session = now, True
    g.who, g.via_session = who, via_session
    return who


def sign_in(who: Identity) -> None:
    """Start a fresh portal session for `who` (no fixation)."""
    session.clear()
    session[SESSION_KEY] = _pack(who, who.session_generation if isinstance(who, SignedIn) else None)
    session.permanent = True  # a new CSRF token follows (Flask-WTF keeps it in the fresh session)


def sign_out() -> None:
    """Log out: registration ends the person's sessions and tokens everywhere (it moves their
    session generation on), and this cookie is emptied (keeping the chosen language)."""
    found = _unpack(session.get(SESSION_KEY))
    if found is not None:
        who = found[0]
        try:
            resp = gw().client.post("registration", url_path("/people/{}/sessions/end", who.person_id), who)
            if resp.status_code >= 400 and resp.status_code not in (404, 405):
                log.warning("sessions not ended", extra={"status": resp.status_code})
        except ServiceUnavailable:
            log.warning("sessions not ended: registration unavailable")  # this cookie ends all the same
        gw().forget_person(who.person_id)
    _drop_session()


def _drop_session() -> None:
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
