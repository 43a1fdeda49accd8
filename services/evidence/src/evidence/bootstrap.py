"""The evidence service's composition root: the only place that builds its settings, clock,
database connection, unit of work, attachment store, outbox relay and message bus.

`bootstrap()` connects nothing yet that cannot wait (pymongo connects on first use, the relay and
the consumer start when an entry point starts them), so gunicorn workers call it after fork.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pymongo.errors import PyMongoError

from evidence.config import Settings
from evidence.handlers import COMMAND_HANDLERS, EVENT_HANDLERS, Clock, utc_now
from evidence.store import SCHEMA_VERSION, FileStore, GridFiles, Repositories, schema_version
from shared.messagebus import MessageBus
from shared.mongo import ServiceStore
from shared.runtime import Runtime
from shared.uow import MongoUnitOfWork, UnitOfWork


@dataclass
class Service:
    """The evidence service as its entry points run it (HTTP app, consumer, migrate)."""

    settings: Settings
    runtime: Runtime
    store: ServiceStore
    uow: UnitOfWork[Repositories]
    files: FileStore
    clock: Clock
    bus: MessageBus
    stopping: threading.Event = field(default_factory=threading.Event)

    def schema_state(self) -> str:
        """'ok' if the database has the schema version this code needs, else why not."""
        try:
            found = schema_version(self.store.db)
        except PyMongoError as exc:
            return f"error: {exc.__class__.__name__}"
        if found == SCHEMA_VERSION:
            return "ok"
        return (f"version {SCHEMA_VERSION} needed, found {'none' if found is None else found}: "
                "run python -m evidence.migrate")

    def stop(self) -> None:
        self.stopping.set()
        self.runtime.stop()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    uow: UnitOfWork[Repositories] | None = None,
    files: FileStore | None = None,
) -> Service:
    """Build the service from its settings; tests inject a clock, a unit of work or a file store."""
    settings = settings or Settings.from_env()
    runtime = Runtime(settings, handled_types=tuple(EVENT_HANDLERS))
    # Connected without creating indexes: migrate does that, once.
    connection = runtime.connect_store()
    uow = uow or MongoUnitOfWork(connection, Repositories)
    files = files or GridFiles(connection.db)
    clock = clock or utc_now
    bus = MessageBus(commands=COMMAND_HANDLERS, events=EVENT_HANDLERS,
                     dependencies={"uow": uow, "clock": clock, "files": files})
    return Service(settings, runtime, connection, uow, files, clock, bus)
