"""A service process's moving parts: its store, its outbox relay and, if it consumes, its
consumer. Built by each service's bootstrap from its settings; connects only when started."""

from __future__ import annotations

import functools
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlparse

from prometheus_client import make_wsgi_app
from pymongo import IndexModel

from shared import health, metrics
from shared.config import ServiceSettings
from shared.events import CATALOGUE, Event, subscriptions
from shared.events.sealing import Sealer
from shared.messaging.consumer import ServiceConsumer
from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.relay import OutboxRelay
from shared.messaging.topology import Topology
from shared.mongo import ServiceStore, connect, now

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: ServiceSettings
    handled_types: tuple[str, ...] = ()
    indexes: dict[str, Iterable[IndexModel]] = field(default_factory=dict)
    store: ServiceStore | None = None
    relay: OutboxRelay | None = None
    consumer: ServiceConsumer | None = None
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    _indexed: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        if self.handled_types:  # none: a runtime that only produces (a tool, a test's upstream)
            check_subscriptions(self.service, self.handled_types)

    @property
    def service(self) -> str:
        return self.settings.service

    @property
    def topology(self) -> Topology:
        s = self.settings
        return Topology(s.amqp_prefix, s.service, s.retry_delays, s.queue_type, s.archive_max_length)

    @functools.cached_property
    def sealer(self) -> Sealer | None:
        """The sealing key, for a service that seals tokens or opens them (registration, notification)."""
        seals = any(spec.sealed and (spec.producer == self.service or
                                     any(audience == self.service for _, audience in spec.sealed))
                    for spec in CATALOGUE.values())
        return Sealer.from_key_or_secret(self.settings.event_seal_key, self.settings.secret_key,
                                         self.settings.previous_secret_keys) if seals else None

    def connect_store(self) -> ServiceStore:
        """Connect to MongoDB (after fork) without touching indexes: what API workers and consumers
        do (indexes, seeds and migrations are the migrate job's)."""
        if self.store is None:
            client = connect(self.settings.mongo_url, app_name=self.service)
            self.store = ServiceStore(client, self.settings.mongo_db, producer=self.service, sealer=self.sealer)
        return self.store

    def open_store(self) -> ServiceStore:
        """Connect to MongoDB (after fork) and ensure the indexes (once per runtime)."""
        store = self.connect_store()
        if not self._indexed:
            store.ensure_indexes(self.indexes)
            self._indexed = True
        return store

    def outbox_metrics(self) -> metrics.OutboxCollector:
        """Scrape-time figures of this service's outbox."""
        return metrics.OutboxCollector(self.service, self.connect_store().db, now)

    def start_relay(self) -> OutboxRelay:
        store = self.connect_store()
        if self.relay is None:
            s = self.settings
            publisher = ConfirmingPublisher(
                s.amqp_url, self.topology, confirm_timeout=s.confirm_timeout, heartbeat=s.heartbeat
            )
            self.relay = OutboxRelay(store.db, publisher, service=self.service, poll_interval=s.relay_poll_interval,
                                     grace_seconds=s.relay_grace, unroutable_backoff=s.outbox_backoff,
                                     unroutable_backoff_cap=s.outbox_backoff_cap, max_attempts=s.outbox_max_attempts)
            store.on_commit(self.relay.wake)
            self.relay.start()
            self.relay.wake()
        return self.relay

    def start_consumer(self, handle: Callable[[Event], None], *, in_thread: bool = True,
                       handle_batch: Callable[[list[Event]], None] | None = None) -> ServiceConsumer:
        s = self.settings
        self.consumer = ServiceConsumer(s.amqp_url, self.topology, handle, prefetch=s.prefetch, heartbeat=s.heartbeat,
                                        handle_batch=handle_batch, sealer=self.sealer,
                                        user_prefix=s.amqp_user_prefix, shared_user=s.amqp_shared_user)
        if in_thread:
            self.consumer.run_in_thread()
        return self.consumer

    def serve_probes(self) -> None:
        """Serve this consumer process's /healthz, /readyz (shared.health) and /metrics on its
        metrics port, if one is set: the one port Kubernetes, compose and `make run` ask."""
        port = self.settings.metrics_port
        if not port:
            return
        try:
            server = health.serve(self, port)
        except OSError as exc:  # a taken port must not stop the consumer; the probes will say so
            log.error("health checks not served", extra={"port": port, "error": repr(exc)})
            return
        server.mount("/metrics", make_wsgi_app(metrics.registry([self.outbox_metrics()])))
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
            self.connect_store().ping()
            checks["mongodb"] = "ok"
        except Exception as exc:
            checks["mongodb"] = f"error: {exc.__class__.__name__}"
        checks["broker"] = broker_reachable(self.settings.amqp_url)
        return checks


def check_subscriptions(service: str, handled: tuple[str, ...] | list[str]) -> None:
    """Refuse handlers that differ from what the catalogue routes to the service."""
    declared = set(subscriptions(service))
    if set(handled) != declared:
        raise ValueError(
            f"{service} handles {sorted(set(handled) - declared)} that the catalogue does not route to it, "
            f"and not {sorted(declared - set(handled))} that it does: declare consumers=(...) in "
            f"shared/events/ and the handlers together")


def broker_reachable(url: str, timeout: float = 1.0) -> str:
    if url.startswith("memory://"):
        return "ok"
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=timeout):
            return "ok"
    except OSError as exc:
        return f"error: {exc.__class__.__name__}"


def wait_for_signal() -> None:
    """Block the main thread until SIGTERM or SIGINT (the life of a consumer or scheduler process)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # A timed wait: a signal the kernel hands to another thread runs its handler only when this
    # (main) thread next runs Python code; an untimed wait would never wake for it.
    while not stop.wait(1.0):
        pass
