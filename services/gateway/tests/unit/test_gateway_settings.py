"""The gateway's own settings: its port, its public address and where the services are."""

import pytest

from gateway.config import Settings

pytestmark = pytest.mark.unit


def test_the_gateway_listens_on_its_port_and_finds_each_service_at_its_url():
    env = {"CHORA_GATEWAY_PORT": "9090", "CHORA_EVIDENCE_URL": "http://evidence:8000", "CHORA_TRUSTED_PROXIES": "1"}
    settings = Settings.from_env({**env, "CHORA_EMBEDDED": "1"})
    assert settings.http_port == 9090 and settings.trusted_proxies == 1
    assert settings.public_url == "http://127.0.0.1:9090"
    assert settings.service_urls["evidence"] == "http://evidence:8000"
    assert settings.service_urls["scoring"] == "http://127.0.0.1:8103"


def test_the_public_url_is_taken_as_given_without_its_trailing_slash():
    assert Settings.from_env({"CHORA_EMBEDDED": "1", "CHORA_PUBLIC_URL": "https://verdensmaal.example.dk/"}).public_url == \
        "https://verdensmaal.example.dk"
