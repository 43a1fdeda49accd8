
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


def test_unknown_user_costs_the_same_argon2_work_as_a_known_one(monkeypatch):
    # The time is not measured here (timing belongs in benchmarks): what makes the two answers
    # take the same time is that both run exactly one argon2 verification with equal parameters.
    from registration import passwords

    stored = hash_password("grøn omstilling på biblioteket")
    verified: list[str] = []
    real = passwords._HASHER

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, hash_, password):
            verified.append(hash_)
            return real.verify(hash_, password)

    monkeypatch.setattr(passwords, "_HASHER", Spy())
    assert verify_or_dummy(stored, "forkert adgangskode") is False
    assert verify_or_dummy(None, "forkert adgangskode") is False
    assert len(verified) == 2
    known, unknown = (h.rsplit("$", 2)[0] for h in verified)  # "$argon2id$v=19$m=…,t=…,p=…"
    assert known == unknown
