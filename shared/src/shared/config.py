"""Typed settings: a base every service shares and one subclass per service, each read once from
CHORA_* environment variables (or a mapping a test passes), validated, and passed explicitly.

A field's variable is CHORA_ + its name in capitals unless its metadata names others (tried in
order; `{SERVICE}` stands for the service's name). Values are parsed by the field's type; every
bad value is reported at once in one ConfigError, before anything connects.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Self

from shared import keys

SERVICES = ("registration", "evidence", "scoring", "notification", "gateway")

# Where each service listens under `make run` and in tests that do not pick free ports.
DEFAULT_PORTS = {"registration": 8101, "evidence": 8102, "scoring": 8103, "notification": 8104, "gateway": 8080}


class ConfigError(ValueError):
    """One or more settings are missing or malformed; the message lists every one."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid settings: " + "; ".join(problems))
        self.problems = problems


def env(*names: str, default: Any = dataclasses.MISSING, default_factory: Any = dataclasses.MISSING) -> Any:
    """Declare a settings field read from the named variables (first one set wins)."""
    kwargs: dict[str, Any] = {"metadata": {"env": names}}
    if default is not dataclasses.MISSING:
        kwargs["default"] = default
    if default_factory is not dataclasses.MISSING:
        kwargs["default_factory"] = default_factory
    return field(**kwargs)


def _parse(kind: Any, raw: str) -> Any:
    origin = typing.get_origin(kind)
    if kind is bool:
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"not a yes/no value: {raw!r}")
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if kind is str:
        return raw
    if origin is tuple:
        (item, *_rest) = typing.get_args(kind)
        return tuple(_parse(item, part.strip()) for part in raw.split(",") if part.strip())
    raise TypeError(f"no parser for {kind!r}")


@dataclass(frozen=True)
class ServiceSettings:
    """What every service process needs: its name, the broker, its database and its HTTP port."""

    # The service's name; subclasses set it as their default.
    service: str = "service"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    amqp_prefix: str = "chora"
    queue_type: str = "classic"
    mongo_url: str = env("CHORA_{SERVICE}_MONGO_URL", "CHORA_MONGO_URL", default="mongodb://127.0.0.1:27017/")
    # Empty: "<CHORA_DB_PREFIX>_<service>" (see from_env).
    mongo_db: str = env("CHORA_{SERVICE}_MONGO_DB", default="")
    http_port: int = env("CHORA_{SERVICE}_PORT", default=8000)
    # The master secret every purpose's key is derived from (shared.keys). A backend may instead be
    # given only its own identity key (CHORA_IDENTITY_KEY, from `chora-keys derive identity:<service>`).
    # A default or empty secret is refused outside the embedded mode (`make run`, CHORA_EMBEDDED=1).
    secret_key: str = "dev-secret-change-me"
    # Rotation: the masters in use before CHORA_SECRET_KEY (newest first). What they signed still
    # verifies (sessions, bearer tokens, unsubscribe links, identity headers, sealed tokens); only the
    # current master signs. Drop one once what it signed has expired (README, Security).
    previous_secret_keys: tuple[str, ...] = ()
    identity_key: str = ""
    # Rotation of a backend's own identity key: the keys it had before CHORA_IDENTITY_KEY.
    previous_identity_keys: tuple[str, ...] = ()
    embedded: bool = False
    retry_delays: tuple[int, ...] = (1, 10, 60)
    relay_poll_interval: float = 1.0
    relay_grace: float = 5.0
    confirm_timeout: float = 5.0
    prefetch: int = 20
    heartbeat: int = 30
    log_level: str = "INFO"
    # -- the event bus (issue 11): archive, outbox parking, producer identity, seals, metrics ----
    # Length of <prefix>.archive, where events of types nobody consumes go (oldest dropped first).
    archive_max_length: int = 100_000
    # An event still unroutable is retried after outbox_backoff s, doubling up to outbox_backoff_cap,
    # and parked (listed by `chora-bus outbox`) after outbox_max_attempts tries.
    outbox_max_attempts: int = 10
    outbox_backoff: float = 2.0
    outbox_backoff_cap: float = 120.0
    # The broker user of service S is amqp_user_prefix + S; consumers dead-letter an event whose
    # AMQP user_id is not its producer's user. amqp_shared_user is the one account `make run` and the
    # tests give every service: a consumer connected as that user itself accepts its messages as
    # any producer's (the deployment has no per-service identities); one connected as its own
    # user does not. Empty: no shared account is accepted anywhere.
    amqp_user_prefix: str = ""
    amqp_shared_user: str = "guest"
    # Fernet key sealing one-time tokens in event payloads; give it to registration and notification
    # only. Unset: a key derived from secret_key (development).
    event_seal_key: str = ""
    # Port of a consumer process's Prometheus endpoint (0: none); gunicorn APIs serve /metrics.
    metrics_port: int = 0

    # Fields a subclass reads from the environment in its own way (none here).
    _not_from_env: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Build the settings from CHORA_* variables (os.environ unless a mapping is given)."""
        environ = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        service = overrides.get("service") or cls.service_default()
        values: dict[str, Any] = {}
        problems: list[str] = []
        for f in dataclasses.fields(cls):
            if f.name in overrides or f.name in cls._not_from_env or f.name == "service":
                continue
            names = f.metadata.get("env") or (f"CHORA_{f.name.upper()}",)
            for name in names:
                name = name.replace("{SERVICE}", service.upper())
                raw = environ.get(name)
                if raw is None or (raw == "" and hints[f.name] is not str):
                    continue
                try:
                    values[f.name] = _parse(hints[f.name], raw)
                except (TypeError, ValueError) as exc:
                    problems.append(f"{name}: {exc}")
                break
        values.update(cls.derived(environ, service, values))
        if problems:
            raise ConfigError(problems)
        values.update(overrides)
        values["service"] = service
        settings = cls(**values)
        settings.validate()
        return settings

    @classmethod
    def service_default(cls) -> str:
        return next(f.default for f in dataclasses.fields(cls) if f.name == "service")  # type: ignore[return-value]

    @classmethod
    def derived(cls, environ: Mapping[str, str], service: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults that follow from other variables (a subclass extends this)."""
        out: dict[str, Any] = {}
        if not values.get("mongo_db"):
            out["mongo_db"] = f"{environ.get('CHORA_DB_PREFIX') or 'chora'}_{service}"
        if "http_port" not in values and service in DEFAULT_PORTS:
            out["http_port"] = DEFAULT_PORTS[service]
        return out

    def validate(self) -> None:
        """Refuse settings no process can run with; a subclass adds its own checks."""
        problems = self.problems()
        if problems:
            raise ConfigError(problems)

    def problems(self) -> list[str]:
        out = []
        if any(old in keys.DEFAULT_SECRETS for old in self.previous_secret_keys):
            out.append("CHORA_PREVIOUS_SECRET_KEYS holds an empty or default secret")
        if not self.embedded and self.secret_key in keys.DEFAULT_SECRETS and not self.identity_key:
            out.append("CHORA_SECRET_KEY is empty or a default: set a secret (or CHORA_EMBEDDED=1 for make run)")
        if not 0 < self.http_port < 65536:
            out.append(f"http_port {self.http_port} is not a port")
        if self.queue_type not in {"classic", "quorum"}:
            out.append(f"queue_type must be classic or quorum, not {self.queue_type!r}")
        if not self.retry_delays or any(d <= 0 for d in self.retry_delays):
            out.append("retry_delays must be positive seconds")
        return out

    def key(self, purpose: str) -> bytes:
        """The key of one purpose, derived from the master secret."""
        return keys.derive(self.secret_key, purpose)

    def key_ring(self, purpose: str) -> list[bytes]:
        """Every key of one purpose that still verifies: the current one first, then those derived
        from the previous masters."""
        return [self.key(purpose), *(keys.derive(old, purpose) for old in self.previous_secret_keys)]

    @property
    def identity_secret(self) -> bytes:
        """The key this service checks the gateway's identity header with."""
        if self.identity_key:
            return keys.decode(self.identity_key)
        return self.key(keys.identity_purpose(self.service))

    @property
    def identity_secrets(self) -> list[bytes]:
        """The identity keys this service accepts: its current one first, then the previous ones."""
        if self.identity_key:
            return [keys.decode(self.identity_key), *(keys.decode(old) for old in self.previous_identity_keys)]
        return self.key_ring(keys.identity_purpose(self.service))

    def with_changes(self, **changes: Any) -> Self:
        return replace(self, **changes)

    @property
    def uses_memory_transport(self) -> bool:
        return self.amqp_url.startswith("memory://")


def gateway_public_url(environ: Mapping[str, str]) -> str:
    """The portal's public address: CHORA_PUBLIC_URL, else the local gateway port."""
    url = environ.get("CHORA_PUBLIC_URL") or f"http://127.0.0.1:{environ.get('CHORA_GATEWAY_PORT') or 8080}"
    return url.rstrip("/")


__all__ = ["ConfigError", "DEFAULT_PORTS", "SERVICES", "ServiceSettings", "env", "gateway_public_url"]
