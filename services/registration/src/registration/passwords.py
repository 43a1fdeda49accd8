"""Password hashing (argon2id), kept out of the pure domain on purpose: bootstrap builds one
`Argon2Passwords` with the library's recommended parameters and injects it into the handlers as
`hasher`; handler unit tests inject one with cheap parameters."""

from __future__ import annotations

from functools import cached_property
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords(Protocol):
    """What the handlers need of a password hasher."""

    def hash(self, password: str) -> str: ...

    def verify_or_dummy(self, password_hash: str | None, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class Argon2Passwords:
    """argon2id hashes; the parameters default to argon2-cffi's current recommendation."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()

    @cached_property
    def _dummy_hash(self) -> str:
        # Made once with the same parameters as real hashes, so verifying against it costs what
        # verifying a real user's hash costs.
        return self.hasher.hash("not a password: the account does not exist")

    def hash(self, password: str) -> str:
        """Return an argon2id hash of a password (checked against the policy before this call)."""
        return self.hasher.hash(password)

    def verify_or_dummy(self, password_hash: str | None, password: str) -> bool:
        """Verify a password; with no hash (unknown user) spend the same time and return False."""
        try:
            return self.hasher.verify(password_hash or self._dummy_hash, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Tell whether a stored hash uses other parameters than today's and should be replaced."""
        return self.hasher.check_needs_rehash(password_hash)
