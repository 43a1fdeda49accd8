"""A service process's moving parts: its store, its outbox relay and, if it consumes, its
consumer. Built by each service's bootstrap from its settings; connects only when started."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlparse

from pymongo import IndexModel

from shared import health
from shared.config import Settings
from shared.events import Event
from shared.messaging.consumer import ServiceConsumer
from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.relay import OutboxRelay
from shared.messaging.topology import Topology
from shared.mongo import ServiceStore, connect

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    handled_types: tuple[str, ...] = ()
    indexes: dict[str, Iterable[IndexModel]] = field(default_factory=dict)
    store: ServiceStore | None = None
    relay: OutboxRelay | None = None
    consumer: ServiceConsumer | None = None
    on_stop: list[Callable[[], None]] = field(default_factory=list)

    @property
    def service(self) -> str:
        return self.settings.service

    @property
    def topology(self) -> Topology:
        s = self.settings
        return Topology(s.amqp_prefix, s.service, tuple(self.handled_types), s.retry_delays, s.queue_type)

    def open_store(self) -> ServiceStore:
        """Connect to MongoDB (after fork) and ensure the indexes."""
        if self.store is None:
            client = connect(self.settings.mongo_url, app_name=self.service)
            self.store = ServiceStore(client, self.settings.mongo_db, producer=self.service)
            self.store.ensure_indexes(self.indexes)
        return self.store

    def start_relay(self) -> OutboxRelay:
        store = self.open_store()
        if self.relay is None:
            s = self.settings
            publisher = ConfirmingPublisher(
                s.amqp_url, self.topology, confirm_timeout=s.confirm_timeout, heartbeat=s.heartbeat
            )
            self.relay = OutboxRelay(store.db, publisher, service=self.service, poll_interval=s.relay_poll_interval,
                                     grace_seconds=s.relay_grace)
            store.on_commit(self.relay.wake)
            self.relay.start()
            self.relay.wake()
        return self.relay

    def start_consumer(self, handle: Callable[[Event], None], *, in_thread: bool = True,
                       handle_batch: Callable[[list[Event]], None] | None = None) -> ServiceConsumer:
        s = self.settings
        self.consumer = ServiceConsumer(s.amqp_url, self.topology, handle, prefetch=s.prefetch, heartbeat=s.heartbeat,
                                        handle_batch=handle_batch)
        if in_thread:
            self.consumer.run_in_thread()
        return self.consumer

    def serve_health(self) -> None:
        """Serve this consumer process's /healthz and /readyz on the metrics port (if one is set)."""
        port = self.settings.metrics_port
        if not port:
            return
        try:
            server = health.serve(self, port)
        except OSError as exc:  # a taken port must not stop the consumer; the probes will say so
            log.error("health checks not served", extra={"port": port, "error": repr(exc)})
            return
        self.on_stop.append(server.stop)

    def stop(self) -> None:
        for stop in self.on_stop:
            try:
                stop()
            except Exception:
                log.exception("stopping background work failed")
        if self.consumer is not None:
            self.consumer.stop()
        if self.relay is not None:
            self.relay.stop()
        if self.store is not None:
            self.store.client.close()

    # -- readiness ------------------------------------------------------------------------------
    def check_ready(self) -> dict[str, str]:
        """Report on MongoDB and the broker; 'ok' or the error."""
        checks: dict[str, str] = {}
        try:
            self.open_store().ping()
            checks["mongodb"] = "ok"
        except Exception as exc:
            checks["mongodb"] = f"error: {exc.__class__.__name__}"
        checks["broker"] = broker_reachable(self.settings.amqp_url)
        return checks


def broker_reachable(url: str, timeout: float = 1.0) -> str:
    if url.startswith("memory://"):
        return "ok"
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=timeout):
            return "ok"
    except OSError as exc:
        return f"error: {exc.__class__.__name__}"
