"""The registration service's own settings, read from the documented variables."""

import pytest

from registration.config import Settings

pytestmark = pytest.mark.unit

EMBEDDED = {"CHORA_EMBEDDED": "1"}


def test_the_sign_in_throttle_limits_default_to_five_twenty_and_a_quarter_and_can_be_set():
    default = Settings.from_env(EMBEDDED)
    assert (default.login_max_per_account, default.login_max_per_address, default.login_window) == (5, 20, 900.0)
    env = {"CHORA_LOGIN_MAX_PER_ACCOUNT": "3", "CHORA_LOGIN_MAX_PER_ADDRESS": "0", "CHORA_LOGIN_WINDOW": "60"}
    chosen = Settings.from_env({**env, **EMBEDDED})
    assert (chosen.login_max_per_account, chosen.login_max_per_address, chosen.login_window) == (3, 0, 60.0)


def test_the_demo_seed_and_first_administrator_come_from_the_environment():
    chosen = Settings.from_env({**EMBEDDED, "CHORA_SEED_DEMO": "yes", "CHORA_BOOTSTRAP_ADMIN_EMAIL": "admin@example.dk",
                                "CHORA_REGISTRATION_PORT": "9101"})
    assert chosen.seed_demo is True and chosen.bootstrap_admin_email == "admin@example.dk"
    assert (chosen.service, chosen.http_port, chosen.mongo_db) == ("registration", 9101, "chora_registration")
    assert Settings.from_env(EMBEDDED).seed_demo is False
