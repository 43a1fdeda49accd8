"""The notification service's composition root: settings, clock, unit of work, outbox relay and
consumer (the runtime), the mail sender and the message bus are built here and nowhere else.

Nothing is started: `api.create_app` starts the process's relay, `consumer.start` the consumer
and the sender, `scheduler.main` (or `scheduler.start`) the scheduler's loop. Nothing creates
indexes or migrates here either: that is `migrate.run`'s alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo.errors import PyMongoError

from notification import views
from notification.config import Settings
from notification.handlers import COMMAND_HANDLERS, EVENT_HANDLERS, utcnow
from notification.sender import MailSender, Transport, smtp_send
from notification.store import Repositories
from shared.messagebus import MessageBus
from shared.runtime import Runtime
from shared.uow import MongoUnitOfWork, UnitOfWork

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)


@dataclass
class Service:
    """What the entry points run on: built by `bootstrap`, stopped by `stop`."""

    settings: Settings
    runtime: Runtime
    uow: UnitOfWork[Repositories]
    clock: Clock
    bus: MessageBus
    sender: MailSender
    # Stop functions of what was started on this service (the scheduler's loop), newest last.
    stops: list[Callable[[], None]] = field(default_factory=list)

    def schema_status(self) -> str:
        """Return "ok" when the database is at the schema this code needs, else why not."""
        try:
            return views.schema_status(self.uow)
        except PyMongoError as exc:
            return f"error: {exc.__class__.__name__}"

    def wait_until_migrated(self, stop: threading.Event, poll: float = 2.0) -> bool:
        """Wait until the database is at the schema this code needs; False if stopped first."""
        status = self.schema_status()
        if status != "ok":
            log.warning("waiting for the database to be migrated", extra={"schema": status})
        while status != "ok":
            if stop.wait(poll):
                return False
            status = self.schema_status()
        return True

    def stop(self) -> None:
        """Stop everything started on this service and close its connections."""
        for stop in reversed(self.stops):
            stop()
        self.sender.stop()
        self.runtime.stop()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              uow: UnitOfWork[Repositories] | None = None, transport: Transport | None = None,
              **overrides: Any) -> Service:
    """Build the service from its settings (CHORA_* variables unless given; `overrides` change fields).

    Tests pass a clock, an in-memory unit of work (chora_testing.uow.FakeUnitOfWork) or an SMTP
    transport of their own.
    """
    settings = settings or Settings.from_env()
    if overrides:
        settings = settings.with_changes(**overrides)
    clock = clock or utcnow
    runtime = Runtime(settings, handled_types=tuple(EVENT_HANDLERS))
    if uow is None:
        # The store is opened here rather than by runtime.open_store(), which would also create
        # indexes: that is migrate's work, never an API worker's or a consumer's.
        uow = MongoUnitOfWork(runtime.connect_store(), Repositories)
    sender = MailSender(uow, settings, clock, transport or smtp_send)
    bus = MessageBus(
        commands=COMMAND_HANDLERS,
        events=EVENT_HANDLERS,
        dependencies={"uow": uow, "clock": clock, "settings": settings, "wake_sender": sender.wake},
    )
    return Service(settings, runtime, uow, clock, bus, sender)
