"""Prometheus metrics shared by every service (labelled by service), and their exposition.

Under gunicorn each worker is its own process: prometheus_client's multiprocess mode
(PROMETHEUS_MULTIPROC_DIR, set by shared.gunicorn_conf) writes every worker's values to files and
one scrape sums them, so /metrics tells the truth whichever worker answers it. A consumer process
serves the same metrics on its own port (CHORA_METRICS_PORT). What lives in the database (events
pending and parked in the outbox, the age of the oldest) is read at scrape time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from pymongo.database import Database

EVENTS_PUBLISHED = Counter("chora_events_published_total", "Events confirmed by the broker", ["service", "type"])
EVENTS_UNROUTABLE = Counter(
    "chora_events_unroutable_total", "Events the broker returned as unroutable", ["service", "type"]
)
EVENTS_PARKED = Counter(
    "chora_events_parked_total", "Events parked in the outbox after their last unroutable try", ["service", "type"]
)
PUBLISH_FAILURES = Counter("chora_publish_failures_total", "Publish attempts that failed or timed out", ["service"])
RELAY_LAG = Histogram(
    "chora_relay_lag_seconds", "From an event's commit to the broker's confirm", ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
EVENTS_CONSUMED = Counter(
    "chora_events_consumed_total", "Messages handled by a consumer, by outcome (ok, duplicate, retried, dead_lettered)",
    ["service", "type", "outcome"],
)
HANDLER_SECONDS = Histogram("chora_event_handler_seconds", "Time a consumer's handler took per event", ["service", "type"])
DEAD_LETTERS = Counter(
    "chora_dead_letters_total",
    "Messages a consumer dead-lettered, by kind (invalid, not_handled, wrong_producer, unsealable, handler)",
    ["service", "kind"],
)
QUEUE_MESSAGES = Gauge("chora_queue_messages", "Messages ready in a queue, as the broker reports it",
                       ["service", "queue"], multiprocess_mode="mostrecent")
QUEUE_CONSUMERS = Gauge("chora_queue_consumers", "Consumers of a queue, as the broker reports it",
                        ["service", "queue"], multiprocess_mode="mostrecent")
HTTP_REQUESTS = Counter("chora_http_requests_total", "HTTP requests", ["service", "method", "status"])
HTTP_LATENCY = Histogram("chora_http_request_seconds", "HTTP request duration", ["service"])


class OutboxCollector:
    """Events pending and parked in a service's outbox, and the age of the oldest, read at scrape time."""

    def __init__(self, service: str, db: Database[Any], now: Callable[[], datetime]):
        self.service, self.db, self.now = service, db, now

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # read at scrape time only: never while registering

    def collect(self) -> Iterable[GaugeMetricFamily]:
        pending = GaugeMetricFamily("chora_outbox_pending", "Events waiting in the outbox", labels=["service"])
        parked = GaugeMetricFamily("chora_outbox_parked", "Events parked in the outbox (chora-bus outbox)",
                                   labels=["service"])
        oldest = GaugeMetricFamily("chora_outbox_oldest_seconds", "Age of the oldest event waiting in the outbox",
                                   labels=["service"])
        try:
            pending.add_metric([self.service], self._events("outbox"))
            parked.add_metric([self.service], self._events("outbox_parked"))
            first = self.db["outbox"].find_one({}, {"created_at": 1}, sort=[("created_at", 1)])
            age = (self.now() - first["created_at"]).total_seconds() if first else 0.0
            oldest.add_metric([self.service], max(0.0, age))
        except Exception:  # noqa: BLE001 - a scrape must answer even when the store is away
            return []
        return [pending, parked, oldest]

    def _events(self, collection: str) -> int:
        rows = list(self.db[collection].aggregate([{"$group": {"_id": None, "n": {"$sum": {"$size": "$events"}}}}]))
        return int(rows[0]["n"]) if rows else 0


def registry(extra: Iterable[object] = ()) -> CollectorRegistry:
    """The registry to expose: every process's values in multiprocess mode, this process's otherwise,
    with `extra` collectors read at scrape time."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        reg = CollectorRegistry()
        MultiProcessCollector(reg)
    else:
        reg = CollectorRegistry()
        reg.register(_Delegate(REGISTRY))
    for collector in extra:
        reg.register(collector)  # type: ignore[arg-type]
    return reg


class _Delegate:
    """This process's default registry, exposed through another registry next to extra collectors."""

    def __init__(self, source: CollectorRegistry):
        self.source = source

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        return self.source.collect()

