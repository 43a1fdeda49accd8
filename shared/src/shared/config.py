"""Typed settings read once from environment variables and passed explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

SERVICES = ("registration", "evidence", "scoring", "notification", "gateway")

_DEFAULT_SERVICE_PORTS = {
    "registration": 8101,
    "evidence": 8102,
    "scoring": 8103,
    "notification": 8104,
}


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything a service process needs to know about its surroundings."""

    service: str
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    amqp_prefix: str = "chora"
    queue_type: str = "classic"
    mongo_url: str = "mongodb://127.0.0.1:27017/"
    mongo_db: str = "chora"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Verdensmålscertificering <noreply@verdensmaal.dk>"
    mail_rate_per_second: float = 20.0
    gateway_port: int = 8080
    http_port: int = 8000
    secret_key: str = "dev-secret-change-me"
    public_url: str = "http://127.0.0.1:8080"
    service_urls: Mapping[str, str] = field(default_factory=dict)
    retry_delays: tuple[int, ...] = (1, 10, 60)
    relay_poll_interval: float = 1.0
    relay_grace: float = 5.0
    confirm_timeout: float = 5.0
    prefetch: int = 20
    heartbeat: int = 30
    log_level: str = "INFO"
    bootstrap_admin_email: str = ""
    bootstrap_admin_password: str = ""
    # The sign-in throttle (registration): failed attempts allowed per account and per client
    # address within the sliding window (seconds); a limit of 0 turns that counter off.
    login_max_per_account: int = 5
    login_max_per_address: int = 20
    login_window: float = 900.0
    # Reverse proxies in front of the gateway that set X-Forwarded-For/-Proto (an ingress: 1).
    # Their headers are trusted for that many hops only, so the client address the sign-in
    # throttle counts is the client's, not the proxy's; 0 (the default) trusts none.
    trusted_proxies: int = 0
    # How old (seconds) the gateway lets its knowledge of a signed-in person's role and status
    # be: a deactivated person loses access, and a role change applies, within this time
    # (sessions and bearer tokens are signed, not stored). 0 turns the re-check off.
    access_recheck: float = 60.0
    # A consumer process serves /healthz and /readyz here (shared.health); 0 serves nothing.
    metrics_port: int = 9100

    @classmethod
    def from_env(cls, service: str, env: Mapping[str, str] | None = None) -> Settings:
        """Build the settings of one service from CHORA_* environment variables."""
        env = os.environ if env is None else env
        upper = service.upper()

        def get(name: str, default: str = "") -> str:
            return env.get(f"CHORA_{name}", default)

        mongo_url = env.get(f"CHORA_{upper}_MONGO_URL") or get("MONGO_URL", cls.mongo_url)
        db_prefix = get("DB_PREFIX", "chora")
        mongo_db = env.get(f"CHORA_{upper}_MONGO_DB") or f"{db_prefix}_{service}"
        gateway_port = int(get("GATEWAY_PORT", "8080"))
        service_urls = {
            name: env.get(f"CHORA_{name.upper()}_URL", f"http://127.0.0.1:{port}")
            for name, port in _DEFAULT_SERVICE_PORTS.items()
        }
        default_http = gateway_port if service == "gateway" else _DEFAULT_SERVICE_PORTS.get(service, 8000)
        delays = tuple(int(d) for d in get("RETRY_DELAYS", "1,10,60").split(",") if d.strip())
        return cls(
            service=service,
            amqp_url=get("AMQP_URL", cls.amqp_url),
            amqp_prefix=get("AMQP_PREFIX", "chora"),
            queue_type=get("QUEUE_TYPE", "classic"),
            mongo_url=mongo_url,
            mongo_db=mongo_db,
            smtp_host=get("SMTP_HOST", cls.smtp_host),
            smtp_port=int(get("SMTP_PORT", str(cls.smtp_port))),
            smtp_user=get("SMTP_USER"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_starttls=_bool(get("SMTP_STARTTLS"), False),
            mail_from=get("MAIL_FROM", cls.mail_from),
            mail_rate_per_second=float(get("MAIL_RATE", "20")),
            gateway_port=gateway_port,
            http_port=int(env.get(f"CHORA_{upper}_PORT", str(default_http))),
            secret_key=get("SECRET_KEY", cls.secret_key),
            public_url=get("PUBLIC_URL", f"http://127.0.0.1:{gateway_port}").rstrip("/"),
            service_urls=service_urls,
            retry_delays=delays,
            relay_poll_interval=float(get("RELAY_POLL_INTERVAL", "1.0")),
            relay_grace=float(get("RELAY_GRACE", "5.0")),
            confirm_timeout=float(get("CONFIRM_TIMEOUT", "5.0")),
            prefetch=int(get("PREFETCH", "20")),
            heartbeat=int(get("HEARTBEAT", "30")),
            log_level=get("LOG_LEVEL", "INFO"),
            bootstrap_admin_email=get("BOOTSTRAP_ADMIN_EMAIL"),
            bootstrap_admin_password=get("BOOTSTRAP_ADMIN_PASSWORD"),
            login_max_per_account=int(get("LOGIN_MAX_PER_ACCOUNT", str(cls.login_max_per_account))),
            login_max_per_address=int(get("LOGIN_MAX_PER_ADDRESS", str(cls.login_max_per_address))),
            login_window=float(get("LOGIN_WINDOW", str(cls.login_window))),
            trusted_proxies=int(get("TRUSTED_PROXIES", "0")),
            access_recheck=float(get("ACCESS_RECHECK", str(cls.access_recheck))),
            metrics_port=int(get("METRICS_PORT", str(cls.metrics_port))),
        )

    def with_changes(self, **changes) -> Settings:
        return replace(self, **changes)

    @property
    def uses_memory_transport(self) -> bool:
        return self.amqp_url.startswith("memory://")
