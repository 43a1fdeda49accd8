"""Raw kombu confirmed publishing next to the outbox relay, in one run; the relay with a third of
its events of a type nobody consumes (archived); the cost of validating events."""

from __future__ import annotations

import importlib.util
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from kombu import Connection, Exchange, Producer, Queue
from marshmallow import fields

from shared.config import ServiceSettings as Settings
from shared.events import CATALOGUE, decode, new_event
from shared.events.base import Payload, event
from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.relay import OutboxRelay
from shared.messaging.topology import Topology
from shared.mongo import OUTBOX, outbox_documents
from shared.runtime import Runtime

if "bench.routed" not in CATALOGUE:
    @event("bench.routed", version=1, producer="benchrelay", consumers=("benchsink",))
    class BenchRouted(Payload):
        """A bench event with a consumer."""

        mail_id = fields.Str(required=True)

    @event("bench.unconsumed", version=1, producer="benchrelay")
    class BenchUnconsumed(Payload):
        """A bench event nobody consumes (it goes to the archive)."""

        mail_id = fields.Str(required=True)


def _delete(settings: Settings, topo: Topology) -> None:
    with Connection(settings.amqp_url) as conn:
        ch = conn.channel()
        for q in [*Topology(settings.amqp_prefix, "benchsink", (1,)).own_queues(), topo.archive_queue()]:
            q.bind(ch).delete()
        topo.exchange.bind(ch).delete()


def raw_confirmed_publish_rate(amqp_url: str, n: int = 2000) -> float:
    """Messages a second with one publisher confirm awaited per message (kombu confirm_publish)."""
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    exchange = Exchange(f"{prefix}.raw", type="topic", durable=True)
    queue = Queue(f"{prefix}.raw", exchange, routing_key="#", durable=True)
    with Connection(amqp_url, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        queue.bind(channel).declare()
        producer = Producer(channel, exchange=exchange)
        body = new_event("mail.failed", {"mail_id": "m", "template": "t", "reason": "r"}, producer="bench").to_json()
        started = time.perf_counter()
        for _ in range(n):
            producer.publish(body, routing_key="bench.raw", content_type="application/json",
                             content_encoding="utf-8", delivery_mode=2, mandatory=True, retry=False)
        elapsed = time.perf_counter() - started
        queue.bind(channel).delete()
        exchange.bind(channel).delete()
    return n / elapsed


def relay_publish_rate(settings: Settings, n: int = 5000, unconsumed_every: int = 0) -> float:
    """Events a second the relay takes from the outbox to confirmed-and-marked; with
    unconsumed_every=3, every third event is of a type nobody consumes (archived)."""
    settings = settings.with_changes(amqp_prefix=f"bench{uuid.uuid4().hex[:8]}", service="benchrelay",
                                     mongo_db=f"benchrelay{uuid.uuid4().hex[:6]}")
    runtime = Runtime(settings)
    store = runtime.open_store()
    docs = []
    for i in range(n):
        type_ = "bench.unconsumed" if unconsumed_every and i % unconsumed_every == 0 else "bench.routed"
        evt = new_event(type_, {"mail_id": str(i)}, producer="benchrelay")
        docs += outbox_documents([evt], datetime.now(UTC))
    store.db[OUTBOX].insert_many(docs)
    relay = OutboxRelay(store.db, ConfirmingPublisher(settings.amqp_url, runtime.topology), service="benchrelay")
    relay.publisher._ensure()  # connect (and declare the topology) outside the timing, as a running relay is
    started = time.perf_counter()
    published = 0
    while published < n:
        published += relay.drain()
    elapsed = time.perf_counter() - started
    relay.stop()
    assert store.db[OUTBOX].count_documents({}) == 0
    _delete(settings, runtime.topology)
    store.client.drop_database(settings.mongo_db)
    return n / elapsed


def raw_store_write_rate(settings: Settings, n: int = 2000) -> float:
    """Single-document writes a second to the same store (the ceiling for projections)."""
    runtime = Runtime(settings.with_changes(mongo_db=f"benchraw{uuid.uuid4().hex[:6]}"))
    store = runtime.open_store()
    coll = store.db["raw"]
    started = time.perf_counter()
    for i in range(n):
        coll.replace_one({"_id": i}, {"_id": i, "v": i}, upsert=True)
    elapsed = time.perf_counter() - started
    store.client.drop_database(store.db.name)
    return n / elapsed


def relay_live_rate(settings: Settings, n: int = 5000, per_tx: int = 25) -> tuple[float, float, float]:
    """The relay on its live path: events committed (per_tx to a transaction) while it runs,
    published from memory after each commit. Returns (events a second from the first commit until
    the broker holds them all, the commits' own rate, seconds from the last commit until the broker
    held the last event)."""
    settings = settings.with_changes(amqp_prefix=f"bench{uuid.uuid4().hex[:8]}", service="benchrelay",
                                     mongo_db=f"benchlive{uuid.uuid4().hex[:6]}")
    runtime = Runtime(settings)
    store = runtime.open_store()
    relay = runtime.start_relay()
    relay.publisher._ensure()
    sink = Topology(settings.amqp_prefix, "benchsink", (1,))
    time.sleep(0.5)
    started = time.perf_counter()
    for first in range(0, n, per_tx):
        store.transact(lambda tx, first=first: [
            tx.emit("bench.routed", {"mail_id": str(i)}) for i in range(first, min(n, first + per_tx))])
    committed = time.perf_counter() - started
    with Connection(settings.amqp_url) as conn:
        channel = conn.channel()
        while channel.queue_declare(sink.queue_name, passive=True).message_count < n:
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
    relay.stop()
    _delete(settings, runtime.topology)
    store.client.drop_database(settings.mongo_db)
    runtime.stop()
    return n / elapsed, n / committed, elapsed - committed


def validation_cost(n: int = 2000) -> dict[str, tuple[float, float]]:
    """Microseconds to build (validate on publish) and to decode (validate on receipt) one event,
    marshmallow alone, for a small, a medium and the largest payload of the catalogue."""
    # The catalogue test's sample payloads (valid by construction for every type).
    spec = importlib.util.spec_from_file_location(
        "catalogue_samples", Path(__file__).resolve().parents[2] / "shared" / "tests" / "unit" / "test_catalogue.py")
    samples_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(samples_module)  # type: ignore[union-attr]
    samples = {t: samples_module.sample_payload(CATALOGUE[t].schema)
               for t in ("mail.failed", "score.changed", "library.registered", "evidence.submitted")}
    out = {}
    for type_, payload in samples.items():
        try:
            evt = new_event(type_, payload, producer=CATALOGUE[type_].producer)
        except Exception:  # noqa: BLE001 - a sample that no longer fits its schema is skipped
            continue
        body = evt.to_json()
        started = time.perf_counter()
        for _ in range(n):
            new_event(type_, payload, producer=CATALOGUE[type_].producer)
        build = (time.perf_counter() - started) / n * 1e6
        started = time.perf_counter()
        for _ in range(n):
            decode(body)
        out[type_] = (build, (time.perf_counter() - started) / n * 1e6)
    return out
