"""Backbone integration tests: real RabbitMQ (per-test exchange and queues), real SecantusDB
(a fresh database per test), pika for observing and injecting messages on the wire.

Test-only event types are declared here so these tests need no service: `source` produces them,
`sink` consumes test.pinged, nobody consumes test.orphaned (it goes to the archive), and
test.misrouted is for `ghost`, a consumer whose queue a test deletes (a misconfiguration)."""

import threading
import time
from dataclasses import dataclass, field

import pytest
from marshmallow import fields

from shared.events.base import CATALOGUE, Payload, event
from shared.runtime import Runtime

if "test.pinged" not in CATALOGUE:
    @event("test.pinged", version=1, producer="source", consumers=("sink",))
    class Pinged(Payload):
        """A test event: bumps a counter named key."""

        key = fields.Str(required=True)

    @event("test.orphaned", version=1, producer="source")
    class Orphaned(Payload):
        """A test event no service consumes."""

        key = fields.Str(required=True)

    @event("test.misrouted", version=1, producer="source", consumers=("ghost",))
    class Misrouted(Payload):
        """A test event for a consumer whose queue has gone."""

        key = fields.Str(required=True)


@dataclass
class Pipeline:
    """A producer runtime and a consumer runtime whose handler bumps effects[key] with an inbox."""

    producer: Runtime
    consumer: Runtime
    calls: list[str] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, evt) -> None:
        key = evt.payload["key"]
        with self.lock:
            self.calls.append(key)
        if key in self.fail:
            raise RuntimeError(f"handler fault for {key}")
        self.consumer.store.transact(
            lambda tx: tx.db.effects.update_one({"_id": key}, {"$inc": {"count": 1}}, upsert=True, session=tx.session),
            inbox=("consumer", evt.id),
        )

    def emit(self, key: str, type_: str = "test.pinged"):
        return self.producer.open_store().transact(lambda tx: tx.emit(type_, {"key": key}))

    def effect(self, key: str) -> int:
        doc = self.consumer.store.db.effects.find_one({"_id": key})
        return doc["count"] if doc else 0

    def wait_effect(self, key: str, count: int = 1, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.effect(key) >= count:
                return self.effect(key)
            time.sleep(0.05)
        return self.effect(key)


@pytest.fixture
def pipeline(settings_for):
    consumer_rt = Runtime(settings_for("sink"), handled_types=("test.pinged",))
    consumer_rt.open_store()
    producer_rt = Runtime(settings_for("source"))
    pipe = Pipeline(producer_rt, consumer_rt)
    consumer = consumer_rt.start_consumer(pipe.handle)
    assert consumer.ready.wait(10), "consumer did not connect"
    yield pipe
    producer_rt.stop()
    consumer_rt.stop()
