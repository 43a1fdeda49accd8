"""Signature, JWT-claim and status checks of the verifier (keys and status lists come from the caller)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from scoring.credentials.jsonld import CanonicalizationError, Canonicalizer
from scoring.credentials.keys import public_key_for
from scoring.credentials.proofs import (
    CRYPTOSUITE,
    JWT_ALG,
    PROOF_TYPE,
    ProofError,
    credential_from_jwt_payload,
    embedded_proof,
    issuer_id,
    jwt_claims,
    jwt_header,
    jwt_payload_unverified,
    parse_xsd_datetime,
    verify_data_integrity_proof,
    verify_jwt,
)
from scoring.credentials.result import Check, failed, passed, unknown
from scoring.credentials.status import StatusListError, is_set

KeySource = Callable[[str], Mapping[str, Any] | None]
StatusSource = Callable[[str], Mapping[str, Any] | str | None]


def check_signature(
    credential: Mapping[str, Any], token: str | None, keys: KeySource, canonicalizer: Canonicalizer, checks: list[Check]
) -> tuple[str | None, str | None, str | None]:
    """Check the JWT's or the embedded proof's signature; return (failing outcome or None, proof, key id)."""
    did = issuer_id(credential)
    try:
        published = keys(did)
    except Exception:  # the caller's source failing must read as "unknown", never as a crash
        published = None
    if token is not None:
        proof, header = "vc+jwt", jwt_header(token)
        key_id = header.get("kid") if isinstance(header.get("kid"), str) else None
        if header.get("alg") != JWT_ALG:
            checks.append(
                failed("signature", "JWT'en er ikke underskrevet med EdDSA.", "The JWT is not signed with EdDSA.")
            )
            return "invalid_signature", proof, key_id
    else:
        embedded = embedded_proof(credential)
        proof = f"{PROOF_TYPE} ({CRYPTOSUITE})"
        if (
            not isinstance(embedded, Mapping)
            or embedded.get("type") != PROOF_TYPE
            or embedded.get("cryptosuite") != CRYPTOSUITE
        ):
            checks.append(
                failed(
                    "signature",
                    "Certifikatet har intet eddsa-rdfc-2022-bevis.",
                    "The credential has no eddsa-rdfc-2022 proof.",
                )
            )
            return "invalid_signature", None, None
        key_id = embedded.get("verificationMethod") if isinstance(embedded.get("verificationMethod"), str) else None
        if embedded.get("proofPurpose") != "assertionMethod":
            checks.append(
                failed(
                    "signature",
                    "Beviset er ikke lavet til at udstede med.",
                    "The proof's purpose is not assertionMethod.",
                )
            )
            return "invalid_signature", proof, key_id
    public_key = public_key_for(published, did, key_id) if published and key_id else None
    if public_key is None:
        checks.append(
            failed(
                "signature",
                f"Nøglen {key_id} hører ikke til en kendt udsteder ({did}).",
                f"The key {key_id} does not belong to a known issuer ({did}).",
            )
        )
        return "unknown_issuer", proof, key_id
    try:
        good = (
            verify_jwt(token, public_key) is not None
            if token
            else verify_data_integrity_proof(credential, public_key, canonicalizer)
        )
    except (ProofError, CanonicalizationError) as exc:
        checks.append(
            failed("signature", f"Beviset kan ikke kontrolleres: {exc}", f"The proof cannot be checked: {exc}")
        )
        return "invalid_signature", proof, key_id
    if not good:
        checks.append(
            failed("signature", "Underskriften passer ikke til indholdet.", "The signature does not match the content.")
        )
        return "invalid_signature", proof, key_id
    checks.append(
        passed("signature", f"Underskrevet af {did} med nøglen {key_id}.", f"Signed by {did} with the key {key_id}.")
    )
    return None, proof, key_id


def check_claims(token: str, credential: Mapping[str, Any], checks: list[Check]) -> bool:
    """Check that the JWT's iss, jti, sub, nbf and exp say what its credential says."""
    payload = jwt_payload_unverified(token)
    expected = jwt_claims(credential)
    wrong = [name for name in ("iss", "jti", "sub", "nbf", "exp") if payload.get(name) != expected.get(name)]
    if wrong:
        checks.append(
            failed(
                "claims",
                f"JWT'ens felter passer ikke til certifikatet: {', '.join(wrong)}.",
                f"The JWT's claims do not match the credential: {', '.join(wrong)}.",
            )
        )
        return False
    checks.append(passed("claims", "JWT'ens felter passer til certifikatet.", "The JWT's claims match the credential."))
    return True


def check_status(
    credential: Mapping[str, Any],
    now: datetime,
    keys: KeySource,
    status_list: Mapping[str, Any] | str | None,
    fetch_status_list: StatusSource | None,
    canonicalizer: Canonicalizer,
    checks: list[Check],
) -> str | None:
    """Look the credential's bit up in its signed status list; return "revoked", "status_unknown" or None."""
    entry = credential["credentialStatus"]
    url = entry.get("statusListCredential")
    listed = status_list
    if listed is None and fetch_status_list is not None and isinstance(url, str):
        try:
            listed = fetch_status_list(url)
        except Exception:  # an unreachable list is "unknown", never a crash
            listed = None
    if listed is None:
        checks.append(unknown("status", "Statuslisten kunne ikke hentes.", "The status list could not be retrieved."))
        return "status_unknown"
    list_result = verify_status_list(
        listed, keys=keys, issuer=issuer_id(credential), now=now, canonicalizer=canonicalizer
    )
    if list_result is None:
        checks.append(
            unknown(
                "status",
                "Statuslisten er ikke gyldigt underskrevet af udstederen.",
                "The status list is not validly signed by the issuer.",
            )
        )
        return "status_unknown"
    try:
        revoked = is_set(list_result, entry)
    except StatusListError as exc:
        checks.append(
            unknown("status", f"Statuslisten kan ikke bruges: {exc}", f"The status list cannot be used: {exc}")
        )
        return "status_unknown"
    if revoked:
        checks.append(
            failed("status", "Udstederen har tilbagekaldt certifikatet.", "The issuer has revoked the credential.")
        )
        return "revoked"
    checks.append(passed("status", "Certifikatet er ikke tilbagekaldt.", "The credential has not been revoked."))
    return None


def verify_status_list(
    listed: Mapping[str, Any] | str, *, keys: KeySource, issuer: str, now: datetime, canonicalizer: Canonicalizer
) -> dict[str, Any] | None:
    """The status list credential if the issuer signed it and it is in force now, else None."""
    token: str | None = None
    try:
        if isinstance(listed, str) and listed.lstrip().startswith("{"):
            credential = json.loads(listed)  # the JSON-LD form, as text
        elif isinstance(listed, str):
            token = listed
            credential = credential_from_jwt_payload(jwt_payload_unverified(token))
        else:
            credential = dict(listed)
    except (ProofError, ValueError):
        return None
    if not isinstance(credential, dict):
        return None
    if issuer_id(credential) != issuer:
        return None
    scratch: list[Check] = []
    outcome, _, _ = check_signature(credential, token, keys, canonicalizer, scratch)
    if outcome:
        return None
    try:
        if now < parse_xsd_datetime(credential.get("validFrom")):
            return None
        if "validUntil" in credential and now > parse_xsd_datetime(credential["validUntil"]):
            return None
    except ValueError:
        return None
    return credential
