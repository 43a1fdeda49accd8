"""The one place the scoring service is put together: settings, clock, the runtime (store, outbox
relay, consumer), the unit of work over the repositories and the message bus with its handlers.
The entry points (api, consumer, migrate, scheduler) each start from `bootstrap()`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scoring import handlers, store
from scoring.config import Settings
from scoring.store import ModelCache, Repositories
from shared.messagebus import MessageBus
from shared.mongo import ServiceStore, connect
from shared.runtime import Runtime
from shared.uow import MongoUnitOfWork, UnitOfWork

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock (UTC), the production clock."""
    return datetime.now(UTC)


@dataclass
class Service:
    """The scoring service built from its settings: what its entry points run on."""

    settings: Settings
    runtime: Runtime
    uow: UnitOfWork[Repositories]
    bus: MessageBus
    clock: Clock
    # The schema version the database is at (store.schema_version on the service's database).
    schema_version: Callable[[], int]
    _schema_ok: bool = field(default=False, repr=False)

    def schema_problem(self) -> str | None:
        """Why this process may not serve yet (the database lacks the schema it needs), or None."""
        if self._schema_ok:  # a schema once there stays (versions only go up)
            return None
        try:
            found = self.schema_version()
        except Exception as exc:  # the database is down: readiness says so under "mongodb"
            return f"unknown ({exc.__class__.__name__})"
        if found >= store.SCHEMA_VERSION:
            self._schema_ok = True
            return None
        return f"version {store.SCHEMA_VERSION} needed, found {found}: run python -m scoring.migrate"

    def wait_for_schema(self, stop: threading.Event, interval: float = 2.0) -> bool:
        """Wait until the database has the schema this code needs (False if stopped first)."""
        warned = False
        while (problem := self.schema_problem()) is not None:
            if not warned:
                log.warning("waiting for the database schema", extra={"schema": problem})
                warned = True
            if stop.wait(interval):
                return False
        return True

    def ready(self) -> dict[str, str]:
        """Readiness: MongoDB, the broker and the schema version, each 'ok' or why not."""
        return {**self.runtime.check_ready(), "schema": self.schema_problem() or "ok"}

    def stop(self) -> None:
        self.runtime.stop()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              uow: UnitOfWork[Repositories] | None = None, **dependencies: Any) -> Service:
    """Build the service from its settings (nothing is started; MongoDB is reached on first use).

    Tests inject a clock, a unit of work (chora_testing.uow.FakeUnitOfWork) or more dependencies
    for the handlers by name."""
    settings = settings or Settings.from_env()
    clock = clock or utc_now
    # The store is made here, not by the runtime, so no process but migrate creates indexes.
    service_store = ServiceStore(connect(settings.mongo_url, app_name=settings.service), settings.mongo_db,
                                 producer=settings.service)
    runtime = Runtime(settings, handled_types=tuple(handlers.EVENT_HANDLERS), store=service_store)
    uow = uow or MongoUnitOfWork(service_store, store.repositories(ModelCache()))
    bus = MessageBus(commands=handlers.COMMAND_HANDLERS, events=handlers.EVENT_HANDLERS,
                     dependencies={"uow": uow, "clock": clock, **dependencies}, batch=handlers.handle_batch)
    return Service(settings, runtime, uow, bus, clock, schema_version=lambda: store.schema_version(service_store.db))
