"""A consumer process's liveness and readiness (shared.health): the rules, and their HTTP answers."""

import json
import threading
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from shared.health import LOST_LIMIT, READY_TURN, STALL_LIMIT, HealthServer, consumer_checks

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _runtime(clock, *, consuming=True):
    ready = threading.Event()
    ready.set()
    consumer = SimpleNamespace(thread_alive=True, lost_since=None, last_turn=clock.now, ready=ready)
    return SimpleNamespace(relay=SimpleNamespace(alive=True), consumer=consumer if consuming else None)


def test_a_consumer_attached_to_its_queue_and_turning_its_loop_is_live_and_ready():
    clock = Clock()
    live, ready = consumer_checks(_runtime(clock), clock)
    assert live()[0] and ready()[0]


def test_a_consumer_whose_broker_connection_is_lost_for_over_a_minute_is_not_live():
    clock = Clock()
    runtime = _runtime(clock)
    live, ready = consumer_checks(runtime, clock)
    runtime.consumer.lost_since = clock.now
    runtime.consumer.ready.clear()
    clock.now += LOST_LIMIT - 1
    assert live()[0] and not ready()[0]  # reconnecting: not ready, still live
    clock.now += 2
    ok, detail = live()
    assert not ok and "connection lost" in detail["broker"]


def test_a_consumer_stuck_in_one_handler_is_first_not_ready_then_not_live():
    clock = Clock()
    runtime = _runtime(clock)
    live, ready = consumer_checks(runtime, clock)
    clock.now += READY_TURN + 1
    assert live()[0] and not ready()[0]
    clock.now += STALL_LIMIT
    ok, detail = live()
    assert not ok and "stuck" in detail["loop"]


def test_a_consumer_whose_thread_or_relay_died_is_not_live():
    clock = Clock()
    runtime = _runtime(clock)
    live, _ = consumer_checks(runtime, clock)
    runtime.consumer.thread_alive = False
    assert not live()[0]
    runtime.consumer.thread_alive = True
    runtime.relay.alive = False
    assert not live()[0]


def test_a_process_that_consumes_nothing_is_live_and_ready_while_its_relay_runs():
    clock = Clock()
    runtime = _runtime(clock, consuming=False)
    live, ready = consumer_checks(runtime, clock)
    assert live()[0] and ready()[0]
    runtime.relay.alive = False
    assert not live()[0] and not ready()[0]


def test_the_health_server_answers_200_or_503_with_the_reasons_and_serves_mounted_apps():
    state = {"live": True}
    server = HealthServer(0, lambda: (state["live"], {"consumer": "ok" if state["live"] else "stopped"}),
                          lambda: (True, {}), host="127.0.0.1")
    server.mount("/metrics", lambda environ, start: (start("200 OK", [("Content-Type", "text/plain")]), [b"m 1\n"])[1])
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:
            assert answer.status == 200 and json.loads(answer.read())["status"] == "ok"
        state["live"] = False
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(f"{base}/healthz", timeout=5)
        assert failed.value.code == 503 and json.loads(failed.value.read())["consumer"] == "stopped"
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as answer:
            assert answer.read() == b"m 1\n"
    finally:
        server.stop()
