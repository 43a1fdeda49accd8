import base64
import gzip
import json
from datetime import timedelta

import pytest
from credentials_independent import eddsa_rdfc_2022_ok, multikey

from scoring.credentials import (
    MIN_BITS,
    StatusListError,
    bitstring_with,
    empty_bitstring,
    get_bit,
    is_set,
    set_bit,
    verify,
    with_bit,
)
from scoring.credentials.status import decode_list, encode_list

pytestmark = pytest.mark.unit


def independent_bits(list_credential: dict) -> bytes:
    encoded = list_credential["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"
    return gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))


def test_status_list_credential_is_a_signed_bitstring_status_list_of_at_least_131072_bits(status_list, keyring):
    credential = status_list.credential
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["issuer"] == keyring.did
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert credential["credentialSubject"]["statusPurpose"] == "revocation"
    bits = independent_bits(credential)
    assert len(bits) * 8 >= 131_072 and not any(bits)
    assert eddsa_rdfc_2022_ok(
        credential, multikey(keyring.did_document(), credential["proof"][0]["verificationMethod"])
    )


def test_index_zero_is_the_left_most_bit_of_the_first_byte():
    bits = empty_bitstring()
    set_bit(bits, 0)
    set_bit(bits, 9)
    set_bit(bits, MIN_BITS - 1)
    assert bits[0] == 0b1000_0000 and bits[1] == 0b0100_0000 and bits[-1] == 0b0000_0001
    assert get_bit(bits, 9) and not get_bit(bits, 8)
    set_bit(bits, 9, False)
    assert bits[1] == 0


def test_a_set_bit_survives_encoding_and_is_read_by_an_independent_decoder(status_list):
    flipped = with_bit(status_list.credential, 94_567)
    assert "proof" not in flipped  # the old proof no longer covers the list: it must be re-signed
    bits = independent_bits(flipped)
    assert bits[94_567 // 8] == 0x80 >> (94_567 % 8)
    assert decode_list(encode_list(bits)) == bits


def test_the_list_is_rebuilt_from_the_indexes_the_store_keeps():
    bits = bitstring_with(MIN_BITS, [3, 70_000])
    assert [i for i in range(MIN_BITS) if get_bit(bits, i)] == [3, 70_000]
    assert encode_list(bits) == encode_list(bitstring_with(MIN_BITS, [70_000, 3]))


@pytest.mark.parametrize("index", [-1, MIN_BITS])
def test_an_index_outside_the_list_is_refused(index):
    with pytest.raises(StatusListError):
        set_bit(empty_bitstring(), index)


def test_a_list_shorter_than_the_spec_minimum_is_refused():
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1024))).rstrip(b"=").decode()
    with pytest.raises(StatusListError, match="fewer than"):
        decode_list(short)


def test_flipping_the_credentials_bit_makes_verification_fail_as_revoked(issuer, issued, status_list, keys, now):
    before = verify(issued.credential, keys=keys, now=now, status_list=status_list.credential)
    assert before.verified and before.outcome == "valid"
    entry = issued.credential["credentialStatus"]
    assert not is_set(status_list.credential, entry)
    revoked_list = issuer.sign(with_bit(status_list.credential, int(entry["statusListIndex"])), now)
    assert is_set(revoked_list.credential, entry)
    # The list may come as its JWT, as JSON-LD text or as parsed JSON-LD.
    for listed in (revoked_list.jwt, json.dumps(revoked_list.credential), revoked_list.credential):
        for form in (issued.credential, issued.jwt):
            after = verify(form, keys=keys, now=now, fetch_status_list=lambda url, listed=listed: listed)
            assert not after.verified and after.outcome == "revoked"
        (status,) = [c for c in after.checks if c.name == "status"]
        assert status.ok is False and "tilbagekaldt" in status.message_da and "revoked" in status.message_en


def test_another_credentials_revocation_leaves_this_one_valid(issuer, issued, status_list, keys, now):
    other = issuer.sign(with_bit(status_list.credential, 12), now)
    assert verify(issued.credential, keys=keys, now=now, status_list=other.credential).outcome == "valid"


def test_a_status_list_that_is_not_the_issuers_signed_list_gives_no_answer_rather_than_valid(
    issuer, issued, status_list, keys, now
):
    unsigned = with_bit(status_list.credential, 1)  # no proof
    tampered = json.loads(json.dumps(status_list.credential))
    tampered["credentialSubject"]["encodedList"] = unsigned["credentialSubject"]["encodedList"]
    stale = issuer.issue_status_list(
        status_list.credential["id"], empty_bitstring(), now - timedelta(days=3), valid_until=now - timedelta(days=2)
    )
    for listed in (unsigned, tampered, stale.credential, "not a list"):
        result = verify(issued.credential, keys=keys, now=now, status_list=listed)
        assert not result.verified and result.outcome == "status_unknown"
    assert verify(issued.credential, keys=keys, now=now).outcome == "status_unknown"
