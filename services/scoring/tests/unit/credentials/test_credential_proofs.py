import json
from datetime import UTC, datetime, timedelta

import base58
import joserfc.errors
import pytest
from credentials_independent import DATA, eddsa_rdfc_2022_ok, multikey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from scoring.credentials import CanonicalizationError, Canonicalizer, IssuerKey, Keyring, OfflineLoader
from scoring.credentials.jsonld import shipped_contexts
from scoring.credentials.keys import public_key_from_multibase
from scoring.credentials.proofs import add_data_integrity_proof, verify_data_integrity_proof

pytestmark = pytest.mark.unit


def decode_with_joserfc(token: str, jwks: dict):
    # joserfc is not what signed the token (PyJWT did); EdDSA has to be allowed by name.
    with pytest.warns(joserfc.errors.SecurityWarning):
        return jose_jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])


def test_embedded_proof_verifies_with_independent_canonicalisation_and_cryptography(issued, keyring):
    (proof,) = issued.credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == "did:web:verdensmaal.example.dk#key-1"
    assert proof["proofValue"].startswith("z")
    public_key = multikey(keyring.did_document(), proof["verificationMethod"])
    assert eddsa_rdfc_2022_ok(issued.credential, public_key)


def test_status_list_proof_verifies_independently(status_list, keyring):
    (proof,) = status_list.credential["proof"]
    assert eddsa_rdfc_2022_ok(status_list.credential, multikey(keyring.did_document(), proof["verificationMethod"]))


def test_one_changed_character_in_the_subject_breaks_the_embedded_proof(issued, keyring):
    tampered = json.loads(json.dumps(issued.credential))
    tampered["credentialSubject"]["name"] = "Aarhus Kommunes Bibliotekes"
    public_key = multikey(keyring.did_document(), "did:web:verdensmaal.example.dk#key-1")
    assert not eddsa_rdfc_2022_ok(tampered, public_key)
    assert not verify_data_integrity_proof(tampered, public_key, Canonicalizer())


def test_jwt_decodes_with_another_library_and_its_claims_match_the_credential(issued, keyring):
    token = decode_with_joserfc(issued.jwt, keyring.jwks())
    assert token.header == {"alg": "EdDSA", "kid": "did:web:verdensmaal.example.dk#key-1", "typ": "vc+jwt"}
    claims, credential = token.claims, issued.credential
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["jti"] == credential["id"]
    assert claims["sub"] == credential["credentialSubject"]["id"]
    assert claims["nbf"] == int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    assert claims["exp"] == int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    # The payload is the credential itself, embedded proof included.
    assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "sub", "nbf", "exp")} == credential


def test_a_jwt_with_one_changed_character_is_rejected_by_another_library(issued, keyring):
    header, payload, signature = issued.jwt.split(".")
    changed = payload[:40] + ("A" if payload[40] != "A" else "B") + payload[41:]
    with pytest.raises(joserfc.errors.BadSignatureError):
        decode_with_joserfc(f"{header}.{changed}.{signature}", keyring.jwks())


def test_signing_reproduces_the_w3c_eddsa_rdfc_2022_test_vector():
    vector = json.loads((DATA / "w3c-eddsa-rdfc-2022-signedDataInt.json").read_text())
    pair = json.loads((DATA / "w3c-eddsa-keyPair.json").read_text())
    examples = json.loads((DATA / "w3c-credentials-examples-v2.jsonld").read_text())
    loader = OfflineLoader(shipped_contexts() | {"https://www.w3.org/ns/credentials/examples/v2": examples})
    public = public_key_from_multibase(pair["publicKeyMultibase"])
    secret = base58.b58decode(pair["privateKeyMultibase"][1:])
    assert secret[:2] == b"\x80\x26"  # the multicodec of an Ed25519 private key
    private = Ed25519PrivateKey.from_private_bytes(secret[2:])
    key = IssuerKey(kid=pair["publicKeyMultibase"], public_key=public, private_key=private)
    keyring = Keyring(f"did:key:{pair['publicKeyMultibase']}", [key])
    unsigned = {k: v for k, v in vector.items() if k != "proof"}
    created = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
    signed = add_data_integrity_proof(unsigned, keyring, Canonicalizer(loader), created)
    assert signed["proof"] == [vector["proof"]]
    assert verify_data_integrity_proof(vector, public, Canonicalizer(loader))


def test_loader_refuses_every_context_it_does_not_ship(issued):
    foreign = {**issued.credential, "@context": [*issued.credential["@context"], "https://evil.example/ctx.jsonld"]}
    with pytest.raises(CanonicalizationError, match="not shipped"):
        Canonicalizer().canonicalize(foreign)
    with pytest.raises(Exception, match="not shipped"):
        OfflineLoader()("https://www.w3.org/2018/credentials/v1")


def test_a_property_the_contexts_do_not_define_is_refused_not_silently_left_unsigned(issued):
    extra = {**{k: v for k, v in issued.credential.items() if k != "proof"}, "luckyNumber": 7}
    with pytest.raises(CanonicalizationError, match="luckyNumber"):
        Canonicalizer().canonicalize(extra)
    untyped = json.loads(json.dumps(extra))
    del untyped["luckyNumber"]
    untyped["type"].append("MadeUpType")
    with pytest.raises(CanonicalizationError, match="MadeUpType"):
        Canonicalizer().canonicalize(untyped)


def test_proof_created_is_the_signing_time_and_the_credential_does_not_change(issuer, facts, now):
    issued = issuer.issue(facts, now - timedelta(hours=2))
    assert issued.credential["proof"][0]["created"] == (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    again = issuer.issue(facts, now - timedelta(hours=1))
    strip = lambda c: {k: v for k, v in c.items() if k != "proof"}  # noqa: E731
    assert strip(issued.credential) == strip(again.credential)
