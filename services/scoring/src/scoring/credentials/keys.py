"""The issuer's Ed25519 keys: loading, rotation, the did:web document and the JWKS that publish them.

Keys come from configuration as a private JWK set (a Kubernetes secret in production) or as PEM
files, each with a `kid`; `ensure_key_file` makes a JWK set file once for `make run` and reuses it.
Rotation: the newest key (by its `created` member, then by position in the set) signs new
credentials; every key in the set stays published, so credentials signed with an older key still
verify. Retire a key only when no credential it signed is still valid.

The issuer's DID is `did:web` derived from the public URL: host (IDNA), a port as `%3A<port>`, and
path segments as further `:`-separated parts, as the did:web method says. A verifier resolves it
to `https://<host>/.well-known/did.json` (or `<public URL>/did.json` when the URL has a path).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from scoring.credentials.jsonld import DID_V1, MULTIKEY_V1

# Multicodec prefix of an Ed25519 public key (0xed as an unsigned varint), as Multikey requires.
ED25519_PUB_MULTICODEC = b"\xed\x01"


class InvalidKey(ValueError):
    """A key in the configuration cannot be used (wrong type, missing kid, duplicate kid)."""


def b64url(data: bytes) -> str:
    """Base64url without padding (as JOSE writes it)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def multibase_base58btc(data: bytes) -> str:
    """Encode bytes as a Multibase base58-btc string (prefix `z`)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_base58btc_decode(text: str) -> bytes:
    """Decode a Multibase base58-btc string; raise ValueError for any other form."""
    if not text.startswith("z"):
        raise ValueError("not a base58-btc multibase value (it must start with 'z')")
    return base58.b58decode(text[1:])


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey `publicKeyMultibase` of an Ed25519 public key."""
    return multibase_base58btc(ED25519_PUB_MULTICODEC + raw_public(public_key))


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Read an Ed25519 public key from a Multikey `publicKeyMultibase`; raise ValueError."""
    data = multibase_base58btc_decode(value)
    if len(data) != 34 or not data.startswith(ED25519_PUB_MULTICODEC):
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def public_key_from_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    """Read an Ed25519 public key from an OKP JWK; raise ValueError."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise ValueError("not an Ed25519 OKP JWK")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))


def raw_public(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def did_web(public_url: str) -> str:
    """The did:web identifier for a public URL (port percent-encoded, path segments colon-joined)."""
    parts = urlsplit(public_url)
    if not parts.hostname:
        raise ValueError(f"public URL {public_url!r} has no host")
    host = parts.hostname.encode("idna").decode("ascii").lower()
    default_port = {"https": 443, "http": 80}.get(parts.scheme)
    if parts.port and parts.port != default_port:
        host += f"%3A{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", host, *segments])


def did_document_path(public_url: str) -> str:
    """Where the DID document must be served, relative to the host: `/.well-known/did.json` or `<path>/did.json`."""
    path = urlsplit(public_url).path.rstrip("/")
    return f"{path}/did.json" if path else "/.well-known/did.json"


def did_web_document_url(did: str, scheme: str = "https") -> str:
    """Where a did:web DID's document lives (the method's resolution rule); `scheme` http only for local runs."""
    parts = did.split(":")
    if len(parts) < 3 or parts[:2] != ["did", "web"] or not parts[2]:
        raise ValueError(f"{did!r} is not a did:web DID")
    host = unquote(parts[2])
    path = "/".join(unquote(p) for p in parts[3:])
    return f"{scheme}://{host}/{path}/did.json" if path else f"{scheme}://{host}/.well-known/did.json"


@dataclass(frozen=True)
class IssuerKey:
    """One Ed25519 key of the issuer; `private_key` is None for a key kept only to verify."""

    kid: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None
    created: str | None = None  # ISO 8601; orders rotation

    def public_jwk(self) -> dict[str, Any]:
        """The public key as an OKP JWK (no kid: the keyring names it)."""
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw_public(self.public_key))}

    def private_jwk(self) -> dict[str, Any]:
        """The key as a private JWK with its kid and created time, for the configuration file."""
        if self.private_key is None:
            raise InvalidKey(f"key {self.kid!r} has no private part")
        raw = self.private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        jwk = {**self.public_jwk(), "d": b64url(raw), "kid": self.kid, "alg": "EdDSA", "use": "sig"}
        return jwk | ({"created": self.created} if self.created else {})


def generate_key(kid: str, now: datetime) -> IssuerKey:
    """Make a new Ed25519 issuer key named `kid`, created at `now`."""
    private = Ed25519PrivateKey.generate()
    return IssuerKey(kid=kid, public_key=private.public_key(), private_key=private, created=now.isoformat())


def key_from_jwk(jwk: Mapping[str, Any]) -> IssuerKey:
    """Read one Ed25519 key (private if it has `d`) from a JWK with a `kid`."""
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid or "#" in kid:
        raise InvalidKey("every key needs a `kid` (a plain name, no '#')")
    try:
        public = public_key_from_jwk(jwk)
        private = Ed25519PrivateKey.from_private_bytes(b64url_decode(jwk["d"])) if "d" in jwk else None
    except ValueError as exc:
        raise InvalidKey(f"key {kid!r}: {exc}") from exc
    if private is not None and raw_public(private.public_key()) != raw_public(public):
        raise InvalidKey(f"key {kid!r}: `d` and `x` do not belong together")
    created = jwk.get("created")
    return IssuerKey(
        kid=kid, public_key=public, private_key=private, created=created if isinstance(created, str) else None
    )


def key_from_pem(kid: str, pem: str | bytes, created: str | None = None) -> IssuerKey:
    """Read one Ed25519 key from a PEM (PKCS#8 private key or SubjectPublicKeyInfo public key)."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        if b"PRIVATE KEY" in data:
            private = serialization.load_pem_private_key(data, password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise InvalidKey(f"key {kid!r} is not an Ed25519 key")
            return IssuerKey(kid=kid, public_key=private.public_key(), private_key=private, created=created)
        public = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise InvalidKey(f"key {kid!r}: {exc}") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise InvalidKey(f"key {kid!r} is not an Ed25519 key")
    return IssuerKey(kid=kid, public_key=public, created=created)


class Keyring:
    """The issuer's keys under its DID: the newest private key signs, every key verifies."""

    def __init__(self, did: str, keys: Sequence[IssuerKey]):
        kids = [k.kid for k in keys]
        if len(set(kids)) != len(kids):
            raise InvalidKey("two keys have the same kid")
        self.did = did
        self.keys: tuple[IssuerKey, ...] = tuple(keys)

    @classmethod
    def from_jwks(cls, did: str, jwks: str | Mapping[str, Any]) -> Keyring:
        """Build a keyring from a (private) JWK set given as JSON text or a mapping."""
        data = json.loads(jwks) if isinstance(jwks, str) else jwks
        entries = data.get("keys") if isinstance(data, Mapping) else None
        if not isinstance(entries, list) or not entries:
            raise InvalidKey("the JWK set has no keys")
        return cls(did, [key_from_jwk(entry) for entry in entries])

    @classmethod
    def from_pems(cls, did: str, pems: Iterable[tuple[str, str | bytes, str | None]]) -> Keyring:
        """Build a keyring from (kid, PEM, created) triples."""
        return cls(did, [key_from_pem(kid, pem, created) for kid, pem, created in pems])

    def method_id(self, key: IssuerKey) -> str:
        """The verification method id of a key: the DID URL `<did>#<kid>`."""
        return f"{self.did}#{key.kid}"

    @property
    def signing_key(self) -> IssuerKey:
        """The newest key that has a private part."""
        candidates = [(k.created or "", i, k) for i, k in enumerate(self.keys) if k.private_key is not None]
        if not candidates:
            raise InvalidKey("no key with a private part: nothing can be signed")
        return max(candidates, key=lambda c: (c[0], c[1]))[2]

    def did_document(self) -> dict[str, Any]:
        """The `did.json` body: every key as a Multikey, each usable for assertions."""
        methods = [
            {
                "id": self.method_id(k),
                "type": "Multikey",
                "controller": self.did,
                "publicKeyMultibase": public_key_multibase(k.public_key),
            }
            for k in self.keys
        ]
        return {
            "@context": [DID_V1, MULTIKEY_V1],
            "id": self.did,
            "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods],
        }

    def jwks(self) -> dict[str, Any]:
        """The public JWK set; each `kid` is the full DID URL that JWT headers name."""
        return {"keys": [{**k.public_jwk(), "kid": self.method_id(k), "alg": "EdDSA", "use": "sig"} for k in self.keys]}

    def private_jwks(self) -> dict[str, Any]:
        """The private JWK set to keep as configuration (never publish it)."""
        return {"keys": [k.private_jwk() for k in self.keys if k.private_key is not None]}


def load_keyring(public_url: str, *, jwks: str | None = None, key_file: Path | None = None, now: datetime) -> Keyring:
    """The issuer's keyring from configuration: a JWK set if given, else the key file (made once).

    Production passes `jwks` (the Kubernetes secret); `make run` passes `key_file` under `.run/`.
    Neither given is an error: an issuer never signs with a key nobody keeps.
    """
    if jwks:
        return Keyring.from_jwks(did_web(public_url), jwks)
    if key_file is not None:
        return Keyring.from_jwks(did_web(public_url), ensure_key_file(key_file, now))
    raise InvalidKey("no issuer keys configured (a JWK set or a key file)")


def ensure_key_file(path: Path, now: datetime) -> str:
    """Return the private JWK set kept at `path`, generating it (mode 0600) the first time."""
    if path.exists():
        return path.read_text(encoding="utf-8")
    key = generate_key(f"key-{now:%Y%m%d%H%M%S}", now)
    text = json.dumps({"keys": [key.private_jwk()]}, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process made it first: use theirs, so both sign with the same key.
        return path.read_text(encoding="utf-8")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return text


def rotate_key_file(path: Path, now: datetime) -> str:
    """Add a new, newest key to the JWK set at `path` (older keys stay to verify); return the set."""
    data = json.loads(path.read_text(encoding="utf-8"))
    key = generate_key(f"key-{now:%Y%m%d%H%M%S}", now)
    if any(entry.get("kid") == key.kid for entry in data.get("keys", [])):
        raise InvalidKey(f"a key named {key.kid!r} already exists")
    data["keys"].append(key.private_jwk())
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(data, indent=2))
    os.replace(tmp, path)
    return path.read_text(encoding="utf-8")


def public_key_for(published: Mapping[str, Any], did: str, method_id: str) -> Ed25519PublicKey | None:
    """The public key `method_id` names, from the issuer's DID document or JWKS; None if not there.

    In a DID document the method must be controlled by `did` and listed under `assertionMethod`;
    in a JWKS it is the key whose `kid` is the method id (or its fragment).
    """
    if not method_id.startswith(did + "#"):
        return None
    try:
        if "verificationMethod" in published:
            if published.get("id") != did:
                return None
            allowed = {m if isinstance(m, str) else m.get("id") for m in published.get("assertionMethod") or []}
            embedded = [m for m in published.get("assertionMethod") or [] if isinstance(m, Mapping)]
            for method in [*(published.get("verificationMethod") or []), *embedded]:
                if method.get("id") != method_id or method_id not in allowed or method.get("controller") != did:
                    continue
                if method.get("type") == "Multikey" and "publicKeyMultibase" in method:
                    return public_key_from_multibase(method["publicKeyMultibase"])
                if method.get("type") == "JsonWebKey" and "publicKeyJwk" in method:
                    return public_key_from_jwk(method["publicKeyJwk"])
            return None
        fragment = method_id.split("#", 1)[1]
        for jwk in published.get("keys") or []:
            if jwk.get("kid") in (method_id, fragment):
                return public_key_from_jwk(jwk)
    except (ValueError, AttributeError, TypeError):
        return None
    return None
