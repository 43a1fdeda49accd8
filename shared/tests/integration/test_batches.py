"""Batched consumption on real RabbitMQ and SecantusDB: the messages already waiting are handled
in one transaction, each marked in the inbox; a failing batch falls back to one-by-one."""

import threading
import time

import pytest

from shared.bustool import BusTool
from shared.runtime import Runtime

pytestmark = pytest.mark.integration


class BatchSink:
    def __init__(self, settings):
        self.runtime = Runtime(settings, handled_types=("test.pinged",))
        self.store = self.runtime.open_store()
        self.batch_sizes: list[int] = []
        self.single_calls: list[str] = []
        self.poison: set[str] = set()
        self.lock = threading.Lock()

    def _bump(self, tx, key):
        if key in self.poison:
            raise RuntimeError(f"poison {key}")
        tx.db.effects.update_one({"_id": key}, {"$inc": {"n": 1}}, upsert=True, session=tx.session)

    def handle(self, evt):
        with self.lock:
            self.single_calls.append(evt.payload["key"])
        self.store.transact(lambda tx: self._bump(tx, evt.payload["key"]), inbox=("sink", evt.id))

    def handle_batch(self, events):
        with self.lock:
            self.batch_sizes.append(len(events))

        def work(tx):
            for evt in events:
                self._bump(tx, evt.payload["key"])

        self.store.transact(work, inbox=[("sink", e.id) for e in events])

    def effects(self):
        return {d["_id"]: d["n"] for d in self.store.db.effects.find()}


@pytest.fixture
def batch_sink(settings_for):
    sink = BatchSink(settings_for("sink"))
    consumer = sink.runtime.start_consumer(sink.handle, handle_batch=sink.handle_batch)
    assert consumer.ready.wait(10)
    producer = Runtime(settings_for("source"))
    producer.open_store()
    yield sink, producer
    producer.stop()
    sink.runtime.stop()


def emit_many(producer, keys):
    # One commit for all, so they reach the queue together and the consumer sees a backlog.
    producer.store.transact(lambda tx: [tx.emit("test.pinged", {"key": k}) for k in keys])


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_waiting_messages_are_handled_in_batches_with_each_effect_once(batch_sink):
    sink, producer = batch_sink
    keys = [f"k{i}" for i in range(60)]
    emit_many(producer, keys)
    producer.start_relay()
    assert wait_for(lambda: len(sink.effects()) == 60)
    time.sleep(0.5)
    assert sink.effects() == {k: 1 for k in keys}
    assert max(sink.batch_sizes) > 1  # a backlog was taken together
    assert sink.store.db.inbox.count_documents({}) == 60


def test_a_poison_message_in_a_batch_is_isolated_and_the_rest_are_applied_once(batch_sink, settings_for):
    sink, producer = batch_sink
    sink.poison.add("bad")
    keys = [f"p{i}" for i in range(10)]
    emit_many(producer, keys[:5] + ["bad"] + keys[5:])
    producer.start_relay()
    assert wait_for(lambda: len(sink.effects()) == 10)
    settings = settings_for("sink")
    tool = BusTool(settings.amqp_url, settings.amqp_prefix, settings.retry_delays)
    assert wait_for(lambda: len(tool.dead_letters("sink")) == 1)
    assert sink.effects() == {k: 1 for k in keys}
    assert "bad" not in sink.effects()
    assert "poison bad" in tool.dead_letters("sink")[0].reason


def test_a_batch_containing_an_already_processed_event_falls_back_and_applies_nothing_twice(batch_sink, settings_for, amqp_url):
    import pika

    from shared.events import new_event

    sink, producer = batch_sink
    repeat = new_event("test.pinged", {"key": "again"}, producer="source")
    fresh = [new_event("test.pinged", {"key": f"f{i}"}, producer="source") for i in range(5)]
    settings = settings_for("sink")
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    ch = conn.channel()
    ch.confirm_delivery()
    exchange = f"{settings.amqp_prefix}.events"
    ch.basic_publish(exchange, "test.pinged", repeat.to_json(), pika.BasicProperties(delivery_mode=2))
    assert wait_for(lambda: sink.effects().get("again") == 1)
    for evt in [*fresh, repeat]:  # the repeat arrives inside a batch of new events
        ch.basic_publish(exchange, "test.pinged", evt.to_json(), pika.BasicProperties(delivery_mode=2))
    conn.close()
    assert wait_for(lambda: all(sink.effects().get(f"f{i}") == 1 for i in range(5)))
    time.sleep(0.5)
    assert sink.effects()["again"] == 1
