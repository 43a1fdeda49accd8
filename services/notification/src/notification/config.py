"""The notification service's settings: the shared base plus the SMTP relay, the sender's address
and pace, the sender's and the scheduler's timing and the portal's address, read once from
CHORA_* variables (tests set short timings through `with_changes`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
    # Each SMTP step (connect, TLS, DATA) may take this long before the attempt counts as failed.
    smtp_timeout: float = 30.0
    mail_from: str = "Verdensmålscertificering <noreply@verdensmaal.dk>"
    mail_rate_per_second: float = env("CHORA_MAIL_RATE", default=20.0)
    # Seconds before the first retry of a transient failure; doubles each time up to the cap.
    mail_retry_base: float = 30.0
    mail_retry_cap: float = 3600.0
    mail_max_attempts: int = 8
    # A mail left in "sending" longer than this (its sender crashed mid-send) is tried again. It
    # must exceed the longest a live attempt can take (connect + TLS + DATA, each smtp_timeout).
    mail_stale_sending: float = 300.0
    # How often the sender looks for due mail when nothing woke it (a commit in its process does).
    mail_poll_interval: float = 1.0
    # `python -m notification.scheduler` runs a pass this often (seconds).
    scheduler_interval: float = 60.0
    # The Copenhagen hour from which the day's assessor digest goes out.
    digest_hour: int = 7
    # A clarification deadline is reminded this many days before it.
    reminder_days: int = 3
    # The portal's address, for the links in mail.
    public_url: str = ""

    @classmethod
    def derived(cls, environ: Mapping[str, str], service: str, values: Mapping[str, Any]) -> dict[str, Any]:
        out = super().derived(environ, service, values)
        out["public_url"] = (values.get("public_url") or gateway_public_url(environ)).rstrip("/")
        return out

    def problems(self) -> list[str]:
        out = super().problems()
        if not 0 < self.smtp_port < 65536:
            out.append(f"smtp_port {self.smtp_port} is not a port")
        positive = ("smtp_timeout", "mail_rate_per_second", "mail_retry_base", "mail_retry_cap",
                    "mail_stale_sending", "mail_poll_interval", "scheduler_interval")
        out += [f"{name} must be positive" for name in positive if getattr(self, name) <= 0]
        if self.mail_max_attempts < 1:
            out.append("mail_max_attempts must be at least 1")
        if not 0 <= self.digest_hour <= 23:
            out.append(f"digest_hour {self.digest_hour} is not an hour (0-23)")
        if self.reminder_days < 0:
            out.append("reminder_days must not be negative")
        return out
