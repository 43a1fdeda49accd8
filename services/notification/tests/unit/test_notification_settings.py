"""The notification service's own settings: the SMTP relay, the sender's pace and timing, the
scheduler's, and the portal's address; one object, validated when read."""

import pytest

from notification.config import Settings
from shared.config import ConfigError

pytestmark = pytest.mark.unit


def test_smtp_and_the_mail_rate_come_from_the_documented_variables():
    settings = Settings.from_env({"CHORA_EMBEDDED": "1", "CHORA_SMTP_HOST": "relay", "CHORA_SMTP_PORT": "2525", "CHORA_SMTP_STARTTLS": "1",
                                  "CHORA_MAIL_RATE": "5", "CHORA_GATEWAY_PORT": "9090"})
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == ("relay", 2525, True)
    assert settings.mail_rate_per_second == 5.0
    assert settings.public_url == "http://127.0.0.1:9090" and settings.http_port == 8104


def test_the_sender_and_scheduler_timings_come_from_their_variables():
    settings = Settings.from_env({"CHORA_EMBEDDED": "1",
        "CHORA_MAIL_RETRY_BASE": "2", "CHORA_MAIL_RETRY_CAP": "60", "CHORA_MAIL_MAX_ATTEMPTS": "3",
        "CHORA_SMTP_TIMEOUT": "4", "CHORA_MAIL_STALE_SENDING": "90", "CHORA_MAIL_POLL_INTERVAL": "0.5",
        "CHORA_SCHEDULER_INTERVAL": "30", "CHORA_DIGEST_HOUR": "8", "CHORA_REMINDER_DAYS": "2"})
    assert (settings.mail_retry_base, settings.mail_retry_cap, settings.mail_max_attempts) == (2.0, 60.0, 3)
    assert (settings.smtp_timeout, settings.mail_stale_sending, settings.mail_poll_interval) == (4.0, 90.0, 0.5)
    assert (settings.scheduler_interval, settings.digest_hour, settings.reminder_days) == (30.0, 8, 2)
    defaults = Settings.from_env({"CHORA_EMBEDDED": "1"})
    assert (defaults.mail_retry_base, defaults.mail_stale_sending, defaults.digest_hour) == (30.0, 300.0, 7)


def test_every_impossible_timing_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"CHORA_EMBEDDED": "1", "CHORA_DIGEST_HOUR": "24", "CHORA_REMINDER_DAYS": "-1", "CHORA_SCHEDULER_INTERVAL": "0",
                           "CHORA_MAIL_MAX_ATTEMPTS": "0", "CHORA_SMTP_PORT": "70000"})
    assert len(caught.value.problems) == 5
    assert any("digest_hour" in p for p in caught.value.problems)
