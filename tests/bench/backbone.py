"""Raw kombu confirmed publishing next to the outbox relay, in one run."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from kombu import Connection, Exchange, Producer, Queue

from shared.config import ServiceSettings as Settings
from shared.events import new_event
from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.relay import OutboxRelay
from shared.messaging.topology import Topology
from shared.mongo import OUTBOX, outbox_documents
from shared.runtime import Runtime


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


def relay_publish_rate(settings: Settings, n: int = 5000) -> float:
    """Events a second the relay takes from the outbox to confirmed-and-marked."""
    settings = settings.with_changes(amqp_prefix=f"bench{uuid.uuid4().hex[:8]}", service="benchrelay")
    runtime = Runtime(settings)
    store = runtime.open_store()
    # A queue bound to the type, so nothing is unroutable.
    topo = Topology(settings.amqp_prefix, "benchsink", ("mail.failed",), (1,))
    with Connection(settings.amqp_url) as conn:
        topo.declare(conn.channel())
    docs = []
    for i in range(n):
        evt = new_event("mail.failed", {"mail_id": str(i), "template": "t", "reason": "r"}, producer="bench")
        docs += outbox_documents([evt], datetime.now(UTC))
    store.db[OUTBOX].insert_many(docs)
    relay = OutboxRelay(store.db, ConfirmingPublisher(settings.amqp_url, runtime.topology), service="bench")
    relay.publisher._ensure()  # connect outside the timing, as a running relay already is
    started = time.perf_counter()
    published = 0
    while published < n:
        published += relay.drain()
    elapsed = time.perf_counter() - started
    relay.stop()
    assert store.db[OUTBOX].count_documents({}) == 0
    with Connection(settings.amqp_url) as conn:
        ch = conn.channel()
        for q in topo.all_queues():
            q.bind(ch).delete()
        topo.exchange.bind(ch).delete()
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
    settings = settings.with_changes(amqp_prefix=f"bench{uuid.uuid4().hex[:8]}", service="benchlive",
                                     mongo_db=f"benchlive{uuid.uuid4().hex[:6]}")
    runtime = Runtime(settings)
    store = runtime.open_store()
    topo = Topology(settings.amqp_prefix, "benchsink", ("mail.failed",), (1,))
    with Connection(settings.amqp_url) as conn:
        topo.declare(conn.channel())
    relay = runtime.start_relay()
    relay.publisher._ensure()
    time.sleep(0.5)
    started = time.perf_counter()
    for first in range(0, n, per_tx):
        store.transact(lambda tx, first=first: [
            tx.emit("mail.failed", {"mail_id": str(i), "template": "t", "reason": "r"})
            for i in range(first, min(n, first + per_tx))])
    committed = time.perf_counter() - started
    with Connection(settings.amqp_url) as conn:
        channel = conn.channel()
        while channel.queue_declare(topo.queue_name, passive=True).message_count < n:
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
        relay.stop()
        for q in topo.all_queues():
            q.bind(channel).delete()
        topo.exchange.bind(channel).delete()
    store.client.drop_database(settings.mongo_db)
    runtime.stop()
    return n / elapsed, n / committed, elapsed - committed
