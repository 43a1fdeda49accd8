"""The one place where the registration service is wired: settings, clock, unit of work, password
hasher, sign-in throttle, the message bus over the command handlers, and the runtime (database
client and outbox relay). The HTTP app (api.create_app) and migrate run on what this builds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from registration import store
from registration.config import Settings
from registration.domain.signin import ThrottlePolicy
from registration.handlers import COMMAND_HANDLERS
from registration.passwords import Argon2Passwords, Passwords
from registration.store import Repositories
from shared.messagebus import MessageBus
from shared.runtime import Runtime
from shared.uow import MongoUnitOfWork, UnitOfWork

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock (timezone-aware UTC)."""
    return datetime.now(UTC)


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    """The sign-in throttle's limits and window from the settings."""
    return ThrottlePolicy(per_account=settings.login_max_per_account, per_address=settings.login_max_per_address,
                          window=timedelta(seconds=settings.login_window))


@dataclass
class Service:
    """Registration built from its settings: what its entry points run on."""

    settings: Settings
    runtime: Runtime
    bus: MessageBus
    uow: UnitOfWork[Repositories]
    clock: Clock
    hasher: Passwords
    throttle: ThrottlePolicy
    _schema_ok: bool = field(default=False, repr=False)

    def schema_check(self) -> str:
        """'ok' when the database has been migrated to the schema version this code needs,
        otherwise why not (readiness reports it and every request is refused with it)."""
        if not self._schema_ok:
            found = self.uow.repos.schema.version()
            if found is None or found < store.SCHEMA_VERSION:
                return (f"version {store.SCHEMA_VERSION} needed, found {found if found is not None else 'none'}: "
                        "run python -m registration.migrate")
            self._schema_ok = True  # versions only grow: once there, it stays there
        return "ok"

    def stop(self) -> None:
        self.runtime.stop()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              uow: UnitOfWork[Repositories] | None = None, hasher: Passwords | None = None) -> Service:
    """Build the service from its settings; nothing is started (the relay starts with the HTTP app)."""
    settings = settings or Settings.from_env()
    runtime = Runtime(settings)  # consumes nothing: no queue, only the outbox relay
    if uow is None:
        # The runtime is given its store, so it never creates indexes: that is migrate's job.
        uow = MongoUnitOfWork(runtime.connect_store(), Repositories)
    clock = clock or utc_now
    hasher = hasher or Argon2Passwords()
    throttle = throttle_policy(settings)
    bus = MessageBus(commands=COMMAND_HANDLERS,
                     dependencies={"uow": uow, "clock": clock, "hasher": hasher, "throttle": throttle})
    return Service(settings, runtime, bus, uow, clock, hasher, throttle)
