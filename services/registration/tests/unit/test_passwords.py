import time

import pytest

from registration.passwords import hash_password, needs_rehash, verify_or_dummy

pytestmark = pytest.mark.unit


def test_verifies_the_right_password_only():
    stored = hash_password("grøn omstilling på biblioteket")
    assert stored.startswith("$argon2id$")
    assert verify_or_dummy(stored, "grøn omstilling på biblioteket") is True
    assert verify_or_dummy(stored, "forkert adgangskode") is False
    assert not needs_rehash(stored)


def test_unknown_user_is_refused_even_with_the_dummy_password():
    assert verify_or_dummy(None, "not a password: the account does not exist") is False
    assert verify_or_dummy(None, "anything") is False


def test_a_corrupt_hash_is_refused_not_raised():
    assert verify_or_dummy("not-a-hash", "anything") is False


def test_unknown_user_takes_about_as_long_as_a_known_one():
    stored = hash_password("grøn omstilling på biblioteket")
    verify_or_dummy(None, "warm up")  # the dummy hash is computed once per process

    def best_of(n, fn):
        times = []
        for _ in range(n):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    known = best_of(3, lambda: verify_or_dummy(stored, "forkert adgangskode"))
    unknown = best_of(3, lambda: verify_or_dummy(None, "forkert adgangskode"))
    assert 0.5 < unknown / known < 2.0
