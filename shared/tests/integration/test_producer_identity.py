"""Only the producer may publish its events: each service connects as its own RabbitMQ account
(made on the test broker with rabbitmqctl, named after this run), the broker refuses a routing
key the account may not write and a user_id that is not the connection's, and the consumer
dead-letters what reaches its queue from anyone but the type's producer."""

import time

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker

from shared.bustool import BusTool
from shared.events import new_event
from shared.runtime import Runtime

pytestmark = pytest.mark.integration


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def publish(url, exchange, routing_key, body, **props):
    conn = pika.BlockingConnection(pika.URLParameters(url))
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        ch.basic_publish(exchange, routing_key, body,
                         pika.BasicProperties(content_type="application/json", delivery_mode=2, **props))
    finally:
        conn.close()


def test_an_event_published_by_anyone_but_its_producer_is_refused_or_dead_lettered(
        settings_for, broker_users, amqp_url, run_prefix):
    users = broker_users.create("source", "sink", "intruder")
    strict = {"amqp_user_prefix": users.user_prefix}
    sink = Runtime(settings_for("sink", amqp_url=users.url("sink"), **strict), handled_types=("test.pinged",))
    store = sink.open_store()
    handled: list[str] = []

    def handle(evt):
        handled.append(evt.payload["key"])
        store.transact(lambda tx: None, inbox=("sink", evt.id))

    consumer = sink.start_consumer(handle)
    source = Runtime(settings_for("source", amqp_url=users.url("source"), **strict))
    try:
        assert consumer.ready.wait(10)
        source.start_relay()
        source.open_store().transact(lambda tx: tx.emit("test.pinged", {"key": "genuine"}))
        assert wait_until(lambda: "genuine" in handled)  # the producer's own account: believed

        exchange, queue = f"{run_prefix}.events", f"{run_prefix}.sink"
        forged = new_event("test.pinged", {"key": "forged"}, producer="source")
        # The intruder may not write test.pinged on the events exchange (topic permission) ...
        with pytest.raises(ChannelClosedByBroker) as refused:
            publish(users.url("intruder"), exchange, "test.pinged", forged.to_json(), message_id=forged.id)
        assert refused.value.reply_code == 403
        # ... nor claim to be the producer: RabbitMQ checks user_id against the connection's user.
        with pytest.raises(ChannelClosedByBroker) as claimed:
            publish(users.url("intruder"), "", queue, forged.to_json(), message_id=forged.id,
                    user_id=f"{users.user_prefix}source")
        assert claimed.value.reply_code == 406
        # Straight into the consumer's queue through the default exchange, under its own name, or
        # as the shared guest account: dead-lettered, never handled.
        publish(users.url("intruder"), "", queue, forged.to_json(), message_id="by-intruder",
                user_id=f"{users.user_prefix}intruder")
        publish(amqp_url, "", queue, forged.to_json(), message_id="by-guest")
        tool = BusTool(amqp_url, run_prefix, (1, 2))
        letters = wait_until(lambda: (lambda ls: ls if len(ls) == 2 else None)(tool.dead_letters("sink")))
        reasons = {letter.message_id: letter.reason for letter in letters}
        assert f"published by {users.user_prefix}intruder, not by its producer {users.user_prefix}source" \
            in reasons["by-intruder"]
        assert "forged" in reasons["by-guest"]
        assert handled == ["genuine"]
    finally:
        source.stop()
        sink.stop()
