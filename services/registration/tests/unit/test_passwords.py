
import pytest
from argon2 import PasswordHasher

from registration.passwords import Argon2Passwords

pytestmark = pytest.mark.unit

# The real parameters: these tests are about what production hashes.
passwords = Argon2Passwords()
hash_password, verify_or_dummy, needs_rehash = passwords.hash, passwords.verify_or_dummy, passwords.needs_rehash


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


def test_unknown_user_costs_the_same_argon2_work_as_a_known_one():
    # The time is not measured here (timing belongs in benchmarks): what makes the two answers
    # take the same time is that both run exactly one argon2 verification with equal parameters.
    verified: list[str] = []
    real = PasswordHasher()

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, hash_, password):
            verified.append(hash_)
            return real.verify(hash_, password)

    spied = Argon2Passwords(Spy())
    stored = spied.hash("grøn omstilling på biblioteket")
    assert spied.verify_or_dummy(stored, "forkert adgangskode") is False
    assert spied.verify_or_dummy(None, "forkert adgangskode") is False
    assert len(verified) == 2
    known, unknown = (h.rsplit("$", 2)[0] for h in verified)  # "$argon2id$v=19$m=…,t=…,p=…"
    assert known == unknown


def test_a_hash_made_with_other_parameters_needs_rehashing():
    cheap = Argon2Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    assert needs_rehash(cheap.hash("grøn omstilling på biblioteket"))
    assert verify_or_dummy(cheap.hash("grøn omstilling på biblioteket"), "grøn omstilling på biblioteket")
