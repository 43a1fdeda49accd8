"""Revocation and lapse through a W3C Bitstring Status List v1.0: pure functions over the list.

Each credential carries a `BitstringStatusListEntry` (statusPurpose `revocation`) naming a list
credential and an index in it. Revoking or lapsing a certificate sets that bit; the list is then
re-signed and served at its stable URL. A renewal issues a new credential with a new index.

How the scoring store should keep this (not built yet; these functions are what it needs):

- One document per list: `{_id: <list number>, url, size_bits: 131072, set: [indexes], version}`;
  start with list 1 at `<public URL>/api/v1/public/status-lists/1`. `set` is the source of truth;
  the encoded list is derived from it (`bitstring_with(size_bits, set)`), never edited in place.
- Allocation: when a credential is issued, pick a random index in `[0, size_bits)` (the spec asks
  for random, so the position says nothing about when or how many) and insert
  `{list, index, certificate_id, cycle}` into an `allocations` collection with a unique index on
  `(list, index)`; on a duplicate-key error pick again. Allocations are never deleted or reused:
  a freed index could make a new credential inherit an old revocation, or revive an old one. When
  a list is more than half allocated, open the next list for new credentials.
- Allocation, issuance and the certificate's state change go in the one transaction that awards,
  so a crash never leaves a credential without its index or an index without its credential.
- Revoke or lapse: in the transaction that changes the certificate, `$addToSet` the index to the
  list's `set` and `$inc` its `version`. Re-signing reads `set`, rebuilds the bitstring, signs the
  list credential (`Issuer.issue_status_list`) and caches it keyed by `version`, so the public
  endpoint serves a signed list that never lags more than one rebuild behind.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable, Mapping
from typing import Any

from scoring.credentials.jsonld import VC_V2

MIN_BITS = 131_072  # the spec's minimum list length (16 KiB)
STATUS_PURPOSE = "revocation"


class StatusListError(ValueError):
    """A status list or entry is malformed (wrong encoding, too short, index out of range)."""


def empty_bitstring(size_bits: int = MIN_BITS) -> bytearray:
    """A zeroed bitstring of `size_bits` bits (at least the spec's minimum, whole bytes)."""
    if size_bits < MIN_BITS or size_bits % 8:
        raise StatusListError(f"a status list has at least {MIN_BITS} bits, in whole bytes")
    return bytearray(size_bits // 8)


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    """Set (or clear) bit `index`; index 0 is the left-most bit of the first byte."""
    _check_index(bits, index)
    mask = 0x80 >> (index % 8)
    if value:
        bits[index // 8] |= mask
    else:
        bits[index // 8] &= ~mask & 0xFF


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    """Read bit `index`; index 0 is the left-most bit of the first byte."""
    _check_index(bits, index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def bitstring_with(size_bits: int, set_indexes: Iterable[int]) -> bytearray:
    """Rebuild a bitstring from the indexes that are set (what the store keeps)."""
    bits = empty_bitstring(size_bits)
    for index in set_indexes:
        set_bit(bits, index)
    return bits


def encode_list(bits: bytes | bytearray) -> str:
    """GZIP the bitstring and Multibase-encode it as base64url without padding (prefix `u`)."""
    compressed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same list always encodes the same
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_list(encoded: Any) -> bytes:
    """Expand an `encodedList` back to the bitstring; raise StatusListError if malformed or short."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("encodedList is not base64url multibase (it must start with 'u')")
    try:
        compressed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        bits = gzip.decompress(compressed)
    except (ValueError, OSError, EOFError) as exc:
        raise StatusListError("encodedList is not GZIP data in base64url") from exc
    if len(bits) * 8 < MIN_BITS:
        raise StatusListError(f"the status list has fewer than {MIN_BITS} entries")
    return bits


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    """The `credentialStatus` entry of a credential at `index` in the list at `list_url`."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str,
    issuer: Mapping[str, Any] | str,
    bits: bytes | bytearray,
    valid_from: str,
    valid_until: str | None = None,
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential for a bitstring (sign it like any credential)."""
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_list(bits),
        },
    }
    if valid_until:
        credential["validUntil"] = valid_until
    return credential


def list_bits(list_credential: Mapping[str, Any]) -> bytes:
    """The bitstring of a BitstringStatusListCredential; raise StatusListError if it is not one."""
    types = list_credential.get("type") or []
    if "BitstringStatusListCredential" not in (types if isinstance(types, list) else [types]):
        raise StatusListError("the status list is not a BitstringStatusListCredential")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("the status list's subject is not a BitstringStatusList")
    return decode_list(subject.get("encodedList"))


def with_bit(list_credential: Mapping[str, Any], index: int, value: bool = True) -> dict[str, Any]:
    """A copy of the list credential with bit `index` set (or cleared), its old proof removed."""
    bits = bytearray(list_bits(list_credential))
    set_bit(bits, index, value)
    subject = {**list_credential["credentialSubject"], "encodedList": encode_list(bits)}
    return {**{k: v for k, v in list_credential.items() if k != "proof"}, "credentialSubject": subject}


def is_set(list_credential: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    """Whether the credential whose `credentialStatus` is `entry` has its bit set in the list."""
    if entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("the credentialStatus is not a BitstringStatusListEntry")
    purposes = (list_credential.get("credentialSubject") or {}).get("statusPurpose")
    purposes = purposes if isinstance(purposes, list) else [purposes]
    if entry.get("statusPurpose") not in purposes:
        raise StatusListError("the status list is for another purpose than the credential's entry")
    if list_credential.get("id") not in (None, entry.get("statusListCredential")):
        raise StatusListError("the status list is not the one the credential names")
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not index.isdigit():
        raise StatusListError("statusListIndex is not a non-negative integer in base 10")
    return get_bit(list_bits(list_credential), int(index))


def _check_index(bits: bytes | bytearray, index: int) -> None:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"status index {index} is outside the list (0..{len(bits) * 8 - 1})")
