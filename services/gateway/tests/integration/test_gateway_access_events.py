"""The gateway's broadcast subscription to person.access_changed on the real RabbitMQ: every
gateway process has its own exclusive, auto-delete queue, so each one hears every event, and its
queue goes with its connection. Uses for real: RabbitMQ (this test's prefix), kombu."""

import threading
import time

import pytest
from kombu import Connection, Exchange, Producer

from gateway.access_events import AccessEvents
from gateway.config import Settings
from shared.events import new_event

pytestmark = pytest.mark.integration


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_every_gateway_process_hears_every_access_change_and_its_queue_goes_with_it(amqp_url, run_prefix):
    settings = Settings.from_env({"CHORA_SECRET_KEY": "s", "CHORA_AMQP_URL": amqp_url, "CHORA_AMQP_PREFIX": run_prefix})
    heard: list[list[str]] = [[], []]
    attached = [threading.Event(), threading.Event()]
    processes = [AccessEvents(settings, forget=heard[n].append, attached=attached[n].set) for n in range(2)]
    for process in processes:
        process.start()
    try:
        for n in range(2):
            assert attached[n].wait(15) and processes[n].live.is_set()
        event = new_event("person.access_changed", {"person_id": "p-7", "session_generation": 3, "status": "active",
                                                    "role": "member", "library_id": "lib-1"}, producer="registration")
        with Connection(amqp_url) as conn:
            Producer(conn.channel()).publish(event.to_json(), exchange=Exchange(f"{run_prefix}.events", type="topic"),
                                             routing_key="person.access_changed", content_type="application/json")
        wait_until(lambda: heard == [["p-7"], ["p-7"]])
        assert processes[0].connection.heartbeat == settings.heartbeat
    finally:
        for process in processes:
            process.stop()
    assert not processes[0].live.is_set()
