"""Password hashing for the service layer (argon2id); kept out of the pure domain on purpose."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    # Computed once per process with the same parameters as real hashes, so verifying against it
    # costs what verifying a real user's hash costs.
    return _HASHER.hash("not a password: the account does not exist")


def hash_password(password: str) -> str:
    """Return an argon2id hash of a password (checked against the policy before this call)."""
    return _HASHER.hash(password)


def verify_or_dummy(password_hash: str | None, password: str) -> bool:
    """Verify a password; with no hash (unknown user) spend the same time and return False."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a stored hash uses older parameters and should be replaced after sign-in."""
    return _HASHER.check_needs_rehash(password_hash)
