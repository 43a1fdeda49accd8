"""Rotating the master secret: what the previous master signed still verifies while it is listed in
CHORA_PREVIOUS_SECRET_KEYS, only the current master signs, and nothing verifies once it is dropped."""

import pytest
from cryptography.fernet import Fernet

from shared import identity, keys
from shared.config import ConfigError, ServiceSettings
from shared.events import CATALOGUE
from shared.events.sealing import Sealer, SealError

pytestmark = pytest.mark.unit

OLD, NEW = "the-old-master-secret-0123456789", "the-new-master-secret-9876543210"
WHO = identity.Identity(person_id="p-1", role="coordinator", library_id="lib-1", name="Åse Ørum")
BINDING = identity.Binding.of("evidence", "GET", "/libraries/lib-1/evidence")


def settings(**env: str) -> ServiceSettings:
    return ServiceSettings.from_env({"CHORA_SECRET_KEY": NEW, **env}, service="evidence")


def test_previous_masters_are_read_from_one_comma_separated_variable_current_key_first():
    rotated = settings(CHORA_PREVIOUS_SECRET_KEYS=f"{OLD}, older-master-secret-abcdefgh")
    assert rotated.previous_secret_keys == (OLD, "older-master-secret-abcdefgh")
    ring = rotated.key_ring(keys.BEARER)
    assert ring == [keys.derive(NEW, keys.BEARER), keys.derive(OLD, keys.BEARER),
                    keys.derive("older-master-secret-abcdefgh", keys.BEARER)]
    assert settings().key_ring(keys.BEARER) == [keys.derive(NEW, keys.BEARER)]


def test_a_default_secret_among_the_previous_ones_is_refused():
    with pytest.raises(ConfigError, match="CHORA_PREVIOUS_SECRET_KEYS"):
        settings(CHORA_PREVIOUS_SECRET_KEYS="dev-secret-change-me")


def test_an_identity_signed_under_the_previous_master_verifies_only_while_that_master_is_listed():
    old_key = keys.derive(OLD, keys.identity_purpose("evidence"))
    header = identity.sign(old_key, WHO, BINDING)
    assert identity.verify(settings(CHORA_PREVIOUS_SECRET_KEYS=OLD).identity_secrets, header, BINDING) == WHO
    with pytest.raises(ValueError, match="not genuine"):
        identity.verify(settings().identity_secrets, header, BINDING)


def test_a_backend_given_its_own_identity_key_accepts_its_previous_one_during_a_rotation():
    old, new = (keys.encode(keys.derive(m, keys.identity_purpose("evidence"))) for m in (OLD, NEW))
    backend = ServiceSettings.from_env({"CHORA_IDENTITY_KEY": new, "CHORA_PREVIOUS_IDENTITY_KEYS": old},
                                       service="evidence")
    header = identity.sign(keys.decode(old), WHO, BINDING)
    assert identity.verify(backend.identity_secrets, header, BINDING) == WHO
    assert backend.identity_secrets[0] == keys.decode(new)


def sealed_type() -> tuple[str, str, str]:
    """An event type with a sealed field, that field and the service it is sealed for."""
    event_type = next(t for t, spec in CATALOGUE.items() if spec.sealed)
    field, audience = CATALOGUE[event_type].sealed[0]
    return event_type, field, audience


def test_a_token_sealed_with_the_previous_key_opens_and_new_seals_use_the_current_key():
    event_type, field, audience = sealed_type()
    sealed_before = Sealer.from_key_or_secret("", OLD).seal(event_type, {field: "one-time-token"})
    rotated = Sealer.from_key_or_secret("", NEW, [OLD])
    assert rotated.open(event_type, sealed_before, audience)[field] == "one-time-token"
    sealed_after = rotated.seal(event_type, {field: "another-token"})
    with pytest.raises(SealError):
        Sealer.from_key_or_secret("", OLD).open(event_type, sealed_after, audience)
    with pytest.raises(SealError):
        Sealer.from_key_or_secret("", NEW).open(event_type, sealed_before, audience)


def test_an_explicit_seal_key_list_seals_with_its_first_key():
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    event_type, field, audience = sealed_type()
    sealed_old = Sealer(second).seal(event_type, {field: "t1"})
    ring = Sealer.from_key_or_secret(f"{first},{second}", NEW)
    assert ring.open(event_type, sealed_old, audience)[field] == "t1"
    assert Sealer(first).open(event_type, ring.seal(event_type, {field: "t2"}), audience)[field] == "t2"
