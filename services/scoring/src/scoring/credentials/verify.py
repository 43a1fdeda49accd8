"""Verify a credential however it arrives: JSON-LD with its proof, a vc+jwt, or a baked PNG or SVG.

The result lists every check (form, shape, signature, JWT claims, dates, status) with a Danish and
an English message, ready for the public page `/certifikat/{id}` and for
`POST /api/v1/public/verifications`. Nothing here goes to the network: the issuer's published keys
come from `keys(did)` (its DID document or JWKS) and the status list from `status_list` or
`fetch_status_list(url)`, both given by the caller. Which issuers `keys` answers for is the
verifier's trust decision: an unknown issuer is reported as such, never looked up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scoring.credentials.baking import PNG_SIGNATURE, BakingError, unbake_png, unbake_svg
from scoring.credentials.credential import danish_date
from scoring.credentials.jsonld import OB_V3P0, VC_V2, Canonicalizer
from scoring.credentials.proofs import (
    ProofError,
    credential_from_jwt_payload,
    issuer_id,
    jwt_header,
    jwt_payload_unverified,
    parse_xsd_datetime,
)
from scoring.credentials.result import OUTCOME_TEXT, Check, VerificationResult, failed, passed, result
from scoring.credentials.signatures import KeySource, StatusSource, check_claims, check_signature, check_status

__all__ = ["OUTCOME_TEXT", "Check", "KeySource", "StatusSource", "VerificationResult", "shape_problems", "verify"]

MAX_INPUT_BYTES = 5 * 1024 * 1024
JSON_LD_TEXT = ("Certifikatet er JSON-LD med indlejret bevis.", "The credential is JSON-LD with an embedded proof.")
COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def verify(
    data: Mapping[str, Any] | str | bytes,
    *,
    keys: KeySource,
    now: datetime,
    status_list: Mapping[str, Any] | str | None = None,
    fetch_status_list: StatusSource | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> VerificationResult:
    """Verify a credential (JSON-LD, JWT, or baked PNG/SVG bytes) and explain every check."""
    canonicalizer = canonicalizer or Canonicalizer()
    checks: list[Check] = []
    source, content = _read(data, checks)
    if content is None:
        return result(checks, "malformed", source, None, None, None)

    token: str | None = None
    if isinstance(content, str):
        token = content
        try:
            jwt_header(token)
            credential = credential_from_jwt_payload(jwt_payload_unverified(token))
        except ProofError:
            checks.append(failed("form", "JWT'en kan ikke læses.", "The JWT cannot be read."))
            return result(checks, "malformed", source, None, None, None)
    else:
        credential = dict(content)

    problems = shape_problems(credential)
    if problems:
        checks.append(
            failed(
                "shape", "Certifikatet mangler: " + "; ".join(problems), "The credential lacks: " + "; ".join(problems)
            )
        )
        return result(checks, "malformed", source, None, None, credential)
    checks.append(
        passed(
            "shape",
            "Certifikatet har den form, Open Badges 3.0 kræver.",
            "The credential has the shape Open Badges 3.0 requires.",
        )
    )

    outcome, proof, key_id = check_signature(credential, token, keys, canonicalizer, checks)
    if outcome:
        return result(checks, outcome, source, proof, key_id, credential)
    if token is not None and not check_claims(token, credential, checks):
        return result(checks, "invalid_signature", source, proof, key_id, credential)

    dates = _check_dates(credential, now, checks)
    status = check_status(credential, now, keys, status_list, fetch_status_list, canonicalizer, checks)
    outcome = status if status == "revoked" else dates or status or "valid"
    return result(checks, outcome, source, proof, key_id, credential)


def shape_problems(credential: Mapping[str, Any]) -> list[str]:
    """What an OpenBadgeCredential must have and this one lacks (empty when the shape is right)."""
    problems = []
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or contexts[:2] != [VC_V2, OB_V3P0]:
        problems.append(f"@context [{VC_V2}, {OB_V3P0}]")
    types = _types(credential.get("type"))
    if "VerifiableCredential" not in types or "OpenBadgeCredential" not in types:
        problems.append("type VerifiableCredential, OpenBadgeCredential")
    if not isinstance(credential.get("id"), str):
        problems.append("id")
    if not isinstance(issuer_id(credential), str):
        problems.append("issuer.id")
    for name in ("validFrom", "validUntil"):
        if name in credential or name == "validFrom":
            try:
                parse_xsd_datetime(credential.get(name))
            except ValueError:
                problems.append(name)
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or "AchievementSubject" not in _types(subject.get("type")):
        problems.append("credentialSubject (AchievementSubject)")
    else:
        achievement = subject.get("achievement")
        if not isinstance(achievement, Mapping) or not all(
            achievement.get(k) for k in ("id", "type", "name", "description", "criteria")
        ):
            problems.append("credentialSubject.achievement (id, type, name, description, criteria)")
    status = credential.get("credentialStatus")
    if not isinstance(status, Mapping) or not isinstance(status.get("statusListCredential"), str):
        problems.append("credentialStatus (statusListCredential)")
    return problems


def _types(value: Any) -> list[str]:
    """A `type` value as a list of strings (one string alone is allowed); anything else is none."""
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def _read(
    data: Mapping[str, Any] | str | bytes, checks: list[Check]
) -> tuple[str | None, Mapping[str, Any] | str | None]:
    """Find the credential in what was given: (source, JSON-LD mapping or compact JWS)."""
    if isinstance(data, Mapping):
        checks.append(passed("form", *JSON_LD_TEXT))
        return "json-ld", data
    source = None
    try:
        if isinstance(data, bytes):
            if len(data) > MAX_INPUT_BYTES:
                raise BakingError("too large")
            if data.startswith(PNG_SIGNATURE):
                source, text = "png", unbake_png(data)
            elif data.lstrip().startswith(b"<"):
                source, text = "svg", unbake_svg(data)
            else:
                text = data.decode("utf-8")
        elif data.lstrip().startswith("<"):
            source, text = "svg", unbake_svg(data)
        else:
            text = data
    except (BakingError, UnicodeDecodeError, ValueError):
        checks.append(failed("form", "Billedet eller filen kan ikke læses.", "The image or file cannot be read."))
        return source, None
    if text is None:
        checks.append(failed("form", "Billedet indeholder intet certifikat.", "The image carries no credential."))
        return source, None
    text = text.strip()
    if COMPACT_JWS.match(text):
        checks.append(passed("form", "Certifikatet er en JWT (vc+jwt).", "The credential is a JWT (vc+jwt)."))
        return source or "jwt", text
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        checks.append(
            failed("form", "Indholdet er hverken JSON-LD eller en JWT.", "The content is neither JSON-LD nor a JWT.")
        )
        return source, None
    checks.append(passed("form", *JSON_LD_TEXT))
    return source or "json-ld", parsed


def _check_dates(credential: Mapping[str, Any], now: datetime, checks: list[Check]) -> str | None:
    valid_from = parse_xsd_datetime(credential["validFrom"])
    valid_until = parse_xsd_datetime(credential["validUntil"]) if "validUntil" in credential else None
    if now < valid_from:
        checks.append(
            failed("dates", f"Gyldigt først fra {danish_date(valid_from)}.", f"Valid only from {valid_from:%Y-%m-%d}.")
        )
        return "not_yet_valid"
    if valid_until is not None and now > valid_until:
        checks.append(failed("dates", f"Udløb {danish_date(valid_until)}.", f"Expired on {valid_until:%Y-%m-%d}."))
        return "expired"
    until_da = f" til og med {danish_date(valid_until)}" if valid_until else ""
    until_en = f" until {valid_until:%Y-%m-%d}" if valid_until else ""
    checks.append(
        passed(
            "dates", f"Gyldigt fra {danish_date(valid_from)}{until_da}.", f"Valid from {valid_from:%Y-%m-%d}{until_en}."
        )
    )
    return None
