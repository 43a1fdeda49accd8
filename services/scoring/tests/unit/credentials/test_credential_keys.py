import json
import stat
from datetime import timedelta

import pytest
from credentials_independent import canonical, eddsa_rdfc_2022_ok, multikey
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scoring.credentials import (
    InvalidKey,
    Issuer,
    Keyring,
    did_document_path,
    did_web,
    ensure_key_file,
    generate_key,
    load_keyring,
    rotate_key_file,
    verify,
)
from scoring.credentials.keys import b64url_decode, did_web_document_url

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("public_url", "did", "path"),
    [
        ("https://verdensmaal.example.dk", "did:web:verdensmaal.example.dk", "/.well-known/did.json"),
        ("http://127.0.0.1:8080", "did:web:127.0.0.1%3A8080", "/.well-known/did.json"),
        ("https://Example.DK:443/", "did:web:example.dk", "/.well-known/did.json"),
        ("https://example.dk/sdg/certifikater", "did:web:example.dk:sdg:certifikater", "/sdg/certifikater/did.json"),
        ("https://bibliotek.ærø.dk", "did:web:bibliotek.xn--r-3fa9c.dk", "/.well-known/did.json"),
    ],
)
def test_did_web_follows_from_the_public_url_as_the_did_web_method_says(public_url, did, path):
    assert did_web(public_url) == did
    assert did_document_path(public_url) == path
    # Resolving the DID back (as a verifier does) lands on the same path.
    assert did_web_document_url(did).endswith(path)


def test_did_document_publishes_every_key_as_a_multikey_for_assertions(now):
    old, new = generate_key("key-1", now - timedelta(days=400)), generate_key("key-2", now)
    keyring = Keyring("did:web:verdensmaal.example.dk", [old, new])
    document = keyring.did_document()
    assert document["id"] == "did:web:verdensmaal.example.dk"
    assert document["assertionMethod"] == [
        "did:web:verdensmaal.example.dk#key-1",
        "did:web:verdensmaal.example.dk#key-2",
    ]
    assert all(m["type"] == "Multikey" for m in document["verificationMethod"])
    for key in (old, new):
        decoded = multikey(document, f"did:web:verdensmaal.example.dk#{key.kid}")
        assert decoded.public_bytes_raw() == key.public_key.public_bytes_raw()
    # The document is well-formed JSON-LD for its own contexts (read independently).
    assert "https://w3id.org/security#assertionMethod" in canonical(document)
    assert all("d" not in jwk for jwk in keyring.jwks()["keys"])
    assert "privateKey" not in json.dumps(document) and "secretKey" not in json.dumps(document)


def test_jwks_publishes_public_keys_only_under_the_kids_jwt_headers_name(now):
    keyring = Keyring("did:web:verdensmaal.example.dk", [generate_key("key-1", now)])
    (jwk,) = keyring.jwks()["keys"]
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert jwk["kid"] == "did:web:verdensmaal.example.dk#key-1"
    assert b64url_decode(jwk["x"]) == keyring.keys[0].public_key.public_bytes_raw()


def test_the_newest_key_signs_and_credentials_of_the_old_key_still_verify(facts, now, tmp_path):
    path = tmp_path / "issuer-keys.json"
    ensure_key_file(path, now - timedelta(days=400))
    old_issuer = Issuer.from_jwks(facts.public_url, path.read_text())
    old = old_issuer.issue(facts, now - timedelta(days=1))
    rotated = rotate_key_file(path, now)
    issuer = Issuer.from_jwks(facts.public_url, rotated)
    new = issuer.issue(facts, now)
    assert len(issuer.keyring.keys) == 2
    assert new.credential["proof"][0]["verificationMethod"] == issuer.keyring.method_id(issuer.keyring.keys[1])
    assert old.credential["proof"][0]["verificationMethod"] == issuer.keyring.method_id(issuer.keyring.keys[0])
    document = issuer.keyring.did_document()
    for credential in (old.credential, new.credential):
        method = credential["proof"][0]["verificationMethod"]
        assert eddsa_rdfc_2022_ok(credential, multikey(document, method))
    # Through the verifier as well, JWT included, with only the published document.
    for token in (old.jwt, new.jwt):
        result = verify(token, keys=lambda did: document, now=now, status_list=None)
        assert [c.ok for c in result.checks if c.name == "signature"] == [True]


def test_key_file_is_made_once_private_to_its_owner_and_then_reused(now, tmp_path):
    path = tmp_path / ".run" / "issuer-keys.json"
    first = ensure_key_file(path, now)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_key_file(path, now + timedelta(days=1)) == first
    (entry,) = json.loads(first)["keys"]
    assert entry["kty"] == "OKP" and entry["crv"] == "Ed25519" and entry["kid"] and entry["d"]


def test_keys_load_from_pem_files_with_their_kids(now):
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    keyring = Keyring.from_pems(
        "did:web:x.example", [("retired", public_pem, "2020-01-01"), ("current", pem, now.isoformat())]
    )
    assert keyring.signing_key.kid == "current"
    assert [m["id"] for m in keyring.did_document()["verificationMethod"]] == [
        "did:web:x.example#retired",
        "did:web:x.example#current",
    ]


@pytest.mark.parametrize(
    ("jwks", "reason"),
    [
        ({"keys": []}, "no keys"),
        ({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}]}, "kid"),
        ({"keys": [{"kty": "RSA", "kid": "k", "n": "x", "e": "AQAB"}]}, "Ed25519"),
    ],
)
def test_unusable_key_configuration_is_refused_with_a_reason(jwks, reason):
    with pytest.raises(InvalidKey, match=reason):
        Keyring.from_jwks("did:web:x.example", jwks)


def test_a_private_key_that_does_not_match_its_public_part_is_refused(now):
    one, other = generate_key("k", now).private_jwk(), generate_key("k", now).private_jwk()
    with pytest.raises(InvalidKey, match="belong together"):
        Keyring.from_jwks("did:web:x.example", {"keys": [{**one, "x": other["x"]}]})


def test_issuer_refuses_a_keyring_of_another_did(now):
    with pytest.raises(ValueError, match="did:web"):
        Issuer(Keyring("did:web:other.example", [generate_key("k", now)]), "https://verdensmaal.example.dk")


def test_configured_jwks_wins_over_the_key_file_and_no_keys_at_all_is_refused(now, tmp_path):
    configured = Keyring("did:web:x.example", [generate_key("from-secret", now)]).private_jwks()
    keyring = load_keyring("https://x.example", jwks=json.dumps(configured), key_file=tmp_path / "k.json", now=now)
    assert [k.kid for k in keyring.keys] == ["from-secret"] and not (tmp_path / "k.json").exists()
    from_file = load_keyring("https://x.example", key_file=tmp_path / "k.json", now=now)
    assert from_file.signing_key.private_key is not None and (tmp_path / "k.json").exists()
    with pytest.raises(InvalidKey, match="no issuer keys"):
        load_keyring("https://x.example", now=now)
