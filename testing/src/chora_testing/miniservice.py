"""A service declared in a few lines (its name, errors, blueprints, handlers), built on the same
shared parts every real service uses (Runtime, shared.http): for tests of those parts that need a
service but not one of ours. The real services each have their own bootstrap (the one skeleton);
nothing in production uses this."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from pymongo import IndexModel

from shared import jsonlog, tracing
from shared.config import ServiceSettings
from shared.events import Event
from shared.http import create_service_app
from shared.mongo import ServiceStore
from shared.runtime import Runtime, check_subscriptions

log = logging.getLogger(__name__)


@dataclass
class Service:
    """A service built from its settings: what its entry points (HTTP app, consumer) run on."""

    definition: ServiceDefinition
    settings: ServiceSettings
    runtime: Runtime

    def stop(self) -> None:
        self.runtime.stop()


@dataclass
class ServiceDefinition:
    """What a service declares: its name, title, indexes, errors, blueprints and handlers."""

    name: str
    title: str
    # The service's settings class (its <service>.config.Settings).
    settings_class: type[ServiceSettings] = ServiceSettings
    indexes: Mapping[str, Iterable[IndexModel]] = field(default_factory=dict)
    mapped_errors: Mapping[type[Exception], int] = field(default_factory=dict)
    # (ServiceStore, ServiceSettings) -> list of flask-smorest Blueprints
    blueprints: Callable[[ServiceStore, ServiceSettings], list[Any]] | None = None
    # event type -> handler(store, event, settings)
    event_handlers: Mapping[str, Callable[[ServiceStore, Event, ServiceSettings], None]] = field(default_factory=dict)
    on_start: Callable[[ServiceStore, ServiceSettings], None] | None = None
    # Optional: handle the events already waiting together, in one transaction marking each in
    # the inbox (store.transact(fn, inbox=[(consumer, id), ...])); handler(store, events, settings).
    batch_handler: Callable[[ServiceStore, list[Event], ServiceSettings], None] | None = None
    # Background work of the consumer process (a mail sender, a scheduler); returns a stop function.
    on_consumer_start: Callable[[ServiceStore, ServiceSettings], Callable[[], None] | None] | None = None

    def bootstrap(self, settings: ServiceSettings | None = None) -> Service:
        """Build the service's moving parts from its settings (nothing is started yet)."""
        settings = settings or self.settings_class.from_env(service=self.name)
        return Service(self, settings, self.runtime(settings))

    def migrate(self, settings: ServiceSettings | None = None) -> None:
        """Create the indexes and run the start-up work once (idempotent)."""
        service = self.bootstrap(settings)
        store = service.runtime.open_store()
        if self.on_start is not None:
            self.on_start(store, service.settings)
        service.stop()

    def runtime(self, settings: ServiceSettings) -> Runtime:
        check_subscriptions(self.name, tuple(self.event_handlers))
        return Runtime(settings, handled_types=tuple(self.event_handlers), indexes=dict(self.indexes))

    def create_app(self, settings: ServiceSettings | None = None, runtime: Runtime | None = None) -> Flask:
        """Build the HTTP app; connects to MongoDB and starts this process's outbox relay."""
        settings = settings or self.settings_class.from_env(service=self.name)
        jsonlog.configure(self.name, settings.log_level)
        runtime = runtime or self.runtime(settings)
        store = runtime.open_store()
        if self.on_start is not None:
            self.on_start(store, settings)
        runtime.start_relay()
        app, api = create_service_app(
            settings, title=self.title, runtime_ready=runtime.check_ready, mapped_errors=self.mapped_errors,
            idempotency_db=store.db,
            metrics_collectors=[runtime.outbox_metrics()],
        )
        for bp in (self.blueprints(store, settings) if self.blueprints else []):
            api.register_blueprint(bp)
        app.extensions["chora_runtime"] = runtime
        app.extensions["chora_store"] = store
        return app

    def dispatcher(self, store: ServiceStore, settings: ServiceSettings) -> Callable[[Event], None]:
        def dispatch(evt: Event) -> None:
            self.event_handlers[evt.type](store, evt, settings)

        return dispatch

    def start_consumer(self, settings: ServiceSettings | None = None, runtime: Runtime | None = None, *, in_thread=True) -> Runtime:
        """Connect and consume this service's queue (with its own relay for the events it emits)."""
        settings = settings or self.settings_class.from_env(service=self.name)
        jsonlog.configure(self.name, settings.log_level)
        tracing.configure(self.name)
        runtime = runtime or self.runtime(settings)
        store = runtime.open_store()
        runtime.start_relay()
        if self.event_handlers:  # a service that consumes nothing runs only its relay here
            batch = self.batch_handler
            runtime.start_consumer(
                self.dispatcher(store, settings), in_thread=in_thread,
                handle_batch=(lambda events: batch(store, events, settings)) if batch is not None else None,
            )
        if self.on_consumer_start is not None:
            stop = self.on_consumer_start(store, settings)
            if stop is not None:
                runtime.on_stop.append(stop)
        return runtime

    def consumer_main(self) -> None:
        """Entry point of `python -m <service>.consumer`: consume until SIGTERM or Ctrl-C."""
        runtime = self.start_consumer(in_thread=True)
        runtime.serve_probes()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        log.info("consumer started", extra={"queue": runtime.topology.queue_name if self.event_handlers else None})
        # A timed wait: a signal the kernel hands to another thread runs its handler only when
        # this (main) thread next runs Python code; an untimed wait would never wake for it.
        while not stop.wait(1.0):
            pass
        runtime.stop()
