"""Who is calling: bearer access tokens for integrations, the signed session for the portal,
anonymous otherwise; the portal's CSRF tokens. (Failed sign-ins are throttled by registration,
in its database, so that every gateway worker and replica shares one count.)"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import asdict

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway.client import ANONYMOUS
from shared.identity import Identity

TOKEN_SALT = "chora-access-token-v1"
TOKEN_LIFETIME = 3600
SESSION_KEY = "identity"


def issue_token(secret: str, who: Identity) -> str:
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT).dumps(asdict(who))


def read_token(secret: str, token: str, max_age: int = TOKEN_LIFETIME) -> Identity | None:
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
    """The caller: bearer token, else portal session, else anonymous (cached per request)."""
    if "who" in g:
        return g.who
    who, via_session = ANONYMOUS, False
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        found = read_token(current_app.config["SECRET_KEY"], header[7:].strip())
        who = found or ANONYMOUS
        g.bad_token = found is None
    elif session.get(SESSION_KEY):
        try:
            who, via_session = Identity(**session[SESSION_KEY]), True
        except TypeError:
            session.pop(SESSION_KEY, None)
    g.who, g.via_session = who, via_session
    return who


def sign_in(who: Identity) -> None:
    from gateway.portal.i18n import forget  # (the portal package imports this module)

    session.clear()  # a fresh session on sign-in (no fixation)
    forget()
    session[SESSION_KEY] = asdict(who)
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True


def sign_out() -> None:
    from gateway.portal.i18n import forget

    lang = session.get("lang")
    session.clear()
    forget()
    if lang:
        session["lang"] = lang


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def csrf_valid() -> bool:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(sent, expected)
