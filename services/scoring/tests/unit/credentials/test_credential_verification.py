import base64
import json
from datetime import timedelta

import jwt as pyjwt
import pytest

from scoring.credentials import Issuer, Keyring, generate_key, verify

pytestmark = pytest.mark.unit


def test_a_genuine_credential_passes_every_check_with_danish_and_english_messages(issued, status_list, keys, now):
    for form, source in (
        (issued.credential, "json-ld"),
        (issued.jwt, "jwt"),
        (json.dumps(issued.credential), "json-ld"),
    ):
        result = verify(form, keys=keys, now=now, status_list=status_list.credential)
        assert result.verified and result.outcome == "valid"
        assert result.source == source
        assert result.key_id == "did:web:verdensmaal.example.dk#key-1"
        assert result.message_da == "Certifikatet er ægte og gyldigt."
        names = [c.name for c in result.checks]
        assert names[:1] == ["form"] and {"shape", "signature", "dates", "status"} <= set(names)
        assert all(c.ok and c.message_da and c.message_en for c in result.checks)
        assert json.loads(json.dumps(result.to_dict()))["credential"]["id"] == issued.credential["id"]


def test_one_changed_character_of_the_subject_fails_verification(issued, status_list, keys, now):
    tampered = json.loads(json.dumps(issued.credential))
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "DK-775101"
    result = verify(tampered, keys=keys, now=now, status_list=status_list.credential)
    assert not result.verified and result.outcome == "invalid_signature"
    (signature,) = [c for c in result.checks if c.name == "signature"]
    assert signature.ok is False and "passer ikke" in signature.message_da


def test_a_jwt_whose_subject_was_changed_fails_verification(issued, status_list, keys, now):
    header, payload, signature = issued.jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["name"] = claims["credentialSubject"]["name"][:-1] + "X"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    result = verify(f"{header}.{forged}.{signature}", keys=keys, now=now, status_list=status_list.credential)
    assert result.outcome == "invalid_signature"


def test_a_jwt_whose_claims_disagree_with_its_credential_fails(issuer, issued, status_list, keys, now):
    payload = pyjwt.decode(issued.jwt, options={"verify_signature": False})
    payload["sub"] = "https://verdensmaal.example.dk/biblioteker/someone-else"
    key = issuer.keyring.signing_key
    token = pyjwt.encode(payload, key.private_key, algorithm="EdDSA", headers={"kid": issuer.keyring.method_id(key)})
    result = verify(token, keys=keys, now=now, status_list=status_list.credential)
    assert result.outcome == "invalid_signature"
    (claims,) = [c for c in result.checks if c.name == "claims"]
    assert claims.ok is False and "sub" in claims.message_en


def test_dates_decide_between_not_yet_valid_valid_and_expired(issued, status_list, keys, facts, now):
    def outcome(at):
        return verify(issued.credential, keys=keys, now=at, status_list=status_list.credential).outcome

    assert outcome(facts.awarded_at - timedelta(seconds=1)) == "not_yet_valid"
    assert outcome(facts.awarded_at + timedelta(seconds=1)) in ("valid", "status_unknown")
    expired = verify(issued.credential, keys=keys, now=now + timedelta(days=3 * 366 + 1), status_list=None)
    assert expired.outcome == "expired"
    (dates,) = [c for c in expired.checks if c.name == "dates"]
    assert dates.ok is False and dates.message_da.startswith("Udløb ")


def test_a_credential_signed_by_an_unknown_issuer_is_not_trusted(facts, status_list, keys, now):
    stranger = Issuer(Keyring("did:web:evil.example", [generate_key("key-1", now)]), "https://evil.example")
    forged = stranger.issue(type(facts)(**{**facts.__dict__, "public_url": "https://evil.example"}), now)
    result = verify(forged.credential, keys=keys, now=now, status_list=status_list.credential)
    assert result.outcome == "unknown_issuer" and not result.verified


def test_a_credential_naming_our_did_but_signed_by_another_key_fails(issued, facts, status_list, keys, now):
    impostor = Issuer(Keyring("did:web:verdensmaal.example.dk", [generate_key("key-1", now)]), facts.public_url)
    forged = impostor.issue(facts, now)
    for form in (forged.credential, forged.jwt):
        assert verify(form, keys=keys, now=now, status_list=status_list.credential).outcome == "invalid_signature"


def test_a_key_source_that_fails_reads_as_unknown_issuer_never_as_a_crash(issued, now):
    def broken(did):
        raise ConnectionError("no route")

    assert verify(issued.credential, keys=broken, now=now).outcome == "unknown_issuer"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01garbage", "{not json", "[]", "a.b.c", '{"@context": "x"}', b"<svg/>", "<html></html>"],
)
def test_malformed_input_gives_a_result_not_an_exception(data, keys, now):
    result = verify(data, keys=keys, now=now)
    assert not result.verified and result.outcome == "malformed"
    assert result.checks and all(c.message_da and c.message_en for c in result.checks)


def test_shape_problems_name_what_is_missing(issued, keys, now):
    broken = json.loads(json.dumps(issued.credential))
    del broken["credentialSubject"]["achievement"]
    broken["@context"].reverse()
    result = verify(broken, keys=keys, now=now)
    (shape,) = [c for c in result.checks if c.name == "shape"]
    assert "@context" in shape.message_en and "achievement" in shape.message_en
