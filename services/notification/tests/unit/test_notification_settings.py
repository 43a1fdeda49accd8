"""The notification service's own settings: the SMTP relay, the sender and the portal's address."""

import pytest

from notification.config import Settings

pytestmark = pytest.mark.unit


def test_smtp_and_the_mail_rate_come_from_the_documented_variables():
    settings = Settings.from_env({"CHORA_EMBEDDED": "1", "CHORA_SMTP_HOST": "relay", "CHORA_SMTP_PORT": "2525", "CHORA_SMTP_STARTTLS": "1",
                                  "CHORA_MAIL_RATE": "5", "CHORA_GATEWAY_PORT": "9090"})
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == ("relay", 2525, True)
    assert settings.mail_rate_per_second == 5.0
    assert settings.public_url == "http://127.0.0.1:9090" and settings.http_port == 8104
