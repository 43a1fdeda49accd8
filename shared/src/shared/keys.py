"""One key per purpose, derived from one master secret with HKDF-SHA256 (RFC 5869), so a key
that leaks for one purpose (a session cookie key, one service's identity key) gives nothing for
another. The gateway holds the master; a backend may be given only the keys it needs (its own
identity key, CHORA_IDENTITY_KEY), which `chora-keys derive PURPOSE` prints for an operator.

Purposes: `session` (portal cookies), `bearer` (API tokens), `identity:<service>` (the gateway's
signed identity header, one key per receiving service), `unsubscribe` (links in mail),
`event-seal` (secrets sealed inside event payloads for the notification service alone).
"""

from __future__ import annotations

import argparse
import base64
import os
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SESSION, BEARER, UNSUBSCRIBE, EVENT_SEAL = "session", "bearer", "unsubscribe", "event-seal"
# Secrets that must never be used outside `make run` and tests.
DEFAULT_SECRETS = frozenset({"", "dev-secret-change-me", "change-me", "secret"})
_SALT = b"chora-2030 verdensmaal keys v1"


def identity_purpose(service: str) -> str:
    """The purpose of the identity key the gateway signs with for one service."""
    return f"identity:{service}"


def derive(master: str | bytes, purpose: str, length: int = 32) -> bytes:
    """The key for one purpose, derived from the master secret."""
    secret = master.encode() if isinstance(master, str) else master
    if not secret:
        raise ValueError("no master secret")
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=_SALT, info=purpose.encode()).derive(secret)


def encode(key: bytes) -> str:
    """A key as it is written in an environment variable (URL-safe base64)."""
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def decode(text: str) -> bytes:
    """A key read back from an environment variable."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main(argv: list[str] | None = None) -> int:
    """`chora-keys derive PURPOSE`: print a purpose's key from CHORA_SECRET_KEY (for a backend's secret)."""
    parser = argparse.ArgumentParser(prog="chora-keys", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    derive_cmd = sub.add_parser("derive", help="print the key of one purpose")
    derive_cmd.add_argument("purpose", help="session, bearer, unsubscribe, event-seal or identity:<service>")
    sub.add_parser("new-master", help="print a new random master secret")
    args = parser.parse_args(argv)
    if args.command == "new-master":
        print(encode(os.urandom(32)))
        return 0
    master = os.environ.get("CHORA_SECRET_KEY", "")
    if master in DEFAULT_SECRETS:
        print("CHORA_SECRET_KEY is not set (or is a default)", file=sys.stderr)
        return 2
    print(encode(derive(master, args.purpose)))
    return 0
