"""The failure modes of DESIGN.md section 2, on real RabbitMQ and real SecantusDB."""

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pika
import pytest

from shared.bustool import BusTool
from shared.events import new_event

pytestmark = pytest.mark.integration

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def publish_raw(amqp_url, exchange, routing_key, body: bytes, message_id="raw"):
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        ch.basic_publish(exchange, routing_key, body,
                         pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=message_id),
                         mandatory=True)
    finally:
        conn.close()


def dead_letters(settings, service="sink"):
    return BusTool(settings.amqp_url, settings.amqp_prefix, settings.retry_delays).dead_letters(service)


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def test_event_stored_by_a_process_killed_before_publishing_is_delivered_after_restart(pipeline, settings_for):
    settings = settings_for("source")
    # A separate process commits a state change with its event, then dies before any relay runs.
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {os.path.join(REPO, 'shared', 'tests', 'integration')!r})
        import conftest  # declares test.pinged
        from shared.config import ServiceSettings
        from shared.runtime import Runtime
        s = ServiceSettings.from_env({{"CHORA_EMBEDDED": "1", "CHORA_MONGO_URL": {settings.mongo_url!r},
            "CHORA_DB_PREFIX": {settings.mongo_db.rsplit('_', 1)[0]!r}}}, service="source")
        store = Runtime(s).open_store()
        store.transact(lambda tx: (tx.db.state.insert_one({{"k": "crash"}}, session=tx.session),
                                   tx.emit("test.pinged", {{"key": "crash"}})))
        os._exit(9)  # killed: no relay ever ran in this process
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, timeout=60)
    assert proc.returncode == 9, proc.stderr.decode()
    store = pipeline.producer.open_store()
    assert store.db.outbox.count_documents({}) == 1
    assert pipeline.effect("crash") == 0

    pipeline.producer.start_relay()  # "restart": a new relay finds the pending event
    assert pipeline.wait_effect("crash") == 1
    # The confirmed event is deleted after the broker's confirm, which may come after the effect.
    assert wait_until(lambda: store.db.outbox.count_documents({}) == 0)
    assert pipeline.effect("crash") == 1


def test_the_same_event_delivered_twice_has_its_effect_once(pipeline, settings_for, amqp_url):
    settings = settings_for("source")
    evt = new_event("test.pinged", {"key": "twice"}, producer="source")
    # Twice on the wire: a redelivery, or a relay that crashed after the confirm but before marking.
    for _ in range(2):
        publish_raw(amqp_url, f"{settings.amqp_prefix}.events", "test.pinged", evt.to_json(), evt.id)
    assert wait_until(lambda: pipeline.calls.count("twice") >= 2)
    assert pipeline.effect("twice") == 1


def test_a_relay_that_crashed_after_confirm_but_before_marking_republishes_and_the_effect_is_once(pipeline):
    pipeline.emit("again")
    outbox = pipeline.producer.open_store().db.outbox
    pending = outbox.find_one()
    relay = pipeline.producer.start_relay()
    assert pipeline.wait_effect("again") == 1
    # The delete follows the broker's confirm, which may arrive after the consumer's effect.
    assert wait_until(lambda: outbox.count_documents({}) == 0)
    # Undo the "sent" mark as if the relay had died between the confirm and the update.
    outbox.insert_one(pending)
    relay.wake()
    assert wait_until(lambda: pipeline.calls.count("again") >= 2)
    assert pipeline.effect("again") == 1


def test_a_failing_handler_is_retried_with_delays_then_dead_lettered_and_replay_applies_it_once(pipeline, settings_for):
    settings = settings_for("sink")
    pipeline.fail.add("faulty")
    pipeline.producer.start_relay()
    started = time.monotonic()
    pipeline.emit("faulty")
    letters = wait_until(lambda: dead_letters(settings), timeout=30)
    elapsed = time.monotonic() - started
    assert len(letters) == 1
    assert "handler fault for faulty" in letters[0].reason
    # First try plus one try after each configured delay (1 s and 2 s in tests).
    assert pipeline.calls.count("faulty") == 1 + len(settings.retry_delays)
    assert elapsed >= sum(settings.retry_delays)
    assert pipeline.effect("faulty") == 0

    pipeline.fail.clear()  # the fault is fixed
    tool = BusTool(settings.amqp_url, settings.amqp_prefix, settings.retry_delays)
    assert tool.replay("sink", letters[0].message_id) == 1
    assert pipeline.wait_effect("faulty") == 1
    time.sleep(0.5)
    assert pipeline.effect("faulty") == 1
    assert dead_letters(settings) == []


def test_malformed_messages_are_dead_lettered_at_once_and_the_next_good_one_is_processed(pipeline, settings_for, amqp_url):
    settings = settings_for("sink")
    exchange = f"{settings.amqp_prefix}.events"
    publish_raw(amqp_url, exchange, "test.pinged", b"{this is not json", "bad-json")
    bad_schema = new_event("test.pinged", {"key": "x"}, producer="t").to_dict()
    bad_schema["payload"] = {"wrong": 1}
    publish_raw(amqp_url, exchange, "test.pinged", json.dumps(bad_schema).encode(), "bad-schema")
    good = new_event("test.pinged", {"key": "good"}, producer="t")
    publish_raw(amqp_url, exchange, "test.pinged", good.to_json(), good.id)

    assert pipeline.wait_effect("good") == 1
    letters = wait_until(lambda: (lambda ls: ls if len(ls) == 2 else None)(dead_letters(settings)), timeout=10)
    reasons = {letter.message_id: letter.reason for letter in letters}
    assert "not valid JSON" in reasons["bad-json"]
    assert "invalid payload" in reasons["bad-schema"]
    assert pipeline.calls == ["good"]  # neither malformed message reached the handler


def queue_depth(amqp_url, name):
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return conn.channel().queue_declare(name, passive=True).method.message_count
    finally:
        conn.close()


def test_an_event_type_nobody_consumes_is_archived_and_leaves_the_outbox_at_once(pipeline, settings_for, amqp_url):
    from shared import metrics

    settings = settings_for("source")
    pipeline.producer.start_relay()
    before = metrics.EVENTS_UNROUTABLE.labels("source", "test.orphaned")._value.get()

    def three(tx):
        tx.emit("test.pinged", {"key": "first"})
        tx.emit("test.orphaned", {"key": "nobody"})
        tx.emit("test.pinged", {"key": "third"})

    store = pipeline.producer.open_store()
    store.transact(three)
    assert pipeline.wait_effect("first") == 1 and pipeline.wait_effect("third") == 1
    assert wait_until(lambda: store.db.outbox.count_documents({}) == 0)  # confirmed, all three
    assert wait_until(lambda: queue_depth(amqp_url, f"{settings.amqp_prefix}.archive") == 1)
    assert metrics.EVENTS_UNROUTABLE.labels("source", "test.orphaned")._value.get() == before


def test_an_unroutable_event_backs_off_is_parked_listed_and_replayed_and_never_blocks_others(settings_for, amqp_url):
    import io

    from shared import metrics
    from shared.bustool import main as bus
    from shared.runtime import Runtime

    settings = settings_for("source", outbox_max_attempts=3, outbox_backoff=0.2, outbox_backoff_cap=0.4)
    producer = Runtime(settings)
    store = producer.open_store()
    producer.start_relay().publisher._ensure()  # connected: the topology (ghost's queue too) is declared
    ghost = f"{settings.amqp_prefix}.ghost"
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        conn.channel().queue_delete(ghost)  # an operator's mistake: the consumer's queue is gone
        store.transact(lambda tx: (tx.emit("test.misrouted", {"key": "lost"}), tx.emit("test.orphaned", {"key": "x"})))
        parked = wait_until(lambda: store.db.outbox_parked.find_one(), timeout=20)
        assert parked is not None and [e["type"] for e in parked["events"]] == ["test.misrouted"]
        assert parked["attempts"] == 3 and "unroutable after 3 attempts" in parked["parked_reason"]
        # The archived one went at once; the other is parked (written before its outbox copy is removed).
        assert wait_until(lambda: store.db.outbox.count_documents({}) == 0)
        tried = metrics.EVENTS_UNROUTABLE.labels("source", "test.misrouted")._value.get()
        time.sleep(1.5)  # several sweeps (poll 0.5 s): none rereads the parked document
        assert metrics.EVENTS_UNROUTABLE.labels("source", "test.misrouted")._value.get() == tried

        def run(*argv):
            out = io.StringIO()
            code = bus(["--amqp-url", amqp_url, "--prefix", settings.amqp_prefix, *argv,
                        "--mongo-url", settings.mongo_url, "--mongo-db", settings.mongo_db], out=out)
            return code, out.getvalue()

        code, listed = run("outbox", "source")
        assert code == 0 and "test.misrouted\tparked\t3 attempt(s)" in listed and "0 pending, 1 parked" in listed

        conn.channel().queue_declare(ghost, durable=True, arguments={"x-queue-type": "classic"})
        conn.channel().queue_bind(ghost, f"{settings.amqp_prefix}.events", "test.misrouted")  # repaired
        code, replayed = run("outbox-replay", "source", "--all")
        assert code == 0 and "gave back 1" in replayed
        producer.relay.wake()
        assert wait_until(lambda: queue_depth(amqp_url, ghost) == 1)
        assert wait_until(lambda: store.db.outbox.count_documents({}) == 0)
        assert store.db.outbox_parked.count_documents({}) == 0
    finally:
        conn.close()
        producer.stop()


def test_the_sweep_leaves_alone_what_the_live_path_holds_so_a_late_event_is_published_once(pipeline):
    from shared.messaging.publisher import ConfirmingPublisher
    from shared.messaging.relay import OutboxRelay

    runtime = pipeline.producer
    store = runtime.open_store()
    # A relay that is not running: the test decides when the live path and the sweep act.
    relay = OutboxRelay(store.db, ConfirmingPublisher(runtime.settings.amqp_url, runtime.topology),
                        service="source", grace_seconds=0)
    store.on_commit(relay.wake)
    try:
        pipeline.emit("held")  # committed and handed to the live path, which has not run yet
        assert relay.drain(min_age=timedelta(0)) == 0  # older than the grace, but the live path holds it
        assert relay.publish_fresh() == 1
        assert pipeline.wait_effect("held") == 1
        assert wait_until(lambda: store.db.outbox.count_documents({}) == 0)
        assert relay.drain(min_age=timedelta(0)) == 0
        time.sleep(0.5)
        assert pipeline.calls.count("held") == 1  # published once
    finally:
        relay.stop()


def _rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


def _close_connections_of(*connections):
    """Close these kombu connections from the broker's side (not every connection on the shared broker)."""
    ports = set()
    for conn in connections:
        sock = getattr(getattr(conn, "connection", None), "sock", None)
        if sock is not None:
            ports.add(str(sock.getsockname()[1]))
    listing = subprocess.run(["rabbitmqctl", "-q", "list_connections", "pid", "peer_port"], capture_output=True,
                             text=True, timeout=120, check=True).stdout
    for line in listing.splitlines():
        pid, _, port = line.rpartition("\t")
        if port.strip() in ports:
            _rabbitmqctl("close_connection", pid.strip(), "test: dropped connection")
    return ports


@pytest.mark.parametrize("disruption", ["close_connections", "stop_and_start"])
def test_publishers_and_consumers_recover_from_dropped_connections_without_losing_events(pipeline, disruption):
    pipeline.producer.start_relay()
    keys = [f"stream-{i}" for i in range(60)]
    for key in keys[:20]:
        pipeline.emit(key)
    assert pipeline.wait_effect(keys[19]) == 1
    if disruption == "close_connections":
        consumer = pipeline.consumer.consumer
        assert len(_close_connections_of(pipeline.producer.relay.publisher._conn, consumer._live, consumer.out)) >= 2
    else:
        _rabbitmqctl("stop_app")
    for key in keys[20:40]:
        pipeline.emit(key)  # accepted while the broker is away: kept in the outbox
    if disruption == "stop_and_start":
        time.sleep(1)
        _rabbitmqctl("start_app")
        _rabbitmqctl("await_startup")
    for key in keys[40:]:
        pipeline.emit(key)
    assert wait_until(lambda: all(pipeline.effect(k) >= 1 for k in keys), timeout=90), (
        [k for k in keys if pipeline.effect(k) == 0]
    )
    assert all(pipeline.effect(k) == 1 for k in keys)


def broker_connections(user_name_prefix=None):
    out = subprocess.run(["rabbitmqctl", "-q", "list_connections", "pid", "user"], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def test_a_consumer_idle_past_two_heartbeats_dead_letters_without_reconnecting(settings_for, amqp_url):
    from shared.runtime import Runtime

    # 4 s: the broker beats every 2 s, so kombu's consume loop (1 s drains) still sends its own beats.
    settings = settings_for("sink", heartbeat=4)
    runtime = Runtime(settings, handled_types=("test.pinged",))
    runtime.open_store()
    consumer = runtime.start_consumer(lambda evt: None)
    try:
        assert consumer.ready.wait(10)
        exchange = f"{settings.amqp_prefix}.events"
        publish_raw(amqp_url, exchange, "test.pinged", b"{first poison", "first")
        assert wait_until(lambda: len(dead_letters(settings)) == 1)
        out, live = consumer.out, consumer._live
        assert out is not None and out.connected
        consumer._next_depths = float("inf")  # no queue-depth readings on it meanwhile: it is idle
        time.sleep(13)  # idle past two heartbeat intervals and more (an unserviced connection is dropped by then)
        publish_raw(amqp_url, exchange, "test.pinged", b"{second poison", "second")
        assert wait_until(lambda: len(dead_letters(settings)) == 2)
        assert consumer.out is out and out.connected  # the same publishing connection, never dropped
        assert consumer._live is live and consumer.ready.is_set()  # and the consumer never reconnected
    finally:
        runtime.stop()


def test_a_replayed_dead_letter_keeps_its_headers_and_is_listed_under_its_type_when_it_fails_again(
        pipeline, settings_for):
    settings = settings_for("sink")
    pipeline.fail.add("stubborn")
    pipeline.producer.start_relay()
    pipeline.emit("stubborn")
    [letter] = wait_until(lambda: dead_letters(settings), timeout=30)
    assert letter.routing_key == "test.pinged"
    tool = BusTool(settings.amqp_url, settings.amqp_prefix, settings.retry_delays)
    assert tool.replay("sink", letter.message_id) == 1  # the fault is still there
    again = wait_until(lambda: (lambda ls: ls if ls and ls[0].failed_at != letter.failed_at else None)(
        dead_letters(settings)), timeout=30)
    assert len(again) == 1 and again[0].message_id == letter.message_id
    assert again[0].routing_key == "test.pinged"  # not the queue's name
    assert pipeline.calls.count("stubborn") == 2 * (1 + len(settings.retry_delays))
