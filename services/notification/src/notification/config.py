"""The notification service's settings (the shared base plus SMTP and the sender's address) and
MailConfig, the sender's and scheduler's timing, both read once from CHORA_* variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from shared.config import ServiceSettings, env, gateway_public_url


@dataclass(frozen=True)
class Settings(ServiceSettings):
    service: str = "notification"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Verdensmålscertificering <noreply@verdensmaal.dk>"
    mail_rate_per_second: float = env("CHORA_MAIL_RATE", default=20.0)
    # The portal's address, for the links in mail.
    public_url: str = ""

    @classmethod
    def derived(cls, environ: Mapping[str, str], service: str, values: Mapping[str, Any]) -> dict[str, Any]:
        out = super().derived(environ, service, values)
        out["public_url"] = (values.get("public_url") or gateway_public_url(environ)).rstrip("/")
        return out


@dataclass(frozen=True)
class MailConfig:
    """Timing of the sender and the scheduler; tests shorten these."""

    retry_base: float = 30.0  # seconds before the first retry; doubles each time (domain.delivery.backoff)
    retry_cap: float = 3600.0
    max_attempts: int = 8
    smtp_timeout: float = 30.0
    # A mail left in "sending" longer than this (a sender that crashed mid-send) is tried again.
    # It must exceed the longest a live attempt can take (connect + TLS + DATA, each smtp_timeout).
    stale_sending: float = 300.0
    poll_interval: float = 1.0
    scheduler_interval: float = 60.0
    digest_hour: int = 7  # Copenhagen hour from which the day's assessor digest goes out
    reminder_days: int = 3  # clarification deadline reminder: this many days before

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MailConfig:
        env = os.environ if env is None else env

        def num(name: str, default: float) -> float:
            value = env.get(f"CHORA_{name}", "")
            return float(value) if value.strip() else default

        return cls(
            retry_base=num("MAIL_RETRY_BASE", cls.retry_base),
            retry_cap=num("MAIL_RETRY_CAP", cls.retry_cap),
            max_attempts=int(num("MAIL_MAX_ATTEMPTS", cls.max_attempts)),
            smtp_timeout=num("SMTP_TIMEOUT", cls.smtp_timeout),
            stale_sending=num("MAIL_STALE_SENDING", cls.stale_sending),
            poll_interval=num("MAIL_POLL_INTERVAL", cls.poll_interval),
            scheduler_interval=num("SCHEDULER_INTERVAL", cls.scheduler_interval),
            digest_hour=int(num("DIGEST_HOUR", cls.digest_hour)),
            reminder_days=int(num("REMINDER_DAYS", cls.reminder_days)),
        )

    def with_changes(self, **changes) -> MailConfig:
        return replace(self, **changes)
