"""The two proofs: an embedded Data Integrity proof (eddsa-rdfc-2022) and VC-JOSE (`application/vc+jwt`).

Data Integrity follows W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.2: the proof
configuration (the proof options with the document's `@context`) and the document without its
proof are each canonicalised with RDFC-1.0 and hashed with SHA-256; the signature is Ed25519 over
proofConfigHash || documentHash, written as a base58-btc Multibase `proofValue`.

The JWT is signed with PyJWT (`PyJWT[crypto]`): header `alg` EdDSA, `kid` the verification method
(DID URL), `typ` `vc+jwt`; the payload is the credential itself (VC-JOSE-COSE) with the embedded
proof already in it (Open Badges 3.0 says the embedded proof is made first), plus the claims Open
Badges 3.0 asks for: `iss` issuer id, `jti` credential id, `sub` subject id, `nbf` validFrom and
`exp` validUntil.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from scoring.credentials.credential import xsd_datetime
from scoring.credentials.jsonld import Canonicalizer
from scoring.credentials.keys import IssuerKey, Keyring, multibase_base58btc, multibase_base58btc_decode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
JWT_TYPE = "vc+jwt"
JWT_ALG = "EdDSA"
JWT_CLAIMS = ("iss", "jti", "sub", "nbf", "exp")


class ProofError(ValueError):
    """A proof cannot be made or checked (malformed proof, unusable document)."""


def parse_xsd_datetime(value: Any) -> datetime:
    """Read an XML Schema dateTime with a timezone; raise ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError("not a dateTime string")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("dateTime without a timezone")
    return moment


def hash_data(unsecured: Mapping[str, Any], proof_options: Mapping[str, Any], canonicalizer: Canonicalizer) -> bytes:
    """SHA-256(canonical proof config) || SHA-256(canonical document), per eddsa-rdfc-2022."""
    if proof_options.get("type") != PROOF_TYPE or proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("the proof is not a DataIntegrityProof with cryptosuite eddsa-rdfc-2022")
    if "created" in proof_options:
        try:
            parse_xsd_datetime(proof_options["created"])
        except ValueError as exc:
            raise ProofError("the proof's `created` is not a valid dateTime") from exc
    if "@context" not in unsecured:
        raise ProofError("the document has no @context")
    proof_config = {**proof_options, "@context": unsecured["@context"]}
    canonical_proof_config = canonicalizer.canonicalize(proof_config)
    canonical_document = canonicalizer.canonicalize(unsecured)
    return (
        hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def add_data_integrity_proof(
    credential: Mapping[str, Any], keyring: Keyring, canonicalizer: Canonicalizer, created: datetime
) -> dict[str, Any]:
    """Return the credential with an embedded eddsa-rdfc-2022 proof by the keyring's signing key."""
    key = keyring.signing_key
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": keyring.method_id(key),
        "proofPurpose": "assertionMethod",
    }
    assert key.private_key is not None  # signing_key only returns keys with a private part
    signature = key.private_key.sign(hash_data(unsecured, options, canonicalizer))
    # A list of one proof: Open Badges 3.0's JSON Schema wants `proof` as an array (a proof set).
    return {**unsecured, "proof": [{**options, "proofValue": multibase_base58btc(signature)}]}


def embedded_proof(secured: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The credential's one embedded proof (given alone or as a set of one), or None."""
    proof = secured.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof if isinstance(proof, Mapping) else None


def verify_data_integrity_proof(
    secured: Mapping[str, Any], public_key: Ed25519PublicKey, canonicalizer: Canonicalizer
) -> bool:
    """Check the embedded eddsa-rdfc-2022 proof against a public key; raise ProofError if malformed."""
    proof = embedded_proof(secured)
    if proof is None or not isinstance(proof.get("proofValue"), str):
        raise ProofError("the credential has no embedded proof with a proofValue")
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        signature = multibase_base58btc_decode(proof["proofValue"])
    except ValueError as exc:
        raise ProofError("the proofValue is not base58-btc multibase") from exc
    data = hash_data(unsecured, options, canonicalizer)
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def issuer_id(credential: Mapping[str, Any]) -> Any:
    """The issuer's id: `issuer` itself when it is a string, else its `id`."""
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT claims Open Badges 3.0 asks for, derived from the credential."""
    subject = credential.get("credentialSubject") or {}
    claims: dict[str, Any] = {
        "iss": issuer_id(credential),
        "jti": credential.get("id"),
        "sub": subject.get("id") if isinstance(subject, Mapping) else None,
        "nbf": int(parse_xsd_datetime(credential["validFrom"]).timestamp()),
    }
    if "validUntil" in credential:
        claims["exp"] = int(parse_xsd_datetime(credential["validUntil"]).timestamp())
    return claims


def sign_jwt(credential: Mapping[str, Any], keyring: Keyring) -> str:
    """Secure the credential (embedded proof included) as a compact JWS with the signing key."""
    key: IssuerKey = keyring.signing_key
    payload = {**credential, **jwt_claims(credential)}
    assert key.private_key is not None  # signing_key only returns keys with a private part
    return jwt.encode(
        payload, key.private_key, algorithm=JWT_ALG, headers={"kid": keyring.method_id(key), "typ": JWT_TYPE}
    )


def jwt_header(token: str) -> dict[str, Any]:
    """The unverified JOSE header of a compact JWS; raise ProofError if it is not one."""
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ProofError("not a compact JWS") from exc


def jwt_payload_unverified(token: str) -> dict[str, Any]:
    """The payload of a compact JWS without checking its signature (to find the issuer's key)."""
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise ProofError("the JWS payload is not a JSON object") from exc


def verify_jwt(token: str, public_key: Ed25519PublicKey) -> dict[str, Any] | None:
    """Return the payload if the EdDSA signature is good, None if it is not; dates are checked elsewhere."""
    try:
        return jwt.decode(
            token,
            public_key,
            algorithms=[JWT_ALG],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
    except jwt.InvalidSignatureError:
        return None
    except jwt.PyJWTError as exc:
        raise ProofError(f"the JWS cannot be checked: {exc}") from exc


def credential_from_jwt_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The credential inside a vc+jwt payload (the payload without the JWT claims)."""
    return {k: v for k, v in payload.items() if k not in JWT_CLAIMS}
